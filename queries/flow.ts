/**
 * The flow table turned into expansion plans. Everything here is derived from EDGE_SPECS: a new edge kind with a
 * flow direction is followed by every analysis without a change here, and no edge kind is named.
 *
 * Vocabulary: a *step* is one (edge kind, store direction) pair to expand from a frontier. For an edge stored as
 * from → to, direction `out` moves from `from` to `to`, direction `in` moves from `to` to `from`.
 */
import { EDGE_KINDS, EDGE_SPECS, flowConditionHolds, type EdgeKind, type PropTest } from '../schema/model.ts';
import type { GraphEdge, Props } from '../schema/records.ts';
import type { Direction } from '../schema/store.ts';

export interface ExpansionStep {
  kind: EdgeKind;
  direction: Direction;
}

/** One store.expand call: every kind that is expanded in the same direction. */
export interface ExpansionGroup {
  direction: Direction;
  kinds: EdgeKind[];
}

/** Store direction in which compromise moves along a kind, or undefined when it does not move. */
export function compromiseDirection(kind: EdgeKind): Direction | undefined {
  const flow = EDGE_SPECS[kind].flow;
  // reverse: compromise of the edge's `to` reaches its `from`, so from a compromised node we look at edges into it.
  if (flow === 'reverse') return 'in';
  if (flow === 'forward') return 'out';
  return undefined;
}

/** The steps along which compromise moves on from a compromised node. */
export function compromiseSteps(): ExpansionStep[] {
  const steps: ExpansionStep[] = [];
  for (const kind of EDGE_KINDS) {
    const direction = compromiseDirection(kind);
    if (direction) steps.push({ kind, direction });
  }
  return steps;
}

/** The steps run backwards: from a node, which nodes could compromise it (used to load attack-path regions). */
export function compromiseSourceSteps(): ExpansionStep[] {
  return compromiseSteps().map((s) => ({ kind: s.kind, direction: opposite(s.direction) }));
}

/** Lineage kinds: edges that carry a derivation `relation` (derived → base, stored in that direction). */
export function lineageKinds(): EdgeKind[] {
  return EDGE_KINDS.filter((k) => 'relation' in EDGE_SPECS[k].props);
}

/** Towards ancestors (bases) the lineage edge is followed out of the derived node. */
export function lineageSteps(towards: 'up' | 'down'): ExpansionStep[] {
  const direction: Direction = towards === 'up' ? 'out' : 'in';
  return lineageKinds().map((kind) => ({ kind, direction }));
}

/** Every kind in both directions: the graph as undirected. */
export function anySteps(): ExpansionStep[] {
  return EDGE_KINDS.flatMap((kind) => [
    { kind, direction: 'out' as const },
    { kind, direction: 'in' as const },
  ]);
}

/** Steps grouped so that each direction costs one store.expand call per frontier. */
export function groupSteps(steps: readonly ExpansionStep[]): ExpansionGroup[] {
  const groups = new Map<Direction, EdgeKind[]>();
  for (const s of steps) {
    const kinds = groups.get(s.direction) ?? [];
    if (!kinds.includes(s.kind)) kinds.push(s.kind);
    groups.set(s.direction, kinds);
  }
  return [...groups].map(([direction, kinds]) => ({ direction, kinds }));
}

/**
 * Whether compromise moves along this particular edge: its kind must flow, and a `flowWhen` condition must hold on
 * the edge's own properties (a MEMBER_OF with a read role carries nothing).
 */
export function edgeCarriesCompromise(edge: GraphEdge): boolean {
  const spec = EDGE_SPECS[edge.kind];
  if (!spec || spec.flow === 'none') return false;
  return spec.flowWhen === undefined || flowConditionHolds(spec.flowWhen, edge.props);
}

/** Where compromise is on each side of an edge: `source` is compromised first, `target` next. */
export function compromiseEnds(edge: GraphEdge): { source: string; target: string } {
  return EDGE_SPECS[edge.kind].flow === 'forward' ? { source: edge.from, target: edge.to } : { source: edge.to, target: edge.from };
}

/** The node an expansion reached: for `out` the edge's `to`, for `in` its `from`. */
export function farEnd(edge: GraphEdge, direction: Direction): string {
  return direction === 'out' ? edge.to : edge.from;
}

export function nearEnd(edge: GraphEdge, direction: Direction): string {
  return direction === 'out' ? edge.from : edge.to;
}

export function opposite(direction: Direction): Direction {
  return direction === 'out' ? 'in' : 'out';
}

/** Likelihood of one edge: the edge's own `likelihood` prop when it is a number in (0, 1], else the kind's default. */
export function edgeLikelihood(edge: GraphEdge): number {
  const own = edge.props.likelihood;
  if (typeof own === 'number' && own > 0 && own <= 1) return own;
  return EDGE_SPECS[edge.kind].likelihood;
}

/**
 * The edge's relation in words, read in the compromise direction (`<compromised first> <words> <compromised next>`,
 * see compromiseEnds): "fine-tuned into", "trained", "served by" — from the kind's `flowVerb` in the model, or the
 * words for the edge's own `relation` when the kind has them.
 */
export function flowWords(edge: Pick<GraphEdge, 'kind' | 'props'>): string {
  const spec = EDGE_SPECS[edge.kind];
  const by = spec.flowVerbBy;
  const value = by ? edge.props[by.prop] : undefined;
  return (typeof value === 'string' && by && Object.hasOwn(by.verbs, value) ? by.verbs[value] : undefined) ?? spec.flowVerb;
}

/** The properties of an edge's end nodes, for the likelihood modifiers that read them. */
export type EndProps = (key: string) => Props | undefined;

export interface ModifiedLikelihood {
  likelihood: number;
  /** Why it differs from `edgeLikelihood`: the reason of every modifier that applied. */
  reasons: string[];
}

/**
 * An edge's likelihood adjusted by its kind's `likelihoodModifiers` (schema/model.ts): every modifier whose tests
 * all hold on the edge and its end nodes multiplies it. Ends the caller does not know fail their tests.
 */
export function modifiedLikelihood(edge: GraphEdge, ends: EndProps): ModifiedLikelihood {
  let likelihood = edgeLikelihood(edge);
  const reasons: string[] = [];
  for (const m of EDGE_SPECS[edge.kind].likelihoodModifiers ?? []) {
    if (!m.when.every((t) => testHolds(t, t.on === 'edge' ? edge.props : ends(t.on === 'from' ? edge.from : edge.to)))) continue;
    likelihood *= m.factor;
    reasons.push(m.reason);
  }
  return { likelihood, reasons };
}

function testHolds(t: PropTest, props: Props | undefined): boolean {
  const value = props?.[t.prop];
  if (t.equals !== undefined && value !== t.equals) return false;
  if (t.atLeast !== undefined && !(typeof value === 'number' && value >= t.atLeast)) return false;
  const text = typeof value === 'string' ? value.toLowerCase() : undefined;
  if (t.in && !(text !== undefined && t.in.includes(text))) return false;
  if (t.notIn && text !== undefined && t.notIn.includes(text)) return false;
  return true;
}

/** The end nodes whose properties some modifier of these edges reads (to load them in one call). */
export function modifierEnds(edges: readonly GraphEdge[]): string[] {
  const keys = new Set<string>();
  for (const e of edges) {
    for (const m of EDGE_SPECS[e.kind].likelihoodModifiers ?? []) {
      for (const t of m.when) {
        if (t.on === 'from') keys.add(e.from);
        else if (t.on === 'to') keys.add(e.to);
      }
    }
  }
  return [...keys].sort();
}
