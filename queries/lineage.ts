/**
 * Lineage: the ancestors (bases) and descendants (derivatives) of a node along the edges that carry a derivation
 * `relation` (read from the model: today DERIVED_FROM for models and datasets). Merges list every parent.
 */
import { UsageError } from '../schema/errors.ts';
import type { GraphStore } from '../schema/store.ts';
import { requireNodes } from './nodes.ts';
import { traverse, type Traversal } from './traversal.ts';

export interface LineageEntry {
  key: string;
  depth: number;
  /** The relation on the edge that reached it (finetune, adapter, merge, quantized, unknown). */
  relation: string;
  /** The node it was reached from: for `up` the derivative, for `down` the base. */
  parent: string;
}

export interface Lineage {
  key: string;
  up: LineageEntry[];
  down: LineageEntry[];
  truncated: boolean;
}

export type LineageDirection = 'up' | 'down' | 'both';
export const LINEAGE_DIRECTIONS: readonly LineageDirection[] = ['up', 'down', 'both'];

export async function lineage(store: GraphStore, key: string, opts: { direction: LineageDirection; maxDepth?: number; nodeBudget?: number }): Promise<Lineage> {
  if (!LINEAGE_DIRECTIONS.includes(opts.direction)) {
    throw new UsageError(`direction must be one of ${LINEAGE_DIRECTIONS.join(', ')}, got "${String(opts.direction).slice(0, 40)}"`);
  }
  await requireNodes(store, [key]);
  const wantUp = opts.direction !== 'down';
  const wantDown = opts.direction !== 'up';
  const [up, down] = await Promise.all([
    wantUp ? traverse(store, [key], { step: 'lineage-up', maxDepth: opts.maxDepth, nodeBudget: opts.nodeBudget }) : undefined,
    wantDown ? traverse(store, [key], { step: 'lineage-down', maxDepth: opts.maxDepth, nodeBudget: opts.nodeBudget }) : undefined,
  ]);
  return {
    key,
    up: up ? entriesOf(up, key) : [],
    down: down ? entriesOf(down, key) : [],
    truncated: Boolean(up?.truncated || down?.truncated),
  };
}

function entriesOf(t: Traversal, start: string): LineageEntry[] {
  const out: LineageEntry[] = [];
  for (const r of t.reached.values()) {
    if (r.key === start || r.parent === undefined) continue;
    const relation = r.via?.props.relation;
    out.push({ key: r.key, depth: r.depth, relation: typeof relation === 'string' ? relation : 'unknown', parent: r.parent });
  }
  return out.sort((a, b) => a.depth - b.depth || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
