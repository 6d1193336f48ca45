/**
 * Analysis benchmark on the synthetic Hub graph (bench/generate.ts), SQLite store:
 * 1. the traversal engine alone (queries/traversal.ts, compromise flow from the most popular dataset) against the
 *    in-memory typed-array BFS reference (bench/lib/reachability.ts CSR) — both must reach the same nodes. Keys
 *    only (`withEdgeProps: false`) and with edge props, each with the SQLite adjacency cache and without it (a
 *    second connection opened with the cache off, as AISPM_SQLITE_ADJACENCY=off gives);
 * 2. blast radius end to end (traversal + paths + kinds + endpoint owners);
 * 3. attack paths top 10: entry-point detection by rules, then k=10 paths to a fixed set of endpoints.
 * Prints medians and ratios. Not a test: nothing here is timed by the test suite.
 *
 *   node --import tsx bench/analysis-bench.ts [--scale 0.25] [--seed 42] [--runs 5] [--targets 10]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attackPaths, findEntryPoints } from '../queries/attack-paths.ts';
import { blastRadius } from '../queries/blast-radius.ts';
import { MAX_DEPTH_LIMIT, NODE_BUDGET_LIMIT } from '../queries/limits.ts';
import { traverse } from '../queries/traversal.ts';
import { SqliteStore } from '../services/store/sqlite.ts';
import { generateHubGraph, mostPopularDataset } from './generate.ts';
import { parseNumericFlags } from './lib/args.ts';
import { chunkBatch } from './lib/batches.ts';
import { fmtInt, fmtMs, fmtRatio } from './lib/format.ts';
import { buildCompromiseCsr, csrReachability, storeReachability } from './lib/reachability.ts';
import { median } from './lib/stats.ts';
import { repeatAsync, repeatSync, timeAsync } from './lib/timing.ts';

/** Unbounded for the comparison: the reference BFS has no depth limit or budget either. */
const UNBOUNDED = { maxDepth: MAX_DEPTH_LIMIT, nodeBudget: NODE_BUDGET_LIMIT };

async function main(): Promise<void> {
  const flags = parseNumericFlags(process.argv.slice(2), { scale: 0.25, seed: 42, runs: 5, targets: 10 });
  console.log(`analysis benchmark: scale ${flags.scale}, seed ${flags.seed}, ${flags.runs} runs each; node ${process.version}`);
  const graph = generateHubGraph({ scale: flags.scale, seed: flags.seed });
  console.log(`generated ${fmtInt(graph.nodes.length)} nodes + ${fmtInt(graph.edges.length)} edges`);

  const dir = mkdtempSync(join(tmpdir(), 'aispm-analysis-bench-'));
  const file = join(dir, 'bench.db');
  const store = SqliteStore.open(file, { adjacencyCache: true });
  const sqlOnly = SqliteStore.open(file, { adjacencyCache: false });
  try {
    const load = await timeAsync(async () => {
      for (const b of chunkBatch(graph, 50_000)) await store.upsert(b);
    });
    console.log(`loaded into SQLite in ${fmtMs(load.ms)}`);

    const start = mostPopularDataset(graph);
    const csr = buildCompromiseCsr(graph);
    const startId = csr.ids.get(start)!;

    const keysOnly = { ...UNBOUNDED, withEdgeProps: false };
    // The first keys-only traversal builds the adjacency copy: timed on its own.
    const first = await timeAsync(() => traverse(store, [start], keysOnly));
    const buildMs = store.adjacencyStats().lastBuildMs;
    // Warm-up runs (JIT, page cache), untimed.
    await traverse(sqlOnly, [start], UNBOUNDED);
    csrReachability(csr, startId);

    const series = {
      cacheKeysOnly: await repeatAsync(flags.runs, () => traverse(store, [start], keysOnly)),
      sqlKeysOnly: await repeatAsync(flags.runs, () => traverse(sqlOnly, [start], keysOnly)),
      cacheProps: await repeatAsync(flags.runs, () => traverse(store, [start], UNBOUNDED)),
      sqlProps: await repeatAsync(flags.runs, () => traverse(sqlOnly, [start], UNBOUNDED)),
    };
    const viaCsr = repeatSync(flags.runs * 5, () => csrReachability(csr, startId));
    for (const [name, run] of Object.entries({ first, ...series })) {
      if (run.value.reached.size !== viaCsr.value.reached) {
        throw new Error(`traversal (${name}) reached ${run.value.reached.size} nodes, the CSR reference ${viaCsr.value.reached}`);
      }
    }
    const viaRawStore = await repeatAsync(flags.runs, () => storeReachability(store, start, { skipUnneededProps: true }));
    const engineMs = median(series.cacheKeysOnly.ms);
    const csrMs = median(viaCsr.ms);
    const rawMs = median(viaRawStore.ms);
    const line = (label: string, ms: number[]) =>
      `  ${label} median ${fmtMs(median(ms))}, ${fmtRatio(median(ms) / csrMs)} the reference [runs: ${ms.map((m) => m.toFixed(0)).join(', ')} ms]`;
    console.log(`\ncompromise traversal from ${start}: ${fmtInt(viaCsr.value.reached)} nodes reached (all agree)`);
    console.log(`  engine, keys only, adjacency cache, first query (builds it): ${fmtMs(first.ms)}, of which the build ${fmtMs(buildMs)}`);
    console.log(line('engine, keys only, adjacency cache, warm:', series.cacheKeysOnly.ms));
    console.log(line('engine, keys only, SQL path (cache off): ', series.sqlKeysOnly.ms));
    console.log(line('engine, edge props, adjacency cache:     ', series.cacheProps.ms));
    console.log(line('engine, edge props, SQL path (cache off):', series.sqlProps.ms));
    console.log(`  typed-array BFS reference:                median ${fmtMs(csrMs)} [${flags.runs * 5} runs]`);
    console.log(`  bare store BFS (no paths), cache:         median ${fmtMs(rawMs)}  (bench/lib storeReachability)`);
    console.log(`  ratio engine (keys only, cache) / reference: ${fmtRatio(engineMs / csrMs)} (target ≤ 5×: ${engineMs / csrMs <= 5 ? 'met' : 'MISSED'}); engine / bare store BFS: ${fmtRatio(engineMs / rawMs)}`);

    const blast = await repeatAsync(flags.runs, () => blastRadius(store, start, UNBOUNDED));
    const blastMs = median(blast.ms);
    console.log(`\nblast radius end to end: ${fmtInt(blast.value.total)} nodes, ${fmtInt(blast.value.endpoints.length)} endpoints with owners`);
    console.log(`  median ${fmtMs(blastMs)}  (traversal keys only + endpoint owners; ${fmtRatio(blastMs / median(series.cacheKeysOnly.ms))} of the warm keys-only traversal)`);

    const entries = await repeatAsync(flags.runs, () => findEntryPoints(store));
    // The generator models no outsiders or advisories, so the rules may find no entry; then every identity stands in.
    const from = entries.value.length ? entries.value : (await store.find({ kind: 'Identity', first: 1000 })).items.map((n) => n.key);
    const targets = (await store.find({ kind: 'Endpoint', first: flags.targets })).items.map((n) => n.key);
    const paths = await repeatAsync(flags.runs, () => attackPaths(store, { from, to: targets, k: 10 }));
    console.log(`\nattack paths: ${fmtInt(entries.value.length)} entry points by rules${entries.value.length ? '' : `, so ${fmtInt(from.length)} identities stand in`}; ${targets.length} endpoint targets`);
    console.log(`  entry-point detection:       median ${fmtMs(median(entries.ms))}`);
    console.log(`  top-10 paths (region + Yen): median ${fmtMs(median(paths.ms))}, ${paths.value.paths.length} paths, best risk ${paths.value.paths[0]?.risk ?? '-'}`);
  } finally {
    await store.close();
    await sqlOnly.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
