/**
 * AIBOM export benchmark.
 *  1. One model with 20 ancestors (a chain with a merge every fifth level, every fifth step a quantization), 50 files
 *     of its own and 5 per ancestor (read for their risks), two writers: buildAibom, median of `--runs` runs after a
 *     warm-up (target ≤ 20 ms).
 *  2. The `aispm bom --all --out <dir>` loop over `--models` models (default 10k; each with one base, two files and a
 *     dataset): paging find({kind:'Model'}), building and writing one file per model, and the estate summary. Total
 *     seconds and ms per model.
 * Run: node --import tsx bench/aibom-bench.ts [--runs 30] [--models 10000]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EdgeRecord, NodeRecord } from '../schema/records.ts';
import { aibomFileName, buildAibom } from '../services/aibom/index.ts';
import { EstateCompleteness } from '../services/aibom/estate.ts';
import { openStore } from '../services/store/open.ts';
import type { GraphStore } from '../schema/store.ts';
import { parseNumericFlags } from './lib/args.ts';
import { fmtInt, fmtMs } from './lib/format.ts';
import { summarize } from './lib/stats.ts';
import { repeatAsync, timeAsync } from './lib/timing.ts';

const flags = parseNumericFlags(process.argv.slice(2), { runs: 30, models: 10_000 });
const sha = (i: number) => i.toString(16).padStart(40, '0');
const edge = (kind: EdgeRecord['kind'], from: string, to: string, props?: EdgeRecord['props']): EdgeRecord => ({
  kind, from, to, source: 'bench', confidence: 'declared', observedAt: '2026-01-01T00:00:00.000Z', ...(props ? { props } : {}),
});
const modelProps = (i: number) => ({
  sha: sha(i), license: 'apache-2.0', pipelineTag: 'text-generation', architecture: 'llama', description: `model ${i}`,
  lastModified: '2025-01-01T00:00:00.000Z',
  cardData: { intended_use: 'chat', limitations: 'hallucinates' },
  modelIndex: [{ name: 'm', results: [{ task: { type: 'text-generation' }, dataset: { name: 'eval' }, metrics: [{ type: 'accuracy', value: 0.5 }] }] }],
});

async function deepModelGraph(store: GraphStore): Promise<string> {
  const nodes: NodeRecord[] = [];
  const edges: EdgeRecord[] = [];
  const key = (i: number) => `hf:model/deep/m${i}`;
  for (let i = 0; i <= 20; i++) nodes.push({ kind: 'Model', key: key(i), props: modelProps(i) });
  // m0 → m1 → … → m20 (20 ancestors); every fifth level also merges in the level two above, so the walk meets merges.
  for (let i = 0; i < 20; i++) {
    edges.push(edge('DERIVED_FROM', key(i), key(i + 1), { relation: i % 5 === 4 ? 'merge' : i % 5 === 2 ? 'quantized' : 'finetune' }));
    if (i % 5 === 4 && i + 2 <= 20) edges.push(edge('DERIVED_FROM', key(i), key(i + 2), { relation: 'merge' }));
  }
  for (let f = 0; f < 50; f++) {
    const fileKey = `hf:file/deep/m0/shard-${String(f).padStart(3, '0')}.safetensors@${sha(0)}`;
    nodes.push({ kind: 'File', key: fileKey, props: { path: `shard-${f}.safetensors`, size: 1e9, format: f % 10 === 0 ? 'pickle' : 'safetensors', scanStatus: f % 10 === 0 ? 'dangerous' : 'safe', sha256: (f + 1).toString(16).padStart(64, 'a') } });
    edges.push(edge('CONTAINS', key(0), fileKey));
  }
  for (let i = 1; i <= 20; i++) {
    for (let f = 0; f < 5; f++) {
      const fileKey = `hf:file/deep/m${i}/part-${f}.bin@${sha(i)}`;
      nodes.push({ kind: 'File', key: fileKey, props: { path: `part-${f}.bin`, format: 'pytorch-zip', ...(f === 0 ? {} : { scanStatus: 'safe' }) } });
      edges.push(edge('CONTAINS', key(i), fileKey));
    }
  }
  nodes.push({ kind: 'Identity', key: 'hf:org/deep', props: { type: 'org' } }, { kind: 'Identity', key: 'hf:user/someone', props: { type: 'user' } });
  edges.push(edge('CAN_WRITE', 'hf:org/deep', key(0), { role: 'owner' }), edge('CAN_WRITE', 'hf:user/someone', key(0), { role: 'write' }));
  for (let d = 0; d < 3; d++) {
    nodes.push({ kind: 'Dataset', key: `hf:dataset/deep/d${d}`, props: { license: 'mit', gated: d === 0 ? 'manual' : false } });
    edges.push(edge('TRAINED_ON', key(d * 5), `hf:dataset/deep/d${d}`));
  }
  nodes.push({ kind: 'Package', key: 'pkg:pypi/torch@2.0.0', props: { version: '2.0.0' } });
  nodes.push({ kind: 'Vulnerability', key: 'vuln:GHSA-bench', props: { severity: 'high', summary: 'x' } });
  edges.push(edge('DEPENDS_ON', key(0), 'pkg:pypi/torch@2.0.0'), edge('AFFECTS', 'vuln:GHSA-bench', 'pkg:pypi/torch@2.0.0'));
  nodes.push({ kind: 'Endpoint', key: 'hf:space/deep/demo', props: { endpointUrl: 'https://deep-demo.hf.space' } });
  edges.push(edge('SERVES', 'hf:space/deep/demo', key(0)));
  await store.upsert({ nodes, edges });
  return key(0);
}

async function manyModelsGraph(store: GraphStore, count: number): Promise<void> {
  const batch = 2000;
  for (let start = 0; start < count; start += batch) {
    const nodes: NodeRecord[] = [];
    const edges: EdgeRecord[] = [];
    for (let i = start; i < Math.min(count, start + batch); i++) {
      const key = `hf:model/org${i % 100}/model-${i}`;
      nodes.push({ kind: 'Model', key, props: modelProps(i) });
      if (i % 10 !== 0) edges.push(edge('DERIVED_FROM', key, `hf:model/org${(i - 1) % 100}/model-${i - 1}`, { relation: 'finetune' }));
      edges.push(edge('TRAINED_ON', key, `hf:dataset/org${i % 100}/data-${i % 500}`));
      for (const f of ['model.safetensors', 'config.json']) {
        const fileKey = `hf:file/org${i % 100}/model-${i}/${f}@${sha(i)}`;
        nodes.push({ kind: 'File', key: fileKey, props: { path: f, format: f.endsWith('json') ? 'other' : 'safetensors', scanStatus: 'safe' } });
        edges.push(edge('CONTAINS', key, fileKey));
      }
    }
    await store.upsert({ nodes, edges });
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'aispm-aibom-bench-'));
  try {
    const deep = await openStore(`sqlite:${join(dir, 'deep.db')}`);
    const root = await deepModelGraph(deep);
    await repeatAsync(5, () => buildAibom(deep, root, { deterministic: true })); // warm-up: JIT, statement cache
    const runs = await repeatAsync(Math.max(20, flags.runs), () => buildAibom(deep, root, { deterministic: true }));
    const s = summarize(runs.ms);
    const r = runs.value;
    const components = (r.bom.components as unknown[]).length;
    console.log(`# AIBOM export (CycloneDX ${String(r.bom.specVersion)})`);
    const risks = (r.bom.vulnerabilities as unknown[]).length;
    console.log(`one model, 20 ancestors, 50 + 100 files (${components} top-level components, ${risks} vulnerabilities, ${fmtInt(r.json.length)} bytes):`);
    console.log(`  buildAibom median ${fmtMs(s.median)} (min ${fmtMs(s.min)}, p90 ${fmtMs(s.p90)}, ${s.runs} runs) — target ≤ 20 ms: ${s.median <= 20 ? 'met' : 'NOT met'}`);
    await deep.close();

    const many = await openStore(`sqlite:${join(dir, 'many.db')}`);
    const built = await timeAsync(() => manyModelsGraph(many, flags.models));
    const out = join(dir, 'boms');
    mkdirSync(out);
    let count = 0;
    const estate = new EstateCompleteness();
    const all = await timeAsync(async () => {
      let after: string | undefined;
      for (;;) {
        const page = await many.find({ kind: 'Model', first: 500, after });
        for (const node of page.items) {
          const result = await buildAibom(many, node.key, { deterministic: true });
          writeFileSync(join(out, aibomFileName(node.key)), `${result.json}\n`);
          estate.add(node.key, result.score);
          count++;
        }
        if (!page.hasNextPage || !page.endCursor) break;
        after = page.endCursor;
      }
    });
    console.log(`--all over ${fmtInt(count)} models (graph built in ${(built.ms / 1000).toFixed(1)} s, not timed):`);
    const summary = estate.summary();
    console.log(`  total ${(all.ms / 1000).toFixed(1)} s, ${fmtMs(all.ms / count)} per model (page through find, build, write, summarise)`);
    console.log(`  completeness (${summary.scale}): median ${summary.median}, from ${summary.min} to ${summary.max}`);
    await many.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
