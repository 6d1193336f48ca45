/** The AIBOM exporter (services/aibom/) as the API uses it: argument checks shared by the GraphQL field and the route. */
import { AIBOM_SPECS, buildAibom, type AibomResult, type AibomSpec } from '../aibom/index.ts';
import type { GraphStore } from '../../schema/store.ts';
import { apiError } from './errors.ts';

export function checkSpec(value: string | null | undefined): AibomSpec | undefined {
  if (value === null || value === undefined) return undefined;
  if (!(AIBOM_SPECS as readonly string[]).includes(value)) throw apiError('BAD_INPUT', `spec version must be one of ${AIBOM_SPECS.join(', ')}`);
  return value as AibomSpec;
}

export function buildAibomFor(store: GraphStore, modelKey: string, opts: { spec?: AibomSpec; deterministic?: boolean }): Promise<AibomResult> {
  return buildAibom(store, modelKey, opts);
}
