/**
 * The traversal engine: breadth-first reachability along the flow table, bounded by depth and a node budget,
 * recording for every reached node its depth and one shortest path back (parent and the edge used).
 *
 * It is a store operation (GraphStore.reach: typed arrays on SQLite, one Cypher query per level on Neo4j) with
 * the contract's deterministic parents, so the same graph gives the same explanation on every store. A caller
 * that must see every followed edge of a level (`onEdges`: attack-path regions, lineage closures) gets the
 * expansion walk instead: one store.expand call per (direction, kind set) per level for the whole frontier, with
 * the same parents.
 */
import { EDGE_SPECS, type EdgeKind } from '../schema/model.ts';
import type { GraphEdge } from '../schema/records.ts';
import { depthKeyOrderOf, type Direction, type GraphStore, type ReachStep, type Reachability } from '../schema/store.ts';
import {
  anySteps,
  compromiseSourceSteps,
  compromiseSteps,
  edgeCarriesCompromise,
  farEnd,
  groupSteps,
  lineageSteps,
  nearEnd,
  type ExpansionStep,
} from './flow.ts';
import { checkMaxDepth, checkNodeBudget } from './limits.ts';

export type StepMode = 'compromise' | 'compromise-source' | 'lineage-up' | 'lineage-down' | 'any';

export interface Reached {
  key: string;
  depth: number;
  /** The node this one was reached from (absent for a start node). */
  parent?: string;
  /** The edge between parent and this node, as stored (its direction may point either way). */
  via?: GraphEdge;
}

export interface TraverseOptions {
  maxDepth?: number;
  nodeBudget?: number;
  /**
   * `compromise`: where compromise of the start moves on (flow table, flowWhen checked).
   * `compromise-source`: the same run backwards (what could compromise the start).
   * `lineage-up` / `lineage-down`: towards bases / derivatives. `any`: every edge, both ways.
   */
  step?: StepMode;
  /** Called with every followed edge of a level (tree edges and the others), e.g. to load a weighted region. */
  onEdges?: (edges: readonly FollowedEdge[]) => void;
  /**
   * Default true. False promises that the caller reads only keys, depths and parents — not the props or provenance
   * of `via` or of the edges given to `onEdges` (their `kind`, `from` and `to` are still right). The engine then
   * asks the store for edge props only for kinds whose following depends on them (a `flowWhen` in the compromise
   * modes), which lets a store answer the rest from its indexes or an adjacency cache.
   */
  withEdgeProps?: boolean;
}

export interface FollowedEdge {
  edge: GraphEdge;
  direction: Direction;
}

export interface Traversal {
  /** Every reached node by key (a view over `result`: nodes are made as they are asked for). */
  reached: ReadonlyMap<string, Reached>;
  /** The same answer as parallel arrays, breadth-first (see Reachability in schema/store.ts). */
  result: Reachability;
  truncated: boolean;
  reason?: 'depth' | 'budget';
}

interface Plan {
  steps: ExpansionStep[];
  /** Whether a returned edge may be followed (flowWhen for the compromise modes). */
  follows: (edge: GraphEdge) => boolean;
  /** Whether `follows` reads the props of edges of this kind. */
  followReadsProps: (kind: EdgeKind) => boolean;
}

const hasFlowCondition = (kind: EdgeKind) => EDGE_SPECS[kind].flowWhen !== undefined;
const never = () => false;

function planFor(mode: StepMode): Plan {
  switch (mode) {
    case 'compromise':
      return { steps: compromiseSteps(), follows: edgeCarriesCompromise, followReadsProps: hasFlowCondition };
    case 'compromise-source':
      return { steps: compromiseSourceSteps(), follows: edgeCarriesCompromise, followReadsProps: hasFlowCondition };
    case 'lineage-up':
      return { steps: lineageSteps('up'), follows: () => true, followReadsProps: never };
    case 'lineage-down':
      return { steps: lineageSteps('down'), follows: () => true, followReadsProps: never };
    case 'any':
      return { steps: anySteps(), follows: () => true, followReadsProps: never };
  }
}

interface ExpandCall {
  direction: Direction;
  kinds: EdgeKind[];
  withProps: boolean;
}

/**
 * One call per direction; when the caller needs no edge props, a direction's kinds are split into those whose
 * following reads props (asked with props) and the rest (asked without).
 */
function expandCalls(plan: Plan, withEdgeProps: boolean): ExpandCall[] {
  const calls: ExpandCall[] = [];
  for (const { direction, kinds } of groupSteps(plan.steps)) {
    if (withEdgeProps) {
      calls.push({ direction, kinds, withProps: true });
      continue;
    }
    const needing = kinds.filter(plan.followReadsProps);
    const rest = kinds.filter((k) => !plan.followReadsProps(k));
    if (rest.length) calls.push({ direction, kinds: rest, withProps: false });
    if (needing.length) calls.push({ direction, kinds: needing, withProps: true });
  }
  return calls;
}

const STEP_MODES: readonly StepMode[] = ['compromise', 'compromise-source', 'lineage-up', 'lineage-down', 'any'];

/** One frontier expanded along every step of the plan: one store call per direction (two when props are split). */
async function expandFrontier(store: GraphStore, frontier: readonly string[], plan: Plan, calls: readonly ExpandCall[]): Promise<FollowedEdge[]> {
  const results = await Promise.all(calls.map((c) => store.expand({ keys: frontier, edgeKinds: c.kinds, direction: c.direction, withProps: c.withProps })));
  const followed: FollowedEdge[] = [];
  results.forEach((edges, i) => {
    const direction = calls[i]!.direction;
    for (const edge of edges) if (plan.follows(edge)) followed.push({ edge, direction });
  });
  followed.sort(compareFollowed);
  return followed;
}

function compareFollowed(a: FollowedEdge, b: FollowedEdge): number {
  return (
    cmp(nearEnd(a.edge, a.direction), nearEnd(b.edge, b.direction)) ||
    cmp(a.edge.kind, b.edge.kind) ||
    cmp(farEnd(a.edge, a.direction), farEnd(b.edge, b.direction)) ||
    cmp(a.direction, b.direction) ||
    cmp(a.edge.source, b.edge.source)
  );
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The steps of a mode as the store takes them, flow conditions included. */
export function reachSteps(mode: StepMode): ReachStep[] {
  const plan = planFor(mode);
  return plan.steps.map(({ kind, direction }) => {
    const when = plan.followReadsProps(kind) ? EDGE_SPECS[kind].flowWhen : undefined;
    if (!when) return { kind, direction };
    const lower = (values: readonly string[]) => values.map((v) => v.toLowerCase());
    return { kind, direction, when: 'in' in when ? { prop: when.prop, in: lower(when.in) } : { prop: when.prop, notIn: lower(when.notIn) } };
  });
}

export async function traverse(store: GraphStore, fromKeys: string[], opts: TraverseOptions = {}): Promise<Traversal> {
  const maxDepth = checkMaxDepth(opts.maxDepth);
  const budget = checkNodeBudget(opts.nodeBudget);
  const mode = opts.step ?? 'compromise';
  if (!STEP_MODES.includes(mode)) throw new TypeError(`unknown traversal step "${String(mode)}"`);
  if (!opts.onEdges) {
    const result = await store.reach({ from: fromKeys, steps: reachSteps(mode), maxDepth, maxNodes: budget, withEdgeProps: opts.withEdgeProps ?? true });
    return { reached: new ReachedView(result), result, truncated: result.truncated, ...(result.reason ? { reason: result.reason } : {}) };
  }
  return walk(store, fromKeys, maxDepth, budget, planFor(mode), opts.onEdges, opts.withEdgeProps ?? true);
}

/** The expansion walk, for callers that see every followed edge of each level. */
async function walk(store: GraphStore, fromKeys: string[], maxDepth: number, budget: number, plan: Plan, onEdges: NonNullable<TraverseOptions['onEdges']>, withEdgeProps: boolean): Promise<Traversal> {
  const calls = expandCalls(plan, withEdgeProps);
  const reached = new Map<string, Reached>();
  const done = (truncated: boolean, reason?: 'depth' | 'budget'): Traversal => {
    const result = reachabilityOf(reached, truncated, reason);
    return { reached, result, truncated, ...(reason ? { reason } : {}) };
  };
  let frontier: string[] = [];
  for (const key of fromKeys) {
    if (reached.has(key)) continue;
    if (reached.size >= budget) return done(true, 'budget');
    reached.set(key, { key, depth: 0 });
    frontier.push(key);
  }

  for (let depth = 0; frontier.length > 0; depth++) {
    const followed = await expandFrontier(store, frontier, plan, calls);
    if (depth === maxDepth) {
      // The limit is reached; report truncation only if something really lies beyond it.
      const beyond = followed.some((f) => !reached.has(farEnd(f.edge, f.direction)));
      return beyond ? done(true, 'depth') : done(false);
    }
    onEdges(followed);
    const next: string[] = [];
    for (const { edge, direction } of followed) {
      const key = farEnd(edge, direction);
      if (reached.has(key)) continue;
      if (reached.size >= budget) return done(true, 'budget');
      reached.set(key, { key, depth: depth + 1, parent: nearEnd(edge, direction), via: edge });
      next.push(key);
    }
    frontier = next;
  }
  return done(false);
}

/** The walk's map as the store's answer shape. */
function reachabilityOf(reached: ReadonlyMap<string, Reached>, truncated: boolean, reason?: 'depth' | 'budget'): Reachability {
  const nodes = [...reached.values()];
  const indexOf = new Map(nodes.map((r, i) => [r.key, i]));
  const keys = nodes.map((r) => r.key);
  const depths = nodes.map((r) => r.depth);
  return {
    keys,
    depths,
    parents: nodes.map((r) => (r.parent === undefined ? -1 : indexOf.get(r.parent)!)),
    via: (i) => nodes[i]?.via,
    depthKeyOrder: () => depthKeyOrderOf(keys, depths, 0, keys.length),
    truncated,
    ...(reason ? { reason } : {}),
  };
}

/**
 * A store's answer seen as a map from key to Reached. Nothing is built until asked for: the key index on the
 * first lookup by key, a Reached object per node as it is read.
 */
class ReachedView implements ReadonlyMap<string, Reached> {
  private index: Map<string, number> | undefined;

  constructor(private readonly result: Reachability) {}

  get size(): number {
    return this.result.keys.length;
  }

  private at(i: number): Reached {
    const r = this.result;
    const p = r.parents[i]!;
    if (p < 0) return { key: r.keys[i]!, depth: r.depths[i]! };
    return { key: r.keys[i]!, depth: r.depths[i]!, parent: r.keys[p]!, via: r.via(i)! };
  }

  private indexOf(key: string): number | undefined {
    this.index ??= new Map(this.result.keys.map((k, i) => [k, i]));
    return this.index.get(key);
  }

  get(key: string): Reached | undefined {
    const i = this.indexOf(key);
    return i === undefined ? undefined : this.at(i);
  }

  has(key: string): boolean {
    return this.indexOf(key) !== undefined;
  }

  *entries(): MapIterator<[string, Reached]> {
    for (let i = 0; i < this.size; i++) yield [this.result.keys[i]!, this.at(i)];
  }

  *keys(): MapIterator<string> {
    yield* this.result.keys;
  }

  *values(): MapIterator<Reached> {
    for (let i = 0; i < this.size; i++) yield this.at(i);
  }

  forEach(fn: (value: Reached, key: string, map: ReadonlyMap<string, Reached>) => void): void {
    for (const [k, v] of this.entries()) fn(v, k, this);
  }

  [Symbol.iterator](): MapIterator<[string, Reached]> {
    return this.entries();
  }
}

/** The keys from the start to node i of a reachability (start … node i). */
export function pathOf(result: Reachability, i: number): string[] {
  const path: string[] = [];
  for (let at = i; at >= 0; at = result.parents[at]!) path.push(result.keys[at]!);
  return path.reverse();
}

/** The keys from a start node to `key` along recorded parents (start … key); empty when `key` was not reached. */
export function pathTo(reached: ReadonlyMap<string, Reached>, key: string): string[] {
  const path: string[] = [];
  let at = reached.get(key);
  // Depth strictly decreases along parents, so this terminates even on cyclic graphs.
  while (at) {
    path.push(at.key);
    if (at.parent === undefined) break;
    at = reached.get(at.parent);
  }
  return path.reverse();
}

/** The edges along the recorded path to `key`, in path order. */
export function edgesTo(reached: ReadonlyMap<string, Reached>, key: string): GraphEdge[] {
  const edges: GraphEdge[] = [];
  let at = reached.get(key);
  while (at?.via && at.parent !== undefined) {
    edges.push(at.via);
    at = reached.get(at.parent);
  }
  return edges.reverse();
}
