/**
 * The adjacency copy kept in the store file, so that a process that opens the store (every CLI command) loads it
 * in one read instead of rebuilding it from the tables: at scale 1 the build reads 309k keys and 611k edges and
 * sorts them (≈ 350 ms on a quiet machine), the load reads one blob and checks it.
 *
 * Stored in `adjacency_snapshot` (one row). It can never outlive the data it describes: the store deletes it first
 * in every transaction that writes nodes or edges (withdrawSnapshot), and while it exists triggers on `nodes` and
 * `edges` delete it in the same transaction as any other writer's change to what it holds — a node added, removed
 * or re-keyed; an edge added, removed or changed (ends, kind, source, props, which hold the flow conditions). A
 * snapshot is written only when no commit came between reading the data and writing the blob (see
 * sqlite-adjacency-cache.ts), and a migration deletes it.
 *
 * A blob that does not decode to a sound structure — wrong magic, format or byte order; a checksum mismatch; a
 * model whose edge kinds or flow conditions differ from this aispm's; any offset, node number or code out of range
 * — is ignored and the copy rebuilt (and the blob replaced), so a damaged or foreign blob costs time, never a
 * wrong answer or a crash.
 *
 * Layout (little-endian): "AISPMADJ", format (u32), byte-order mark (u32), header length (u32), header JSON,
 * padding to 4; the keys as UTF-8 joined by "\n" (keys hold no control characters), padding; then for `out` and
 * `in`: offsets (i32 × n+1), far (i32 × m), edge rowids (i32 × m), sources (u16 × m), conds (u16 × m), kinds
 * (u8 × m), each padded to 4; last the CRC-32 of everything before it (u32).
 */
import type Database from 'better-sqlite3';
import { crc32 } from 'node:zlib';
import { EDGE_KINDS, EDGE_SPECS } from '../../schema/model.ts';
import { compareText } from './common.ts';
import type { Adjacency, Rows } from './sqlite-adjacency.ts';

/** The table (schema v4). */
export const SNAPSHOT_DDL = `CREATE TABLE IF NOT EXISTS adjacency_snapshot (id INTEGER PRIMARY KEY CHECK (id = 1), data BLOB NOT NULL);`;

/**
 * Triggers that delete the snapshot with any change to what it describes, present only while a snapshot is: a
 * trigger runs for every row written, which made bulk upserts about a fifth slower, so this store's own writes
 * withdraw snapshot and triggers together first (withdrawSnapshot) and write without them; the triggers catch
 * every other writer (an sqlite3 session, a tool that does not know aispm).
 */
const GUARD_TRIGGERS = [
  ['node_insert', 'AFTER INSERT ON nodes'],
  ['node_delete', 'AFTER DELETE ON nodes'],
  ['node_rekey', 'AFTER UPDATE OF id, key ON nodes'],
  ['edge_insert', 'AFTER INSERT ON edges'],
  ['edge_delete', 'AFTER DELETE ON edges'],
  ['edge_change', 'AFTER UPDATE OF id, src, kind, dst, source, props ON edges'],
] as const;
const GUARD_DDL = GUARD_TRIGGERS.map(([name, on]) => `CREATE TRIGGER IF NOT EXISTS adjacency_snapshot_${name} ${on} BEGIN DELETE FROM adjacency_snapshot; END;`).join('\n');
const UNGUARD_DDL = GUARD_TRIGGERS.map(([name]) => `DROP TRIGGER IF EXISTS adjacency_snapshot_${name};`).join('\n');

const MAGIC = Buffer.from('AISPMADJ', 'latin1');
const FORMAT = 1;
const BYTE_ORDER_MARK = 0x01020304;

interface Header {
  nodes: number;
  edges: number;
  keyBytes: number;
  /** Every key is ASCII: the keys are read back as Latin-1, which V8 turns into strings faster than UTF-8. */
  ascii: boolean;
  kindNames: string[];
  sourceNames: string[];
  condProps: (string | null)[];
  condValues: string[];
}

/** What this aispm's model says the copy's codes mean: a snapshot made under another model is not used. */
function modelCodes(): { kindNames: string[]; condProps: (string | null)[] } {
  const kindNames = [...EDGE_KINDS].sort(compareText);
  return { kindNames, condProps: kindNames.map((k) => EDGE_SPECS[k as keyof typeof EDGE_SPECS].flowWhen?.prop ?? null) };
}

/** The blob for a copy; undefined if a key holds a line feed (keys never do; such a blob could not be read back). */
export function encodeAdjacency(adj: Adjacency): Buffer | undefined {
  const n = adj.keys.length;
  const m = adj.edgeCount;
  if (adj.keys.some((k) => k.includes('\n'))) return undefined;
  const keys = Buffer.from(adj.keys.join('\n'), 'utf8');
  const header: Header = {
    nodes: n,
    edges: m,
    keyBytes: keys.length,
    ascii: keys.length === joinedLength(adj.keys),
    kindNames: adj.kindNames,
    sourceNames: adj.sourceNames,
    condProps: adj.condProps.map((p) => p ?? null),
    condValues: adj.condValues,
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const parts: Buffer[] = [];
  const fixed = Buffer.alloc(12);
  fixed.writeUInt32LE(FORMAT, 0);
  fixed.writeUInt32LE(BYTE_ORDER_MARK, 4);
  fixed.writeUInt32LE(headerBytes.length, 8);
  let size = 0;
  const add = (b: Buffer | ArrayBufferView) => {
    const bytes = Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
    parts.push(bytes);
    size += bytes.length;
    if (size % 4) {
      parts.push(Buffer.alloc(4 - (size % 4)));
      size += 4 - (size % 4);
    }
  };
  parts.push(MAGIC, fixed);
  size = MAGIC.length + fixed.length;
  add(headerBytes);
  add(keys);
  for (const rows of [adj.out, adj.in]) {
    add(rows.offsets);
    add(rows.far);
    add(rows.edgeIds);
    add(rows.sources);
    add(rows.conds);
    add(rows.kinds);
  }
  const body = Buffer.concat(parts, size);
  const crc = Buffer.alloc(4);
  crc.writeUInt32LE(crc32(body), 0);
  return Buffer.concat([body, crc]);
}

/** The copy the blob holds, or undefined (with the reason) when it is not sound or not made under this model. */
export function decodeAdjacency(blob: Buffer): { adjacency: Adjacency } | { rejected: string } {
  try {
    return decode(blob);
  } catch (err) {
    return { rejected: `unreadable (${(err as Error).message})` };
  }
}

function decode(input: Buffer): { adjacency: Adjacency } | { rejected: string } {
  if (input.length < MAGIC.length + 16 || !input.subarray(0, MAGIC.length).equals(MAGIC)) return { rejected: 'not an adjacency snapshot' };
  // Typed-array views need 4-byte alignment; a blob Buffer normally starts its own allocation, else copy once.
  const blob = input.byteOffset % 4 === 0 ? input : Buffer.from(input);
  if (blob.readUInt32LE(MAGIC.length) !== FORMAT) return { rejected: `snapshot format ${blob.readUInt32LE(MAGIC.length)}, this aispm reads ${FORMAT}` };
  if (blob.readUInt32LE(MAGIC.length + 4) !== BYTE_ORDER_MARK) return { rejected: 'written with another byte order' };
  const end = blob.length - 4;
  if (crc32(blob.subarray(0, end)) !== blob.readUInt32LE(end)) return { rejected: 'checksum mismatch' };
  const headerLength = blob.readUInt32LE(MAGIC.length + 8);
  let at = MAGIC.length + 12;
  const header = JSON.parse(blob.toString('utf8', at, at + headerLength)) as Header;
  at = align(at + headerLength);
  const model = modelCodes();
  if (JSON.stringify(header.kindNames) !== JSON.stringify(model.kindNames) || JSON.stringify(header.condProps) !== JSON.stringify(model.condProps)) {
    return { rejected: 'made under another graph model' };
  }
  const { nodes: n, edges: m } = header;
  if (!Number.isInteger(n) || !Number.isInteger(m) || n < 0 || m < 0) return { rejected: 'bad counts' };
  const keys = n === 0 ? [] : blob.toString(header.ascii ? 'latin1' : 'utf8', at, at + header.keyBytes).split('\n');
  if (keys.length !== n) return { rejected: `${keys.length} keys for ${n} nodes` };
  at = align(at + header.keyBytes);
  const view = <T extends Int32Array | Uint16Array | Uint8Array>(Type: { new (b: ArrayBufferLike, o: number, l: number): T; BYTES_PER_ELEMENT: number }, length: number): T => {
    const bytes = length * Type.BYTES_PER_ELEMENT;
    if (at + bytes > end) throw new Error('truncated');
    const array = new Type(blob.buffer, blob.byteOffset + at, length);
    at = align(at + bytes);
    return array;
  };
  const rows = (): Rows => ({
    offsets: view(Int32Array, n + 1),
    far: view(Int32Array, m),
    edgeIds: view(Int32Array, m),
    sources: view(Uint16Array, m),
    conds: view(Uint16Array, m),
    kinds: view(Uint8Array, m),
  });
  const out = rows();
  const inn = rows();
  if (at !== end) return { rejected: 'trailing bytes' };
  for (const r of [out, inn]) {
    const problem = rowsProblem(r, n, m, header);
    if (problem) return { rejected: problem };
  }
  const kindNames = header.kindNames as Adjacency['kindNames'];
  return {
    adjacency: {
      keys,
      numberMap: undefined,
      searched: 0,
      kindNames,
      kindCodes: new Map(kindNames.map((k, i) => [k, i])),
      sourceNames: header.sourceNames,
      condProps: header.condProps.map((p) => p ?? undefined),
      condValues: header.condValues,
      out,
      in: inn,
      marks: new Uint32Array(n),
      stamp: 0,
      lastFrontier: undefined,
      flows: new Map(),
      scratch: undefined,
      edgeCount: m,
      owners: undefined,
      endsByKind: undefined,
    },
  };
}

/** Everything a walk indexes with must be in range: offsets rising from 0 to m, node numbers below n, codes known. */
function rowsProblem(r: Rows, n: number, m: number, header: Header): string | undefined {
  const { offsets, far, kinds, sources, conds } = r;
  if (offsets[0] !== 0 || offsets[n] !== m) return 'offsets do not span the edges';
  for (let v = 0; v < n; v++) if (offsets[v + 1]! < offsets[v]!) return 'offsets out of order';
  const kindCount = header.kindNames.length;
  const sourceCount = header.sourceNames.length;
  const condCount = header.condValues.length;
  for (let i = 0; i < m; i++) {
    const w = far[i]!;
    if (w < 0 || w >= n || kinds[i]! >= kindCount || sources[i]! >= sourceCount || conds[i]! > condCount) return 'a node number or code out of range';
  }
  return undefined;
}

/** Length in UTF-16 code units of the keys joined by line feeds: equal to the UTF-8 byte count only if all ASCII. */
function joinedLength(keys: readonly string[]): number {
  let length = Math.max(keys.length - 1, 0);
  for (const k of keys) length += k.length;
  return length;
}

const align = (at: number) => (at + 3) & ~3;

/** The stored blob, if any. */
export function readSnapshot(db: Database.Database): Buffer | undefined {
  const row = db.prepare(`SELECT data FROM adjacency_snapshot WHERE id = 1`).pluck().get() as Buffer | undefined;
  return row ?? undefined;
}

/** Stores the blob with its guard triggers; call inside a write transaction. */
export function writeSnapshot(db: Database.Database, blob: Buffer): void {
  db.exec(GUARD_DDL);
  db.prepare(`INSERT OR REPLACE INTO adjacency_snapshot (id, data) VALUES (1, ?)`).run(blob);
}

/**
 * Deletes the snapshot and its guard triggers; call first in every transaction of this store that writes nodes or
 * edges. Costs one look-up when there is none (the usual case during an ingest).
 */
export function withdrawSnapshot(db: Database.Database): void {
  const held = db
    .prepare(`SELECT EXISTS (SELECT 1 FROM adjacency_snapshot) OR EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'adjacency\\_snapshot\\_%' ESCAPE '\\')`)
    .pluck()
    .get();
  if (held) db.exec(`DELETE FROM adjacency_snapshot;\n${UNGUARD_DDL}`);
}
