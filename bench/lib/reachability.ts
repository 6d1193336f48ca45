/**
 * "What can compromise of X reach?" computed two ways over the same records: through a GraphStore's frontier
 * expansion (the path analyses take) and over in-memory CSR typed arrays (the reference a store is measured
 * against). Both follow the flow table in schema/model.ts, including `flowWhen` conditions, so they must agree.
 */
import { EDGE_KINDS, EDGE_SPECS, flowConditionHolds, type EdgeKind } from '../../schema/model.ts';
import type { Props, RecordBatch } from '../../schema/records.ts';
import type { Direction, GraphStore } from '../../schema/store.ts';

export interface ExpansionGroup {
  direction: Direction;
  kinds: EdgeKind[];
  /** Whether some kind's flow depends on edge properties, so the store must return them. */
  needsProps: boolean;
}

/** One group per store direction: 'reverse' kinds are expanded 'in', 'forward' kinds 'out', 'none' never. */
export function compromiseGroups(): ExpansionGroup[] {
  const groups: ExpansionGroup[] = [];
  for (const direction of ['in', 'out'] as const) {
    const kinds = EDGE_KINDS.filter((k) => EDGE_SPECS[k].flow === (direction === 'in' ? 'reverse' : 'forward'));
    if (kinds.length) groups.push({ direction, kinds, needsProps: kinds.some((k) => EDGE_SPECS[k].flowWhen) });
  }
  return groups;
}

/** Whether compromise moves along an edge of this kind with these properties. */
export function carriesCompromise(kind: EdgeKind, props: Props | undefined): boolean {
  const spec = EDGE_SPECS[kind];
  if (spec.flow === 'none') return false;
  return !spec.flowWhen || flowConditionHolds(spec.flowWhen, props);
}

export interface ReachResult {
  /** Nodes reached, the start included. */
  reached: number;
  /** BFS levels expanded. */
  levels: number;
  /** Edges the store returned (or arcs scanned, for the CSR). */
  edgesSeen: number;
}

export interface StoreReachOptions {
  /**
   * Ask the store for edge properties only for groups whose flow depends on them (`ExpandRequest.withProps`);
   * false always asks for them (what a caller unaware of the option gets).
   */
  skipUnneededProps?: boolean;
}

/** Breadth-first through store.expand: one call per direction per level, for the whole frontier. */
export async function storeReachability(store: GraphStore, start: string, options: StoreReachOptions = {}): Promise<ReachResult> {
  const groups = compromiseGroups();
  const visited = new Set<string>([start]);
  let frontier = [start];
  let levels = 0;
  let edgesSeen = 0;
  while (frontier.length > 0) {
    levels++;
    const next: string[] = [];
    for (const group of groups) {
      const edges = await store.expand({
        keys: frontier,
        edgeKinds: group.kinds,
        direction: group.direction,
        ...(options.skipUnneededProps ? { withProps: group.needsProps } : {}),
      });
      edgesSeen += edges.length;
      for (const e of edges) {
        if (group.needsProps && !carriesCompromise(e.kind, e.props)) continue;
        const far = group.direction === 'out' ? e.to : e.from;
        if (visited.has(far)) continue;
        visited.add(far);
        next.push(far);
      }
    }
    frontier = next;
  }
  return { reached: visited.size, levels, edgesSeen };
}

/** Compressed sparse rows: the arcs out of node i are targets[offsets[i] .. offsets[i + 1]). */
export interface Csr {
  ids: Map<string, number>;
  offsets: Int32Array;
  targets: Int32Array;
}

/** Arcs point the way compromise moves (edge `to`→`from` for 'reverse' kinds), and only along edges that carry it. */
export function buildCompromiseCsr(batch: RecordBatch): Csr {
  const ids = new Map<string, number>();
  const idOf = (key: string): number => {
    let id = ids.get(key);
    if (id === undefined) {
      id = ids.size;
      ids.set(key, id);
    }
    return id;
  };
  for (const n of batch.nodes) idOf(n.key);
  const sources: number[] = [];
  const sinks: number[] = [];
  for (const e of batch.edges) {
    if (!carriesCompromise(e.kind, e.props)) continue;
    const forward = EDGE_SPECS[e.kind].flow === 'forward';
    const from = idOf(e.from);
    const to = idOf(e.to);
    sources.push(forward ? from : to);
    sinks.push(forward ? to : from);
  }
  const n = ids.size;
  const offsets = new Int32Array(n + 1);
  for (const s of sources) offsets[s + 1]!++;
  for (let i = 0; i < n; i++) offsets[i + 1]! += offsets[i]!;
  const fill = offsets.slice(0, n);
  const targets = new Int32Array(sources.length);
  for (let i = 0; i < sources.length; i++) targets[fill[sources[i]!]!++] = sinks[i]!;
  return { ids, offsets, targets };
}

/** Breadth-first over the CSR from one node id. */
export function csrReachability(csr: Csr, start: number): ReachResult {
  const n = csr.offsets.length - 1;
  const visited = new Uint8Array(n);
  const queue = new Int32Array(n);
  let head = 0;
  let tail = 0;
  queue[tail++] = start;
  visited[start] = 1;
  let levels = 0;
  let edgesSeen = 0;
  while (head < tail) {
    levels++;
    const levelEnd = tail;
    while (head < levelEnd) {
      const v = queue[head++]!;
      for (let a = csr.offsets[v]!, end = csr.offsets[v + 1]!; a < end; a++) {
        edgesSeen++;
        const w = csr.targets[a]!;
        if (visited[w]) continue;
        visited[w] = 1;
        queue[tail++] = w;
      }
    }
  }
  return { reached: tail, levels, edgesSeen };
}
