/** Options of an AIBOM export, and their parsing from user input. */
import { UsageError } from '../../schema/errors.ts';

export const AIBOM_SPECS = ['1.6', '1.7'] as const;
export type AibomSpec = (typeof AIBOM_SPECS)[number];
export const DEFAULT_SPEC: AibomSpec = '1.6';

export interface AibomOptions {
  spec?: AibomSpec;
  /** Same graph → byte-identical BOM: timestamp from the graph, serial number from the content. */
  deterministic?: boolean;
  /** Timestamp for a non-deterministic BOM (defaults to the current time). */
  now?: Date;
}

export function parseSpec(value: unknown): AibomSpec {
  if (value === undefined) return DEFAULT_SPEC;
  if (typeof value === 'string' && (AIBOM_SPECS as readonly string[]).includes(value)) return value as AibomSpec;
  throw new UsageError(`--spec must be one of ${AIBOM_SPECS.join(', ')}, got "${String(value).slice(0, 20)}"`);
}
