/**
 * Shared, memoised graph facts the rules ask for, each loaded with batched store calls: which models are served
 * (and by which endpoints), and the lineage closure above a set of nodes.
 */
import type { EdgeKind } from '../../schema/model.ts';
import type { GraphEdge } from '../../schema/records.ts';
import type { GraphStore } from '../../schema/store.ts';
import { nodesOfKind } from '../nodes.ts';
import { traverse } from '../traversal.ts';

const SERVING: EdgeKind = 'SERVES';

export interface Ancestry {
  /** Derived node → its lineage edges to bases. */
  parents: Map<string, GraphEdge[]>;
  /** Ancestors of `key` (not itself), nearest first; cycles are safe. */
  ancestorsOf(key: string): string[];
  /** The lineage chain from `key` up to `ancestor` (both included), or [] when not an ancestor. */
  chain(key: string, ancestor: string): string[];
}

export interface FindingContext {
  store: GraphStore;
  /** Served model → endpoints serving it, sorted. */
  servedModels(): Promise<Map<string, string[]>>;
  /** The lineage closure above `keys`, loaded frontier by frontier. */
  ancestry(keys: readonly string[]): Promise<Ancestry>;
}

export function createContext(store: GraphStore): FindingContext {
  let served: Promise<Map<string, string[]>> | undefined;
  return {
    store,
    servedModels: () => (served ??= loadServedModels(store)),
    ancestry: (keys) => loadAncestry(store, keys),
  };
}

async function loadServedModels(store: GraphStore): Promise<Map<string, string[]>> {
  const served = new Map<string, string[]>();
  for await (const endpoints of nodesOfKind(store, 'Endpoint')) {
    const edges = await store.expand({ keys: endpoints.map((e) => e.key), direction: 'out', edgeKinds: [SERVING] });
    for (const e of edges) served.set(e.to, [...(served.get(e.to) ?? []), e.from]);
  }
  for (const list of served.values()) list.sort();
  return new Map([...served].sort(([a], [b]) => (a < b ? -1 : 1)));
}

export async function loadAncestry(store: GraphStore, keys: readonly string[]): Promise<Ancestry> {
  const parents = new Map<string, GraphEdge[]>();
  if (keys.length) {
    await traverse(store, [...keys], {
      step: 'lineage-up',
      onEdges: (followed) => {
        for (const { edge } of followed) parents.set(edge.from, [...(parents.get(edge.from) ?? []), edge]);
      },
    });
  }
  const bfs = (key: string): Map<string, string> => {
    // ancestor → the node it was reached from
    const via = new Map<string, string>([[key, '']]);
    let frontier = [key];
    while (frontier.length) {
      const next: string[] = [];
      for (const k of frontier) {
        for (const e of [...(parents.get(k) ?? [])].sort((a, b) => (a.to < b.to ? -1 : a.to > b.to ? 1 : 0))) {
          if (via.has(e.to)) continue;
          via.set(e.to, k);
          next.push(e.to);
        }
      }
      frontier = next;
    }
    via.delete(key);
    return via;
  };
  return {
    parents,
    ancestorsOf: (key) => [...bfs(key).keys()],
    chain(key, ancestor) {
      const via = bfs(key);
      if (!via.has(ancestor)) return [];
      const out = [ancestor];
      for (let at = via.get(ancestor); at; at = via.get(at)) out.push(at);
      if (out[out.length - 1] !== key) out.push(key);
      return out.reverse();
    },
  };
}
