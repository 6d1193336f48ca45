/**
 * The embedded store: one SQLite file through better-sqlite3. WAL mode; each batch in one transaction (a process
 * killed mid-batch leaves all of it or none); nodes keyed by an integer id so edges are compact and both edge
 * directions are served by covering indexes.
 */
import Database from 'better-sqlite3';
import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { type EdgeKind, type NodeKind } from '../../schema/model.ts';
import { kindOfKey } from '../../schema/keys.ts';
import { clip, type GraphEdge, type GraphNode, type JsonValue, type Props, type RecordBatch, type SyncContext } from '../../schema/records.ts';
import { validateBatch } from '../../schema/validate.ts';
import { NO_PROPS, checkEdgeEndKinds, checkReachRequest, compareEdges, compareNodes, edgeEndsOf, withEndOwners, decodeCursor, inOrder, reachByExpand, encodeCursor, mergeProps, overlayProps, pageSize, sortedProps, whereClauses, withoutNulls } from './common.ts';
import { AdjacencyCache, adjacencyCacheEnabledByEnv, type AdjacencyCacheStats } from './sqlite-adjacency-cache.ts';
import { canReach, edgeEndsFromAdjacency, expandFromAdjacency, keysWithEdges, reachFromAdjacency } from './sqlite-adjacency.ts';
import { SNAPSHOT_DDL, withdrawSnapshot } from './sqlite-adjacency-snapshot.ts';
import { checkEdgePropQuery, checkNodePropQuery, sqlValues } from './prop-query.ts';
import { edgesByPropSql, nodesByPropSql, propIndexDdl } from './sqlite-prop-index.ts';
import {
  StoreError,
  type Direction,
  type EdgeEnds,
  type EdgeEndsOptions,
  type EdgePropQuery,
  type ExpandRequest,
  type ExportItem,
  type FindQuery,
  type GraphStore,
  type NodePropQuery,
  type Page,
  type ReachRequest,
  type Reachability,
  type StaleRemoval,
  type StoreStats,
  type UpsertResult,
} from '../../schema/store.ts';

/** Bump when the DDL changes, and add the step from the previous version to MIGRATIONS. */
export const SQLITE_SCHEMA_VERSION = 4;

const DDL_V1 = `
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS nodes (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  props TEXT NOT NULL DEFAULT '{}',
  sync_source TEXT, scope TEXT, sync_id TEXT
);
CREATE INDEX IF NOT EXISTS nodes_kind_key ON nodes (kind, key);
CREATE INDEX IF NOT EXISTS nodes_sync ON nodes (sync_source, scope, sync_id);
CREATE TABLE IF NOT EXISTS edges (
  id INTEGER PRIMARY KEY,
  src INTEGER NOT NULL REFERENCES nodes (id),
  kind TEXT NOT NULL,
  dst INTEGER NOT NULL REFERENCES nodes (id),
  source TEXT NOT NULL,
  evidence TEXT NOT NULL DEFAULT '',
  confidence TEXT NOT NULL DEFAULT 'declared',
  observed_at TEXT NOT NULL,
  props TEXT NOT NULL DEFAULT '{}',
  sync_source TEXT, scope TEXT, sync_id TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS edges_out ON edges (src, kind, dst, source);
CREATE INDEX IF NOT EXISTS edges_in ON edges (dst, kind, src);
CREATE INDEX IF NOT EXISTS edges_sync ON edges (sync_source, scope, sync_id);
`;

/** MIGRATIONS[v] upgrades a store at schema version v to v + 1, inside one transaction. */
const MIGRATIONS: Record<number, (db: Database.Database) => void> = {
  // v2: node props are stored with their names in the contract's order (v1 kept them in write order).
  1(db) {
    const update = db.prepare(`UPDATE nodes SET props = ? WHERE id = ?`);
    const rows = db.prepare(`SELECT id, props FROM nodes`).raw(true).iterate() as Iterable<[number, string]>;
    const changed: [string, number][] = [];
    for (const [id, props] of rows) {
      const parsed = JSON.parse(props) as Props;
      const sorted = sortedProps(parsed);
      if (sorted !== parsed) changed.push([JSON.stringify(sorted), id]);
    }
    for (const [props, id] of changed) update.run(props, id);
  },
  // v3: the indexes on the model's indexed properties (sqlite-prop-index.ts), built over what the store holds.
  2(db) {
    db.exec(propIndexDdl());
  },
  // v4: the adjacency snapshot and the triggers that delete it with any change to the topology.
  3(db) {
    db.exec(SNAPSHOT_DDL);
  },
};

const CHUNK = 900;
/** Keys per expand query: large enough that per-statement costs vanish, small enough to keep the IN list cheap. */
const EXPAND_CHUNK = 10_000;
/** Keys per bulk id lookup during upsert. */
const ID_CHUNK = 10_000;

type KindFilter = 'all' | 'one' | 'many';

/** An expand row in raw (array) form: kind, near key, far key, then props and provenance when asked for. */
type ExpandRow = [EdgeKind, string, string, string?, string?, string?, ('declared' | 'inferred')?, string?];

interface EdgeRow {
  kind: EdgeKind;
  from_key: string;
  to_key: string;
  props: string;
  source: string;
  evidence: string;
  confidence: 'declared' | 'inferred';
  observed_at: string;
}

export interface SqliteOpenOptions {
  /**
   * Answer `withProps: false` expands from an in-process copy of the edge topology (sqlite-adjacency-cache.ts).
   * Default: on, unless the environment sets AISPM_SQLITE_ADJACENCY=off.
   */
  adjacencyCache?: boolean;
}

export class SqliteStore implements GraphStore {
  readonly backend = 'sqlite';
  readonly location: string;
  private readonly db: Database.Database;
  private readonly stmt: ReturnType<SqliteStore['prepare']>;
  private readonly expandStatements = new Map<string, Database.Statement>();
  private readonly adjacency: AdjacencyCache;
  /** Opened from a copy because the store is on read-only media (readOnlyCopy). */
  private readonly readOnly: boolean;
  /** Writes through this connection (data_version counts only other connections' commits). */
  private writes = 0;

  private constructor(db: Database.Database, location: string, options: SqliteOpenOptions, readOnly: boolean) {
    this.db = db;
    this.readOnly = readOnly;
    this.location = location;
    this.stmt = this.prepare();
    this.adjacency = new AdjacencyCache(db, options.adjacencyCache ?? adjacencyCacheEnabledByEnv(), !readOnly);
  }

  static open(path: string, options: SqliteOpenOptions = {}): SqliteStore {
    const location = path === ':memory:' ? path : resolve(path);
    if (location !== ':memory:') mkdirSync(dirname(location), { recursive: true });
    let db: Database.Database;
    let readOnly = false;
    try {
      db = new Database(location);
      // First: a new store opened by several processes at once would otherwise fail SQLITE_BUSY at the next pragma.
      db.pragma('busy_timeout = 10000');
      db.pragma('journal_mode = WAL');
    } catch (err) {
      const copy = location === ':memory:' ? undefined : readOnlyCopy(location);
      if (!copy) throw new StoreError(`cannot open SQLite store at ${location}: ${(err as Error).message}`, { cause: err });
      db = copy;
      readOnly = true;
    }
    try {
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = OFF'); // edge ends are created in the same transaction; checked by construction
      db.pragma('cache_size = -65536');
      db.pragma('temp_store = MEMORY');
      if (readOnly) checkReadableAsIs(db, location);
      else migrate(db, location);
    } catch (err) {
      db.close();
      if (err instanceof StoreError) throw err;
      throw new StoreError(`cannot use SQLite store at ${location}: ${(err as Error).message}`, { cause: err });
    }
    return new SqliteStore(db, location, options, readOnly);
  }

  /** Refuses a write to a store on read-only media before anything is tried, saying why. */
  private checkWritable(): void {
    if (this.readOnly) throw new StoreError(`${this.location} is on read-only media and was opened for reading only: nothing written`);
  }

  private prepare() {
    const db = this.db;
    return {
      insertNode: db.prepare(
        `INSERT INTO nodes (key, kind, props, sync_source, scope, sync_id) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (key) DO NOTHING`,
      ),
      nodeProps: db.prepare(`SELECT id, kind, props FROM nodes WHERE key = ?`),
      updateNode: db.prepare(
        `UPDATE nodes SET props = ?, sync_source = coalesce(?, sync_source), scope = coalesce(?, scope),
           sync_id = coalesce(?, sync_id) WHERE id = ?`,
      ),
      // Positional parameters: at bulk rates, binding twelve named values from an object per edge is measurable.
      // Parameter order: src, kind, dst, source, evidence, confidence, observedAt, now, props, owner ×3, observedAt.
      upsertEdge: db.prepare(
        `INSERT INTO edges (src, kind, dst, source, evidence, confidence, observed_at, props, sync_source, scope, sync_id)
         VALUES (?, ?, ?, ?, ?, ?, coalesce(?, ?), ?, ?, ?, ?)
         ON CONFLICT (src, kind, dst, source) DO UPDATE SET
           evidence = excluded.evidence, confidence = excluded.confidence, props = excluded.props,
           observed_at = CASE WHEN ? IS NULL THEN edges.observed_at ELSE excluded.observed_at END,
           sync_source = coalesce(excluded.sync_source, edges.sync_source),
           scope = coalesce(excluded.scope, edges.scope),
           sync_id = coalesce(excluded.sync_id, edges.sync_id)`,
      ),
      // One query for many keys: the IN list is sorted before the index is searched, so the lookups walk the key
      // index in order instead of seeking at random once per edge end.
      nodeIds: db.prepare(`SELECT key, id FROM nodes WHERE key IN (SELECT value FROM json_each(?))`).raw(true),
      // Prepared once: a GraphQL node(key) is one getNodes, and preparing it each time was a tenth of such a request.
      getNodes: db.prepare(`SELECT key, kind, props FROM nodes WHERE key IN (SELECT value FROM json_each(?)) ORDER BY key`),
      getMeta: db.prepare(`SELECT value FROM meta WHERE name = ?`),
      setMeta: db.prepare(`INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value`),
    };
  }

  async upsert(batch: RecordBatch, sync?: SyncContext): Promise<UpsertResult> {
    const valid = validateBatch(batch);
    this.checkWritable();
    const now = new Date().toISOString();
    const s = this.stmt;
    // The sync owns all it writes; without one, each record's own owner (an import of an export), else nothing.
    const ownerOf = (record: { owner?: SyncContext }) => ownerColumns(sync ?? record.owner);
    // Nodes may appear several times in one batch; merge them in order first so each is written once. Nulls are
    // kept through this merge so that they still remove the property from what the store already holds.
    const nodeProps = new Map<string, { kind: NodeKind; props: Props; owner: OwnerColumns }>();
    for (const n of valid.nodes) {
      const prev = nodeProps.get(n.key);
      const owner = n.owner || !prev ? ownerOf(n) : prev.owner;
      nodeProps.set(n.key, { kind: n.kind, props: prev ? overlayProps(prev.props, n.props ?? {}) : (n.props ?? {}), owner });
    }
    const write = this.db.transaction(() => {
      withdrawSnapshot(this.db);
      const ids = new Map<string, number>();
      for (const [key, { kind, props, owner }] of nodeProps) {
        // A new node stores its props without nulls; a stub mark is kept only when the record sets one.
        const info = s.insertNode.run(key, kind, nodePropsJson(props), ...owner);
        if (info.changes === 1) {
          ids.set(key, Number(info.lastInsertRowid));
          continue;
        }
        const row = s.nodeProps.get(key) as { id: number; kind: string; props: string };
        if (row.kind !== kind) throw new StoreError(`node ${key} exists as ${row.kind}, cannot write it as ${kind}`);
        const explicit = props.stub === undefined ? { ...props, stub: null } : props; // a full record is no longer a stub
        s.updateNode.run(JSON.stringify(sortedProps(mergeProps(JSON.parse(row.props) as Props, explicit))), ...owner, row.id);
        ids.set(key, row.id);
      }
      // Edge ends not written above: resolve them in bulk, then create the ones still missing as stubs.
      const unresolved = new Set<string>();
      for (const e of valid.edges) {
        if (!ids.has(e.from)) unresolved.add(e.from);
        if (!ids.has(e.to)) unresolved.add(e.to);
      }
      const pending = [...unresolved];
      const stubOwner = new Map<string, OwnerColumns>();
      for (const e of valid.edges) {
        if (!stubOwner.has(e.from)) stubOwner.set(e.from, ownerOf(e));
        if (!stubOwner.has(e.to)) stubOwner.set(e.to, ownerOf(e));
      }
      for (let i = 0; i < pending.length; i += ID_CHUNK) {
        for (const [key, id] of s.nodeIds.all(JSON.stringify(pending.slice(i, i + ID_CHUNK))) as [string, number][]) ids.set(key, id);
      }
      for (const key of pending) {
        if (!ids.has(key)) ids.set(key, Number(s.insertNode.run(key, kindOfKey(key)!, '{"stub":true}', ...stubOwner.get(key)!).lastInsertRowid));
      }
      for (const e of valid.edges) {
        const observedAt = e.observedAt ?? null;
        s.upsertEdge.run(
          ids.get(e.from)!, e.kind, ids.get(e.to)!, e.source, e.evidence ?? '', e.confidence ?? 'declared',
          observedAt, now, propsJson(e.props), ...ownerOf(e), observedAt,
        );
      }
    });
    try {
      // IMMEDIATE: the transaction reads (withdrawSnapshot) before it writes, and in WAL mode a read transaction that
      // upgrades after another process committed fails SQLITE_BUSY at once, without waiting out busy_timeout.
      write.immediate();
    } catch (err) {
      if (err instanceof StoreError) throw err;
      throw new StoreError(`SQLite write failed (nothing written): ${(err as Error).message}`, { cause: err });
    } finally {
      this.writes++;
      this.adjacency.invalidate();
    }
    return { nodes: nodeProps.size, edges: valid.edges.length };
  }

  async getNodes(keys: readonly string[]): Promise<GraphNode[]> {
    const unique = [...new Set(keys)];
    const out: GraphNode[] = [];
    const q = this.stmt.getNodes;
    for (let i = 0; i < unique.length; i += CHUNK) {
      for (const r of q.all(JSON.stringify(unique.slice(i, i + CHUNK))) as { key: string; kind: NodeKind; props: string }[]) {
        out.push({ key: r.key, kind: r.kind, props: JSON.parse(r.props) as Props });
      }
    }
    // Each chunk comes back in SQLite's order; the contract's order is over the whole answer, by code units.
    return inOrder(out, compareNodes);
  }

  async edgeEnds(kinds: readonly EdgeKind[], opts: EdgeEndsOptions = {}): Promise<EdgeEnds> {
    const wanted = checkEdgeEndKinds(kinds);
    if (wanted.length === 0) return opts.owners ? { from: [], kind: [], to: [], toOwner: [] } : { from: [], kind: [], to: [] };
    const adjacency = this.adjacency.current();
    // The copy keeps each node's owner once parsed, so a second call parses no key.
    if (adjacency) return edgeEndsFromAdjacency(adjacency, wanted, opts);
    // Without the copy (AISPM_SQLITE_ADJACENCY=off): one join, sorted by code units by edgeEndsOf (SQLite's order
    // is by code points, which differs around U+E000–U+FFFF).
    const rows = this.db
      .prepare(
        `SELECT DISTINCT s.key, e.kind, d.key FROM edges e JOIN nodes s ON s.id = e.src JOIN nodes d ON d.id = e.dst
         WHERE e.kind IN (SELECT value FROM json_each(?))`,
      )
      .raw(true)
      .all(JSON.stringify(wanted)) as [string, EdgeKind, string][];
    return opts.owners ? withEndOwners(edgeEndsOf(rows)) : edgeEndsOf(rows);
  }

  async expand(req: ExpandRequest): Promise<GraphEdge[]> {
    if (req.keys.length === 0) return [];
    const kinds = req.edgeKinds ? [...new Set(req.edgeKinds)] : null;
    if (kinds && kinds.length === 0) return [];
    const withProps = req.withProps ?? true;
    // Without props the adjacency copy answers alone (built on first use). With props it is only consulted when
    // already held, to send SQL just the keys that have edges of these kinds: the answer is the same.
    const adjacency = withProps ? this.adjacency.ifCurrent() : this.adjacency.current();
    if (adjacency && !withProps) return inOrder(expandFromAdjacency(adjacency, req.keys, kinds, req.direction), compareEdges);
    // A key listed twice is one frontier node; without this, chunks would return its edges twice.
    const frontier = adjacency ? keysWithEdges(adjacency, req.keys, kinds, req.direction) : [...new Set(req.keys)];
    if (frontier.length === 0) return [];
    const filter: KindFilter = kinds === null ? 'all' : kinds.length === 1 ? 'one' : 'many';
    const q = this.expandStatement(req.direction, filter, withProps);
    const kindParam = kinds === null ? [] : kinds.length === 1 ? [kinds[0]] : [JSON.stringify(kinds)];
    const outward = req.direction === 'out';
    const out: GraphEdge[] = [];
    for (let i = 0; i < frontier.length; i += EXPAND_CHUNK) {
      const rows = q.all(...kindParam, JSON.stringify(frontier.slice(i, i + EXPAND_CHUNK))) as ExpandRow[];
      for (const r of rows) {
        const from = outward ? r[1] : r[2];
        const to = outward ? r[2] : r[1];
        out.push(
          withProps
            ? { kind: r[0], from, to, props: JSON.parse(r[3]!) as Props, source: r[4]!, evidence: r[5]!, confidence: r[6]!, observedAt: r[7]! }
            : { kind: r[0], from, to, props: {}, source: '', evidence: '', confidence: 'declared', observedAt: '' },
        );
      }
    }
    return inOrder(out, compareEdges);
  }

  /**
   * Statements for expand, prepared once per shape. The frontier is looked up by key, then its edges are read as
   * one range of the (src, kind, …) or (dst, kind, …) index per node. With several kinds the kind test is kept off
   * the index (`+e.kind`): one range read per node beats one index seek per (node, kind), most of which find
   * nothing. Without props the query never touches the edges table: the index covers it.
   */
  private expandStatement(direction: Direction, filter: KindFilter, withProps: boolean): Database.Statement {
    const name = `${direction}:${filter}:${withProps}`;
    let q = this.expandStatements.get(name);
    if (q) return q;
    const near = direction === 'out' ? 'src' : 'dst';
    const far = direction === 'out' ? 'dst' : 'src';
    const kindFilter = filter === 'all' ? '' : filter === 'one' ? 'AND e.kind = ?' : 'AND +e.kind IN (SELECT value FROM json_each(?))';
    const rest = withProps ? ', e.props, e.source, e.evidence, e.confidence, e.observed_at' : '';
    q = this.db
      .prepare(
        `SELECT e.kind, f.key, o.key${rest}
         FROM nodes f JOIN edges e ON e.${near} = f.id ${kindFilter}
         JOIN nodes o ON o.id = e.${far}
         WHERE f.key IN (SELECT value FROM json_each(?))`,
      )
      .raw(true);
    this.expandStatements.set(name, q);
    return q;
  }

  /**
   * Over the adjacency copy (built on first use) when it is on: typed arrays, no SQL, no object per edge. With the
   * copy off, the same answer through SQL expands.
   */
  async reach(req: ReachRequest): Promise<Reachability> {
    checkReachRequest(req);
    const adjacency = this.adjacency.current();
    if (!adjacency || !canReach(adjacency, req)) return reachByExpand((r) => this.expand(r), req);
    return reachFromAdjacency(adjacency, req, (ids) => this.edgeDetails(ids));
  }

  /** Props and provenance of edges by rowid. */
  private edgeDetails(ids: readonly number[]): Map<number, Pick<GraphEdge, 'props' | 'evidence' | 'confidence' | 'observedAt'>> {
    const out = new Map<number, Pick<GraphEdge, 'props' | 'evidence' | 'confidence' | 'observedAt'>>();
    // One row of JSON arrays per chunk, a column each (as buildAdjacency reads the edges): for the 53k tree edges of
    // a scale-1 blast radius about a third faster through better-sqlite3 than a JS row per edge. Two aggregates of
    // one query see the rows in the same order, so position i is the same edge in every column.
    const q = this.db
      .prepare(
        `SELECT json_group_array(id), json_group_array(props), json_group_array(evidence), json_group_array(confidence), json_group_array(observed_at)
         FROM edges WHERE id IN (SELECT value FROM json_each(?))`,
      )
      .raw(true);
    // In rowid order, each chunk reads neighbouring pages of the table rather than pages all over it.
    const sorted = [...ids].sort((a, b) => a - b);
    for (let i = 0; i < sorted.length; i += EXPAND_CHUNK) {
      const columns = q.get(JSON.stringify(sorted.slice(i, i + EXPAND_CHUNK))) as string[];
      const [rowids, props, evidence, confidence, observedAt] = columns.map((c) => JSON.parse(c) as unknown[]) as [number[], string[], string[], GraphEdge['confidence'][], string[]];
      for (let j = 0; j < rowids.length; j++) {
        const id = rowids[j]!;
        // Most edges hold no props: no parse, no object for them.
        out.set(id, { props: props[j] === '{}' ? NO_PROPS : storedProps(props[j]!, `edge ${id}`), evidence: evidence[j]!, confidence: confidence[j]!, observedAt: observedAt[j]! });
      }
    }
    return out;
  }

  async find(query: FindQuery): Promise<Page<GraphNode>> {
    const first = pageSize(query.first);
    const clauses: string[] = [];
    const params: unknown[] = [];
    if (query.kind) {
      clauses.push('kind = ?');
      params.push(query.kind);
    }
    for (const { path, value } of whereClauses(query.where)) {
      clauses.push(`json_extract(props, ?) = ?`);
      params.push(path, typeof value === 'boolean' ? (value ? 1 : 0) : value);
    }
    if (query.text) {
      const like = `%${query.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      clauses.push(`(key LIKE ? ESCAPE '\\' OR json_extract(props, '$.name') LIKE ? ESCAPE '\\')`);
      params.push(like, like);
    }
    if (query.after) {
      clauses.push('key > ?');
      params.push(decodeCursor(query.after));
    }
    const where = clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
    const rows = this.db
      .prepare(`SELECT key, kind, props FROM nodes ${where} ORDER BY key LIMIT ?`)
      .all(...params, first + 1) as { key: string; kind: NodeKind; props: string }[];
    const hasNextPage = rows.length > first;
    const items = rows.slice(0, first).map((r) => ({ key: r.key, kind: r.kind, props: JSON.parse(r.props) as Props }));
    return { items, hasNextPage, endCursor: items.length ? encodeCursor(items[items.length - 1]!.key) : null };
  }

  /** Through the property's partial index (sqlite-prop-index.ts): only the rows that have it are read. */
  async findNodesByProp(query: NodePropQuery): Promise<GraphNode[]> {
    const q = checkNodePropQuery(query);
    if (q.kinds?.length === 0 || q.equals?.length === 0) return [];
    const params = [...(q.equals ? [JSON.stringify(sqlValues(q.equals))] : []), ...(q.kinds ? [JSON.stringify(q.kinds)] : [])];
    const rows = this.db.prepare(nodesByPropSql(q.prop, q.equals !== undefined, q.kinds !== undefined)).raw(true).all(...params) as [string, NodeKind, string][];
    return inOrder(
      rows.map(([key, kind, props]) => ({ key, kind, props: JSON.parse(props) as Props })),
      compareNodes,
    );
  }

  async findEdgesByProp(query: EdgePropQuery): Promise<GraphEdge[]> {
    const q = checkEdgePropQuery(query);
    if (q.kinds?.length === 0 || q.equals?.length === 0) return [];
    const params = [...(q.equals ? [JSON.stringify(sqlValues(q.equals))] : []), ...(q.kinds ? [JSON.stringify(q.kinds)] : [])];
    const rows = this.db.prepare(edgesByPropSql(q.prop, q.equals !== undefined, q.kinds !== undefined)).raw(true).all(...params) as [
      EdgeKind, string, string, string, string, string, GraphEdge['confidence'], string,
    ][];
    return inOrder(
      rows.map(([kind, from, to, props, source, evidence, confidence, observedAt]) => ({ kind, from, to, props: JSON.parse(props) as Props, source, evidence, confidence, observedAt })),
      compareEdges,
    );
  }

  async removeStale(sync: SyncContext): Promise<StaleRemoval> {
    this.checkWritable();
    const run = this.db.transaction(() => {
      withdrawSnapshot(this.db);
      const edges = this.db
        .prepare(`DELETE FROM edges WHERE sync_source = ? AND scope = ? AND sync_id IS NOT ?`)
        .run(sync.source, sync.scope, sync.syncId).changes;
      const nodes = this.db
        .prepare(
          `DELETE FROM nodes WHERE sync_source = ? AND scope = ? AND sync_id IS NOT ?
             AND NOT EXISTS (SELECT 1 FROM edges WHERE src = nodes.id)
             AND NOT EXISTS (SELECT 1 FROM edges WHERE dst = nodes.id)`,
        )
        .run(sync.source, sync.scope, sync.syncId).changes;
      return { edgesRemoved: edges, nodesRemoved: nodes };
    });
    try {
      return run.immediate(); // takes the write lock before its first read, as upsert does
    } finally {
      this.writes++;
      this.adjacency.invalidate();
    }
  }

  async stats(): Promise<StoreStats> {
    const nodesByKind: StoreStats['nodesByKind'] = {};
    const edgesByKind: StoreStats['edgesByKind'] = {};
    let nodes = 0;
    let edges = 0;
    for (const r of this.db.prepare(`SELECT kind, count(*) AS n FROM nodes GROUP BY kind ORDER BY kind`).all() as { kind: NodeKind; n: number }[]) {
      nodesByKind[r.kind] = r.n;
      nodes += r.n;
    }
    for (const r of this.db.prepare(`SELECT kind, count(*) AS n FROM edges GROUP BY kind ORDER BY kind`).all() as { kind: EdgeKind; n: number }[]) {
      edgesByKind[r.kind] = r.n;
      edges += r.n;
    }
    return { nodes, edges, nodesByKind, edgesByKind };
  }

  async *exportAll(): AsyncIterable<ExportItem> {
    type Owned = { sync_source: string | null; scope: string | null; sync_id: string | null };
    const nodes = this.db.prepare(`SELECT key, kind, props, sync_source, scope, sync_id FROM nodes ORDER BY key`).iterate() as Iterable<
      { key: string; kind: NodeKind; props: string } & Owned
    >;
    for (const r of nodes) {
      yield { type: 'node', node: { key: r.key, kind: r.kind, props: storedProps(r.props, `node ${r.key}`) }, ...ownerOf(r) };
    }
    const edges = this.db
      .prepare(
        `SELECT e.kind, s.key AS from_key, d.key AS to_key, e.props, e.source, e.evidence, e.confidence, e.observed_at,
           e.sync_source, e.scope, e.sync_id
         FROM edges e JOIN nodes s ON s.id = e.src JOIN nodes d ON d.id = e.dst
         ORDER BY s.key, e.kind, d.key, e.source`,
      )
      .iterate() as Iterable<EdgeRow & Owned>;
    for (const r of edges) yield { type: 'edge', edge: edgeFromRow(r), ...ownerOf(r) };

    /** The owning sync of a row, when a sync wrote it. */
    function ownerOf(r: Owned): { owner?: SyncContext } {
      return r.sync_source !== null && r.scope !== null && r.sync_id !== null ? { owner: { source: r.sync_source, scope: r.scope, syncId: r.sync_id } } : {};
    }
  }

  async getMeta(name: string): Promise<JsonValue | undefined> {
    const row = this.stmt.getMeta.get(`user:${name}`) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as JsonValue) : undefined;
  }

  async setMeta(name: string, value: JsonValue): Promise<void> {
    this.checkWritable();
    this.stmt.setMeta.run(`user:${name}`, JSON.stringify(value));
    this.writes++;
  }

  /** This connection's writes, and other connections' commits (`PRAGMA data_version`). */
  async writeGeneration(): Promise<string> {
    return `${this.writes}:${this.adjacency.dataVersionNow()}`;
  }

  /** What the adjacency cache holds and what it cost; for benchmarks and tests (not part of GraphStore). */
  adjacencyStats(): AdjacencyCacheStats {
    return this.adjacency.stats();
  }

  async close(): Promise<void> {
    this.adjacency.invalidate();
    if (this.db.open) this.db.close();
  }
}

type OwnerColumns = [string, string, string] | [null, null, null];

/** The sync_source, scope and sync_id columns for an owner (nulls leave an existing row's owner as it was). */
function ownerColumns(owner: SyncContext | undefined): OwnerColumns {
  return owner ? [owner.source, owner.scope, owner.syncId] : [null, null, null];
}

/**
 * Props as stored, or a StoreError naming the record: a store damaged outside aispm must say where, so that an
 * export stops at that record instead of failing with a bare JSON error.
 */
function storedProps(text: string, what: string): Props {
  try {
    return JSON.parse(text) as Props;
  } catch (err) {
    throw new StoreError(`${clip(what, 400)}: its stored props are not valid JSON (${(err as Error).message}); the store file is damaged`, { cause: err });
  }
}

function edgeFromRow(r: EdgeRow): GraphEdge {
  return {
    kind: r.kind,
    from: r.from_key,
    to: r.to_key,
    props: storedProps(r.props, `edge ${r.from_key} -${r.kind}-> ${r.to_key}`),
    source: r.source,
    evidence: r.evidence,
    confidence: r.confidence,
    observedAt: r.observed_at,
  };
}

/** Props as stored: JSON without null values. Most records have no nulls, and then nothing is copied. */
function propsJson(props: Props | undefined): string {
  if (props === undefined) return '{}';
  for (const key in props) if (props[key] === null) return JSON.stringify(withoutNulls(props));
  return JSON.stringify(props);
}

/** Node props are stored in the contract's name order, so that reads return them so without sorting. */
function nodePropsJson(props: Props): string {
  return propsJson(sortedProps(props));
}

/**
 * Creates a new store or upgrades an older one. Decided without a lock (opening a current store takes no write
 * lock, so it never waits for another process's long write), then done in one IMMEDIATE transaction that looks
 * again: of several processes opening a new or older store at once, one creates or migrates it and the others
 * find it done.
 */
/**
 * A store that cannot be opened where it is, because the file or its directory cannot be written (read-only media,
 * a read-only mount or snapshot), is read from a copy in memory, opened read-only. SQLite itself cannot open a WAL
 * database there: it must create the -shm file beside it, and better-sqlite3 has no `immutable` open. The copy is
 * the file as it is, so a -wal file holding changes not yet in it (a writer that did not finish) is refused rather
 * than silently missed. Undefined when the store is writable (the open failed for another reason) or absent.
 */
function readOnlyCopy(location: string): Database.Database | undefined {
  if (!existsSync(location) || isWritable(location)) return undefined;
  const wal = `${location}-wal`;
  if (existsSync(wal) && statSync(wal).size > 0) {
    throw new StoreError(
      `${location} is on read-only media with a write-ahead log (${basename(wal)}) holding changes not yet in the store file; copy both to writable storage and open the copy`,
    );
  }
  const bytes = readFileSync(location);
  // Header bytes 18 and 19 say WAL (2); an in-memory copy has no log, so it is read as a rollback-journal file (1).
  if (bytes.length >= 20 && bytes[18] === 2 && bytes[19] === 2) bytes[18] = bytes[19] = 1;
  try {
    return new Database(bytes, { readonly: true });
  } catch {
    return undefined;
  }
}

/** Whether both the store file and its directory (for the -wal and -shm files) can be written. */
function isWritable(location: string): boolean {
  try {
    closeSync(openSync(location, 'r+'));
    accessSync(dirname(location), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** A read-only store is used only at this aispm's schema version: it cannot take a migration. */
function checkReadableAsIs(db: Database.Database, location: string): void {
  const version = schemaVersion(db, location);
  if (version === SQLITE_SCHEMA_VERSION) return;
  throw new StoreError(
    version === undefined
      ? `${location} is on read-only media and holds no aispm store`
      : `${location} uses store schema v${version} and is on read-only media, where it cannot be migrated to v${SQLITE_SCHEMA_VERSION}; copy it to writable storage`,
  );
}

function migrate(db: Database.Database, location: string): void {
  if (schemaVersion(db, location) === SQLITE_SCHEMA_VERSION) return;
  db.transaction(() => {
    const version = schemaVersion(db, location);
    if (version === undefined) {
      db.exec(DDL_V1);
      db.exec(propIndexDdl());
      db.exec(SNAPSHOT_DDL);
      db.prepare(`INSERT INTO meta (name, value) VALUES ('schema_version', ?)`).run(String(SQLITE_SCHEMA_VERSION));
      return;
    }
    for (let v = version; v < SQLITE_SCHEMA_VERSION; v++) {
      const step = MIGRATIONS[v];
      if (!step) {
        throw new StoreError(
          `${location} uses store schema v${version}, which cannot be migrated to v${SQLITE_SCHEMA_VERSION} in place (no migration from v${v}); re-ingest or export and import`,
        );
      }
      step(db);
      db.prepare(`UPDATE meta SET value = ? WHERE name = 'schema_version'`).run(String(v + 1));
    }
    // A migration may rewrite what a stored adjacency snapshot describes.
    withdrawSnapshot(db);
  }).immediate();
}

/** The store's schema version; undefined for an empty database (a new store). Refuses what aispm cannot use. */
function schemaVersion(db: Database.Database, location: string): number | undefined {
  const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map((r) => r.name);
  if (tables.length === 0) return undefined;
  if (!tables.includes('meta')) {
    throw new StoreError(`${location} is an SQLite database but not an aispm store (it has no meta table); choose another path`);
  }
  const row = db.prepare(`SELECT value FROM meta WHERE name = 'schema_version'`).get() as { value: string } | undefined;
  const version = row ? Number(row.value) : NaN;
  if (!Number.isInteger(version)) {
    throw new StoreError(`${location} has no readable aispm schema version; it was not written by aispm`);
  }
  if (version > SQLITE_SCHEMA_VERSION) {
    throw new StoreError(
      `${location} was written by a newer aispm (store schema v${version}); this aispm reads up to v${SQLITE_SCHEMA_VERSION}. Upgrade aispm, or export with the newer version and import here.`,
    );
  }
  return version;
}
