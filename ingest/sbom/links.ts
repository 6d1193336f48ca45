/**
 * What an SBOM's "A needs B" means in the graph, decided by the kinds of the two ends (the formats say only
 * "depends on", "contains", "derived from"): a package need is DEPENDS_ON, an endpoint needing a model SERVES it,
 * a model needing a dataset was TRAINED_ON it, a model needing a model was DERIVED_FROM it, a file is CONTAINED.
 * Every choice is checked against the edge table, so an odd pair is a warning, never an invalid record. Pure.
 */
import { EDGE_SPECS, type EdgeKind, type NodeKind } from '../../schema/model.ts';

export type LinkMeaning = 'depends-on' | 'contains' | 'derived-from' | 'trained-on' | 'evaluated-on';

/** Candidate edge kinds for a meaning, most specific first; the first whose pairs allow (from, to) is used. */
const CANDIDATES: Readonly<Record<LinkMeaning, readonly EdgeKind[]>> = {
  'depends-on': ['DEPENDS_ON', 'SERVES', 'TRAINED_ON', 'DERIVED_FROM', 'USES', 'CONTAINS'],
  contains: ['CONTAINS', 'DEPENDS_ON', 'USES'],
  'derived-from': ['DERIVED_FROM'],
  'trained-on': ['TRAINED_ON'],
  'evaluated-on': ['EVALUATED_ON'],
};

const allowed = (kind: EdgeKind, from: NodeKind, to: NodeKind) => EDGE_SPECS[kind].pairs.some(([f, t]) => f === from && t === to);

/** The edge kind for `from` needing `to` in this sense, or undefined when the model has no such edge. */
export function linkKind(meaning: LinkMeaning, from: NodeKind, to: NodeKind): EdgeKind | undefined {
  return CANDIDATES[meaning].find((kind) => allowed(kind, from, to));
}
