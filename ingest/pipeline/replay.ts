/**
 * Bytes replay servers derive from content, as their upstreams do (git object ids) or so hashes stay stable across
 * runs (deterministic filler). The HTTP side every replay server shares is `replay-server.ts`.
 */
import { createHash } from 'node:crypto';

/** A git object id: SHA-1 of `<type> <size>\0<bytes>`. */
export function gitObjectId(type: 'blob' | 'tree' | 'commit', bytes: Uint8Array): string {
  return createHash('sha1').update(`${type} ${bytes.length}\0`).update(bytes).digest('hex');
}

/** Deterministic bytes so that hashes are stable across runs. */
export function fillerBytes(seed: string, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let block = createHash('sha256').update(seed).digest();
  for (let i = 0; i < size; i++) {
    if (i % 32 === 0 && i) block = createHash('sha256').update(block).digest();
    out[i] = block[i % 32]!;
  }
  return out;
}
