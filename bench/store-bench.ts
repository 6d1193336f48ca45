/**
 * Store benchmark on the synthetic Hub graph (bench/generate.ts), in one run:
 * 1. bulk upsert into a fresh SQLite file through store.upsert (validation included: that is the real path);
 * 2. full compromise reachability from the most popular dataset through store.expand, one call per direction per
 *    BFS level for the whole frontier;
 * 3. the same reachability over CSR typed arrays built from the same records: the reference. Both must reach the
 *    same number of nodes; the ratio store / reference is the figure to watch.
 *
 *   node --import tsx bench/store-bench.ts [--scale 1] [--seed 42] [--runs 5] [--batch 50000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateBatch } from '../schema/validate.ts';
import { SqliteStore } from '../services/store/sqlite.ts';
import { generateHubGraph, mostPopularDataset } from './generate.ts';
import { parseNumericFlags } from './lib/args.ts';
import { chunkBatch } from './lib/batches.ts';
import { fmtInt, fmtMs, fmtRatio } from './lib/format.ts';
import { peakRssMiB } from './lib/memory.ts';
import { buildCompromiseCsr, csrReachability, storeReachability } from './lib/reachability.ts';
import { median } from './lib/stats.ts';
import { cpuTimeAsync, repeatAsync, repeatSync, timeSync } from './lib/timing.ts';

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
  const store = SqliteStore.open(join(dir, 'bench.db'));
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

    // One untimed run each warms caches and the JIT, so the medians compare steady states.
    await storeReachability(store, start, { skipUnneededProps: true });
    csrReachability(csr, startId);
    const viaStore = await repeatAsync(flags.runs, () => storeReachability(store, start, { skipUnneededProps: true }));
    const viaStoreAllProps = await repeatAsync(flags.runs, () => storeReachability(store, start));
    // The reference takes about a millisecond, where timer and scheduler noise is relatively large: run it more.
    const csrRuns = flags.runs * 5;
    const viaCsr = repeatSync(csrRuns, () => csrReachability(csr, startId));

    for (const [name, r] of [['store', viaStore.value], ['store (all props)', viaStoreAllProps.value]] as const) {
      if (r.reached !== viaCsr.value.reached || r.levels !== viaCsr.value.levels) {
        throw new Error(`${name} reached ${r.reached} nodes in ${r.levels} levels, the CSR reference ${viaCsr.value.reached} in ${viaCsr.value.levels}`);
      }
    }
    const storeMs = median(viaStore.ms);
    const allPropsMs = median(viaStoreAllProps.ms);
    const csrMs = median(viaCsr.ms);
    const ratio = storeMs / csrMs;
    console.log(`\nreachability from ${start} (compromise flow), medians of ${flags.runs} runs:`);
    console.log(`  nodes reached: ${fmtInt(viaCsr.value.reached)} in ${viaCsr.value.levels} levels (equal on both paths: checked)`);
    console.log(`  store.expand BFS: ${fmtMs(storeMs)} (${fmtInt(viaStore.value.edgesSeen)} edges returned, ${viaStore.value.levels * 2} expand calls) [runs: ${viaStore.ms.map((m) => m.toFixed(0)).join(', ')} ms]`);
    console.log(`  store.expand BFS, props always fetched: ${fmtMs(allPropsMs)} [runs: ${viaStoreAllProps.ms.map((m) => m.toFixed(0)).join(', ')} ms]`);
    console.log(`  CSR typed arrays: ${fmtMs(csrMs)} (${fmtInt(viaCsr.value.edgesSeen)} arcs scanned; CSR built in ${fmtMs(csrBuild.ms)}) [median of ${csrRuns} runs, min ${Math.min(...viaCsr.ms).toFixed(2)}, max ${Math.max(...viaCsr.ms).toFixed(2)} ms]`);
    console.log(`  ratio store / CSR: ${fmtRatio(ratio)} (target ≤ ${TARGET_RATIO}×: ${ratio <= TARGET_RATIO ? 'met' : 'MISSED'}); with props always fetched: ${fmtRatio(allPropsMs / csrMs)}`);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\npeak RSS ${fmtInt(peakRssMiB())} MiB; whole run ${fmtMs(performance.now() - wallStart)}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack ?? err.message : err);
  process.exitCode = 1;
});
