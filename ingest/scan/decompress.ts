/**
 * Compression wrappers opened as streams: gzip and zlib through Node's zlib, bzip2 (`bzip2.ts`) and the LZMA
 * family — xz and lzma-alone — (`xz.ts`, `lzma.ts`) through the scanner's own decoders. Input arrives as chunks
 * and output leaves as chunks, so a consumer that stops reading (the scan limit) stops the decoding too.
 */
import { pipeline, Readable } from 'node:stream';
import { createGunzip, createInflate, gunzipSync, inflateSync } from 'node:zlib';
import { decodeBzip2 } from './bzip2.ts';
import type { Compression } from './format.ts';
import { decodeLzmaStreams } from './xz.ts';

export { DecodeError } from './byte-queue.ts';
export { LimitError } from './lzma.ts';
export { UnsupportedError } from './xz.ts';

export type Decompressible = Exclude<Compression, 'lz4'>;

/** The largest LZMA dictionary window a scan holds: xz -9's dictionary; a stream reaching further is a limit. */
export const MAX_LZMA_WINDOW = 64 * 1024 * 1024;

export interface DecompressOptions {
  /** The output the consumer will take at most (it stops reading there): no LZMA window needs to be larger. */
  maxOutput: number;
}

export async function* decompress(kind: Decompressible, input: AsyncIterable<Uint8Array>, opts: DecompressOptions): AsyncGenerator<Uint8Array> {
  if (kind === 'bz2') {
    yield* decodeBzip2(input);
    return;
  }
  if (kind === 'xz' || kind === 'lzma') {
    yield* decodeLzmaStreams(input, { maxWindow: Math.min(MAX_LZMA_WINDOW, opts.maxOutput) });
    return;
  }
  yield* inflated(kind, input);
}

/** Input and output up to this size are inflated in one synchronous call; past it, or on any error, streamed. */
const ONE_CALL = 1024 * 1024;

/**
 * gzip and zlib. Most wrapped files of a directory scan are small (a joblib dump, a `.pkl.gz`): one synchronous
 * inflate, as small zip members get (`zip.ts`), instead of a stream whose every 16 KiB is a thread-pool round trip.
 * Anything that inflates past a chunk, and anything the call refuses, goes through the stream from its first byte:
 * the stream is what bounds a bomb's memory, and it yields what a corrupt or truncated input gives before its error
 * (which a loader would have unpickled), where the one call gives only the error. Both run the same zlib code
 * (multi-member gzip, trailing data), so the output is the same bytes either way.
 */
async function* inflated(kind: 'gzip' | 'zlib', input: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const it = input[Symbol.asyncIterator]();
  const first = await it.next();
  const taken: Uint8Array[] = first.done ? [] : [first.value];
  let ended = first.done === true;
  if (!ended && first.value!.length <= ONE_CALL) {
    const second = await it.next();
    if (second.done) ended = true;
    else taken.push(second.value);
  }
  if (ended && taken.length === 1) {
    try {
      const out = (kind === 'gzip' ? gunzipSync : inflateSync)(taken[0]!, { maxOutputLength: ONE_CALL });
      if (out.length > 0) yield new Uint8Array(out.buffer, out.byteOffset, out.length);
      return;
    } catch {
      // too large for one call, or refused: the stream below gives the same bytes, bounded, up to the same error
    }
  }
  async function* replayed(): AsyncGenerator<Uint8Array> {
    yield* taken;
    if (!ended) for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  }
  // pipeline, not pipe: an input that fails (the scan budget, a read error) must fail the output; with pipe the
  // error is an unhandled 'error' event on the input and takes the process down
  const out = pipeline(Readable.from(replayed()), kind === 'gzip' ? createGunzip() : createInflate(), () => {});
  for await (const chunk of out) yield new Uint8Array((chunk as Buffer).buffer, (chunk as Buffer).byteOffset, (chunk as Buffer).length);
}
