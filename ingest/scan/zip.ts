/**
 * Reading a zip through byte ranges, so a multi-gigabyte PyTorch checkpoint on the Hub can be scanned by fetching
 * its central directory and its small `data.pkl` — never the tensors.
 *
 * The layout we rely on: the End Of Central Directory record (EOCD) sits in the last 22 + up to 65,535 (comment)
 * bytes; it points at the central directory, which lists every entry with sizes and the offset of its local
 * header; the data follows each local header. ZIP64 moves sizes and offsets into 64-bit fields (an EOCD64 record
 * found through a locator just before the EOCD, and an extra field per entry).
 *
 * Readers disagree on where those records are, and an archive can be built to show each a different directory:
 * Python's zipfile (3.13 and earlier) reads the EOCD64 record right before the locator and allows for data in
 * front; miniz (torch.load) reads it at the offset the locator names, takes every offset as absolute and reads as
 * many entries as the records count, where zipfile reads entries until the directory's size is used up. Each
 * reader's listing is made; entries only another reader sees are returned beside the primary listing.
 *
 * Hostile archives are expected: every offset and size is checked against the file before it is used, entries of
 * the primary listing may not overlap, and inflation is capped by the declared size. Failures throw ZipFormatError, which the caller turns
 * into an error result.
 */
import { Readable } from 'node:stream';
import { crc32, createInflateRaw, inflateRawSync } from 'node:zlib';

/** Returns exactly the bytes [start, endInclusive] of the file. */
export type RangeReader = (start: number, endInclusive: number) => Promise<Uint8Array>;

export class ZipFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZipFormatError';
  }
}

/** The range reader returned a different number of bytes than asked for: the source, not the zip, is at fault. */
export class RangeReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RangeReadError';
  }
}

export interface ZipEntry {
  name: string;
  compressedSize: number;
  uncompressedSize: number;
  /** 0 stored, 8 deflate; anything else is listed but cannot be read. */
  method: number;
  localHeaderOffset: number;
  crc32: number;
  flags: number;
  /** Where the next entry (or the central directory) starts: this entry's data must end by then. */
  dataLimit: number;
}

export interface ZipDirectory {
  entries: ZipEntry[];
  centralDirectoryOffset: number;
  centralDirectorySize: number;
  zip64: boolean;
  /** What a loader would not notice but a reviewer should: extra EOCD records, a comment not ending at EOF. */
  findings: string[];
  /** Entries of other central directories that earlier EOCD records point at (a second view of the archive). */
  shadowEntries: ZipEntry[];
  /** Bytes of other data in front of the archive (0 for an ordinary zip); every offset here already counts them. */
  prefix: number;
  /** Entries another reader (miniz, a newer zipfile) lists where the primary listing does not: its view of the archive. */
  alternateEntries: Array<{ entry: ZipEntry; reader: ZipReader }>;
}

export interface ZipLimits {
  /** Refuse central directories larger than this. Default 64 MiB (~500k entries with typical names). */
  maxCentralDirectoryBytes?: number;
  /** Refuse archives claiming more entries than this. Default 1,000,000. */
  maxEntries?: number;
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_EOCD64_LOCATOR = 0x07064b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
const CENTRAL_HEADER_SIZE = 46;
const LOCAL_HEADER_SIZE = 30;
const EOCD64_SIZE = 56;
const LOCATOR_SIZE = 20;

const utf8 = new TextDecoder('utf-8', { fatal: false });

function viewOf(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** u64 as a number; values past 2^53 become Infinity so range checks reject them instead of rounding. */
function u64(v: DataView, at: number): number {
  const lo = v.getUint32(at, true);
  const hi = v.getUint32(at + 4, true);
  return hi > 0x1fffff ? Infinity : hi * 0x1_0000_0000 + lo;
}

/** Reads a range and insists on getting exactly that many bytes (a reader that returns less is a broken source). */
export async function readExact(read: RangeReader, start: number, endInclusive: number): Promise<Uint8Array> {
  const want = endInclusive - start + 1;
  if (want <= 0) return new Uint8Array(0);
  const got = await read(start, endInclusive);
  if (got.length !== want) {
    throw new RangeReadError(`range read ${start}-${endInclusive} returned ${got.length} bytes, expected ${want}`);
  }
  return got;
}

/**
 * Every end-of-central-directory signature in the tail, last first. Python's zipfile and miniz (PyTorch's reader)
 * take the last one, whether or not its comment ends at the end of the file; the others are reported.
 */
function findEocds(tail: Uint8Array): number[] {
  const v = viewOf(tail);
  const found: number[] = [];
  for (let i = tail.length - EOCD_SIZE; i >= 0 && found.length < 8; i--) if (v.getUint32(i, true) === SIG_EOCD) found.push(i);
  return found;
}

/** Who reads an archive one way: Python's zipfile (numpy.load, Keras, most tools) or miniz (torch.load). */
export type ZipReader = 'zipfile' | 'miniz' | 'newer zipfile';

const READER_LABEL: Readonly<Record<ZipReader, string>> = {
  zipfile: "Python's zipfile",
  miniz: "miniz (torch.load's reader)",
  'newer zipfile': "the zipfile of Python releases since late 2025",
};

/** One reader's listing of the archive. */
interface Listing {
  entries: ZipEntry[];
  centralDirectoryOffset: number;
  centralDirectorySize: number;
  zip64: boolean;
  prefix: number;
  /** What this reader notices that others may not (an entry count the directory does not hold). */
  notes: string[];
}

/** Reads the tail (already in memory) or the file, exactly. */
interface Io {
  read: RangeReader;
  size: number;
  tail: Uint8Array;
  tailStart: number;
  maxCd: number;
  maxEntries: number;
  /** Ranges read outside the tail, so each reader's listing costs no second request for the same directory. */
  fetched: Map<string, Uint8Array>;
}

async function bytesAt(io: Io, at: number, length: number): Promise<Uint8Array> {
  const rel = at - io.tailStart;
  if (rel >= 0 && rel + length <= io.tail.length) return io.tail.subarray(rel, rel + length);
  const key = `${at}+${length}`;
  const known = io.fetched.get(key);
  if (known) return known;
  const bytes = await readExact(io.read, at, at + length - 1);
  io.fetched.set(key, bytes);
  return bytes;
}

/** Applies a ZIP64 extended-information extra field: each 0xFFFFFFFF in the fixed header moves here, in order. */
function applyZip64Extra(extra: Uint8Array, e: { usize: number; csize: number; offset: number }): void {
  const v = viewOf(extra);
  let p = 0;
  while (p + 4 <= extra.length) {
    const id = v.getUint16(p, true);
    const len = v.getUint16(p + 2, true);
    const body = p + 4;
    if (body + len > extra.length) throw new ZipFormatError('extra field runs past its entry');
    if (id === 0x0001) {
      let q = body;
      const take = (): number => {
        if (q + 8 > body + len) throw new ZipFormatError('ZIP64 extra field is too short');
        const n = u64(v, q);
        q += 8;
        return n;
      };
      if (e.usize === 0xffffffff) e.usize = take();
      if (e.csize === 0xffffffff) e.csize = take();
      if (e.offset === 0xffffffff) e.offset = take();
      return;
    }
    p = body + len;
  }
}

interface ParseRules {
  /** miniz reads exactly this many entries; Python's zipfile reads entries until the directory's size is used up. */
  count?: number;
  /** miniz's own checks on each entry (disk numbers, stored sizes, masked local headers). */
  miniz?: { disk: number };
  /** Overlapping entries are refused (this scanner's rule for the primary listing); else each may read to EOF. */
  refuseOverlap: boolean;
}

function parseCentralDirectory(io: Io, cd: Uint8Array, cdOffset: number, prefix: number, rules: ParseRules): ZipEntry[] {
  const v = viewOf(cd);
  const raw: Array<Omit<ZipEntry, 'dataLimit'> & { nameLen: number }> = [];
  let p = 0;
  for (let i = 0; rules.count === undefined ? p < cd.length : i < rules.count; i++) {
    if (raw.length >= io.maxEntries) throw new ZipFormatError(`zip lists more than ${io.maxEntries} entries, over the limit`);
    if (p + CENTRAL_HEADER_SIZE > cd.length || v.getUint32(p, true) !== SIG_CENTRAL) {
      throw new ZipFormatError(`central directory entry ${i} is missing or corrupt`);
    }
    const flags = v.getUint16(p + 8, true);
    const method = v.getUint16(p + 10, true);
    const crc = v.getUint32(p + 16, true);
    const nameLen = v.getUint16(p + 28, true);
    const extraLen = v.getUint16(p + 30, true);
    const commentLen = v.getUint16(p + 32, true);
    const diskStart = v.getUint16(p + 34, true);
    const next = p + CENTRAL_HEADER_SIZE + nameLen + extraLen + commentLen;
    if (next > cd.length) throw new ZipFormatError(`central directory entry ${i} runs past the directory`);
    const nameBytes = cd.subarray(p + CENTRAL_HEADER_SIZE, p + CENTRAL_HEADER_SIZE + nameLen);
    const sizes = { usize: v.getUint32(p + 24, true), csize: v.getUint32(p + 20, true), offset: v.getUint32(p + 42, true) };
    applyZip64Extra(cd.subarray(p + CENTRAL_HEADER_SIZE + nameLen, p + CENTRAL_HEADER_SIZE + nameLen + extraLen), sizes);
    if (rules.miniz) {
      if (sizes.csize !== 0xffffffff && sizes.usize !== 0xffffffff && ((method === 0 && sizes.usize !== sizes.csize) || (sizes.usize > 0 && sizes.csize === 0))) {
        throw new ZipFormatError(`central directory entry ${i}: sizes miniz refuses`);
      }
      if (diskStart === 0xffff || (diskStart !== rules.miniz.disk && diskStart !== 1)) throw new ZipFormatError('multi-disk zip archives are not supported');
      if (sizes.csize !== 0xffffffff && sizes.offset + LOCAL_HEADER_SIZE + sizes.csize > io.size) throw new ZipFormatError(`central directory entry ${i} points past the end of the file`);
      if (flags & 0x2000) throw new ZipFormatError(`central directory entry ${i} has a masked local header (flag bit 13), which miniz refuses`);
    } else if (v.getUint8(p + 6) > 63) {
      throw new ZipFormatError(`central directory entry ${i} needs zip version ${v.getUint8(p + 6) / 10}, which Python's zipfile refuses`);
    }
    const localHeaderOffset = sizes.offset + prefix;
    if (!(localHeaderOffset >= 0 && localHeaderOffset + LOCAL_HEADER_SIZE <= io.size)) {
      throw new ZipFormatError(`central directory entry ${i}: its local header (offset ${localHeaderOffset}) does not fit in the file`);
    }
    raw.push({ name: utf8.decode(nameBytes), nameLen, flags, method, crc32: crc, compressedSize: sizes.csize, uncompressedSize: sizes.usize, localHeaderOffset });
    p = next;
  }

  if (!rules.refuseOverlap) return raw.map(({ nameLen: _nameLen, ...entry }) => ({ ...entry, dataLimit: io.size }));
  // Overlapping entries are how the densest zip bombs work, and never happen in an honest archive.
  const byOffset = [...raw].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  const limits = new Map<(typeof raw)[number], number>();
  for (let i = 0; i < byOffset.length; i++) {
    const e = byOffset[i]!;
    const limit = i + 1 < byOffset.length ? byOffset[i + 1]!.localHeaderOffset : cdOffset;
    const minimalEnd = e.localHeaderOffset + LOCAL_HEADER_SIZE + e.nameLen + e.compressedSize;
    if (!(minimalEnd <= limit)) {
      throw new ZipFormatError(`entry "${e.name.slice(0, 200)}" overlaps the next entry or the central directory`);
    }
    limits.set(e, limit);
  }
  return raw.map((e) => {
    const { nameLen: _nameLen, ...entry } = e;
    return { ...entry, dataLimit: limits.get(e) ?? cdOffset };
  });
}

async function centralDirectory(io: Io, at: number, cdSize: number): Promise<Uint8Array> {
  if (cdSize > io.maxCd) throw new ZipFormatError(`central directory of ${cdSize} bytes is over the ${io.maxCd}-byte limit`);
  if (!(at >= 0 && at + cdSize <= io.size)) throw new ZipFormatError(`central directory (offset ${at}, ${cdSize} bytes) does not fit in the file`);
  return bytesAt(io, at, cdSize);
}

/** The end record's own fields. */
function endRecord(io: Io, at: number) {
  const v = viewOf(io.tail);
  return {
    abs: io.tailStart + at,
    disk: v.getUint16(at + 4, true),
    cdDisk: v.getUint16(at + 6, true),
    entriesOnDisk: v.getUint16(at + 8, true),
    entries: v.getUint16(at + 10, true),
    cdSize: v.getUint32(at + 12, true),
    cdOffset: v.getUint32(at + 16, true),
  };
}

/** The ZIP64 locator right before the end record, if there is one. */
async function locatorBefore(io: Io, eocdAbs: number): Promise<DataView | undefined> {
  if (eocdAbs < LOCATOR_SIZE) return undefined;
  const loc = viewOf(await bytesAt(io, eocdAbs - LOCATOR_SIZE, LOCATOR_SIZE));
  return loc.getUint32(0, true) === SIG_EOCD64_LOCATOR ? loc : undefined;
}

/**
 * Python's zipfile up to 3.13 (`_EndRecData64`, `_RealGetContents`): the ZIP64 record is read right before the
 * locator, whatever offset the locator names; the directory lies right before that (or before the end record),
 * and the distance to where its offset says is data in front ("concat") added to every entry's offset; entries
 * are read until the directory's size is used up, whatever count the records give.
 */
async function zipfileListing(io: Io, at: number): Promise<Listing> {
  const eocd = endRecord(io, at);
  let { cdSize, cdOffset } = eocd;
  let count = eocd.entries;
  let zip64 = false;
  const loc = await locatorBefore(io, eocd.abs);
  if (loc) {
    if (loc.getUint32(4, true) !== 0 || loc.getUint32(16, true) > 1) throw new ZipFormatError('multi-disk zip archives are not supported');
    const recAt = eocd.abs - LOCATOR_SIZE - EOCD64_SIZE;
    if (recAt < 0) throw new ZipFormatError('ZIP64 locator with no room for its record before it');
    const rec = viewOf(await bytesAt(io, recAt, EOCD64_SIZE));
    // no record there: zipfile goes on with the end record's own fields
    if (rec.getUint32(0, true) === SIG_EOCD64) {
      count = u64(rec, 32);
      cdSize = u64(rec, 40);
      cdOffset = u64(rec, 48);
      zip64 = true;
    }
  }
  const start = eocd.abs - cdSize - (zip64 ? LOCATOR_SIZE + EOCD64_SIZE : 0);
  const prefix = start - cdOffset;
  if (start < 0 || !Number.isFinite(prefix)) throw new ZipFormatError(`central directory (offset ${cdOffset}, ${cdSize} bytes) does not fit in the file`);
  const cd = await centralDirectory(io, start, cdSize);
  const entries = parseCentralDirectory(io, cd, start, prefix, { refuseOverlap: true });
  const notes = entries.length === count ? [] : [`the end record counts ${count} entries, its central directory holds ${entries.length}: Python's zipfile lists what the directory holds, miniz (torch.load) goes by the count`];
  return { entries, centralDirectoryOffset: start, centralDirectorySize: cdSize, zip64, prefix, notes };
}

/**
 * Python's zipfile since CPython d11e69d (October 2025): the ZIP64 record at the locator's offset when one is
 * there (else right before the locator), which must end where the directory it names ends; no ZIP64 adjustment
 * of "concat". Undefined when the archive has no ZIP64 locator (then it reads as `zipfileListing`).
 */
async function newerZipfileListing(io: Io, at: number): Promise<Listing | undefined> {
  const eocd = endRecord(io, at);
  const loc = await locatorBefore(io, eocd.abs);
  if (!loc) return undefined;
  if (loc.getUint32(4, true) !== 0 || loc.getUint32(16, true) > 1) throw new ZipFormatError('multi-disk zip archives are not supported');
  const offset = eocd.abs - LOCATOR_SIZE - EOCD64_SIZE;
  const reloff = u64(loc, 8);
  if (!(reloff <= offset)) throw new ZipFormatError('corrupt ZIP64 end-of-central-directory locator');
  let recAt = reloff;
  let extra = offset - reloff;
  const isRecord = async (p: number) => viewOf(await bytesAt(io, p, EOCD64_SIZE)).getUint32(0, true) === SIG_EOCD64;
  if (!(await isRecord(recAt)) && reloff !== offset) {
    recAt = offset;
    extra = 0;
  }
  if (!(await isRecord(recAt))) throw new ZipFormatError('ZIP64 end-of-central-directory record not found');
  const rec = viewOf(await bytesAt(io, recAt, EOCD64_SIZE));
  const cdSize = u64(rec, 40);
  const cdOffset = u64(rec, 48);
  if (cdOffset + cdSize !== reloff || u64(rec, 4) + 12 !== EOCD64_SIZE + extra) throw new ZipFormatError('corrupt ZIP64 end-of-central-directory record');
  const start = offset - extra - cdSize;
  const prefix = start - cdOffset;
  const cd = await centralDirectory(io, start, cdSize);
  const entries = parseCentralDirectory(io, cd, start, prefix, { refuseOverlap: false });
  return { entries, centralDirectoryOffset: start, centralDirectorySize: cdSize, zip64: true, prefix, notes: [] };
}

/**
 * miniz 3.0.2 as PyTorch vendors it (`mz_zip_reader_read_central_dir`): the last end record, the ZIP64 record at
 * the offset its locator names, the directory at the offset the records give — absolute, nothing in front is
 * allowed for — and exactly as many entries as they count.
 */
async function minizListing(io: Io, at: number, refuseOverlap = false): Promise<Listing> {
  const eocd = endRecord(io, at);
  let { entries: total, entriesOnDisk, disk, cdDisk, cdSize, cdOffset } = eocd;
  let zip64 = false;
  if (eocd.abs >= LOCATOR_SIZE + EOCD64_SIZE) {
    const loc = await locatorBefore(io, eocd.abs);
    if (loc) {
      const recAt = u64(loc, 8);
      if (!(recAt <= io.size - EOCD64_SIZE)) throw new ZipFormatError('the ZIP64 locator points past the end of the file');
      const rec = viewOf(await bytesAt(io, recAt, EOCD64_SIZE));
      if (rec.getUint32(0, true) === SIG_EOCD64) {
        zip64 = true;
        if (u64(rec, 4) < EOCD64_SIZE - 12) throw new ZipFormatError('corrupt ZIP64 end-of-central-directory record');
        if (loc.getUint32(16, true) !== 1) throw new ZipFormatError('multi-disk zip archives are not supported');
        total = u64(rec, 32);
        entriesOnDisk = u64(rec, 24);
        if (u64(rec, 40) > 0xffffffff) throw new ZipFormatError('ZIP64 central directory too large for miniz');
        cdSize = u64(rec, 40);
        disk = rec.getUint32(16, true);
        cdDisk = rec.getUint32(20, true);
        cdOffset = u64(rec, 48);
      }
    }
  }
  if (total !== entriesOnDisk || ((disk | cdDisk) !== 0 && (disk !== 1 || cdDisk !== 1))) throw new ZipFormatError('multi-disk zip archives are not supported');
  if (total > io.maxEntries) throw new ZipFormatError(`zip claims ${total} entries, over the limit of ${io.maxEntries}`);
  if (cdSize < total * CENTRAL_HEADER_SIZE) throw new ZipFormatError(`zip claims ${total} entries but its central directory holds at most ${Math.floor(cdSize / CENTRAL_HEADER_SIZE)}`);
  const cd = await centralDirectory(io, cdOffset, cdSize);
  const entries = total === 0 ? [] : parseCentralDirectory(io, cd, cdOffset, 0, { count: total, miniz: { disk }, refuseOverlap });
  return { entries, centralDirectoryOffset: cdOffset, centralDirectorySize: cdSize, zip64, prefix: 0, notes: [] };
}

const listingKey = (e: ZipEntry) => `${e.name}\u0000${e.localHeaderOffset}\u0000${e.compressedSize}\u0000${e.method}`;
/** Entries that read the same bytes (the local header says where the data starts) are one member to scan. */
const dataKey = (e: ZipEntry) => `${e.localHeaderOffset}\u0000${e.compressedSize}\u0000${e.method}`;

/**
 * Lists a zip's entries reading only its tail and central directory (usually two range reads). The primary
 * listing is Python's zipfile's (miniz's when zipfile refuses the archive); where miniz or newer zipfile releases
 * list other entries, those are returned too, with a finding: the archive shows different contents to different
 * readers. Throws ZipFormatError for anything that is not a sound, single-disk zip.
 */
export async function readZipDirectory(read: RangeReader, size: number, limits: ZipLimits = {}): Promise<ZipDirectory> {
  const maxCd = limits.maxCentralDirectoryBytes ?? 64 * 1024 * 1024;
  const maxEntries = limits.maxEntries ?? 1_000_000;
  if (!Number.isSafeInteger(size) || size < EOCD_SIZE) throw new ZipFormatError(`not a zip: ${size} bytes is too small`);
  const tailStart = Math.max(0, size - (EOCD_SIZE + MAX_COMMENT));
  const tail = await readExact(read, tailStart, size - 1);
  const candidates = findEocds(tail);
  if (candidates.length === 0) throw new ZipFormatError('not a zip: no end-of-central-directory record in the last 64 KiB');
  const io: Io = { read, size, tail, tailStart, maxCd, maxEntries, fetched: new Map() };
  const findings: string[] = [];
  // Loaders take the last signature; one inside a comment that leads nowhere is passed over (and reported).
  let primary = -1;
  let dir: (Listing & { readBy: ZipReader }) | undefined;
  let firstError: unknown;
  for (const at of candidates) {
    try {
      dir = { ...(await zipfileListing(io, at)), readBy: 'zipfile' };
    } catch (err) {
      firstError ??= err;
      if (!(err instanceof ZipFormatError)) throw err;
      // zipfile refuses what miniz may still read: the directory at its recorded offset, not `concat` bytes later
      try {
        dir = { ...(await minizListing(io, at, true)), readBy: 'miniz' };
      } catch {
        continue;
      }
    }
    primary = at;
    break;
  }
  if (!dir) throw firstError;
  if (dir.prefix > 0) findings.push(`${dir.prefix} bytes of other data precede the archive: Python's zipfile opens it by its end record, torch.load and numpy.load see no zip`);
  if (dir.readBy === 'miniz') {
    const gap = endRecord(io, primary).abs - dir.centralDirectoryOffset - dir.centralDirectorySize - (dir.zip64 ? LOCATOR_SIZE + EOCD64_SIZE : 0);
    findings.push(gap > 0
      ? `${gap} bytes between the central directory and its end record: miniz reads the directory, Python's zipfile does not`
      : `Python's zipfile refuses the archive (${(firstError as Error).message}); miniz (torch.load) reads it`);
  }
  findings.push(...dir.notes);
  const commentEnd = primary + EOCD_SIZE + viewOf(tail).getUint16(primary + 20, true);
  if (commentEnd !== tail.length) {
    findings.push(`the end-of-central-directory comment ends ${commentEnd > tail.length ? 'past' : 'before'} the end of the file (${tail.length - commentEnd} bytes); loaders read this record anyway`);
  }

  // the same end record as other readers read it: miniz takes the last signature, as the primary listing does
  const alternateEntries: Array<{ entry: ZipEntry; reader: ZipReader }> = [];
  if (primary === candidates[0]) {
    const others: Array<[ZipReader, () => Promise<Listing | undefined>]> = [
      ['miniz', () => minizListing(io, primary)],
      ['newer zipfile', () => newerZipfileListing(io, primary)],
    ];
    const listed = new Set(dir.entries.map(listingKey));
    const scanned = new Set(dir.entries.map(dataKey));
    for (const [reader, list] of others) {
      if (reader === dir.readBy) continue;
      let other: Listing | undefined;
      try {
        other = await list();
      } catch (err) {
        if (!(err instanceof ZipFormatError)) throw err;
        continue; // that reader refuses the archive: it loads nothing from it
      }
      if (!other) continue;
      const theirs = new Set(other.entries.map(listingKey));
      const onlyTheirs = other.entries.filter((e) => !listed.has(listingKey(e)));
      const onlyOurs = dir.entries.filter((e) => !theirs.has(listingKey(e)));
      if (onlyTheirs.length === 0 && onlyOurs.length === 0) continue;
      const names = (es: ZipEntry[]) => es.slice(0, 3).map((e) => `"${e.name.slice(0, 100)}" at ${e.localHeaderOffset}`).join(', ');
      findings.push(
        `${READER_LABEL[reader]} and ${READER_LABEL[dir.readBy]} read different central directories (the archive shows different contents to different readers)` +
          (onlyTheirs.length ? `; only the first lists ${onlyTheirs.length}: ${names(onlyTheirs)}` : '') +
          (onlyOurs.length ? `; only the second lists ${onlyOurs.length}: ${names(onlyOurs)}` : ''),
      );
      for (const e of onlyTheirs) {
        if (scanned.has(dataKey(e))) continue;
        scanned.add(dataKey(e));
        alternateEntries.push({ entry: e, reader });
      }
    }
  }

  const others = candidates.filter((c) => c !== primary);
  const shadowEntries: ZipEntry[] = [];
  for (const other of others) {
    try {
      const d = await zipfileListing(io, other);
      const known = new Set(dir.entries.map((e) => e.localHeaderOffset));
      shadowEntries.push(...d.entries.filter((e) => !known.has(e.localHeaderOffset)));
      findings.push(`${candidates.length} end-of-central-directory records; Python's zipfile and PyTorch read the one at offset ${tailStart + primary}`);
    } catch {
      // a signature inside a comment or data that does not lead to a directory
    }
  }
  const { readBy: _readBy, notes: _notes, ...listed } = dir;
  return { ...listed, findings: [...new Set(findings)], shadowEntries, alternateEntries };
}

/** An entry's local header, as a streaming reader (and some loaders) see it. */
export interface LocalHeader {
  name: string;
  flags: number;
  method: number;
  crc32: number;
  dataStart: number;
}

export async function readLocalHeader(read: RangeReader, entry: ZipEntry): Promise<LocalHeader> {
  const label = `entry "${entry.name.slice(0, 200)}"`;
  const header = await readExact(read, entry.localHeaderOffset, entry.localHeaderOffset + LOCAL_HEADER_SIZE - 1);
  const h = viewOf(header);
  if (h.getUint32(0, true) !== SIG_LOCAL) throw new ZipFormatError(`${label}: no local file header at offset ${entry.localHeaderOffset}`);
  const nameLen = h.getUint16(26, true);
  const extraLen = h.getUint16(28, true);
  const nameBytes = nameLen > 0 ? await readExact(read, entry.localHeaderOffset + LOCAL_HEADER_SIZE, entry.localHeaderOffset + LOCAL_HEADER_SIZE + nameLen - 1) : new Uint8Array();
  return {
    name: utf8.decode(nameBytes),
    flags: h.getUint16(6, true),
    method: h.getUint16(8, true),
    crc32: h.getUint32(14, true),
    dataStart: entry.localHeaderOffset + LOCAL_HEADER_SIZE + nameLen + extraLen,
  };
}

/** Where the local headers disagree with the central directory (CVE-2025-1944 names, CVE-2025-1945 flag bits). */
export function localHeaderFindings(entry: ZipEntry, local: LocalHeader): string[] {
  const out: string[] = [];
  const label = `entry "${entry.name.slice(0, 200)}"`;
  if (local.name !== entry.name) out.push(`${label}: the local header names it "${local.name.slice(0, 200)}" (CVE-2025-1944: name mismatch)`);
  if ((local.flags ^ entry.flags) & 0x1) out.push(`${label}: the encryption flag differs between the local and central headers (CVE-2025-1945)`);
  else if (entry.flags & 0x1) out.push(`${label}: marked encrypted (flag bit 0); loaders that ignore the bit read it as plain data (CVE-2025-1945)`);
  if (local.method !== entry.method) out.push(`${label}: compression method ${local.method} locally, ${entry.method} in the central directory`);
  return out;
}

export interface ZipEntryStream {
  /** The entry's bytes in order (stored, or inflated as they arrive), never more than `maxBytes` in all. */
  chunks: AsyncIterable<Uint8Array>;
  /** Size and CRC-32 disagreements with the directory, known once `chunks` has been read to the end. */
  findings(): string[];
}

const STREAM_CHUNK = 1024 * 1024;

/**
 * One entry's bytes as a stream, as a loader reads them: encryption flags are ignored (PyTorch's reader does), a
 * CRC mismatch is a finding, not a refusal, so the bytes are still scanned. Memory stays at a chunk: a deflate
 * bomb is inflated piece by piece and stopped at `maxBytes` (a ZipFormatError).
 */
export function zipEntryStream(read: RangeReader, entry: ZipEntry, local: LocalHeader, opts: { maxBytes: number }): ZipEntryStream {
  const label = `entry "${entry.name.slice(0, 200)}"`;
  if (entry.method !== 0 && entry.method !== 8) throw new ZipFormatError(`${label} uses unsupported compression method ${entry.method}`);
  if (!(entry.uncompressedSize <= opts.maxBytes)) {
    throw new ZipFormatError(`${label} is ${entry.uncompressedSize} bytes uncompressed, over the ${opts.maxBytes}-byte limit`);
  }
  const dataEnd = local.dataStart + entry.compressedSize;
  if (dataEnd > entry.dataLimit) throw new ZipFormatError(`${label}: data runs into the next entry`);
  let length = 0;
  let crc = 0;
  let ended = false;
  async function* stored(): AsyncGenerator<Uint8Array> {
    for (let pos = local.dataStart; pos < dataEnd; pos += STREAM_CHUNK) yield readExact(read, pos, Math.min(dataEnd, pos + STREAM_CHUNK) - 1);
  }
  async function* inflated(): AsyncGenerator<Uint8Array> {
    // most members are small: one read and one synchronous inflate, streaming only what inflates past a chunk
    if (entry.compressedSize <= STREAM_CHUNK) {
      const raw = await readExact(read, local.dataStart, dataEnd - 1);
      try {
        const out = inflateRawSync(raw, { maxOutputLength: STREAM_CHUNK });
        yield new Uint8Array(out.buffer, out.byteOffset, out.length);
        return;
      } catch (err) {
        if ((err as { code?: string }).code !== 'ERR_BUFFER_TOO_LARGE') throw new ZipFormatError(`${label}: inflate failed (${(err as Error).message})`);
      }
    }
    const out = Readable.from(stored()).pipe(createInflateRaw());
    try {
      for await (const chunk of out) yield new Uint8Array((chunk as Buffer).buffer, (chunk as Buffer).byteOffset, (chunk as Buffer).length);
    } catch (err) {
      if (err instanceof RangeReadError || err instanceof ZipFormatError) throw err;
      throw new ZipFormatError(`${label}: inflate failed (${(err as Error).message})`);
    } finally {
      out.destroy();
    }
  }
  async function* counted(): AsyncGenerator<Uint8Array> {
    for await (const chunk of entry.method === 8 ? inflated() : stored()) {
      length += chunk.length;
      if (length > opts.maxBytes) throw new ZipFormatError(`${label}: inflates past the ${opts.maxBytes}-byte limit`);
      crc = crc32(chunk, crc);
      yield chunk;
    }
    ended = true;
  }
  return {
    chunks: counted(),
    findings: () => {
      if (!ended) return [];
      const out: string[] = [];
      if (length !== entry.uncompressedSize) out.push(`${label}: ${length} bytes, the directory says ${entry.uncompressedSize}`);
      if (crc >>> 0 !== entry.crc32 >>> 0) out.push(`${label}: CRC-32 mismatch (a loader that skips the check still reads these bytes)`);
      return out;
    },
  };
}

/** One entry's bytes whole (see `zipEntryStream`), for members that are read whole anyway (configs, tests). */
export async function readZipEntryLenient(read: RangeReader, entry: ZipEntry, local: LocalHeader, opts: { maxBytes: number }): Promise<{ data: Uint8Array; findings: string[] }> {
  const stream = zipEntryStream(read, entry, local, opts);
  const parts: Uint8Array[] = [];
  for await (const chunk of stream.chunks) parts.push(chunk);
  const data = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    data.set(p, at);
    at += p.length;
  }
  return { data, findings: stream.findings() };
}

/** Offsets of local-header signatures inside `bytes` (ghost entries, when the bytes are a gap between entries). */
export function localSignaturesIn(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = bytes.indexOf(0x50); i >= 0 && i + 4 <= bytes.length; i = bytes.indexOf(0x50, i + 1)) {
    if (bytes[i + 1] === 0x4b && bytes[i + 2] === 3 && bytes[i + 3] === 4) out.push(i);
  }
  return out;
}

export const ZIP_LOCAL_HEADER_SIZE = LOCAL_HEADER_SIZE;
