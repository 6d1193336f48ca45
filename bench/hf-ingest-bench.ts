/**
 * Hub ingest throughput: a replay server holding ≥ 2,000 generated repos (in the Hub's API shape) adds 50 ms to
 * every request; the real ingest (`ingestHub`, the code behind `aispm ingest hf --author …`) runs against it at a
 * configured rate. Prints requests/s achieved against the configured rate (target ≥ 90 %) and peak memory.
 *
 *   node --import tsx bench/hf-ingest-bench.ts [--repos 2000] [--rate 100] [--concurrency 16] [--delay 50]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ingestHub } from '../ingest/huggingface/ingest.ts';
import { startReplayServer } from '../ingest/huggingface/replay/server.ts';
import { Universe, type Json } from '../ingest/huggingface/replay/universe.ts';
import { SqliteStore } from '../services/store/sqlite.ts';

const { values } = parseArgs({
  options: {
    repos: { type: 'string', default: '2000' },
    rate: { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '16' },
    delay: { type: 'string', default: '50' },
  },
});
const repos = Number(values.repos);
const rate = Number(values.rate);
const concurrency = Number(values.concurrency);
const delayMs = Number(values.delay);
const OWNER = 'bench-org';

/** Generated repos: a lineage forest (every 10th is a root; others fine-tune an earlier one), two files each. */
function universe(n: number): Universe {
  const models: Json[] = [];
  for (let i = 0; i < n; i++) {
    const id = `${OWNER}/model-${String(i).padStart(5, '0')}`;
    const base = i % 10 === 0 ? undefined : `${OWNER}/model-${String(i - (i % 10)).padStart(5, '0')}`;
    const tags = ['transformers', 'safetensors', 'text-generation', 'license:apache-2.0'];
    if (base) tags.push(`base_model:${base}`, `base_model:finetune:${base}`);
    models.push({
      _id: `bench${i}`, id, modelId: id, author: OWNER, sha: `${(i + 1).toString(16).padStart(40, 'b')}`,
      lastModified: '2025-01-01T00:00:00.000Z', createdAt: '2024-01-01T00:00:00.000Z', private: false, gated: false,
      disabled: false, downloads: i, likes: i % 7, library_name: 'transformers', pipeline_tag: 'text-generation', tags,
      cardData: { license: 'apache-2.0', ...(base ? { base_model: base } : {}) }, spaces: [],
      siblings: [{ rfilename: 'config.json', size: 200 }, { rfilename: 'model.safetensors', size: 256 }],
    });
  }
  return new Universe({ models, owners: { [OWNER]: 'org' }, pageSize: 100 });
}

const dir = mkdtempSync(join(tmpdir(), 'aispm-hf-bench-'));
const store = SqliteStore.open(join(dir, 'graph.db'));
const hub = await startReplayServer(universe(repos), { delayMs });
let peakHeap = 0;
const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 100);
try {
  const s = await ingestHub(store, {
    seeds: [{ author: OWNER }],
    endpoint: hub.url,
    descendants: 0,
    scanPickles: false,
    maxScanBytes: 1,
    concurrency,
    ratePerSecond: rate,
    maxRepos: repos + 10,
  });
  clearInterval(sampler);
  const secs = s.elapsedMs / 1000;
  const achieved = s.http.requests / secs;
  const read = Object.values(s.repos).reduce((a, c) => a + c.read, 0);
  const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
  console.log(`hf ingest bench: ${repos} repos, ${delayMs} ms added per request, rate ${rate}/s, concurrency ${concurrency}`);
  console.log(`  repos read        ${read} (warnings ${s.warnings.length})`);
  console.log(`  requests          ${s.http.requests} in ${secs.toFixed(1)} s (${s.http.retries} retries)`);
  console.log(`  achieved          ${achieved.toFixed(1)} requests/s = ${((achieved / rate) * 100).toFixed(1)} % of the configured rate (target ≥ 90 %)`);
  console.log(`  written           ${s.written.nodes} nodes, ${s.written.edges} edges`);
  console.log(`  peak memory       rss ${mb(process.resourceUsage().maxRSS * 1024)}, heap ${mb(peakHeap)}`);
  if (read < repos) process.exitCode = 1;
} finally {
  clearInterval(sampler);
  await hub.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
