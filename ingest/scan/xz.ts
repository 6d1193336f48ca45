/**
 * The LZMA family as Python's `lzma` module reads it (FORMAT_AUTO, which joblib and `lzma.open` use): `.xz`
 * streams and lzma-alone (`.lzma`) streams, one after another, each decoded by its own decoder; what follows the
 * last stream that starts like one is trailing data Python ignores, and so does this. Written from the xz file
 * format specification (stream header and footer, blocks with their headers, LZMA2 chunks, the index, CRC-32,
 * CRC-64 and SHA-256 checks) and the LZMA specification (the 13-byte lzma-alone header).
 *
 * Output streams out in pieces of at most `OUT_PIECE` bytes while the input is read on demand, so memory stays at
 * the input buffer (an LZMA2 chunk is at most 64 KiB compressed) plus the dictionary window, which grows only as
 * far as the stream uses it and never past `maxWindow` (`LimitError` beyond).
 */
import { createHash } from 'node:crypto';
import { ByteQueue, DecodeError } from './byte-queue.ts';
import { isLzmaAloneHeader } from './format.ts';
import { Crc64, crc32 } from './checksums.ts';
import { LimitError, LzmaDecoder, SYMBOL_INPUT_MARGIN } from './lzma.ts';

/** The stream uses a feature this decoder does not implement (a BCJ or delta filter, a chain of filters). */
export class UnsupportedError extends Error {}

export interface LzmaStreamOptions {
  /** The largest dictionary window to hold (bytes). */
  maxWindow: number;
}

const OUT_PIECE = 256 * 1024;
/**
 * Concatenated streams decoded before giving up: an empty lzma-alone stream is 18 bytes, so a file of zeros is
 * millions of them; real concatenations (one stream per `xz` or pbzip2 run) number a few thousand at most.
 */
export const MAX_STREAMS = 100_000;
const XZ_MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
const FOOTER_MAGIC = [0x59, 0x5a];
/** Bytes of the check field for each check ID (the spec reserves the unnamed IDs with these sizes). */
const CHECK_SIZES = [0, 4, 4, 4, 8, 8, 8, 16, 16, 16, 32, 32, 32, 64, 64, 64];
const FILTER_NAMES: Readonly<Record<number, string>> = { 3: 'delta', 4: 'x86 BCJ', 5: 'PowerPC BCJ', 6: 'IA-64 BCJ', 7: 'ARM BCJ', 8: 'ARM-Thumb BCJ', 9: 'SPARC BCJ', 10: 'ARM64 BCJ', 11: 'RISC-V BCJ' };
const LZMA2_FILTER = 0x21;

const startsWith = (b: Uint8Array, at: number, sig: readonly number[]) => sig.every((x, i) => b[at + i] === x);

/** Every xz or lzma-alone stream in `input`, decompressed, in order. */
export async function* decodeLzmaStreams(input: AsyncIterable<Uint8Array>, opts: LzmaStreamOptions): AsyncGenerator<Uint8Array> {
  const q = new ByteQueue(input);
  try {
    for (let n = 0; ; n++) {
      await q.fill(13);
      const at = q.pos;
      if (skipEmptyAloneStreams(q)) {
        if (await q.atEnd()) return;
        continue;
      }
      if (n >= MAX_STREAMS) throw new LimitError(`more than ${MAX_STREAMS} concatenated xz or lzma streams`);
      if (q.available >= 6 && startsWith(q.buf, at, XZ_MAGIC)) yield* xzStream(q, opts);
      else if (isLzmaAloneHeader(q.buf.subarray(0, q.end), at)) yield* aloneStream(q, opts);
      else if (n === 0) throw new DecodeError(q.available < 13 ? 'truncated: shorter than an LZMA header' : 'neither an xz stream nor an lzma-alone header liblzma accepts');
      else return; // trailing data: Python's reader stops at bytes that do not start a stream
      if (await q.atEnd()) return;
    }
  } finally {
    await q.close();
  }
}

/**
 * lzma-alone streams that declare an uncompressed size of 0 (13 header bytes and the range coder's 5 start bytes,
 * no output), stepped over without the per-stream machinery: 13 zero bytes are such a header, so a run of zeros is
 * thousands of them. The next stream is read as usual.
 */
function skipEmptyAloneStreams(q: ByteQueue): boolean {
  const b = q.buf;
  const from = q.pos;
  while (q.end - q.pos >= 18 && b[q.pos + 13] === 0 && isLzmaAloneHeader(b, q.pos) && declaresEmptyStream(b, q.pos)) q.pos += 18;
  return q.pos > from;
}

function declaresEmptyStream(b: Uint8Array, at: number): boolean {
  for (let i = at + 5; i < at + 13; i++) if (b[i] !== 0) return false;
  return true;
}

/** One lzma-alone stream: properties, dictionary size, uncompressed size (or unknown, then an end marker). */
async function* aloneStream(q: ByteQueue, opts: LzmaStreamOptions): AsyncGenerator<Uint8Array> {
  const h = q.take(13, 'the lzma-alone header');
  let props = h[0]!;
  if (props >= 9 * 5 * 5) throw new DecodeError(`corrupt lzma-alone header: properties byte ${props}`);
  const lc = props % 9;
  props = (props / 9) | 0;
  const lp = props % 5;
  const pb = (props / 5) | 0;
  const v = new DataView(h.buffer, h.byteOffset, 13);
  const dictSize = v.getUint32(1, true);
  const unknown = h.subarray(5, 13).every((x) => x === 0xff);
  const size = unknown ? Infinity : v.getUint32(9, true) * 2 ** 32 + v.getUint32(5, true);
  const dec = new LzmaDecoder(dictSize, opts.maxWindow);
  dec.setProperties(lc, lp, pb);
  dec.resetState();
  await q.fill(5);
  dec.initRange(q);
  let remaining = size;
  while (remaining > 0 && !dec.ended) {
    await q.fill(64 * 1024);
    dec.decode(q, q.end, { maxOut: OUT_PIECE, limit: Math.min(remaining, 2 ** 52), margin: q.eof ? 0 : SYMBOL_INPUT_MARGIN, endMarker: true });
    const n = dec.pending;
    if (n > 0) {
      remaining -= n;
      yield dec.flush();
    }
  }
  if (dec.ended && remaining > 0 && !unknown) throw new DecodeError(`corrupt lzma-alone data: the end marker comes ${remaining} bytes before the declared size`);
  if (dec.ended && !dec.rangeFinished) throw new DecodeError('corrupt lzma-alone data: the range coder does not end cleanly at the end marker');
}

/** One .xz stream: header, blocks, index, footer, every check verified. */
async function* xzStream(q: ByteQueue, opts: LzmaStreamOptions): AsyncGenerator<Uint8Array> {
  await q.fill(12);
  const header = q.take(12, 'the xz stream header').slice();
  const flags = header.subarray(6, 8);
  if (crc32(flags) !== u32(header, 8)) throw new DecodeError('corrupt xz stream header: CRC-32 mismatch');
  if (flags[0] !== 0 || (flags[1]! & 0xf0) !== 0) throw new UnsupportedError('xz stream flags this decoder does not know (a newer xz format)');
  const checkId = flags[1]! & 0x0f;
  const checkSize = CHECK_SIZES[checkId]!;
  const blocks = createHash('sha256');
  let blockCount = 0;
  for (;;) {
    await q.fill(1024 + 64);
    const first = q.byte('the xz block header');
    if (first === 0) break; // the index indicator
    const unpadded: { header: number; compressed: number; uncompressed: number } = { header: (first + 1) * 4, compressed: 0, uncompressed: 0 };
    const hdr = new Uint8Array(unpadded.header);
    hdr[0] = first;
    hdr.set(q.take(unpadded.header - 1, 'the xz block header'), 1);
    if (crc32(hdr.subarray(0, hdr.length - 4)) !== u32(hdr, hdr.length - 4)) throw new DecodeError('corrupt xz block header: CRC-32 mismatch');
    const block = parseBlockHeader(hdr);
    const check = newCheck(checkId);
    const startOffset = q.offset;
    for await (const piece of lzma2(q, block.dictSize, opts)) {
      unpadded.uncompressed += piece.length;
      check?.update(piece);
      yield piece;
    }
    unpadded.compressed = q.offset - startOffset;
    if (block.compressedSize !== undefined && block.compressedSize !== unpadded.compressed) throw new DecodeError(`corrupt xz block: ${unpadded.compressed} compressed bytes where the header declares ${block.compressedSize}`);
    if (block.uncompressedSize !== undefined && block.uncompressedSize !== unpadded.uncompressed) throw new DecodeError(`corrupt xz block: ${unpadded.uncompressed} bytes decompressed where the header declares ${block.uncompressedSize}`);
    await q.fill(3 + checkSize);
    const pad = q.take((4 - (unpadded.compressed % 4)) % 4, 'the xz block padding');
    if (pad.some((b) => b !== 0)) throw new DecodeError('corrupt xz block: non-zero padding');
    const stored = q.take(checkSize, 'the xz block check');
    if (check && !equal(check.digest(), stored)) throw new DecodeError(`corrupt xz block: ${CHECK_NAMES[checkId]} mismatch (the data is not what was compressed)`);
    blocks.update(record(unpadded.header + unpadded.compressed + checkSize, unpadded.uncompressed));
    blockCount++;
  }
  const indexSize = await readIndex(q, blockCount, blocks.digest());
  await q.fill(12);
  const footer = q.take(12, 'the xz stream footer');
  if (crc32(footer.subarray(4, 10)) !== u32(footer, 0)) throw new DecodeError('corrupt xz stream footer: CRC-32 mismatch');
  if (!startsWith(footer, 10, FOOTER_MAGIC)) throw new DecodeError('corrupt xz stream footer: no footer magic');
  if ((u32(footer, 4) + 1) * 4 !== indexSize) throw new DecodeError('corrupt xz stream footer: the backward size does not match the index');
  if (footer[8] !== flags[0] || footer[9] !== flags[1]) throw new DecodeError('corrupt xz stream footer: flags differ from the header');
}

const CHECK_NAMES: Readonly<Record<number, string>> = { 1: 'CRC-32', 4: 'CRC-64', 10: 'SHA-256' };

/** The check a block's data is verified with; undefined for none or an ID Python's liblzma skips unverified. */
function newCheck(id: number): { update(b: Uint8Array): void; digest(): Uint8Array } | undefined {
  if (id === 1) {
    let c = 0;
    return {
      update: (b) => void (c = crc32(b, c)),
      digest: () => {
        const out = new Uint8Array(4);
        new DataView(out.buffer).setUint32(0, c, true);
        return out;
      },
    };
  }
  if (id === 4) return new Crc64();
  if (id === 10) {
    const h = createHash('sha256');
    return { update: (b) => void h.update(b), digest: () => new Uint8Array(h.digest()) };
  }
  return undefined;
}

interface BlockHeader {
  compressedSize?: number;
  uncompressedSize?: number;
  dictSize: number;
}

function parseBlockHeader(hdr: Uint8Array): BlockHeader {
  const flags = hdr[1]!;
  if (flags & 0x3c) throw new UnsupportedError('xz block flags this decoder does not know (reserved bits set)');
  const filters = (flags & 3) + 1;
  const cur = { at: 2, end: hdr.length - 4 };
  const out: BlockHeader = { dictSize: 0 };
  if (flags & 0x40) out.compressedSize = vli(hdr, cur, 'compressed size');
  if (flags & 0x80) out.uncompressedSize = vli(hdr, cur, 'uncompressed size');
  if (out.compressedSize === 0) throw new DecodeError('corrupt xz block header: compressed size 0');
  const chain: number[] = [];
  let props: Uint8Array = new Uint8Array(0);
  for (let i = 0; i < filters; i++) {
    const id = vli(hdr, cur, 'filter ID');
    const size = vli(hdr, cur, 'filter properties size');
    if (cur.at + size > cur.end) throw new DecodeError('corrupt xz block header: filter properties run past the header');
    props = hdr.subarray(cur.at, cur.at + size);
    cur.at += size;
    chain.push(id);
  }
  if (hdr.subarray(cur.at, cur.end).some((b) => b !== 0)) throw new DecodeError('corrupt xz block header: non-zero padding');
  if (chain.length !== 1 || chain[0] !== LZMA2_FILTER) {
    const names = chain.map((id) => (id === LZMA2_FILTER ? 'LZMA2' : FILTER_NAMES[id] ?? `filter 0x${id.toString(16)}`));
    throw new UnsupportedError(`xz filter chain ${names.join(' + ')}; this scanner decodes plain LZMA2 (what xz, Python's lzma and joblib write by default)`);
  }
  if (props.length !== 1 || props[0]! > 40) throw new DecodeError('corrupt xz block header: invalid LZMA2 properties');
  const d = props[0]!;
  out.dictSize = d === 40 ? 0xffffffff : (2 | (d & 1)) * 2 ** ((d >>> 1) + 11);
  return out;
}

/** An xz variable-length integer: 7 bits a byte, low first, at most 9 bytes, no superfluous zero byte. */
function vli(b: Uint8Array, cur: { at: number; end: number }, what: string): number {
  let value = 0;
  for (let i = 0; i < 9; i++) {
    if (cur.at >= cur.end) throw new DecodeError(`corrupt xz data: the ${what} runs past its field`);
    const x = b[cur.at++]!;
    value += (x & 0x7f) * 2 ** (7 * i);
    if ((x & 0x80) === 0) {
      if (x === 0 && i > 0) throw new DecodeError(`corrupt xz data: the ${what} is not minimally encoded`);
      return value;
    }
  }
  throw new DecodeError(`corrupt xz data: the ${what} is longer than 9 bytes`);
}

function record(unpadded: number, uncompressed: number): string {
  return `${unpadded}:${uncompressed};`;
}

/**
 * The index (its indicator byte already read): the record count and each block's unpadded and uncompressed
 * size, which must match the blocks just decoded (compared through a digest, so a huge index costs no memory),
 * padding, CRC-32. Returns the index's size.
 */
async function readIndex(q: ByteQueue, blockCount: number, blocksDigest: Buffer): Promise<number> {
  let crc = crc32(Uint8Array.of(0));
  let size = 1;
  const field = async (what: string): Promise<number> => {
    await q.fill(10);
    const cur = { at: q.pos, end: q.end };
    const value = vli(q.buf, cur, what);
    const bytes = q.take(cur.at - q.pos, what);
    crc = crc32(bytes, crc);
    size += bytes.length;
    return value;
  };
  const count = await field('index record count');
  if (count !== blockCount) throw new DecodeError(`corrupt xz index: ${count} records for ${blockCount} blocks`);
  const records = createHash('sha256');
  for (let i = 0; i < count; i++) {
    const unpadded = await field('index unpadded size');
    const uncompressed = await field('index uncompressed size');
    records.update(record(unpadded, uncompressed));
  }
  if (!records.digest().equals(blocksDigest)) throw new DecodeError('corrupt xz index: its records do not match the blocks');
  await q.fill(8);
  const pad = q.take((4 - (size % 4)) % 4, 'the xz index padding');
  if (pad.some((b) => b !== 0)) throw new DecodeError('corrupt xz index: non-zero padding');
  crc = crc32(pad, crc);
  size += pad.length;
  if (crc !== u32(q.take(4, 'the xz index CRC-32'), 0)) throw new DecodeError('corrupt xz index: CRC-32 mismatch');
  return size + 4;
}

/**
 * An LZMA2 stream (one xz block's data): chunks of at most 64 KiB compressed, each LZMA-coded (with its own range
 * coder; state, properties and dictionary reset as its control byte says) or stored, until the end byte 0x00.
 */
async function* lzma2(q: ByteQueue, dictSize: number, opts: LzmaStreamOptions): AsyncGenerator<Uint8Array> {
  const dec = new LzmaDecoder(dictSize, opts.maxWindow);
  let needDictReset = true;
  let needProps = true;
  for (;;) {
    await q.fill(6);
    const control = q.byte('an LZMA2 chunk header');
    if (control === 0) return;
    if (control === 1 || control >= 0xe0) {
      dec.resetDictionary();
      needDictReset = false;
      needProps = true;
    } else if (needDictReset) {
      throw new DecodeError('corrupt LZMA2 data: the first chunk does not reset the dictionary');
    }
    if (control >= 0x80) {
      const sizes = q.take(4, 'an LZMA2 chunk header');
      let unpacked = (control & 0x1f) * 65536 + (sizes[0]! << 8) + sizes[1]! + 1;
      const packed = (sizes[2]! << 8) + sizes[3]! + 1;
      const reset = (control >>> 5) & 3;
      if (reset >= 2) {
        let p = q.byte('LZMA2 properties');
        if (p >= 9 * 5 * 5) throw new DecodeError('corrupt LZMA2 data: invalid properties');
        const lc = p % 9;
        p = (p / 9) | 0;
        const lp = p % 5;
        const pb = (p / 5) | 0;
        if (lc + lp > 4) throw new DecodeError('corrupt LZMA2 data: lc + lp above 4');
        dec.setProperties(lc, lp, pb);
        needProps = false;
      } else if (needProps) {
        throw new DecodeError('corrupt LZMA2 data: a chunk needs properties and has none');
      }
      if (reset >= 1) dec.resetState();
      await q.fill(packed);
      if (q.available < packed) throw new DecodeError('truncated: the input ends inside an LZMA2 chunk');
      const chunkEnd = q.pos + packed;
      dec.initRange(q);
      while (unpacked > 0) {
        dec.decode(q, chunkEnd, { maxOut: OUT_PIECE, limit: unpacked, margin: 0, endMarker: false });
        const n = dec.pending;
        if (n === 0) throw new DecodeError('corrupt LZMA2 data: a chunk stops short of its size');
        unpacked -= n;
        // q.buf is not refilled while a chunk is decoded, so chunkEnd stays valid across the yield
        yield dec.flush();
      }
      if (q.pos !== chunkEnd || dec.pendingLen > 0 || !dec.rangeFinished) throw new DecodeError('corrupt LZMA2 data: a chunk does not end where its header says');
    } else if (control <= 2) {
      const sizeBytes = q.take(2, 'an LZMA2 chunk header');
      const size = (sizeBytes[0]! << 8) + sizeBytes[1]! + 1;
      await q.fill(size);
      const data = q.take(size, 'an LZMA2 stored chunk');
      for (let at = 0; at < size; ) {
        const n = Math.min(size - at, dec.cap - dec.pending);
        dec.putBytes(data.subarray(at, at + n));
        at += n;
        yield dec.flush();
      }
    } else {
      throw new DecodeError(`corrupt LZMA2 data: invalid chunk control byte 0x${control.toString(16)}`);
    }
  }
}

function u32(b: Uint8Array, at: number): number {
  return new DataView(b.buffer, b.byteOffset + at, 4).getUint32(0, true);
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export { DecodeError, LimitError };
