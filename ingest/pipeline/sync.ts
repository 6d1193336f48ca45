/**
 * How every ingestor writes: one scope (one upstream item, e.g. one repo) at a time, after it was fully read.
 * The scope's whole batch is upserted in one transaction under a SyncContext, then what that scope no longer has
 * is removed, and only then the scope's completion marker is written (the properties a source reads to decide a
 * scope is up to date, such as the Hub's `syncedSha`). A scope that failed half-way is never written, so a partial
 * read deletes nothing; a run killed at any point — even between the upsert and the sweep — leaves no marker of a
 * write it did not finish, so the next run reads that scope again: re-running converges.
 */
import { randomUUID } from 'node:crypto';
import type { NodeRecord, Props, RecordBatch, SyncContext } from '../../schema/records.ts';
import type { GraphStore } from '../../schema/store.ts';
import { withoutAnalystState } from './analyst-state.ts';
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
  /**
   * Upsert the scope's complete batch, then remove that scope's stale records. With `complete: false` (a read that
   * could not finish, e.g. some dependencies did not resolve) the batch is upserted and nothing is removed.
   */
  commitScope(scope: string, batch: RecordBatch, options?: { complete?: boolean }): Promise<void>;
  /**
   * The same for a scope too big to hold (a 500k-component SBOM): each batch is upserted as it comes, all under one
   * sync, and the stale sweep runs only after the last one. A stream that fails part-way sweeps nothing.
   */
  commitScopeStream(scope: string, batches: AsyncIterable<RecordBatch>): Promise<void>;
}

export function newSyncId(): string {
  return `${new Date().toISOString().replace(/[-:.]/g, '')}-${randomUUID().slice(0, 8)}`;
}

export interface ScopeWriterOptions {
  syncId?: string;
  /** Node properties that say "this scope is fully written"; they are written last, after the stale sweep. */
  completionProps?: readonly string[];
  /** Told what was cut from a scope's records to keep them within bounds (see bound-records.ts). */
  onBounded?: (scope: string, notes: string[]) => void;
  /** Told which records carried analyst-only properties, which were dropped (see analyst-state.ts). */
  onAnalystState?: (scope: string, notes: string[]) => void;
}

export function createScopeWriter(store: GraphStore, source: string, options: ScopeWriterOptions = {}): ScopeWriter {
  const syncId = options.syncId ?? newSyncId();
  const totals: WriteTotals = { nodes: 0, edges: 0, edgesRemoved: 0, nodesRemoved: 0, scopes: 0 };
  // Writes are serialised: each is a transaction, and interleaving one scope's removeStale with another's upsert
  // would be correct but harder to reason about after a crash.
  let chain: Promise<void> = Promise.resolve();
  const serialised = (run: () => Promise<void>) => {
    const next = chain.then(run);
    chain = next.catch(() => undefined);
    return next;
  };
  const commit = async (scope: string, batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch>, complete: boolean) => {
    const sync: SyncContext = { source, scope, syncId };
    const markers: NodeRecord[] = [];
    for await (const batch of batches) {
      // Upstream data is stripped of analyst state, bounded and redacted here, once for every source, so no
      // source can forget it.
      const own = withoutAnalystState(batch);
      if (own.notes.length) options.onAnalystState?.(scope, own.notes);
      const bounded = boundBatch(own.batch);
      if (bounded.notes.length) options.onBounded?.(scope, bounded.notes);
      const split = splitCompletion(bounded.batch, options.completionProps ?? []);
      markers.push(...split.markers);
      const written = await store.upsert(split.body, sync);
      totals.nodes += written.nodes;
      totals.edges += written.edges;
    }
    faultPoint('after-scope-upsert');
    const removed = complete ? await store.removeStale(sync) : { edgesRemoved: 0, nodesRemoved: 0 };
    if (complete && markers.length) await store.upsert({ nodes: markers, edges: [] }, sync);
    totals.edgesRemoved += removed.edgesRemoved;
    totals.nodesRemoved += removed.nodesRemoved;
    totals.scopes++;
  };
  return {
    syncId,
    totals,
    commitScope: (scope, batch, { complete = true } = {}) => serialised(() => commit(scope, [batch], complete)),
    commitScopeStream: (scope, batches) => serialised(() => commit(scope, batches, true)),
  };
}

/** The batch without its completion properties, and those properties as their own node records. */
function splitCompletion(batch: RecordBatch, names: readonly string[]): { body: RecordBatch; markers: NodeRecord[] } {
  if (names.length === 0) return { body: batch, markers: [] };
  const markers: NodeRecord[] = [];
  const nodes = batch.nodes.map((n) => {
    if (!n.props || !names.some((name) => Object.hasOwn(n.props!, name))) return n;
    const props: Props = {};
    const marker: Props = {};
    for (const [k, v] of Object.entries(n.props)) {
      if (names.includes(k)) marker[k] = v;
      else Object.defineProperty(props, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
    markers.push({ kind: n.kind, key: n.key, props: marker });
    return { ...n, props };
  });
  return { body: { nodes, edges: batch.edges }, markers };
}

/**
 * A fault-injection point for crash tests: with `AISPM_FAULT=<name>` the process kills itself here, so a test can
 * stop a run exactly between two writes and check that a re-run converges. Inert otherwise.
 */
function faultPoint(name: string): void {
  if (process.env.AISPM_FAULT === name) process.kill(process.pid, 'SIGKILL');
}
