/**
 * An in-process copy of the SQLite store's edge topology: node keys numbered densely, and for each direction the
 * edges in compressed sparse rows (offsets per node, far-end node numbers, edge-kind codes). Reachability — an
 * expand that reads only `kind`, `from` and `to` — is then array reads instead of B-tree seeks.
 *
 * This module only builds and reads the structure; when it may be used (what invalidates it) is
 * sqlite-adjacency-cache.ts's job.
 */
import type Database from 'better-sqlite3';
import { EDGE_KINDS, type EdgeKind } from '../../schema/model.ts';
import type { GraphEdge, Props } from '../../schema/records.ts';
import type { Direction } from '../../schema/store.ts';

/** Edges of one direction: those of node v are at [offsets[v], offsets[v + 1]) of `far` and `kinds`. */
interface Rows {
  offsets: Int32Array;
  far: Int32Array;
  kinds: Uint8Array;
}

export interface Adjacency {
  /** Node number → key. Each key string is held once: `numberOf` maps the same strings back. */
  keys: string[];
  numberOf: Map<string, number>;
  /** Kind code → kind name. */
  kindNames: string[];
  kindCodes: Map<string, number>;
  out: Rows;
  in: Rows;
  /** Dedupe marks for a frontier: node v is in the current frontier when marks[v] === stamp. */
  marks: Uint32Array;
  stamp: number;
  /** The last frontier resolved to node numbers (see `resolve`). */
  lastFrontier: { keys: string[]; numbers: Int32Array } | undefined;
  edgeCount: number;
}

/** Node rowids per edge-reading statement: bounds the temporary JSON text and arrays of one read. */
const SRC_RANGE = 262_144;
/** Codes are one byte; a store with more distinct kinds than that is not cached (the model has a dozen). */
const MAX_KIND_CODES = 256;

/**
 * Reads every node key and edge (src, kind, dst) and builds both directions. Call inside a read transaction so
 * nodes and edges come from one snapshot. Returns undefined when the data cannot be coded (too many edge kinds).
 *
 * Rows come back as one JSON array per column (json_group_array) rather than one JS row per record: at a few
 * hundred thousand rows, that is several times faster through better-sqlite3, and it reads covering indexes only.
 */
export function buildAdjacency(db: Database.Database): Adjacency | undefined {
  // Two aggregates of one query see the rows in the same order: position i is the same node in both.
  const [rowidJson, keyJson] = db.prepare(`SELECT json_group_array(id), json_group_array(key) FROM nodes`).raw(true).get() as [string, string];
  const rowids = JSON.parse(rowidJson) as number[];
  const keys = JSON.parse(keyJson) as string[];
  const numberOf = new Map<string, number>();
  for (let i = 0; i < keys.length; i++) numberOf.set(keys[i]!, i);
  const numberOfRowid = rowidNumbering(rowids);

  const kindNames: string[] = [...EDGE_KINDS];
  const kindCodes = new Map<string, number>(kindNames.map((k, i) => [k, i]));
  const edges = new EdgeList();
  const read = db.prepare(
    `SELECT json_group_array(src), json_group_array(kind), json_group_array(dst) FROM edges WHERE src >= ? AND src < ?`,
  ).raw(true);
  // Range by range of src rowids, jumping over empty ranges, so that sparse rowids cost no empty reads.
  const firstSrc = db.prepare(`SELECT min(src) FROM edges WHERE src >= ?`).pluck();
  for (let lo = firstSrc.get(0) as number | null; lo !== null; lo = firstSrc.get(lo + SRC_RANGE) as number | null) {
    const [srcJson, kindJson, dstJson] = read.get(lo, lo + SRC_RANGE) as [string, string, string];
    const srcs = JSON.parse(srcJson) as number[];
    const kinds = JSON.parse(kindJson) as string[];
    const dsts = JSON.parse(dstJson) as number[];
    for (let i = 0; i < srcs.length; i++) {
      const from = numberOfRowid(srcs[i]!);
      const to = numberOfRowid(dsts[i]!);
      if (from < 0 || to < 0) continue;
      let code = kindCodes.get(kinds[i]!);
      if (code === undefined) {
        if (kindNames.length >= MAX_KIND_CODES) return undefined;
        code = kindNames.length;
        kindNames.push(kinds[i]!);
        kindCodes.set(kinds[i]!, code);
      }
      edges.push(from, code, to);
    }
  }
  const n = keys.length;
  return {
    keys,
    numberOf,
    kindNames,
    kindCodes,
    out: toRows(n, edges, edges.src, edges.dst),
    in: toRows(n, edges, edges.dst, edges.src),
    marks: new Uint32Array(n),
    stamp: 0,
    lastFrontier: undefined,
    edgeCount: edges.length,
  };
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

/** Growable columns of (src, kind, dst) node numbers, for the build only. */
class EdgeList {
  src = new Int32Array(1024);
  dst = new Int32Array(1024);
  kind = new Uint8Array(1024);
  length = 0;

  push(src: number, kind: number, dst: number): void {
    if (this.length === this.src.length) this.grow();
    this.src[this.length] = src;
    this.kind[this.length] = kind;
    this.dst[this.length] = dst;
    this.length++;
  }

  private grow(): void {
    const size = this.src.length * 2;
    const src = new Int32Array(size);
    const dst = new Int32Array(size);
    const kind = new Uint8Array(size);
    src.set(this.src);
    dst.set(this.dst);
    kind.set(this.kind);
    Object.assign(this, { src, dst, kind });
  }
}

/** Counting sort of the edges by their `near` end. */
function toRows(n: number, edges: EdgeList, near: Int32Array, far: Int32Array): Rows {
  const offsets = new Int32Array(n + 1);
  for (let i = 0; i < edges.length; i++) offsets[near[i]! + 1]!++;
  for (let v = 0; v < n; v++) offsets[v + 1]! += offsets[v]!;
  const fill = offsets.slice(0, n);
  const farOut = new Int32Array(edges.length);
  const kinds = new Uint8Array(edges.length);
  for (let i = 0; i < edges.length; i++) {
    const at = fill[near[i]!]!++;
    farOut[at] = far[i]!;
    kinds[at] = edges.kind[i]!;
  }
  return { offsets, far: farOut, kinds };
}

/**
 * Shared by every edge returned without props: one allocation fewer per edge on the hot path. Frozen, so a caller
 * that breaks the withProps promise by writing to it fails loudly instead of changing every other edge.
 */
const NO_PROPS: Props = Object.freeze({}) as Props;

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
  const out: GraphEdge[] = [];
  for (const v of resolve(adj, keys)) {
    const near = keyOf[v]!;
    for (let a = offsets[v]!, end = offsets[v + 1]!; a < end; a++) {
      const code = codes[a]!;
      if (allowed !== null && allowed[code] === 0) continue;
      const other = keyOf[far[a]!]!;
      const kind = kindNames[code] as EdgeKind;
      out.push(
        outward
          ? { kind, from: near, to: other, props: NO_PROPS, source: '', evidence: '', confidence: 'declared', observedAt: '' }
          : { kind, from: other, to: near, props: NO_PROPS, source: '', evidence: '', confidence: 'declared', observedAt: '' },
      );
    }
  }
  return out;
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
  for (const key of keys) {
    const v = adj.numberOf.get(key);
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
  for (const rows of [adj.out, adj.in]) typedArrays += rows.offsets.byteLength + rows.far.byteLength + rows.kinds.byteLength;
  let keysEstimate = 0;
  for (const key of adj.keys) keysEstimate += Math.ceil((16 + key.length) / 8) * 8 + 28 + 8;
  return { typedArrays, keysEstimate };
}
