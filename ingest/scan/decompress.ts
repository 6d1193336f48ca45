/**
 * Compression wrappers opened as streams: gzip and zlib through Node's zlib, bzip2 (`bzip2.ts`) and the LZMA
 * family — xz and lzma-alone — (`xz.ts`, `lzma.ts`) through the scanner's own decoders. Input arrives as chunks
 * and output leaves as chunks, so a consumer that stops reading (the scan limit) stops the decoding too.
 */
import { pipeline, Readable } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';
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
  // pipeline, not pipe: an input that fails (the scan budget, a read error) must fail the output; with pipe the
  // error is an unhandled 'error' event on the input and takes the process down
  const out = pipeline(Readable.from(input), kind === 'gzip' ? createGunzip() : createInflate(), () => {});
  for await (const chunk of out) yield new Uint8Array((chunk as Buffer).buffer, (chunk as Buffer).byteOffset, (chunk as Buffer).length);
}
