/**
 * Which revision a consumer loads of a model or dataset, and whether that revision is pinned. Derived from the
 * schema: the consumption kinds are the edge kinds that declare a `revision` property (today SERVES and USES), and the
 * consumers are their `from` kinds, so a new kind with a `revision` is covered without a change here.
 *
 * Pinned means a full commit sha (40 hex, or 64 for SHA-256 repositories), or an asset whose key itself names one
 * immutable revision (a registry version, see `pinsRevision` in schema/model.ts). Anything else floats: no revision at all
 * (the loader takes the default branch), a branch such as `main` or `master`, a tag (tags can be moved) or a short
 * sha (ambiguous, and not accepted as a pin by every loader). Whoever can push to the asset reaches the consumer
 * on its next load.
 */
import { EDGE_KINDS, EDGE_SPECS, type EdgeKind, type NodeKind } from '../schema/model.ts';
import { keyPinsRevision } from '../schema/keys.ts';
import type { GraphEdge } from '../schema/records.ts';
import type { GraphStore } from '../schema/store.ts';
import { nodesOfKind } from './nodes.ts';

export const REVISION_PROP = 'revision';

const COMMIT_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;

/** Edge kinds that record the revision their `from` loads of their `to`. */
export function revisionKinds(): EdgeKind[] {
  return EDGE_KINDS.filter((k) => REVISION_PROP in EDGE_SPECS[k].props);
}

/** Node kinds that can be the consumer (the `from`) of a revision kind. */
export function consumerKinds(kinds: readonly EdgeKind[] = revisionKinds()): NodeKind[] {
  return [...new Set(kinds.flatMap((k) => EDGE_SPECS[k].pairs.map(([from]) => from)))];
}

export function isPinnedRevision(value: unknown): boolean {
  return typeof value === 'string' && COMMIT_SHA.test(value.trim());
}

/** Whether the edge says which revision is loaded at all (pinned or not). */
export function hasRecordedRevision(edge: GraphEdge): boolean {
  const value = edge.props[REVISION_PROP];
  return typeof value === 'string' && value.trim() !== '';
}

/** How an edge's revision reads in evidence: `revision "main"`, or `no revision (the default branch)`. */
export function describeRevision(edge: GraphEdge): string {
  const value = edge.props[REVISION_PROP];
  if (value === undefined || value === null || value === '') return 'no revision (loads the default branch)';
  return `revision ${JSON.stringify(typeof value === 'string' ? value.slice(0, 80) : value)}`;
}

/**
 * Every consumption edge whose revision floats, sorted by (from, to, kind, source). One store.expand per page of
 * consumers of each consumer kind; never one call per node.
 */
export async function floatingConsumptions(store: GraphStore): Promise<GraphEdge[]> {
  const kinds = revisionKinds();
  if (!kinds.length) return [];
  const out: GraphEdge[] = [];
  for (const consumerKind of consumerKinds(kinds)) {
    for await (const page of nodesOfKind(store, consumerKind)) {
      const edges = await store.expand({ keys: page.map((n) => n.key), direction: 'out', edgeKinds: kinds });
      for (const e of edges) if (!isPinnedRevision(e.props[REVISION_PROP]) && !keyPinsRevision(e.to)) out.push(e);
    }
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return out.sort((a, b) => cmp(a.from, b.from) || cmp(a.to, b.to) || cmp(a.kind, b.kind) || cmp(a.source, b.source));
}
