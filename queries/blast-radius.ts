/**
 * Blast radius: everything compromise of one node reaches, following the flow table. Each reached node comes with
 * its depth and one shortest path; endpoints come first with their owners, because that is who must act.
 */
import { kindOfKey } from '../schema/keys.ts';
import type { GraphStore } from '../schema/store.ts';
import { requireNodes } from './nodes.ts';
import { loadWriteAccess, ownersOf } from './ownership.ts';
import { pathTo, traverse } from './traversal.ts';

export interface BlastRadiusNode {
  key: string;
  kind: string;
  depth: number;
  /** From the start node to this node. */
  path: string[];
}

export interface BlastRadiusEndpoint {
  key: string;
  depth: number;
  path: string[];
  /** Identities that can write the endpoint, and the orgs they are members of. */
  owners: string[];
}

export interface BlastRadius {
  from: string;
  /** Reached nodes, the start excluded. */
  total: number;
  byKind: Record<string, number>;
  /** Sorted by depth then key; the start is excluded. */
  nodes: BlastRadiusNode[];
  endpoints: BlastRadiusEndpoint[];
  truncated: boolean;
  /** Why the result is partial, when it is. */
  reason?: 'depth' | 'budget';
}

export async function blastRadius(store: GraphStore, fromKey: string, opts: { maxDepth?: number; nodeBudget?: number } = {}): Promise<BlastRadius> {
  await requireNodes(store, [fromKey]);
  // Only keys, depths and parents are read here, so the store may answer from its indexes or adjacency cache.
  const t = await traverse(store, [fromKey], { maxDepth: opts.maxDepth, nodeBudget: opts.nodeBudget, step: 'compromise', withEdgeProps: false });
  const nodes: BlastRadiusNode[] = [];
  for (const r of t.reached.values()) {
    if (r.key === fromKey) continue;
    // Key formats are disjoint and validated on write, so the kind follows from the key without a store call.
    nodes.push({ key: r.key, kind: kindOfKey(r.key) ?? 'Unknown', depth: r.depth, path: pathTo(t.reached, r.key) });
  }
  nodes.sort((a, b) => a.depth - b.depth || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const byKind: Record<string, number> = {};
  for (const n of nodes) byKind[n.kind] = (byKind[n.kind] ?? 0) + 1;

  const endpointNodes = nodes.filter((n) => n.kind === 'Endpoint');
  const access = await loadWriteAccess(store, endpointNodes.map((n) => n.key));
  const endpoints = endpointNodes.map((n) => ({ key: n.key, depth: n.depth, path: n.path, owners: ownersOf(access, n.key) }));
  return { from: fromKey, total: nodes.length, byKind, nodes, endpoints, truncated: t.truncated, ...(t.reason ? { reason: t.reason } : {}) };
}
