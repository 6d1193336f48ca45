/** Compression helpers for fixtures, returning plain Uint8Arrays. */
import { deflateSync, gzipSync as nodeGzip } from 'node:zlib';

export const gzipSync = (b: Uint8Array): Uint8Array => new Uint8Array(nodeGzip(b));
export const zlibSync = (b: Uint8Array): Uint8Array => new Uint8Array(deflateSync(b));
