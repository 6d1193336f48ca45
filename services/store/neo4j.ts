/**
 * The Neo4j store, through the official neo4j-driver. One label per node kind (plus `:Node` on every node), a
 * uniqueness constraint on `key` per label created before the first write, each batch validated and then written
 * in ONE write transaction of `UNWIND $rows` statements (one per label / relationship type, never one round trip
 * per record), `neo4j://` routing URIs passed to the driver as given so a cluster works. The Cypher text and the
 * property layout live in neo4j-cypher.ts (pure, unit-tested); this file runs them.
 *
 * Also offers read-only raw Cypher for analysts (`runReadOnlyCypher`, `aispm cypher`).
 */
import { randomUUID } from 'node:crypto';
import neo4j, { type Driver, type Session, type Transaction } from 'neo4j-driver';
import { EDGE_KINDS, isEdgeKind, isNodeKind, type EdgeKind, type NodeKind } from '../../schema/model.ts';
import type { GraphEdge, GraphNode, JsonValue, Props, RecordBatch, SyncContext } from '../../schema/records.ts';
import { ValidationError, validateBatch } from '../../schema/validate.ts';
import { AispmError, UsageError } from '../../schema/errors.ts';
import { redact, registerSecret } from '../../schema/secrets.ts';
import { checkEdgePropQuery, checkNodePropQuery, propMatches } from './prop-query.ts';
import { edgesByPropStatement, nodesByPropStatement, propIndexStatements } from './neo4j-prop-index.ts';
import { ArrayReachability, NO_PROPS, checkEdgeEndKinds, checkReachRequest, compareEdges, compareNodes, compareSteps, decodeCursor, edgeEndsOf, withEndOwners, encodeCursor, inOrder, pageSize, reachByExpand, uniqueStarts } from './common.ts';
import {
  ABANDONED_STAGING_MS,
  META_LABEL,
  bumpWriteGenerationStatement,
  NEO4J_SCHEMA_VERSION,
  decodeProps,
  entryBody,
  groupTransactions,
  journal,
  statementsOfEntry,
  edgesFromStatement,
  edgeEndsStatement,
  expandStatement,
  findStatement,
  getMetaStatement,
  getNodesStatement,
  nodePageStatement,
  planOperators,
  flowProp,
  planUpsert,
  reachLevelStatement,
  reachStartsStatement,
  readOnlyRefusal,
  relTypeOf,
  removeStaleStatements,
  schemaStatements,
  setMetaStatement,
  statsStatement,
  writeGenerationStatement,
  type Statement,
  type WriteStatement,
} from './neo4j-cypher.ts';
import {
  StoreError,
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

export interface Neo4jConnectOptions {
  /** `neo4j://`, `neo4j+s://`, `bolt://`, … Credentials in the URI (`neo4j://user:pass@host`) are taken out of it. */
  uri: string;
  user: string;
  password: string;
  /** Database name; the server's default database when omitted. */
  database?: string;
  /** How long connect() waits for the server (default 10 s). */
  connectTimeoutMs?: number;
  /**
   * Bounds of one write transaction (default 20,000 rows and 32 MiB of row data). A batch over them is written
   * as a journaled write of several transactions, each part at most 5,000 rows and 8 MiB (or these bounds when
   * lower), still all or nothing (see the README's "Large writes").
   */
  rowsPerTransaction?: number;
  bytesPerTransaction?: number;
}

export interface RawCypherOptions {
  /** Rows returned at most (default 1000); `truncated` says when there were more. */
  maxRows?: number;
  /** Server-side transaction timeout (default 30 s). */
  timeoutMs?: number;
}

export interface RawCypherResult {
  keys: string[];
  rows: Record<string, unknown>[];
  truncated: boolean;
}

/** What a unit of work may do with its transaction: run statements (committing is the caller's job). */
type Tx = Pick<Transaction, 'run'>;

/** Keys per getNodes/expand statement; a larger frontier is several statements in one read transaction. */
const KEYS_PER_STATEMENT = 10_000;
const EXPORT_PAGE = 1000;
/**
 * A server holds a write transaction's changes in its heap until commit, about 5 KB per row here (Neo4j 5.13):
 * 20,000 rows is ≈ 100 MB, inside the transaction memory of a 512 MiB heap (70% of the heap by default).
 */
const ROWS_PER_TRANSACTION = 20_000;
const BYTES_PER_TRANSACTION = 32 * 1024 * 1024;
/**
 * Bounds of one part of a journaled write. Smaller than a whole transaction because the server's cost per row
 * falls with the size of its transactions: it keeps a transaction's changes live in its heap until commit, and
 * every young collection copies them again. Measured on Neo4j 5.13 (1 GiB heap, the bench's 230k-row graph):
 * parts of 5,000 rows took 12 server CPU-s and 0.8–1.4 s of GC pauses, parts of 20,000 rows 16.5 s and 5 s.
 */
const ROWS_PER_PART = 5_000;
const BYTES_PER_PART = 8 * 1024 * 1024;
/** How long transient failures (deadlocks, a leader switch) are retried, as the driver would. */
const RETRY_BUDGET_MS = 30_000;
const bumpWriteGeneration = bumpWriteGenerationStatement();

export class Neo4jStore implements GraphStore {
  readonly backend = 'neo4j';
  readonly location: string;
  private readonly driver: Driver;
  private readonly database: string | undefined;
  /** Shared by every session of this store, so a read after a write sees it on a cluster (causal consistency). */
  private readonly bookmarks = neo4j.bookmarkManager();
  private schemaReady: Promise<void> | undefined;
  /** The layout version the database holds (0: empty); below 2, edges lack the flow-condition properties. */
  private layoutVersion = 0;
  private readonly rowsPerTransaction: number;
  private readonly bytesPerTransaction: number;

  private constructor(driver: Driver, location: string, database: string | undefined, opts: Neo4jConnectOptions) {
    this.driver = driver;
    this.location = location;
    this.database = database;
    this.rowsPerTransaction = opts.rowsPerTransaction ?? ROWS_PER_TRANSACTION;
    this.bytesPerTransaction = opts.bytesPerTransaction ?? BYTES_PER_TRANSACTION;
  }

  static async connect(opts: Neo4jConnectOptions): Promise<Neo4jStore> {
    const { driverUri, safeUri, user, password } = splitCredentials(opts.uri, opts.user, opts.password);
    registerSecret(password);
    const database = opts.database || undefined;
    const location = database ? `${safeUri} (database ${database})` : safeUri;
    let driver: Driver;
    try {
      driver = neo4j.driver(driverUri, neo4j.auth.basic(user, password), {
        connectionTimeout: 5_000,
        connectionAcquisitionTimeout: 60_000,
        maxTransactionRetryTime: 30_000,
        // Counts and LIMITs come back as JS numbers; graph data never holds integers beyond 2^53.
        disableLosslessIntegers: true,
        userAgent: 'aispm/0.1.0',
      });
    } catch (err) {
      throw new StoreError(`cannot use Neo4j URI ${safeUri}: ${reason(err)}`, { cause: err });
    }
    const timeoutMs = opts.connectTimeoutMs ?? 10_000;
    try {
      await withTimeout(driver.verifyConnectivity({ database }), timeoutMs, `no answer within ${timeoutMs} ms`);
    } catch (err) {
      await driver.close().catch(() => undefined);
      throw new StoreError(`cannot connect to Neo4j at ${location}: ${reason(err)}`, { cause: err });
    }
    const store = new Neo4jStore(driver, location, database, opts);
    try {
      await store.checkIsAispmStore();
    } catch (err) {
      await driver.close().catch(() => undefined);
      throw err;
    }
    // A store an older aispm wrote is upgraded in place, and a large write left half applied by a writer that
    // died is completed, so that reads see all of it. An account that may not write can do neither; it reads
    // what is there (reachability then tests flow conditions on the client).
    try {
      if (store.layoutVersion > 0 && store.layoutVersion < NEO4J_SCHEMA_VERSION) await store.ensureSchema();
      await store.rollForward();
    } catch (err) {
      if (!isForbidden(err)) {
        await driver.close().catch(() => undefined);
        throw store.failure('opening the store', err);
      }
    }
    return store;
  }

  // ------------------------------------------------------------------------------------------ sessions

  private session(mode: 'READ' | 'WRITE'): Session {
    return this.driver.session({
      database: this.database,
      defaultAccessMode: mode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE,
      bookmarkManager: this.bookmarks,
    });
  }

  private read<T>(what: string, work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.transaction('READ', what, work);
  }

  private write<T>(what: string, work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.transaction('WRITE', what, work);
  }

  /**
   * One transaction, retried on transient failures (deadlock, leader switch, lost connection) for up to 30 s as
   * the driver's own retries would be — except when the server ran out of transaction memory: that is marked
   * transient too, but the same transaction would fail the same way again, so it is reported at once.
   */
  private async transaction<T>(mode: 'READ' | 'WRITE', what: string, work: (tx: Transaction) => Promise<T>): Promise<T> {
    const session = this.session(mode);
    try {
      return await retrying(async () => {
        const tx = session.beginTransaction();
        try {
          const value = await work(tx);
          // Last, so the counter's lock is held only for the commit: no writer waits on it while holding others.
          if (mode === 'WRITE') await tx.run(bumpWriteGeneration.text, bumpWriteGeneration.params);
          await tx.commit();
          return value;
        } catch (err) {
          if (tx.isOpen()) await tx.rollback().catch(() => undefined);
          throw err;
        }
      });
    } catch (err) {
      throw this.failure(what, err);
    } finally {
      await session.close().catch(() => undefined);
    }
  }

  private failure(what: string, err: unknown): Error {
    if (err instanceof AispmError || err instanceof ValidationError || err instanceof StoreError) return err;
    if (isOutOfMemory(err)) {
      return new StoreError(
        `Neo4j ${what} failed at ${this.location}: the server ran out of transaction memory (${reason(err)}). ` +
          'Give it a larger heap (NEO4J_HEAP), or open the store with a lower rowsPerTransaction.',
        { cause: err },
      );
    }
    return new StoreError(`Neo4j ${what} failed at ${this.location}: ${reason(err)}`, { cause: err });
  }

  private static async records(tx: Tx, st: Statement) {
    return (await tx.run(st.text, st.params)).records;
  }

  // ------------------------------------------------------------------------------------------ schema

  /** Refuses a database that holds other data and no aispm schema version, and one written by a newer aispm. */
  private async checkIsAispmStore(): Promise<void> {
    const { version, anyNode } = await this.read('schema check', async (tx) => {
      const v = await Neo4jStore.records(tx, getMetaStatement('schema_version'));
      const any = await tx.run('MATCH (n) WITH n LIMIT 1 RETURN count(n) AS n');
      return { version: v[0]?.get('value') as string | null | undefined, anyNode: Number(any.records[0]?.get('n') ?? 0) > 0 };
    });
    if (version === undefined || version === null) {
      if (anyNode) {
        throw new StoreError(
          `${this.location} holds data but no aispm schema version; it was not written by aispm. Point --store at an empty database or one aispm wrote.`,
        );
      }
      return;
    }
    const n = Number(JSON.parse(version));
    if (!Number.isInteger(n)) throw new StoreError(`${this.location} has no readable aispm schema version`);
    if (n > NEO4J_SCHEMA_VERSION) {
      throw new StoreError(
        `${this.location} was written by a newer aispm (Neo4j layout v${n}); this aispm reads up to v${NEO4J_SCHEMA_VERSION}. Upgrade aispm.`,
      );
    }
    this.layoutVersion = n;
  }

  /**
   * Constraints and indexes, created once before the first write (not on connect, so a read-only account can
   * still read). Only the missing ones are created, so a store whose schema exists needs no schema privilege.
   */
  private ensureSchema(): Promise<void> {
    this.schemaReady ??= this.createSchema().catch((err) => {
      this.schemaReady = undefined;
      throw this.failure('schema setup', err);
    });
    return this.schemaReady;
  }

  /**
   * Safe when several first writers run at once: each missing constraint or index is created on its own
   * (schema commands cannot share a transaction with data), a deadlock between creators is retried, and "already
   * exists" from a creator that lost the race counts as done. Then it checks that everything exists.
   */
  private async createSchema(): Promise<void> {
    const wanted = [...schemaStatements(), ...propIndexStatements()];
    const existing = async (): Promise<Set<string> | undefined> => {
      try {
        return await this.read('schema check', async (tx) => {
          const names = new Set<string>();
          for (const show of ['SHOW CONSTRAINTS YIELD name', 'SHOW INDEXES YIELD name']) {
            for (const r of (await tx.run(show)).records) names.add(r.get('name') as string);
          }
          return names;
        });
      } catch (err) {
        if (isForbidden(err)) return undefined; // no SHOW privilege: CREATE … IF NOT EXISTS for everything
        throw err;
      }
    };
    const before = await existing();
    const missing = wanted.filter((w) => !before?.has(w.name));
    const session = this.session('WRITE');
    try {
      for (const w of missing) {
        await retrying(async () => {
          try {
            await session.run(w.text);
          } catch (err) {
            if (!isAlreadyExists(err)) throw err;
          }
        });
      }
      if (missing.length) await retrying(() => session.run('CALL db.awaitIndexes(300)'));
    } finally {
      await session.close().catch(() => undefined);
    }
    const after = await existing();
    const absent = after ? wanted.filter((w) => !after.has(w.name)).map((w) => w.name) : [];
    if (absent.length) throw new StoreError(`Neo4j schema setup at ${this.location} did not create ${absent.join(', ')}`);
    if (this.layoutVersion > 0 && this.layoutVersion < 2) await this.copyFlowProps();
    // Raised, never lowered: a store written by this version says so, so an older aispm refuses to write it.
    await this.write('schema setup', (tx) =>
      tx.run(
        `MERGE (m:${META_LABEL} {name: 'schema_version'})
         SET m.value = CASE WHEN m.value IS NULL OR toInteger(m.value) < $n THEN $v ELSE m.value END`,
        { n: neo4j.int(NEO4J_SCHEMA_VERSION), v: JSON.stringify(NEO4J_SCHEMA_VERSION) },
      ),
    );
    this.layoutVersion = NEO4J_SCHEMA_VERSION;
  }

  /** Layout v1 → v2: each flow-condition property copied from the edges' props JSON to its own property. */
  private async copyFlowProps(): Promise<void> {
    for (const kind of EDGE_KINDS) {
      const prop = flowProp(kind);
      if (!prop) continue;
      let after = '';
      for (;;) {
        const rows = await this.read('layout upgrade', (tx) =>
          Neo4jStore.records(tx, {
            text: `MATCH ()-[r:${relTypeOf(kind)}]->() WHERE elementId(r) > $after RETURN elementId(r) AS id, r.props AS props ORDER BY id LIMIT 5000`,
            params: { after },
          }),
        );
        if (!rows.length) break;
        const updates = rows.map((r) => {
          const props = JSON.parse((r.get('props') as string | null) ?? '{}') as Props;
          const value = props[prop];
          return [r.get('id') as string, typeof value === 'string' ? value : null];
        });
        await this.write('layout upgrade', (tx) =>
          tx.run(`UNWIND $rows AS row MATCH ()-[r:${relTypeOf(kind)}]->() WHERE elementId(r) = row[0] SET r.p_${prop} = row[1]`, { rows: updates }),
        );
        after = updates[updates.length - 1]![0] as string;
      }
    }
  }

  // ------------------------------------------------------------------------------------------ large writes

  /**
   * Applies what committed large writes left unapplied (a writer that died, or one still applying: appliers take
   * turns per entry, and each entry is applied once), and removes the staging data of writes that never
   * committed and have been left alone for an hour. Called before every write, so that writes apply in the order
   * they committed, and on connect.
   */
  async rollForward(): Promise<void> {
    const pending = await this.read('journal check', (tx) => Neo4jStore.records(tx, journal.pending()));
    for (const r of pending) {
      const id = r.get('id') as string;
      if (r.get('state') === 'committed') await this.applyRemaining(id);
      else if (Number(r.get('idleMs')) > ABANDONED_STAGING_MS) await this.discard(id);
    }
  }

  private async applyRemaining(id: string): Promise<void> {
    for (;;) {
      const done = await this.write('completing a committed write', async (tx) => {
        const [entry] = await Neo4jStore.records(tx, journal.claimNext(id));
        if (!entry) return true;
        await this.runStatements(tx, statementsOfEntry(entry.get('body') as string));
        return false;
      });
      if (done) break;
    }
    await this.write('completing a committed write', (tx) => Neo4jStore.records(tx, journal.finish(id)));
  }

  private async discard(id: string): Promise<void> {
    for (;;) {
      const [r] = await this.write('journal cleanup', (tx) => Neo4jStore.records(tx, journal.discardSome(id)));
      if (Number(r?.get('removed') ?? 0) === 0) break;
    }
    await this.write('journal cleanup', (tx) => Neo4jStore.records(tx, journal.discardHeader(id)));
  }

  /** Runs a group's statements in `tx`; each must report every row written, else the transaction is rolled back. */
  private async runStatements(tx: Tx, statements: readonly WriteStatement[]): Promise<void> {
    for (const st of statements) {
      const result = await tx.run(st.text, st.params);
      const written = Number(result.records[0]?.get('written') ?? 0);
      if (written !== st.expect) {
        throw new StoreError(`Neo4j write at ${this.location} wrote ${written} of ${st.expect} rows of one statement; nothing written`);
      }
    }
  }

  /** A batch over one transaction's bounds: staged, committed in one small transaction, then applied. */
  private async journaledWrite(groups: readonly WriteStatement[][]): Promise<void> {
    const id = randomUUID();
    try {
      await this.write('write (nothing written)', (tx) => tx.run(journal.create(id, groups.length).text, journal.create(id, groups.length).params));
      // Entries staged several to a transaction (up to a transaction's bytes): parts are small, staging need not be.
      const stage = async (entries: { seq: number; body: string }[]) => {
        const st = journal.stage(id, entries);
        await this.write('write (nothing written)', async (tx) => {
          const [r] = await Neo4jStore.records(tx, st);
          if (Number(r?.get('written') ?? 0) !== entries.length) throw new StoreError(`Neo4j write at ${this.location} lost its journal; nothing written`);
        });
      };
      let pending: { seq: number; body: string }[] = [];
      let bytes = 0;
      for (const [seq, group] of groups.entries()) {
        const body = entryBody(group);
        if (pending.length && bytes + body.length > this.bytesPerTransaction) {
          await stage(pending);
          pending = [];
          bytes = 0;
        }
        pending.push({ seq, body });
        bytes += body.length;
      }
      if (pending.length) await stage(pending);
      await this.write('write (nothing written)', async (tx) => {
        const [r] = await Neo4jStore.records(tx, journal.commit(id));
        if (Number(r?.get('written') ?? 0) !== 1) throw new StoreError(`Neo4j write at ${this.location} lost its journal; nothing written`);
      });
    } catch (err) {
      await this.discard(id).catch(() => undefined);
      throw err;
    }
    // Committed: from here on the write happens, by this writer or, should it die, by the next one.
    for (const [seq, group] of groups.entries()) {
      try {
        await this.write('write', async (tx) => {
          const [r] = await Neo4jStore.records(tx, journal.claim(id, seq));
          if (Number(r?.get('claimed') ?? 0) === 1) await this.runStatements(tx, group);
        });
      } catch (err) {
        throw new StoreError(
          `Neo4j write at ${this.location} is committed, but applying part ${seq + 1} of ${groups.length} failed (${err instanceof Error ? err.message : String(err)}); the next write to this store, or the next connect, completes it`,
          { cause: err },
        );
      }
    }
    await this.write('write', (tx) => Neo4jStore.records(tx, journal.finish(id)));
  }

  // ------------------------------------------------------------------------------------------ GraphStore

  async upsert(batch: RecordBatch, sync?: SyncContext): Promise<UpsertResult> {
    const valid = validateBatch(batch);
    const plan = planUpsert(valid, sync, new Date().toISOString());
    if (plan.statements.length === 0) return { nodes: 0, edges: 0 };
    await this.ensureSchema();
    await this.rollForward();
    const whole = groupTransactions(plan.statements, this.rowsPerTransaction, this.bytesPerTransaction);
    // Within the bounds: ONE transaction, all of the batch or none of it, as it was before bounds existed.
    if (whole.length === 1) await this.write('write (nothing written)', (tx) => this.runStatements(tx, whole[0]!));
    else {
      const rows = Math.min(this.rowsPerTransaction, ROWS_PER_PART);
      await this.journaledWrite(groupTransactions(plan.statements, rows, Math.min(this.bytesPerTransaction, BYTES_PER_PART)));
    }
    return { nodes: plan.nodes, edges: plan.edges };
  }

  async getNodes(keys: readonly string[]): Promise<GraphNode[]> {
    const unique = [...new Set(keys)];
    if (unique.length === 0) return [];
    return this.read('node lookup', async (tx) => {
      const out: GraphNode[] = [];
      for (let i = 0; i < unique.length; i += KEYS_PER_STATEMENT) {
        for (const r of await Neo4jStore.records(tx, getNodesStatement(unique.slice(i, i + KEYS_PER_STATEMENT)))) out.push(nodeOf(r));
      }
      return inOrder(out, compareNodes);
    });
  }

  async expand(req: ExpandRequest): Promise<GraphEdge[]> {
    const keys = [...new Set(req.keys)];
    if (keys.length === 0) return [];
    if (req.edgeKinds && req.edgeKinds.length === 0) return [];
    for (const k of req.edgeKinds ?? []) if (!isEdgeKind(k)) throw new UsageError(`unknown edge kind "${String(k).slice(0, 80)}"`);
    if (req.direction !== 'out' && req.direction !== 'in') throw new UsageError(`direction must be "out" or "in"`);
    const withProps = req.withProps ?? true;
    return this.read('expand', async (tx) => {
      const out: GraphEdge[] = [];
      for (let i = 0; i < keys.length; i += KEYS_PER_STATEMENT) {
        const st = expandStatement(keys.slice(i, i + KEYS_PER_STATEMENT), req.direction, req.edgeKinds, withProps);
        for (const r of await Neo4jStore.records(tx, st)) out.push(withProps ? edgeOf(r) : edgeEndsOnly(r));
      }
      return inOrder(out, compareEdges);
    });
  }

  async edgeEnds(kinds: readonly EdgeKind[], opts: EdgeEndsOptions = {}): Promise<EdgeEnds> {
    const wanted = checkEdgeEndKinds(kinds);
    if (wanted.length === 0) return opts.owners ? { from: [], kind: [], to: [], toOwner: [] } : { from: [], kind: [], to: [] };
    const ends = await this.read('edge ends', async (tx) => {
      const rows = await Neo4jStore.records(tx, edgeEndsStatement(wanted));
      return edgeEndsOf(rows.map((r) => [r.get('from') as string, r.get('kind') as EdgeKind, r.get('to') as string] as const));
    });
    // Owners follow from the keys: parsed here, as the rows arrive, rather than kept in the database.
    return opts.owners ? withEndOwners(ends) : ends;
  }

  /**
   * Level-synchronous: one query per level for the whole frontier (reachLevelStatement), all levels in one read
   * transaction. A store whose layout predates the flow-condition properties (an older aispm wrote it, and this
   * account could not upgrade it) is walked through expand instead, conditions tested on the client.
   */
  async reach(req: ReachRequest): Promise<Reachability> {
    checkReachRequest(req);
    if (this.layoutVersion > 0 && this.layoutVersion < 2) return reachByExpand((r) => this.expand(r), req);
    const level = reachLevelStatement(req.steps, req.withEdgeProps ?? false);
    return this.read('reachability', async (tx) => {
      const keys: string[] = [];
      const depths: number[] = [];
      const parents: number[] = [];
      const edges: (GraphEdge | undefined)[] = [];
      const idOf: (number | undefined)[] = [];
      const indexOf = new Map<string, number>();
      const done = (truncated: boolean, reason?: 'depth' | 'budget') => new ArrayReachability(keys, depths, parents, edges, truncated, reason);
      const starts = uniqueStarts(req);
      const ids = new Map<string, number>();
      for (let i = 0; i < starts.length; i += KEYS_PER_STATEMENT) {
        for (const r of await Neo4jStore.records(tx, reachStartsStatement(starts.slice(i, i + KEYS_PER_STATEMENT)))) ids.set(r.get('key') as string, r.get('id') as number);
      }
      for (const key of starts) {
        if (keys.length >= req.maxNodes) return done(true, 'budget');
        indexOf.set(key, keys.length);
        keys.push(key);
        depths.push(0);
        parents.push(-1);
        edges.push(undefined);
        idOf.push(ids.get(key));
      }
      let frontier = keys.map((_, i) => i);
      for (let depth = 0; frontier.length; depth++) {
        // The least edge into each node this level reaches, over every chunk of the frontier.
        const best = new Map<string, { id: number; tuple: [string, string, string, string, string]; via: unknown[] }>();
        const frontierIds = frontier.map((i) => idOf[i]).filter((id): id is number => id !== undefined);
        for (let i = 0; i < frontierIds.length; i += KEYS_PER_STATEMENT) {
          const params = { ...level.params, frontier: frontierIds.slice(i, i + KEYS_PER_STATEMENT).map((id) => neo4j.int(id)) };
          for (const r of await Neo4jStore.records(tx, { text: level.text, params })) {
            const key = r.get('key') as string;
            const via = r.get('via') as unknown[];
            const tuple: [string, string, string, string, string] = [via[0] as string, via[1] as string, key, via[2] as string, via[3] as string];
            const seen = best.get(key);
            if (!seen || compareSteps(tuple, seen.tuple) < 0) best.set(key, { id: r.get('id') as number, tuple, via });
          }
        }
        const reachedNow = [...best.values()].filter((b) => !indexOf.has(b.tuple[2])).sort((a, b) => compareSteps(a.tuple, b.tuple));
        if (depth === req.maxDepth) return reachedNow.length ? done(true, 'depth') : done(false);
        const next: number[] = [];
        for (const { id, tuple, via } of reachedNow) {
          if (keys.length >= req.maxNodes) return done(true, 'budget');
          const [near, kind, far, direction, source] = tuple;
          next.push(keys.length);
          indexOf.set(far, keys.length);
          keys.push(far);
          depths.push(depth + 1);
          parents.push(indexOf.get(near)!);
          idOf.push(id);
          const ends = direction === 'out' ? { from: near, to: far } : { from: far, to: near };
          edges.push(
            req.withEdgeProps
              ? { kind: kind as EdgeKind, ...ends, source, evidence: (via[4] as string | null) ?? '', confidence: ((via[5] as string | null) ?? 'declared') as GraphEdge['confidence'], observedAt: via[6] as string, props: typeof via[7] === 'string' ? (JSON.parse(via[7]) as Props) : {} }
              : { kind: kind as EdgeKind, ...ends, source, props: NO_PROPS, evidence: '', confidence: 'declared', observedAt: '' },
          );
        }
        frontier = next;
      }
      return done(false);
    });
  }

  async find(query: FindQuery): Promise<Page<GraphNode>> {
    const first = pageSize(query.first);
    if (query.kind !== undefined && !isNodeKind(query.kind)) throw new UsageError(`unknown node kind "${String(query.kind).slice(0, 80)}"`);
    const st = findStatement({
      kind: query.kind,
      where: query.where,
      text: query.text || undefined,
      afterKey: query.after ? decodeCursor(query.after) : undefined,
      limit: first + 1,
    });
    const rows = await this.read('find', (tx) => Neo4jStore.records(tx, st));
    const items = rows.slice(0, first).map(nodeOf);
    return { items, hasNextPage: rows.length > first, endCursor: items.length ? encodeCursor(items[items.length - 1]!.key) : null };
  }

  /** Through the `p_`/`j_` property indexes (neo4j-prop-index.ts; created before the first write). */
  async findNodesByProp(query: NodePropQuery): Promise<GraphNode[]> {
    const q = checkNodePropQuery(query);
    if (q.kinds?.length === 0 || q.equals?.length === 0) return [];
    const st = nodesByPropStatement(q.prop, q.kinds, q.equals);
    const rows = await this.read('property lookup', (tx) => Neo4jStore.records(tx, st));
    return inOrder(rows.map(nodeOf), compareNodes);
  }

  /** Through the text index on the edges' props; the value test and a nested match are settled here. */
  async findEdgesByProp(query: EdgePropQuery): Promise<GraphEdge[]> {
    const q = checkEdgePropQuery(query);
    if (q.kinds?.length === 0 || q.equals?.length === 0) return [];
    const st = edgesByPropStatement(q.prop, q.kinds);
    const rows = await this.read('property lookup', (tx) => Neo4jStore.records(tx, st));
    const edges = rows.map(edgeOf).filter((e) => Object.hasOwn(e.props, q.prop) && propMatches(e.props[q.prop], q.equals));
    return inOrder(edges, compareEdges);
  }

  async removeStale(sync: SyncContext): Promise<StaleRemoval> {
    await this.ensureSchema();
    await this.rollForward();
    const plan = removeStaleStatements(sync);
    return this.write('stale removal', async (tx) => {
      let edgesRemoved = 0;
      for (const st of plan.edges) edgesRemoved += (await tx.run(st.text, st.params).summary()).counters.updates().relationshipsDeleted;
      const nodesRemoved = (await tx.run(plan.nodes.text, plan.nodes.params).summary()).counters.updates().nodesDeleted;
      return { edgesRemoved, nodesRemoved };
    });
  }

  async stats(): Promise<StoreStats> {
    const rows = await this.read('stats', (tx) => Neo4jStore.records(tx, statsStatement()));
    const nodesByKind: StoreStats['nodesByKind'] = {};
    const edgesByKind: StoreStats['edgesByKind'] = {};
    let nodes = 0;
    let edges = 0;
    const sorted = rows
      .map((r) => ({ what: r.get('what') as string, kind: r.get('kind') as string, n: Number(r.get('n')) }))
      .filter((r) => r.n > 0)
      .sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
    for (const r of sorted) {
      if (r.what === 'node') {
        nodesByKind[r.kind as NodeKind] = r.n;
        nodes += r.n;
      } else {
        edgesByKind[r.kind as EdgeKind] = r.n;
        edges += r.n;
      }
    }
    return { nodes, edges, nodesByKind, edgesByKind };
  }

  /**
   * Every node in key order, then every edge ordered by (from, kind, to, source), in pages of 1000 nodes, each
   * page its own read: unlike SQLite's export this is not one snapshot when writers run at the same time.
   */
  async *exportAll(): AsyncIterable<ExportItem> {
    for await (const page of this.nodePages()) {
      for (const r of page) {
        const properties = r.get('properties') as Record<string, unknown>;
        yield { type: 'node', node: nodeOf(r), ...ownerOf((name) => properties[name]) };
      }
    }
    for await (const page of this.nodePages()) {
      const keys = page.map((r) => r.get('key') as string);
      const rows = await this.read('export', (tx) => Neo4jStore.records(tx, edgesFromStatement(keys)));
      for (const r of rows) yield { type: 'edge', edge: edgeOf(r), ...ownerOf((name) => r.get(name)) };
    }

    /** The owning sync, from the syncSource, scope and syncId properties, when a sync wrote the record. */
    function ownerOf(get: (name: string) => unknown): { owner?: SyncContext } {
      const [source, scope, syncId] = [get('syncSource'), get('scope'), get('syncId')];
      return typeof source === 'string' && typeof scope === 'string' && typeof syncId === 'string' ? { owner: { source, scope, syncId } } : {};
    }
  }

  /** Node rows in key order, a page at a time. */
  private async *nodePages(): AsyncIterable<Row[]> {
    let after: string | undefined;
    for (;;) {
      const st = nodePageStatement(after, EXPORT_PAGE);
      const page = await this.read('export', (tx) => Neo4jStore.records(tx, st));
      if (page.length) yield page;
      if (page.length < EXPORT_PAGE) return;
      after = page[page.length - 1]!.get('key') as string;
    }
  }

  async getMeta(name: string): Promise<JsonValue | undefined> {
    const rows = await this.read('meta read', (tx) => Neo4jStore.records(tx, getMetaStatement(`user:${name}`)));
    const value = rows[0]?.get('value') as string | null | undefined;
    return typeof value === 'string' ? (JSON.parse(value) as JsonValue) : undefined;
  }

  async setMeta(name: string, value: JsonValue): Promise<void> {
    await this.ensureSchema();
    const st = setMetaStatement(`user:${name}`, value);
    await this.write('meta write', async (tx) => {
      await tx.run(st.text, st.params);
    });
  }

  /** The counter every write transaction of any aispm process bumps as it commits. */
  async writeGeneration(): Promise<string> {
    const [r] = await this.read('write generation', (tx) => Neo4jStore.records(tx, writeGenerationStatement()));
    return String(r?.get('value') ?? 0);
  }

  async close(): Promise<void> {
    await this.driver.close();
  }

  // ------------------------------------------------------------------------------------------ raw Cypher

  /**
   * Runs an analyst's Cypher read-only. Two locks: the query runs in a READ transaction (on a cluster the server
   * routes it to a reader and refuses writes), and before that its `EXPLAIN` must come back with queryType 'r'
   * (read-only) and no LOAD CSV — because a single instance has, in some versions, let writes through a READ
   * session. Procedures are classified by the mode they declare; a READ procedure is trusted to only read.
   */
  async runReadOnlyCypher(query: string, params: Record<string, JsonValue> = {}, opts: RawCypherOptions = {}): Promise<RawCypherResult> {
    const text = query.trim();
    if (!text) throw new UsageError('empty Cypher query');
    if (/^(EXPLAIN|PROFILE)\b/i.test(text)) {
      throw new UsageError('leave out EXPLAIN/PROFILE: the query is explained first anyway, to check that it only reads');
    }
    const maxRows = opts.maxRows ?? 1000;
    const timeout = opts.timeoutMs ?? 30_000;
    const cypherParams = toCypherParams(params);
    const session = this.session('READ');
    try {
      const summary = await session.executeRead((tx) => tx.run(`EXPLAIN ${text}`, cypherParams).summary(), { timeout });
      const refusal = readOnlyRefusal(summary.queryType, planOperators(summary.plan));
      if (refusal) throw new UsageError(refusal);
      return await session.executeRead(
        async (tx) => {
          const result = tx.run(text, cypherParams);
          const rows: Record<string, unknown>[] = [];
          let truncated = false;
          for await (const record of result) {
            if (rows.length >= maxRows) {
              truncated = true;
              break;
            }
            rows.push(Object.fromEntries(record.keys.map((k) => [String(k), toPlain(record.get(k))])));
          }
          const keys = (await result.keys()).map(String);
          return { keys, rows, truncated };
        },
        { timeout },
      );
    } catch (err) {
      if (err instanceof AispmError || err instanceof StoreError) throw err;
      const code = (err as { code?: string }).code ?? '';
      // Syntax errors, unknown functions, forbidden writes: the analyst's query, not a store failure.
      if (/^Neo\.ClientError\.(Statement|Request|Procedure|Security\.Forbidden)/.test(code)) {
        throw new UsageError(`Cypher refused by Neo4j: ${reason(err)}`, { cause: err });
      }
      throw this.failure('raw Cypher', err);
    } finally {
      await session.close().catch(() => undefined);
    }
  }
}

// ------------------------------------------------------------------------------------------ helpers

type Row = { get(key: string): unknown };

function nodeOf(r: Row): GraphNode {
  return { key: r.get('key') as string, kind: r.get('kind') as NodeKind, props: decodeProps(r.get('properties') as Record<string, unknown>) };
}

function edgeOf(r: Row): GraphEdge {
  const props = r.get('props');
  return {
    kind: r.get('kind') as EdgeKind,
    from: r.get('from') as string,
    to: r.get('to') as string,
    props: typeof props === 'string' ? (JSON.parse(props) as Props) : {},
    source: r.get('source') as string,
    evidence: (r.get('evidence') as string | null) ?? '',
    confidence: ((r.get('confidence') as string | null) ?? 'declared') as GraphEdge['confidence'],
    observedAt: r.get('observedAt') as string,
  };
}

/** An edge read without its props (expand's `withProps: false`): the contract's defaults for the rest. */
function edgeEndsOnly(r: Row): GraphEdge {
  return { kind: r.get('kind') as EdgeKind, from: r.get('from') as string, to: r.get('to') as string, props: NO_PROPS, source: '', evidence: '', confidence: 'declared', observedAt: '' };
}

/** The URI for the driver and for messages, with any `user:password@` taken out (and used as the credentials). */
export function splitCredentials(uri: string, user: string, password: string): { driverUri: string; safeUri: string; user: string; password: string } {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new StoreError(`invalid Neo4j URI "${redact(uri).slice(0, 200)}"`);
  }
  if (url.username || url.password) {
    const u = decodeURIComponent(url.username) || user;
    const p = url.password ? decodeURIComponent(url.password) : password;
    url.username = '';
    url.password = '';
    return { driverUri: url.toString(), safeUri: url.toString(), user: u, password: p };
  }
  return { driverUri: uri, safeUri: uri, user, password };
}

/** Retries `fn` on transient failures for up to RETRY_BUDGET_MS, with jittered exponential backoff. */
async function retrying<T>(fn: () => Promise<T>): Promise<T> {
  const start = Date.now();
  let delay = 100;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (!neo4j.isRetryableError(err) || isOutOfMemory(err) || Date.now() - start + delay > RETRY_BUDGET_MS) throw err;
      await new Promise((r) => setTimeout(r, delay * (0.5 + Math.random())));
      delay = Math.min(delay * 2, 3000);
    }
  }
}

const codeOf = (err: unknown): string => String((err as { code?: unknown } | null)?.code ?? '');

/** `Neo.TransientError.General.MemoryPoolOutOfMemoryError` (transaction memory) and its relatives. */
export function isOutOfMemory(err: unknown): boolean {
  return /OutOfMemory/i.test(codeOf(err));
}

function isForbidden(err: unknown): boolean {
  return /^Neo\.ClientError\.Security\./.test(codeOf(err));
}

/** A concurrent creator made the same constraint or index first. */
function isAlreadyExists(err: unknown): boolean {
  return /^Neo\.ClientError\.Schema\.(EquivalentSchemaRuleAlreadyExists|ConstraintAlreadyExists|IndexAlreadyExists)/.test(codeOf(err));
}

function reason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return redact(message.split('\n')[0] ?? message);
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whole numbers go to Cypher as integers (a JS number is sent as a float, which LIMIT, range() and the like refuse). */
function toCypherParams(params: Record<string, JsonValue>): Record<string, unknown> {
  const conv = (v: JsonValue): unknown => {
    if (typeof v === 'number') return Number.isSafeInteger(v) ? neo4j.int(v) : v;
    if (Array.isArray(v)) return v.map(conv);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, conv(x)]));
    return v;
  };
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, conv(v)]));
}

/** Driver values as plain JSON for printing: nodes, relationships, paths, integers, temporal and spatial values. */
export function toPlain(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v !== 'object') return v;
  if (neo4j.isInt(v)) return v.inSafeRange() ? v.toNumber() : v.toString();
  if (neo4j.isNode(v)) return { elementId: v.elementId, labels: v.labels, properties: toPlain(v.properties) };
  if (neo4j.isRelationship(v)) {
    return { elementId: v.elementId, type: v.type, start: v.startNodeElementId, end: v.endNodeElementId, properties: toPlain(v.properties) };
  }
  if (neo4j.isPath(v)) return { start: toPlain(v.start), end: toPlain(v.end), segments: v.segments.map((s) => ({ start: toPlain(s.start), relationship: toPlain(s.relationship), end: toPlain(s.end) })) };
  if (
    neo4j.isPoint(v) || neo4j.isDuration(v) || neo4j.isDate(v) || neo4j.isDateTime(v) ||
    neo4j.isLocalDateTime(v) || neo4j.isTime(v) || neo4j.isLocalTime(v)
  ) {
    return String(v);
  }
  if (Array.isArray(v)) return v.map(toPlain);
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, toPlain(x)]));
}
