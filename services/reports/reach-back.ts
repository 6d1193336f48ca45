/**
 * Which nodes can compromise any of the targets: the flow table run backwards from the targets. Used for exposure:
 * an entry point is exposed when it is in this set.
 *
 * This is the very traversal the attack-path search loads its region with (`compromise-source`, flowWhen checked by
 * edgeCarriesCompromise), so an entry point counts as exposed exactly when an attack path from it can exist within
 * the same depth; a hand-rolled copy of the flow rules here once disagreed with it (role case).
 */
import { traverse } from '../../queries/traversal.ts';
import type { GraphStore } from '../../schema/store.ts';

export interface ReachBack {
  /** Targets and every node that can compromise one of them. */
  nodes: Set<string>;
  /** The depth limit or node budget cut the search, so the set may be incomplete. */
  truncated: boolean;
}

export async function nodesThatReach(store: GraphStore, targets: readonly string[], opts: { maxDepth?: number; nodeBudget?: number } = {}): Promise<ReachBack> {
  const t = await traverse(store, [...targets], { step: 'compromise-source', maxDepth: opts.maxDepth, nodeBudget: opts.nodeBudget, withEdgeProps: false });
  return { nodes: new Set(t.reached.keys()), truncated: t.truncated };
}
