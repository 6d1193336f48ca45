/**
 * Store benchmark on the synthetic Hub graph (bench/generate.ts), in one run:
 * 1. bulk upsert into a fresh SQLite file through store.upsert (validation included: that is the real path);
 * 2. full compromise reachability from the most popular dataset through store.expand, one call per direction per
 *    BFS level for the whole frontier — with the adjacency cache (the first query, which builds it, timed apart
 *    from the warm ones) and without it (a second connection opened with the cache off: the SQL path);
 * 3. the same reachability over CSR typed arrays built from the same records: the reference. Both must reach the
 *    same number of nodes; the ratio store / reference is the figure to watch.
 *
 *   node --import tsx bench/store-bench.ts [--scale 1] [--seed 42] [--runs 5] [--batch 50000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { validateBatch } from '../schema/validate.ts';
import { SqliteStore } from '../services/store/sqlite.ts';
import type { ExpandRequest, GraphStore } from '../schema/store.ts';
import { generateHubGraph, mostPopularDataset } from './generate.ts';
import { parseNumericFlags } from './lib/args.ts';
import { chunkBatch } from './lib/batches.ts';
import { fmtInt, fmtMs, fmtRatio } from './lib/format.ts';
import { peakRssMiB } from './lib/memory.ts';
import { buildCompromiseCsr, csrReachability, storeReachability } from './lib/reachability.ts';
import { median } from './lib/stats.ts';
import { cpuTimeAsync, repeatAsync, repeatSync, timeAsync, timeSync } from './lib/timing.ts';

const TARGET_ROWS_PER_S = 100_000;
const TARGET_RATIO = 20;

async function main(): Promise<void> {
  const flags = parseNumericFlags(process.argv.slice(2), { scale: 1, seed: 42, runs: 5, batch: 50_000 });
  const wallStart = performance.now();
  console.log(`store benchmark: scale ${flags.scale}, seed ${flags.seed}, ${flags.runs} reachability runs, upsert batches of ${fmtInt(flags.batch)} records`);
  console.log(`node ${process.version}, ${new Date().toISOString()}`);

  const gen = timeSync(() => generateHubGraph({ scale: flags.scale, seed: flags.seed }));
  const graph = gen.value;
  const rows = graph.nodes.length + graph.edges.length;
  console.log(`generated ${fmtInt(graph.nodes.length)} nodes + ${fmtInt(graph.edges.length)} edges in ${fmtMs(gen.ms)}`);

  const batches = [...chunkBatch(graph, flags.batch)];
  // Validation alone, over the same batches, so the upsert figure can be split into checking and writing.
  const validation = timeSync(() => {
    for (const b of batches) validateBatch(b);
  });

  const dir = mkdtempSync(join(tmpdir(), 'aispm-bench-'));
  const file = join(dir, 'bench.db');
  const store = SqliteStore.open(file, { adjacencyCache: true });
  // The same file through a connection with the cache off (what AISPM_SQLITE_ADJACENCY=off gives): the SQL path.
  const sqlOnly = SqliteStore.open(file, { adjacencyCache: false });
  try {
    let nodesMs = 0;
    const upsert = await cpuTimeAsync(async () => {
      for (const b of batches) {
        const start = performance.now();
        await store.upsert(b);
        if (b.nodes.length) nodesMs += performance.now() - start;
      }
    });
    const stats = await store.stats();
    if (stats.nodes !== graph.nodes.length || stats.edges !== graph.edges.length) {
      throw new Error(`store holds ${stats.nodes} nodes / ${stats.edges} edges, expected ${graph.nodes.length} / ${graph.edges.length}`);
    }
    const rowsPerS = rows / (upsert.ms / 1000);
    console.log(`\nupsert: ${fmtInt(rows)} rows in ${fmtMs(upsert.ms)} = ${fmtInt(rowsPerS)} rows/s (target ≥ ${fmtInt(TARGET_ROWS_PER_S)}: ${rowsPerS >= TARGET_ROWS_PER_S ? 'met' : 'MISSED'})`);
    console.log(`  nodes ${fmtInt(graph.nodes.length / (nodesMs / 1000))} rows/s, edges ${fmtInt(graph.edges.length / ((upsert.ms - nodesMs) / 1000))} rows/s; process CPU ${fmtMs(upsert.cpuMs)} (${fmtInt(rows / (upsert.cpuMs / 1000))} rows per CPU-second)`);
    console.log(`  validation alone over the same batches: ${fmtMs(validation.ms)} (${((validation.ms / upsert.ms) * 100).toFixed(0)}% of the upsert time)`);

    const start = mostPopularDataset(graph);
    const csrBuild = timeSync(() => buildCompromiseCsr(graph));
    const csr = csrBuild.value;
    const startId = csr.ids.get(start)!;

    // The first props-free expand builds the adjacency copy: timed on its own, with the heap it adds.
    const heapBefore = heapMiB();
    const first = await timeAsync(() => storeReachability(store, start, { skipUnneededProps: true }));
    const heapAfter = heapMiB();
    const cache = store.adjacencyStats();
    // One untimed run each warms caches and the JIT, so the medians compare steady states.
    await storeReachability(sqlOnly, start, { skipUnneededProps: true });
    csrReachability(csr, startId);
    const viaCache = await repeatAsync(flags.runs, () => storeReachability(store, start, { skipUnneededProps: true }));
    // The same warm runs once more with store.expand timed: how much of the BFS is the store, and how much the
    // caller's own bookkeeping over string keys (its visited set), which no store can remove.
    const timed = withTimedExpand(store);
    const expandMs: number[] = [];
    await repeatAsync(flags.runs, async () => {
      timed.ms = 0;
      await storeReachability(timed.store, start, { skipUnneededProps: true });
      expandMs.push(timed.ms);
    });
    const viaCacheAllProps = await repeatAsync(flags.runs, () => storeReachability(store, start));
    const viaSql = await repeatAsync(flags.runs, () => storeReachability(sqlOnly, start, { skipUnneededProps: true }));
    const viaSqlAllProps = await repeatAsync(flags.runs, () => storeReachability(sqlOnly, start));
    // The reference takes about a millisecond, where timer and scheduler noise is relatively large: run it more.
    const csrRuns = flags.runs * 5;
    const viaCsr = repeatSync(csrRuns, () => csrReachability(csr, startId));
    if (store.adjacencyStats().builds !== 1) throw new Error(`the adjacency copy was built ${store.adjacencyStats().builds} times, expected once`);

    const series = [
      ['cache, first query', first],
      ['cache', viaCache],
      ['cache (all props)', viaCacheAllProps],
      ['SQL', viaSql],
      ['SQL (all props)', viaSqlAllProps],
    ] as const;
    for (const [name, run] of series) {
      const r = run.value;
      if (r.reached !== viaCsr.value.reached || r.levels !== viaCsr.value.levels) {
        throw new Error(`store (${name}) reached ${r.reached} nodes in ${r.levels} levels, the CSR reference ${viaCsr.value.reached} in ${viaCsr.value.levels}`);
      }
    }
    const csrMs = median(viaCsr.ms);
    const runsOf = (ms: number[]) => `[runs: ${ms.map((m) => (m < 100 ? m.toFixed(1) : m.toFixed(0))).join(', ')} ms]`;
    const line = (label: string, ms: number[]) => `  ${label}: ${fmtMs(median(ms))}, ${fmtRatio(median(ms) / csrMs)} the CSR ${runsOf(ms)}`;
    const cacheMs = median(viaCache.ms);
    const ratio = cacheMs / csrMs;
    const held = cache.held!;
    console.log(`\nreachability from ${start} (compromise flow), medians of ${flags.runs} runs:`);
    console.log(`  nodes reached: ${fmtInt(viaCsr.value.reached)} in ${viaCsr.value.levels} levels (equal on every path: checked); ${fmtInt(viaCache.value.edgesSeen)} edges returned, ${viaCache.value.levels * 2} expand calls`);
    console.log(`  adjacency cache, first query (builds it): ${fmtMs(first.ms)}, of which the build ${fmtMs(cache.lastBuildMs)}`);
    console.log(`    holds ${fmtInt(held.nodes)} nodes, ${fmtInt(held.edges)} edges: typed arrays ${fmtMiB(held.typedArrayBytes)}, keys and key map ≈ ${fmtMiB(held.keysBytesEstimate)} (estimate); heap + array buffers after GC grew ${(heapAfter - heapBefore).toFixed(1)} MiB`);
    console.log(line('adjacency cache, warm', viaCache.ms));
    console.log(`    of which inside store.expand: median ${fmtMs(median(expandMs))} (${fmtRatio(median(expandMs) / csrMs)} the CSR); the rest is the caller's own visited set over string keys`);
    console.log(line('adjacency cache, props always fetched (SQL for frontier keys that have edges)', viaCacheAllProps.ms));
    console.log(line('SQL path (cache off)', viaSql.ms));
    console.log(line('SQL path, props always fetched', viaSqlAllProps.ms));
    console.log(`  CSR typed arrays: ${fmtMs(csrMs)} (${fmtInt(viaCsr.value.edgesSeen)} arcs scanned; CSR built in ${fmtMs(csrBuild.ms)}) [median of ${csrRuns} runs, min ${Math.min(...viaCsr.ms).toFixed(2)}, max ${Math.max(...viaCsr.ms).toFixed(2)} ms]`);
    console.log(`  ratio store (cache, warm) / CSR: ${fmtRatio(ratio)} (target ≤ ${TARGET_RATIO}×: ${ratio <= TARGET_RATIO ? 'met' : 'MISSED'}); SQL path / cache: ${fmtRatio(median(viaSql.ms) / cacheMs)}`);
  } finally {
    await store.close();
    await sqlOnly.close();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\npeak RSS ${fmtInt(peakRssMiB())} MiB; whole run ${fmtMs(performance.now() - wallStart)}`);
}

/** A view of the store whose expand calls add their wall time to `ms`. */
function withTimedExpand(store: GraphStore): { store: GraphStore; ms: number } {
  const timed = {
    ms: 0,
    store: Object.create(store, {
      expand: {
        value: async (req: ExpandRequest) => {
          const start = performance.now();
          const edges = await store.expand(req);
          timed.ms += performance.now() - start;
          return edges;
        },
      },
    }) as GraphStore,
  };
  return timed;
}

/** Heap and array buffers in MiB after a full GC (exposed here, since the command line has no --expose-gc). */
function heapMiB(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / (1024 * 1024);
}

function fmtMiB(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack ?? err.message : err);
  process.exitCode = 1;
});
