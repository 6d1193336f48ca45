/**
 * Attack paths: the k cheapest loopless paths from entry points to targets, each step explained from the model.
 *
 * Cost of a step = -ln(likelihood) (the kind's default likelihood, or the edge's own `likelihood` prop, times the
 * kind's `likelihoodModifiers` that hold on the edge and its ends — a push to a protected branch, a deployment a
 * reviewer must approve), so the cheapest path is the most likely one and a path's likelihood is the product of its
 * steps'. Risk (0–10) is 10 × path likelihood, rounded to two decimals.
 *
 * Loading: the reverse-flow region of the targets (everything that could compromise them, up to maxDepth) is read
 * frontier by frontier — one store call per direction per level — then Yen's algorithm runs in memory over it with a
 * virtual source joined to every entry and a virtual sink joined from every target.
 */
import { EDGE_SPECS } from '../schema/model.ts';
import type { GraphEdge, Props } from '../schema/records.ts';
import type { GraphStore } from '../schema/store.ts';
import { entryPointReasons, findTargets } from './entry-points.ts';
import { compromiseEnds, flowWords, modifiedLikelihood, modifierEnds, type EndProps } from './flow.ts';
import { kShortestPaths, type Arc, type WeightedDigraph } from './k-shortest.ts';
import { checkPositive } from './limits.ts';
import { requireNodes } from './nodes.ts';
import { traverse } from './traversal.ts';

export { findEntryPoints, findTargets, findEndpoints, entryPointReasons, findCrownJewels, findTagged, CROWN_JEWEL_TAG, COMPROMISED_TAG } from './entry-points.ts';

export interface Step {
  /** Compromised first. */
  from: string;
  /** Compromised next. */
  to: string;
  edgeKind: string;
  relation?: string;
  /** The relation in words, in the compromise direction: "`from` fine-tuned into `to`" (see flowWords). */
  verb: string;
  likelihood: number;
  /** Why `likelihood` differs from the kind's default (the likelihood modifiers that applied). */
  adjustments?: string[];
  meaning: string;
  abuse: string;
  remediation: string;
  /** The stored edge's own provenance. */
  evidence: string;
  source: string;
  /** The revision the consumer loads, when the edge records one (a floating `main` is how a push arrives). */
  revision?: string;
}

export interface AttackPath {
  from: string;
  to: string;
  nodes: string[];
  steps: Step[];
  cost: number;
  likelihood: number;
  risk: number;
}

export interface AttackPathsResult {
  entries: string[];
  targets: string[];
  paths: AttackPath[];
  /** The region loaded from the targets was cut by the depth limit or the node budget. */
  truncated: boolean;
}

export interface AttackPathOptions {
  from?: string[];
  to?: string[];
  k?: number;
  maxDepth?: number;
  nodeBudget?: number;
}

export const DEFAULT_K = 10;
export const MAX_K = 100;

/**
 * The k most likely paths. Without `from`, paths from entries an analyst tagged `compromised` come first (assumed
 * breach), then the cheapest from the detected entry points.
 */
export async function attackPaths(store: GraphStore, opts: AttackPathOptions = {}): Promise<AttackPathsResult> {
  const k = checkPositive('k', opts.k, DEFAULT_K, MAX_K);
  if (opts.from?.length) await requireNodes(store, opts.from);
  if (opts.to?.length) await requireNodes(store, opts.to);
  const targets = opts.to?.length ? [...new Set(opts.to)].sort() : await findTargets(store);
  const reasons = opts.from?.length ? undefined : await entryPointReasons(store);
  const entries = opts.from?.length ? [...new Set(opts.from)].sort() : [...reasons!.keys()];
  if (!targets.length || !entries.length) return { entries, targets, paths: [], truncated: false };

  const region = await loadRegion(store, targets, opts);
  const ends = await loadEnds(store, region.edges);
  // An analyst's `compromised` tag is an incident, not a hypothesis: paths from assumed-breach entries come first
  // (ranked among themselves), then the k cheapest from every other entry fill the list.
  const assumed = entries.filter((e) => reasons?.get(e)?.includes('compromised'));
  const first = assumed.length ? searchPaths(region.edges, assumed, targets, k, ends) : [];
  const rest = searchPaths(region.edges, entries.filter((e) => !assumed.includes(e)), targets, k - first.length, ends);
  const paths = [...first, ...rest];
  return { entries, targets, paths, truncated: region.truncated };
}

/** The end nodes the likelihood modifiers of the region's edges read, in one batched call per chunk. */
async function loadEnds(store: GraphStore, edges: readonly GraphEdge[]): Promise<EndProps> {
  const keys = modifierEnds(edges);
  const props = new Map<string, Props>();
  for (let i = 0; i < keys.length; i += 1000) for (const n of await store.getNodes(keys.slice(i, i + 1000))) props.set(n.key, n.props);
  return (key) => props.get(key);
}

/** Every edge along which compromise can move toward a target, up to maxDepth steps back from the targets. */
async function loadRegion(store: GraphStore, targets: string[], opts: AttackPathOptions): Promise<{ edges: GraphEdge[]; truncated: boolean }> {
  const edges: GraphEdge[] = [];
  const t = await traverse(store, targets, {
    step: 'compromise-source',
    maxDepth: opts.maxDepth,
    nodeBudget: opts.nodeBudget,
    onEdges: (followed) => {
      for (const f of followed) edges.push(f.edge);
    },
  });
  return { edges, truncated: t.truncated };
}

/** Pure: the k cheapest loopless entry → target paths over the given edges (end-node props from `ends`). */
export function searchPaths(edges: readonly GraphEdge[], entries: readonly string[], targets: readonly string[], k: number, ends: EndProps = () => undefined): AttackPath[] {
  if (k <= 0 || !entries.length) return [];
  const likelihoodOf = (e: GraphEdge) => modifiedLikelihood(e, ends);
  // The cheapest edge for each (compromised first, compromised next) pair; ties by kind then source.
  const best = new Map<string, GraphEdge>();
  for (const e of edges) {
    const { source, target } = compromiseEnds(e);
    if (source === target) continue;
    const id = `${source}\u0000${target}`;
    const prev = best.get(id);
    if (!prev || preferEdge(e, prev, likelihoodOf)) best.set(id, e);
  }
  const keys = new Set<string>([...entries, ...targets]);
  for (const e of best.values()) {
    keys.add(e.from);
    keys.add(e.to);
  }
  const sorted = [...keys].sort();
  const index = new Map(sorted.map((key, i) => [key, i]));
  const SOURCE = sorted.length;
  const SINK = sorted.length + 1;
  const graph: WeightedDigraph = { out: Array.from({ length: sorted.length + 2 }, () => []) };
  const edgeOf: GraphEdge[] = [];
  const sortedEdges = [...best.values()].sort((a, b) => cmpEnds(a, b));
  for (const e of sortedEdges) {
    const { source, target } = compromiseEnds(e);
    edgeOf.push(e);
    graph.out[index.get(source)!]!.push({ to: index.get(target)!, cost: -Math.log(likelihoodOf(e).likelihood), id: edgeOf.length - 1 });
  }
  for (const entry of new Set(entries)) graph.out[SOURCE]!.push({ to: index.get(entry)!, cost: 0, id: -1 });
  for (const target of new Set(targets)) graph.out[index.get(target)!]!.push({ to: SINK, cost: 0, id: -1 });

  // A node that is both entry and target gives a zero-step path first; those are no attack path, so ask for more.
  const both = entries.filter((e) => targets.includes(e)).length;
  const found = kShortestPaths(graph, SOURCE, SINK, k + both);
  const paths: AttackPath[] = [];
  for (const p of found) {
    const inner = p.arcs.filter((a: Arc) => a.id >= 0);
    if (!inner.length) continue;
    const nodes = p.nodes.slice(1, -1).map((i) => sorted[i]!);
    const steps = inner.map((a) => stepOf(edgeOf[a.id]!, likelihoodOf(edgeOf[a.id]!)));
    const likelihood = steps.reduce((acc, s) => acc * s.likelihood, 1);
    paths.push({
      from: nodes[0]!,
      to: nodes[nodes.length - 1]!,
      nodes,
      steps,
      cost: round(p.cost, 6),
      likelihood: round(likelihood, 6),
      risk: round(10 * likelihood, 2),
    });
    if (paths.length === k) break;
  }
  return paths;
}

function stepOf(edge: GraphEdge, modified: { likelihood: number; reasons: string[] }): Step {
  const spec = EDGE_SPECS[edge.kind];
  const { source, target } = compromiseEnds(edge);
  const relation = edge.props.relation;
  return {
    from: source,
    to: target,
    edgeKind: edge.kind,
    ...(typeof relation === 'string' ? { relation } : {}),
    verb: flowWords(edge),
    likelihood: round(modified.likelihood, 6),
    ...(modified.reasons.length ? { adjustments: modified.reasons } : {}),
    meaning: spec.meaning,
    abuse: spec.abuse,
    remediation: spec.remediation,
    evidence: edge.evidence ?? '',
    source: edge.source ?? '',
    ...(typeof edge.props.revision === 'string' && edge.props.revision ? { revision: edge.props.revision } : {}),
  };
}

function preferEdge(a: GraphEdge, b: GraphEdge, likelihoodOf: (e: GraphEdge) => { likelihood: number }): boolean {
  const la = likelihoodOf(a).likelihood;
  const lb = likelihoodOf(b).likelihood;
  if (la !== lb) return la > lb;
  return a.kind < b.kind || (a.kind === b.kind && a.source < b.source);
}

function cmpEnds(a: GraphEdge, b: GraphEdge): number {
  const x = compromiseEnds(a);
  const y = compromiseEnds(b);
  return x.source < y.source ? -1 : x.source > y.source ? 1 : x.target < y.target ? -1 : x.target > y.target ? 1 : 0;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
