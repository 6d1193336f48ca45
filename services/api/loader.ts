/**
 * Per-request batching loaders, so that a query listing many nodes costs one store call per kind of question, not
 * one per node (no N+1). Keys asked for in the same tick are collected and answered by a single store call; answers
 * are memoised for the rest of the request.
 */
import type { EdgeKind } from '../../schema/model.ts';
import type { GraphEdge, GraphNode } from '../../schema/records.ts';
import type { Direction, GraphStore } from '../../schema/store.ts';

/**
 * A minimal DataLoader: `load(key)` queues the key; once the current tick's resolvers have all queued theirs, one
 * `batch(keys)` call answers them all.
 */
export class BatchLoader<V> {
  private readonly memo = new Map<string, Promise<V>>();
  private queue: { key: string; resolve: (v: V) => void; reject: (e: unknown) => void }[] = [];
  private readonly batch: (keys: string[]) => Promise<Map<string, V>>;
  private readonly missing: V;

  constructor(batch: (keys: string[]) => Promise<Map<string, V>>, missing: V) {
    this.batch = batch;
    this.missing = missing;
  }

  load(key: string): Promise<V> {
    let p = this.memo.get(key);
    if (!p) {
      p = new Promise<V>((resolve, reject) => {
        if (this.queue.length === 0) this.schedule();
        this.queue.push({ key, resolve, reject });
      });
      this.memo.set(key, p);
    }
    return p;
  }

  loadMany(keys: readonly string[]): Promise<V[]> {
    return Promise.all(keys.map((k) => this.load(k)));
  }

  /** Seeds an answer already known (e.g. nodes a search returned), so that no store call is made for it. */
  prime(key: string, value: V): void {
    if (!this.memo.has(key)) this.memo.set(key, Promise.resolve(value));
  }

  /** Forget answers after a write in the same request. */
  clear(key: string): void {
    this.memo.delete(key);
  }

  private schedule(): void {
    // After the promise jobs of this tick (sibling resolvers queue theirs there), as DataLoader does.
    Promise.resolve().then(() => process.nextTick(() => void this.dispatch()));
  }

  private async dispatch(): Promise<void> {
    const queue = this.queue;
    this.queue = [];
    try {
      const found = await this.batch([...new Set(queue.map((q) => q.key))]);
      for (const q of queue) q.resolve(found.has(q.key) ? found.get(q.key)! : this.missing);
    } catch (err) {
      for (const q of queue) {
        this.memo.delete(q.key);
        q.reject(err);
      }
    }
  }
}

export interface DirectedEdge {
  edge: GraphEdge;
  direction: Direction;
}

export interface Loaders {
  node: BatchLoader<GraphNode | null>;
  /** The edges of one node in one direction, restricted to some kinds (or all). */
  edges(direction: Direction, kinds: readonly EdgeKind[] | undefined, key: string): Promise<GraphEdge[]>;
}

export function createLoaders(store: GraphStore): Loaders {
  const node = new BatchLoader<GraphNode | null>(async (keys) => {
    const nodes = await store.getNodes(keys);
    return new Map(nodes.map((n) => [n.key, n]));
  }, null);

  // One loader per (direction, kind set): each answers a whole frontier with one store.expand call.
  const edgeLoaders = new Map<string, BatchLoader<GraphEdge[]>>();
  function edges(direction: Direction, kinds: readonly EdgeKind[] | undefined, key: string): Promise<GraphEdge[]> {
    const kindList = kinds ? [...new Set(kinds)].sort() : undefined;
    const id = `${direction}|${kindList?.join(',') ?? '*'}`;
    let loader = edgeLoaders.get(id);
    if (!loader) {
      loader = new BatchLoader<GraphEdge[]>(async (keys) => {
        const found = await store.expand({ keys, direction, edgeKinds: kindList });
        const byKey = new Map<string, GraphEdge[]>();
        for (const e of found) {
          const near = direction === 'out' ? e.from : e.to;
          let list = byKey.get(near);
          if (!list) byKey.set(near, (list = []));
          list.push(e);
        }
        return byKey;
      }, []);
      edgeLoaders.set(id, loader);
    }
    return loader.load(key);
  }

  return { node, edges };
}
