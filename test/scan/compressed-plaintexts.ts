/**
 * The plaintexts behind the committed compressed fixtures (`fixtures/`, made by `make-compressed-fixtures.ts` with
 * Debian's bzip2, xz and lzma), regenerated here so that a decoder test compares its output with the exact bytes
 * that were compressed. Deterministic: a fixed PRNG, no build helpers that may change.
 */

/** The two pickles the fixtures wrap, spelled out byte by byte (protocol 2). */
export const BENIGN_PICKLE = Uint8Array.from([0x80, 0x02, 0x7d, 0x71, 0x00, 0x58, 0x01, 0x00, 0x00, 0x00, 0x61, 0x4b, 0x01, 0x73, 0x2e]); // {'a': 1}
/** `os.system('echo aispm')` through GLOBAL + REDUCE: the payload text is harmless and nothing ever unpickles it. */
export const EVIL_PICKLE = new Uint8Array([
  ...[0x80, 0x02],
  ...new TextEncoder().encode('cos\nsystem\n'),
  ...[0x58, 10, 0, 0, 0],
  ...new TextEncoder().encode('echo aispm'),
  ...[0x85, 0x52, 0x2e],
]);

/**
 * ~300 KB mixing runs (short, 4–5 bytes and past 259, which bzip2's first run-length stage splits), short noise
 * and repeated phrases (LZMA matches and repeated distances): more than one bzip2 -1 block (100 kB), small once
 * compressed.
 */
export function mixedPlaintext(): Uint8Array {
  const rand = prng(0x2545f491);
  const out: number[] = [];
  const phrase = new TextEncoder().encode('model.layers.17.self_attn.q_proj.weight');
  while (out.length < 300_000) {
    const r = rand(10);
    if (r < 3) {
      const b = rand(256);
      const n = [1, 3, 4, 5, 6, 255, 259, 260, 600][rand(9)]!;
      for (let i = 0; i < n; i++) out.push(b);
    } else if (r < 5) {
      const n = 1 + rand(12);
      for (let i = 0; i < n; i++) out.push(rand(256));
    } else {
      out.push(...phrase.subarray(rand(10)));
    }
  }
  return Uint8Array.from(out);
}

/** 20 KB of noise: LZMA2 stores it as uncompressed chunks. */
export function noisePlaintext(): Uint8Array {
  const rand = prng(0x9e3779b9);
  return Uint8Array.from({ length: 20_000 }, () => rand(256));
}

function prng(seed: number): (n: number) => number {
  let s = seed;
  return (n) => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % n;
  };
}

/** A protocol-4 pickle of `n` NONE POP pairs: a bomb of harmless opcodes. */
export function opcodeBomb(pairs: number): Uint8Array {
  const out = new Uint8Array(2 + 2 * pairs + 2);
  out.set([0x80, 0x04]);
  for (let i = 0; i < pairs; i++) out.set([0x4e, 0x30], 2 + 2 * i);
  out.set([0x7d, 0x2e], 2 + 2 * pairs);
  return out;
}

/** 200 MiB of pickle opcodes. */
export const BOMB_PAIRS = 100 * 1024 * 1024;
