/**
 * MLflow ingest throughput: a replay server (in its own process, so its memory is not counted) holds 10,000
 * generated model versions, each with its own run, dataset input, MLmodel, requirements and a scanned model.pkl,
 * and adds 20 ms to every request; the real ingest (`ingestMlflow`, the code behind `aispm ingest mlflow`) reads it
 * into a fresh SQLite file at a configured rate. Prints wall time, requests/s achieved against the configured rate,
 * peak RSS of the ingesting process, the wall time against its floor (the configured rate, or the added latency at
 * the configured concurrency, whichever is slower), then a second run's time when nothing changed (the stamps skip
 * every version).
 *
 *   node --import tsx bench/mlflow-ingest-bench.ts [--versions 10000] [--rate 400] [--concurrency 16] [--delay 20] [--generation 2|3]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ingestMlflow, type MlflowIngestSummary } from '../ingest/mlflow/ingest.ts';
import type { Generation, ModelSpec, RegistryData, RunSpec, VersionSpec } from '../ingest/mlflow/replay/registry.ts';
import { startMlflowReplay } from '../ingest/mlflow/replay/server.ts';
import { SqliteStore } from '../services/store/sqlite.ts';
import { peakRssMiB } from './lib/memory.ts';

const { values } = parseArgs({
  options: {
    versions: { type: 'string', default: '10000' },
    rate: { type: 'string', default: '400' },
    concurrency: { type: 'string', default: '16' },
    delay: { type: 'string', default: '20' },
    generation: { type: 'string', default: '2' },
    serve: { type: 'boolean', default: false },
  },
});
const versions = Number(values.versions);
const rate = Number(values.rate);
const concurrency = Number(values.concurrency);
const delayMs = Number(values.delay);
const generation = Number(values.generation) as Generation;
const PER_MODEL = 10;

const MLMODEL = `flavors:
  python_function:
    env:
      conda: conda.yaml
      virtualenv: python_env.yaml
    loader_module: mlflow.sklearn
    model_path: model.pkl
  sklearn:
    pickled_model: model.pkl
    serialization_format: cloudpickle
    sklearn_version: 1.3.0
mlflow_version: 2.16.0
`;

/** `n` versions of `n / 10` registered models; every version its own run (trained on an s3 dataset) and model. */
function registry(n: number): RegistryData {
  const runs: RunSpec[] = [];
  const models: ModelSpec[] = [];
  const vs: VersionSpec[] = [];
  const names = Math.ceil(n / PER_MODEL);
  for (let i = 0; i < n; i++) {
    const name = `model-${String(i % names).padStart(5, '0')}`;
    const id = i.toString(16).padStart(12, '0');
    runs.push({
      run_id: `run${id}`, experiment_id: String(1 + (i % 20)), user: `user${i % 50}@bench.example`, params: { alpha: String(i % 7) }, metrics: { rmse: (i % 100) / 100 },
      tags: { 'mlflow.source.git.repoURL': `https://github.com/bench/${name}.git`, 'mlflow.source.git.commit': id.padStart(40, 'c') },
      datasets: [{ name: `data-${i % 100}`, digest: `d${(i % 100).toString(16).padStart(7, '0')}`, source_type: 's3', source: { uri: `s3://bench/data-${i % 100}.parquet` }, context: 'training' }],
    });
    models.push({
      id: `m-${id}`, name: 'model', run_id: `run${id}`, experiment_id: String(1 + (i % 20)),
      files: { MLmodel: { text: MLMODEL }, 'requirements.txt': { text: 'mlflow==2.16.0\nscikit-learn==1.3.0\ncloudpickle==2.2.1\n' }, 'model.pkl': { build: i % 97 === 0 ? 'sklearnPickleOsSystem' : 'sklearnPickle' } },
    });
    vs.push({ name, version: String(1 + Math.floor(i / names)), model: `m-${id}`, user_id: `user${i % 50}@bench.example` });
  }
  return { pageSize: 1000, registeredModels: Array.from({ length: names }, (_, i) => ({ name: `model-${String(i).padStart(5, '0')}`, aliases: { production: '1' } })), versions: vs, runs, models };
}

if (values.serve) {
  // The child: serve the generated registry and say where.
  const server = await startMlflowReplay(registry(versions), { generation, delayMs });
  console.log(server.url);
  process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
} else {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--serve', '--versions', String(versions), '--delay', String(delayMs), '--generation', String(generation)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`replay server exited (${code})`)));
  });
  const dir = mkdtempSync(join(tmpdir(), 'aispm-mlflow-bench-'));
  const store = SqliteStore.open(join(dir, 'graph.db'));
  const run = (): Promise<MlflowIngestSummary> =>
    ingestMlflow(store, { trackingUri: url, hubUrl: 'https://hub.invalid', scan: true, maxScanBytes: 1024 * 1024, concurrency, ratePerSecond: rate });
  try {
    const first = await run();
    const rss = peakRssMiB();
    const second = await run();
    const secs = first.elapsedMs / 1000;
    const achieved = first.http.requests / secs;
    // No client can beat this: every request paced by the rate, or waiting out the added latency `concurrency` at a time.
    const floor = Math.max(first.http.requests / rate, (first.http.requests * delayMs) / 1000 / concurrency);
    console.log(`mlflow ingest bench: MLflow ${generation}, ${versions} versions with runs, ${delayMs} ms added per request, rate ${rate}/s, concurrency ${concurrency}`);
    console.log(`  versions read      ${first.versions.read} (failed ${first.versions.failed}, warnings ${first.warnings.length})`);
    console.log(`  wall time          ${secs.toFixed(1)} s (${(first.elapsedMs / Math.max(1, first.versions.read)).toFixed(1)} ms per version)`);
    console.log(`  requests           ${first.http.requests} (${(first.http.requests / Math.max(1, first.versions.read)).toFixed(1)} per version, ${first.http.retries} retries)`);
    console.log(`  achieved           ${achieved.toFixed(1)} requests/s = ${((achieved / rate) * 100).toFixed(1)} % of the configured rate`);
    console.log(`  floor              ${floor.toFixed(1)} s (rate and added latency): wall time ${(secs / floor).toFixed(2)}× the floor`);
    console.log(`  written            ${first.written.nodes} nodes, ${first.written.edges} edges`);
    console.log(`  peak RSS           ${rss.toFixed(0)} MiB (the ingesting process; the server runs apart)`);
    console.log(`  unchanged re-run   ${(second.elapsedMs / 1000).toFixed(1)} s, ${second.http.requests} requests, ${second.versions.unchanged} versions unchanged`);
    if (first.versions.read < versions) process.exitCode = 1;
  } finally {
    child.kill('SIGTERM');
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
