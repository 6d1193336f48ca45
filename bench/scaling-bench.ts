/**
 * How cost grows with the graph, and issue 20's targets, in one run: for each scale of the synthetic Hub graph
 * (bench/generate.ts), on the SQLite store (and on Neo4j with --store neo4j, where a server is configured):
 *
 * - upsert rows/s (the whole graph in batches of 50k records, validation included) and that process's peak RSS;
 * - reachability through the store (`GraphStore.reach`, compromise flow from the most popular dataset), warm
 *   (median, after untimed runs and a full collection) and cold (a fresh process: open the store, answer the first
 *   reach, the adjacency copy loaded from the file), against the typed-array BFS reference over the same records
 *   (bench/lib/reachability.ts); the floor under a cold reach (a fresh process that only reads the stored copy's
 *   bytes); and the first process after a write, which builds the copy and stores it;
 * - the analyses' traversal (`traverse`, keys only) warm;
 * - blast radius end to end, warm and cold (a fresh process: open + first blast radius, with its peak RSS);
 * - entry-point detection (`findEntryPoints`) warm.
 *
 * Every measurement that says cold runs in its own child process, so nothing of the parent's caches or JIT helps
 * it; only module loading is left out (that is the CLI start figure, bench/cli-start-bench.ts). The operating
 * system's page cache is warm, as it is for a person running one command after another.
 *
 *   node --import tsx bench/scaling-bench.ts [--scales 0.25,0.5,1,2] [--runs 15] [--cold 3] [--seed 42] [--store sqlite|neo4j]
 *
 * With --store neo4j it needs NEO4J_URI (NEO4J_USER / NEO4J_PASSWORD) and NEO4J_TEST_ALLOW_WIPE=1 (it wipes that
 * database), and says it is skipped otherwise.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { findEntryPoints } from '../queries/attack-paths.ts';
import { blastRadius } from '../queries/blast-radius.ts';
import { MAX_DEPTH_LIMIT, NODE_BUDGET_LIMIT } from '../queries/limits.ts';
import { reachSteps, traverse } from '../queries/traversal.ts';
import { openStore } from '../services/store/open.ts';
import { generateHubGraph, mostPopularDataset } from './generate.ts';
import { parseNumericFlags } from './lib/args.ts';
import { chunkBatch } from './lib/batches.ts';
import { fmtInt, fmtMs, fmtRatio } from './lib/format.ts';
import { peakRssMiB } from './lib/memory.ts';
import { buildCompromiseCsr, csrReachability } from './lib/reachability.ts';
import { median } from './lib/stats.ts';
import { repeatAsync, timeAsync } from './lib/timing.ts';

const SELF = fileURLToPath(import.meta.url);
const WARMUP = 3;
const UNBOUNDED = { maxDepth: MAX_DEPTH_LIMIT, nodeBudget: NODE_BUDGET_LIMIT };
const REACH_REQUEST = (start: string) => ({ from: [start], steps: reachSteps('compromise'), maxDepth: MAX_DEPTH_LIMIT, maxNodes: NODE_BUDGET_LIMIT, withEdgeProps: false });

/** Issue 20's targets. */
const TARGET = { reachWarm: 5, reachCold: 10, traversal: 5, entryMs: 100, blastColdOverWarm: 2 };

interface LoadReport {
  nodes: number;
  edges: number;
  start: string;
  upsertMs: number;
  peakRssMiB: number;
}
interface ColdReport {
  ms: number;
  reached: number;
  peakRssMiB: number;
}
/** A fresh process that only reads the stored adjacency snapshot: what any cold reach must at least pay. */
interface ReadReport {
  ms: number;
  bytes: number;
}
interface WarmReport {
  reached: number;
  reach: number[];
  reference: number[];
  traversal: number[];
  blast: number[];
  entry: number[];
  entries: number;
}

type Child = { mode: 'load' | 'cold-reach' | 'cold-blast' | 'cold-read' | 'warm'; spec: string; scale: number; seed: number; runs: number; start?: string };

async function child(c: Child): Promise<unknown> {
  if (c.mode === 'load') {
    const graph = generateHubGraph({ scale: c.scale, seed: c.seed });
    if (!c.spec.startsWith('sqlite:')) await wipeNeo4j();
    const store = await openStore(c.spec);
    try {
      const t = await timeAsync(async () => {
        for (const b of chunkBatch(graph, 50_000)) await store.upsert(b);
      });
      return { nodes: graph.nodes.length, edges: graph.edges.length, start: mostPopularDataset(graph), upsertMs: t.ms, peakRssMiB: peakRssMiB() } satisfies LoadReport;
    } finally {
      await store.close();
    }
  }
  if (c.mode === 'cold-read') {
    // The file opened read-only and the snapshot's one row read, nothing decoded: the floor under a cold reach.
    const { default: Database } = await import('better-sqlite3');
    const { readSnapshot } = await import('../services/store/sqlite-adjacency-snapshot.ts');
    const t0 = performance.now();
    const db = new Database(c.spec.slice('sqlite:'.length), { readonly: true, fileMustExist: true });
    try {
      const blob = readSnapshot(db);
      if (!blob) throw new Error('no adjacency snapshot in the store file');
      return { ms: performance.now() - t0, bytes: blob.length } satisfies ReadReport;
    } finally {
      db.close();
    }
  }
  const start = c.start!;
  if (c.mode === 'cold-reach' || c.mode === 'cold-blast') {
    // Nothing generated here: the time and the peak RSS are those of a store opened cold and one answer.
    const t0 = performance.now();
    const store = await openStore(c.spec);
    try {
      const reached = c.mode === 'cold-reach' ? (await store.reach(REACH_REQUEST(start))).keys.length : (await blastRadius(store, start, UNBOUNDED)).total + 1;
      return { ms: performance.now() - t0, reached, peakRssMiB: peakRssMiB() } satisfies ColdReport;
    } finally {
      await store.close();
    }
  }
  const graph = generateHubGraph({ scale: c.scale, seed: c.seed });
  const csr = buildCompromiseCsr(graph);
  const startId = csr.ids.get(start)!;
  const store = await openStore(c.spec);
  try {
    const req = REACH_REQUEST(start);
    // Generating the graph and the reference left a large heap of garbage; collected now, not inside a timed run.
    fullGc();
    // Each series runs in a block of its own, after a few untimed runs (the JIT has optimised the walk) and a full
    // collection: the reference's arrays are as warm in the CPU caches as the store's. Alternating run by run was
    // tried: whichever walk came first after the reference paid for the caches it had evicted.
    const series = async <T>(work: () => T | Promise<T>, runs: number): Promise<{ ms: number[]; value: T }> => {
      for (let i = 0; i < WARMUP; i++) await work();
      fullGc();
      return repeatAsync(runs, async () => work());
    };
    const reachRuns = await series(() => store.reach(req), c.runs);
    const referenceRuns = await series(() => csrReachability(csr, startId), c.runs * 5);
    const traversalRuns = await series(() => traverse(store, [start], { ...UNBOUNDED, withEdgeProps: false }), c.runs);
    const [reach, reference, traversal] = [reachRuns.ms, referenceRuns.ms, traversalRuns.ms];
    const reached = reachRuns.value.keys.length;
    const referenceReached = referenceRuns.value.reached;
    if (reached !== referenceReached) throw new Error(`store reached ${reached} nodes, the reference ${referenceReached}`);
    await blastRadius(store, start, UNBOUNDED);
    const blast = await repeatAsync(c.runs, () => blastRadius(store, start, UNBOUNDED));
    const entry = await repeatAsync(c.runs, () => findEntryPoints(store));
    return {
      reached,
      reach,
      reference,
      traversal,
      blast: blast.ms,
      entry: entry.ms,
      entries: entry.value.length,
    } satisfies WarmReport;
  } finally {
    await store.close();
  }
}

/** A full garbage collection (exposed here, since the command line has no --expose-gc). */
function fullGc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** Auto-commit with inner transactions: a big leftover graph never needs one big transaction. */
async function wipeNeo4j(): Promise<void> {
  const { default: neo4j } = await import('neo4j-driver');
  const driver = neo4j.driver(process.env.NEO4J_URI!, neo4j.auth.basic(process.env.NEO4J_USER ?? 'neo4j', process.env.NEO4J_PASSWORD ?? ''));
  const session = driver.session({ database: process.env.NEO4J_DATABASE || undefined });
  try {
    await session.run('MATCH (n) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 1000 ROWS');
  } finally {
    await session.close();
    await driver.close();
  }
}

function runChild<T>(c: Child): T {
  const out = spawnSync(process.execPath, ['--import', 'tsx', SELF, '--child', JSON.stringify(c)], { encoding: 'utf8', maxBuffer: 64 << 20, env: process.env });
  if (out.status !== 0) throw new Error(`${c.mode} at scale ${c.scale} failed (exit ${out.status}):\n${out.stderr}`);
  return JSON.parse(out.stdout.trim().split('\n').pop()!) as T;
}

async function main(argv: string[]): Promise<void> {
  const childAt = argv.indexOf('--child');
  if (childAt >= 0) {
    console.log(JSON.stringify(await child(JSON.parse(argv[childAt + 1]!) as Child)));
    return;
  }
  const text = takeTextFlags(argv, { scales: '0.25,0.5,1,2', store: 'sqlite' });
  const flags = parseNumericFlags(text.rest, { runs: 15, cold: 3, seed: 42 });
  const scales = text.scales.split(',').map(Number);
  if (scales.some((s) => !(s > 0))) throw new Error(`--scales takes positive numbers separated by commas, got "${text.scales}"`);
  if (text.store !== 'sqlite' && text.store !== 'neo4j') throw new Error(`--store is sqlite or neo4j, got "${text.store}"`);
  if (text.store === 'neo4j' && (!process.env.NEO4J_URI || process.env.NEO4J_TEST_ALLOW_WIPE !== '1')) {
    console.log('scaling bench on neo4j skipped: set NEO4J_URI (and NEO4J_USER / NEO4J_PASSWORD) and NEO4J_TEST_ALLOW_WIPE=1 for a Neo4j it may wipe');
    return;
  }
  console.log(`scaling benchmark, ${text.store}: scales ${scales.join(', ')}, seed ${flags.seed}, ${flags.runs} warm runs, ${flags.cold} cold processes each; node ${process.version}, ${new Date().toISOString()}`);
  const dir = mkdtempSync(join(tmpdir(), 'aispm-scaling-bench-'));
  const rows: string[][] = [];
  try {
    for (const scale of scales) {
      const spec = text.store === 'sqlite' ? `sqlite:${join(dir, `scale-${scale}.db`)}` : process.env.NEO4J_URI!;
      const load = runChild<LoadReport>({ spec, scale, seed: flags.seed, runs: flags.runs, mode: 'load' });
      const base = { spec, scale, seed: flags.seed, runs: flags.runs, start: load.start };
      // The first process after a write builds the adjacency copy and stores it in the file; every later one loads
      // it (sqlite-adjacency-snapshot.ts). The first is timed apart; the cold series are the later ones.
      const firstAfterWrite = runChild<ColdReport>({ ...base, mode: 'cold-reach' });
      const coldReach: ColdReport[] = [];
      const coldBlast: ColdReport[] = [];
      const coldRead: ReadReport[] = [];
      // Alternated, so that a burst of load on the shared machine hits every series alike.
      for (let i = 0; i < flags.cold; i++) {
        coldReach.push(runChild<ColdReport>({ ...base, mode: 'cold-reach' }));
        coldBlast.push(runChild<ColdReport>({ ...base, mode: 'cold-blast' }));
        if (text.store === 'sqlite') coldRead.push(runChild<ReadReport>({ ...base, mode: 'cold-read' }));
      }
      const warm = runChild<WarmReport>({ ...base, mode: 'warm' });
      if (coldReach.some((r) => r.reached !== warm.reached) || coldBlast.some((r) => r.reached !== warm.reached)) {
        throw new Error(`cold runs reached ${[...coldReach, ...coldBlast].map((r) => r.reached).join(', ')} nodes, the warm run ${warm.reached}`);
      }
      const ref = median(warm.reference);
      const m = {
        upsert: (load.nodes + load.edges) / (load.upsertMs / 1000),
        reach: median(warm.reach),
        reachCold: median(coldReach.map((r) => r.ms)),
        traversal: median(warm.traversal),
        blast: median(warm.blast),
        blastCold: median(coldBlast.map((r) => r.ms)),
        entry: median(warm.entry),
      };
      rows.push([
        String(scale),
        `${fmtInt(load.nodes)} / ${fmtInt(load.edges)}`,
        fmtInt(warm.reached),
        fmtInt(m.upsert),
        `${fmtMs(m.reach)} (${fmtRatio(m.reach / ref)})`,
        `${fmtMs(m.reachCold)} (${fmtRatio(m.reachCold / ref)})`,
        coldRead.length ? `${fmtMs(median(coldRead.map((r) => r.ms)))} (${fmtRatio(median(coldRead.map((r) => r.ms)) / ref)}), ${(coldRead[0]!.bytes / 2 ** 20).toFixed(1)} MiB` : 'n/a',
        fmtMs(firstAfterWrite.ms),
        `${ref.toFixed(2)} ms`,
        `${fmtMs(m.traversal)} (${fmtRatio(m.traversal / ref)})`,
        fmtMs(m.blast),
        `${fmtMs(m.blastCold)} (${fmtRatio(m.blastCold / m.blast)})`,
        `${fmtMs(m.entry)} (${fmtInt(warm.entries)})`,
        `${fmtInt(load.peakRssMiB)} / ${fmtInt(median(coldBlast.map((r) => r.peakRssMiB)))}`,
      ]);
      console.log(`scale ${scale}: done (${fmtInt(load.nodes)} nodes; start ${load.start})`);
      if (scale === 1) {
        const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
        console.log(`  targets at scale 1: reach warm ≤ ${TARGET.reachWarm}× the reference: ${verdict(m.reach / ref <= TARGET.reachWarm)}; cold ≤ ${TARGET.reachCold}×: ${verdict(m.reachCold / ref <= TARGET.reachCold)}${coldRead.length ? ` (reading the stored copy alone takes ${fmtRatio(median(coldRead.map((r) => r.ms)) / ref)})` : ''}; traversal ≤ ${TARGET.traversal}×: ${verdict(m.traversal / ref <= TARGET.traversal)}; entry points ≤ ${TARGET.entryMs} ms: ${verdict(m.entry <= TARGET.entryMs)}; blast radius cold ≤ ${TARGET.blastColdOverWarm}× warm: ${verdict(m.blastCold / m.blast <= TARGET.blastColdOverWarm)}`);
      }
      if (text.store === 'sqlite') rmSync(spec.slice('sqlite:'.length), { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const header = ['scale', 'nodes / edges', 'reached', 'upsert rows/s', 'reach warm (× ref)', 'reach cold (× ref)', 'snapshot read alone (× ref)', 'first reach after a write', 'reference', 'traversal warm (× ref)', 'blast radius warm', 'blast radius cold (× warm)', 'entry points (found)', 'peak RSS MiB: load / cold blast'];
  console.log(`\n| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  console.log(`\nmedians: warm of ${flags.runs} runs (reference of ${flags.runs * 5}) in one process; cold of ${flags.cold} fresh processes, each timed from opening the store to the first answer; "snapshot read alone" is a fresh process that opens the file and reads the stored adjacency snapshot, decoding nothing (the floor under a cold reach); "first reach after a write" is the process that builds the copy and stores it (a lone run)`);
}

/** Pulls `--name value` text flags out of argv; the rest goes to parseNumericFlags. */
function takeTextFlags<K extends string>(argv: readonly string[], defaults: Record<K, string>): Record<K, string> & { rest: string[] } {
  const out = { ...defaults, rest: [] as string[] };
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([A-Za-z][\w-]*)(?:=(.*))?$/.exec(argv[i]!);
    if (m && m[1]! in defaults) {
      const value = m[2] ?? argv[++i];
      if (value === undefined) throw new Error(`--${m[1]} needs a value`);
      (out as Record<string, unknown>)[m[1]!] = value;
    } else out.rest.push(argv[i]!);
  }
  return out;
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
