/**
 * What an AIBOM says about risk and inherited data: the dangerous pickle, unscanned pickles up the lineage, remote
 * code and a vanished base as CycloneDX vulnerabilities (rated, with CWEs, `affects` components of the BOM) and as
 * risks in the model card; training data a quantization inherits from its base. Real SQLite graph; every BOM is
 * validated against the official 1.6 and 1.7 schemas.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildAibom, type AibomResult } from '../../services/aibom/index.ts';
import type { GraphStore } from '../../schema/store.ts';
import { tempWorkspace } from '../helpers/cli.ts';
import { assertValidBom, componentsOf, fixtureStore, KEYS, propValues } from './helpers.ts';

type Json = Record<string, unknown>;

/** Every bom-ref a vulnerability may point at: the model, its nested parts, the other components. */
function refsOf(bom: Json): Set<string> {
  const model = (bom.metadata as Json).component as Json;
  const refs = new Set<string>([model['bom-ref'] as string]);
  for (const c of [...((model.components as Json[] | undefined) ?? []), ...componentsOf(bom)]) refs.add(c['bom-ref'] as string);
  return refs;
}

const byRule = (bom: Json, rule: string) => ((bom.vulnerabilities ?? []) as Json[]).filter((v) => String(v.id).startsWith(`${rule}:`));

describe('AIBOM risks and inherited data', () => {
  const ws = tempWorkspace('aispm-aibom-risks-');
  let store: GraphStore;
  let chat: AibomResult;

  before(async () => {
    store = await fixtureStore(ws.dbPath);
    chat = await buildAibom(store, KEYS.model, { deterministic: true });
  });
  after(async () => {
    await store.close();
    ws.cleanup();
  });

  it('the dangerous pickle is a critical CWE-502 vulnerability affecting the file and the model', async () => {
    const [v, ...more] = byRule(chat.bom, 'pickle-dangerous');
    assert.equal(more.length, 0);
    assert.deepEqual(v!.ratings, [{ severity: 'critical', method: 'other' }]);
    assert.deepEqual(v!.cwes, [502]);
    assert.deepEqual(v!.source, { name: 'aispm' });
    assert.match(String(v!.description), /^pytorch_model\.bin \(pickle\) imports os\.system, builtins\.exec: loading it runs that code\.$/);
    assert.deepEqual((v!.affects as Json[]).map((a) => a.ref).sort(), [KEYS.pickle, KEYS.model].sort());
    assert.match(String(v!.recommendation), /safetensors/);
    for (const spec of ['1.6', '1.7'] as const) assertValidBom((await buildAibom(store, KEYS.model, { spec })).bom, spec);
  });

  it('risky lineage: an unscanned pickle in a base, a base that needs remote code, a base gone missing', () => {
    const unscanned = byRule(chat.bom, 'pickle-unscanned');
    assert.equal(unscanned.length, 1, 'the base\'s pickle only: config.json (not a pickle) and the base\'s safetensors are no risk');
    assert.match(String(unscanned[0]!.description), /^training_args\.bin in base model meta\/base-llm \(pickle\) was never scanned/);
    assert.deepEqual((unscanned[0]!.affects as Json[]).map((a) => a.ref).sort(), [KEYS.base, KEYS.model].sort());
    assert.deepEqual(unscanned[0]!.cwes, [502]);
    assert.match(String(unscanned[0]!.detail), new RegExp(KEYS.basePickle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));

    const remote = byRule(chat.bom, 'custom-code');
    assert.equal(remote.length, 1);
    assert.deepEqual(remote[0]!.cwes, [494]);
    assert.deepEqual((remote[0]!.ratings as Json[])[0]!.severity, 'medium');
    assert.deepEqual((remote[0]!.affects as Json[]).map((a) => a.ref).sort(), [KEYS.merged, KEYS.model].sort());

    const missing = byRule(chat.bom, 'missing-base');
    assert.equal(missing.length, 1);
    assert.deepEqual(missing[0]!.cwes, [1357]);
    assert.deepEqual((missing[0]!.affects as Json[]).map((a) => a.ref).sort(), [KEYS.missing, KEYS.model].sort());

    // Every `affects` names a component of this BOM, and every vulnerability has its own bom-ref.
    const refs = refsOf(chat.bom);
    for (const v of chat.bom.vulnerabilities as Json[]) {
      for (const a of v.affects as Json[]) assert.ok(refs.has(a.ref as string), `${String(v.id)} affects ${String(a.ref)}, not in the BOM`);
    }
    const vulnRefs = (chat.bom.vulnerabilities as Json[]).map((v) => v['bom-ref']);
    assert.equal(new Set(vulnRefs).size, vulnRefs.length);
  });

  it('a risk keeps its id in every BOM that meets it', async () => {
    const gguf = await buildAibom(store, KEYS.gguf, { deterministic: true });
    assertValidBom(gguf.bom, '1.6');
    const here = byRule(gguf.bom, 'pickle-dangerous');
    assert.deepEqual(here.map((v) => v.id), byRule(chat.bom, 'pickle-dangerous').map((v) => v.id));
    // In the quantization's BOM the pickle is a base model's file: it affects that base and the subject, not a part.
    assert.deepEqual((here[0]!.affects as Json[]).map((a) => a.ref).sort(), [KEYS.model, KEYS.gguf].sort());
    assert.match(String(here[0]!.description), /in base model AcmeAI\/Chat-Tuned-7B/);
  });

  it('the completeness score does not count the BOM\'s own risks as ethical considerations of the card', async () => {
    const gguf = await buildAibom(store, KEYS.gguf, { deterministic: true });
    const card = (((gguf.bom.metadata as Json).component as Json).modelCard as Json).considerations as Json;
    assert.ok((card.ethicalConsiderations as Json[]).length >= 1, 'the risks are stated in the card');
    assert.ok(gguf.score.categories.component_model_card.missing.includes('ethicalConsiderations'));
    // The subject's own card statement does count.
    assert.ok(chat.score.categories.component_model_card.present.includes('ethicalConsiderations'));
  });

  it('a quantization inherits its base\'s training data, through a chain of quantizations, marked as inherited', async () => {
    const imatrix = await buildAibom(store, KEYS.ggufImatrix, { deterministic: true });
    assertValidBom(imatrix.bom, '1.6');
    assertValidBom((await buildAibom(store, KEYS.ggufImatrix, { spec: '1.7' })).bom, '1.7');
    const params = ((((imatrix.bom.metadata as Json).component as Json).modelCard as Json).modelParameters as Json);
    // Training data only: the base's evaluation set is not the quantization's training data.
    assert.deepEqual(params.datasets, [{ ref: KEYS.gatedDataset }]);
    const dataset = componentsOf(imatrix.bom).find((c) => c['bom-ref'] === KEYS.gatedDataset)!;
    const marks = propValues(dataset, 'aispm:dataset:inherited').map((v) => JSON.parse(v) as Json);
    assert.deepEqual(marks.find((m) => m.model === KEYS.ggufImatrix), { model: KEYS.ggufImatrix, from: KEYS.model, relation: 'quantized' });
    // The intermediate quantization, as an ancestor component here, carries the same inheritance in its own card.
    const ggufComponent = componentsOf(imatrix.bom).find((c) => c['bom-ref'] === KEYS.gguf)!;
    assert.deepEqual(((ggufComponent.modelCard as Json).modelParameters as Json).datasets, [{ ref: KEYS.gatedDataset }]);
    assert.ok(imatrix.score.categories.component_model_card.present.includes('datasets'));
    const training = propValues((imatrix.bom.metadata as Json), 'informationAboutTraining')[0];
    assert.equal(training, 'quantized from quant/Chat-Tuned-7B-GGUF; inherits the training data of AcmeAI/Chat-Tuned-7B: AcmeAI/chat-prefs');
  });

  it('fine-tunes and merges do not inherit: their bases\' data stays the bases\' (the pedigree names them)', async () => {
    const merged = await buildAibom(store, KEYS.merged, { deterministic: true });
    const card = ((merged.bom.metadata as Json).component as Json).modelCard as Json;
    assert.equal((card.modelParameters as Json).datasets, undefined);
    assert.ok(componentsOf(merged.bom).some((c) => c['bom-ref'] === 'hf:dataset/meta/web-corpus'), 'the base\'s data is still in the BOM');
  });
});
