/**
 * Stable order for every list in a BOM document, by code point (the library sorts with `localeCompare`, whose order
 * depends on the ICU locale of the machine; a deterministic BOM must not). Also drops `undefined` members, so the
 * object equals its JSON. Pure; returns a new document.
 */

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The sort key of an array element: its identity when it has one, else its whole JSON. */
function sortKey(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const id = o['bom-ref'] ?? o.ref;
    // bom-refs are unique among siblings, so an identity alone orders them (and spares a JSON walk of big components).
    if (typeof id === 'string') return id;
  }
  return JSON.stringify(v);
}

/** Arrays whose order carries meaning are left alone (none in the parts aispm writes today, kept for safety). */
const ORDERED_KEYS = new Set<string>(['inputs', 'outputs']);

export function canonicalize(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) {
    const items = value.map((v) => canonicalize(v));
    if (ORDERED_KEYS.has(key)) return items;
    return items.map((v) => [sortKey(v), v] as const).sort((a, b) => cmp(a[0], b[0])).map(([, v]) => v);
  }
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = canonicalize(v, k);
    return out;
  }
  return value;
}
