/**
 * The embedded store: one SQLite file through better-sqlite3. WAL mode; each batch in one transaction (a process
 * killed mid-batch leaves all of it or none); nodes keyed by an integer id so edges are compact and both edge
 * directions are served by covering indexes.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { kindOfKey, type EdgeKind, type NodeKind } from '../../schema/model.ts';
import type { GraphEdge, GraphNode, JsonValue, Props, RecordBatch, SyncContext } from '../../schema/records.ts';
import { validateBatch } from '../../schema/validate.ts';
import { UsageError } from '../errors.ts';
import { decodeCursor, encodeCursor, mergeProps, pageSize, whereClauses } from './common.ts';
import {
  StoreError,
  type ExpandRequest,
  type FindQuery,
  type GraphStore,
  type Page,
  type StaleRemoval,
  type StoreStats,
  type UpsertResult,
} from './types.ts';

/** Bump when the DDL changes, and add the step from the previous version to MIGRATIONS. */
export const SQLITE_SCHEMA_VERSION = 1;

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

/** MIGRATIONS[v] upgrades a store at schema version v to v + 1. */
const MIGRATIONS: Record<number, (db: Database.Database) => void> = {};

const CHUNK = 900;

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

export class SqliteStore implements GraphStore {
  readonly backend = 'sqlite';
  readonly location: string;
  private readonly db: Database.Database;
  private readonly stmt: ReturnType<SqliteStore['prepare']>;

  private constructor(db: Database.Database, location: string) {
    this.db = db;
    this.location = location;
    this.stmt = this.prepare();
  }

  static open(path: string): SqliteStore {
    const location = path === ':memory:' ? path : resolve(path);
    if (location !== ':memory:') mkdirSync(dirname(location), { recursive: true });
    let db: Database.Database;
    try {
      db = new Database(location);
      db.pragma('journal_mode = WAL');
    } catch (err) {
      throw new StoreError(`cannot open SQLite store at ${location}: ${(err as Error).message}`, { cause: err });
    }
    try {
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = OFF'); // edge ends are created in the same transaction; checked by construction
      db.pragma('busy_timeout = 10000');
      db.pragma('cache_size = -65536');
      db.pragma('temp_store = MEMORY');
      migrate(db, location);
    } catch (err) {
      db.close();
      if (err instanceof StoreError) throw err;
      throw new StoreError(`cannot use SQLite store at ${location}: ${(err as Error).message}`, { cause: err });
    }
    return new SqliteStore(db, location);
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
      nodeId: db.prepare(`SELECT id FROM nodes WHERE key = ?`),
      upsertEdge: db.prepare(
        `INSERT INTO edges (src, kind, dst, source, evidence, confidence, observed_at, props, sync_source, scope, sync_id)
         VALUES (@src, @kind, @dst, @source, @evidence, @confidence, coalesce(@observedAt, @now), @props, @syncSource, @scope, @syncId)
         ON CONFLICT (src, kind, dst, source) DO UPDATE SET
           evidence = excluded.evidence, confidence = excluded.confidence, props = excluded.props,
           observed_at = CASE WHEN @observedAt IS NULL THEN edges.observed_at ELSE excluded.observed_at END,
           sync_source = coalesce(excluded.sync_source, edges.sync_source),
           scope = coalesce(excluded.scope, edges.scope),
           sync_id = coalesce(excluded.sync_id, edges.sync_id)`,
      ),
      getMeta: db.prepare(`SELECT value FROM meta WHERE name = ?`),
      setMeta: db.prepare(`INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value`),
    };
  }

  async upsert(batch: RecordBatch, sync?: SyncContext): Promise<UpsertResult> {
    const valid = validateBatch(batch);
    const now = new Date().toISOString();
    const s = this.stmt;
    const owner = sync ? [sync.source, sync.scope, sync.syncId] : [null, null, null];
    // Nodes may appear several times in one batch; merge them in order first so each is written once.
    const nodeProps = new Map<string, { kind: NodeKind; props: Props }>();
    for (const n of valid.nodes) {
      const prev = nodeProps.get(n.key);
      nodeProps.set(n.key, { kind: n.kind, props: prev ? mergeProps(prev.props, n.props ?? {}) : { ...(n.props ?? {}) } });
    }
    const write = this.db.transaction(() => {
      const ids = new Map<string, number>();
      for (const [key, { kind, props }] of nodeProps) {
        const explicit = { ...props };
        if (explicit.stub === undefined) explicit.stub = null; // a full record is no longer a stub
        const fresh = dropNulls(explicit);
        const info = s.insertNode.run(key, kind, JSON.stringify(fresh), ...owner);
        if (info.changes === 1) {
          ids.set(key, Number(info.lastInsertRowid));
          continue;
        }
        const row = s.nodeProps.get(key) as { id: number; kind: string; props: string };
        if (row.kind !== kind) throw new StoreError(`node ${key} exists as ${row.kind}, cannot write it as ${kind}`);
        s.updateNode.run(JSON.stringify(mergeProps(JSON.parse(row.props) as Props, explicit)), ...owner, row.id);
        ids.set(key, row.id);
      }
      const idOf = (key: string): number => {
        let id = ids.get(key);
        if (id !== undefined) return id;
        const row = s.nodeId.get(key) as { id: number } | undefined;
        if (row) id = row.id;
        else id = Number(s.insertNode.run(key, kindOfKey(key)!, '{"stub":true}', ...owner).lastInsertRowid);
        ids.set(key, id);
        return id;
      };
      for (const e of valid.edges) {
        s.upsertEdge.run({
          src: idOf(e.from),
          kind: e.kind,
          dst: idOf(e.to),
          source: e.source,
          evidence: e.evidence ?? '',
          confidence: e.confidence ?? 'declared',
          observedAt: e.observedAt ?? null,
          now,
          props: JSON.stringify(dropNulls(e.props ?? {})),
          syncSource: owner[0],
          scope: owner[1],
          syncId: owner[2],
        });
      }
    });
    try {
      write();
    } catch (err) {
      if (err instanceof StoreError) throw err;
      throw new StoreError(`SQLite write failed (nothing written): ${(err as Error).message}`, { cause: err });
    }
    return { nodes: nodeProps.size, edges: valid.edges.length };
  }

  async getNodes(keys: readonly string[]): Promise<GraphNode[]> {
    const out: GraphNode[] = [];
    const q = this.db.prepare(`SELECT key, kind, props FROM nodes WHERE key IN (SELECT value FROM json_each(?))`);
    for (let i = 0; i < keys.length; i += CHUNK) {
      for (const r of q.all(JSON.stringify(keys.slice(i, i + CHUNK))) as { key: string; kind: NodeKind; props: string }[]) {
        out.push({ key: r.key, kind: r.kind, props: JSON.parse(r.props) as Props });
      }
    }
    return out;
  }

  async expand(req: ExpandRequest): Promise<GraphEdge[]> {
    if (req.keys.length === 0) return [];
    const kinds = req.edgeKinds ? [...req.edgeKinds] : null;
    if (kinds && kinds.length === 0) return [];
    const near = req.direction === 'out' ? 'src' : 'dst';
    const far = req.direction === 'out' ? 'dst' : 'src';
    const kindFilter = kinds ? `AND e.kind IN (SELECT value FROM json_each(?))` : '';
    const sql = `SELECT e.kind, f.key AS ${req.direction === 'out' ? 'from_key' : 'to_key'},
                        o.key AS ${req.direction === 'out' ? 'to_key' : 'from_key'},
                        e.props, e.source, e.evidence, e.confidence, e.observed_at
                 FROM nodes f JOIN edges e ON e.${near} = f.id ${kindFilter}
                 JOIN nodes o ON o.id = e.${far}
                 WHERE f.key IN (SELECT value FROM json_each(?))`;
    const q = this.db.prepare(sql);
    const out: GraphEdge[] = [];
    const kindsJson = kinds ? JSON.stringify(kinds) : undefined;
    for (let i = 0; i < req.keys.length; i += 4 * CHUNK) {
      const frontier = JSON.stringify(req.keys.slice(i, i + 4 * CHUNK));
      const rows = (kindsJson ? q.all(kindsJson, frontier) : q.all(frontier)) as EdgeRow[];
      for (const r of rows) out.push(edgeFromRow(r));
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

  async removeStale(sync: SyncContext): Promise<StaleRemoval> {
    const run = this.db.transaction(() => {
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
    return run();
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

  async *exportAll(): AsyncIterable<{ type: 'node'; node: GraphNode } | { type: 'edge'; edge: GraphEdge }> {
    for (const r of this.db.prepare(`SELECT key, kind, props FROM nodes ORDER BY key`).iterate() as Iterable<{ key: string; kind: NodeKind; props: string }>) {
      yield { type: 'node', node: { key: r.key, kind: r.kind, props: JSON.parse(r.props) as Props } };
    }
    const edges = this.db
      .prepare(
        `SELECT e.kind, s.key AS from_key, d.key AS to_key, e.props, e.source, e.evidence, e.confidence, e.observed_at
         FROM edges e JOIN nodes s ON s.id = e.src JOIN nodes d ON d.id = e.dst
         ORDER BY s.key, e.kind, d.key, e.source`,
      )
      .iterate() as Iterable<EdgeRow>;
    for (const r of edges) yield { type: 'edge', edge: edgeFromRow(r) };
  }

  async getMeta(name: string): Promise<JsonValue | undefined> {
    const row = this.stmt.getMeta.get(`user:${name}`) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as JsonValue) : undefined;
  }

  async setMeta(name: string, value: JsonValue): Promise<void> {
    this.stmt.setMeta.run(`user:${name}`, JSON.stringify(value));
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

function edgeFromRow(r: EdgeRow): GraphEdge {
  return {
    kind: r.kind,
    from: r.from_key,
    to: r.to_key,
    props: JSON.parse(r.props) as Props,
    source: r.source,
    evidence: r.evidence,
    confidence: r.confidence,
    observedAt: r.observed_at,
  };
}

function dropNulls(props: Props): Props {
  const out: Props = {};
  for (const [k, v] of Object.entries(props)) if (v !== null) out[k] = v;
  return out;
}

function migrate(db: Database.Database, location: string): void {
  const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map((r) => r.name);
  if (tables.length === 0) {
    db.exec(DDL_V1);
    db.prepare(`INSERT INTO meta (name, value) VALUES ('schema_version', ?)`).run(String(SQLITE_SCHEMA_VERSION));
    return;
  }
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
  for (let v = version; v < SQLITE_SCHEMA_VERSION; v++) {
    const step = MIGRATIONS[v];
    if (!step) {
      throw new StoreError(
        `${location} uses store schema v${version}, which cannot be migrated to v${SQLITE_SCHEMA_VERSION} in place (no migration from v${v}); re-ingest or export and import`,
      );
    }
    db.transaction(() => {
      step(db);
      db.prepare(`UPDATE meta SET value = ? WHERE name = 'schema_version'`).run(String(v + 1));
    })();
  }
}

export { UsageError };
