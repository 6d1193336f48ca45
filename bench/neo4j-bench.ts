/**
 * Neo4j beside SQLite on the synthetic Hub graph (bench/generate.ts), in one run: bulk upsert rows/s (the whole
 * graph in one store.upsert, as `aispm import` does, so Neo4j's bounded transactions and journal are in the
 * figure; medians of --upserts writes after an untimed warm-up) beside the server's own floor for writing the
 * same graph (bench/lib/neo4j-floor.ts); the store's reachability (GraphStore.reach) and blast radius end to end
 * from the most popular dataset, medians and the ratio Neo4j / SQLite; with the server's version. Needs a Neo4j it may wipe: NEO4J_URI (with
 * NEO4J_USER / NEO4J_PASSWORD) and NEO4J_TEST_ALLOW_WIPE=1, as the test suite does; says so and stops otherwise.
 *
 *   NEO4J_URI=bolt://127.0.0.1:7687 NEO4J_PASSWORD=… NEO4J_TEST_ALLOW_WIPE=1 node --import tsx bench/neo4j-bench.ts [--scale 0.25] [--runs 5] [--upserts 3]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import neo4j from 'neo4j-driver';
import { blastRadius } from '../queries/blast-radius.ts';
import { MAX_DEPTH_LIMIT, NODE_BUDGET_LIMIT } from '../queries/limits.ts';
import { reachSteps } from '../queries/traversal.ts';
import type { GraphStore } from '../schema/store.ts';
import { Neo4jStore } from '../services/store/neo4j.ts';
import { SqliteStore } from '../services/store/sqlite.ts';
import { generateHubGraph, mostPopularDataset } from './generate.ts';
import { serverWriteFloor } from './lib/neo4j-floor.ts';
import { parseNumericFlags } from './lib/args.ts';
import { fmtInt, fmtMs, fmtRatio } from './lib/format.ts';
import { median } from './lib/stats.ts';
import { repeatAsync, timeAsync } from './lib/timing.ts';

const TARGET_ROWS_PER_S = 30_000;
const TARGET_BLAST_RATIO = 3;

async function main(): Promise<void> {
  const flags = parseNumericFlags(process.argv.slice(2), { scale: 0.25, seed: 42, runs: 5, upserts: 3 });
  if (!Number.isInteger(flags.upserts) || flags.upserts < 1) throw new Error(`--upserts must be a positive integer, got ${flags.upserts}`);
  const uri = process.env.NEO4J_URI;
  if (!uri || process.env.NEO4J_TEST_ALLOW_WIPE !== '1') {
    console.log('neo4j bench skipped: set NEO4J_URI (and NEO4J_USER / NEO4J_PASSWORD) and NEO4J_TEST_ALLOW_WIPE=1 for a Neo4j it may wipe');
    return;
  }
  const user = process.env.NEO4J_USER ?? 'neo4j';
  const password = process.env.NEO4J_PASSWORD ?? '';
  const database = process.env.NEO4J_DATABASE || undefined;
  const admin = neo4j.driver(uri, neo4j.auth.basic(user, password), { disableLosslessIntegers: true });
  const session = admin.session({ database });
  const version = (await session.run('CALL dbms.components() YIELD name, versions, edition RETURN name, versions[0] AS v, edition')).records[0]!;
  const memory = (await session.run("CALL dbms.listConfig('server.memory') YIELD name, value WHERE name IN ['server.memory.heap.max_size', 'server.memory.pagecache.size'] RETURN name, value")).records
    .map((r) => `${String(r.get('name')).replace('server.memory.', '')} ${r.get('value')}`)
    .join(', ');
  console.log(`neo4j bench: scale ${flags.scale}, seed ${flags.seed}, ${flags.runs} runs; node ${process.version}; ${version.get('name')} ${version.get('v')} ${version.get('edition')} (${memory})`);
  // Auto-commit with inner transactions of 1000 nodes: a big leftover graph never needs one big transaction.
  const wipe = () => session.run('MATCH (n) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 1000 ROWS');

  const graph = generateHubGraph({ scale: flags.scale, seed: flags.seed });
  const rows = graph.nodes.length + graph.edges.length;
  const start = mostPopularDataset(graph);
  console.log(`generated ${fmtInt(graph.nodes.length)} nodes + ${fmtInt(graph.edges.length)} edges; start ${start}`);

  const dir = mkdtempSync(join(tmpdir(), 'aispm-neo4j-bench-'));
  let sqlite = SqliteStore.open(join(dir, 'warm-up.db'));
  await wipe();
  const store = await Neo4jStore.connect({ uri, user, password, database });
  try {
    // One untimed write of a small graph to each store first: the server's JIT and plan cache, and ours, are warm
    // for the timed writes (a first write after the server starts ran at about two thirds of the later ones).
    const warmUp = generateHubGraph({ scale: Math.min(0.02, flags.scale), seed: flags.seed + 1 });
    await sqlite.upsert(warmUp);
    await sqlite.close();
    await store.upsert(warmUp);
    await serverWriteFloor(session, warmUp);
    // Each timed write into an empty store: SQLite a new file each time, Neo4j wiped; the last one stays for the reads.
    const sqliteRates: number[] = [];
    const neoRates: number[] = [];
    const floorRates: number[] = [];
    for (let i = 0; i < flags.upserts; i++) {
      sqlite = SqliteStore.open(join(dir, `bench-${i}.db`));
      const a = await timeAsync(() => sqlite.upsert(graph));
      sqliteRates.push(rows / (a.ms / 1000));
      if (i < flags.upserts - 1) await sqlite.close();
      await wipe();
      const floor = await serverWriteFloor(session, graph);
      floorRates.push(floor.rows / (floor.ms / 1000));
      await wipe();
      const b = await timeAsync(() => store.upsert(graph));
      neoRates.push(rows / (b.ms / 1000));
    }
    const [sqliteRate, neoRate, floorRate] = [median(sqliteRates), median(neoRates), median(floorRates)];
    const each = (rates: number[]) => `[runs: ${rates.map(fmtInt).join(', ')}]`;
    console.log(`\nbulk upsert of ${fmtInt(rows)} rows in one batch (validation included), medians of ${flags.upserts} writes into an empty store:`);
    console.log(`  SQLite ${fmtInt(sqliteRate)} rows/s ${each(sqliteRates)}; Neo4j ${fmtInt(neoRate)} rows/s ${each(neoRates)} (target ≥ ${fmtInt(TARGET_ROWS_PER_S)}: ${neoRate >= TARGET_ROWS_PER_S ? 'met' : 'MISSED'})`);
    console.log(`  the server's floor (bench/lib/neo4j-floor.ts: plain CREATE of the same nodes and edges, one constraint, no MERGE, no journal): ${fmtInt(floorRate)} rows/s ${each(floorRates)}; the Neo4j upsert runs at ${Math.round((neoRate / floorRate) * 100)} % of it`);

    const request = { from: [start], steps: reachSteps('compromise'), maxDepth: MAX_DEPTH_LIMIT, maxNodes: NODE_BUDGET_LIMIT };
    const unbounded = { maxDepth: MAX_DEPTH_LIMIT, nodeBudget: NODE_BUDGET_LIMIT };
    const series = async (s: GraphStore) => {
      // One untimed run each: the adjacency copy, the server's plan cache and the JIT are warm for the medians.
      await s.reach(request);
      await blastRadius(s, start, unbounded);
      return { reach: await repeatAsync(flags.runs, () => s.reach(request)), blast: await repeatAsync(flags.runs, () => blastRadius(s, start, unbounded)) };
    };
    const a = await series(sqlite);
    const b = await series(store);
    if (a.reach.value.keys.length !== b.reach.value.keys.length || JSON.stringify(a.blast.value) !== JSON.stringify(b.blast.value)) {
      throw new Error('the two stores answered differently');
    }
    const runs = (ms: number[]) => `[runs: ${ms.map((m) => m.toFixed(0)).join(', ')} ms]`;
    console.log(`\nfrom ${start}: ${fmtInt(a.reach.value.keys.length)} nodes reached, ${fmtInt(a.blast.value.endpoints.length)} endpoints (the same answer on both: checked)`);
    for (const [name, x, y] of [['store reachability', a.reach.ms, b.reach.ms], ['blast radius end to end', a.blast.ms, b.blast.ms]] as const) {
      const ratio = median(y) / median(x);
      const target = name.startsWith('blast') ? ` (target ≤ ${TARGET_BLAST_RATIO}×: ${ratio <= TARGET_BLAST_RATIO ? 'met' : 'MISSED'})` : '';
      console.log(`  ${name}: SQLite ${fmtMs(median(x))} ${runs(x)}; Neo4j ${fmtMs(median(y))} ${runs(y)}; Neo4j / SQLite ${fmtRatio(ratio)}${target}`);
    }
  } finally {
    await store.close();
    await sqlite.close();
    await wipe();
    await session.close();
    await admin.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
