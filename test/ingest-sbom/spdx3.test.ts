/** SPDX 3.0 JSON-LD with the AI, Dataset and Security profiles, imported into a real SQLite store. */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { importSbomFile } from '../../ingest/sbom/ingest.ts';
import { UsageError } from '../../schema/errors.ts';
import { openStore } from '../../services/store/open.ts';
import { tempWorkspace } from '../helpers/cli.ts';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'ai-model.spdx3.json');
const ws = tempWorkspace();
after(() => ws.cleanup());

test('the AI package is the subject; training, test data, base model, dependencies, license and VEX map', async () => {
  const store = await openStore(`sqlite:${join(ws.dir, 'a.db')}`);
  try {
    const r = await importSbomFile(store, FIXTURE, { chunkBytes: 97 });
    assert.equal(r.format, 'SPDX 3.0');
    assert.equal(r.subject, 'hf:model/acme-ml/sentiment');
    assert.equal(r.source, 'sbom:https://spdx.org/spdxdocs/acme-ml/sentiment-7c1e/SpdxDocument');
    assert.deepEqual(r.warnings, ['@graph[8]: scraped-notes not recorded (no purl with a version)']);
    const out = await store.expand({ keys: [r.subject], direction: 'out' });
    const links = out.map((e) => `${e.kind} ${e.to}`).sort();
    assert.deepEqual(links, [
      'DEPENDS_ON pkg:pypi/scikit-learn@1.3.0',
      'DERIVED_FROM hf:model/distilbert/distilbert-base-uncased',
      'EVALUATED_ON hf:dataset/acme-ml/reviews-holdout',
      'TRAINED_ON hf:dataset/acme-ml/reviews',
    ]);
    const [model] = await store.getNodes([r.subject]);
    assert.equal(model!.props.license, 'Apache-2.0');
    assert.deepEqual(model!.props.hashes, { sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' });
    const [vex] = await store.expand({ keys: ['pkg:pypi/joblib@1.1.0'], edgeKinds: ['AFFECTS'], direction: 'in' });
    assert.deepEqual({ from: vex!.from, props: vex!.props }, { from: 'vuln:CVE-2022-21797', props: { vex: 'not_affected', vexJustification: 'vulnerableCodeNotInExecutePath' } });
  } finally {
    await store.close();
  }
});

test('an element breaking the SPDX 3 model is refused by path before anything is written', async () => {
  const doc = JSON.parse(readFileSync(FIXTURE, 'utf8'));
  delete doc['@graph'][13].to;
  const file = join(ws.dir, 'bad.spdx3.json');
  writeFileSync(file, JSON.stringify(doc));
  const store = await openStore(`sqlite:${join(ws.dir, 'b.db')}`);
  try {
    await assert.rejects(importSbomFile(store, file), (err: unknown) => err instanceof UsageError && /\/@graph\/13 must have required property 'to'.*\(SPDX 3\.0 schema\)/.test(err.message));
    assert.equal((await store.stats()).nodes, 0);
  } finally {
    await store.close();
  }
});

test('a dependency reached through an element without a purl (a requirements file) still links the subject', async () => {
  // AIPackage dependsOn "requirements.txt" (no purl) contains scikit-learn: the model depends on scikit-learn.
  const doc = JSON.parse(readFileSync(FIXTURE, 'utf8'));
  const graph = doc['@graph'] as Record<string, unknown>[];
  const base = String(graph[13]!.spdxId).replace(/Relationship\/0$/, '');
  const requirements = `${base}requirements`;
  const sklearn = (graph[13]!.to as string[])[0]!;
  graph.push({ type: 'software_Package', spdxId: requirements, creationInfo: graph[9]!.creationInfo, name: 'requirements.txt' });
  graph[13]!.to = [requirements];
  graph.push({ type: 'Relationship', spdxId: `${base}Relationship/contains-1`, creationInfo: graph[13]!.creationInfo, relationshipType: 'contains', from: requirements, to: [sklearn] });
  const file = join(ws.dir, 'through.spdx3.json');
  writeFileSync(file, JSON.stringify(doc));
  const store = await openStore(`sqlite:${join(ws.dir, 'c.db')}`);
  try {
    const r = await importSbomFile(store, file);
    const out = await store.expand({ keys: [r.subject], direction: 'out', edgeKinds: ['DEPENDS_ON'] });
    assert.deepEqual(out.map((e) => e.to), ['pkg:pypi/scikit-learn@1.3.0']);
    // and on through scikit-learn to joblib, as before
    assert.deepEqual((await store.expand({ keys: ['pkg:pypi/scikit-learn@1.3.0'], direction: 'out', edgeKinds: ['DEPENDS_ON'] })).map((e) => e.to), ['pkg:pypi/joblib@1.1.0']);
  } finally {
    await store.close();
  }
});
