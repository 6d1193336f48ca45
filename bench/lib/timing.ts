/** Wall-clock timing of sync and async work, in milliseconds from a monotonic clock. */

export async function timeAsync<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await work();
  return { ms: performance.now() - start, value };
}

export function timeSync<T>(work: () => T): { ms: number; value: T } {
  const start = performance.now();
  const value = work();
  return { ms: performance.now() - start, value };
}

/**
 * Runs `work` `runs` times and returns every duration with the last value. Runs are sequential: on a shared
 * 2-core machine, overlapping them would measure contention, not the work.
 */
export async function repeatAsync<T>(runs: number, work: () => Promise<T>): Promise<{ ms: number[]; value: T }> {
  if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`runs must be a positive integer, got ${runs}`);
  const ms: number[] = [];
  let value!: T;
  for (let i = 0; i < runs; i++) {
    const t = await timeAsync(work);
    ms.push(t.ms);
    value = t.value;
  }
  return { ms, value };
}

export function repeatSync<T>(runs: number, work: () => T): { ms: number[]; value: T } {
  if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`runs must be a positive integer, got ${runs}`);
  const ms: number[] = [];
  let value!: T;
  for (let i = 0; i < runs; i++) {
    const t = timeSync(work);
    ms.push(t.ms);
    value = t.value;
  }
  return { ms, value };
}

/** CPU time (user + system) this process spends in `work`: on a shared machine it moves less than wall time. */
export async function cpuTimeAsync<T>(work: () => Promise<T>): Promise<{ ms: number; cpuMs: number; value: T }> {
  const cpu = process.cpuUsage();
  const { ms, value } = await timeAsync(work);
  const used = process.cpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1000, value };
}
