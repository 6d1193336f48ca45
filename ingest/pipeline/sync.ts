/**
 * How every ingestor writes: one scope (one upstream item, e.g. one repo) at a time, after it was fully read.
 * The scope's whole batch is upserted in one transaction under a SyncContext, then what that scope no longer has
 * is removed. A scope that failed half-way is never written, so a partial read deletes nothing, and a run killed
 * at any point leaves every scope either as it was or fully updated: re-running converges.
 */
import { randomUUID } from 'node:crypto';
import type { RecordBatch, SyncContext } from '../../schema/records.ts';
import type { GraphStore } from '../../schema/store.ts';
import { boundBatch } from './bound-records.ts';

export interface WriteTotals {
  nodes: number;
  edges: number;
  edgesRemoved: number;
  nodesRemoved: number;
  scopes: number;
}

export interface ScopeWriter {
  readonly syncId: string;
  readonly totals: WriteTotals;
  /** Upsert the scope's complete batch, then remove that scope's stale records. */
  commitScope(scope: string, batch: RecordBatch): Promise<void>;
}

export function newSyncId(): string {
  return `${new Date().toISOString().replace(/[-:.]/g, '')}-${randomUUID().slice(0, 8)}`;
}

export interface ScopeWriterOptions {
  syncId?: string;
  /** Told what was cut from a scope's records to keep them within bounds (see bound-records.ts). */
  onBounded?: (scope: string, notes: string[]) => void;
}

export function createScopeWriter(store: GraphStore, source: string, options: ScopeWriterOptions = {}): ScopeWriter {
  const syncId = options.syncId ?? newSyncId();
  const totals: WriteTotals = { nodes: 0, edges: 0, edgesRemoved: 0, nodesRemoved: 0, scopes: 0 };
  // Writes are serialised: each is a transaction, and interleaving one scope's removeStale with another's upsert
  // would be correct but harder to reason about after a crash.
  let chain: Promise<void> = Promise.resolve();
  return {
    syncId,
    totals,
    commitScope(scope, batch) {
      const run = async () => {
        const sync: SyncContext = { source, scope, syncId };
        // Upstream data is bounded and redacted here, once for every source, so no source can forget it.
        const bounded = boundBatch(batch);
        if (bounded.notes.length) options.onBounded?.(scope, bounded.notes);
        const written = await store.upsert(bounded.batch, sync);
        const removed = await store.removeStale(sync);
        totals.nodes += written.nodes;
        totals.edges += written.edges;
        totals.edgesRemoved += removed.edgesRemoved;
        totals.nodesRemoved += removed.nodesRemoved;
        totals.scopes++;
      };
      const next = chain.then(run);
      chain = next.catch(() => undefined);
      return next;
    },
  };
}
