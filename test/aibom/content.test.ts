/**
 * What an AIBOM says about a model, built from a real SQLite graph with a three-level lineage, a merge, a gated
 * dataset, a missing base model, a dangerous pickle and a vulnerable library. Every BOM built here is validated
 * against the official CycloneDX 1.6 and 1.7 JSON schemas shipped with @cyclonedx/cyclonedx-library.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildAibom, type AibomResult } from '../../services/aibom/index.ts';
import { PUBLIC_HUB } from '../../services/aibom/identity.ts';
import type { GraphStore } from '../../schema/store.ts';
import { UsageError } from '../../schema/errors.ts';
import { tempWorkspace } from '../helpers/cli.ts';
import { assertValidBom, componentsOf, fixtureStore, KEYS, propsOf, propValues } from './helpers.ts';

type Json = Record<string, unknown>;

describe('AIBOM content', () => {
  const ws = tempWorkspace('aispm-aibom-');
  let store: GraphStore;
  let r16: AibomResult;
  let bom: Json;
  let model: Json;
  const component = (ref: string) => componentsOf(bom).find((c) => c['bom-ref'] === ref);

  before(async () => {
    store = await fixtureStore(ws.dbPath);
    r16 = await buildAibom(store, KEYS.model, { spec: '1.6', now: new Date('2026-02-03T04:05:06.000Z') });
    bom = r16.bom;
    model = (bom.metadata as Json).component as Json;
  });
  after(async () => {
    await store.close();
    ws.cleanup();
  });

  it('is valid CycloneDX 1.6 and 1.7 (strict schema, formats on), and the json is the bom', async () => {
    assertValidBom(r16.bom, '1.6');
    assert.deepEqual(JSON.parse(r16.json), r16.bom);
    const r17 = await buildAibom(store, KEYS.model, { spec: '1.7' });
    assert.equal(r17.bom.specVersion, '1.7');
    assertValidBom(r17.bom, '1.7');
  });

  it('metadata: timestamp, aispm as the tool, the model as the component', () => {
    const metadata = bom.metadata as Json;
    assert.equal(metadata.timestamp, '2026-02-03T04:05:06.000Z');
    const tools = (metadata.tools as Json).components as Json[];
    assert.deepEqual(tools.map((t) => t.name), ['aispm']);
    assert.match(String(bom.serialNumber), /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(model.type, 'machine-learning-model');
    assert.equal(model['bom-ref'], KEYS.model);
  });

  it('the model: version = sha, purl as purl-spec writes it, supplier, authors, SPDX license, Hub links', () => {
    // purl-spec: namespace and name keep their case, a hex commit sha is lower-cased.
    assert.equal(model.version, '9f2c4e6a8b0d1f3a5c7e9b1d3f5a7c9e1b3d5f7a');
    assert.equal(model.purl, 'pkg:huggingface/AcmeAI/Chat-Tuned-7B@9f2c4e6a8b0d1f3a5c7e9b1d3f5a7c9e1b3d5f7a');
    assert.equal((model.supplier as Json).name, 'AcmeAI');
    assert.deepEqual(model.authors, [{ name: 'AcmeAI' }]);
    assert.deepEqual(model.licenses, [{ license: { id: 'Apache-2.0' } }]);
    const refs = (model.externalReferences as Json[]).map((r) => `${r.type} ${r.url}`);
    // Links point at the Hub the ingestor read (the node's recorded url), here an enterprise Hub.
    assert.ok(refs.includes('website https://hub.internal.example/AcmeAI/Chat-Tuned-7B'));
    assert.ok(refs.includes('model-card https://hub.internal.example/AcmeAI/Chat-Tuned-7B/blob/9f2c4e6a8b0d1f3a5c7e9b1d3f5a7c9e1b3d5f7a/README.md'));
    assert.ok(refs.includes('vcs https://hub.internal.example/AcmeAI/Chat-Tuned-7B'));
    // Where the files are, pinned to the revision read; the paper its tags cite, and no link from a tag that is no arXiv id.
    assert.ok(refs.includes('distribution https://hub.internal.example/AcmeAI/Chat-Tuned-7B/tree/9f2c4e6a8b0d1f3a5c7e9b1d3f5a7c9e1b3d5f7a'));
    assert.deepEqual(refs.filter((r) => r.startsWith('documentation')), ['documentation https://arxiv.org/abs/2307.09288']);
    assert.deepEqual((model.supplier as Json).url, ['https://hub.internal.example/AcmeAI']);
    // A node imported without a url links to the public Hub.
    const mergedRefs = (component(KEYS.merged)!.externalReferences as Json[]).map((r) => `${r.type} ${r.url}`);
    assert.ok(mergedRefs.includes(`website ${PUBLIC_HUB}/AcmeAI/chat-merged`), mergedRefs.join(', '));
  });

  it('licenses as the source states them: the name a card gives `other`, with its link; several SPDX ids as an expression', () => {
    // license: other, license_name: llama2-community, license_link: LICENSE.md (relative to the repo, at the sha read).
    assert.deepEqual(component(KEYS.merged)?.licenses, [
      { license: { name: 'llama2-community', url: `${PUBLIC_HUB}/AcmeAI/chat-merged/blob/1111111111111111111111111111111111111111/LICENSE.md` } },
    ]);
    assert.deepEqual(component(KEYS.base)?.licenses, [{ expression: 'Apache-2.0 OR MIT' }]);
  });

  it('owner and writers of the model, from CAN_WRITE', () => {
    assert.deepEqual(propValues(model, 'aispm:owner'), ['hf:org/AcmeAI']);
    assert.deepEqual(propValues(model, 'aispm:owner:type'), ['org']);
    assert.deepEqual(propValues(model, 'aispm:can-write'), ['hf:org/AcmeAI (owner)', 'hf:user/mallory (write)']);
  });

  it('the AI fields by the OWASP field registry\'s names, in metadata.properties, from what the graph knows', () => {
    const fields = Object.fromEntries(propsOf(bom.metadata as Json).filter((p) => !p.name.startsWith('aispm:')).map((p) => [p.name, p.value]));
    assert.deepEqual(fields, {
      primaryPurpose: 'text-generation',
      suppliedBy: 'AcmeAI',
      domain: 'Natural Language Processing',
      informationAboutTraining: 'fine-tuned from AcmeAI/chat-merged; trained on AcmeAI/chat-prefs',
      metric: 'accuracy 0.812 (eval-suite / test / text-generation); f1 0.77 (eval-suite / test / text-generation)',
    });
  });

  it('modelCard: task, architecture, datasets by ref, io from the pipeline tag, metrics from model-index, considerations', () => {
    const card = model.modelCard as Json;
    const params = card.modelParameters as Json;
    assert.equal(params.task, 'text-generation');
    // The class that loads it is the specific architecture; model_type is the family.
    assert.equal(params.modelArchitecture, 'LlamaForCausalLM');
    assert.equal(params.architectureFamily, 'llama');
    assert.deepEqual(params.datasets, [{ ref: KEYS.gatedDataset }, { ref: 'hf:dataset/open/eval-suite' }]);
    assert.deepEqual(params.inputs, [{ format: 'text' }]);
    assert.deepEqual(params.outputs, [{ format: 'text' }]);
    const metrics = (card.quantitativeAnalysis as Json).performanceMetrics as Json[];
    assert.deepEqual(metrics.map((m) => [m.type, m.value]), [['accuracy', '0.812'], ['f1', '0.77']]);
    assert.match(String(metrics[0]!.slice), /eval-suite/);
    const considerations = card.considerations as Json;
    assert.deepEqual(considerations.useCases, ['Customer-support chat in English']);
    assert.deepEqual(considerations.technicalLimitations, ['Hallucinates product prices.']);
    // What the card states, then every risk the BOM lists as a vulnerability, named by its description, with the fix.
    const ethical = considerations.ethicalConsiderations as Json[];
    assert.ok(ethical.some((e) => JSON.stringify(e) === JSON.stringify({ name: 'May reproduce biases of web text.' })));
    const descriptions = (bom.vulnerabilities as Json[]).map((v) => v.description as string);
    const risks = ethical.filter((e) => e.name !== 'May reproduce biases of web text.');
    assert.deepEqual(risks.map((e) => e.name).sort(), descriptions.sort());
    assert.ok(risks.every((e) => typeof e.mitigationStrategy === 'string' && e.mitigationStrategy.length > 0));
  });

  it('pedigree: every base model, transitively, with its relation and depth (the merge has two parents)', () => {
    const ancestors = (model.pedigree as Json).ancestors as Json[];
    const byRef = new Map(ancestors.map((a) => [propValues(a, 'aispm:lineage:ref')[0], a]));
    assert.deepEqual([...byRef.keys()].sort(), [KEYS.merged, KEYS.base, KEYS.foundation, KEYS.missing, KEYS.code].sort());
    assert.deepEqual(propValues(byRef.get(KEYS.merged)!, 'aispm:lineage:relation'), ['finetune']);
    assert.deepEqual(propValues(byRef.get(KEYS.merged)!, 'aispm:lineage:depth'), ['1']);
    for (const parent of [KEYS.base, KEYS.code]) {
      assert.deepEqual(propValues(byRef.get(parent)!, 'aispm:lineage:relation'), ['merge']);
      assert.deepEqual(propValues(byRef.get(parent)!, 'aispm:lineage:derivative').map((v) => JSON.parse(v)), [{ from: KEYS.merged, relation: 'merge' }]);
    }
    assert.deepEqual(propValues(byRef.get(KEYS.foundation)!, 'aispm:lineage:depth'), ['3']);
    assert.equal(byRef.get(KEYS.foundation)!.purl, 'pkg:huggingface/meta/foundation@4444444444444444444444444444444444444444');
    assert.deepEqual(propValues(byRef.get(KEYS.missing)!, 'aispm:missing'), ['true']);
    assert.equal(byRef.get(KEYS.missing)!.version, undefined, 'a missing model has no known revision');
  });

  it('datasets: data components with license, URL and gated state; files: hashes, format and scan findings', () => {
    const gated = component(KEYS.gatedDataset)!;
    assert.equal(gated.type, 'data');
    assert.deepEqual(gated.licenses, [{ license: { id: 'CC-BY-4.0' } }]);
    assert.equal(gated.purl, 'pkg:huggingface/AcmeAI/chat-prefs@5555555555555555555555555555555555555555?type=dataset');
    const data = (gated.data as Json[])[0]!;
    assert.equal(data.type, 'dataset');
    assert.equal(data.classification, 'gated (manual)');
    assert.deepEqual(data.contents, { url: 'https://hub.internal.example/datasets/AcmeAI/chat-prefs' });
    assert.deepEqual(propValues(gated, 'aispm:gated'), ['manual']);
    assert.deepEqual(propValues(gated, 'aispm:dataset-use'), ['training']);
    // The base model's training data is part of the lineage's data too.
    assert.ok(component('hf:dataset/meta/web-corpus'));

    const files = model.components as Json[];
    assert.equal(files.length, 3);
    const pickle = files.find((f) => f['bom-ref'] === KEYS.pickle)!;
    assert.equal(pickle.type, 'file');
    assert.equal(pickle.name, 'pytorch_model.bin');
    assert.deepEqual(pickle.hashes, [{ alg: 'SHA-256', content: 'b'.repeat(64) }]);
    assert.deepEqual(propValues(pickle, 'aispm:file:format'), ['pickle']);
    assert.deepEqual(propValues(pickle, 'aispm:scan:status'), ['dangerous']);
    assert.deepEqual(propValues(pickle, 'aispm:scan:global').sort(), ['builtins.exec', 'os.system']);
    const safetensors = files.find((f) => f.name === 'model.safetensors')!;
    assert.deepEqual(safetensors.hashes, [{ alg: 'SHA-256', content: 'a'.repeat(64) }], 'hash lower-cased');
  });

  it('libraries with purls, the dependency graph, the serving endpoint and the advisory', () => {
    const transformers = component(KEYS.transformers)!;
    assert.equal(transformers.type, 'library');
    assert.equal(transformers.purl, KEYS.transformers);
    assert.equal(transformers.name, 'transformers');
    assert.equal(transformers.version, '4.30.0');
    assert.ok(component(KEYS.torch), 'transitive library included');

    const deps = new Map((bom.dependencies as { ref: string; dependsOn?: string[] }[]).map((d) => [d.ref, d.dependsOn ?? []]));
    assert.deepEqual(deps.get(KEYS.model), [KEYS.gatedDataset, 'hf:dataset/open/eval-suite', KEYS.merged, KEYS.transformers]);
    assert.deepEqual(deps.get(KEYS.merged), [KEYS.base, KEYS.code]);
    assert.deepEqual(deps.get(KEYS.transformers), [KEYS.torch]);
    assert.deepEqual(deps.get(KEYS.space), [KEYS.model]);

    const services = bom.services as Json[];
    assert.equal(services.length, 1);
    assert.equal(services[0]!['bom-ref'], KEYS.space);
    assert.deepEqual(services[0]!.endpoints, ['https://acmeai-chat-demo.spaces.internal.example/']);

    const v = (bom.vulnerabilities as Json[]).find((x) => x['bom-ref'] === KEYS.vuln)!;
    assert.equal(v.id, 'GHSA-aaaa-bbbb-cccc');
    assert.deepEqual(v.affects, [{ ref: KEYS.transformers, versions: [{ version: '4.30.0', status: 'affected' }] }]);
    assert.deepEqual((v.ratings as Json[])[0], { severity: 'high', method: 'CVSSv31', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H' });
    assert.deepEqual((v.references as Json[]).map((x) => x.id), ['CVE-2023-12345']);
    assert.match(String(v.recommendation), /4\.31\.0/);
  });

  it('compositions name what is incomplete: the missing base model and the unscanned file', () => {
    const compositions = bom.compositions as Json[];
    const byRef = new Map(compositions.map((c) => [c['bom-ref'], c]));
    assert.deepEqual(byRef.get('aispm:composition:missing-base-models'), {
      'bom-ref': 'aispm:composition:missing-base-models',
      aggregate: 'incomplete',
      assemblies: [KEYS.missing],
      dependencies: [KEYS.missing],
    });
    assert.deepEqual((byRef.get('aispm:composition:unscanned-files') as Json).assemblies, [KEYS.unscanned]);
    assert.equal((byRef.get('aispm:composition:bom') as Json).aggregate, 'unknown', 'never claims completeness');
  });

  it('scores: completeness in the BOM properties; the weakest link is the lowest-scoring ancestor, scored as its own BOM', async () => {
    const props = (bom.metadata as Json) as Json;
    assert.deepEqual(propValues(props, 'aispm:completeness:score'), [r16.score.total.toFixed(1)]);
    assert.equal(r16.score.total, 100, JSON.stringify(r16.score.categories));
    assert.equal(r16.weakestLink.key, KEYS.missing);
    assert.ok(r16.weakestLink.score < r16.score.total);
    assert.deepEqual(propValues(props, 'aispm:lineage:weakest-link:ref'), [KEYS.missing]);
    // The ancestor's own BOM scores exactly what the weakest link says.
    const own = await buildAibom(store, KEYS.missing);
    assert.equal(own.score.total, r16.weakestLink.score);
    assertValidBom(own.bom, '1.6');
    assert.ok(own.score.missingCritical.includes('component_version'));
    // Every other ancestor scores at least as much.
    for (const key of [KEYS.merged, KEYS.base, KEYS.code, KEYS.foundation]) {
      const r = await buildAibom(store, key);
      assertValidBom(r.bom, '1.6');
      assert.ok(r.score.total >= r16.weakestLink.score, `${key} ${r.score.total}`);
    }
  });

  it('deterministic: the same graph gives byte-identical BOMs, with the graph time and a content-derived serial', async () => {
    const a = await buildAibom(store, KEYS.model, { deterministic: true, spec: '1.7' });
    const b = await buildAibom(store, KEYS.model, { deterministic: true, spec: '1.7' });
    assert.equal(a.json, b.json);
    assert.equal((a.bom.metadata as Json).timestamp, '2025-03-01T12:00:00.000Z');
    assertValidBom(a.bom, '1.7');
    // A change in the graph changes the serial.
    await store.upsert({ nodes: [{ kind: 'Model', key: KEYS.model, props: { description: 'changed' } }], edges: [] });
    const c = await buildAibom(store, KEYS.model, { deterministic: true, spec: '1.7' });
    assert.notEqual(c.bom.serialNumber, a.bom.serialNumber);
    await store.upsert({ nodes: [{ kind: 'Model', key: KEYS.model, props: { description: 'A chat model fine-tuned from a merge.' } }], edges: [] });
    const d = await buildAibom(store, KEYS.model, { deterministic: true, spec: '1.7' });
    assert.equal(d.json, a.json, 'back to the same graph, back to the same bytes');
  });

  it('MLflow models get a pkg:mlflow purl; hostile keys stay verbatim (JSON-escaped) and the BOM stays valid', async () => {
    const ml = await buildAibom(store, KEYS.mlflow);
    assertValidBom(ml.bom, '1.6');
    const mlModel = (ml.bom.metadata as Json).component as Json;
    assert.equal(mlModel.purl, 'pkg:mlflow/CreditFraud@3');
    assert.equal(mlModel.version, '3');

    const hostile = await buildAibom(store, KEYS.hostile, { spec: '1.7' });
    assertValidBom(hostile.bom, '1.7');
    assert.equal(((hostile.bom.metadata as Json).component as Json)['bom-ref'], KEYS.hostile);
    const escaped = JSON.stringify(KEYS.hostile).slice(1, -1);
    assert.ok(escaped.includes('\\"'), 'the key has a quote that JSON must escape');
    assert.ok(hostile.json.includes(`"bom-ref": "${escaped}"`), 'backslashes and quotes JSON-escaped, key otherwise verbatim');
    const purl = String(((hostile.bom.metadata as Json).component as Json).purl);
    assert.match(purl, /^pkg:huggingface\/evil\/[A-Za-z0-9._~%-]+$/, purl);
  });

  it('an unknown key or a key of another kind is a UsageError "unknown model"', async () => {
    await assert.rejects(buildAibom(store, 'hf:model/nobody/nothing'), (e: unknown) => e instanceof UsageError && /unknown model hf:model\/nobody\/nothing/.test(e.message));
    await assert.rejects(buildAibom(store, KEYS.gatedDataset), (e: unknown) => e instanceof UsageError && /unknown model/.test(e.message));
  });
});
