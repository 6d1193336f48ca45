/**
 * Shortest connection between two nodes over edges in either direction (how are these two related at all?).
 * Bidirectional breadth-first search: each round expands the smaller frontier by one level, in two store calls.
 */
import type { GraphEdge } from '../schema/records.ts';
import type { GraphStore } from '../schema/store.ts';
import { farEnd, nearEnd } from './flow.ts';
import type { FollowedEdge } from './traversal.ts';
import { checkMaxDepth, checkNodeBudget } from './limits.ts';
import { requireNodes } from './nodes.ts';

export interface ShortestPath {
  nodes: string[];
  edges: GraphEdge[];
}

interface Side {
  /** key → the edge it was reached by and the node before it (toward this side's start). */
  seen: Map<string, { parent?: string; via?: GraphEdge; depth: number }>;
  frontier: string[];
  depth: number;
}

export async function shortestPath(
  store: GraphStore,
  fromKey: string,
  toKey: string,
  opts: { maxDepth?: number; nodeBudget?: number } = {},
): Promise<ShortestPath | null> {
  const maxDepth = checkMaxDepth(opts.maxDepth);
  const budget = checkNodeBudget(opts.nodeBudget);
  await requireNodes(store, [fromKey, toKey]);
  if (fromKey === toKey) return { nodes: [fromKey], edges: [] };

  const a: Side = { seen: new Map([[fromKey, { depth: 0 }]]), frontier: [fromKey], depth: 0 };
  const b: Side = { seen: new Map([[toKey, { depth: 0 }]]), frontier: [toKey], depth: 0 };

  while (a.frontier.length && b.frontier.length && a.depth + b.depth < maxDepth) {
    if (a.seen.size + b.seen.size > budget) return null;
    const side = a.frontier.length <= b.frontier.length ? a : b;
    const other = side === a ? b : a;
    const followed = await expandBothWays(store, side.frontier);
    const next: string[] = [];
    const meetings: string[] = [];
    for (const { edge, direction } of followed) {
      const key = farEnd(edge, direction);
      if (side.seen.has(key)) continue;
      side.seen.set(key, { parent: nearEnd(edge, direction), via: edge, depth: side.depth + 1 });
      next.push(key);
      if (other.seen.has(key)) meetings.push(key);
    }
    side.frontier = next;
    side.depth++;
    if (meetings.length) {
      // Every meeting is at this side's new depth; the best adds the least depth on the other side, ties by key.
      meetings.sort((x, y) => other.seen.get(x)!.depth - other.seen.get(y)!.depth || (x < y ? -1 : 1));
      return join(a, b, meetings[0]!);
    }
  }
  return null;
}

async function expandBothWays(store: GraphStore, frontier: string[]): Promise<FollowedEdge[]> {
  const [outs, ins] = await Promise.all([
    store.expand({ keys: frontier, direction: 'out' }),
    store.expand({ keys: frontier, direction: 'in' }),
  ]);
  const followed: FollowedEdge[] = [...outs.map((edge) => ({ edge, direction: 'out' as const })), ...ins.map((edge) => ({ edge, direction: 'in' as const }))];
  // Same graph, same answer on every store: parents are picked in a fixed order.
  const key = (f: FollowedEdge) => `${nearEnd(f.edge, f.direction)}\u0000${f.edge.kind}\u0000${farEnd(f.edge, f.direction)}\u0000${f.direction}\u0000${f.edge.source}`;
  return followed.map((f) => [key(f), f] as const).sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0)).map(([, f]) => f);
}

function join(a: Side, b: Side, meeting: string): ShortestPath {
  const nodes: string[] = [];
  const edges: GraphEdge[] = [];
  for (let at = a.seen.get(meeting), key = meeting; at; ) {
    nodes.push(key);
    if (!at.via || at.parent === undefined) break;
    edges.push(at.via);
    key = at.parent;
    at = a.seen.get(key);
  }
  nodes.reverse();
  edges.reverse();
  for (let at = b.seen.get(meeting); at?.via && at.parent !== undefined; at = b.seen.get(at.parent)) {
    edges.push(at.via);
    nodes.push(at.parent);
  }
  return { nodes, edges };
}
