/**
 * k cheapest loopless paths (Yen's algorithm) on a small in-memory weighted digraph. Pure: the attack-path analysis
 * loads the region from the store first, then searches here. Ties are broken by node index, and callers number
 * nodes in key order, so equal-cost paths come out in a fixed order on every store.
 */

export interface Arc {
  to: number;
  cost: number;
  /** Caller's id for the arc (e.g. an index into its edge list). */
  id: number;
}

export interface WeightedDigraph {
  /** Outgoing arcs per node, at most one arc per (from, to) pair. */
  out: Arc[][];
}

export interface FoundPath {
  nodes: number[];
  arcs: Arc[];
  cost: number;
}

/** Binary min-heap of (cost, node) pairs ordered by cost, then node index. */
class Heap {
  private costs: number[] = [];
  private nodes: number[] = [];
  get size(): number {
    return this.nodes.length;
  }
  push(cost: number, node: number): void {
    this.costs.push(cost);
    this.nodes.push(node);
    let i = this.nodes.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }
  pop(): [number, number] {
    const top: [number, number] = [this.costs[0]!, this.nodes[0]!];
    const lastCost = this.costs.pop()!;
    const lastNode = this.nodes.pop()!;
    if (this.nodes.length) {
      this.costs[0] = lastCost;
      this.nodes[0] = lastNode;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.nodes.length && this.less(l, m)) m = l;
        if (r < this.nodes.length && this.less(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }
  private less(a: number, b: number): boolean {
    return this.costs[a]! < this.costs[b]! || (this.costs[a] === this.costs[b] && this.nodes[a]! < this.nodes[b]!);
  }
  private swap(a: number, b: number): void {
    [this.costs[a], this.costs[b]] = [this.costs[b]!, this.costs[a]!];
    [this.nodes[a], this.nodes[b]] = [this.nodes[b]!, this.nodes[a]!];
  }
}

/** Cheapest path from source to sink avoiding blocked nodes and arcs; null when there is none. */
export function cheapestPath(g: WeightedDigraph, source: number, sink: number, blockedNodes?: Uint8Array, blockedArcs?: ReadonlySet<Arc>): FoundPath | null {
  const n = g.out.length;
  const dist = new Float64Array(n).fill(Infinity);
  const prevArc: (Arc | undefined)[] = new Array(n);
  const prevNode = new Int32Array(n).fill(-1);
  const done = new Uint8Array(n);
  const heap = new Heap();
  dist[source] = 0;
  heap.push(0, source);
  while (heap.size) {
    const [d, u] = heap.pop();
    if (done[u] || d > dist[u]!) continue;
    done[u] = 1;
    if (u === sink) break;
    for (const arc of g.out[u]!) {
      if (blockedNodes?.[arc.to] || blockedArcs?.has(arc)) continue;
      const nd = d + arc.cost;
      if (nd < dist[arc.to]! || (nd === dist[arc.to] && u < prevNode[arc.to]! && !done[arc.to])) {
        dist[arc.to] = nd;
        prevArc[arc.to] = arc;
        prevNode[arc.to] = u;
        heap.push(nd, arc.to);
      }
    }
  }
  if (!done[sink]) return null;
  const nodes = [sink];
  const arcs: Arc[] = [];
  for (let at = sink; at !== source; at = prevNode[at]!) {
    arcs.push(prevArc[at]!);
    nodes.push(prevNode[at]!);
  }
  nodes.reverse();
  arcs.reverse();
  return { nodes, arcs, cost: sumCost(arcs) };
}

/** Summed in path order, so equal paths always get bit-identical costs. */
function sumCost(arcs: readonly Arc[]): number {
  let c = 0;
  for (const a of arcs) c += a.cost;
  return c;
}

const EPSILON = 1e-9;

/** Cheaper first; equal costs (within rounding) by node sequence. */
export function comparePaths(a: FoundPath, b: FoundPath): number {
  if (Math.abs(a.cost - b.cost) > EPSILON) return a.cost - b.cost;
  const len = Math.min(a.nodes.length, b.nodes.length);
  for (let i = 0; i < len; i++) if (a.nodes[i] !== b.nodes[i]) return a.nodes[i]! - b.nodes[i]!;
  return a.nodes.length - b.nodes.length;
}

/** Yen's k shortest loopless paths from source to sink, cheapest first. */
export function kShortestPaths(g: WeightedDigraph, source: number, sink: number, k: number): FoundPath[] {
  const first = cheapestPath(g, source, sink);
  if (!first || k < 1) return [];
  const accepted: FoundPath[] = [first];
  const candidates: FoundPath[] = [];
  const known = new Set<string>([first.nodes.join(',')]);
  const blockedNodes = new Uint8Array(g.out.length);

  while (accepted.length < k) {
    const last = accepted[accepted.length - 1]!;
    for (let i = 0; i < last.nodes.length - 1; i++) {
      const spur = last.nodes[i]!;
      const root = last.nodes.slice(0, i + 1);
      const rootArcs = last.arcs.slice(0, i);
      const blockedArcs = new Set<Arc>();
      for (const p of accepted) {
        if (p.nodes.length > i && root.every((node, j) => p.nodes[j] === node)) blockedArcs.add(p.arcs[i]!);
      }
      for (let j = 0; j < i; j++) blockedNodes[root[j]!] = 1;
      const tail = cheapestPath(g, spur, sink, blockedNodes, blockedArcs);
      for (let j = 0; j < i; j++) blockedNodes[root[j]!] = 0;
      if (!tail) continue;
      const nodes = [...root.slice(0, -1), ...tail.nodes];
      const id = nodes.join(',');
      if (known.has(id)) continue;
      known.add(id);
      const arcs = [...rootArcs, ...tail.arcs];
      candidates.push({ nodes, arcs, cost: sumCost(arcs) });
    }
    if (!candidates.length) break;
    let best = 0;
    for (let c = 1; c < candidates.length; c++) if (comparePaths(candidates[c]!, candidates[best]!) < 0) best = c;
    accepted.push(candidates.splice(best, 1)[0]!);
  }
  return accepted;
}
