/**
 * A bzip2 decoder, written from the format's description (the `BZh` stream header, blocks of at most 900 kB:
 * Huffman-coded symbols in groups of 50 with up to six tables, move-to-front and run-length coding of zeros, the
 * inverse Burrows–Wheeler transform, then the initial run-length coding undone; a CRC per block and one per
 * stream). Streams follow one another as Python's `bz2` reads them: each one decoded in turn, and what follows the
 * last that starts with `BZh` is trailing data Python ignores.
 *
 * Streaming and bounded: a block's coded input is held whole (at most `BLOCK_INPUT_MAX`; more is a `LimitError`),
 * the block's at most 900,000 symbols in one 3.6 MB table, and the output — up to ~46 MB a block once runs are
 * expanded — leaves in pieces of at most `OUT_PIECE` bytes, the next produced only when the consumer asks.
 */
import { ByteQueue, DecodeError } from './byte-queue.ts';
import { bzip2CrcUpdate } from './checksums.ts';
import { LimitError } from './lzma.ts';
import { MAX_STREAMS, UnsupportedError } from './xz.ts';

const OUT_PIECE = 256 * 1024;
/**
 * The most coded input one block may take. An encoder's block is at most 900,001 symbols of at most 20 bits plus
 * tables (~2.3 MB); a longer one can only be hostile (endless code-length adjustments), so it is refused.
 */
const BLOCK_INPUT_MAX = 4 * 1024 * 1024;
const BLOCK_MAGIC_HI = 0x314159;
const BLOCK_MAGIC_LO = 0x265359;
const END_MAGIC_HI = 0x177245;
const END_MAGIC_LO = 0x385090;
const MAX_GROUPS = 6;
const GROUP_SIZE = 50;
const MAX_CODE_LEN = 20;
const MAX_ALPHA = 258;
/** bzip2 keeps at most this many selectors and ignores the rest (as bzip2 1.0.8 does after CVE-2019-12900). */
const MAX_SELECTORS = 18002;

class BitReader {
  private acc = 0;
  private n = 0;
  constructor(private readonly q: ByteQueue) {}

  /** `k` bits (1..24), most significant first. */
  bits(k: number): number {
    while (this.n < k) {
      const q = this.q;
      if (q.pos >= q.end) {
        if (q.eof) throw new DecodeError('truncated: the bzip2 data ends inside a block');
        throw new LimitError(`a bzip2 block takes more than ${BLOCK_INPUT_MAX} bytes of coded input, more than any bzip2 encoder writes`);
      }
      this.acc = ((this.acc << 8) | q.buf[q.pos++]!) >>> 0;
      this.n += 8;
    }
    this.n -= k;
    const v = (this.acc >>> this.n) & ((1 << k) - 1);
    this.acc &= (1 << this.n) - 1;
    return v;
  }

  bit(): number {
    return this.bits(1);
  }

  /** Drops the bits left in the current byte (a stream ends on a byte boundary). */
  align(): void {
    this.acc = 0;
    this.n = 0;
  }
}

/** One Huffman table in the form bzip2 decodes it: per code length, the largest code and the offset into `perm`. */
interface HuffmanTable {
  minLen: number;
  limit: Int32Array;
  base: Int32Array;
  perm: Uint16Array;
  symbols: number;
}

function huffmanTable(lengths: Uint8Array, alphaSize: number): HuffmanTable {
  let minLen = 32;
  let maxLen = 0;
  for (let i = 0; i < alphaSize; i++) {
    minLen = Math.min(minLen, lengths[i]!);
    maxLen = Math.max(maxLen, lengths[i]!);
  }
  const perm = new Uint16Array(alphaSize);
  let p = 0;
  for (let len = minLen; len <= maxLen; len++) for (let s = 0; s < alphaSize; s++) if (lengths[s] === len) perm[p++] = s;
  // count[len] symbols have that length; codes are assigned in order of (length, symbol)
  const below = new Int32Array(MAX_CODE_LEN + 2); // symbols with a shorter length
  for (let s = 0; s < alphaSize; s++) below[lengths[s]! + 1]!++;
  for (let i = 1; i < below.length; i++) below[i]! += below[i - 1]!;
  const limit = new Int32Array(MAX_CODE_LEN + 1);
  const base = new Int32Array(MAX_CODE_LEN + 1).fill(alphaSize);
  let code = 0;
  for (let len = minLen; len <= maxLen; len++) {
    const first = code;
    code += below[len + 1]! - below[len]!;
    limit[len] = code - 1;
    base[len] = first - below[len]!;
    code <<= 1;
  }
  return { minLen, limit, base, perm, symbols: alphaSize };
}

function decodeSymbol(r: BitReader, t: HuffmanTable): number {
  let len = t.minLen;
  let code = r.bits(len);
  while (len > MAX_CODE_LEN || code > t.limit[len]!) {
    len++;
    if (len > MAX_CODE_LEN) throw new DecodeError('corrupt bzip2 block: a Huffman code longer than 20 bits');
    code = (code << 1) | r.bit();
  }
  const i = code - t.base[len]!;
  if (i < 0 || i >= t.symbols) throw new DecodeError('corrupt bzip2 block: a Huffman code outside its table');
  return t.perm[i]!;
}

/** The decoded block, before its initial run-length coding is undone: `tt` links the BWT permutation. */
interface Block {
  crc: number;
  tt: Uint32Array;
  length: number;
  origPtr: number;
}

/** Reads one block's symbols into `tt` (reused across blocks) and prepares its inverse BWT. */
function readBlock(r: BitReader, tt: Uint32Array, maxBlock: number): Block {
  const crc = ((r.bits(16) << 16) | r.bits(16)) >>> 0;
  if (r.bit()) throw new UnsupportedError('a randomised bzip2 block (written by bzip2 before 0.9.5, decades obsolete)');
  const origPtr = r.bits(24);

  const used: number[] = [];
  const ranges = r.bits(16);
  for (let i = 0; i < 16; i++) {
    if (!(ranges & (0x8000 >>> i))) continue;
    const bytes = r.bits(16);
    for (let j = 0; j < 16; j++) if (bytes & (0x8000 >>> j)) used.push(i * 16 + j);
  }
  if (used.length === 0) throw new DecodeError('corrupt bzip2 block: no byte values in use');
  const alphaSize = used.length + 2;

  const groups = r.bits(3);
  if (groups < 2 || groups > MAX_GROUPS) throw new DecodeError(`corrupt bzip2 block: ${groups} Huffman tables`);
  let selectorCount = r.bits(15);
  if (selectorCount < 1) throw new DecodeError('corrupt bzip2 block: no selectors');
  const selectors = new Uint8Array(Math.min(selectorCount, MAX_SELECTORS));
  const order = [0, 1, 2, 3, 4, 5];
  for (let i = 0; i < selectorCount; i++) {
    let j = 0;
    while (r.bit()) if (++j >= groups) throw new DecodeError('corrupt bzip2 block: a selector past the last table');
    if (i >= MAX_SELECTORS) continue;
    // selectors are move-to-front coded
    const t = order[j]!;
    for (let k = j; k > 0; k--) order[k] = order[k - 1]!;
    order[0] = t;
    selectors[i] = t;
  }
  selectorCount = selectors.length;

  const tables: HuffmanTable[] = [];
  const lengths = new Uint8Array(MAX_ALPHA);
  for (let t = 0; t < groups; t++) {
    let len = r.bits(5);
    for (let s = 0; s < alphaSize; s++) {
      for (;;) {
        if (len < 1 || len > MAX_CODE_LEN) throw new DecodeError('corrupt bzip2 block: a code length outside 1..20');
        if (!r.bit()) break;
        len += r.bit() ? -1 : 1;
      }
      lengths[s] = len;
    }
    tables.push(huffmanTable(lengths, alphaSize));
  }

  const endOfBlock = alphaSize - 1;
  const mtf = new Uint8Array(256);
  for (let i = 0; i < 256; i++) mtf[i] = i;
  const counts = new Int32Array(256);
  let n = 0;
  let group = -1;
  let left = 0;
  let table = tables[0]!;
  let run = 0;
  let weight = 1;
  for (;;) {
    if (left === 0) {
      if (++group >= selectorCount) throw new DecodeError('corrupt bzip2 block: more symbol groups than selectors');
      table = tables[selectors[group]!]!;
      left = GROUP_SIZE;
    }
    left--;
    const sym = decodeSymbol(r, table);
    if (sym <= 1) {
      // RUNA / RUNB: a run of the front byte, its length written in bijective base 2
      if (weight >= 2 * 1024 * 1024) throw new DecodeError('corrupt bzip2 block: a run longer than any block');
      run += (sym + 1) * weight;
      weight *= 2;
      continue;
    }
    if (run > 0) {
      if (n + run > maxBlock) throw new DecodeError('corrupt bzip2 block: more data than its declared block size');
      const b = used[mtf[0]!]!;
      counts[b]! += run;
      tt.fill(b, n, n + run);
      n += run;
      run = 0;
      weight = 1;
    }
    if (sym === endOfBlock) break;
    if (n >= maxBlock) throw new DecodeError('corrupt bzip2 block: more data than its declared block size');
    const idx = sym - 1;
    const v = mtf[idx]!;
    mtf.copyWithin(1, 0, idx);
    mtf[0] = v;
    const b = used[v]!;
    counts[b]!++;
    tt[n++] = b;
  }
  if (origPtr >= n) throw new DecodeError('corrupt bzip2 block: its BWT origin lies outside the block');

  // inverse BWT: link each position to the next output byte's position (kept in the upper 24 bits)
  const next = new Int32Array(256);
  for (let i = 0, sum = 0; i < 256; i++) {
    next[i] = sum;
    sum += counts[i]!;
  }
  for (let i = 0; i < n; i++) {
    const b = tt[i]! & 0xff;
    tt[next[b]!] = tt[next[b]!]! | (i << 8);
    next[b]!++;
  }
  return { crc, tt, length: n, origPtr };
}

/** The block's bytes in output order with the initial run-length coding undone (4 equal bytes, then a count). */
function* blockOutput(block: Block): Generator<Uint8Array> {
  const { tt } = block;
  const out = new Uint8Array(OUT_PIECE);
  let o = 0;
  let pos = tt[block.origPtr]! >>> 8;
  let prev = -1;
  let same = 0;
  let crc = 0xffffffff;
  for (let i = 0; i < block.length; i++) {
    const e = tt[pos]!;
    const b = e & 0xff;
    pos = e >>> 8;
    if (same === 4) {
      for (let k = b; k > 0; ) {
        const m = Math.min(k, OUT_PIECE - o);
        out.fill(prev, o, o + m);
        o += m;
        k -= m;
        if (o === OUT_PIECE) {
          crc = bzip2CrcUpdate(crc, out, 0, o);
          yield out.slice(0, o);
          o = 0;
        }
      }
      same = 0;
      prev = -1;
      continue;
    }
    if (b === prev) same++;
    else {
      prev = b;
      same = 1;
    }
    out[o++] = b;
    if (o === OUT_PIECE) {
      crc = bzip2CrcUpdate(crc, out, 0, o);
      yield out.slice(0, o);
      o = 0;
    }
  }
  crc = bzip2CrcUpdate(crc, out, 0, o);
  if (o > 0) yield out.slice(0, o);
  if (~crc >>> 0 !== block.crc) throw new DecodeError('corrupt bzip2 block: CRC mismatch (the data is not what was compressed)');
}

/** Every bzip2 stream in `input`, decompressed, in order. */
export async function* decodeBzip2(input: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const q = new ByteQueue(input);
  let tt: Uint32Array | undefined;
  try {
    for (let n = 0; ; n++) {
      if (n >= MAX_STREAMS) throw new LimitError(`more than ${MAX_STREAMS} concatenated bzip2 streams`);
      await q.fill(4);
      const h = q.buf;
      const at = q.pos;
      const isHeader = q.available >= 4 && h[at] === 0x42 && h[at + 1] === 0x5a && h[at + 2] === 0x68 && h[at + 3]! >= 0x31 && h[at + 3]! <= 0x39;
      if (!isHeader) {
        if (n === 0) throw new DecodeError('not a bzip2 stream: no BZh header');
        return; // trailing data, as Python's bz2 ignores it
      }
      const maxBlock = (h[at + 3]! - 0x30) * 100_000;
      q.pos += 4;
      if (!tt || tt.length < maxBlock) tt = new Uint32Array(maxBlock);
      const r = new BitReader(q);
      let combined = 0;
      for (;;) {
        await q.fill(BLOCK_INPUT_MAX);
        const hi = r.bits(24);
        const lo = r.bits(24);
        if (hi === BLOCK_MAGIC_HI && lo === BLOCK_MAGIC_LO) {
          const block = readBlock(r, tt, maxBlock);
          yield* blockOutput(block);
          combined = (((combined << 1) | (combined >>> 31)) ^ block.crc) >>> 0;
        } else if (hi === END_MAGIC_HI && lo === END_MAGIC_LO) {
          const crc = ((r.bits(16) << 16) | r.bits(16)) >>> 0;
          if (crc !== combined) throw new DecodeError('corrupt bzip2 stream: the stream CRC does not match its blocks');
          r.align();
          break;
        } else {
          throw new DecodeError('corrupt bzip2 stream: neither a block nor the end of the stream');
        }
      }
      if (await q.atEnd()) return;
    }
  } finally {
    await q.close();
  }
}
