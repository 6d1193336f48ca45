/**
 * Bounded reads of one file through a range reader: every byte asked for is counted against the file's budget,
 * and a cursor reads small fields (protobuf tags, GGUF headers) through a window so that walking a header costs a
 * few range reads, not one per field. Offsets and lengths are checked against the file before anything is read.
 */
import { readExact, type RangeReader } from './zip.ts';

export class BudgetError extends Error {}
export class FormatError extends Error {}

export class ByteSource {
  bytesRead = 0;
  constructor(
    readonly size: number,
    private readonly reader: RangeReader,
    /** Bytes this file may still make us read. */
    public budget: number,
  ) {}

  /** Exactly [offset, offset + length) of the file; a range outside it is a FormatError naming `what`. */
  async read(offset: number, length: number, what = 'data'): Promise<Uint8Array> {
    if (length === 0) return new Uint8Array(0);
    if (!(offset >= 0 && length > 0 && offset + length <= this.size)) {
      throw new FormatError(`${what} (offset ${offset}, ${length} bytes) runs past the end of the ${this.size}-byte file`);
    }
    if (length > this.budget) throw new BudgetError(`reading ${what} (${length} bytes) would pass the scan limit (maxScanBytes)`);
    const bytes = await readExact(this.reader, offset, offset + length - 1);
    this.budget -= length;
    this.bytesRead += length;
    return bytes;
  }

  /** The whole range reader, for modules (zip) that take one; reads through it are counted too. */
  get rangeReader(): RangeReader {
    return async (start, endInclusive) => this.read(start, endInclusive - start + 1);
  }

  /** A view of [offset, offset + length) as its own source; reads go through (and count against) this one. */
  slice(offset: number, length: number): ByteSource {
    return new ByteSource(length, async (s, e) => this.read(offset + s, e - s + 1), Infinity);
  }

  cursor(at: number, window = 64 * 1024): Cursor {
    return new Cursor(this, at, window);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Sequential little-endian reads from a ByteSource through a window. */
export class Cursor {
  private win: Uint8Array = new Uint8Array(0);
  private winAt = 0;
  constructor(private readonly src: ByteSource, public pos: number, private readonly window: number) {}

  private async ensure(n: number): Promise<Uint8Array> {
    if (this.pos >= this.winAt && this.pos + n <= this.winAt + this.win.length) return this.win.subarray(this.pos - this.winAt, this.pos - this.winAt + n);
    if (n > this.window) {
      const b = await this.src.read(this.pos, n);
      return b;
    }
    const len = Math.min(Math.max(n, this.window), this.src.size - this.pos);
    if (len < n) throw new FormatError(`a field at offset ${this.pos} (${n} bytes) runs past the end of the file`);
    this.win = await this.src.read(this.pos, len);
    this.winAt = this.pos;
    return this.win.subarray(0, n);
  }

  async bytes(n: number): Promise<Uint8Array> {
    const b = await this.ensure(n);
    this.pos += n;
    return b;
  }
  async u8(): Promise<number> {
    return (await this.bytes(1))[0]!;
  }
  async u32(): Promise<number> {
    const b = await this.bytes(4);
    return new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);
  }
  /** u64 as a number; past 2^53 it is Infinity, which every range check then refuses. */
  async u64(): Promise<number> {
    const b = await this.bytes(8);
    const v = new DataView(b.buffer, b.byteOffset, 8);
    const hi = v.getUint32(4, true);
    return hi > 0x1fffff ? Infinity : hi * 0x1_0000_0000 + v.getUint32(0, true);
  }
  skip(n: number): void {
    if (!(this.pos + n <= this.src.size)) throw new FormatError(`skipping ${n} bytes at offset ${this.pos} runs past the end of the file`);
    this.pos += n;
  }
  async text(n: number): Promise<string> {
    return utf8.decode(await this.bytes(n));
  }
}
