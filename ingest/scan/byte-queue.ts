/**
 * Compressed input that arrives as async chunks, held so a synchronous decoder can read it: the decoder asks for
 * "at least n bytes, or everything left" (`fill`) before a unit of work whose input it can bound, then reads bytes
 * synchronously from `buf[pos..end)`. Consumed bytes are dropped on the next fill, so memory stays at what one unit
 * needs, however long the stream.
 */

export class DecodeError extends Error {}

export class ByteQueue {
  buf = new Uint8Array(0);
  pos = 0;
  end = 0;
  /** The input is exhausted: what is in the buffer is all there will be. */
  eof = false;
  /** Bytes consumed before `buf[0]` (for offsets in messages). */
  private dropped = 0;
  private readonly it: AsyncIterator<Uint8Array>;

  constructor(input: AsyncIterable<Uint8Array>) {
    this.it = input[Symbol.asyncIterator]();
  }

  get available(): number {
    return this.end - this.pos;
  }

  /** Offset of `pos` in the whole input. */
  get offset(): number {
    return this.dropped + this.pos;
  }

  /** Makes at least `n` bytes available, or all that remain when the input ends first. */
  async fill(n: number): Promise<void> {
    if (this.available >= n || this.eof) return;
    if (this.pos > 0) {
      this.buf.copyWithin(0, this.pos, this.end);
      this.end -= this.pos;
      this.dropped += this.pos;
      this.pos = 0;
    }
    while (this.end < n && !this.eof) {
      const next = await this.it.next();
      if (next.done) {
        this.eof = true;
        break;
      }
      const chunk = next.value;
      if (this.end + chunk.length > this.buf.length) {
        const grown = new Uint8Array(Math.max(this.end + chunk.length, Math.min(2 * this.buf.length, n + chunk.length)));
        grown.set(this.buf.subarray(0, this.end));
        this.buf = grown;
      }
      this.buf.set(chunk, this.end);
      this.end += chunk.length;
    }
  }

  /** True when nothing is left, reading more input if need be. */
  async atEnd(): Promise<boolean> {
    await this.fill(1);
    return this.available === 0;
  }

  byte(what: string): number {
    if (this.pos >= this.end) throw new DecodeError(`truncated: the input ends inside ${what}`);
    return this.buf[this.pos++]!;
  }

  take(n: number, what: string): Uint8Array {
    if (this.available < n) throw new DecodeError(`truncated: the input ends inside ${what}`);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Lets the input's source go (a consumer that stops early must not leave a read pending). */
  async close(): Promise<void> {
    await this.it.return?.();
  }
}
