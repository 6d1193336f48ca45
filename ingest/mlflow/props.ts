/** Small pure helpers the MLflow mappers share for reading upstream values into node properties. */
import type { JsonValue, Props } from '../../schema/records.ts';
import { isObject } from '../pipeline/fields.ts';

/** `[{key, value}]` (tags, params) as a map; later duplicates win, as MLflow's own readers do. */
export function tagMap(list: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (!Array.isArray(list)) return out;
  for (const t of list) if (isObject(t) && typeof t.key === 'string' && typeof t.value === 'string') out.set(t.key, t.value);
  return out;
}

/** `[{key, value}]` (tags, params) as an object; later duplicates win. A key named `__proto__` stays data. */
export function kvObject(list: unknown, skip: ReadonlySet<string> = new Set()): Props {
  const out: Props = {};
  for (const [k, v] of tagMap(list)) if (!skip.has(k)) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

/** A non-empty string, or undefined. */
export const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Milliseconds since the epoch (a number, or digits in a string as some proxies send int64) as ISO-8601. */
export function msToIso(v: unknown): string | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  return Number.isFinite(n) && n > 0 && n < 8.64e15 ? new Date(n).toISOString() : undefined;
}

/**
 * The properties with every one of `managed` that this read did not set sent as null: stores merge properties on
 * upsert, so a value the upstream dropped (an alias moved away, a description cleared) must be removed explicitly,
 * or a re-read would differ from a clean read.
 */
export function withCleared(props: Props, managed: readonly string[]): Props {
  for (const name of managed) if (!Object.hasOwn(props, name)) props[name] = null;
  return props;
}

/** A setter writing a property only when there is a value: an absent one stays absent (and is cleared). */
export function setter(props: Props): (name: string, value: JsonValue | undefined) => void {
  return (name, value) => {
    if (value !== undefined) props[name] = value;
  };
}
