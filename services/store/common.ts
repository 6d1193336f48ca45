/** Pieces both stores share: property merging, the contract's orders, cursors, page sizes and safe property filters. */
import type { GraphEdge, JsonValue, Props } from '../../schema/records.ts';
import { UsageError } from '../../schema/errors.ts';

/**
 * Sets an own, enumerable property. Plain assignment would treat a property named `__proto__` (upstream data is
 * hostile) as the object's prototype instead of data; every props object a store builds goes through this.
 */
export function setOwn(target: Props, name: string, value: JsonValue): void {
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
}

/** Shallow merge: later values win; `null` removes a property. */
export function mergeProps(base: Props, patch: Props): Props {
  const out: Props = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else setOwn(out, k, v);
  }
  return out;
}

/** Shallow overlay that keeps nulls (so that they still remove what a store holds): later values win. */
export function overlayProps(base: Props, patch: Props): Props {
  const out: Props = { ...base };
  for (const [k, v] of Object.entries(patch)) setOwn(out, k, v);
  return out;
}

export function withoutNulls(props: Props): Props {
  const out: Props = {};
  for (const [k, v] of Object.entries(props)) if (v !== null) setOwn(out, k, v);
  return out;
}

/** The store contract's string order: UTF-16 code units, which is JavaScript's `<` and Neo4j's string order. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Node properties in the contract's order: names ascending by `compareText`, inserted in that order (so, as for
 * every JavaScript object, integer-like names come first, numerically). Returns `props` itself when it already is.
 */
export function sortedProps(props: Props): Props {
  const names = Object.keys(props);
  let sorted = true;
  for (let i = 1; i < names.length && sorted; i++) if (names[i - 1]! > names[i]!) sorted = false;
  if (sorted) return props;
  const out: Props = {};
  for (const name of names.sort()) setOwn(out, name, props[name]!);
  return out;
}

/** `list` sorted in place by `compare`; one pass and no sort when it already is (the usual case for ordered reads). */
export function inOrder<T>(list: T[], compare: (a: T, b: T) => number): T[] {
  for (let i = 1; i < list.length; i++) if (compare(list[i - 1]!, list[i]!) > 0) return list.sort(compare);
  return list;
}

export const compareNodes = (a: { key: string }, b: { key: string }): number => compareText(a.key, b.key);

/** The contract's edge order: (from, kind, to, source). */
export function compareEdges(a: GraphEdge, b: GraphEdge): number {
  return compareText(a.from, b.from) || compareText(a.kind, b.kind) || compareText(a.to, b.to) || compareText(a.source, b.source);
}

export function encodeCursor(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!key || encodeCursor(key) !== cursor) throw new UsageError(`invalid cursor "${cursor.slice(0, 80)}"`);
  return key;
}

export const MAX_PAGE = 1000;

export function pageSize(first: number | undefined): number {
  if (first === undefined) return 50;
  if (!Number.isInteger(first) || first < 1) throw new UsageError(`page size must be a positive integer, got ${first}`);
  return Math.min(first, MAX_PAGE);
}

const PROP_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Property filters as (JSON path, value) pairs; property names are checked so that they cannot inject a path. */
export function whereClauses(where: Record<string, string | number | boolean> | undefined): { name: string; path: string; value: string | number | boolean }[] {
  if (!where) return [];
  return Object.entries(where).map(([name, value]) => {
    if (!PROP_NAME.test(name)) throw new UsageError(`invalid property name "${name.slice(0, 80)}" in filter`);
    if (!['string', 'number', 'boolean'].includes(typeof value)) throw new UsageError(`filter on "${name}" must be a string, number or boolean`);
    return { name, path: `$.${name}`, value };
  });
}
