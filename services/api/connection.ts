/**
 * Cursor connections over results computed in memory (an analysis result, a node's edge list). Cursors are opaque
 * to clients: base64url of a position marker that this module alone reads. A position is a sort key (not an
 * offset) where the list has one, so a page stays correct when the list is recomputed between pages.
 */
import { UsageError } from '../../schema/errors.ts';
import { redact } from '../../schema/secrets.ts';

export const MAX_FIRST = 1000;

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

/** Page size from a `first` argument: 0 to MAX_FIRST (0 gives counts only). */
export function checkFirst(first: number | null | undefined, fallback: number): number {
  if (first === undefined || first === null) return Math.min(fallback, MAX_FIRST);
  if (!Number.isInteger(first) || first < 0 || first > MAX_FIRST) {
    throw new UsageError(`first must be a whole number from 0 to ${MAX_FIRST}, got ${String(first).slice(0, 40)}`);
  }
  return first;
}

export function encodeCursor(marker: string): string {
  return Buffer.from(marker, 'utf8').toString('base64url');
}

/** The marker inside a cursor made by `encodeCursor`; BAD_INPUT for anything else. */
export function decodeCursor(cursor: string, prefix: string): string {
  const marker = Buffer.from(cursor, 'base64url').toString('utf8');
  if (cursor.length > 16_384 || encodeCursor(marker) !== cursor || !marker.startsWith(prefix)) {
    // Redacted before it is cut short, or a cut through a token would leave a prefix redaction cannot recognise.
    throw new UsageError(`invalid cursor "${redact(cursor).slice(0, 80)}"`);
  }
  return marker.slice(prefix.length);
}

/**
 * One page of `items`, which are sorted by `markerOf` (ascending, unique). `after` resumes just past the cursor's
 * marker, found by binary search, so it works even if the cursor's own item is gone.
 */
export function pageBySortKey<T>(
  items: readonly T[],
  markerOf: (item: T) => string,
  args: { first?: number | null; after?: string | null },
  opts: { prefix: string; defaultFirst: number },
): Connection<T> {
  const first = checkFirst(args.first, opts.defaultFirst);
  let start = 0;
  if (args.after) {
    const after = decodeCursor(args.after, opts.prefix);
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (markerOf(items[mid]!) <= after) lo = mid + 1;
      else hi = mid;
    }
    start = lo;
  }
  const slice = items.slice(start, start + first);
  const edges = slice.map((node) => ({ cursor: encodeCursor(opts.prefix + markerOf(node)), node }));
  return {
    edges,
    pageInfo: { hasNextPage: start + slice.length < items.length, endCursor: edges.length ? edges[edges.length - 1]!.cursor : null },
    totalCount: items.length,
  };
}

/** For ranked lists without a natural unique key: the position in the ranking, zero-padded so markers sort. */
export function pageByRank<T>(items: readonly T[], args: { first?: number | null; after?: string | null }, opts: { prefix: string; defaultFirst: number }): Connection<T> {
  const ranked = items.map((node, i) => ({ rank: String(i).padStart(10, '0'), node }));
  const page = pageBySortKey(ranked, (r) => r.rank, args, opts);
  return { ...page, edges: page.edges.map((e) => ({ cursor: e.cursor, node: e.node.node })) };
}
