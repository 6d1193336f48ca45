/**
 * GraphQL API benchmark on the synthetic Hub graph (bench/generate.ts), SQLite store, the real server on loopback:
 * 1. blast radius from the most popular dataset through GraphQL — first page (100 reached nodes with depth and
 *    path) plus the counts (total, byKind, truncated) — p50/p95 over `--runs` requests, computed afresh each time
 *    (result cache off), then the same query served from the result cache, as paging does;
 * 2. a load of concurrent simple queries (`node(key)` for rotating model keys) for `--duration` seconds from a
 *    separate client process (so client and server do not share one event loop), `--concurrency` requests in
 *    flight over keep-alive connections; throughput, p50/p99 latency, errors. Targets: ≥ 1,000 q/s, p99 ≤ 50 ms,
 *    0 errors.
 * Not a test: nothing here is timed by the test suite.
 *
 *   node --import tsx bench/api-bench.ts [--scale 1] [--seed 42] [--runs 20] [--duration 30] [--concurrency 16]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../services/api/server.ts';
import { SqliteStore } from '../services/store/sqlite.ts';
import { generateHubGraph, mostPopularDataset } from './generate.ts';
import { parseNumericFlags } from './lib/args.ts';
import { chunkBatch } from './lib/batches.ts';
import { fmtInt, fmtMs } from './lib/format.ts';
import { percentile } from './lib/stats.ts';
import { timeAsync } from './lib/timing.ts';

/** Set in the environment of the load client process, which reads its ClientConfig from stdin. */
const CLIENT_ENV = 'AISPM_API_BENCH_CLIENT';

interface ClientConfig {
  url: string;
  keys: string[];
  durationMs: number;
  concurrency: number;
  /** A hard stop, whatever the duration. */
  maxRequests: number;
}

interface LoadReport {
  requests: number;
  errors: number;
  firstError?: string;
  elapsedMs: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

const SIMPLE_QUERY = 'query($k: ID!) { node(key: $k) { key kind name } }';

const BLAST_QUERY = `query($from: ID!) { blastRadius(from: $from, first: 100) {
  total truncated reason byKind { kind count }
  edges { node { key kind depth path } } pageInfo { hasNextPage endCursor } } }`;

async function post(url: string, query: string, variables: Record<string, unknown>): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: await res.json() };
}

/** The load client: `concurrency` loops, each sending one request after the other until time or count runs out. */
async function runClient(config: ClientConfig): Promise<LoadReport> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let sent = 0;
  const start = performance.now();
  const deadline = start + config.durationMs;
  async function loop(worker: number): Promise<void> {
    let i = worker;
    while (performance.now() < deadline && sent < config.maxRequests) {
      sent++;
      const key = config.keys[i % config.keys.length]!;
      i += config.concurrency;
      const t0 = performance.now();
      try {
        const r = await post(config.url, SIMPLE_QUERY, { k: key });
        if (r.status !== 200 || r.body.errors || r.body.data?.node?.key !== key) {
          errors++;
          firstError ??= JSON.stringify(r.body).slice(0, 300);
        }
      } catch (err) {
        errors++;
        firstError ??= String(err);
      }
      latencies.push(performance.now() - t0);
    }
  }
  await Promise.all(Array.from({ length: config.concurrency }, (_, w) => loop(w)));
  const elapsedMs = performance.now() - start;
  return {
    requests: latencies.length,
    errors,
    firstError,
    elapsedMs,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    max: Math.max(...latencies),
  };
}

/** Starts this file again as the load client and waits for its report (bounded: killed past duration + 60 s). */
function loadFromChildProcess(config: ClientConfig): Promise<LoadReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
      env: { ...process.env, [CLIENT_ENV]: '1' },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    child.stdin.end(JSON.stringify(config));
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), config.durationMs + 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      if (code !== 0) return reject(new Error(`load client exited with ${code}`));
      resolve(JSON.parse(out) as LoadReport);
    });
  });
}

async function timeQueries(url: string, from: string, runs: number): Promise<{ ms: number[]; body: any }> {
  const ms: number[] = [];
  let body: any;
  for (let i = 0; i < runs; i++) {
    const t = await timeAsync(() => post(url, BLAST_QUERY, { from }));
    if (t.value.status !== 200 || t.value.body.errors) throw new Error(`blast radius query failed: ${JSON.stringify(t.value.body).slice(0, 300)}`);
    ms.push(t.ms);
    body = t.value.body;
  }
  return { ms, body };
}

const p = (ms: number[], q: number) => fmtMs(percentile(ms, q));

async function main(): Promise<void> {
  const flags = parseNumericFlags(process.argv.slice(2), { scale: 1, seed: 42, runs: 20, duration: 30, concurrency: 16 });
  console.log(
    `api benchmark: scale ${flags.scale}, seed ${flags.seed}, ${flags.runs} blast-radius runs, ${flags.duration} s load at concurrency ${flags.concurrency}; node ${process.version}`,
  );
  const graph = generateHubGraph({ scale: flags.scale, seed: flags.seed });
  console.log(`generated ${fmtInt(graph.nodes.length)} nodes + ${fmtInt(graph.edges.length)} edges`);
  const from = mostPopularDataset(graph);
  const modelKeys = graph.nodes.filter((n) => n.kind === 'Model').map((n) => n.key);

  const dir = mkdtempSync(join(tmpdir(), 'aispm-api-bench-'));
  const store = SqliteStore.open(join(dir, 'bench.db'));
  try {
    const load = await timeAsync(async () => {
      for (const b of chunkBatch(graph, 50_000)) await store.upsert(b);
    });
    console.log(`loaded into SQLite in ${fmtMs(load.ms)}`);

    // 1. Blast radius, computed on every request (no result cache), after one untimed warm-up.
    const cold = await startServer({ store, host: '127.0.0.1', port: 0, resultCacheTtlMs: 0 });
    try {
      await timeQueries(cold.url, from, 1);
      const { ms, body } = await timeQueries(cold.url, from, flags.runs);
      const br = body.data.blastRadius;
      console.log(
        `blast radius from ${from} via GraphQL (first page of ${br.edges.length} + counts; ${fmtInt(br.total)} nodes reached${br.truncated ? `, truncated by ${br.reason}` : ''}):`,
      );
      console.log(`  computed each request: p50 ${p(ms, 50)}  p95 ${p(ms, 95)}  (min ${fmtMs(Math.min(...ms))}, max ${fmtMs(Math.max(...ms))}, ${ms.length} runs)`);
    } finally {
      await cold.close();
    }

    const server = await startServer({ store, host: '127.0.0.1', port: 0 });
    try {
      await timeQueries(server.url, from, 1);
      const { ms } = await timeQueries(server.url, from, flags.runs);
      console.log(`  from the result cache (as paging is): p50 ${p(ms, 50)}  p95 ${p(ms, 95)}`);

      // 2. Concurrent simple queries from a separate process.
      const report = await loadFromChildProcess({
        url: server.url,
        keys: modelKeys,
        durationMs: flags.duration * 1000,
        concurrency: flags.concurrency,
        maxRequests: 5_000_000,
      });
      const qps = report.requests / (report.elapsedMs / 1000);
      console.log(
        `load: ${fmtInt(report.requests)} node(key) queries in ${fmtMs(report.elapsedMs)} at concurrency ${flags.concurrency}: ` +
          `${fmtInt(Math.round(qps))} q/s, p50 ${fmtMs(report.p50)}, p95 ${fmtMs(report.p95)}, p99 ${fmtMs(report.p99)}, max ${fmtMs(report.max)}, errors ${report.errors}`,
      );
      if (report.firstError) console.log(`  first error: ${report.firstError}`);
      const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
      console.log(
        `targets: ≥ 1,000 q/s ${met(qps >= 1000)}; p99 ≤ 50 ms ${met(report.p99 <= 50)}; 0 errors ${met(report.errors === 0)}`,
      );
    } finally {
      await server.close();
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.env[CLIENT_ENV]) {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  const report = await runClient(JSON.parse(input) as ClientConfig);
  process.stdout.write(JSON.stringify(report));
} else {
  await main();
}
