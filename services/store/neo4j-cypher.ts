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
import { EDGE_KINDS, NODE_KINDS, isEdgeKind, isNodeKind, type EdgeKind, type NodeKind } from '../../schema/model.ts';
import { kindOfKey } from '../../schema/keys.ts';
import type { EdgeRecord, JsonValue, Props, SyncContext } from '../../schema/records.ts';
import { mergeProps, whereClauses } from './common.ts';

export interface Statement {
  text: string;
  params: Record<string, unknown>;
}

/** Every aispm node carries it, so that a key lookup with an unknown kind is still an index seek. */
export const NODE_LABEL = 'Node';
export const META_LABEL = 'AispmMeta';
/** Record property `x` is stored as `p_x` (native value) or `j_x` (JSON text); no internal property starts so. */
export const NATIVE_PREFIX = 'p_';
export const JSON_PREFIX = 'j_';
/** Rows per UNWIND statement; a batch is still one transaction, this only bounds one message's size. */
export const ROWS_PER_STATEMENT = 5000;
/** Bumped when the layout above changes; stored in `(:AispmMeta {name: 'schema_version'})`. */
export const NEO4J_SCHEMA_VERSION = 1;

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

/** Record props back from a node's Neo4j properties. */
export function decodeProps(properties: Record<string, unknown>): Props {
  const out: Props = {};
  for (const [k, v] of Object.entries(properties)) {
    if (k.startsWith(NATIVE_PREFIX)) out[k.slice(NATIVE_PREFIX.length)] = v as JsonValue;
    else if (k.startsWith(JSON_PREFIX) && typeof v === 'string') out[k.slice(JSON_PREFIX.length)] = JSON.parse(v) as JsonValue;
  }
  return out;
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

function chunks<T>(rows: T[], size = ROWS_PER_STATEMENT): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

function ownerParams(sync: SyncContext | undefined): Record<string, string | null> {
  return { syncSource: sync?.source ?? null, scope: sync?.scope ?? null, syncId: sync?.syncId ?? null };
}

export function nodeUpsertText(kind: NodeKind): string {
  const label = labelOf(kind);
  return [
    'UNWIND $rows AS row',
    `MERGE (n:${label} {key: row.key})`,
    `ON CREATE SET n:${NODE_LABEL}, n.kind = $kind`,
    'SET n += row.set,',
    '    n.syncSource = coalesce($syncSource, n.syncSource),',
    '    n.scope = coalesce($scope, n.scope),',
    '    n.syncId = coalesce($syncId, n.syncId)',
    'RETURN count(n) AS written',
  ].join('\n');
}

export function stubText(kind: NodeKind): string {
  const label = labelOf(kind);
  return [
    'UNWIND $keys AS k',
    `MERGE (n:${label} {key: k})`,
    `ON CREATE SET n:${NODE_LABEL}, n.kind = $kind, n.${NATIVE_PREFIX}stub = true,`,
    '    n.syncSource = $syncSource, n.scope = $scope, n.syncId = $syncId',
    'RETURN count(n) AS written',
  ].join('\n');
}

export function edgeUpsertText(kind: EdgeKind): string {
  const type = relTypeOf(kind);
  return [
    'UNWIND $rows AS row',
    `MATCH (a:${NODE_LABEL} {key: row.from})`,
    `MATCH (b:${NODE_LABEL} {key: row.to})`,
    `MERGE (a)-[r:${type} {source: row.source}]->(b)`,
    'ON CREATE SET r.observedAt = coalesce(row.observedAt, $now)',
    'SET r.evidence = row.evidence, r.confidence = row.confidence, r.props = row.props,',
    '    r.observedAt = coalesce(row.observedAt, r.observedAt),',
    '    r.syncSource = coalesce($syncSource, r.syncSource),',
    '    r.scope = coalesce($scope, r.scope),',
    '    r.syncId = coalesce($syncId, r.syncId)',
    'RETURN count(r) AS written',
  ].join('\n');
}

export interface UpsertPlan {
  /** Statements in order: nodes per label, then stubs per label, then edges per type. */
  statements: (Statement & { expect: number })[];
  nodes: number;
  edges: number;
}

/**
 * The statements for one validated batch, to be run in ONE write transaction. Nodes repeated in a batch are
 * merged first (in order, as SQLite does) so each is written once; a full record clears `stub`.
 * Each statement says how many rows it must report written; fewer means an edge end went missing.
 */
export function planUpsert(batch: { nodes: { kind: NodeKind; key: string; props?: Props }[]; edges: EdgeRecord[] }, sync: SyncContext | undefined, now: string): UpsertPlan {
  const owner = ownerParams(sync);
  const merged = new Map<string, { kind: NodeKind; props: Props }>();
  for (const n of batch.nodes) {
    const prev = merged.get(n.key);
    merged.set(n.key, { kind: n.kind, props: prev ? mergeProps(prev.props, n.props ?? {}) : { ...(n.props ?? {}) } });
  }
  const statements: UpsertPlan['statements'] = [];

  const nodeRows = new Map<NodeKind, { key: string; set: Record<string, unknown> }[]>();
  for (const [key, { kind, props }] of merged) {
    const explicit: Props = { ...props };
    if (explicit.stub === undefined) explicit.stub = null; // a full record is no longer a stub
    const rows = nodeRows.get(kind) ?? [];
    rows.push({ key, set: encodeProps(explicit) });
    nodeRows.set(kind, rows);
  }
  for (const kind of NODE_KINDS) {
    for (const rows of chunks(nodeRows.get(kind) ?? [])) {
      statements.push({ text: nodeUpsertText(kind), params: { rows, kind, ...owner }, expect: rows.length });
    }
  }

  const stubKeys = new Map<NodeKind, Set<string>>();
  for (const e of batch.edges) {
    for (const key of [e.from, e.to]) {
      if (merged.has(key)) continue;
      const kind = kindOfKey(key);
      if (!kind) throw new Error(`edge end ${key.slice(0, 200)} matches no node kind`); // validation prevents this
      const set = stubKeys.get(kind) ?? new Set<string>();
      set.add(key);
      stubKeys.set(kind, set);
    }
  }
  for (const kind of NODE_KINDS) {
    for (const keys of chunks([...(stubKeys.get(kind) ?? [])])) {
      statements.push({ text: stubText(kind), params: { keys, kind, ...owner }, expect: keys.length });
    }
  }

  const edgeRows = new Map<EdgeKind, Record<string, unknown>[]>();
  for (const e of batch.edges) {
    const rows = edgeRows.get(e.kind) ?? [];
    rows.push({
      from: e.from,
      to: e.to,
      source: e.source,
      evidence: e.evidence ?? '',
      confidence: e.confidence ?? 'declared',
      observedAt: e.observedAt ?? null,
      props: JSON.stringify(dropNulls(e.props ?? {})),
    });
    edgeRows.set(e.kind, rows);
  }
  for (const kind of EDGE_KINDS) {
    for (const rows of chunks(edgeRows.get(kind) ?? [])) {
      statements.push({ text: edgeUpsertText(kind), params: { rows, now, ...owner }, expect: rows.length });
    }
  }
  return { statements, nodes: merged.size, edges: batch.edges.length };
}

function dropNulls(props: Props): Props {
  const out: Props = {};
  for (const [k, v] of Object.entries(props)) if (v !== null) out[k] = v;
  return out;
}

// ---------------------------------------------------------------------------------------------------- reads

const NODE_RETURN = 'RETURN n.key AS key, n.kind AS kind, properties(n) AS properties';
const EDGE_RETURN =
  'RETURN type(r) AS kind, a.key AS from, b.key AS to, r.props AS props, r.source AS source, r.evidence AS evidence, r.confidence AS confidence, r.observedAt AS observedAt';

export function getNodesStatement(keys: readonly string[]): Statement {
  return { text: `UNWIND $keys AS k\nMATCH (n:${NODE_LABEL} {key: k})\n${NODE_RETURN}`, params: { keys: [...keys] } };
}

/**
 * One query for a whole frontier. The frontier end is looked up through the `:Node` key index; the relationship
 * types, when given, are spelled in the pattern so the planner expands only those types.
 */
export function expandStatement(keys: readonly string[], direction: 'out' | 'in', edgeKinds?: readonly EdgeKind[]): Statement {
  const types = edgeKinds ? `:${edgeKinds.map(relTypeOf).join('|')}` : '';
  const pattern =
    direction === 'out'
      ? `MATCH (a:${NODE_LABEL} {key: k})-[r${types}]->(b)`
      : `MATCH (b:${NODE_LABEL} {key: k})<-[r${types}]-(a)`;
  return { text: `UNWIND $keys AS k\n${pattern}\n${EDGE_RETURN}`, params: { keys: [...keys] } };
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

export function edgesFromStatement(keys: readonly string[]): Statement {
  return {
    text: `UNWIND $keys AS k\nMATCH (a:${NODE_LABEL} {key: k})-[r]->(b)\n${EDGE_RETURN}\nORDER BY a.key, type(r), b.key, r.source`,
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
    const what = { rw: 'reads and writes', w: 'writes', s: 'changes the schema' }[queryType] ?? `is of type "${queryType}"`;
    return `refused: the query ${what}; raw Cypher is read-only`;
  }
  const bad = operators.filter((o) => (REFUSED_OPERATORS as readonly string[]).includes(o));
  if (bad.length) return `refused: the query uses ${[...new Set(bad)].join(', ')}, which reads files or URLs from the database server`;
  return undefined;
}
