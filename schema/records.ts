/**
 * Records are what ingestors produce and stores consume: plain JSON nodes and edges with provenance.
 * This is also the `aispm import` / `aispm export` file format (one record per line in NDJSON, or a JSON document
 * `{ "nodes": [...], "edges": [...] }`).
 */
import type { Confidence, EdgeKind, NodeKind } from './model.ts';
import { printable } from './text.ts';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type Props = Record<string, JsonValue>;

export interface NodeRecord {
  kind: NodeKind;
  key: string;
  props?: Props;
  /** The sync that owns the record, as `aispm export` wrote it; see {@link SyncContext}. */
  owner?: SyncContext;
}

export interface Provenance {
  /** Which ingestor or import observed the edge (hf, github, osv, import, …). */
  source: string;
  /** Where in the upstream data the edge came from, e.g. `cardData.base_model`. */
  evidence?: string;
  confidence?: Confidence;
  /** ISO-8601; defaults to the time of the write. */
  observedAt?: string;
}

export interface EdgeRecord extends Provenance {
  kind: EdgeKind;
  from: string;
  to: string;
  props?: Props;
  /** The sync that owns the record, as `aispm export` wrote it; see {@link SyncContext}. */
  owner?: SyncContext;
}

export interface RecordBatch {
  nodes: NodeRecord[];
  edges: EdgeRecord[];
}

/**
 * A sync is one complete read of one scope by one source (for example: source `hf`, scope `hf:model/a/b`).
 * Writes made under a sync are tagged with its id so that `removeStale` can delete what that scope no longer has.
 *
 * Ownership travels with a record (its `owner`) only through export and import, so that a restored store keeps
 * sweeping what an upstream deletes. A write under a sync context owns everything it writes, whatever the records
 * say; a write without one (an import) takes each record's `owner`, and leaves a record without one as it was.
 */
export interface SyncContext {
  source: string;
  scope: string;
  syncId: string;
}

/** A node as a store returns it. */
export interface GraphNode {
  kind: NodeKind;
  key: string;
  props: Props;
}

/** An edge as a store returns it. */
export interface GraphEdge {
  kind: EdgeKind;
  from: string;
  to: string;
  props: Props;
  source: string;
  evidence: string;
  confidence: Confidence;
  observedAt: string;
}

/** A textual reference to one record in a batch, used in error messages: `nodes[3] (hf:model/a/b)`. */
export function describeNode(index: number, key: unknown): string {
  return `nodes[${index}]${typeof key === 'string' ? ` (${clip(key)})` : ''}`;
}

export function describeEdge(index: number, e: { kind?: unknown; from?: unknown; to?: unknown }): string {
  const parts = [e.from, e.kind, e.to].map((p) => (typeof p === 'string' ? clip(p) : '?'));
  return `edges[${index}] (${parts[0]} -${parts[1]}-> ${parts[2]})`;
}

/** Keep error messages readable when a key is huge or hostile. */
export function clip(text: string, max = 200): string {
  return printable(text, max);
}
