/**
 * A small seeded PRNG (mulberry32) and the samplers synthetic graphs need. Math.random cannot be seeded, and a
 * benchmark whose input changes between runs cannot be compared with itself.
 */

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
}

export function createRng(seed: number): Rng {
  // Mix the seed once so that neighbouring seeds (1, 2, 3) start far apart.
  let state = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ 0xc2b2ae35) >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new RangeError('pick from an empty list');
      return items[int(items.length)]!;
    },
  };
}

/**
 * Zipf(s) over ranks 0..n-1 (rank 0 the most likely): P(k) ∝ 1 / (k + 1)^s. Built once in O(n), sampled in
 * O(log n) by binary search over the cumulative weights.
 */
export function zipfSampler(n: number, s: number, rng: Rng): () => number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`zipf needs n ≥ 1, got ${n}`);
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let k = 0; k < n; k++) {
    total += 1 / Math.pow(k + 1, s);
    cumulative[k] = total;
  }
  return () => {
    const u = rng.next() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid]! <= u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** A power-law integer ≥ 1 (discrete Pareto with exponent alpha), capped; for counts such as downloads or likes. */
export function paretoInt(rng: Rng, alpha: number, cap: number): number {
  const u = 1 - rng.next(); // (0, 1]
  return Math.min(cap, Math.floor(Math.pow(u, -1 / alpha)));
}
