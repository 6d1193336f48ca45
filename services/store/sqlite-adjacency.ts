/**
 * An in-process copy of the SQLite store's edge topology, for reachability without SQL: nodes numbered densely in
 * the contract's key order (so comparing two node numbers compares their keys), and for each direction the edges
 * in compressed sparse rows (offsets per node; per edge the far end's number, kind, source and edge rowid, and
 * for kinds whose flow has a condition the code of the property it tests), each node's edges sorted by
 * (kind, far end, source) — the order the contract breaks ties in.
 *
 * This module only builds and reads the structure; when it may be used (what invalidates it) is
 * sqlite-adjacency-cache.ts's job.
 */
import type Database from 'better-sqlite3';
import { EDGE_KINDS, EDGE_SPECS, type EdgeKind } from '../../schema/model.ts';
import type { GraphEdge } from '../../schema/records.ts';
import { depthKeyOrderOf, type Direction, type EdgeEnds, type EdgeEndsOptions, type ReachRequest, type Reachability } from '../../schema/store.ts';
import { NO_PROPS, compareText, internedOwnerName, uniqueStarts } from './common.ts';

/** Edges of one direction: those of node v are at [offsets[v], offsets[v + 1]) of the other columns. */
export interface Rows {
  offsets: Int32Array;
  far: Int32Array;
  kinds: Uint8Array;
  sources: Uint16Array;
  /** The edge's rowid in `edges`, to read its props for the edges an answer names. */
  edgeIds: Int32Array;
  /** For a kind with a flow condition: 1 + the code of the lower-cased string it tests; 0 when none. */
  conds: Uint16Array;
}

export interface Adjacency {
  /** Node number → key, in the contract's key order. */
  keys: string[];
  /** Key → node number, built on first use (numberOf): a copy loaded from its snapshot may never need it. */
  numberMap: Map<string, number> | undefined;
  /** Keys looked up by binary search so far: the map is built once they pass the number of nodes (see resolve). */
  searched: number;
  /** Kind code → kind name; codes follow name order, so comparing codes compares names. */
  kindNames: EdgeKind[];
  kindCodes: Map<string, number>;
  /** Source code → source, in name order. */
  sourceNames: string[];
  /** Per kind code: the property its flow condition tests (from the model), and the values seen (by code). */
  condProps: (string | undefined)[];
  condValues: string[];
  out: Rows;
  in: Rows;
  /** Dedupe marks: node v is marked when marks[v] === stamp. */
  marks: Uint32Array;
  stamp: number;
  /** The last frontier resolved to node numbers (see `resolve`). */
  lastFrontier: { keys: string[]; numbers: Int32Array } | undefined;
  /** The arcs each reach request's step table follows (see FlowRows): null once asked for, built the second time. */
  flows: Map<string, FlowRows | null>;
  /** Reused by every reach: a store answers one call at a time (it is synchronous from start to finish). */
  scratch: ReachScratch | undefined;
  edgeCount: number;
  /** The owner each node's key names (ownerNameOfKey), filled on first use, node by node (see ownerOfNode). */
  owners: KeyOwners | undefined;
  /** Per kind code, its edges' (from, to) node numbers (see endsByKind), built on first use. */
  endsByKind: Int32Array[] | undefined;
}

interface KeyOwners {
  /** Node number → owner; meaningful where `known` is 1. */
  names: (string | undefined)[];
  known: Uint8Array;
  /** One string per owner, so equal owners are the same string (quick to compare, hashed once). */
  interned: Map<string, string>;
}

/** Node rowids per edge-reading statement: bounds the temporary JSON text and arrays of one read. */
const SRC_RANGE = 262_144;
const MAX_SOURCES = 65_535;

/**
 * Reads every node key and edge (src, kind, dst, source, rowid) and builds both directions. Call inside a read
 * transaction so nodes and edges come from one snapshot. Returns undefined when the data cannot be coded (more
 * distinct edge sources than 65,535, or an edge kind the model does not know).
 *
 * Rows come back as one JSON array per column (json_group_array) rather than one JS row per record: at a few
 * hundred thousand rows, that is several times faster through better-sqlite3, and it reads covering indexes only.
 */
export function buildAdjacency(db: Database.Database): Adjacency | undefined {
  // Two aggregates of one query see the rows in the same order: position i is the same node in both.
  const [rowidJson, keyJson] = db
    .prepare(`SELECT json_group_array(id), json_group_array(key) FROM (SELECT id, key FROM nodes ORDER BY key)`)
    .raw(true)
    .get() as [string, string];
  let rowids = JSON.parse(rowidJson) as number[];
  let keys = JSON.parse(keyJson) as string[];
  // SQLite orders by code points, the contract by code units: they differ only around U+E000–U+FFFF and beyond.
  if (!inCodeUnitOrder(keys)) {
    const order = keys.map((_, i) => i).sort((a, b) => compareText(keys[a]!, keys[b]!));
    rowids = order.map((i) => rowids[i]!);
    keys = order.map((i) => keys[i]!);
  }
  const numberOfRowid = rowidNumbering(rowids);

  const kindNames = [...EDGE_KINDS].sort(compareText);
  const kindCodes = new Map<string, number>(kindNames.map((k, i) => [k, i]));
  const sourceNames = (db.prepare(`SELECT DISTINCT source FROM edges`).pluck().all() as string[]).sort(compareText);
  if (sourceNames.length > MAX_SOURCES) return undefined;
  const sourceCodes = new Map(sourceNames.map((s, i) => [s, i]));
  const condProps = kindNames.map((k) => EDGE_SPECS[k].flowWhen?.prop);
  const condValues: string[] = [];
  const condOf = conditionCodes(db, kindNames, condProps, condValues);

  const edges = new EdgeList();
  const read = db
    .prepare(
      `SELECT json_group_array(src), json_group_array(kind), json_group_array(dst), json_group_array(source), json_group_array(id)
       FROM edges WHERE src >= ? AND src < ?`,
    )
    .raw(true);
  // Range by range of src rowids, jumping over empty ranges, so that sparse rowids cost no empty reads.
  const firstSrc = db.prepare(`SELECT min(src) FROM edges WHERE src >= ?`).pluck();
  for (let lo = firstSrc.get(0) as number | null; lo !== null; lo = firstSrc.get(lo + SRC_RANGE) as number | null) {
    const [srcJson, kindJson, dstJson, sourceJson, idJson] = read.get(lo, lo + SRC_RANGE) as string[];
    const srcs = JSON.parse(srcJson!) as number[];
    const kinds = JSON.parse(kindJson!) as string[];
    const dsts = JSON.parse(dstJson!) as number[];
    const sources = JSON.parse(sourceJson!) as string[];
    const ids = JSON.parse(idJson!) as number[];
    for (let i = 0; i < srcs.length; i++) {
      const from = numberOfRowid(srcs[i]!);
      const to = numberOfRowid(dsts[i]!);
      if (from < 0 || to < 0) continue;
      const code = kindCodes.get(kinds[i]!);
      if (code === undefined) return undefined;
      edges.push(from, code, to, sourceCodes.get(sources[i]!)!, ids[i]!, condOf.get(ids[i]!) ?? 0);
    }
  }
  const n = keys.length;
  return {
    keys,
    numberMap: undefined,
    searched: 0,
    kindNames,
    kindCodes,
    sourceNames,
    condProps,
    condValues,
    out: toRows(n, edges, edges.src, edges.dst),
    in: toRows(n, edges, edges.dst, edges.src),
    marks: new Uint32Array(n),
    stamp: 0,
    lastFrontier: undefined,
    flows: new Map(),
    scratch: undefined,
    edgeCount: edges.length,
    owners: undefined,
    endsByKind: undefined,
  };
}

/** Key → node number. */
export function numberOf(adj: Adjacency): Map<string, number> {
  if (adj.numberMap) return adj.numberMap;
  const map = new Map<string, number>();
  for (let i = 0; i < adj.keys.length; i++) map.set(adj.keys[i]!, i);
  adj.numberMap = map;
  return map;
}

/**
 * One key's node number: from the map when it is built, else by binary search over the keys (numbered in the
 * contract's key order), so that a few lookups on a freshly loaded copy do not build a map of every key.
 */
export function numberOfKey(adj: Adjacency, key: string): number | undefined {
  if (adj.numberMap) return adj.numberMap.get(key);
  const at = searchKeys(adj.keys, key, 0, adj.keys.length - 1);
  return at >= 0 ? at : undefined;
}

/**
 * Binary search of the keys in [lo, hi]: the key's number, or -(insertion point + 1). Equality first — a key the
 * copy handed out is the very same string, compared by pointer, and keys of different lengths differ at once —
 * then one ordering comparison a step.
 */
function searchKeys(keys: readonly string[], key: string, lo: number, hi: number): number {
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const k = keys[mid]!;
    if (k === key) return mid;
    if (k < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return -(lo + 1);
}

/**
 * The key's number, searched forward from `from` (where the previous, lesser key was found or would be) by
 * doubling steps and then a binary search between the last two: keys looked up in ascending order — the nodes of a
 * level, the writers of a set of assets — cost a few comparisons each among neighbouring keys, rather than a full
 * search whose every step misses the CPU caches (at scale 1, 53k sorted keys: ≈ 110 ms by full searches).
 */
function searchKeysFrom(keys: readonly string[], key: string, from: number): number {
  const last = keys.length - 1;
  let lo = from;
  let step = 1;
  while (lo + step <= last && keys[lo + step]! < key) {
    lo += step;
    step *= 2;
  }
  return searchKeys(keys, key, lo, Math.min(lo + step, last));
}

function inCodeUnitOrder(keys: readonly string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (keys[i - 1]! > keys[i]!) return false;
  return true;
}

/**
 * Edge rowid → 1 + code of the lower-cased value its kind's flow condition tests, for the kinds that have one (a
 * scan of those kinds' edges only: few, and their props are not in any index).
 */
function conditionCodes(db: Database.Database, kindNames: readonly EdgeKind[], condProps: readonly (string | undefined)[], values: string[]): Map<number, number> {
  const propOf = new Map<string, string>();
  kindNames.forEach((kind, i) => condProps[i] && propOf.set(kind, condProps[i]!));
  const codes = new Map<string, number>();
  const out = new Map<number, number>();
  if (!propOf.size) return out;
  const rows = db
    .prepare(`SELECT id, kind, props FROM edges WHERE +kind IN (SELECT value FROM json_each(?))`)
    .raw(true)
    .iterate(JSON.stringify([...propOf.keys()])) as Iterable<[number, string, string]>;
  for (const [id, kind, props] of rows) {
    const value = (JSON.parse(props) as Record<string, unknown>)[propOf.get(kind)!];
    if (typeof value !== 'string') continue;
    const lower = value.toLowerCase();
    let code = codes.get(lower);
    if (code === undefined) {
      if (values.length >= 65_534) continue;
      code = values.length;
      values.push(lower);
      codes.set(lower, code);
    }
    out.set(id, code + 1);
  }
  return out;
}

/**
 * Rowid → node number, only while building; -1 for a rowid with no node (an edge to it is dropped, as the SQL
 * join drops it). Rowids are dense in practice (deletes leave gaps), so an array indexed by rowid is the fast
 * case; a Map covers a store whose rowids are far sparser than its nodes.
 */
function rowidNumbering(rowids: readonly number[]): (rowid: number) => number {
  let maxRowid = 0;
  for (const id of rowids) if (id > maxRowid) maxRowid = id;
  if (maxRowid <= Math.max(4 * rowids.length, 1 << 20)) {
    const table = new Int32Array(maxRowid + 1).fill(-1);
    for (let i = 0; i < rowids.length; i++) table[rowids[i]!] = i;
    return (rowid) => (rowid <= maxRowid ? table[rowid]! : -1);
  }
  const map = new Map<number, number>(rowids.map((id, i) => [id, i]));
  return (rowid) => map.get(rowid) ?? -1;
}

/** Growable columns of edges, for the build only. */
class EdgeList {
  src = new Int32Array(1024);
  dst = new Int32Array(1024);
  kind = new Uint8Array(1024);
  source = new Uint16Array(1024);
  id = new Int32Array(1024);
  cond = new Uint16Array(1024);
  length = 0;

  push(src: number, kind: number, dst: number, source: number, id: number, cond: number): void {
    if (this.length === this.src.length) this.grow();
    const i = this.length++;
    this.src[i] = src;
    this.kind[i] = kind;
    this.dst[i] = dst;
    this.source[i] = source;
    this.id[i] = id;
    this.cond[i] = cond;
  }

  private grow(): void {
    const size = this.src.length * 2;
    const grown = <T extends Int32Array | Uint8Array | Uint16Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(size);
      b.set(a);
      return b;
    };
    this.src = grown(this.src);
    this.dst = grown(this.dst);
    this.kind = grown(this.kind);
    this.source = grown(this.source);
    this.id = grown(this.id);
    this.cond = grown(this.cond);
  }
}

/**
 * The edges sorted by (near, kind, far, source): stable counting sorts from the last key to the first (source,
 * far, kind, near), then laid out as rows by `near`.
 */
function toRows(n: number, edges: EdgeList, near: Int32Array, far: Int32Array): Rows {
  const m = edges.length;
  let order = new Int32Array(m);
  for (let i = 0; i < m; i++) order[i] = i;
  let maxSource = 0;
  for (let i = 0; i < m; i++) if (edges.source[i]! > maxSource) maxSource = edges.source[i]!;
  order = countingSort(order, (i) => edges.source[i]!, maxSource + 1);
  order = countingSort(order, (i) => far[i]!, n);
  order = countingSort(order, (i) => edges.kind[i]!, 256);
  const offsets = new Int32Array(n + 1);
  for (let i = 0; i < m; i++) offsets[near[i]! + 1]!++;
  for (let v = 0; v < n; v++) offsets[v + 1]! += offsets[v]!;
  const fill = offsets.slice(0, n);
  const rows: Rows = {
    offsets,
    far: new Int32Array(m),
    kinds: new Uint8Array(m),
    sources: new Uint16Array(m),
    edgeIds: new Int32Array(m),
    conds: new Uint16Array(m),
  };
  for (const i of order) {
    const at = fill[near[i]!]!++;
    rows.far[at] = far[i]!;
    rows.kinds[at] = edges.kind[i]!;
    rows.sources[at] = edges.source[i]!;
    rows.edgeIds[at] = edges.id[i]!;
    rows.conds[at] = edges.cond[i]!;
  }
  return rows;
}

function countingSort(order: Int32Array, keyOf: (i: number) => number, range: number): Int32Array<ArrayBuffer> {
  const counts = new Int32Array(range + 1);
  for (const i of order) counts[keyOf(i) + 1]!++;
  for (let k = 0; k < range; k++) counts[k + 1]! += counts[k]!;
  const out = new Int32Array(order.length);
  for (const i of order) out[counts[keyOf(i)]!++] = i;
  return out;
}

/**
 * The same edges `expand` with `withProps: false` reads through SQL: every edge of the given kinds (all when
 * null) whose near end is in the frontier, once per frontier node however often it is listed, unknown keys
 * skipped. Props and provenance at the defaults the contract names for `withProps: false`.
 */
export function expandFromAdjacency(adj: Adjacency, keys: readonly string[], kinds: readonly EdgeKind[] | null, direction: Direction): GraphEdge[] {
  const rows = direction === 'out' ? adj.out : adj.in;
  const allowed = kinds === null ? null : allowedCodes(adj, kinds);
  const { offsets, far, kinds: codes } = rows;
  const { keys: keyOf, kindNames } = adj;
  const outward = direction === 'out';
  const frontier = resolve(adj, keys);
  let count = 0;
  for (const v of frontier) count += offsets[v + 1]! - offsets[v]!;
  // The contract's order is (from, kind, to), and node numbers and kind codes are in key and name order: so each
  // edge is one number, (from · kinds + kind) · nodes + to, and a numeric sort of those puts them in order — far
  // quicker than comparing the strings (sorting 15,000 write grants by key was nearly all of such an expand).
  const n = keyOf.length;
  const k = kindNames.length;
  const packable = n * n * k < Number.MAX_SAFE_INTEGER;
  const packed = new Float64Array(packable ? count : 0);
  const out: GraphEdge[] = [];
  let m = 0;
  for (const v of frontier) {
    for (let a = offsets[v]!, end = offsets[v + 1]!; a < end; a++) {
      const code = codes[a]!;
      if (allowed !== null && allowed[code] === 0) continue;
      const from = outward ? v : far[a]!;
      const to = outward ? far[a]! : v;
      if (packable) packed[m++] = (from * k + code) * n + to;
      else out.push(bareEdge(kindNames[code]!, keyOf[from]!, keyOf[to]!));
    }
  }
  if (!packable) return out;
  const sorted = packed.subarray(0, m).sort();
  for (let i = 0; i < m; i++) {
    const p = sorted[i]!;
    const to = p % n;
    const rest = (p - to) / n;
    const code = rest % k;
    out.push(bareEdge(kindNames[code]!, keyOf[(rest - code) / k]!, keyOf[to]!));
  }
  return out;
}

function bareEdge(kind: EdgeKind, from: string, to: string): GraphEdge {
  return { kind, from, to, props: NO_PROPS, source: '', evidence: '', confidence: 'declared', observedAt: '' };
}

/**
 * Every edge of the kinds as (from, kind, to), each once, in that order, read from the per-kind index (ends by
 * kind, built on first use): a kind's ends are listed by (from, to) there, so one kind is one pass over its own
 * edges, and several are merged by (from, kind) — never a walk over every node and edge of the graph.
 */
export function edgeEndsFromAdjacency(adj: Adjacency, kinds: readonly EdgeKind[], opts: EdgeEndsOptions = {}): EdgeEnds {
  const byKind = endsByKind(adj);
  const lists = kinds.map((k) => adj.kindCodes.get(k)).filter((c): c is number => c !== undefined).sort((a, b) => a - b).map((code) => ({ code, ends: byKind[code]! }));
  let count = 0;
  for (const l of lists) count += l.ends.length / 2;
  const { keys, kindNames } = adj;
  const from = new Array<string>(count);
  const kind = new Array<EdgeKind>(count);
  const to = new Array<string>(count);
  const owners = opts.owners ? ownersOf(adj) : undefined;
  const toOwner = owners ? new Array<string | undefined>(count) : undefined;
  // A k-way merge: the list whose next `from` is least (the lower code on a tie, as codes follow kind names) gives
  // all its ends from that node. One list is one run to the end.
  const at = lists.map(() => 0);
  let i = 0;
  while (i < count) {
    let best = -1;
    for (let j = 0; j < lists.length; j++) {
      if (at[j]! >= lists[j]!.ends.length) continue;
      if (best < 0 || lists[j]!.ends[at[j]!]! < lists[best]!.ends[at[best]!]!) best = j;
    }
    const { code, ends } = lists[best]!;
    const name = kindNames[code]!;
    const v = ends[at[best]!]!;
    let a = at[best]!;
    for (; a < ends.length && ends[a] === v; a += 2) {
      const w = ends[a + 1]!;
      from[i] = keys[v]!;
      kind[i] = name;
      to[i] = keys[w]!;
      if (toOwner) toOwner[i] = owners!.known[w] === 1 ? owners!.names[w] : ownerOfNode(owners!, keys, w);
      i++;
    }
    at[best] = a;
  }
  return toOwner ? { from, kind, to, toOwner } : { from, kind, to };
}

/**
 * Per kind code, the (from, to) node numbers of its edges, interleaved, in (from, to) order, an edge several sources
 * recorded once: read off the out rows, which are in (near, kind, far, source) order already.
 */
function endsByKind(adj: Adjacency): Int32Array[] {
  if (adj.endsByKind) return adj.endsByKind;
  const { offsets, far, kinds: codes } = adj.out;
  const n = adj.keys.length;
  const counts = new Int32Array(adj.kindNames.length);
  const scan = (each: (v: number, code: number, w: number) => void) => {
    for (let v = 0; v < n; v++) {
      let lastCode = -1;
      let lastFar = -1;
      for (let a = offsets[v]!, end = offsets[v + 1]!; a < end; a++) {
        const code = codes[a]!;
        const w = far[a]!;
        if (code === lastCode && w === lastFar) continue;
        lastCode = code;
        lastFar = w;
        each(v, code, w);
      }
    }
  };
  scan((_, code) => {
    counts[code] = counts[code]! + 1;
  });
  const lists = [...counts].map((c) => new Int32Array(2 * c));
  const filled = new Int32Array(counts.length);
  scan((v, code, w) => {
    const list = lists[code]!;
    list[filled[code]!++] = v;
    list[filled[code]!++] = w;
  });
  adj.endsByKind = lists;
  return lists;
}

function ownersOf(adj: Adjacency): KeyOwners {
  return (adj.owners ??= { names: new Array<string | undefined>(adj.keys.length), known: new Uint8Array(adj.keys.length), interned: new Map() });
}

/**
 * The owner node v's key names, parsed the first time it is asked for and kept with the copy: the copy is
 * replaced when the graph changes, and keys never change under a node number, so a kept owner is never stale.
 */
function ownerOfNode(owners: KeyOwners, keys: readonly string[], v: number): string | undefined {
  const owner = internedOwnerName(owners.interned, keys[v]!);
  owners.names[v] = owner;
  owners.known[v] = 1;
  return owner;
}

/**
 * The frontier keys that have at least one edge of the given kinds in that direction, each once. An expand that
 * needs props still goes to SQL, but only for these: most of a large frontier usually has no edge of the kinds
 * asked for (a MEMBER_OF step from a frontier of models), and each key costs SQL an index seek even when it finds
 * nothing.
 */
export function keysWithEdges(adj: Adjacency, keys: readonly string[], kinds: readonly EdgeKind[] | null, direction: Direction): string[] {
  const { offsets, kinds: codes } = direction === 'out' ? adj.out : adj.in;
  const allowed = kinds === null ? null : allowedCodes(adj, kinds);
  const kept: string[] = [];
  for (const v of resolve(adj, keys)) {
    for (let a = offsets[v]!, end = offsets[v + 1]!; a < end; a++) {
      if (allowed === null || allowed[codes[a]!] === 1) {
        kept.push(adj.keys[v]!);
        break;
      }
    }
  }
  return kept;
}

/**
 * Whether the copy can answer a reach request: every condition must test the property the model's condition for
 * that kind tests (the one whose values the copy holds).
 */
export function canReach(adj: Adjacency, req: ReachRequest): boolean {
  return req.steps.every((s) => !s.when || adj.condProps[adj.kindCodes.get(s.kind) ?? -1] === s.when.prop);
}

/** Per direction and kind code: 0 not followed, 1 followed, 2 followed when the edge's condition code is allowed. */
interface StepTable {
  out: Uint8Array;
  in: Uint8Array;
  /** Per direction and kind code, the allowed condition codes (1 + value code). */
  outConds: (Uint8Array | undefined)[];
  inConds: (Uint8Array | undefined)[];
}

function stepTable(adj: Adjacency, req: ReachRequest): StepTable {
  const k = adj.kindNames.length;
  const t: StepTable = { out: new Uint8Array(k), in: new Uint8Array(k), outConds: [], inConds: [] };
  for (const step of req.steps) {
    const code = adj.kindCodes.get(step.kind)!;
    const table = step.direction === 'out' ? t.out : t.in;
    const conds = step.direction === 'out' ? t.outConds : t.inConds;
    if (!step.when) {
      table[code] = 1;
      continue;
    }
    if (table[code] === 1) continue;
    table[code] = 2;
    const when = step.when;
    const allowed = (conds[code] ??= new Uint8Array(adj.condValues.length + 1));
    // Code 0: the edge holds no string there; `notIn` lets it through, `in` does not.
    if (!('in' in when)) allowed[0] = 1;
    adj.condValues.forEach((value, i) => {
      if ('in' in when ? when.in.includes(value) : !when.notIn.includes(value)) allowed[i + 1] = 1;
    });
  }
  return t;
}

/** depthKeyOrder indexes node numbers (an array over every node) only for an answer above 1/16 of the graph. */
const DENSE_ORDER_RATIO = 16;

/** A Reachability whose keys and edges are read from the copy as they are asked for. */
class AdjacencyReachability implements Reachability {
  constructor(
    private readonly adj: Adjacency,
    readonly keys: string[],
    /** Per index, the node's number in the copy (key order), or -1 for a start the store does not hold. */
    private readonly numbers: Int32Array,
    readonly depths: Int32Array,
    readonly parents: Int32Array,
    /** Per node: the tree edge's direction (1 out, 2 in, 0 none) and its position in that direction's rows. */
    private readonly viaDir: Uint8Array,
    private readonly viaArc: Int32Array,
    private readonly edgeProps: Map<number, Omit<GraphEdge, 'kind' | 'from' | 'to' | 'source'>> | undefined,
    readonly truncated: boolean,
    readonly reason?: 'depth' | 'budget',
  ) {}

  via(i: number): GraphEdge | undefined {
    const dir = this.viaDir[i]!;
    if (dir === 0) return undefined;
    const rows = dir === 1 ? this.adj.out : this.adj.in;
    const arc = this.viaArc[i]!;
    const near = this.keys[this.parents[i]!]!;
    const far = this.keys[i]!;
    const kind = this.adj.kindNames[rows.kinds[arc]!]!;
    const source = this.adj.sourceNames[rows.sources[arc]!]!;
    const [from, to] = dir === 1 ? [near, far] : [far, near];
    // Built field by field (no spread): a blast radius asks for tens of thousands of these.
    const rest = this.edgeProps?.get(rows.edgeIds[arc]!);
    if (!rest) return { kind, from, to, props: NO_PROPS, source, evidence: '', confidence: 'declared', observedAt: '' };
    return { kind, from, to, props: rest.props, source, evidence: rest.evidence, confidence: rest.confidence, observedAt: rest.observedAt };
  }

  /**
   * The starts (depth 0, any of them possibly unknown to the store) by key; every later node by (depth, node
   * number) — node numbers follow key order. A large answer packs (depth, number) into one float, sorts those as
   * numbers and maps each back through a node-number index; a small one on a large graph (where that index would
   * dwarf the answer) sorts its positions by comparing the two integers.
   */
  depthKeyOrder(): Int32Array {
    const { depths, numbers } = this;
    const count = this.keys.length;
    let starts = 0;
    while (starts < count && depths[starts] === 0) starts++;
    const order = new Int32Array(count);
    order.set(depthKeyOrderOf(this.keys, depths, 0, starts));
    if (starts === count) return order;
    const n = this.adj.keys.length;
    if (n > DENSE_ORDER_RATIO * count) {
      const rest = order.subarray(starts);
      for (let i = starts; i < count; i++) rest[i - starts] = i;
      rest.sort((a, b) => depths[a]! - depths[b]! || numbers[a]! - numbers[b]!);
      return order;
    }
    const indexOfNumber = new Int32Array(n);
    const packed = new Float64Array(count - starts);
    for (let i = starts; i < count; i++) {
      const v = numbers[i]!;
      indexOfNumber[v] = i;
      packed[i - starts] = depths[i]! * n + v;
    }
    packed.sort();
    for (let j = 0; j < packed.length; j++) order[starts + j] = indexOfNumber[packed[j]! % n]!;
    return order;
  }

  /** Edge rowids of the tree edges, for reading their props. */
  treeEdgeIds(): number[] {
    const ids: number[] = [];
    for (let i = 0; i < this.viaDir.length; i++) {
      const dir = this.viaDir[i]!;
      if (dir) ids.push((dir === 1 ? this.adj.out : this.adj.in).edgeIds[this.viaArc[i]!]!);
    }
    return ids;
  }
}

/**
 * Per node, the arcs one kind of reach request follows, in the order the reach loop takes them: both directions
 * merged by (kind, far end), `in` first on a tie, each direction already sorted so; arcs the request does not
 * follow (their kind, or their flow condition) are left out. Built once per step table and kept with the copy, so
 * a warm reach is a plain breadth-first walk over one array of arcs, as tight as the typed-array reference.
 */
export interface FlowRows {
  offsets: Int32Array;
  far: Int32Array;
  /** 1 out, 2 in: which direction's rows the arc is from. */
  dir: Uint8Array;
  /** The arc's position in that direction's rows (its kind, source and edge rowid are read from there). */
  arc: Int32Array;
}

/**
 * The positions start…end-1 of `order` whose node is known (not the -1 of an unknown start), ordered by node
 * number, in `out`. Sorting positions rather than node numbers gives each node's own position (the parent index of
 * what it reaches) without a node → position table, whose random writes and reads were a fifth of a warm reach.
 * A least-significant-digit radix sort on the node number (11-bit digits: two passes up to 4M nodes) into
 * buffers reused across levels and calls: TypedArray#sort had been half of a warm reach.
 */
function levelInKeyOrder(order: Int32Array, start: number, end: number, n: number, out: Int32Array, spare: Int32Array, counts: Int32Array): Int32Array {
  let a = out;
  let len = 0;
  for (let i = start; i < end; i++) if (order[i]! >= 0) a[len++] = i;
  if (len < 64) return insertionSorted(a.subarray(0, len), order);
  let b = spare;
  for (let shift = 0; shift < 32 && (shift === 0 || (n - 1) >>> shift > 0); shift += RADIX_BITS) {
    counts.fill(0);
    for (let i = 0; i < len; i++) counts[((order[a[i]!]! >> shift) & RADIX_MASK) + 1]!++;
    for (let d = 0; d < RADIX; d++) counts[d + 1]! += counts[d]!;
    for (let i = 0; i < len; i++) {
      const p = a[i]!;
      b[counts[(order[p]! >> shift) & RADIX_MASK]!++] = p;
    }
    [a, b] = [b, a];
  }
  return a.subarray(0, len);
}

function insertionSorted(positions: Int32Array, order: Int32Array): Int32Array {
  for (let i = 1; i < positions.length; i++) {
    const p = positions[i]!;
    const v = order[p]!;
    let j = i - 1;
    while (j >= 0 && order[positions[j]!]! > v) {
      positions[j + 1] = positions[j]!;
      j--;
    }
    positions[j + 1] = p;
  }
  return positions;
}

const RADIX_BITS = 11;
const RADIX = 1 << RADIX_BITS;
const RADIX_MASK = RADIX - 1;

/** Work arrays of a reach: per reached node, and per node (`seen`: all zero between reaches). */
export interface ReachScratch {
  order: Int32Array;
  depths: Int32Array;
  parents: Int32Array;
  viaDir: Uint8Array;
  viaArc: Int32Array;
  /** A level's positions in node order, and the radix sort's other buffer and counts. */
  sortA: Int32Array;
  sortB: Int32Array;
  counts: Int32Array;
  /** One byte per node (a quarter of a 32-bit mark: it stays in the CPU caches on a large graph). */
  seen: Uint8Array;
}

function scratchFor(adj: Adjacency, cap: number): ReachScratch {
  const held = adj.scratch;
  if (held && held.order.length >= cap) return held;
  const scratch = {
    order: new Int32Array(cap), // node number, or -1 for a start the store does not hold
    depths: new Int32Array(cap),
    parents: new Int32Array(cap),
    viaDir: new Uint8Array(cap),
    viaArc: new Int32Array(cap),
    sortA: new Int32Array(cap),
    sortB: new Int32Array(cap),
    counts: new Int32Array(RADIX + 1),
    seen: new Uint8Array(adj.keys.length),
  };
  adj.scratch = scratch;
  return scratch;
}

/** Step tables kept per copy: one per analysis mode in practice (compromise, exposure, lineage, …). */
const MAX_FLOWS = 8;

/**
 * The flow rows for a step table, or undefined the first time it is asked for: building them reads every arc of
 * the graph (≈ 45 ms of CPU at scale 1 in a fresh process), while a single reach touches only the arcs of the nodes it
 * reaches. A CLI command answers one reach and exits, so the first reach of each step table merges the arcs of
 * each node it visits as it goes (flowArcsOf, the same merge the rows are built with) and the second builds the
 * rows that every later one walks. `null` in `flows` marks a step table asked for once.
 */
function flowRowsFor(adj: Adjacency, steps: StepTable): FlowRows | undefined {
  const signature = stepSignature(steps);
  const flow = adj.flows.get(signature);
  if (flow) return flow;
  if (adj.flows.size >= MAX_FLOWS) adj.flows.clear();
  if (flow === undefined) {
    adj.flows.set(signature, null);
    return undefined;
  }
  const built = buildFlowRows(adj, steps);
  adj.flows.set(signature, built);
  return built;
}

function stepSignature(t: StepTable): string {
  const conds = (list: (Uint8Array | undefined)[]) => list.map((c, i) => (c ? `${i}:${c.join('')}` : '')).join(',');
  return `${t.out.join('')}|${t.in.join('')}|${conds(t.outConds)}|${conds(t.inConds)}`;
}

function buildFlowRows(adj: Adjacency, steps: StepTable): FlowRows {
  const n = adj.keys.length;
  const offsets = new Int32Array(n + 1);
  const bound = adj.out.far.length + adj.in.far.length;
  const arcs: ArcBuffer = { far: new Int32Array(bound), dir: new Uint8Array(bound), arc: new Int32Array(bound) };
  let m = 0;
  for (let v = 0; v < n; v++) {
    m = flowArcsOf(adj, steps, v, arcs, m);
    offsets[v + 1] = m;
  }
  return { offsets, far: arcs.far.slice(0, m), dir: arcs.dir.slice(0, m), arc: arcs.arc.slice(0, m) };
}

/** Arcs as FlowRows hold them (far end, direction, position in that direction's rows), for one node or all. */
interface ArcBuffer {
  far: Int32Array;
  dir: Uint8Array;
  arc: Int32Array;
}

/**
 * Writes node v's arcs that the step table follows into `into` from position `at`, in FlowRows order (both
 * directions merged by kind, then far end, `in` first on a tie), and returns the position after the last.
 * `into` must have room for v's out and in arcs together.
 */
function flowArcsOf(adj: Adjacency, steps: StepTable, v: number, into: ArcBuffer, at: number): number {
  const { out, in: inn } = adj;
  let m = at;
  let a = out.offsets[v]!;
  const aEnd = out.offsets[v + 1]!;
  let b = inn.offsets[v]!;
  const bEnd = inn.offsets[v + 1]!;
  while (a < aEnd || b < bEnd) {
    let takeIn: boolean;
    if (a >= aEnd) takeIn = true;
    else if (b >= bEnd) takeIn = false;
    else {
      const ka = out.kinds[a]!;
      const kb = inn.kinds[b]!;
      takeIn = kb < ka || (kb === ka && inn.far[b]! <= out.far[a]!);
    }
    const rows = takeIn ? inn : out;
    const arc = takeIn ? b++ : a++;
    const kind = rows.kinds[arc]!;
    const rule = (takeIn ? steps.in : steps.out)[kind]!;
    if (rule === 0) continue;
    if (rule === 2 && (takeIn ? steps.inConds : steps.outConds)[kind]![rows.conds[arc]!] !== 1) continue;
    into.far[m] = rows.far[arc]!;
    into.dir[m] = takeIn ? 2 : 1;
    into.arc[m] = arc;
    m++;
  }
  return m;
}

/** Room for one node's arcs (see flowArcsOf), grown as a node with more arcs comes. */
function arcBufferFor(buffer: ArcBuffer | undefined, arcs: number): ArcBuffer {
  if (buffer && buffer.far.length >= arcs) return buffer;
  const size = Math.max(arcs, 2 * (buffer?.far.length ?? 32));
  return { far: new Int32Array(size), dir: new Uint8Array(size), arc: new Int32Array(size) };
}

export type EdgePropsReader = (edgeIds: number[]) => Map<number, Omit<GraphEdge, 'kind' | 'from' | 'to' | 'source'>>;

/**
 * The contract's reachability over the copy: level by level, each level's nodes taken in key order (node
 * numbers), each node's edges of both directions merged in (kind, far, direction, source) order — so the first
 * edge that reaches a node is the least one the contract names — with no string or object per edge.
 */
export function reachFromAdjacency(adj: Adjacency, req: ReachRequest, readEdgeProps: EdgePropsReader): Reachability {
  const n = adj.keys.length;
  const steps = stepTable(adj, req);
  // Work arrays come from the copy and are reused by every reach (allocating and zeroing a few MB per call cost
  // more than the walk itself); the answer gets copies of its part.
  const { order, depths, parents, viaDir, viaArc, sortA, sortB, counts, seen } = scratchFor(adj, Math.min(req.maxNodes, n + req.from.length));
  const startKeys: string[] = [];
  let count = 0;

  for (const key of uniqueStarts(req)) {
    if (count >= req.maxNodes) return finish(true, 'budget');
    const v = numberOfKey(adj, key);
    order[count] = v ?? -1;
    depths[count] = 0;
    parents[count] = -1;
    viaDir[count] = 0;
    viaArc[count] = 0;
    startKeys.push(key);
    if (v !== undefined) seen[v] = 1;
    count++;
  }

  const flow = flowRowsFor(adj, steps);
  // Without flow rows (the first reach of this step table): one node's arcs at a time.
  let single: ArcBuffer | undefined;
  let levelStart = 0;
  for (let depth = 0; levelStart < count; depth++) {
    const levelEnd = count;
    const level = levelInKeyOrder(order, levelStart, levelEnd, n, sortA, sortB, counts);
    const atLimit = depth === req.maxDepth;
    for (let k = 0; k < level.length; k++) {
      const parent = level[k]!;
      const v = order[parent]!;
      let arcs: ArcBuffer;
      let a: number;
      let end: number;
      if (flow) {
        arcs = flow;
        a = flow.offsets[v]!;
        end = flow.offsets[v + 1]!;
      } else {
        arcs = single = arcBufferFor(single, adj.out.offsets[v + 1]! - adj.out.offsets[v]! + adj.in.offsets[v + 1]! - adj.in.offsets[v]!);
        a = 0;
        end = flowArcsOf(adj, steps, v, arcs, 0);
      }
      for (; a < end; a++) {
        const w = arcs.far[a]!;
        if (seen[w] === 1) continue;
        if (atLimit) return finish(true, 'depth');
        if (count >= req.maxNodes) return finish(true, 'budget');
        seen[w] = 1;
        order[count] = w;
        depths[count] = depth + 1;
        parents[count] = parent;
        viaDir[count] = arcs.dir[a]!;
        viaArc[count] = arcs.arc[a]!;
        count++;
      }
    }
    levelStart = levelEnd;
  }
  return finish(false, undefined);

  function finish(truncated: boolean, reason: 'depth' | 'budget' | undefined): Reachability {
    // `seen` back to all zero: one by one for a small answer, in one fill for a large one.
    if (count * 16 < n) {
      for (let i = 0; i < count; i++) if (order[i]! >= 0) seen[order[i]!] = 0;
    } else {
      seen.fill(0);
    }
    // Keys of what the walk reached, read in one pass after it: the starts as given, then by node number. Into an
    // array of the final length: growing one by push cost twice as much (≈ 1.4 against 0.6 ms for 53k keys).
    const all = adj.keys;
    const reached = new Array<string>(count);
    for (let i = 0; i < startKeys.length; i++) reached[i] = startKeys[i]!;
    for (let i = startKeys.length; i < count; i++) reached[i] = all[order[i]!]!;
    const [o, d, p, vd, va] = [order.slice(0, count), depths.slice(0, count), parents.slice(0, count), viaDir.slice(0, count), viaArc.slice(0, count)];
    const result = new AdjacencyReachability(adj, reached, o, d, p, vd, va, undefined, truncated, reason);
    if (!req.withEdgeProps) return result;
    return new AdjacencyReachability(adj, reached, o, d, p, vd, va, readEdgeProps(result.treeEdgeIds()), truncated, reason);
  }
}

/**
 * The frontier as node numbers: unknown keys dropped, each node once, in first-seen order.
 *
 * Callers expand one frontier in several calls (one per direction, or per kind group), and on a large graph the
 * key → number lookups are most of a call's cost (a hash probe into a table far bigger than the CPU caches).
 * So the last answer is kept and reused when the next frontier holds the same keys — compared element by
 * element, which for the very same strings is a pointer comparison.
 */
function resolve(adj: Adjacency, keys: readonly string[]): Int32Array {
  const last = adj.lastFrontier;
  if (last && sameKeys(last.keys, keys)) return last.numbers;
  const stamp = nextStamp(adj);
  const marks = adj.marks;
  const numbers = new Int32Array(keys.length);
  let count = 0;
  // Binary search until the keys searched so far outnumber the nodes, then the map (building it costs about
  // what searching as many keys does): a process that answers one blast radius and exits never pays for a map
  // of every key — on a scale-1 store that was 150 ms of a cold blast radius — and a server soon has it.
  if (!adj.numberMap) {
    adj.searched += keys.length;
    if (adj.searched > adj.keys.length) numberOf(adj);
  }
  const map = adj.numberMap;
  const all = adj.keys;
  // Where the previous key was found (or would be), for a run of keys in ascending order.
  let previous: string | undefined;
  let at = 0;
  for (const key of keys) {
    let v: number | undefined;
    if (map) v = map.get(key);
    else {
      const found = previous !== undefined && previous < key ? searchKeysFrom(all, key, at) : searchKeys(all, key, 0, all.length - 1);
      previous = key;
      at = found >= 0 ? found : -found - 1;
      if (found >= 0) v = found;
    }
    if (v === undefined || marks[v] === stamp) continue;
    marks[v] = stamp;
    numbers[count++] = v;
  }
  const resolved = numbers.subarray(0, count);
  adj.lastFrontier = { keys: keys.slice(), numbers: resolved };
  return resolved;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function allowedCodes(adj: Adjacency, kinds: readonly EdgeKind[]): Uint8Array {
  const allowed = new Uint8Array(adj.kindNames.length);
  for (const k of kinds) {
    const code = adj.kindCodes.get(k);
    if (code !== undefined) allowed[code] = 1;
  }
  return allowed;
}

function nextStamp(adj: Adjacency): number {
  if (adj.stamp === 0xffff_ffff) {
    adj.marks.fill(0);
    adj.stamp = 0;
  }
  return ++adj.stamp;
}

/**
 * Bytes the structure holds: typed arrays exactly; keys and the key map estimated (V8 does not say), as a
 * sequential string of 1-byte characters (≈ 16 + length, rounded to 8) plus ≈ 28 bytes per Map entry and 8 per array slot.
 */
export function adjacencyBytes(adj: Adjacency): { typedArrays: number; keysEstimate: number } {
  let typedArrays = adj.marks.byteLength;
  for (const rows of [adj.out, adj.in]) {
    typedArrays += rows.offsets.byteLength + rows.far.byteLength + rows.kinds.byteLength + rows.sources.byteLength + rows.edgeIds.byteLength + rows.conds.byteLength;
  }
  for (const flow of adj.flows.values()) if (flow) typedArrays += flow.offsets.byteLength + flow.far.byteLength + flow.dir.byteLength + flow.arc.byteLength;
  let keysEstimate = 0;
  for (const key of adj.keys) keysEstimate += Math.ceil((16 + key.length) / 8) * 8 + 28 + 8;
  return { typedArrays, keysEstimate };
}
