/**
 * An LZMA decoder (the LZMA1 coding of lzma-alone files and of xz's LZMA2 chunks), written from the LZMA
 * specification: a binary range decoder over adaptive probabilities, literals coded with the previous byte as
 * context, matches as (length, distance) with four recent distances repeatable.
 *
 * Streaming and bounded: the caller decodes a bounded amount of output at a time (`decode` stops after `maxOut`
 * bytes, or when fewer than `margin` input bytes are left, always between symbols, so it resumes where it
 * stopped), and takes the output with `flush()`. The dictionary — the window matches copy from — grows with the
 * output up to the declared dictionary size but never past `maxWindow`: a header declaring a 4 GiB dictionary
 * costs only what the stream really uses, and a distance beyond `maxWindow` is a `LimitError`.
 */
import type { ByteQueue } from './byte-queue.ts';
import { DecodeError } from './byte-queue.ts';

/** The decoder would need more memory than it may take (a dictionary distance past `maxWindow`). */
export class LimitError extends Error {}

const PROB_INIT = 1024;
const TOP = 0x1000000;
const MATCH_MIN = 2;
/** The largest input one symbol can consume (a few dozen range-coder normalisations): decode stops this far from a non-final input's end. */
export const SYMBOL_INPUT_MARGIN = 64;
/** Distance value of the end-of-stream marker. */
const END_MARKER = 0xffffffff;

/** A length coder: choice bits, then 8 low, 8 middle (per position state) or 256 high lengths. */
const LEN_LOW = 2;
const LEN_MID = 2 + 16 * 8;
const LEN_HIGH = 2 + 2 * 16 * 8;
const LEN_SIZE = LEN_HIGH + 256;

export class LzmaDecoder {
  private lc = 0;
  private lp = 0;
  private pb = 0;
  private literal = new Uint16Array(0x300);
  private readonly isMatch = new Uint16Array(12 << 4);
  private readonly isRep = new Uint16Array(12);
  private readonly isRepG0 = new Uint16Array(12);
  private readonly isRepG1 = new Uint16Array(12);
  private readonly isRepG2 = new Uint16Array(12);
  private readonly isRep0Long = new Uint16Array(12 << 4);
  private readonly posSlot = new Uint16Array(4 << 6);
  private readonly posSpecial = new Uint16Array(1 + 114);
  private readonly align = new Uint16Array(16);
  private readonly lenCoder = new Uint16Array(LEN_SIZE);
  private readonly repLenCoder = new Uint16Array(LEN_SIZE);
  private state = 0;
  private rep0 = 0;
  private rep1 = 0;
  private rep2 = 0;
  private rep3 = 0;

  private range = 0;
  private code = 0;
  private inBuf = new Uint8Array(0);
  private inPos = 0;
  private inEnd = 0;

  /** The window: linear until it reaches `cap`, circular after. */
  private win: Uint8Array;
  private winPos = 0;
  /** Bytes since the last dictionary reset (position state, literal position, valid distances). */
  totalPos = 0;
  /** Output written to the window and not yet taken by `flush`. */
  private unflushed = 0;
  /** Match bytes still to copy when `decode` stopped at its output bound. */
  pendingLen = 0;
  /** The end-of-stream marker was decoded. */
  ended = false;
  /** How far back matches may reach: the declared dictionary (as liblzma rounds it) and our memory bound. */
  private readonly dictCap: number;
  readonly cap: number;

  constructor(dictSize: number, maxWindow: number) {
    this.dictCap = Math.max(4096, Math.ceil(dictSize / 16) * 16);
    this.cap = Math.min(this.dictCap, Math.max(4096, maxWindow));
    this.win = new Uint8Array(Math.min(this.cap, 64 * 1024));
  }

  /** Literal context bits, literal position bits, position bits (`lc + lp` ≤ 12, `pb` ≤ 4). */
  setProperties(lc: number, lp: number, pb: number): void {
    if (lc > 8 || lp > 4 || pb > 4) throw new DecodeError(`invalid LZMA properties lc=${lc} lp=${lp} pb=${pb}`);
    this.lc = lc;
    this.lp = lp;
    this.pb = pb;
    const size = 0x300 << (lc + lp);
    if (this.literal.length !== size) this.literal = new Uint16Array(size);
  }

  /** Probabilities, state and repeated distances back to their start. */
  resetState(): void {
    for (const p of [this.literal, this.isMatch, this.isRep, this.isRepG0, this.isRepG1, this.isRepG2, this.isRep0Long, this.posSlot, this.posSpecial, this.align, this.lenCoder, this.repLenCoder]) p.fill(PROB_INIT);
    this.state = 0;
    this.rep0 = this.rep1 = this.rep2 = this.rep3 = 0;
    this.pendingLen = 0;
  }

  /** An empty dictionary (matches may not reach before this point). Call after `flush`. */
  resetDictionary(): void {
    if (this.unflushed) throw new Error('resetDictionary with unflushed output');
    this.winPos = 0;
    this.totalPos = 0;
  }

  /** Starts the range decoder on the next 5 input bytes (a zero byte, then the initial code). */
  initRange(q: ByteQueue): void {
    const head = q.take(5, 'the LZMA range coder start');
    if (head[0] !== 0) throw new DecodeError('corrupt LZMA data: the range coder does not start with a zero byte');
    this.code = ((head[1]! << 24) | (head[2]! << 16) | (head[3]! << 8) | head[4]!) >>> 0;
    this.range = 0xffffffff;
    if (this.code === this.range) throw new DecodeError('corrupt LZMA data: invalid range coder start');
  }

  /** The range coder ended cleanly (its code is zero), as a complete LZMA2 chunk or end-marked stream must. */
  get rangeFinished(): boolean {
    return this.code === 0;
  }

  /** Unflushed output bytes. */
  get pending(): number {
    return this.unflushed;
  }

  /**
   * Decodes from `q.buf[q.pos .. inEnd)` until `maxOut` bytes are unflushed (at most `cap`), or `limit` bytes
   * more were produced, or fewer than `margin` input bytes remain, or the end marker. Input past `inEnd` is
   * truncation.
   */
  decode(q: ByteQueue, inEnd: number, opts: { maxOut: number; limit: number; margin: number; endMarker: boolean }): void {
    const maxOut = Math.min(opts.maxOut, this.cap);
    let budget = opts.limit;
    this.inBuf = q.buf;
    this.inPos = q.pos;
    this.inEnd = inEnd;
    try {
      if (this.pendingLen > 0) budget -= this.copyMatch(Math.min(this.pendingLen, budget, maxOut - this.unflushed));
      const pbMask = (1 << this.pb) - 1;
      while (budget > 0 && this.unflushed < maxOut && !this.ended && this.pendingLen === 0 && this.inEnd - this.inPos >= opts.margin) {
        const posState = this.totalPos & pbMask;
        const s = this.state;
        if (this.bit(this.isMatch, (s << 4) + posState) === 0) {
          this.decodeLiteral();
          budget--;
          continue;
        }
        let len: number;
        if (this.bit(this.isRep, s) === 0) {
          len = this.decodeLength(this.lenCoder, posState);
          this.state = s < 7 ? 7 : 10;
          const dist = this.decodeDistance(len);
          if (dist === END_MARKER) {
            if (!opts.endMarker) throw new DecodeError('corrupt LZMA data: an end marker where none is allowed');
            this.ended = true;
            break;
          }
          this.rep3 = this.rep2;
          this.rep2 = this.rep1;
          this.rep1 = this.rep0;
          this.rep0 = dist;
        } else {
          if (this.totalPos === 0) throw new DecodeError('corrupt LZMA data: a repeated match before any output');
          if (this.bit(this.isRepG0, s) === 0) {
            if (this.bit(this.isRep0Long, (s << 4) + posState) === 0) {
              // a short rep: one byte from rep0
              this.state = s < 7 ? 9 : 11;
              this.checkDistance(this.rep0 + 1);
              this.put(this.byteAt(this.rep0 + 1));
              budget--;
              continue;
            }
          } else {
            let dist: number;
            if (this.bit(this.isRepG1, s) === 0) {
              dist = this.rep1;
            } else {
              if (this.bit(this.isRepG2, s) === 0) {
                dist = this.rep2;
              } else {
                dist = this.rep3;
                this.rep3 = this.rep2;
              }
              this.rep2 = this.rep1;
            }
            this.rep1 = this.rep0;
            this.rep0 = dist;
          }
          len = this.decodeLength(this.repLenCoder, posState);
          this.state = s < 7 ? 8 : 11;
        }
        this.checkDistance(this.rep0 + 1);
        this.pendingLen = len + MATCH_MIN;
        budget -= this.copyMatch(Math.min(this.pendingLen, budget, maxOut - this.unflushed));
      }
    } finally {
      q.pos = this.inPos;
    }
  }

  /** The output decoded since the last flush, copied out of the window. */
  flush(): Uint8Array {
    const n = this.unflushed;
    this.unflushed = 0;
    const start = this.winPos - n;
    if (start >= 0) return this.win.slice(start, this.winPos);
    const out = new Uint8Array(n);
    out.set(this.win.subarray(start + this.win.length));
    out.set(this.win.subarray(0, this.winPos), -start);
    return out;
  }

  /** Raw bytes into the window (an LZMA2 uncompressed chunk), at most `cap - pending` at a time. */
  putBytes(bytes: Uint8Array): void {
    if (bytes.length + this.unflushed > this.cap) throw new Error('putBytes past the window');
    for (let i = 0; i < bytes.length; i++) this.put(bytes[i]!);
  }

  private put(b: number): void {
    this.win[this.winPos++] = b;
    this.totalPos++;
    this.unflushed++;
    if (this.winPos === this.win.length) {
      if (this.win.length < this.cap) {
        const grown = new Uint8Array(Math.min(this.cap, this.win.length * 2));
        grown.set(this.win);
        this.win = grown;
      } else {
        this.winPos = 0;
      }
    }
  }

  /** The byte `d` back (1 is the last one written); `d` already checked. */
  private byteAt(d: number): number {
    const i = this.winPos - d;
    return this.win[i >= 0 ? i : i + this.win.length]!;
  }

  private checkDistance(d: number): void {
    if (d > this.totalPos || d > this.dictCap) throw new DecodeError(`corrupt LZMA data: a match ${d} bytes back, before the start of the dictionary`);
    if (d > this.cap) throw new LimitError(`an LZMA match reaches ${d} bytes back, past the ${this.cap}-byte window this scanner allows`);
  }

  /** Copies up to `n` bytes of the pending match; returns how many. */
  private copyMatch(n: number): number {
    const d = this.rep0 + 1;
    for (let i = 0; i < n; i++) this.put(this.byteAt(d));
    this.pendingLen -= n;
    return n;
  }

  private decodeLiteral(): void {
    const prev = this.totalPos > 0 ? this.byteAt(1) : 0;
    const litState = ((this.totalPos & ((1 << this.lp) - 1)) << this.lc) + (prev >>> (8 - this.lc));
    const base = 0x300 * litState;
    const probs = this.literal;
    let symbol = 1;
    if (this.state >= 7) {
      let matchByte = this.byteAt(this.rep0 + 1);
      while (symbol < 0x100) {
        const matchBit = (matchByte >>> 7) & 1;
        matchByte <<= 1;
        const bit = this.bit(probs, base + ((1 + matchBit) << 8) + symbol);
        symbol = (symbol << 1) | bit;
        if (matchBit !== bit) break;
      }
    }
    while (symbol < 0x100) symbol = (symbol << 1) | this.bit(probs, base + symbol);
    this.put(symbol & 0xff);
    const s = this.state;
    this.state = s < 4 ? 0 : s < 10 ? s - 3 : s - 6;
  }

  private decodeLength(probs: Uint16Array, posState: number): number {
    if (this.bit(probs, 0) === 0) return this.bitTree(probs, LEN_LOW + (posState << 3), 3);
    if (this.bit(probs, 1) === 0) return 8 + this.bitTree(probs, LEN_MID + (posState << 3), 3);
    return 16 + this.bitTree(probs, LEN_HIGH, 8);
  }

  private decodeDistance(len: number): number {
    const lenState = len < 3 ? len : 3;
    const slot = this.bitTree(this.posSlot, lenState << 6, 6);
    if (slot < 4) return slot;
    const direct = (slot >>> 1) - 1;
    let dist = (2 | (slot & 1)) * 2 ** direct;
    if (slot < 14) return dist + this.reverseTree(this.posSpecial, dist - slot, direct);
    dist += this.directBits(direct - 4) * 16;
    return dist + this.reverseTree(this.align, 0, 4);
  }

  private bitTree(probs: Uint16Array, base: number, numBits: number): number {
    let m = 1;
    for (let i = 0; i < numBits; i++) m = (m << 1) | this.bit(probs, base + m);
    return m - (1 << numBits);
  }

  private reverseTree(probs: Uint16Array, base: number, numBits: number): number {
    let m = 1;
    let symbol = 0;
    for (let i = 0; i < numBits; i++) {
      const bit = this.bit(probs, base + m);
      m = (m << 1) | bit;
      symbol |= bit << i;
    }
    return symbol;
  }

  private directBits(numBits: number): number {
    let res = 0;
    for (let i = 0; i < numBits; i++) {
      this.range = this.range >>> 1;
      let b = 0;
      if (this.code >= this.range) {
        this.code -= this.range;
        b = 1;
      }
      res = res * 2 + b;
      this.normalize();
    }
    return res;
  }

  private bit(probs: Uint16Array, i: number): number {
    const p = probs[i]!;
    const bound = (this.range >>> 11) * p;
    let b: number;
    if (this.code < bound) {
      this.range = bound;
      probs[i] = p + ((2048 - p) >>> 5);
      b = 0;
    } else {
      this.range -= bound;
      this.code -= bound;
      probs[i] = p - (p >>> 5);
      b = 1;
    }
    if (this.range < TOP) this.normalize();
    return b;
  }

  private normalize(): void {
    if (this.range >= TOP) return;
    if (this.inPos >= this.inEnd) throw new DecodeError('truncated: the LZMA data ends inside a symbol');
    this.range = (this.range << 8) >>> 0;
    this.code = ((this.code << 8) | this.inBuf[this.inPos++]!) >>> 0;
  }
}
