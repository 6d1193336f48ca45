/**
 * Reading a zip through byte ranges, so a multi-gigabyte PyTorch checkpoint on the Hub can be scanned by fetching
 * its central directory and its small `data.pkl` — never the tensors.
 *
 * The layout we rely on: the End Of Central Directory record (EOCD) sits in the last 22 + up to 65,535 (comment)
 * bytes; it points at the central directory, which lists every entry with sizes and the offset of its local
 * header; the data follows each local header. ZIP64 moves sizes and offsets into 64-bit fields (an EOCD64 record
 * found through a locator just before the EOCD, and an extra field per entry).
 *
 * Hostile archives are expected: every offset and size is checked against the file before it is used, entries may
 * not overlap, and inflation is capped by the declared size. Failures throw ZipFormatError, which the caller turns
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

interface DirectoryLocation {
  entries: number;
  cdOffset: number;
  cdSize: number;
  /** The first byte after the central directory may not pass this (the EOCD64 record or the EOCD). */
  cdEndLimit: number;
  zip64: boolean;
  /**
   * Bytes in front of the archive (a zip appended to other data). Offsets in the records count from the archive's
   * start; Python's zipfile finds the start as the EOCD's position minus the directory's size and offset, and so
   * does this reader. 0 for an ordinary zip.
   */
  prefix: number;
}

async function locateDirectory(read: RangeReader, size: number, tail: Uint8Array, tailStart: number, at: number): Promise<DirectoryLocation> {
  const v = viewOf(tail);
  const eocdAbs = tailStart + at;
  const disk = v.getUint16(at + 4, true);
  const cdDisk = v.getUint16(at + 6, true);
  let entries = v.getUint16(at + 10, true);
  let cdSize = v.getUint32(at + 12, true);
  let cdOffset = v.getUint32(at + 16, true);
  let cdEndLimit = eocdAbs;
  let zip64 = false;

  const hasLocator = at >= LOCATOR_SIZE && v.getUint32(at - LOCATOR_SIZE, true) === SIG_EOCD64_LOCATOR;
  const needs64 = entries === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff;
  if (hasLocator) {
    const locatorAbs = eocdAbs - LOCATOR_SIZE;
    // Python's zipfile reads the ZIP64 record right before the locator, whatever offset the locator gives (which
    // counts from the archive's start, so it is off by any data in front)
    const eocd64Offset = locatorAbs - EOCD64_SIZE;
    if (eocd64Offset < 0) throw new ZipFormatError('ZIP64 locator points outside the file');
    const rel = eocd64Offset - tailStart;
    const rec = rel >= 0 ? tail.subarray(rel, rel + EOCD64_SIZE) : await readExact(read, eocd64Offset, eocd64Offset + EOCD64_SIZE - 1);
    const r = viewOf(rec);
    if (r.getUint32(0, true) !== SIG_EOCD64) throw new ZipFormatError('ZIP64 end-of-central-directory record not found before its locator');
    if (r.getUint32(16, true) !== 0 || r.getUint32(20, true) !== 0) throw new ZipFormatError('multi-disk zip archives are not supported');
    entries = u64(r, 32);
    cdSize = u64(r, 40);
    cdOffset = u64(r, 48);
    cdEndLimit = eocd64Offset;
    zip64 = true;
  } else if (needs64) {
    throw new ZipFormatError('zip needs ZIP64 fields but has no ZIP64 locator');
  } else if (disk !== 0 || cdDisk !== 0) {
    throw new ZipFormatError('multi-disk zip archives are not supported');
  }
  if (!(cdOffset + cdSize <= cdEndLimit) || cdEndLimit > size) {
    throw new ZipFormatError(`central directory (offset ${cdOffset}, ${cdSize} bytes) does not fit in the file`);
  }
  const prefix = cdEndLimit - cdSize - cdOffset;
  return { entries, cdOffset: cdOffset + prefix, cdSize, cdEndLimit, zip64, prefix };
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

function parseCentralDirectory(cd: Uint8Array, expected: number, cdOffset: number, prefix: number): ZipEntry[] {
  const v = viewOf(cd);
  const raw: Array<Omit<ZipEntry, 'dataLimit'> & { nameLen: number }> = [];
  let p = 0;
  for (let i = 0; i < expected; i++) {
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
    if (diskStart !== 0 && diskStart !== 0xffff) throw new ZipFormatError('multi-disk zip archives are not supported');
    raw.push({
      name: utf8.decode(nameBytes),
      nameLen,
      flags,
      method,
      crc32: crc,
      compressedSize: sizes.csize,
      uncompressedSize: sizes.usize,
      localHeaderOffset: sizes.offset + prefix,
    });
    p = next;
  }

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

/**
 * Lists a zip's entries reading only its tail and central directory (usually two range reads).
 * Throws ZipFormatError for anything that is not a sound, single-disk zip.
 */
export async function readZipDirectory(read: RangeReader, size: number, limits: ZipLimits = {}): Promise<ZipDirectory> {
  const maxCd = limits.maxCentralDirectoryBytes ?? 64 * 1024 * 1024;
  const maxEntries = limits.maxEntries ?? 1_000_000;
  if (!Number.isSafeInteger(size) || size < EOCD_SIZE) throw new ZipFormatError(`not a zip: ${size} bytes is too small`);
  const tailStart = Math.max(0, size - (EOCD_SIZE + MAX_COMMENT));
  const tail = await readExact(read, tailStart, size - 1);
  const candidates = findEocds(tail);
  if (candidates.length === 0) throw new ZipFormatError('not a zip: no end-of-central-directory record in the last 64 KiB');
  const findings: string[] = [];
  // Loaders take the last signature; one inside a comment that leads nowhere is passed over (and reported).
  let primary = -1;
  let dir: (Omit<ZipDirectory, 'findings' | 'shadowEntries'> & { gapBeforeEnd?: number }) | undefined;
  let firstError: unknown;
  for (const at of candidates) {
    try {
      dir = await readDirectoryAt(read, size, tail, tailStart, at, maxCd, maxEntries);
      primary = at;
      break;
    } catch (err) {
      firstError ??= err;
    }
  }
  if (!dir) throw firstError;
  if (dir.prefix > 0) findings.push(`${dir.prefix} bytes of other data precede the archive: Python's zipfile opens it by its end record, torch.load and numpy.load see no zip`);
  if (dir.gapBeforeEnd) findings.push(`${dir.gapBeforeEnd} bytes between the central directory and its end record: miniz reads the directory, Python's zipfile does not`);
  const commentEnd = primary + EOCD_SIZE + viewOf(tail).getUint16(primary + 20, true);
  if (commentEnd !== tail.length) {
    findings.push(`the end-of-central-directory comment ends ${commentEnd > tail.length ? 'past' : 'before'} the end of the file (${tail.length - commentEnd} bytes); loaders read this record anyway`);
  }
  const others = candidates.filter((c) => c !== primary);
  const shadowEntries: ZipEntry[] = [];
  for (const other of others) {
    try {
      const d = await readDirectoryAt(read, size, tail, tailStart, other, maxCd, maxEntries);
      const known = new Set(dir.entries.map((e) => e.localHeaderOffset));
      shadowEntries.push(...d.entries.filter((e) => !known.has(e.localHeaderOffset)));
      findings.push(`${candidates.length} end-of-central-directory records; Python's zipfile and PyTorch read the one at offset ${tailStart + primary}`);
    } catch {
      // a signature inside a comment or data that does not lead to a directory
    }
  }
  const { gapBeforeEnd: _gap, ...listed } = dir;
  return { ...listed, findings: [...new Set(findings)], shadowEntries };
}

async function readDirectoryAt(
  read: RangeReader, size: number, tail: Uint8Array, tailStart: number, at: number, maxCd: number, maxEntries: number,
): Promise<Omit<ZipDirectory, 'findings' | 'shadowEntries'> & { gapBeforeEnd?: number }> {
  const loc = await locateDirectory(read, size, tail, tailStart, at);
  if (loc.cdSize > maxCd) throw new ZipFormatError(`central directory of ${loc.cdSize} bytes is over the ${maxCd}-byte limit`);
  if (loc.entries > maxEntries) throw new ZipFormatError(`zip claims ${loc.entries} entries, over the limit of ${maxEntries}`);
  if (loc.entries * CENTRAL_HEADER_SIZE > loc.cdSize) {
    throw new ZipFormatError(`zip claims ${loc.entries} entries but its central directory holds at most ${Math.floor(loc.cdSize / CENTRAL_HEADER_SIZE)}`);
  }
  const listAt = async (cdOffset: number, prefix: number) => {
    const rel = cdOffset - tailStart;
    const cd = rel >= 0 ? tail.subarray(rel, rel + loc.cdSize) : await readExact(read, cdOffset, cdOffset + loc.cdSize - 1);
    return { entries: parseCentralDirectory(cd, loc.entries, cdOffset, prefix), centralDirectoryOffset: cdOffset, centralDirectorySize: loc.cdSize, zip64: loc.zip64, prefix };
  };
  try {
    return await listAt(loc.cdOffset, loc.prefix);
  } catch (err) {
    // Not data in front but bytes between the directory and its end record: miniz (PyTorch) reads the directory
    // at its recorded offset, where Python's zipfile looks `prefix` bytes later and fails.
    if (loc.prefix <= 0 || !(err instanceof ZipFormatError)) throw err;
    const d = await listAt(loc.cdOffset - loc.prefix, 0);
    return { ...d, gapBeforeEnd: loc.prefix };
  }
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
