/** Test helpers: an in-memory range reader that behaves like an HTTP Range source and counts what it serves. */
import type { RangeReader } from '../../ingest/scan/zip.ts';
import { concat } from '../../ingest/scan/build.ts';

export interface CountingReader {
  read: RangeReader;
  stats: { bytesRead: number; calls: number };
}

export function memoryReader(bytes: Uint8Array): CountingReader {
  const stats = { bytesRead: 0, calls: 0 };
  const read: RangeReader = async (start, endInclusive) => {
    stats.calls++;
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(endInclusive) || start < 0 || endInclusive < start || endInclusive >= bytes.length) {
      throw new Error(`416 range not satisfiable: ${start}-${endInclusive} of ${bytes.length}`);
    }
    const out = bytes.slice(start, endInclusive + 1);
    stats.bytesRead += out.length;
    return out;
  };
  return { read, stats };
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  return concat(parts);
}

export const ascii = (s: string) => new TextEncoder().encode(s);
