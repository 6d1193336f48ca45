/**
 * What MLflow and an imported ML-BOM know of a model reaches its AIBOM. The records are those the MLflow source
 * writes of a registered version (the run's latest metrics and parameters, the repository its run ran from) and the
 * SBOM import writes of a model component (its hashes and its own model card, kept as `modelCard`): the card's
 * considerations and metrics fill what the Hub card does not say, the run's parameters are the model's
 * hyperparameters, and a bad hash or a hostile card never reaches the BOM, which stays valid CycloneDX 1.6 and 1.7.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { GraphStore } from '../../schema/store.ts';
import { buildAibom, type AibomResult } from '../../services/aibom/index.ts';
import { openStore } from '../../services/store/open.ts';
import { runCli, tempWorkspace } from '../helpers/cli.ts';
import { SECRET_REPO_TOKEN } from '../ingest-mlflow/fixtures.ts';
import { ingestMlflow, startServers, type Servers } from '../ingest-mlflow/harness.ts';
import { assertValidBom, propValues, urlsOf } from './helpers.ts';

type Json = Record<string, unknown>;
const REGISTERED = 'mlflow:model/fraud-scorer/3';
const IMPORTED = 'hf:model/acme/support-bot';
const SHA256 = 'ab'.repeat(32);

describe('AIBOM facts from MLflow and imported ML-BOMs', () => {
  const ws = tempWorkspace('aispm-aibom-imported-');
  let store: GraphStore;
  let registered: AibomResult;
  let imported: AibomResult;
  const model = (r: AibomResult) => (r.bom.metadata as Json).component as Json;
  const card = (r: AibomResult) => model(r).modelCard as Json;

  before(async () => {
    store = await openStore(ws.store);
    await store.upsert({
      nodes: [
        {
          kind: 'Model',
          key: REGISTERED,
          props: {
            name: 'fraud-scorer v3', version: '3', description: 'Scores card transactions for fraud.', pipelineTag: 'tabular-classification',
            metrics: { auc: 0.931, f1: 0.87, broken: 'NaN-as-text' }, params: { learning_rate: '0.01', n_estimators: '400' },
            sourceRepoUrl: 'https://github.com/acme/fraud-training', sourceCommit: 'c'.repeat(40),
          },
        },
        {
          kind: 'Model',
          key: IMPORTED,
          props: {
            name: 'support-bot', sha: 'd'.repeat(40), pipelineTag: 'text-generation',
            hashes: { 'SHA-256': SHA256.toUpperCase(), 'SHA-1': 'not-hex', MD4: 'ab'.repeat(16), 'SHA-512': 'ab' },
            modelCard: {
              modelParameters: { task: 'text-generation' },
              quantitativeAnalysis: { performanceMetrics: [{ type: 'accuracy', value: '0.91', slice: 'support-tickets' }, { type: 'no-value' }] },
              considerations: {
                useCases: ['Answering customer support tickets'],
                technicalLimitations: ['English only'],
                ethicalConsiderations: [{ name: 'May state wrong refund policies' }, { name: 42 }],
                users: '<script>not a list</script>',
              },
            },
          },
        },
      ],
      edges: [],
    });
    registered = await buildAibom(store, REGISTERED, { deterministic: true });
    imported = await buildAibom(store, IMPORTED, { deterministic: true });
  });
  after(async () => {
    await store.close();
    ws.cleanup();
  });

  it('both BOMs are valid CycloneDX 1.6 and 1.7', async () => {
    for (const key of [REGISTERED, IMPORTED]) {
      assertValidBom((await buildAibom(store, key, { deterministic: true })).bom, '1.6');
      assertValidBom((await buildAibom(store, key, { deterministic: true, spec: '1.7' })).bom, '1.7');
    }
  });

  it("an MLflow run's metrics are the model's performance metrics, its parameters the hyperparameters", () => {
    assert.deepEqual((card(registered).quantitativeAnalysis as Json).performanceMetrics, [
      { type: 'auc', value: '0.931' },
      { type: 'broken', value: 'NaN-as-text' },
      { type: 'f1', value: '0.87' },
    ]);
    assert.deepEqual(card(registered).properties, [
      { name: 'genai:aibom:modelcard:hyperparameter', value: 'learning_rate=0.01' },
      { name: 'genai:aibom:modelcard:hyperparameter', value: 'n_estimators=400' },
    ]);
    assert.match(propValues(registered.bom.metadata as Json, 'metric')[0]!, /^auc 0\.931; broken NaN-as-text; f1 0\.87$/);
    assert.ok(registered.score.categories.component_model_card!.present.includes('metric'));
  });

  it('the repository its run ran from is a vcs reference; its registry description is the description', () => {
    const refs = (model(registered).externalReferences as Json[]).map((r) => `${r.type} ${r.url}`);
    assert.ok(refs.includes('vcs https://github.com/acme/fraud-training'), refs.join(', '));
    assert.equal(model(registered).description, 'Scores card transactions for fraud.');
    assert.equal(model(registered).version, '3');
  });

  it("an imported ML-BOM's hashes are the model's, a malformed or unknown one left out", () => {
    assert.deepEqual(model(imported).hashes, [{ alg: 'SHA-256', content: SHA256 }]);
  });

  it("an imported card's considerations and metrics fill what the Hub card does not say, and count in the score", () => {
    const considerations = card(imported).considerations as Json;
    assert.deepEqual(considerations.useCases, ['Answering customer support tickets']);
    assert.deepEqual(considerations.technicalLimitations, ['English only']);
    assert.deepEqual(considerations.ethicalConsiderations, [{ name: 'May state wrong refund policies' }]);
    assert.equal(considerations.users, undefined, 'a string where CycloneDX has a list is not read as one');
    assert.deepEqual((card(imported).quantitativeAnalysis as Json).performanceMetrics, [{ type: 'accuracy', value: '0.91', slice: 'support-tickets' }]);
    const present = imported.score.categories.component_model_card!.present;
    for (const field of ['intendedUse', 'technicalLimitations', 'ethicalConsiderations', 'metric']) assert.ok(present.includes(field), field);
  });
});

describe('AIBOM of a version the real MLflow ingestor read', () => {
  const ws = tempWorkspace('aispm-aibom-mlflow-');
  let servers: Servers;
  let bom: Json;
  before(async () => {
    servers = await startServers(3);
    const r = await ingestMlflow(servers, ws.store);
    assert.equal(r.code, 0, r.stderr);
    const b = await runCli(['bom', 'mlflow:model/support-bot/1', '--deterministic', '--store', ws.store]);
    assert.equal(b.code, 0, b.stderr);
    bom = JSON.parse(b.stdout) as Json;
  });
  after(async () => {
    await servers?.close();
    ws.cleanup();
  });

  it("carries the training run's metrics and parameters, and the repository that trained it without the token in its remote", () => {
    assertValidBom(bom, '1.6');
    const model = (bom.metadata as Json).component as Json;
    const card = model.modelCard as Json;
    assert.deepEqual((card.quantitativeAnalysis as Json).performanceMetrics, [{ type: 'eval_loss', value: '0.41' }]);
    assert.deepEqual(card.properties, [
      { name: 'genai:aibom:modelcard:hyperparameter', value: 'learning_rate=2e-5' },
      { name: 'genai:aibom:modelcard:hyperparameter', value: 'num_train_epochs=3' },
    ]);
    const built = propValues(model, 'aispm:built-by').map((v) => JSON.parse(v) as Json);
    assert.deepEqual(built.map((b) => [b.repository, b.commit]), [['gh:repo/acme/trainer', '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432']]);
    const vcs = (model.externalReferences as Json[]).filter((r) => r.type === 'vcs').map((r) => r.url);
    assert.deepEqual(vcs, ['https://github.com/acme/trainer'], 'the BUILDS repository, not its remote URL again');
    assert.equal(JSON.stringify(bom).includes(SECRET_REPO_TOKEN), false);
    assert.deepEqual(urlsOf(bom).filter((u) => u.includes('@github.com')), []);
  });
});
