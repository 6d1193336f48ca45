/**
 * Training data a model inherits through its lineage. A quantization is its base's weights at a lower precision, so
 * it was trained on what the base was trained on — and so on down a chain of quantizations. Other relations change
 * the weights (a fine-tune, an adapter, a merge), and their bases' data is not the derivative's own: the pedigree
 * names those bases instead. Pure.
 */
import type { LineageLink, Neighbourhood } from './gather.ts';

/** The relations through which training data is inherited. */
export const INHERITING_RELATIONS: readonly string[] = ['quantized'];

export interface InheritedDataset {
  dataset: string;
  /** The model whose own training data it is (the nearest one when several are). */
  from: string;
  relation: string;
}

/** Inheriting links by derivative, built once per neighbourhood (a BOM asks for every model in its lineage). */
const basesOf = new WeakMap<Neighbourhood, Map<string, LineageLink[]>>();

function inheritingBases(n: Neighbourhood): Map<string, LineageLink[]> {
  let index = basesOf.get(n);
  if (!index) {
    index = new Map();
    for (const link of n.lineage) {
      if (INHERITING_RELATIONS.includes(link.relation)) index.set(link.from, [...(index.get(link.from) ?? []), link]);
    }
    basesOf.set(n, index);
  }
  return index;
}

/** The datasets `modelKey` inherits, nearest base first, leaving out those it declares itself. */
export function inheritedTraining(n: Neighbourhood, modelKey: string): InheritedDataset[] {
  const own = n.datasetUse.get(modelKey);
  const declared = new Set([...(own?.training ?? []), ...(own?.evaluation ?? [])]);
  const bases = inheritingBases(n);
  const out = new Map<string, InheritedDataset>();
  const seen = new Set<string>([modelKey]);
  // Breadth-first, so the nearest base that declares a dataset is the one named.
  let frontier = [modelKey];
  while (frontier.length) {
    const next: string[] = [];
    for (const key of frontier) {
      for (const link of bases.get(key) ?? []) {
        if (seen.has(link.to)) continue;
        seen.add(link.to);
        next.push(link.to);
        for (const dataset of n.datasetUse.get(link.to)?.training ?? []) {
          if (!declared.has(dataset) && !out.has(dataset)) out.set(dataset, { dataset, from: link.to, relation: link.relation });
        }
      }
    }
    frontier = next.sort();
  }
  return [...out.values()];
}
