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
import type { EdgeKind, FlowCondition, IndexedEdgeProp, IndexedNodeProp, NodeKind } from './model.ts';
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

/** One step a reachability may take: edges of `kind`, followed `out` (from → to) or `in` (to → from). */
export interface ReachStep {
  kind: EdgeKind;
  direction: Direction;
  /**
   * Follow only the edges whose top-level property `prop` passes: with `in`, a string that, lower-cased, is listed;
   * with `notIn`, anything but a string that, lower-cased, is listed (values given in lower case). A `flowWhen` of
   * the model (schema/model.ts: flowConditionHolds).
   */
  when?: FlowCondition;
}

export interface ReachRequest {
  /** Where to start (depth 0), in this order; a key listed twice counts once; an unknown key is still reported. */
  from: readonly string[];
  steps: readonly ReachStep[];
  /** Levels expanded at most: 0 reports the starts only. */
  maxDepth: number;
  /** Nodes reported at most, the starts included. */
  maxNodes: number;
  /** Also return each tree edge's props and provenance (default: `kind`, `from`, `to` and `source` only). */
  withEdgeProps?: boolean;
}

/**
 * What a breadth-first reachability reached, as parallel arrays (index i is one node), so that a large answer
 * costs no object per node until one is asked for.
 *
 * Order (the same on every store): the starts as given, then level by level. A node first reached at level d + 1
 * is reached through the least of its edges from level d, edges compared by (near key, kind, far key, direction
 * with `in` before `out`, source); a level lists its nodes in the order of those edges. When `maxNodes` runs out
 * the answer holds the first `maxNodes` nodes in that order (`reason` 'budget'); when `maxDepth` does while edges
 * lead on to nodes not reached, `reason` is 'depth'.
 */
export interface Reachability {
  readonly keys: readonly string[];
  readonly depths: ArrayLike<number>;
  /** Index (into `keys`) of the node each was reached from; -1 for a start. */
  readonly parents: ArrayLike<number>;
  /**
   * The edge between node i's parent and node i, as stored (it may point either way); undefined for a start.
   * Without `withEdgeProps`, `props` is `{}` and `evidence`, `confidence`, `observedAt` are at their defaults.
   */
  via(i: number): GraphEdge | undefined;
  /**
   * Every index into `keys` once, ordered by depth and then by key (code units): the order analyses list what was
   * reached in. A store that numbers its nodes in key order answers it with an integer sort, no key compared.
   */
  depthKeyOrder(): Int32Array;
  readonly truncated: boolean;
  readonly reason?: 'depth' | 'budget';
}

/**
 * Indices `from`…`to - 1` of a reachability's arrays in depthKeyOrder's order, by comparing depths and keys: for an
 * answer that has nothing faster to sort by.
 */
export function depthKeyOrderOf(keys: readonly string[], depths: ArrayLike<number>, from: number, to: number): Int32Array {
  const order = new Int32Array(to - from);
  for (let i = from; i < to; i++) order[i - from] = i;
  return order.sort((a, b) => depths[a]! - depths[b]! || (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : 0));
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

/**
 * The nodes (edges) that hold one indexed property (INDEXED_NODE_PROPS / INDEXED_EDGE_PROPS in schema/model.ts),
 * found through the store's index on it: the cost follows the number of matches, not the size of the graph.
 */
export interface PropQuery<P extends string, K extends string> {
  prop: P;
  /** Only these kinds (an empty list matches nothing); every kind when omitted. */
  kinds?: readonly K[];
  /**
   * Only the ones whose value equals one of these (a boolean also matches 1/0 and the reverse, as `find`'s `where`
   * does; a list or map value never equals). When omitted: every one that has the property, whatever its value.
   */
  equals?: readonly (string | number | boolean)[];
}

export type NodePropQuery = PropQuery<IndexedNodeProp, NodeKind>;
export type EdgePropQuery = PropQuery<IndexedEdgeProp, EdgeKind>;

/**
 * Every edge of some kinds as its two ends, in three parallel lists (position i is one edge): the answer of
 * `edgeEnds`, columnar so that reading every grant of a large graph allocates no object per edge.
 */
export interface EdgeEnds {
  from: string[];
  kind: EdgeKind[];
  to: string[];
  /** With `owners`: the owner each `to` end's key names (`ownerNameOfKey` in schema/keys.ts), undefined where none. */
  toOwner?: (string | undefined)[];
}

export interface EdgeEndsOptions {
  /**
   * Also the owner each `to` end's key names, as owners are compared (`ownerNameOfKey`: lower-cased), in
   * `toOwner`. It follows from the key alone, so a store may keep it with its copy of the graph: the analysis
   * that weighs every write grant against the owner of what it grants then parses no key per grant.
   */
  owners?: boolean;
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

  /**
   * Breadth-first reachability inside the store: every node the steps lead to from `from`, each with its depth
   * and the edge it was reached through (so paths are rebuilt without a second walk). Refuses (UsageError) a
   * request with an unknown edge kind or direction, or limits that are not whole numbers ≥ 0 (maxNodes ≥ 1).
   */
  reach(request: ReachRequest): Promise<Reachability>;

  /**
   * Every edge of these kinds as (from, kind, to), each once however many sources recorded it, in (from, kind, to)
   * order. For analyses that weigh every edge of an access kind (every write grant, every membership) without a
   * frontier to start from. Refuses (UsageError) an unknown kind.
   */
  edgeEnds(kinds: readonly EdgeKind[], opts?: EdgeEndsOptions): Promise<EdgeEnds>;

  /** Nodes by kind / property / text, ordered by key, with cursor paging. */
  find(query: FindQuery): Promise<Page<GraphNode>>;

  /**
   * Every node that has the indexed property (with one of `equals`, when given), in key order. Refuses (UsageError)
   * a property that is not indexed, an unknown kind, or an `equals` value that is not a string, number or boolean.
   */
  findNodesByProp(query: NodePropQuery): Promise<GraphNode[]>;

  /** Every edge that has the indexed property (with one of `equals`), with its props, in edge order; refuses as above. */
  findEdgesByProp(query: EdgePropQuery): Promise<GraphEdge[]>;

  /**
   * After a complete sync of (source, scope): remove that scope's edges not seen in `syncId`, then nodes owned by
   * that scope not seen in it and left without edges. Never called after a partial sync, so a partial sync removes
   * nothing.
   */
  removeStale(sync: SyncContext): Promise<StaleRemoval>;

  stats(): Promise<StoreStats>;

  /**
   * Every node then every edge, in key order, for `aispm export`; each with the sync that owns it (none for what
   * no sync wrote), so that an import of the export restores ownership and the next syncs keep sweeping.
   */
  exportAll(): AsyncIterable<ExportItem>;

  /**
   * Changes whenever a write to the store commits — through this connection or any other, another process
   * included — and is never repeated while the store is open: a cache of results keyed on it never serves an answer
   * computed before a committed write. Compare for equality only; its form differs by store.
   */
  writeGeneration(): Promise<string>;

  /** Small key/value area for checkpoints and settings (never secrets). */
  getMeta(name: string): Promise<JsonValue | undefined>;
  setMeta(name: string, value: JsonValue): Promise<void>;

  close(): Promise<void>;
}

export type ExportItem =
  | { type: 'node'; node: GraphNode; owner?: SyncContext }
  | { type: 'edge'; edge: GraphEdge; owner?: SyncContext };

export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
  }
}
