/**
 * `aispm ingest sbom` as a user runs it, on documents in the shapes Syft, Trivy, cdxgen, GitHub's dependency graph
 * and an ML-BOM tool write: what is in the graph after, what is refused (exit 2, the first failing path, nothing
 * written), what a newer version of a document replaces, and the blast radius the imports give together.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli, tempWorkspace } from '../helpers/cli.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const fixture = (name: string) => join(FIXTURES, name);
const readFixture = (name: string) => JSON.parse(readFileSync(fixture(name), 'utf8')) as Record<string, unknown>;

interface Graph {
  nodes: Map<string, { kind: string; props: Record<string, unknown> }>;
  edges: { kind: string; from: string; to: string; source: string; props: Record<string, unknown> }[];
}

async function exportGraph(store: string): Promise<Graph> {
  const r = await runCli(['export', '--store', store]);
  assert.equal(r.code, 0, r.stderr);
  const graph: Graph = { nodes: new Map(), edges: [] };
  for (const line of r.stdout.split('\n').filter(Boolean)) {
    const rec = JSON.parse(line);
    if (rec.type === 'node') graph.nodes.set(rec.key, { kind: rec.kind, props: rec.props });
    else graph.edges.push(rec);
  }
  return graph;
}

const has = (g: Graph, kind: string, from: string, to: string) => g.edges.some((e) => e.kind === kind && e.from === from && e.to === to);

async function ingest(store: string, ...args: string[]) {
  return runCli(['ingest', 'sbom', ...args, '--store', store, '--json']);
}


/** A document written into the workspace as JSON; its path. */
function writeJson(dir: string, name: string, doc: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(doc));
  return path;
}

describe('aispm ingest sbom: tool shapes', () => {
  const ws = tempWorkspace();
  after(() => ws.cleanup());

  it('GitHub dependency graph export (saved API response): the repository depends on its packages', async () => {
    const r = await ingest(ws.store, fixture('github-dependency-graph.spdx.json'));
    assert.equal(r.code, 0, r.stderr);
    const [doc] = JSON.parse(r.stdout).documents;
    assert.equal(doc.subject, 'gh:repo/acme-ml/serving');
    assert.equal(doc.source, 'sbom:https://spdx.org/spdxdocs/protobom/5b3c1f0e-8d2a-4c55-9a61-3f0f6c1d2e7a');
    const g = await exportGraph(ws.store);
    for (const pkg of ['pkg:pypi/torch@2.1.0', 'pkg:pypi/transformers@4.36.0', 'pkg:npm/%40gradio/client@0.8.2']) {
      assert.ok(has(g, 'DEPENDS_ON', 'gh:repo/acme-ml/serving', pkg), pkg);
    }
    assert.equal(g.nodes.get('pkg:pypi/torch@2.1.0')!.props.license, 'BSD-3-Clause');
    assert.ok(g.edges.every((e) => e.source === doc.source), 'every record carries the document as its source');
  });

  it('Syft image SBOM (CycloneDX 1.7): the container is an Endpoint made of its packages; purl qualifiers are not keys', async () => {
    const r = await ingest(ws.store, fixture('syft-image.cdx.json'));
    assert.equal(r.code, 0, r.stderr);
    const [doc] = JSON.parse(r.stdout).documents;
    assert.equal(doc.subject, 'sbom:service/ghcr.io/acme-ml/inference');
    assert.deepEqual(doc.warnings, ['components[2]: debian not recorded (no purl)', 'components[3]: /usr/local/bin/serve.py not recorded (no purl or aispm key)']);
    const g = await exportGraph(ws.store);
    assert.equal(g.nodes.get('sbom:service/ghcr.io/acme-ml/inference')!.kind, 'Endpoint');
    assert.ok(has(g, 'DEPENDS_ON', 'sbom:service/ghcr.io/acme-ml/inference', 'pkg:pypi/numpy@1.26.4'));
    assert.ok(has(g, 'DEPENDS_ON', 'sbom:service/ghcr.io/acme-ml/inference', 'pkg:deb/debian/libssl3@3.0.11-1~deb12u2'));
  });

  it('Syft SPDX 2.3 image and Trivy SPDX 2.2 directory: CONTAINS and reverse relationships read canonically', async () => {
    const syft = await ingest(ws.store, fixture('syft-image.spdx.json'));
    assert.equal(syft.code, 0, syft.stderr);
    const trivy = await ingest(ws.store, fixture('trivy-fs.spdx-2.2.json'), '--subject', 'gh:repo/acme-ml/trainer');
    assert.equal(trivy.code, 0, trivy.stderr);
    const g = await exportGraph(ws.store);
    assert.ok(has(g, 'DEPENDS_ON', 'sbom:service/ghcr.io/acme-ml/inference', 'pkg:pypi/pillow@10.0.0'), 'image CONTAINS Pillow');
    assert.ok(has(g, 'DEPENDS_ON', 'pkg:pypi/pillow@10.0.0', 'pkg:pypi/numpy@1.26.4'), 'numpy DEPENDENCY_OF Pillow');
    assert.ok(has(g, 'DEPENDS_ON', 'gh:repo/acme-ml/trainer', 'pkg:pypi/scikit-learn@1.3.0'), 'per-package CONTAINS of SPDX 2.2, PEP 503 name');
    const runtime = g.edges.find((e) => e.from === 'pkg:pypi/scikit-learn@1.3.0' && e.to === 'pkg:pypi/joblib@1.1.0')!;
    assert.equal(runtime.props.scope, 'runtime');
  });

  it('cdxgen (CycloneDX 1.4): the application is its package purl, with its dependency tree', async () => {
    const r = await ingest(ws.store, fixture('cdxgen-app.cdx-1.4.json'));
    assert.equal(r.code, 0, r.stderr);
    const g = await exportGraph(ws.store);
    assert.ok(has(g, 'DEPENDS_ON', 'pkg:npm/%40acme-ml/chat-ui@2.3.0', 'pkg:npm/%40gradio/client@0.8.2'));
    assert.ok(has(g, 'DEPENDS_ON', 'pkg:npm/semver@7.5.4', 'pkg:npm/lru-cache@6.0.0'));
    assert.equal(g.nodes.get('pkg:npm/semver@7.5.4')!.props.license, 'ISC');
  });

  it('an ML-BOM: model with modelCard and pedigree, dataset, libraries; a subject nothing names is refused with a question', async () => {
    const refused = await ingest(ws.store, fixture('mlbom-service.cdx.json'));
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /cannot tell what this SBOM describes: nothing says what "chat-inference" is.*--subject <key>/);
    const r = await ingest(ws.store, fixture('mlbom-service.cdx.json'), '--subject', 'gh:deployment/acme-ml/serving/production');
    assert.equal(r.code, 0, r.stderr);
    const g = await exportGraph(ws.store);
    const model = 'hf:model/acme-ml/chat-7b';
    assert.ok(has(g, 'SERVES', 'gh:deployment/acme-ml/serving/production', model));
    assert.ok(has(g, 'TRAINED_ON', model, 'hf:dataset/acme-ml/support-tickets'));
    assert.ok(has(g, 'DERIVED_FROM', model, 'hf:model/meta-llama/llama-2-7b-hf') || has(g, 'DERIVED_FROM', model, 'hf:model/meta-llama/Llama-2-7b-hf'));
    assert.ok(has(g, 'DEPENDS_ON', 'pkg:pypi/vllm@0.2.7', 'pkg:pypi/torch@2.1.0'));
    const node = g.nodes.get(model)!;
    assert.equal(node.props.pipelineTag, 'text-generation');
    assert.deepEqual((node.props.modelCard as { considerations: unknown }).considerations, { useCases: ['customer support chat'] });
    assert.deepEqual(node.props.hashes, { 'SHA-256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' });
  });
});

describe('aispm ingest sbom: Trivy SPDX with an element without a purl between the subject and its packages', () => {
  const ws = tempWorkspace();
  after(() => ws.cleanup());
  const write = (name: string, doc: unknown) => writeJson(ws.dir, name, doc);
  /** The path blast radius reports from a package to the node it reaches, or undefined when it reaches it not. */
  const reachedFrom = async (store: string, start: string, target: string): Promise<string[] | undefined> => {
    const r = await runCli(['blast-radius', start, '--json', '--store', store]);
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout).nodes as { key: string; path: string[] }[]).find((n) => n.key === target)?.path;
  };

  it('a conda environment (Filesystem CONTAINS Application environment.yaml CONTAINS packages): the subject reaches its packages', async () => {
    const store = `sqlite:${join(ws.dir, 'conda.db')}`;
    const r = await ingest(store, fixture('trivy-conda-env.spdx.json'), '--subject', 'gh:repo/acme-ml/finetune');
    assert.equal(r.code, 0, r.stderr);
    const [doc] = JSON.parse(r.stdout).documents;
    assert.deepEqual(doc.warnings, ['packages[0]: environment.yaml not recorded (no purl with a version)']);
    const g = await exportGraph(store);
    assert.ok(has(g, 'DEPENDS_ON', 'gh:repo/acme-ml/finetune', 'pkg:conda/bzip2@1.0.8'), JSON.stringify(g.edges));
    assert.ok(has(g, 'DEPENDS_ON', 'gh:repo/acme-ml/finetune', 'pkg:conda/pytorch@2.1.0'));
    assert.equal(g.edges.length, 2);
    assert.deepEqual(await reachedFrom(store, 'pkg:conda/bzip2@1.0.8', 'gh:repo/acme-ml/finetune'), ['pkg:conda/bzip2@1.0.8', 'gh:repo/acme-ml/finetune']);
  });

  it('an image (ContainerImage CONTAINS OperatingSystem / Application CONTAINS packages): the endpoint reaches OS and Python packages', async () => {
    const store = `sqlite:${join(ws.dir, 'image.db')}`;
    const r = await ingest(store, fixture('trivy-image.spdx.json'));
    assert.equal(r.code, 0, r.stderr);
    const [doc] = JSON.parse(r.stdout).documents;
    const image = 'sbom:service/ghcr.io/acme-ml/trainer';
    assert.equal(doc.subject, image);
    const g = await exportGraph(store);
    for (const pkg of ['pkg:apk/alpine/musl@1.2.4_git20230717-r4', 'pkg:apk/alpine/libcrypto3@3.1.4-r5', 'pkg:pypi/numpy@1.26.4']) {
      assert.ok(has(g, 'DEPENDS_ON', image, pkg), `${pkg} in ${JSON.stringify(g.edges)}`);
    }
    assert.ok(has(g, 'DEPENDS_ON', 'pkg:apk/alpine/libcrypto3@3.1.4-r5', 'pkg:apk/alpine/musl@1.2.4_git20230717-r4'), 'the stated package dependency stays');
    assert.equal(g.edges.length, 4);
    assert.deepEqual(await reachedFrom(store, 'pkg:apk/alpine/musl@1.2.4_git20230717-r4', image), ['pkg:apk/alpine/musl@1.2.4_git20230717-r4', image]);
  });

  it('whatever the order of the document, through a cycle of unnamed elements; a link reaching nothing recorded does not count', async () => {
    const doc = readFixture('trivy-image.spdx.json');
    const image = 'sbom:service/ghcr.io/acme-ml/trainer';
    const rootId = 'SPDXRef-ContainerImage-4f2a9c7e1b3d5068';
    const os = 'SPDXRef-OperatingSystem-8a6d2f0c4e1b7395';
    const python = 'SPDXRef-Application-1d7f3b9e5a2c0684';
    const relationships = doc.relationships as { spdxElementId: string; relatedSpdxElement: string; relationshipType: string }[];
    // Relationships first, the root described up front, and the OS and the Application containing each other.
    const reordered = {
      ...Object.fromEntries(Object.entries(doc).filter(([k]) => k !== 'packages' && k !== 'relationships')),
      documentDescribes: [rootId],
      relationships: [...relationships, { spdxElementId: python, relatedSpdxElement: os, relationshipType: 'CONTAINS' }, { spdxElementId: os, relatedSpdxElement: python, relationshipType: 'CONTAINS' }],
      packages: doc.packages,
    };
    const store = `sqlite:${join(ws.dir, 'reordered.db')}`;
    const r = await ingest(store, write('reordered.spdx.json', reordered));
    assert.equal(r.code, 0, r.stderr);
    const g = await exportGraph(store);
    for (const pkg of ['pkg:apk/alpine/musl@1.2.4_git20230717-r4', 'pkg:apk/alpine/libcrypto3@3.1.4-r5', 'pkg:pypi/numpy@1.26.4']) assert.ok(has(g, 'DEPENDS_ON', image, pkg), pkg);

    // The image contains only an empty OperatingSystem element: nothing says what it is made of, so its packages are.
    const empty = {
      ...doc,
      relationships: [
        { spdxElementId: 'SPDXRef-DOCUMENT', relatedSpdxElement: rootId, relationshipType: 'DESCRIBES' },
        { spdxElementId: rootId, relatedSpdxElement: os, relationshipType: 'CONTAINS' },
      ],
    };
    const emptyStore = `sqlite:${join(ws.dir, 'empty.db')}`;
    const e = await ingest(emptyStore, write('empty-os.spdx.json', empty));
    assert.equal(e.code, 0, e.stderr);
    const fallback = await exportGraph(emptyStore);
    for (const pkg of ['pkg:apk/alpine/musl@1.2.4_git20230717-r4', 'pkg:apk/alpine/libcrypto3@3.1.4-r5', 'pkg:pypi/numpy@1.26.4']) assert.ok(has(fallback, 'DEPENDS_ON', image, pkg), pkg);
  });
});

describe('aispm ingest sbom: validation first, nothing written on refusal', () => {
  const ws = tempWorkspace();
  after(() => ws.cleanup());
  const write = (name: string, doc: unknown) => writeJson(ws.dir, name, doc);

  it('refuses a document failing its schema, naming the first failing path, and writes nothing', async () => {
    const doc = readFixture('trivy-repo.cdx.json');
    (doc.components as Record<string, unknown>[])[3]!.hashes = [{ alg: 'SHA-256', content: 'not-hex' }];
    const r = await ingest(ws.store, write('bad-hash.cdx.json', doc), '--subject', 'gh:repo/acme-ml/serving');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /\/components\/3\/hashes\/0\/content must match pattern .*\(CycloneDX 1\.6 schema\); nothing was imported/);
    const spdx = readFixture('syft-image.spdx.json');
    delete (spdx.packages as Record<string, unknown>[])[1]!.downloadLocation;
    const s = await ingest(ws.store, write('bad.spdx.json', spdx));
    assert.equal(s.code, 2);
    assert.match(s.stderr, /\/packages\/1 must have required property 'downloadLocation'.*\(SPDX 2\.3 schema\)/);
    const stats = await runCli(['stats', '--json', '--store', ws.store]);
    assert.equal(JSON.parse(stats.stdout).nodes, 0);
  });

  it('refuses what is not an SBOM, or not JSON, with exit 2', async () => {
    const cases: [string, unknown, RegExp][] = [
      ['other.json', { hello: 'world' }, /not an SBOM aispm reads: it is neither CycloneDX/],
      ['cdx-1.1.json', { bomFormat: 'CycloneDX', specVersion: '1.1' }, /specVersion "1.1" is not one aispm reads/],
      ['spdx-2.1.json', { spdxVersion: 'SPDX-2.1' }, /SPDX-2.1 JSON is not a version aispm reads/],
    ];
    for (const [name, doc, message] of cases) {
      const r = await ingest(ws.store, write(name, doc));
      assert.equal(r.code, 2, name);
      assert.match(r.stderr, message);
    }
    const broken = join(ws.dir, 'broken.json');
    writeFileSync(broken, '{"bomFormat": "CycloneDX", "components": [{"name": "x"');
    const b = await ingest(ws.store, broken);
    assert.equal(b.code, 2);
    assert.match(b.stderr, /not a JSON document aispm can read: the document ends early/);
    // Components nested 5,000 deep: refused by the reader before a recursive schema check or mapping could overflow.
    const deep = join(ws.dir, 'deep.json');
    const levels = 5000;
    writeFileSync(deep, '{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[' +
      '{"type":"library","name":"p","components":['.repeat(levels) + '{"type":"library","name":"leaf"}' + ']}'.repeat(levels) + ']}');
    const d = await ingest(ws.store, deep);
    assert.equal(d.code, 2, d.stderr);
    assert.match(d.stderr, /not a JSON document aispm can read: nested deeper than 512 levels at byte \d+/);
    const twice = await ingest(ws.store, write('dup.json', {}).replace('dup.json', 'missing.json'));
    assert.equal(twice.code, 2);
    assert.match(twice.stderr, /cannot read .*missing\.json: ENOENT/);
    const badSubject = await ingest(ws.store, fixture('cdxgen-app.cdx-1.4.json'), '--subject', 'not a key');
    assert.equal(badSubject.code, 2);
    assert.match(badSubject.stderr, /--subject "not a key" is not a graph key/);
  });
});

describe('aispm ingest sbom: a newer version replaces what the older said, and nothing else', () => {
  const ws = tempWorkspace();
  after(() => ws.cleanup());

  it('removes the dependencies the new version no longer lists; other documents and sources stay', async () => {
    const other = join(ws.dir, 'other.json');
    writeFileSync(other, JSON.stringify({ nodes: [], edges: [{ kind: 'DEPENDS_ON', from: 'gh:repo/acme-ml/other', to: 'pkg:pypi/transformers@4.36.0', source: 'registries' }] }));
    assert.equal((await runCli(['import', other, '--store', ws.store])).code, 0);
    assert.equal((await ingest(ws.store, fixture('cdxgen-app.cdx-1.4.json'))).code, 0);
    const v1 = await ingest(ws.store, fixture('trivy-repo.cdx.json'), '--subject', 'gh:repo/acme-ml/serving');
    assert.equal(v1.code, 0, v1.stderr);
    const before = await exportGraph(ws.store);
    assert.ok(has(before, 'DEPENDS_ON', 'gh:repo/acme-ml/serving', 'pkg:pypi/transformers@4.36.0'));

    const doc = readFixture('trivy-repo.cdx.json');
    doc.version = 2;
    doc.components = (doc.components as { name: string }[]).filter((c) => c.name !== 'transformers' && c.name !== 'Pillow');
    doc.dependencies = [
      { ref: '3ff14136-e09f-4df9-80ea-000000000001', dependsOn: ['3ff14136-e09f-4df9-80ea-000000000002'] },
      { ref: '3ff14136-e09f-4df9-80ea-000000000002', dependsOn: ['pkg:pypi/torch@2.1.0'] },
    ];
    doc.vulnerabilities = (doc.vulnerabilities as { id: string }[]).filter((v) => v.id !== 'CVE-2023-44271');
    const v2file = join(ws.dir, 'trivy-v2.cdx.json');
    writeFileSync(v2file, JSON.stringify(doc));
    const v2 = await ingest(ws.store, v2file, '--subject', 'gh:repo/acme-ml/serving');
    assert.equal(v2.code, 0, v2.stderr);
    const [summary] = JSON.parse(v2.stdout).documents;
    assert.equal(summary.scope, 'urn:uuid:3ff14136-e09f-4df9-80ea-0000000000a1');
    assert.equal(summary.totals.edgesRemoved, 3, 'repo→transformers, transformers→Pillow, the CVE on Pillow');

    const afterGraph = await exportGraph(ws.store);
    assert.ok(!has(afterGraph, 'DEPENDS_ON', 'gh:repo/acme-ml/serving', 'pkg:pypi/transformers@4.36.0'));
    assert.ok(!afterGraph.nodes.has('pkg:pypi/pillow@10.0.0'), 'a package only the old version named is gone');
    assert.ok(has(afterGraph, 'DEPENDS_ON', 'gh:repo/acme-ml/serving', 'pkg:pypi/torch@2.1.0'));
    assert.ok(has(afterGraph, 'DEPENDS_ON', 'gh:repo/acme-ml/other', 'pkg:pypi/transformers@4.36.0'), "another source's edge stays");
    assert.ok(afterGraph.nodes.has('pkg:pypi/transformers@4.36.0'), 'a package another source names stays');
    const cdxgenEdges = (g: Graph) => g.edges.filter((e) => e.source === 'sbom:urn:uuid:1b671687-395b-41f5-a30f-a58921a69b70').length;
    assert.equal(cdxgenEdges(afterGraph), cdxgenEdges(before), 'another document stays whole');
  });
});

describe('aispm ingest sbom: a repository SBOM, an ML-BOM and an advisory give a blast radius to the deployment', () => {
  const ws = tempWorkspace();
  after(() => ws.cleanup());

  it('reaches the deployment and the repository from the advisory; a VEX not_affected stops it', async () => {
    assert.equal((await ingest(ws.store, fixture('github-dependency-graph.spdx.json'))).code, 0);
    assert.equal((await ingest(ws.store, fixture('mlbom-service.cdx.json'), '--subject', 'gh:deployment/acme-ml/serving/production')).code, 0);
    // `ingest osv` offline, from an export holding one advisory on torch below 2.2.0: it finds the torch version
    // the SBOMs wrote, under the key the registries source owns.
    const osvExport = join(ws.dir, 'osv-export');
    mkdirSync(osvExport);
    writeFileSync(join(osvExport, 'GHSA-pg7h-5qx3-wjr3.json'), JSON.stringify({
      schema_version: '1.6.0', id: 'GHSA-pg7h-5qx3-wjr3', modified: '2024-04-17T19:20:31Z', published: '2024-04-17T19:20:31Z',
      summary: 'torch.load runs code', aliases: ['CVE-2024-31580'],
      affected: [{ package: { ecosystem: 'PyPI', name: 'torch', purl: 'pkg:pypi/torch' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.2.0' }] }] }],
      database_specific: { severity: 'CRITICAL' },
    }));
    const osv = await runCli(['ingest', 'osv', '--from', osvExport, '--store', ws.store, '--json']);
    assert.equal(osv.code, 0, osv.stderr);
    // What `ingest github` writes for the repository's environment, given here as a record.
    const records = join(ws.dir, 'github.ndjson');
    writeFileSync(records, JSON.stringify({ type: 'edge', kind: 'DEPLOYS', from: 'gh:repo/acme-ml/serving', to: 'gh:deployment/acme-ml/serving/production', source: 'gh' }));
    assert.equal((await runCli(['import', records, '--store', ws.store])).code, 0);
    const r = await runCli(['blast-radius', 'vuln:GHSA-pg7h-5qx3-wjr3', '--json', '--store', ws.store]);
    assert.equal(r.code, 0, r.stderr);
    const osvEdge = (await exportGraph(ws.store)).edges.find((e) => e.kind === 'AFFECTS' && e.from === 'vuln:GHSA-pg7h-5qx3-wjr3');
    assert.deepEqual([osvEdge?.to, osvEdge?.source], ['pkg:pypi/torch@2.1.0', 'osv'], 'the advisory joins the package the SBOMs wrote');
    const reached = new Map((JSON.parse(r.stdout).nodes as { key: string; path: string[] }[]).map((n) => [n.key, n.path]));
    // Two shortest ways in: the image's vllm needs torch, and the repository that deploys it needs torch.
    const path = reached.get('gh:deployment/acme-ml/serving/production');
    assert.ok(path, 'the deployment is reached');
    assert.deepEqual(path.slice(0, 2), ['vuln:GHSA-pg7h-5qx3-wjr3', 'pkg:pypi/torch@2.1.0']);
    assert.ok(['pkg:pypi/vllm@0.2.7', 'gh:repo/acme-ml/serving'].includes(path[2]!) && path.length === 4, path.join(' → '));
    assert.ok(reached.has('gh:repo/acme-ml/serving'));
    assert.ok(reached.has('hf:model/acme-ml/chat-7b') === false, 'compromise of a library does not flow into the model served beside it');

    // The same advisory stated not_affected by an SBOM carries nothing.
    const vex = join(ws.dir, 'vex.cdx.json');
    writeFileSync(vex, JSON.stringify({
      bomFormat: 'CycloneDX', specVersion: '1.6', serialNumber: 'urn:uuid:7c0c5d1e-2f3a-4b5c-8d9e-0f1a2b3c4d5e', version: 1,
      vulnerabilities: [{
        id: 'GHSA-2222-3333-4444', analysis: { state: 'not_affected', justification: 'code_not_reachable' },
        affects: [{ ref: 'urn:cdx:0d4f1d2c-7b7e-4e3c-9c1a-6f2b8e5a9d10/3#pkg:pypi/torch@2.1.0' }],
      }],
    }));
    const v = await ingest(ws.store, vex, '--subject', 'gh:deployment/acme-ml/serving/production');
    assert.equal(v.code, 0, v.stderr);
    const none = await runCli(['blast-radius', 'vuln:GHSA-2222-3333-4444', '--json', '--store', ws.store]);
    assert.equal(JSON.parse(none.stdout).total, 0);
    const g = await exportGraph(ws.store);
    assert.equal(g.edges.find((e) => e.from === 'vuln:GHSA-2222-3333-4444')!.props.vex, 'not_affected', 'the VEX statement is recorded');
  });
});
