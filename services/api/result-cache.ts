/**
 * A short-lived cache of computed analysis results, keyed by the analysis and its arguments, so that paging through
 * a blast radius does not recompute the traversal for every page. Bounded in entries and age; concurrent requests
 * for the same arguments share one computation. Tied to the store's write generation: each request first reports
 * the generation it starts at (`atGeneration`), and once any write has committed — a tag through this server, or an
 * import or ingest by another process — nothing computed before it is served again.
 */
export class ResultCache {
  private readonly entries = new Map<string, { at: number; value: Promise<unknown> }>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  /** The write generation the entries were computed at. */
  private entriesGeneration: string | undefined;

  constructor(opts: { ttlMs?: number; maxEntries?: number } = {}) {
    this.ttlMs = opts.ttlMs ?? 60_000;
    this.maxEntries = opts.maxEntries ?? 32;
  }

  /** The store's write generation now (GraphStore.writeGeneration): entries from an earlier one are dropped. */
  atGeneration(generation: string): void {
    if (generation === this.entriesGeneration) return;
    this.entries.clear();
    this.entriesGeneration = generation;
  }

  get<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && now - hit.at < this.ttlMs) {
      // Re-insert so Map order is least recently used first.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.value as Promise<T>;
    }
    const value = compute();
    this.entries.set(key, { at: now, value });
    // A failed computation is not remembered: the next request tries again.
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }

  clear(): void {
    this.entries.clear();
  }
}
