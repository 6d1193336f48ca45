/** Pieces both stores share: property merging, cursors, page sizes and safe property filters. */
import type { Props } from '../../schema/records.ts';
import { UsageError } from '../../schema/errors.ts';

/**
 * Shallow merge: later values win; `null` removes a property. Properties are defined, not assigned, so a property
 * named `__proto__` (upstream data is hostile) is stored as data instead of changing the object's prototype.
 */
export function mergeProps(base: Props, patch: Props): Props {
  const out: Props = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
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
