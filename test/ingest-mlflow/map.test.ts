/** The MLflow source's pure readers and mappers, on bodies in the REST API's and MLflow's own file shapes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mapDatasetInput, withoutCredentials } from '../../ingest/mlflow/map-dataset.ts';
import { mapAccessControl, mapServingEndpoint, MODEL_WRITE_LEVELS } from '../../ingest/mlflow/map-endpoint.ts';
import { mapRequirements } from '../../ingest/mlflow/map-requirements.ts';
import { parseMlmodel } from '../../ingest/mlflow/mlmodel.ts';
import { parseModelUri } from '../../ingest/mlflow/refs.ts';

const ctx = { hubUrl: 'https://hub.example.org' };

describe('MLmodel, read as PyYAML safe_load reads it', () => {
  it('MLflow 1.x `env: conda.yaml` and 2.x `env: {conda, virtualenv}` both name the environment files', () => {
    const v1 = parseMlmodel('flavors:\n  python_function:\n    env: conda.yaml\n    loader_module: mlflow.sklearn\n    model_path: model.pkl\n  sklearn:\n    pickled_model: model.pkl\n    serialization_format: cloudpickle\nmlflow_version: 1.30.1\n');
    assert.ok(v1.ok);
    assert.deepEqual([v1.facts.envFiles, v1.facts.weightPaths, v1.facts.library, v1.facts.serializationFormat], [['conda.yaml'], ['model.pkl'], 'sklearn', 'cloudpickle']);
    const v2 = parseMlmodel('flavors:\n  python_function:\n    env:\n      conda: conda.yaml\n      virtualenv: python_env.yaml\n  pytorch:\n    model_data: data\n');
    assert.ok(v2.ok);
    assert.deepEqual([v2.facts.envFiles, v2.facts.weightPaths, v2.facts.library], [['conda.yaml', 'python_env.yaml'], ['data'], 'pytorch']);
  });

  it('keeps plain scalars PyYAML reads as strings (a sha like 1234e56…, digits with a leading zero) as written', () => {
    const r = parseMlmodel('flavors:\n  transformers:\n    source_model_name: acme/chat\n    source_model_revision: 1234e5678\n    transformers_version: 4.40\nmlflow_version: 2.16.0\nrun_id: 0123456789\n');
    assert.ok(r.ok);
    assert.equal(r.facts.transformers?.sourceModelRevision, '1234e5678');
    assert.equal(r.facts.transformers?.transformersVersion, '4.40');
    assert.equal(r.facts.runId, '0123456789');
  });

  it('a PEFT adapter, duplicate keys (the last wins) and null fields', () => {
    const r = parseMlmodel('flavors:\n  transformers:\n    source_model_name: first/base\n    source_model_name: acme/base\n    peft_adaptor: peft\n    source_model_revision: null\n');
    assert.ok(r.ok);
    assert.deepEqual(r.facts.transformers, { peft: true, sourceModelName: 'acme/base' });
  });

  it('refuses paths that leave the model directory and says why a file is no MLmodel', () => {
    const r = parseMlmodel('flavors:\n  sklearn:\n    pickled_model: ../../etc/passwd\n  python_function:\n    env: /etc/conda.yaml\n');
    assert.ok(r.ok);
    assert.deepEqual([r.facts.weightPaths, r.facts.envFiles], [[], []]);
    assert.equal(r.warnings.length, 2);
    for (const [text, problem] of [
      ['flavors: [unclosed', /does not parse as YAML/],
      ['- a\n- b\n', /should be a mapping, got a list/],
      ['mlflow_version: 2.0\n', /no "flavors" mapping/],
      [`a: &a [x, x, x, x, x, x, x, x, x, x]\n${['b', 'c', 'd', 'e'].map((k, i) => `${k}: &${k} [${Array(10).fill(`*${'abcd'[i]}`).join(', ')}]`).join('\n')}\nflavors: {}\n`, /does not parse as YAML: .*alias/i],
    ] as const) {
      const bad = parseMlmodel(text);
      assert.ok(!bad.ok && problem.test(bad.problem), `${text}: ${JSON.stringify(bad)}`);
    }
  });
});

describe('model URIs', () => {
  it('reads versions, aliases, stages, logged models and run paths as MLflow does', () => {
    assert.deepEqual(parseModelUri('models:/fraud/3'), { kind: 'version', name: 'fraud', version: '3' });
    assert.deepEqual(parseModelUri('models:/main.ml.fraud@champion'), { kind: 'alias', name: 'main.ml.fraud', alias: 'champion' });
    assert.deepEqual(parseModelUri('models:/fraud/Production'), { kind: 'stage', name: 'fraud', stage: 'Production' });
    assert.deepEqual(parseModelUri('models:/m-0123abcd'), { kind: 'logged-model', id: 'm-0123abcd' });
    assert.deepEqual(parseModelUri('runs:/abc123/model/'), { kind: 'run', runId: 'abc123', path: 'model' });
    assert.equal(parseModelUri('s3://bucket/model'), undefined);
    assert.equal(parseModelUri('models:/'), undefined);
  });
});

describe('dataset inputs', () => {
  const input = (source_type: string, source: unknown, context?: string, extra: Record<string, unknown> = {}) => ({
    dataset: { name: 'd', digest: 'abc123', source_type, source: JSON.stringify(source), ...extra },
    ...(context ? { tags: [{ key: 'mlflow.data.context', value: context }] } : {}),
  });
  const warnings: string[] = [];
  const warn = (m: string) => warnings.push(m);

  it('a Hugging Face source is the Hub dataset, with the revision loaded; a packaged loader is not a Hub repo', () => {
    const hub = mapDatasetInput(input('hugging_face', { path: 'acme/tickets', revision: 'main', split: 'train' }, 'training'), 'in', ctx, warn)!;
    assert.deepEqual([hub.key, hub.use, hub.confidence, hub.props, hub.node], ['hf:dataset/acme/tickets', 'training', 'declared', { revision: 'main', split: 'train' }, undefined]);
    const loader = mapDatasetInput(input('hugging_face', { path: 'json', data_files: 's3://b/x.json' }, 'training'), 'in', ctx, warn)!;
    assert.equal(loader.key, 'mlflow:dataset/d@abc123');
  });

  it('an evaluation context is EVALUATED_ON; no context is an inferred training input', () => {
    assert.equal(mapDatasetInput(input('s3', { uri: 's3://b/eval' }, 'validation'), 'in', ctx, warn)!.use, 'evaluation');
    const none = mapDatasetInput(input('s3', { uri: 's3://b/x' }), 'in', ctx, warn)!;
    assert.deepEqual([none.use, none.confidence], ['training', 'inferred']);
  });

  it('a URL on the Hub names the Hub dataset; locations keep no credentials or signatures', () => {
    const byUrl = mapDatasetInput(input('http', { url: 'https://hub.example.org/datasets/poison-lab/chat-logs/resolve/main/train.parquet' }), 'in', ctx, warn)!;
    assert.equal(byUrl.key, 'hf:dataset/poison-lab/chat-logs');
    const signed = mapDatasetInput(input('http', { url: 'https://user:pw@data.example/x.csv?X-Amz-Signature=abc&token=t' }), 'in', ctx, warn)!;
    assert.equal(signed.node!.props!.location, 'https://data.example/x.csv');
    assert.equal(withoutCredentials('s3://key:secret@bucket/x'), 's3://bucket/x');
    assert.equal(withoutCredentials('main.fraud.transactions'), 'main.fraud.transactions');
  });

  it('malformed inputs are warnings, never exceptions', () => {
    warnings.length = 0;
    assert.equal(mapDatasetInput({ tags: [] }, 'in[0]', ctx, warn), undefined);
    assert.equal(mapDatasetInput({ dataset: { name: 'x', source_type: 's3', source: '{' } }, 'in[1]', ctx, warn), undefined);
    assert.equal(mapDatasetInput({ dataset: { name: 'bad\u0000name', digest: 'c', source: '{}' } }, 'in[2]', ctx, warn), undefined);
    assert.equal(warnings.length, 4, warnings.join('\n'));
  });
});

describe('serving endpoints and permissions', () => {
  it('routes give each served version its traffic share; legacy served_models, pending configs and external models too', () => {
    const m = mapServingEndpoint(
      {
        name: 'ep', id: 'e1',
        config: {
          served_models: [{ name: 'a', model_name: 'fraud', model_version: '1' }],
          served_entities: [{ name: 'gpt', external_model: { provider: 'openai', name: 'gpt-4o' } }],
          traffic_config: { routes: [{ served_model_name: 'a', traffic_percentage: 100 }] },
        },
        pending_config: { served_entities: [{ name: 'b', entity_name: 'fraud', entity_version: '2' }] },
      },
      'http://mlflow.example',
      undefined,
    );
    assert.ok(!('problem' in m));
    assert.deepEqual(m.batch.edges.map((e) => [e.to, e.props]), [
      ['mlflow:model/fraud/1', { trafficPercentage: 100, servedEntity: 'a' }],
      ['mlflow:model/fraud/2', { servedEntity: 'b', pending: true }],
    ]);
    assert.deepEqual(m.batch.nodes[0]!.props!.externalModels, ['openai/gpt-4o']);
    const single = mapServingEndpoint({ name: 'one', config: { served_entities: [{ name: 'x', entity_name: 'm', entity_version: '4' }] } }, 'http://mlflow.example', undefined);
    assert.ok(!('problem' in single));
    assert.equal(single.batch.edges[0]!.props!.trafficPercentage, 100, 'one entity and no routes takes all traffic');
    assert.ok('problem' in mapServingEndpoint({ config: {} }, 'http://mlflow.example', undefined));
  });

  it('only levels that can change the asset are write access, with the strongest as the role', () => {
    const acl = mapAccessControl(
      {
        access_control_list: [
          { user_name: 'a@x', all_permissions: [{ permission_level: 'CAN_EDIT' }, { permission_level: 'CAN_MANAGE', inherited: true }] },
          { user_name: 'r@x', all_permissions: [{ permission_level: 'CAN_READ' }] },
          { service_principal_name: 'ci-bot', all_permissions: [{ permission_level: 'CAN_MANAGE_STAGING_VERSIONS' }] },
          { group_name: 'ml-team', all_permissions: [{ permission_level: 'CAN_MANAGE', inherited: true }] },
          'junk',
        ],
      },
      ['mlflow:model/m/1'],
      MODEL_WRITE_LEVELS,
      'test',
    );
    assert.deepEqual(acl.edges.map((e) => [e.from, e.props]), [
      ['mlflow:user/a@x', { role: 'CAN_MANAGE' }],
      ['mlflow:user/ci-bot', { role: 'CAN_MANAGE_STAGING_VERSIONS' }],
      ['mlflow:org/ml-team', { role: 'CAN_MANAGE', inherited: true }],
    ]);
    assert.deepEqual(acl.nodes.map((n) => n.props!.type), ['user', 'bot', 'team']);
  });
});

describe('requirements', () => {
  it('pinned PyPI requirements are DEPENDS_ON package keys, once each; unpinned ones are listed', () => {
    const r = mapRequirements('mlflow:model/m/1', [
      { path: 'requirements.txt', text: 'mlflow==2.16.0\nScikit_Learn==1.3.0\nnumpy>=1.24\n' },
      { path: 'conda.yaml', text: 'dependencies:\n- python=3.11\n- pip:\n  - scikit-learn==1.3.0\n' },
    ]);
    assert.deepEqual(r.edges.map((e) => `${e.to} ${e.evidence}`), ['pkg:pypi/mlflow@2.16.0 requirements.txt:1', 'pkg:pypi/scikit-learn@1.3.0 requirements.txt:2']);
    assert.deepEqual(r.unpinned, ['numpy >=1.24']);
  });
});
