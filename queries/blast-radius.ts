/**
 * Blast radius: everything compromise of one node reaches, following the flow table. Each reached node comes with
 * its depth, one shortest path, and the hop that reached it said in words in the compromise direction ("trained",
 * "fine-tuned into", "served by") with the evidence that decides it; endpoints and models come with their owners,
 * because that is who must act.
 */
import { kindOfKey, ownerOfKey } from '../schema/keys.ts';
import type { EdgeKind } from '../schema/model.ts';
import type { GraphEdge } from '../schema/records.ts';
import type { GraphStore, Reachability } from '../schema/store.ts';
import { compromiseEnds, flowWords } from './flow.ts';
import { requireNodes } from './nodes.ts';
import { loadControllers, loadWriteAccess, ownersOf } from './ownership.ts';
import { pathOf, traverse } from './traversal.ts';

/** One step of compromise: `from` (compromised first) <verb> `to`. */
export interface Hop {
  from: string;
  to: string;
  edgeKind: EdgeKind;
  relation?: string;
  /** The relation in words (see flowWords): "`from` trained `to`". */
  verb: string;
  /** The edge's own provenance (`cardData.datasets`, `space.models`), when recorded. */
  evidence?: string;
  /** The revision a consumer loads, when the edge records one (a floating `main` is how a push arrives). */
  revision?: string;
}

export interface BlastRadiusNode {
  key: string;
  kind: string;
  depth: number;
  /** From the start node to this node. */
  path: string[];
  /** The hop that reached it (its parent on `path` → it). */
  via?: Hop;
  /** For models and endpoints: who can write it and the orgs they belong to, else the owner its key names. */
  owners?: string[];
}

export interface BlastRadiusEndpoint {
  key: string;
  depth: number;
  path: string[];
  /** The hops along `path`, in order. */
  hops: Hop[];
  /**
   * Identities that can write the endpoint or what controls it (the repositories that deploy it), and the orgs they
   * are members of (else the owner its key names).
   */
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

/** Kinds whose owners a blast radius names: who must act. */
const OWNED_KINDS = new Set(['Model', 'Endpoint']);

/** One reached node of a BlastReach: `index` is its place in `result` (for pathOf and the tree edge). */
export interface ReachedEntry {
  key: string;
  kind: string;
  depth: number;
  index: number;
}

/**
 * The reached part of a blast radius alone: who is reached, at what depth, how many of each kind — without the
 * hops' evidence or anyone's owners. What a first page and its counts need (the API answers those from this and
 * computes the rest only when a query asks for it); paths are `pathOf(result, entry.index)`.
 */
export interface BlastReach {
  from: string;
  total: number;
  byKind: Record<string, number>;
  /** Sorted by depth then key, as BlastRadius.nodes; the start is excluded. */
  nodes: ReachedEntry[];
  result: Reachability;
  truncated: boolean;
  reason?: 'depth' | 'budget';
}

export async function blastReach(store: GraphStore, fromKey: string, opts: { maxDepth?: number; nodeBudget?: number } = {}): Promise<BlastReach> {
  await requireNodes(store, [fromKey]);
  const t = await traverse(store, [fromKey], { maxDepth: opts.maxDepth, nodeBudget: opts.nodeBudget, step: 'compromise', withEdgeProps: false });
  const r = t.result;
  const nodes: ReachedEntry[] = [];
  // In depth-then-key order as the store hands it over (index 0, the start, left out).
  for (const i of r.depthKeyOrder()) if (i !== 0) nodes.push({ key: r.keys[i]!, kind: kindOfKey(r.keys[i]!) ?? 'Unknown', depth: r.depths[i]!, index: i });
  return { from: fromKey, total: nodes.length, byKind: countKinds(nodes), nodes, result: r, truncated: t.truncated, ...(t.reason ? { reason: t.reason } : {}) };
}

function countKinds(nodes: readonly { kind: string }[]): Record<string, number> {
  const byKind: Record<string, number> = {};
  for (const n of nodes) byKind[n.kind] = (byKind[n.kind] ?? 0) + 1;
  return byKind;
}

export async function blastRadius(store: GraphStore, fromKey: string, opts: { maxDepth?: number; nodeBudget?: number } = {}): Promise<BlastRadius> {
  await requireNodes(store, [fromKey]);
  // One store reachability; it also hands over each reached node's tree edge with its props and provenance.
  const t = await traverse(store, [fromKey], { maxDepth: opts.maxDepth, nodeBudget: opts.nodeBudget, step: 'compromise', withEdgeProps: true });
  const nodes: BlastRadiusNode[] = [];
  const r = t.result;
  // Index 0 is the start; every other node has a parent, so paths come from the answer's arrays alone. Listed in
  // depth-then-key order as the store hands it over.
  for (const i of r.depthKeyOrder()) {
    if (i === 0) continue;
    const key = r.keys[i]!;
    const edge = r.via(i);
    // Key formats are disjoint and validated on write, so the kind follows from the key without a store call.
    // Built field by field, in the order the output lists them (no spread: tens of thousands of these).
    const node: BlastRadiusNode = { key, kind: kindOfKey(key) ?? 'Unknown', depth: r.depths[i]!, path: pathOf(r, i) };
    if (edge) node.via = hopOf(edge);
    nodes.push(node);
  }
  const byKind = countKinds(nodes);

  const owned = nodes.filter((n) => OWNED_KINDS.has(n.kind));
  const controllers = await loadControllers(store, 'Endpoint', owned.filter((n) => n.kind === 'Endpoint').map((n) => n.key));
  const access = await loadWriteAccess(store, [...new Set([...owned.map((n) => n.key), ...[...controllers.values()].flat()])], { grantProps: false });
  const writersOf = (key: string) => {
    const controlledBy = controllers.get(key);
    // ownersOf is sorted and each once already; only an asset with controllers needs a merge.
    return controlledBy ? [...new Set([key, ...controlledBy].flatMap((k) => ownersOf(access, k)))].sort() : ownersOf(access, key);
  };
  for (const n of owned) n.owners = ownersWithKeyOwner(writersOf(n.key), n.key);
  const viaOf = new Map(nodes.map((n) => [n.key, n.via]));
  const endpoints = owned
    .filter((n) => n.kind === 'Endpoint')
    .map((n) => ({ key: n.key, depth: n.depth, path: n.path, hops: n.path.slice(1).flatMap((k) => viaOf.get(k) ?? []), owners: n.owners ?? [] }));
  return { from: fromKey, total: nodes.length, byKind, nodes, endpoints, truncated: t.truncated, ...(t.reason ? { reason: t.reason } : {}) };
}

/** Recorded writers first; with none, the owner the key names (`hf:model/<owner>/…`), so an owner is always said. */
function ownersWithKeyOwner(owners: string[], key: string): string[] {
  if (owners.length) return owners;
  const owner = ownerOfKey(key);
  return owner ? [owner] : [];
}

export function hopOf(edge: GraphEdge): Hop {
  const { source, target } = compromiseEnds(edge);
  const relation = edge.props.relation;
  const revision = edge.props.revision;
  // Field by field in the order the output lists them (a blast radius makes one per reached node; spreads of
  // optional fields cost an object each): from, to, edgeKind, relation, verb, evidence, revision.
  const hop = { from: source, to: target, edgeKind: edge.kind } as Hop;
  if (typeof relation === 'string') hop.relation = relation;
  hop.verb = flowWords(edge);
  if (edge.evidence) hop.evidence = edge.evidence;
  if (typeof revision === 'string' && revision) hop.revision = revision;
  return hop;
}
