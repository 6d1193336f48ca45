/**
 * The store contract. Small and set-based so that analyses run alike on every store: they are written against
 * this interface only, and the same contract test suite (test/store/contract.ts) runs against each implementation.
 *
 * Order is part of the contract, so that what a user diffs (an export, findings, a SARIF log, a BOM) is the same
 * bytes on every store:
 * - strings compare by UTF-16 code units (JavaScript's `<`, Neo4j's string order);
 * - a node's `props` come back with their names in ascending order (inserted in that order, so — as in every
 *   JavaScript object — integer-like names come first, numerically); nested values and edge `props` come back as
 *   they were written (edge props are replaced whole on every write);
 * - lists of nodes are in key order, lists of edges in (from, kind, to, source) order, stats by kind name.
 * One documented exception: SQLite orders `find` pages and `exportAll` by code points, which differs from code
 * units only between a character at U+E000–U+FFFF and one beyond U+FFFF at the same position of two keys.
 */
import type { EdgeKind, NodeKind } from './model.ts';
import type { GraphEdge, GraphNode, JsonValue, RecordBatch, SyncContext } from './records.ts';

export type Direction = 'out' | 'in';

export interface ExpandRequest {
  /** The frontier. */
  keys: readonly string[];
  /** Edge kinds to follow; all kinds when omitted. */
  edgeKinds?: readonly EdgeKind[];
  /** `out`: edges whose `from` is in the frontier; `in`: edges whose `to` is in the frontier. */
  direction: Direction;
  /**
   * Default true. False is a promise by the caller to read only each edge's `kind`, `from` and `to` (a
   * reachability that needs no edge properties); a store may then skip reading the rest and return `props` as
   * `{}` and the provenance fields at their defaults (`source`, `evidence`, `observedAt` empty, `confidence`
   * 'declared'). SQLite then answers from its edge indexes alone.
   */
  withProps?: boolean;
}

export interface FindQuery {
  kind?: NodeKind;
  /** Exact matches on top-level properties (string, number or boolean values). */
  where?: Record<string, string | number | boolean>;
  /** Case-insensitive substring of the key or the `name` property. */
  text?: string;
  /** Page size (default 50, at most 1000). */
  first?: number;
  /** Opaque cursor from a previous page's `endCursor`. */
  after?: string;
}

export interface Page<T> {
  items: T[];
  endCursor: string | null;
  hasNextPage: boolean;
}

export interface UpsertResult {
  nodes: number;
  edges: number;
}

export interface StaleRemoval {
  edgesRemoved: number;
  nodesRemoved: number;
}

export interface StoreStats {
  nodes: number;
  edges: number;
  nodesByKind: Partial<Record<NodeKind, number>>;
  edgesByKind: Partial<Record<EdgeKind, number>>;
}

export interface GraphStore {
  /** `sqlite` or `neo4j`, for messages. */
  readonly backend: string;
  /** Where it is, for messages; never contains credentials. */
  readonly location: string;

  /**
   * Validate, then write a batch atomically: all of it or none of it. Idempotent: nodes are keyed by `key`
   * (properties merged, later values win; `null` removes a property); edges by (from, kind, to, source).
   * Edge ends that are not nodes yet are created as stubs (kind from the key format).
   * With a sync context, everything written is marked as seen by that (source, scope, syncId).
   */
  upsert(batch: RecordBatch, sync?: SyncContext): Promise<UpsertResult>;

  /** The nodes that exist among `keys`, each once, in key order. */
  getNodes(keys: readonly string[]): Promise<GraphNode[]>;

  /** All edges of the given kinds touching the frontier in one direction, in one call, in (from, kind, to, source) order. */
  expand(request: ExpandRequest): Promise<GraphEdge[]>;

  /** Nodes by kind / property / text, ordered by key, with cursor paging. */
  find(query: FindQuery): Promise<Page<GraphNode>>;

  /**
   * After a complete sync of (source, scope): remove that scope's edges not seen in `syncId`, then nodes owned by
   * that scope not seen in it and left without edges. Never called after a partial sync, so a partial sync removes
   * nothing.
   */
  removeStale(sync: SyncContext): Promise<StaleRemoval>;

  stats(): Promise<StoreStats>;

  /** Every node then every edge, in key order, for `aispm export`. */
  exportAll(): AsyncIterable<{ type: 'node'; node: GraphNode } | { type: 'edge'; edge: GraphEdge }>;

  /** Small key/value area for checkpoints and settings (never secrets). */
  getMeta(name: string): Promise<JsonValue | undefined>;
  setMeta(name: string, value: JsonValue): Promise<void>;

  close(): Promise<void>;
}

export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
  }
}
