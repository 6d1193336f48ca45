/**
 * CycloneDX `compositions`: what this BOM does and does not know. aispm never claims a BOM is complete (the Hub can
 * hold more than the graph read); it names each known gap — base models only known by reference, files never
 * scanned, walks cut short — as an `incomplete` aggregate over exactly the refs concerned. Pure.
 */
import type { GraphNode } from '../../schema/records.ts';
import type { Neighbourhood } from './gather.ts';
import type { Json } from './model-card.ts';

const unread = (n: GraphNode) => n.props.missing === true || n.props.stub === true;
const keys = (nodes: GraphNode[]) => nodes.map((n) => n.key).sort();

/** Composition bom-refs: the `aispm:composition:` prefix is not a graph key format, so they cannot collide with keys. */
export const COMPOSITION = {
  bom: 'aispm:composition:bom',
  missingAncestors: 'aispm:composition:missing-base-models',
  lineageTruncated: 'aispm:composition:lineage-truncated',
  unscannedFiles: 'aispm:composition:unscanned-files',
  unreadDatasets: 'aispm:composition:unread-datasets',
  unreadPackages: 'aispm:composition:unread-libraries',
  packagesTruncated: 'aispm:composition:libraries-truncated',
} as const;

export function compositionsOf(n: Neighbourhood): Json[] {
  const out: Json[] = [
    // The model as a whole: what upstream holds beyond the graph is unknown.
    { 'bom-ref': COMPOSITION.bom, aggregate: 'unknown', assemblies: [n.model.key], dependencies: [n.model.key] },
  ];
  const gap = (ref: string, refs: string[], asDependencies: boolean) => {
    if (refs.length === 0) return;
    out.push({ 'bom-ref': ref, aggregate: 'incomplete', assemblies: refs, ...(asDependencies ? { dependencies: refs } : {}) });
  };
  const missingAncestors = keys(n.ancestors.map((a) => a.node).filter(unread));
  gap(COMPOSITION.missingAncestors, missingAncestors, true);
  if (n.lineageTruncated) {
    const deepest = Math.max(0, ...n.ancestors.map((a) => a.depth));
    gap(COMPOSITION.lineageTruncated, keys(n.ancestors.filter((a) => a.depth === deepest).map((a) => a.node)), true);
  }
  const unscanned = n.files.filter((f) => {
    const status = f.props.scanStatus;
    return status === undefined || status === 'unscanned';
  });
  // An unscanned or unhashed file is an assembly part whose content this BOM cannot vouch for.
  gap(COMPOSITION.unscannedFiles, keys(unscanned), false);
  gap(COMPOSITION.unreadDatasets, keys(n.datasets.filter(unread)), true);
  gap(COMPOSITION.unreadPackages, keys(n.packages.filter(unread)), true);
  if (n.packagesTruncated) gap(COMPOSITION.packagesTruncated, keys(n.packages), true);
  return out;
}
