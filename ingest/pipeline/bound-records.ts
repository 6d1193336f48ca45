/**
 * Upstream records within bounds before they are written: every string and list an upstream controls is cut to a
 * size, nesting is cut to a depth, and a record whose properties are still too big loses its largest fields, each
 * cut recorded in the record's `truncated` property — so a repo that pads a field (400,000 tags) or nests its card
 * 200,000 levels deep is still written, with its lineage, instead of being refused whole and hiding from every
 * analysis. Registered secrets an upstream reflects back (an echoed Authorization header) are redacted on the way.
 * Pure; the one place every source's scopes pass through (see sync.ts).
 */
import type { EdgeRecord, JsonValue, NodeRecord, Props, RecordBatch } from '../../schema/records.ts';
import { redact } from '../../schema/secrets.ts';

export interface RecordBounds {
  /** Containers nested deeper than this are replaced by a marker string. */
  maxDepth: number;
  maxStringChars: number;
  /** Items of a list, and keys of a mapping, kept. */
  maxItems: number;
  /** JSON size of one record's properties after cutting; past it the largest fields go. */
  maxPropsBytes: number;
}

export const UPSTREAM_BOUNDS: RecordBounds = { maxDepth: 32, maxStringChars: 16 * 1024, maxItems: 2_000, maxPropsBytes: 512 * 1024 };

export interface BoundedBatch {
  batch: RecordBatch;
  /** What was cut, per record, for a warning on the scope. */
  notes: string[];
}

const DEEP = (max: number) => `[truncated: nested deeper than ${max} levels]`;

/** One value within bounds; `cut` is set when anything was shortened. Recursion stops at maxDepth. */
function boundValue(value: JsonValue, bounds: RecordBounds, depth: number, cut: { any: boolean }): JsonValue {
  if (typeof value === 'string') {
    const clean = redact(value);
    if (clean.length <= bounds.maxStringChars) return clean;
    cut.any = true;
    return `${clean.slice(0, bounds.maxStringChars)}…[truncated: ${clean.length} chars]`;
  }
  if (value === null || typeof value !== 'object') return value;
  if (depth >= bounds.maxDepth) {
    cut.any = true;
    return DEEP(bounds.maxDepth);
  }
  if (Array.isArray(value)) {
    if (value.length > bounds.maxItems) cut.any = true;
    return value.slice(0, bounds.maxItems).map((v) => boundValue(v, bounds, depth + 1, cut));
  }
  const out: Record<string, JsonValue> = {};
  let n = 0;
  for (const k of Object.keys(value)) {
    if (n++ >= bounds.maxItems) {
      cut.any = true;
      break;
    }
    // defineProperty: a key named __proto__ stays data.
    Object.defineProperty(out, redact(k), { value: boundValue(value[k] as JsonValue, bounds, depth + 1, cut), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** A copy of one upstream value within bounds (depth, strings, lists), and whether anything was cut. */
export function boundJson(value: unknown, bounds: RecordBounds = UPSTREAM_BOUNDS): { value: JsonValue; cut: boolean } {
  const cut = { any: false };
  return { value: boundValue(value as JsonValue, bounds, 1, cut), cut: cut.any };
}

const sizeOf = (v: JsonValue) => JSON.stringify(v)?.length ?? 0;

export function boundProps(props: Props | undefined, bounds: RecordBounds = UPSTREAM_BOUNDS): { props: Props | undefined; truncated: string[] } {
  if (!props) return { props, truncated: [] };
  const truncated: string[] = [];
  const out: Props = {};
  for (const name of Object.keys(props)) {
    const cut = { any: false };
    Object.defineProperty(out, name, { value: boundValue(props[name] as JsonValue, bounds, 1, cut), enumerable: true, writable: true, configurable: true });
    if (cut.any) truncated.push(name);
  }
  // Still too big: drop the largest fields until it fits (the record and its edges are what matter).
  let total = sizeOf(out);
  if (total > bounds.maxPropsBytes) {
    const bySize = Object.keys(out).map((name) => ({ name, size: sizeOf(out[name]!) })).sort((a, b) => b.size - a.size);
    for (const { name, size } of bySize) {
      if (total <= bounds.maxPropsBytes) break;
      const marker = `[truncated: ${size} bytes]`;
      out[name] = marker;
      total -= size - marker.length - 2;
      if (!truncated.includes(name)) truncated.push(name);
    }
  }
  if (truncated.length) out.truncated = [...new Set([...(Array.isArray(out.truncated) ? out.truncated.filter((t): t is string => typeof t === 'string') : []), ...truncated])].sort();
  return { props: out, truncated };
}

/** A batch within bounds, with secrets redacted from keys, properties and provenance text. */
export function boundBatch(batch: RecordBatch, bounds: RecordBounds = UPSTREAM_BOUNDS): BoundedBatch {
  const notes: string[] = [];
  const nodes: NodeRecord[] = batch.nodes.map((n) => {
    const { props, truncated } = boundProps(n.props, bounds);
    if (truncated.length) notes.push(`${n.key}: ${truncated.join(', ')} cut to size`);
    return { ...n, key: redact(n.key), ...(props ? { props } : {}) };
  });
  const edges: EdgeRecord[] = batch.edges.map((e) => {
    const { props, truncated } = boundProps(e.props, bounds);
    if (truncated.length) notes.push(`${e.from} -${e.kind}-> ${e.to}: ${truncated.join(', ')} cut to size`);
    return {
      ...e,
      from: redact(e.from),
      to: redact(e.to),
      ...(props ? { props } : {}),
      ...(e.evidence !== undefined ? { evidence: boundValue(e.evidence, bounds, 0, { any: false }) as string } : {}),
    };
  });
  return { batch: { nodes, edges }, notes };
}
