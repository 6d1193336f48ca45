/**
 * Pure builders of the Cypher the Neo4j store runs, and the property encoding it uses. Kept apart from the driver
 * so that they can be tested without a server: every value travels as a parameter; the only things ever spliced
 * into Cypher text are labels from NODE_KINDS and relationship types from EDGE_KINDS (Cypher cannot take those as
 * parameters in every Neo4j 5 release), each checked against its whitelist right where it is spliced.
 *
 * Storage layout (documented for analysts in services/store/README.md):
 *  - node: labels `:Node` and `:<Kind>`; properties `key`, `kind`, the sync owner `syncSource`/`scope`/`syncId`,
 *    and one Neo4j property per top-level record property: `p_<name>` holding the value itself when Neo4j can
 *    store it (string, number, boolean, or a non-empty list of one of those), else `j_<name>` holding its JSON
 *    text (objects, mixed or nested lists, empty lists). One property per record property makes the contract's
 *    shallow merge a single `SET n += $map` (a null in the map removes the property), so a write never reads a
 *    node first and two writers cannot lose each other's updates.
 *  - edge: relationship type = edge kind; properties `source`, `evidence`, `confidence`, `observedAt`, `props`
 *    (the record's props as JSON text, replaced whole on every write, as in SQLite) and the sync owner.
 *  - meta: `(:AispmMeta {name, value})`, value as JSON text.
 */
import neo4j from 'neo4j-driver';
import { EDGE_KINDS, EDGE_SPECS, NODE_KINDS, isEdgeKind, isNodeKind, type EdgeKind, type NodeKind } from '../../schema/model.ts';
import { kindOfKey } from '../../schema/keys.ts';
import type { EdgeRecord, JsonValue, NodeRecord, Props, SyncContext } from '../../schema/records.ts';
import type { Direction, ReachStep } from '../../schema/store.ts';
import { overlayProps, setOwn, sortedProps, whereClauses, withoutNulls } from './common.ts';

export interface Statement {
  text: string;
  params: Record<string, unknown>;
}

/** Every aispm node carries it, so that a key lookup with an unknown kind is still an index seek. */
export const NODE_LABEL = 'Node';
export const META_LABEL = 'AispmMeta';
/** A large write's header and its journal entries (see "journal" below); no analysis ever reads them. */
export const WRITE_LABEL = 'AispmWrite';
export const JOURNAL_LABEL = 'AispmJournal';
/** Record property `x` is stored as `p_x` (native value) or `j_x` (JSON text); no internal property starts so. */
export const NATIVE_PREFIX = 'p_';
export const JSON_PREFIX = 'j_';
/**
 * Bumped when the layout above changes; stored in `(:AispmMeta {name: 'schema_version'})`. v2: large writes go
 * through a journal (`:AispmWrite`, `:AispmJournal`) that an older aispm would not complete.
 */
export const NEO4J_SCHEMA_VERSION = 2;

/** The label for a node kind, refused unless it is one of NODE_KINDS (it is spliced into Cypher text). */
export function labelOf(kind: string): NodeKind {
  if (!isNodeKind(kind)) throw new Error(`not a node kind: ${JSON.stringify(kind).slice(0, 80)}`);
  return kind;
}

/** The relationship type for an edge kind, refused unless it is one of EDGE_KINDS (it is spliced into Cypher text). */
export function relTypeOf(kind: string): EdgeKind {
  if (!isEdgeKind(kind)) throw new Error(`not an edge kind: ${JSON.stringify(kind).slice(0, 80)}`);
  return kind;
}

/** Integers Cypher insists on (LIMIT); the driver would send a plain JS number as a float. */
const int = (n: number) => neo4j.int(n);

// ---------------------------------------------------------------------------------------------------- properties

function nativeValue(v: JsonValue): boolean {
  if (typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v) && v.length > 0) {
    const t = typeof v[0];
    if (t !== 'string' && t !== 'number' && t !== 'boolean') return false;
    return v.every((x) => typeof x === t && (t !== 'number' || Number.isFinite(x as number)));
  }
  return false;
}

/**
 * The `SET n += $map` map for a props patch: each property written to one of `p_`/`j_` and cleared from the other;
 * a null removes both.
 */
export function encodeProps(patch: Props): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(patch)) {
    const native = NATIVE_PREFIX + name;
    const json = JSON_PREFIX + name;
    if (value === null) {
      out[native] = null;
      out[json] = null;
    } else if (nativeValue(value)) {
      out[native] = value;
      out[json] = null;
    } else {
      out[native] = null;
      out[json] = JSON.stringify(value);
    }
  }
  return out;
}

/** Record props back from a node's Neo4j properties, in the contract's name order (Neo4j keeps its own). */
export function decodeProps(properties: Record<string, unknown>): Props {
  const out: Props = {};
  for (const [k, v] of Object.entries(properties)) {
    if (k.startsWith(NATIVE_PREFIX)) setOwn(out, k.slice(NATIVE_PREFIX.length), v as JsonValue);
    else if (k.startsWith(JSON_PREFIX) && typeof v === 'string') setOwn(out, k.slice(JSON_PREFIX.length), JSON.parse(v) as JsonValue);
  }
  return sortedProps(out);
}

// ---------------------------------------------------------------------------------------------------- schema

/** Constraint and index DDL, by name. Names are fixed so that `SHOW` tells what exists. */
export function schemaStatements(): { name: string; type: 'constraint' | 'index'; text: string }[] {
  const out: { name: string; type: 'constraint' | 'index'; text: string }[] = [];
  const constraint = (name: string, label: string, prop: string) =>
    out.push({ name, type: 'constraint', text: `CREATE CONSTRAINT ${name} IF NOT EXISTS FOR (n:${label}) REQUIRE n.${prop} IS UNIQUE` });
  constraint('aispm_node_key', NODE_LABEL, 'key');
  for (const kind of NODE_KINDS) constraint(`aispm_${labelOf(kind).toLowerCase()}_key`, kind, 'key');
  constraint('aispm_meta_name', META_LABEL, 'name');
  constraint('aispm_write_id', WRITE_LABEL, 'id');
  out.push({
    name: 'aispm_journal_entry',
    type: 'index',
    text: `CREATE INDEX aispm_journal_entry IF NOT EXISTS FOR (n:${JOURNAL_LABEL}) ON (n.write, n.seq)`,
  });
  // Sync ownership: removeStale looks nodes and edges up by (syncSource, scope).
  out.push({
    name: 'aispm_node_sync',
    type: 'index',
    text: `CREATE INDEX aispm_node_sync IF NOT EXISTS FOR (n:${NODE_LABEL}) ON (n.syncSource, n.scope)`,
  });
  for (const kind of EDGE_KINDS) {
    const name = `aispm_${relTypeOf(kind).toLowerCase()}_sync`;
    out.push({ name, type: 'index', text: `CREATE INDEX ${name} IF NOT EXISTS FOR ()-[r:${kind}]-() ON (r.syncSource, r.scope)` });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------- upsert

/** Rows per UNWIND statement, and the bytes of row data it may carry: one statement is one Bolt message. */
export const ROWS_PER_STATEMENT = 5000;
export const BYTES_PER_STATEMENT = 4 * 1024 * 1024;

/**
 * What one statement of a write does. The Cypher text is rebuilt from this (labels and types checked against the
 * whitelists) rather than stored, so a journal entry read back from the database never supplies Cypher.
 */
export type WriteOp = { type: 'nodes'; kind: NodeKind } | { type: 'edges'; kind: EdgeKind; from: NodeKind; to: NodeKind };

export interface WriteStatement extends Statement {
  op: WriteOp;
  /** Rows the statement must report written; fewer means the write went wrong and is rolled back. */
  expect: number;
  /** Approximate bytes of row data, for bounding transactions. */
  bytes: number;
}

export interface UpsertPlan {
  /** In order: nodes per label, then edges per (type, from label, to label). */
  statements: WriteStatement[];
  nodes: number;
  edges: number;
}

/** The sync owner set on what a write under a sync context touches; nothing when there is no sync. */
function ownerSet(alias: string): string {
  return `${alias}.syncSource = $syncSource, ${alias}.scope = $scope, ${alias}.syncId = $syncId`;
}

/**
 * Node rows are `[key, values, removals]` (lists cost the driver and the server about half of what maps do per
 * row): `values` the encoded properties to set, `removals` the names to clear (a null in the record, and the
 * other representation of each property set). A new node has nothing to clear, so only an existing one pays
 * for the removals.
 */
export function nodeUpsertText(kind: NodeKind, owned: boolean): string {
  const label = labelOf(kind);
  return [
    'UNWIND $rows AS row',
    `MERGE (n:${label} {key: row[0]})`,
    `ON CREATE SET n:${NODE_LABEL}, n.kind = $kind, n += row[1]`,
    'ON MATCH SET n += row[1], n += row[2]',
    ...(owned ? [`SET ${ownerSet('n')}`] : []),
    'RETURN count(n) AS written',
  ].join('\n');
}

const PROPERTY_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The edge property a kind's flow condition tests (MEMBER_OF: `role`), if any. Besides the `props` JSON, that
 * property is kept as a relationship property of its own, `p_<name>` (a string, or absent), so that reachability
 * can test it inside Cypher. The name comes from the model and is checked where it is spliced.
 */
export function flowProp(kind: EdgeKind): string | undefined {
  const prop = EDGE_SPECS[relTypeOf(kind)].flowWhen?.prop;
  if (prop !== undefined && !PROPERTY_NAME.test(prop)) throw new Error(`flow condition property of ${kind} is not a plain name`);
  return prop;
}

/**
 * One statement per (relationship type, from label, to label): each end is MERGEd on its own label's key
 * constraint, so an end that is not a node yet becomes a stub in the same statement (no separate stub pass, and a
 * statement can never find an end missing). Edge rows are `[from, to, source, evidence, confidence, observedAt,
 * props JSON, flow property value]`.
 */
export function edgeUpsertText(kind: EdgeKind, from: NodeKind, to: NodeKind, owned: boolean): string {
  const type = relTypeOf(kind);
  const flow = flowProp(kind);
  const end = (alias: string, label: NodeKind, param: string) => [
    `MERGE (${alias}:${labelOf(label)} {key: row[${alias === 'a' ? 0 : 1}]})`,
    `ON CREATE SET ${alias}:${NODE_LABEL}, ${alias}.kind = $${param}, ${alias}.${NATIVE_PREFIX}stub = true${owned ? `, ${ownerSet(alias)}` : ''}`,
  ];
  return [
    'UNWIND $rows AS row',
    ...end('a', from, 'fromKind'),
    ...end('b', to, 'toKind'),
    `MERGE (a)-[r:${type} {source: row[2]}]->(b)`,
    'ON CREATE SET r.observedAt = coalesce(row[5], $now)',
    'SET r.evidence = row[3], r.confidence = row[4], r.props = row[6],',
    `    r.observedAt = coalesce(row[5], r.observedAt)${flow ? `, r.${NATIVE_PREFIX}${flow} = row[7]` : ''}${owned ? `, ${ownerSet('r')}` : ''}`,
    'RETURN count(r) AS written',
  ].join('\n');
}

/** The text for a statement of a plan or a journal entry; throws unless every label and type is whitelisted. */
export function writeText(op: WriteOp, owned: boolean): string {
  return op.type === 'nodes' ? nodeUpsertText(op.kind, owned) : edgeUpsertText(op.kind, op.from, op.to, owned);
}

/**
 * The statements for one validated batch. Nodes repeated in a batch are merged first (in order, as SQLite does)
 * so each is written once; a full record clears `stub`.
 */
export function planUpsert(batch: { nodes: NodeRecord[]; edges: EdgeRecord[] }, sync: SyncContext | undefined, now: string): UpsertPlan {
  // The sync owns all it writes; without one, each record's own owner (an import of an export), else nothing.
  // Rows are grouped by owner too, since a statement sets one owner: a sync's batch is still one group.
  const ownerOf = (record: { owner?: SyncContext }): SyncContext | undefined => sync ?? record.owner;
  const merged = new Map<string, { kind: NodeKind; props: Props; owner: SyncContext | undefined }>();
  for (const n of batch.nodes) {
    const prev = merged.get(n.key);
    // Nulls are kept through this merge, so that they still remove the property from what the store holds.
    merged.set(n.key, {
      kind: n.kind,
      props: prev ? overlayProps(prev.props, n.props ?? {}) : { ...(n.props ?? {}) },
      owner: n.owner || !prev ? ownerOf(n) : prev.owner,
    });
  }
  const statements: WriteStatement[] = [];
  const add = (op: WriteOp, owner: SyncContext | undefined, rows: unknown[], bytes: number, params: Record<string, unknown>) =>
    statements.push({ op, text: writeText(op, owner !== undefined), params: { rows, ...params, ...ownerParams(owner) }, expect: rows.length, bytes });

  type NodeRow = [string, Record<string, unknown>, Record<string, null>];
  const nodeRows = new Map<NodeKind, Map<string, { owner: SyncContext | undefined; rows: NodeRow[] }>>();
  for (const [key, { kind, props, owner }] of merged) {
    const explicit: Props = { ...props };
    if (explicit.stub === undefined) explicit.stub = null; // a full record is no longer a stub
    const values: Record<string, unknown> = {};
    const removals: Record<string, null> = {};
    for (const [name, value] of Object.entries(encodeProps(explicit))) {
      if (value === null) removals[name] = null;
      else values[name] = value;
    }
    let byOwner = nodeRows.get(kind);
    if (!byOwner) nodeRows.set(kind, (byOwner = new Map()));
    const id = ownerId(owner);
    let g = byOwner.get(id);
    if (!g) byOwner.set(id, (g = { owner, rows: [] }));
    g.rows.push([key, values, removals]);
  }
  for (const kind of NODE_KINDS) {
    const byOwner = nodeRows.get(kind);
    if (!byOwner) continue;
    for (const id of [...byOwner.keys()].sort()) {
      const { owner, rows } = byOwner.get(id)!;
      for (const chunk of chunked(rows, (r) => r[0].length + approxBytes(r[1]) + approxBytes(r[2]))) {
        add({ type: 'nodes', kind }, owner, chunk.rows, chunk.bytes, { kind });
      }
    }
  }

  type EdgeRow = [string, string, string, string, string, string | null, string, string | null];
  const edgeRows = new Map<string, { op: WriteOp; owner: SyncContext | undefined; rows: EdgeRow[] }>();
  // An edge listed twice in a batch is written once, as SQLite's two upserts in a row leave it: the last record's
  // evidence, confidence and props, and the last observedAt given.
  const seen = new Map<string, EdgeRow>();
  for (const e of batch.edges) {
    const id = `${e.from}\u0000${e.kind}\u0000${e.to}\u0000${e.source}`;
    const flow = flowProp(e.kind);
    const tested = flow === undefined ? undefined : e.props?.[flow];
    const row: EdgeRow = [
      e.from, e.to, e.source, e.evidence ?? '', e.confidence ?? 'declared', e.observedAt ?? null,
      JSON.stringify(withoutNulls(e.props ?? {})), typeof tested === 'string' ? tested : null,
    ];
    const earlier = seen.get(id);
    if (earlier) {
      earlier.splice(3, 5, row[3], row[4], row[5] ?? earlier[5], row[6], row[7]);
      continue;
    }
    seen.set(id, row);
    const from = kindOfKey(e.from);
    const to = kindOfKey(e.to);
    if (!from || !to) throw new Error(`edge end of ${e.from.slice(0, 200)} → ${e.to.slice(0, 200)} matches no node kind`); // validation prevents this
    const owner = ownerOf(e);
    const group = `${e.kind} ${from} ${to}\u0000${ownerId(owner)}`;
    let g = edgeRows.get(group);
    if (!g) edgeRows.set(group, (g = { op: { type: 'edges', kind: e.kind, from, to }, owner, rows: [] }));
    g.rows.push(row);
  }
  // A fixed order (by type, then labels, then owner), so the same batch is always the same statements.
  for (const id of [...edgeRows.keys()].sort()) {
    const { op, owner, rows } = edgeRows.get(id)!;
    if (op.type !== 'edges') continue;
    for (const chunk of chunked(rows, (r) => r[0].length + r[1].length + r[2].length + r[3].length + r[6].length + 40)) {
      add(op, owner, chunk.rows, chunk.bytes, { now, fromKind: op.from, toKind: op.to });
    }
  }
  return { statements, nodes: merged.size, edges: batch.edges.length };
}

/** The parameters ownerSet reads; none without an owner (the statement then leaves ownership as it was). */
function ownerParams(owner: SyncContext | undefined): Record<string, string> {
  return owner ? { syncSource: owner.source, scope: owner.scope, syncId: owner.syncId } : {};
}

/** A grouping id for an owner; the empty string for none, so unowned rows sort first. */
function ownerId(owner: SyncContext | undefined): string {
  return owner ? `${owner.source}\u0000${owner.scope}\u0000${owner.syncId}` : '';
}

/** Rows cut into statements of at most ROWS_PER_STATEMENT rows and (but for a single big row) BYTES_PER_STATEMENT. */
function chunked<T>(rows: T[], sizeOf: (row: T) => number): { rows: T[]; bytes: number }[] {
  const out: { rows: T[]; bytes: number }[] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const row of rows) {
    const size = sizeOf(row);
    if (current.length && (current.length >= ROWS_PER_STATEMENT || bytes + size > BYTES_PER_STATEMENT)) {
      out.push({ rows: current, bytes });
      current = [];
      bytes = 0;
    }
    current.push(row);
    bytes += size;
  }
  if (current.length) out.push({ rows: current, bytes });
  return out;
}

/** A rough size of a value as the server holds it: strings by length, scalars a few bytes. */
function approxBytes(value: unknown): number {
  if (typeof value === 'string') return value.length + 8;
  if (value === null || typeof value !== 'object') return 8;
  let total = 16;
  if (Array.isArray(value)) for (const v of value) total += approxBytes(v);
  else for (const k in value) total += k.length + approxBytes((value as Record<string, unknown>)[k]);
  return total;
}

/**
 * Statements grouped into transactions of at most `maxRows` rows and `maxBytes` bytes (a statement is never
 * split), in plan order. One group: the batch is one transaction, as before. More: a journaled write.
 */
export function groupTransactions<T extends { expect: number; bytes: number }>(statements: readonly T[], maxRows: number, maxBytes: number): T[][] {
  const groups: T[][] = [];
  let current: T[] = [];
  let rows = 0;
  let bytes = 0;
  for (const st of statements) {
    if (current.length && (rows + st.expect > maxRows || bytes + st.bytes > maxBytes)) {
      groups.push(current);
      current = [];
      rows = 0;
      bytes = 0;
    }
    current.push(st);
    rows += st.expect;
    bytes += st.bytes;
  }
  if (current.length) groups.push(current);
  return groups;
}

// ---------------------------------------------------------------------------------------------------- journal
//
// A batch too big for one transaction is a journaled write (services/store/README.md, "Large writes"):
//   1. staging: a header (:AispmWrite {state: 'staging'}) and one (:AispmJournal {write, seq, body}) per
//      transaction group, body = the group's statements as JSON ({op, params}); nothing in the graph changes;
//   2. commit point: one small transaction sets the header's state to 'committed';
//   3. apply: each group in its own transaction, which first locks the header (so appliers of one write take
//      turns) and deletes its journal entry (so each group is applied exactly once), then runs the statements;
//   4. the header is deleted when no entry is left.
// A writer that dies before 2 leaves only staging data, which nothing reads and which is removed later; one that
// dies after 2 leaves a committed write, which the next writer (or the next connect) applies before anything
// else. So a write is all or nothing, whatever the size, while no transaction exceeds the bounds.

/** A staging write untouched for this long belongs to a writer that died; its entries are removed. */
export const ABANDONED_STAGING_MS = 60 * 60_000;

export interface JournalBody {
  op: WriteOp;
  params: Record<string, unknown>;
}

export const journal = {
  create: (id: string, entries: number): Statement => ({
    text: `CREATE (w:${WRITE_LABEL} {id: $id, state: 'staging', entries: $entries, createdAt: timestamp(), touchedAt: timestamp()})`,
    params: { id, entries: int(entries) },
  }),
  stage: (id: string, entries: { seq: number; body: string }[]): Statement => ({
    text: [
      `MATCH (w:${WRITE_LABEL} {id: $id, state: 'staging'}) SET w.touchedAt = timestamp()`,
      'WITH w UNWIND $entries AS e',
      `CREATE (:${JOURNAL_LABEL} {write: $id, seq: e.seq, body: e.body})`,
      'RETURN count(*) AS written',
    ].join('\n'),
    params: { id, entries: entries.map((e) => ({ seq: int(e.seq), body: e.body })) },
  }),
  commit: (id: string): Statement => ({
    text: `MATCH (w:${WRITE_LABEL} {id: $id, state: 'staging'}) SET w.state = 'committed', w.committedAt = timestamp() RETURN count(w) AS written`,
    params: { id },
  }),
  /** Locks the header, then claims entry `seq` (deletes it): `claimed` 1 when this transaction is to apply it. */
  claim: (id: string, seq: number): Statement => ({
    text: [
      `MATCH (w:${WRITE_LABEL} {id: $id}) SET w.touchedAt = timestamp()`,
      `WITH w OPTIONAL MATCH (j:${JOURNAL_LABEL} {write: $id, seq: $seq})`,
      'DELETE j',
      'RETURN count(j) AS claimed',
    ].join('\n'),
    params: { id, seq: int(seq) },
  }),
  /** Locks the header, then claims the first entry left, returning its body (no row when none is left). */
  claimNext: (id: string): Statement => ({
    text: [
      `MATCH (w:${WRITE_LABEL} {id: $id, state: 'committed'}) SET w.touchedAt = timestamp()`,
      `WITH w MATCH (j:${JOURNAL_LABEL} {write: $id})`,
      'WITH j ORDER BY j.seq LIMIT 1',
      'WITH j, j.seq AS seq, j.body AS body',
      'DELETE j',
      'RETURN seq, body',
    ].join('\n'),
    params: { id },
  }),
  finish: (id: string): Statement => ({
    text: `MATCH (w:${WRITE_LABEL} {id: $id}) WHERE NOT EXISTS { MATCH (j:${JOURNAL_LABEL} {write: $id}) } DELETE w`,
    params: { id },
  }),
  pending: (): Statement => ({
    text: `MATCH (w:${WRITE_LABEL}) RETURN w.id AS id, w.state AS state, timestamp() - w.touchedAt AS idleMs ORDER BY w.committedAt, w.createdAt, w.id`,
    params: {},
  }),
  /** Removes up to 1000 entries of a write that never committed; `removed` 0 means none are left. */
  discardSome: (id: string): Statement => ({
    text: `MATCH (j:${JOURNAL_LABEL} {write: $id}) WITH j LIMIT 1000 DELETE j RETURN count(*) AS removed`,
    params: { id },
  }),
  discardHeader: (id: string): Statement => ({
    text: `MATCH (w:${WRITE_LABEL} {id: $id, state: 'staging'}) DELETE w`,
    params: { id },
  }),
};

/** A journal entry's statements, rebuilt: the ops are checked and the Cypher text is generated here, never read. */
export function statementsOfEntry(body: string): WriteStatement[] {
  const parsed = JSON.parse(body) as JournalBody[];
  return parsed.map(({ op, params }) => {
    const rows = params.rows as unknown[];
    const owned = typeof params.syncSource === 'string';
    // JSON keeps every value the write statements take (they take no Cypher integers), so params round-trip.
    return { op, text: writeText(op, owned), params, expect: rows.length, bytes: 0 };
  });
}

export function entryBody(statements: readonly WriteStatement[]): string {
  return JSON.stringify(statements.map((st): JournalBody => ({ op: st.op, params: st.params })));
}

// ---------------------------------------------------------------------------------------------------- reads

const NODE_RETURN = 'RETURN n.key AS key, n.kind AS kind, properties(n) AS properties';
const EDGE_RETURN =
  'RETURN type(r) AS kind, a.key AS from, b.key AS to, r.props AS props, r.source AS source, r.evidence AS evidence, r.confidence AS confidence, r.observedAt AS observedAt';
/** An edge's ends alone, for an expand whose caller reads no more (`withProps: false`). */
const EDGE_ENDS_RETURN = 'RETURN type(r) AS kind, a.key AS from, b.key AS to';

export function getNodesStatement(keys: readonly string[]): Statement {
  return { text: `UNWIND $keys AS k\nMATCH (n:${NODE_LABEL} {key: k})\n${NODE_RETURN}`, params: { keys: [...keys] } };
}

/**
 * One query for a whole frontier. The frontier end is looked up through the `:Node` key index; the relationship
 * types, when given, are spelled in the pattern so the planner expands only those types. Without props only the
 * ends travel: reading five properties per relationship, sending them and parsing `props` was two fifths of the
 * time of an expand (10,000 write grants at scale 0.25: ≈ 350 → 210 ms on the 5.13 server here).
 */
export function expandStatement(keys: readonly string[], direction: 'out' | 'in', edgeKinds?: readonly EdgeKind[], withProps = true): Statement {
  const types = edgeKinds ? `:${edgeKinds.map(relTypeOf).join('|')}` : '';
  const pattern =
    direction === 'out'
      ? `MATCH (a:${NODE_LABEL} {key: k})-[r${types}]->(b)`
      : `MATCH (b:${NODE_LABEL} {key: k})<-[r${types}]-(a)`;
  return { text: `UNWIND $keys AS k\n${pattern}\n${withProps ? EDGE_RETURN : EDGE_ENDS_RETURN}`, params: { keys: [...keys] } };
}

/**
 * Every edge of these kinds as (from, kind, to), each once (DISTINCT folds an edge several sources recorded); the
 * relationship types are spelled in the pattern from the checked kinds. Ordered by the caller, by code units.
 */
export function edgeEndsStatement(kinds: readonly EdgeKind[]): Statement {
  const types = kinds.map(relTypeOf).join('|');
  return { text: `MATCH (a:${NODE_LABEL})-[r:${types}]->(b:${NODE_LABEL})\nRETURN DISTINCT a.key AS from, type(r) AS kind, b.key AS to`, params: {} };
}

// ---------------------------------------------------------------------------------------------------- reach

/** Start keys → internal node ids (valid within the read transaction that runs the levels). */
export function reachStartsStatement(keys: readonly string[]): Statement {
  return { text: `UNWIND $keys AS k\nMATCH (n:${NODE_LABEL} {key: k})\nRETURN k AS key, id(n) AS id`, params: { keys: [...keys] } };
}

/**
 * One level of a reachability, for the whole frontier (`$frontier`: internal ids) in one query: every edge the
 * steps allow — relationship types spelled in the pattern, a flow condition tested on the edge's own `p_<prop>`
 * property — reduced on the server to one row per node reached, carrying the least edge that reaches it by the
 * contract's (near key, kind, direction, source) order. Which of those nodes are new is the caller's business:
 * the set of nodes already reached stays on the client rather than travelling with every level.
 */
export function reachLevelStatement(steps: readonly ReachStep[], withEdgeProps: boolean): Statement {
  const groups = new Map<Direction, Map<EdgeKind, ReachStep['when'] | null>>();
  for (const step of steps) {
    const kinds = groups.get(step.direction) ?? new Map<EdgeKind, ReachStep['when'] | null>();
    if (!step.when) kinds.set(step.kind, null);
    else if (kinds.get(step.kind) !== null) kinds.set(step.kind, step.when);
    groups.set(step.direction, kinds);
  }
  const params: Record<string, unknown> = {};
  const branches: string[] = [];
  for (const [direction, kinds] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const types = [...kinds.keys()].map(relTypeOf).join('|');
    const pattern = direction === 'out' ? `(a)-[r:${types}]->(b)` : `(a)<-[r:${types}]-(b)`;
    const conditional = [...kinds].filter((entry): entry is [EdgeKind, NonNullable<ReachStep['when']>] => entry[1] !== null);
    let where = '';
    if (conditional.length) {
      const d = direction;
      params[`${d}_conditional`] = conditional.map(([k]) => k);
      const tests = conditional.map(([kind, when], i) => {
        if (flowProp(kind) !== when.prop) throw new Error(`${kind} keeps no property ${when.prop} to test`);
        params[`${d}_k${i}`] = kind;
        params[`${d}_p${i}`] = NATIVE_PREFIX + when.prop;
        // p_<prop> holds the value only when it is a string (edgeUpsertText), so IS NULL is "not a string".
        if ('in' in when) {
          params[`${d}_v${i}`] = [...when.in];
          return `(type(r) = $${d}_k${i} AND toLower(r[$${d}_p${i}]) IN $${d}_v${i})`;
        }
        params[`${d}_v${i}`] = [...when.notIn];
        return `(type(r) = $${d}_k${i} AND (r[$${d}_p${i}] IS NULL OR NOT toLower(r[$${d}_p${i}]) IN $${d}_v${i}))`;
      });
      where = `\n  WHERE NOT type(r) IN $${d}_conditional OR ${tests.join(' OR ')}`;
    }
    branches.push(`  WITH a\n  MATCH ${pattern}${where}\n  RETURN r, b, '${direction}' AS dir`);
  }
  if (!branches.length) return { text: 'RETURN 1 AS id, null AS key, null AS via LIMIT 0', params };
  const extra = withEdgeProps ? ', r.evidence, r.confidence, r.observedAt, r.props' : '';
  const text = [
    'UNWIND $frontier AS id',
    'MATCH (a) WHERE id(a) = id',
    'CALL {',
    branches.join('\n  UNION ALL\n'),
    '}',
    // min() of lists compares them element by element: the least (near key, kind, direction, source), with no sort.
    `WITH b, min([a.key, type(r), dir, r.source${extra}]) AS via`,
    'RETURN id(b) AS id, b.key AS key, via',
  ].join('\n');
  return { text, params };
}

/** `where` values that SQLite's json_extract comparison treats as equal (it stores booleans as 1 and 0). */
export function whereCandidates(value: string | number | boolean): (string | number | boolean)[] {
  if (typeof value === 'boolean') return [value, value ? 1 : 0];
  if (value === 1) return [1, true];
  if (value === 0) return [0, false];
  return [value];
}

export interface FindPlanInput {
  kind?: string;
  where?: Record<string, string | number | boolean>;
  text?: string;
  /** A decoded cursor: the last key of the previous page. */
  afterKey?: string;
  /** Rows to fetch (page size + 1). */
  limit: number;
}

/**
 * find: label scan (the kind's label, else `:Node`) filtered, ordered by key, keyset-paged. `where` names a
 * top-level property; it is read with `n[$w0]` (the stored property name is a parameter, never text); text is a
 * case-insensitive CONTAINS on the key or name (CONTAINS has no wildcards, so `%` and `_` are literal).
 */
export function findStatement(q: FindPlanInput): Statement {
  const label = q.kind === undefined ? NODE_LABEL : labelOf(q.kind);
  const conds: string[] = [];
  const params: Record<string, unknown> = { limit: int(q.limit) };
  if (q.afterKey !== undefined) {
    conds.push('n.key > $after');
    params.after = q.afterKey;
  }
  whereClauses(q.where).forEach(({ name, value }, i) => {
    conds.push(`n[$w${i}] IN $v${i}`);
    params[`w${i}`] = NATIVE_PREFIX + name;
    params[`v${i}`] = whereCandidates(value);
  });
  if (q.text) {
    conds.push(`(toLower(n.key) CONTAINS toLower($text) OR toLower(n.${NATIVE_PREFIX}name) CONTAINS toLower($text))`);
    params.text = q.text;
  }
  const where = conds.length ? `\nWHERE ${conds.join('\n  AND ')}` : '';
  return { text: `MATCH (n:${label})${where}\n${NODE_RETURN}\nORDER BY n.key\nLIMIT $limit`, params };
}

/** A page of node keys in key order (export pages nodes, then edges by their `from` node). */
export function nodePageStatement(afterKey: string | undefined, limit: number): Statement {
  return afterKey === undefined
    ? { text: `MATCH (n:${NODE_LABEL})\n${NODE_RETURN}\nORDER BY n.key\nLIMIT $limit`, params: { limit: int(limit) } }
    : { text: `MATCH (n:${NODE_LABEL})\nWHERE n.key > $after\n${NODE_RETURN}\nORDER BY n.key\nLIMIT $limit`, params: { after: afterKey, limit: int(limit) } };
}

/** For export: the edges out of a page of nodes, each with its sync owner. */
export function edgesFromStatement(keys: readonly string[]): Statement {
  return {
    text: `UNWIND $keys AS k\nMATCH (a:${NODE_LABEL} {key: k})-[r]->(b)\n${EDGE_RETURN}, r.syncSource AS syncSource, r.scope AS scope, r.syncId AS syncId\nORDER BY a.key, type(r), b.key, r.source`,
    params: { keys: [...keys] },
  };
}

/** Counts per label and per relationship type, each answered from Neo4j's count store. */
export function statsStatement(): Statement {
  const parts = [
    ...NODE_KINDS.map((k) => `MATCH (n:${labelOf(k)}) RETURN 'node' AS what, '${k}' AS kind, count(n) AS n`),
    ...EDGE_KINDS.map((k) => `MATCH ()-[r:${relTypeOf(k)}]->() RETURN 'edge' AS what, '${k}' AS kind, count(r) AS n`),
  ];
  return { text: parts.join('\nUNION ALL\n'), params: {} };
}

// ---------------------------------------------------------------------------------------------------- stale

/** Per relationship type, so each uses that type's (syncSource, scope) index; run together in one transaction. */
export function removeStaleStatements(sync: SyncContext): { edges: Statement[]; nodes: Statement } {
  const params = { source: sync.source, scope: sync.scope, syncId: sync.syncId };
  const edges = EDGE_KINDS.map((k) => ({
    text: `MATCH ()-[r:${relTypeOf(k)}]->()\nWHERE r.syncSource = $source AND r.scope = $scope AND r.syncId <> $syncId\nDELETE r`,
    params,
  }));
  const nodes = {
    text: `MATCH (n:${NODE_LABEL})\nWHERE n.syncSource = $source AND n.scope = $scope AND n.syncId <> $syncId\n  AND NOT EXISTS { (n)--() }\nDELETE n`,
    params,
  };
  return { edges, nodes };
}

// ---------------------------------------------------------------------------------------------------- meta

export function getMetaStatement(name: string): Statement {
  return { text: `MATCH (m:${META_LABEL} {name: $name}) RETURN m.value AS value`, params: { name } };
}

/** The write generation's counter: bumped by every write transaction just before it commits (GraphStore.writeGeneration). */
const WRITE_GENERATION = 'write_generation';

export function bumpWriteGenerationStatement(): Statement {
  return { text: `MERGE (m:${META_LABEL} {name: $name}) SET m.value = coalesce(m.value, 0) + 1`, params: { name: WRITE_GENERATION } };
}

export function writeGenerationStatement(): Statement {
  return { text: `OPTIONAL MATCH (m:${META_LABEL} {name: $name}) RETURN coalesce(m.value, 0) AS value`, params: { name: WRITE_GENERATION } };
}

export function setMetaStatement(name: string, value: JsonValue): Statement {
  return { text: `MERGE (m:${META_LABEL} {name: $name}) SET m.value = $value`, params: { name, value: JSON.stringify(value) } };
}

// ---------------------------------------------------------------------------------------------------- raw Cypher

/** Plan operators refused in analysts' raw Cypher even though the planner calls the query read-only. */
export const REFUSED_OPERATORS = ['LoadCSV'] as const;

/** Operator names in an EXPLAIN plan tree, without the `@neo4j` runtime suffix. */
export function planOperators(plan: { operatorType: string; children?: unknown[] } | false | null | undefined): string[] {
  if (!plan) return [];
  const out: string[] = [];
  const walk = (p: { operatorType: string; children?: unknown[] }) => {
    out.push(p.operatorType.replace(/@.*$/, ''));
    for (const c of p.children ?? []) walk(c as { operatorType: string; children?: unknown[] });
  };
  walk(plan);
  return out;
}

/**
 * Why a raw query may not run, from its EXPLAIN summary; undefined when it is read-only. The queryType letter is
 * the server's own classification: 'r' read-only, 'rw' read-write, 'w' write-only, 's' schema write.
 */
export function readOnlyRefusal(queryType: string, operators: readonly string[]): string | undefined {
  if (queryType !== 'r') {
    // 's' covers administration commands too (SHOW USERS, dbms.listConfig): the server reports them so.
    const what = { rw: 'reads and writes', w: 'writes', s: 'is a schema or administration command' }[queryType] ?? `is of type "${queryType}"`;
    return `refused: the query ${what}; raw Cypher is read-only`;
  }
  const bad = operators.filter((o) => (REFUSED_OPERATORS as readonly string[]).includes(o));
  if (bad.length) return `refused: the query uses ${[...new Set(bad)].join(', ')}, which reads files or URLs from the database server`;
  return undefined;
}
