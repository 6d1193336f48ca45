/**
 * The round trip, as a property on generated graphs: the AIBOM `aispm bom <model>` writes, imported with
 * `aispm ingest sbom` into an empty store, gives back that model's neighbourhood — the same nodes (keys, so kinds),
 * lineage links with their relations, dataset uses, files, packages and their links, serving endpoints and
 * advisories — provenance aside. Compared through the very reader the export uses (`gatherNeighbourhood`).
 *
 * One restriction on the generated graphs, because a CycloneDX BOM cannot say more: a dataset has one use in the
 * neighbourhood (training or evaluation). The export states a dataset's uses once, on the dataset, not per model.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createRng, type Rng } from '../../bench/lib/prng.ts';
import { importSbomFile } from '../../ingest/sbom/ingest.ts';
import { keyOf, packageKey } from '../../schema/keys.ts';
import type { EdgeRecord, NodeRecord } from '../../schema/records.ts';
import type { GraphStore } from '../../schema/store.ts';
import { buildAibom } from '../../services/aibom/index.ts';
import { gatherNeighbourhood, type Neighbourhood } from '../../services/aibom/gather.ts';
import { openStore } from '../../services/store/open.ts';
import { runCli, tempWorkspace } from '../helpers/cli.ts';

const ws = tempWorkspace();
after(() => ws.cleanup());

const RELATIONS = ['finetune', 'adapter', 'merge', 'quantized', 'unknown'];
const hex = (rng: Rng, n: number) => Array.from({ length: n }, () => '0123456789abcdef'[rng.int(16)]).join('');

/** A random neighbourhood around `hf:model/org/m0`, with noise beyond it that the BOM must not carry. */
function generate(seed: number): { root: string; nodes: NodeRecord[]; edges: EdgeRecord[] } {
  const rng = createRng(seed);
  const nodes: NodeRecord[] = [];
  const edges: EdgeRecord[] = [];
  const edge = (kind: EdgeRecord['kind'], from: string, to: string, props?: EdgeRecord['props']) =>
    edges.push({ kind, from, to, source: 'generated', ...(props ? { props } : {}) });
  const models = Array.from({ length: 1 + rng.int(5) }, (_, i) => {
    const key = rng.chance(0.15) && i > 0 ? keyOf('mlflow-model', { name: `reg-${i}`, version: String(1 + rng.int(9)) }) : keyOf('hf-model', { owner: rng.pick(['org', 'Meta-Llama', 'x']), name: `m${i}` });
    nodes.push({ kind: 'Model', key, props: { name: `m${i}`, ...(rng.chance(0.6) ? { sha: hex(rng, 40) } : {}), ...(rng.chance(0.5) ? { license: 'apache-2.0' } : {}) } });
    return key;
  });
  const root = models[0]!;
  // Lineage: each later model is a base of some earlier one (a DAG rooted at the model).
  for (let i = 1; i < models.length; i++) edge('DERIVED_FROM', models[rng.int(i)]!, models[i]!, { relation: rng.pick(RELATIONS) });
  const datasets = Array.from({ length: rng.int(4) }, (_, i) => keyOf('hf-dataset', { owner: 'data', name: `d${i}` }));
  for (const d of datasets) {
    nodes.push({ kind: 'Dataset', key: d, props: { name: d } });
    const kind = rng.chance(0.7) ? 'TRAINED_ON' : 'EVALUATED_ON';
    for (const m of models) if (rng.chance(0.4)) edge(kind, m, d);
  }
  const sha = hex(rng, 40);
  for (let i = rng.int(4); i > 0; i--) {
    const file = keyOf('hf-model-file', { owner: 'org', name: 'm0', path: `weights/part-${i}.safetensors`, sha });
    nodes.push({ kind: 'File', key: file, props: { path: `weights/part-${i}.safetensors`, sha256: hex(rng, 64) } });
    edge('CONTAINS', root, file);
  }
  const packages = Array.from({ length: rng.int(7) }, (_, i) =>
    rng.chance(0.3) ? packageKey('npm', `lib${i}`, `1.${i}.0`, ['@scope']) : packageKey('pypi', `Lib_${i}`, `${i}.0.${rng.int(3)}`),
  );
  for (const [i, p] of packages.entries()) {
    nodes.push({ kind: 'Package', key: p, props: { version: 'x' } });
    if (i === 0 || rng.chance(0.5)) edge('DEPENDS_ON', root, p);
    else edge('DEPENDS_ON', packages[rng.int(i)]!, p);
  }
  for (let i = rng.int(3); i > 0; i--) {
    const endpoint = rng.chance(0.5) ? keyOf('hf-space', { owner: 'org', name: `app${i}` }) : keyOf('gh-deployment', { owner: 'org', repo: 'serving', environment: `env${i}` });
    edge('SERVES', endpoint, root);
  }
  for (const p of packages) {
    if (!rng.chance(0.4)) continue;
    const v = keyOf('vuln', { id: `GHSA-${hex(rng, 4)}-${hex(rng, 4)}-${hex(rng, 4)}` });
    nodes.push({ kind: 'Vulnerability', key: v, props: { severity: rng.pick(['high', 'low']) } });
    edge('AFFECTS', v, p);
  }
  // Noise outside the neighbourhood: a model deriving from the root, an unrelated package.
  edge('DERIVED_FROM', keyOf('hf-model', { owner: 'other', name: 'child' }), root, { relation: 'finetune' });
  edge('DEPENDS_ON', keyOf('gh-repo', { owner: 'other', name: 'repo' }), packageKey('pypi', 'unrelated', '1.0'));
  return { root, nodes, edges };
}

/** The neighbourhood as comparable data: keys and links, no properties or provenance. */
function shape(n: Neighbourhood) {
  const sorted = <T>(xs: T[]) => xs.map((x) => JSON.stringify(x)).sort();
  return {
    model: n.model.key,
    ancestors: sorted(n.ancestors.map((a) => [a.node.key, a.depth])),
    lineage: sorted(n.lineage),
    datasetUse: sorted([...n.datasetUse].map(([k, u]) => [k, u.training, u.evaluation]).filter(([, t, e]) => (t as string[]).length + (e as string[]).length > 0)),
    datasets: sorted(n.datasets.map((d) => d.key)),
    files: sorted(n.files.map((f) => f.key)),
    packages: sorted(n.packages.map((p) => p.key)),
    packageLinks: sorted(n.packageLinks),
    endpoints: sorted(n.endpoints.map((e) => e.key)),
    vulnerabilities: sorted(n.vulnerabilities.map((v) => v.key)),
    affects: sorted(n.affects.map((a) => [a.vulnerability, a.pkg])),
  };
}

async function neighbourhood(store: GraphStore, key: string) {
  const [model] = await store.getNodes([key]);
  assert.ok(model, `${key} is in the store`);
  return shape(await gatherNeighbourhood(store, model));
}

test('bom → ingest sbom gives back the neighbourhood, for 40 generated graphs', async () => {
  for (let seed = 1; seed <= 40; seed++) {
    const { root, nodes, edges } = generate(seed);
    const original = await openStore(`sqlite:${join(ws.dir, `original-${seed}.db`)}`);
    const imported = await openStore(`sqlite:${join(ws.dir, `imported-${seed}.db`)}`);
    try {
      await original.upsert({ nodes, edges });
      const bomFile = join(ws.dir, `bom-${seed}.json`);
      writeFileSync(bomFile, (await buildAibom(original, root, { spec: seed % 2 ? '1.6' : '1.7' })).json);
      const result = await importSbomFile(imported, bomFile);
      assert.equal(result.subject, root, `seed ${seed}`);
      assert.deepEqual(await neighbourhood(imported, root), await neighbourhood(original, root), `seed ${seed}`);
    } finally {
      await original.close();
      await imported.close();
    }
  }
});

test('the same through the CLI: aispm bom, then aispm ingest sbom into an empty store', async () => {
  const { root, nodes, edges } = generate(7);
  const records = join(ws.dir, 'graph.json');
  writeFileSync(records, JSON.stringify({ nodes, edges }));
  const a = `sqlite:${join(ws.dir, 'cli-a.db')}`;
  const b = `sqlite:${join(ws.dir, 'cli-b.db')}`;
  assert.equal((await runCli(['import', records, '--store', a])).code, 0);
  const bomFile = join(ws.dir, 'cli-bom.json');
  const bom = await runCli(['bom', root, '--out', bomFile, '--store', a]);
  assert.equal(bom.code, 0, bom.stderr);
  const r = await runCli(['ingest', 'sbom', bomFile, '--store', b, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const [sa, sb] = [await openStore(a), await openStore(b)];
  try {
    assert.deepEqual(await neighbourhood(sb, root), await neighbourhood(sa, root));
  } finally {
    await sa.close();
    await sb.close();
  }
});
