/** Small node look-ups shared by the analyses. */
import { clip } from '../schema/records.ts';
import type { GraphNode } from '../schema/records.ts';
import { UsageError } from '../schema/errors.ts';
import type { GraphStore } from '../schema/store.ts';

/** The nodes for `keys`, in one call; throws "unknown node …" naming the first few that do not exist. */
export async function requireNodes(store: GraphStore, keys: readonly string[]): Promise<Map<string, GraphNode>> {
  for (const key of keys) {
    if (typeof key !== 'string' || key.length === 0) throw new UsageError('a node key must be a non-empty string');
  }
  const unique = [...new Set(keys)];
  const found = new Map((await store.getNodes(unique)).map((n) => [n.key, n]));
  const unknown = unique.filter((k) => !found.has(k));
  if (unknown.length) {
    const shown = unknown.slice(0, 3).map((k) => clip(k)).join(', ');
    throw new UsageError(`unknown node ${shown}${unknown.length > 3 ? ` (+${unknown.length - 3} more)` : ''}`);
  }
  return found;
}

/** Every node of a kind, page by page (the store orders by key, so the result is stable). */
export async function* nodesOfKind(store: GraphStore, kind: GraphNode['kind'], where?: Record<string, string | number | boolean>): AsyncIterable<GraphNode[]> {
  let after: string | undefined;
  for (;;) {
    const page = await store.find({ kind, where, first: 1000, after });
    if (page.items.length) yield page.items;
    if (!page.hasNextPage || !page.endCursor) return;
    after = page.endCursor;
  }
}

export async function allNodesOfKind(store: GraphStore, kind: GraphNode['kind'], where?: Record<string, string | number | boolean>): Promise<GraphNode[]> {
  const out: GraphNode[] = [];
  for await (const page of nodesOfKind(store, kind, where)) out.push(...page);
  return out;
}
