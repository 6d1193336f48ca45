/**
 * The graph model as data: the single source of truth for node kinds, key formats, property types, edge kinds,
 * which (from, to) kinds each edge may join, and how compromise flows along it. Validation, store DDL, the
 * GraphQL enums and the analyses all read these tables; no analysis names an edge kind in its algorithm.
 */

export const NODE_KINDS = [
  'Model',
  'Dataset',
  'Endpoint',
  'Repository',
  'Package',
  'Identity',
  'Vulnerability',
  'File',
] as const;
export type NodeKind = (typeof NODE_KINDS)[number];

export const EDGE_KINDS = [
  'DERIVED_FROM',
  'TRAINED_ON',
  'EVALUATED_ON',
  'SERVES',
  'USES',
  'DEPENDS_ON',
  'DEPLOYS',
  'CONTAINS',
  'AFFECTS',
  'CAN_WRITE',
  'MEMBER_OF',
] as const;
export type EdgeKind = (typeof EDGE_KINDS)[number];

export const DERIVATION_RELATIONS = ['finetune', 'adapter', 'merge', 'quantized', 'unknown'] as const;
export type DerivationRelation = (typeof DERIVATION_RELATIONS)[number];

/** Property value types a schema can demand. `json` accepts any JSON value (objects for nested card data). */
export type PropType = 'string' | 'number' | 'boolean' | 'string[]' | 'string|boolean' | 'json';

export interface PropSpec {
  type: PropType;
  /** When set, a string value must be one of these. */
  oneOf?: readonly string[];
  doc: string;
}

export interface NodeKindSpec {
  kind: NodeKind;
  /** Key formats, written for people; `keyPatterns` are what validation enforces. */
  keyFormats: readonly string[];
  keyPatterns: readonly RegExp[];
  /** Declared properties are type-checked; undeclared ones are accepted if they are JSON (sources differ). */
  props: Readonly<Record<string, PropSpec>>;
  doc: string;
}

/** One key segment: anything but '/', whitespace-control characters and NUL. Hostile text is data, not syntax. */
const SEG = String.raw`[^/\u0000-\u001f\u007f]+`;
/** A path inside a repo may contain '/'. */
const PATH = String.raw`[^\u0000-\u001f\u007f]+`;

const re = (body: string) => new RegExp(`^${body}$`, 'u');

const commonProps = {
  name: { type: 'string', doc: 'Display name.' },
  url: { type: 'string', doc: 'Where a person can look at it.' },
  tags: { type: 'string[]', doc: 'Free tags; `crown-jewel` marks an attack-path target.' },
  missing: { type: 'boolean', doc: 'Referenced but not found upstream (deleted or never existed).' },
  stub: { type: 'boolean', doc: 'Known only as the end of an edge; its own record was not read.' },
  description: { type: 'string', doc: 'Free text.' },
} as const satisfies Record<string, PropSpec>;

const hubRepoProps = {
  sha: { type: 'string', doc: 'Commit sha of the revision read.' },
  createdAt: { type: 'string', doc: 'ISO-8601 creation time.' },
  lastModified: { type: 'string', doc: 'ISO-8601 last modification time.' },
  license: { type: 'string', doc: 'SPDX id where one matches, else the raw value.' },
  licenseRaw: { type: 'string', doc: 'License exactly as declared upstream.' },
  gated: { type: 'string|boolean', doc: 'false, true, "auto" or "manual".' },
  private: { type: 'boolean', doc: 'Private repository.' },
  disabled: { type: 'boolean', doc: 'Disabled by the host.' },
  downloads: { type: 'number', doc: 'Recent downloads.' },
  likes: { type: 'number', doc: 'Likes.' },
  author: { type: 'string', doc: 'Owner (user or org) name.' },
  canonicalId: { type: 'string', doc: 'Id after a rename redirect.' },
  syncedSha: { type: 'string', doc: 'Sha of the last revision fully read by an ingestor.' },
  publicWrite: { type: 'boolean', doc: 'Anyone can push to it (open contributions); an attack-path entry point.' },
} as const satisfies Record<string, PropSpec>;

export const NODE_SPECS: Readonly<Record<NodeKind, NodeKindSpec>> = {
  Model: {
    kind: 'Model',
    doc: 'A machine-learning model (weights plus config), on a hub or in a registry.',
    keyFormats: ['hf:model/<owner>/<name>', 'hf:model/<name> (legacy, ownerless)', 'mlflow:model/<name>/<version>'],
    keyPatterns: [re(`hf:model/${SEG}(/${SEG})?`), re(`mlflow:model/${PATH}/${SEG}`)],
    props: {
      ...commonProps,
      ...hubRepoProps,
      library: { type: 'string', doc: 'library_name (transformers, diffusers, …).' },
      pipelineTag: { type: 'string', doc: 'Task, e.g. text-generation.' },
      customCode: { type: 'boolean', doc: 'Loading needs trust_remote_code (auto_map present).' },
      architecture: { type: 'string', doc: 'Model architecture family.' },
      revision: { type: 'string', doc: 'Revision the consumer pins (a floating "main" is a risk).' },
      cardData: { type: 'json', doc: 'Model-card front matter as parsed.' },
      modelIndex: { type: 'json', doc: 'Evaluation results (model-index), when well formed.' },
    },
  },
  Dataset: {
    kind: 'Dataset',
    doc: 'A dataset used to train or evaluate models.',
    keyFormats: ['hf:dataset/<owner>/<name>', 'hf:dataset/<name> (legacy, ownerless)'],
    keyPatterns: [re(`hf:dataset/${SEG}(/${SEG})?`)],
    props: { ...commonProps, ...hubRepoProps, cardData: { type: 'json', doc: 'Dataset-card front matter.' } },
  },
  Endpoint: {
    kind: 'Endpoint',
    doc: 'Something that serves models to users: a Space, a deployment, a serving endpoint.',
    keyFormats: ['hf:space/<owner>/<name>', 'gh:deployment/<owner>/<repo>/<environment>', 'mlflow:endpoint/<name>'],
    keyPatterns: [re(`hf:space/${SEG}/${SEG}`), re(`gh:deployment/${SEG}/${SEG}/${SEG}`), re(`mlflow:endpoint/${PATH}`)],
    props: {
      ...commonProps,
      ...hubRepoProps,
      sdk: { type: 'string', doc: 'Space SDK (gradio, streamlit, docker, static).' },
      endpointUrl: { type: 'string', doc: 'URL where the endpoint answers.' },
    },
  },
  Repository: {
    kind: 'Repository',
    doc: 'A source repository.',
    keyFormats: ['gh:repo/<owner>/<name>'],
    keyPatterns: [re(`gh:repo/${SEG}/${SEG}`)],
    props: {
      ...commonProps,
      defaultBranch: { type: 'string', doc: 'Default branch.' },
      visibility: { type: 'string', doc: 'public, private or internal.' },
      archived: { type: 'boolean', doc: 'Archived.' },
      sha: { type: 'string', doc: 'Head commit read.' },
    },
  },
  Package: {
    kind: 'Package',
    doc: 'A library at one version, named by its purl.',
    keyFormats: ['pkg:<type>/<namespace?>/<name>@<version> (a purl with version)'],
    keyPatterns: [re(String.raw`pkg:[a-z][a-z0-9.+-]*/${PATH}@[^\u0000-\u001f\u007f@]+`)],
    props: {
      ...commonProps,
      ecosystem: { type: 'string', doc: 'pypi, npm, …' },
      version: { type: 'string', doc: 'Version.' },
      license: { type: 'string', doc: 'SPDX id or raw license.' },
    },
  },
  Identity: {
    kind: 'Identity',
    doc: 'A person, bot or organisation that can act on assets.',
    keyFormats: ['hf:user/<name>', 'hf:org/<name>', 'gh:user/<login>', 'gh:org/<login>', 'pypi:user/<name>', 'npm:user/<name>', 'mlflow:user/<name>'],
    keyPatterns: [re(`(hf|gh|pypi|npm|mlflow):(user|org)/${SEG}`)],
    props: {
      ...commonProps,
      type: { type: 'string', oneOf: ['user', 'org', 'bot'], doc: 'user, org or bot.' },
      org: { type: 'string', doc: 'Organisation the identity belongs to, when known.' },
    },
  },
  Vulnerability: {
    kind: 'Vulnerability',
    doc: 'A known vulnerability advisory.',
    keyFormats: ['vuln:<OSV id>'],
    keyPatterns: [re(`vuln:${SEG}`)],
    props: {
      ...commonProps,
      aliases: { type: 'string[]', doc: 'CVE and GHSA ids.' },
      summary: { type: 'string', doc: 'One line.' },
      severity: { type: 'string', doc: 'critical, high, medium, low or unknown.' },
      cvss: { type: 'string', doc: 'CVSS vector.' },
      published: { type: 'string', doc: 'ISO-8601.' },
      modified: { type: 'string', doc: 'ISO-8601.' },
    },
  },
  File: {
    kind: 'File',
    doc: 'A file in a repository at one revision.',
    keyFormats: ['hf:file/<owner>/<name>/<path>@<sha>', 'hf:file/datasets/<owner>/<name>/<path>@<sha>', 'hf:file/spaces/<owner>/<name>/<path>@<sha>'],
    keyPatterns: [re(`hf:file/${PATH}@[0-9A-Za-z._-]+`)],
    props: {
      ...commonProps,
      path: { type: 'string', doc: 'Path inside the repository.' },
      size: { type: 'number', doc: 'Bytes.' },
      sha256: { type: 'string', doc: 'LFS sha256 of the content.' },
      format: { type: 'string', doc: 'safetensors, gguf, onnx, pytorch-zip, pickle, joblib, keras-h5, numpy, other.' },
      formatSource: { type: 'string', oneOf: ['name', 'bytes'], doc: 'Whether format came from the name or the first bytes.' },
      scanStatus: { type: 'string', oneOf: ['safe', 'suspicious', 'dangerous', 'unscanned', 'error'], doc: 'Pickle scan verdict.' },
      scanGlobals: { type: 'string[]', doc: 'module.name globals the pickle imports.' },
      scanner: { type: 'string', doc: 'Scanner name and version.' },
      scanReason: { type: 'string', doc: 'Why unscanned or error.' },
    },
  },
};

/** How compromise moves along an edge: from the edge's `from` to its `to` (forward), the reverse, or not at all. */
export type FlowDirection = 'forward' | 'reverse' | 'none';

export interface FlowCondition {
  /** Compromise flows only if the edge property `prop` is one of `in`. */
  prop: string;
  in: readonly string[];
}

export interface EdgeKindSpec {
  kind: EdgeKind;
  /** Allowed (from kind, to kind) pairs. */
  pairs: ReadonlyArray<readonly [NodeKind, NodeKind]>;
  flow: FlowDirection;
  flowWhen?: FlowCondition;
  /** Probability-like likelihood (0, 1] that an attacker can use this step; path cost is -ln(likelihood). */
  likelihood: number;
  /** What the edge means, in a sentence. */
  meaning: string;
  /** How an attacker abuses it. */
  abuse: string;
  /** How to cut it. */
  remediation: string;
  props: Readonly<Record<string, PropSpec>>;
}

const ASSET_KINDS: readonly NodeKind[] = ['Model', 'Dataset', 'Endpoint', 'Repository', 'Package', 'File'];
const pairsOf = (froms: readonly NodeKind[], tos: readonly NodeKind[]) =>
  froms.flatMap((f) => tos.map((t) => [f, t] as const));

/** Roles whose holder can push to the organisation's assets (MEMBER_OF flows only for these). */
export const WRITE_ROLES = ['admin', 'owner', 'write', 'maintain', 'maintainer', 'contributor', 'member'] as const;

export const EDGE_SPECS: Readonly<Record<EdgeKind, EdgeKindSpec>> = {
  DERIVED_FROM: {
    kind: 'DERIVED_FROM',
    pairs: [['Model', 'Model'], ['Dataset', 'Dataset']],
    flow: 'reverse',
    likelihood: 0.9,
    meaning: 'The source was derived (fine-tuned, adapted, merged, quantized) from the target.',
    abuse: 'A backdoor or poisoned behaviour in a base model survives fine-tuning, merging, adapters and quantization into every derivative.',
    remediation: 'Pin the base model to a reviewed commit, re-evaluate derivatives for backdoors, and rebuild from a trusted base.',
    props: {
      relation: { type: 'string', oneOf: DERIVATION_RELATIONS, doc: 'finetune, adapter, merge, quantized or unknown.' },
    },
  },
  TRAINED_ON: {
    kind: 'TRAINED_ON',
    pairs: [['Model', 'Dataset']],
    flow: 'reverse',
    likelihood: 0.7,
    meaning: 'The model was trained or fine-tuned on the dataset.',
    abuse: 'Poisoned training data plants backdoors or biased behaviour in the model.',
    remediation: 'Pin dataset revisions, restrict who can write the dataset, and audit data before training.',
    props: {},
  },
  EVALUATED_ON: {
    kind: 'EVALUATED_ON',
    pairs: [['Model', 'Dataset']],
    flow: 'none',
    likelihood: 0.1,
    meaning: 'The model reports evaluation results on the dataset.',
    abuse: 'Tampered evaluation data can hide regressions, but it does not change the model.',
    remediation: 'Evaluate on pinned, independently held data.',
    props: {},
  },
  SERVES: {
    kind: 'SERVES',
    pairs: [['Endpoint', 'Model']],
    flow: 'reverse',
    likelihood: 0.95,
    meaning: 'The endpoint loads and serves the model.',
    abuse: 'Whoever controls the model controls what the endpoint answers, and code in unsafe weights runs on the endpoint host.',
    remediation: 'Serve pinned, scanned model revisions in safe formats (safetensors) and re-deploy on review.',
    props: { revision: { type: 'string', doc: 'Revision served, if pinned.' } },
  },
  USES: {
    kind: 'USES',
    pairs: pairsOf(['Repository', 'Endpoint', 'Package'], ['Model', 'Dataset']),
    flow: 'reverse',
    likelihood: 0.8,
    meaning: 'The source loads the model or dataset at run or build time.',
    abuse: 'A compromised model or dataset is pulled into the consumer the next time it runs.',
    remediation: 'Pin the revision the consumer loads and verify hashes.',
    props: { revision: { type: 'string', doc: 'Revision used, if pinned.' } },
  },
  DEPENDS_ON: {
    kind: 'DEPENDS_ON',
    pairs: pairsOf(['Model', 'Repository', 'Endpoint', 'Package'], ['Package']),
    flow: 'reverse',
    likelihood: 0.6,
    meaning: 'The source installs or imports the package.',
    abuse: 'A vulnerable or hijacked package runs inside the dependant.',
    remediation: 'Upgrade to a fixed version, pin with hashes, and watch advisories.',
    props: {
      versionRange: { type: 'string', doc: 'Declared requirement.' },
      scope: { type: 'string', doc: 'runtime, dev, optional.' },
    },
  },
  DEPLOYS: {
    kind: 'DEPLOYS',
    pairs: [['Repository', 'Endpoint']],
    flow: 'forward',
    likelihood: 0.85,
    meaning: 'The repository deploys to the endpoint.',
    abuse: 'Code pushed to the repository reaches the endpoint on the next deploy.',
    remediation: 'Protect the deploying branch and require reviews for deployments.',
    props: {},
  },
  CONTAINS: {
    kind: 'CONTAINS',
    pairs: pairsOf(['Model', 'Dataset', 'Endpoint'], ['File']),
    flow: 'reverse',
    likelihood: 0.95,
    meaning: 'The repository holds the file.',
    abuse: 'A malicious file (a pickle that runs code on load) compromises whoever loads the repository.',
    remediation: 'Replace pickle-based weights with safetensors and scan every file before loading.',
    props: {
      size: { type: 'number', doc: 'Bytes.' },
      sha256: { type: 'string', doc: 'LFS sha256.' },
      format: { type: 'string', doc: 'Detected format.' },
    },
  },
  AFFECTS: {
    kind: 'AFFECTS',
    pairs: [['Vulnerability', 'Package']],
    flow: 'forward',
    likelihood: 0.7,
    meaning: 'The advisory applies to this package version.',
    abuse: 'A public exploit for the advisory runs against anything using the package.',
    remediation: 'Upgrade to a fixed version named in the advisory.',
    props: { fixed: { type: 'string', doc: 'First fixed version, if any.' } },
  },
  CAN_WRITE: {
    kind: 'CAN_WRITE',
    pairs: pairsOf(['Identity'], ASSET_KINDS),
    flow: 'forward',
    likelihood: 0.5,
    meaning: 'The identity can push changes to the asset.',
    abuse: 'A hijacked or malicious account with write access replaces the asset (weights, data, code).',
    remediation: 'Reduce write access to those who need it, require 2FA and signed commits, and review pushes.',
    props: { role: { type: 'string', doc: 'owner, admin, write, …' } },
  },
  MEMBER_OF: {
    kind: 'MEMBER_OF',
    pairs: [['Identity', 'Identity']],
    flow: 'forward',
    flowWhen: { prop: 'role', in: WRITE_ROLES },
    likelihood: 0.6,
    meaning: 'The identity is a member of the organisation.',
    abuse: "A compromised member with a write role can push to every asset of the organisation.",
    remediation: 'Give members read roles by default and grant write per repository.',
    props: { role: { type: 'string', doc: 'admin, write, read, …' } },
  },
};

/** Provenance every edge carries. */
export const CONFIDENCES = ['declared', 'inferred'] as const;
export type Confidence = (typeof CONFIDENCES)[number];

/** Limits that keep one record from exhausting memory or the store. */
export const LIMITS = {
  keyLength: 2048,
  /** JSON-serialised properties of one record. */
  propsBytes: 1024 * 1024,
} as const;

/** The node kind a key belongs to, or undefined. Key formats are disjoint, so this is unambiguous. */
export function kindOfKey(key: string): NodeKind | undefined {
  for (const kind of NODE_KINDS) {
    if (NODE_SPECS[kind].keyPatterns.some((p) => p.test(key))) return kind;
  }
  return undefined;
}

export function isNodeKind(value: unknown): value is NodeKind {
  return typeof value === 'string' && (NODE_KINDS as readonly string[]).includes(value);
}

export function isEdgeKind(value: unknown): value is EdgeKind {
  return typeof value === 'string' && (EDGE_KINDS as readonly string[]).includes(value);
}
