/**
 * AIBOM export: the CycloneDX ML-BOM of one model, from the graph. The public API the CLI, the GraphQL resolver and
 * the HTTP route call. Read the neighbourhood (batched store calls) → map (pure) → serialise.
 */
import { clip } from '../../schema/records.ts';
import { UsageError } from '../../schema/errors.ts';
import type { GraphStore } from '../../schema/store.ts';
import { assembleAibom, type AibomResult } from './assemble.ts';
import { gatherNeighbourhood } from './gather.ts';
import { parseSpec, type AibomOptions } from './options.ts';

export type { AibomResult, WeakestLink } from './assemble.ts';
export type { CompletenessScore, CategoryScore } from './scoring.ts';
export { scoreCompleteness, SCALE, SCORED_FIELDS, CATEGORY_WEIGHTS, TIER_WEIGHTS } from './scoring.ts';
export { AIBOM_SPECS, DEFAULT_SPEC, parseSpec, type AibomOptions, type AibomSpec } from './options.ts';
export { aibomFileName } from './file-name.ts';
export { validateAibom } from './validate.ts';

/** The AIBOM of `modelKey`. UsageError "unknown model <key>" when the key is not a Model in the store. */
export async function buildAibom(store: GraphStore, modelKey: string, options: AibomOptions = {}): Promise<AibomResult> {
  const spec = parseSpec(options.spec);
  const [node] = await store.getNodes([modelKey]);
  if (!node || node.kind !== 'Model') throw new UsageError(`unknown model ${clip(modelKey)}`);
  const neighbourhood = await gatherNeighbourhood(store, node);
  return assembleAibom(neighbourhood, { spec, deterministic: options.deterministic === true, now: options.now });
}
