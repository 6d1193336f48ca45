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
  'BUILDS',
] as const;
export type EdgeKind = (typeof EDGE_KINDS)[number];

export const DERIVATION_RELATIONS = ['finetune', 'adapter', 'merge', 'quantized', 'unknown'] as const;
export type DerivationRelation = (typeof DERIVATION_RELATIONS)[number];

/**
 * Tags only an analyst sets: the `analystTags` property, written by `aispm tag`, the GraphQL `tag` mutation and
 * records import, and never by an ingestor (the shared scope writer drops it from every upstream batch). The
 * analyses read these, never the upstream `tags`, so a Hub owner who tags their own model `crown-jewel` changes no
 * target, and a re-ingest keeps what the analyst set. A tag outside this list is refused (a typo is an error).
 */
export const ANALYST_TAGS = {
  'crown-jewel': 'An attack-path target: `paths` and the report aim at crown jewels (when none is tagged, at every endpoint).',
  compromised: 'Assumed breached: an attack-path entry point whatever the detection rules say (an incident, a poisoned dataset).',
  anyone: 'An identity standing for "any signed-in user" (open contributions): whatever it can write is an entry point.',
  pii: 'Holds personal or regulated data; shown in the view and the report, no effect on the analyses.',
} as const satisfies Record<string, string>;
export type AnalystTag = keyof typeof ANALYST_TAGS;
export const ANALYST_TAG_NAMES = Object.keys(ANALYST_TAGS) as AnalystTag[];
/** The node property that holds them; analyst state, so no upstream batch may carry it. */
export const ANALYST_TAGS_PROP = 'analystTags';
/** Node properties only an analyst writes (the scope writer strips them from upstream batches). */
export const ANALYST_PROPS: readonly string[] = [ANALYST_TAGS_PROP];

/**
 * What the model-file scanner (`ingest/scan`) writes as `File.format`: the format its bytes show (or its name, when
 * nothing was read), and whether loading it may unpickle — an unscanned file of such a format is unverified code
 * to the findings rules. Plain `.npy`/`.npz` arrays do not count: numpy unpickles object arrays only when asked to
 * (`allow_pickle=True`), and a scan says whether one is there.
 */
export const FILE_FORMATS = {
  safetensors: { unpickles: false, doc: 'safetensors (header validated when scanned)' },
  gguf: { unpickles: false, doc: 'GGUF (llama.cpp); its chat templates are Jinja' },
  onnx: { unpickles: false, doc: 'ONNX protobuf' },
  'pytorch-zip': { unpickles: true, doc: 'torch.save zip (archive/data.pkl); by name, any .bin/.pt/.pth/.ckpt' },
  'pytorch-legacy': { unpickles: true, doc: 'legacy torch.save raw pickles (magic number, then five pickles and storages)' },
  'pytorch-tar': { unpickles: true, doc: 'the oldest torch.save tar (sys_info, pickle, storages, tensors)' },
  pickle: { unpickles: true, doc: 'a raw pickle (protocols 0–5)' },
  joblib: { unpickles: true, doc: 'a joblib dump (a pickle, possibly compressed)' },
  keras: { unpickles: false, doc: 'Keras 3 .keras archive (config.json; Lambda layers hold code)' },
  'keras-h5': { unpickles: false, doc: 'HDF5 / Keras H5 (model_config; Lambda layers hold code)' },
  numpy: { unpickles: false, doc: '.npy / .npz (object arrays hold pickles, read with allow_pickle=True)' },
  zip: { unpickles: false, doc: 'another zip; its members are scanned' },
  tar: { unpickles: false, doc: 'another tar; its members are scanned' },
  '7z': { unpickles: false, doc: '7z archive (never unpacked: unscanned)' },
  other: { unpickles: false, doc: 'no model format' },
} as const satisfies Record<string, { unpickles: boolean; doc: string }>;
export type FileFormat = keyof typeof FILE_FORMATS;
export const FILE_FORMAT_NAMES = Object.keys(FILE_FORMATS) as FileFormat[];
/** Formats whose loading may unpickle (FILE_FORMATS[f].unpickles). */
export const UNPICKLING_FORMATS: readonly FileFormat[] = FILE_FORMAT_NAMES.filter((f) => FILE_FORMATS[f].unpickles);

/**
 * A scan's verdict on one file (`File.scanStatus`). `unscanned` always comes with a reason (`File.scanReason`)
 * starting `limit:`, `unsupported:` or `error:`; an unscanned file is not cleared.
 */
export const SCAN_VERDICTS = ['dangerous', 'suspicious', 'unscanned', 'safe'] as const;
export type ScanVerdict = (typeof SCAN_VERDICTS)[number];

/** Property value types a schema can demand. `json` accepts any JSON value (objects for nested card data). */
export type PropType = 'string' | 'number' | 'boolean' | 'string[]' | 'string|boolean' | 'json';

export interface PropSpec {
  type: PropType;
  /** When set, a string value (each item of a string list) must be one of these. */
  oneOf?: readonly string[];
  doc: string;
}

export interface NodeKindSpec {
  kind: NodeKind;
  /** Declared properties are type-checked; undeclared ones are accepted if they are JSON (sources differ). */
  props: Readonly<Record<string, PropSpec>>;
  doc: string;
}

const commonProps = {
  name: { type: 'string', doc: 'Display name.' },
  url: { type: 'string', doc: 'Where a person can look at it.' },
  tags: { type: 'string[]', doc: 'Tags as the upstream wrote them (Hub tags, topics); informational, never read as analyst state.' },
  analystTags: { type: 'string[]', oneOf: ANALYST_TAG_NAMES, doc: 'Tags an analyst set (see ANALYST_TAGS): crown-jewel, compromised, anyone, pii. No ingestor writes them.' },
  missing: { type: 'boolean', doc: 'Referenced but not found upstream (deleted or never existed).' },
  stub: { type: 'boolean', doc: 'Known only as the end of an edge; its own record was not read.' },
  description: { type: 'string', doc: 'Free text.' },
  truncated: { type: 'string[]', doc: 'Properties an ingestor cut to size (a padded list, a very deep card); see the run warnings.' },
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
    props: {
      ...commonProps,
      ...hubRepoProps,
      library: { type: 'string', doc: 'library_name (transformers, diffusers, …).' },
      pipelineTag: { type: 'string', doc: 'Task, e.g. text-generation.' },
      customCode: { type: 'boolean', doc: 'Loading needs trust_remote_code (auto_map present).' },
      architecture: { type: 'string', doc: 'Model architecture: the class that loads it (config.architectures[0]), else its model_type.' },
      modelType: { type: 'string', doc: 'Architecture family (config.model_type, e.g. llama).' },
      revision: { type: 'string', doc: 'Revision the consumer pins (a floating "main" is a risk).' },
      cardData: { type: 'json', doc: 'Model-card front matter as parsed.' },
      modelIndex: { type: 'json', doc: 'Evaluation results (model-index), when well formed.' },
    },
  },
  Dataset: {
    kind: 'Dataset',
    doc: 'A dataset used to train or evaluate models.',
    props: { ...commonProps, ...hubRepoProps, cardData: { type: 'json', doc: 'Dataset-card front matter.' } },
  },
  Endpoint: {
    kind: 'Endpoint',
    doc: 'Something that serves models to users: a Space, a deployment, a serving endpoint.',
    props: {
      ...commonProps,
      ...hubRepoProps,
      sdk: { type: 'string', doc: 'Space SDK (gradio, streamlit, docker, static).' },
      endpointUrl: { type: 'string', doc: 'URL where the endpoint answers.' },
      environment: { type: 'string', doc: 'Deployment environment name.' },
      requiredReviewers: { type: 'number', doc: 'Reviewers who must approve a deployment (0: none).' },
      waitTimer: { type: 'number', doc: 'Minutes a deployment waits before it runs.' },
      branchPolicy: { type: 'string', oneOf: ['any', 'protected', 'custom'], doc: 'Which branches may deploy: any, only protected ones, or a custom list.' },
      production: { type: 'boolean', doc: 'The last deployment marked the environment as production.' },
      deployedSha: { type: 'string', doc: 'Commit of the last deployment.' },
      deployedAt: { type: 'string', doc: 'ISO-8601 time of the last deployment.' },
      deploymentState: { type: 'string', doc: "The last deployment status's state (success, failure, in_progress, …)." },
    },
  },
  Repository: {
    kind: 'Repository',
    doc: 'A source repository.',
    props: {
      ...commonProps,
      defaultBranch: { type: 'string', doc: 'Default branch.' },
      visibility: { type: 'string', doc: 'public, private or internal.' },
      archived: { type: 'boolean', doc: 'Archived.' },
      fork: { type: 'boolean', doc: 'A fork of another repository.' },
      sha: { type: 'string', doc: 'Head commit read.' },
      canonicalId: { type: 'string', doc: 'owner/name after a rename redirect.' },
      defaultBranchProtected: { type: 'boolean', doc: 'The default branch has protection rules.' },
      requiredReviews: { type: 'number', doc: 'Approving reviews a pull request needs before it can land on the default branch (0: none).' },
      codeOwnerReviews: { type: 'boolean', doc: 'Changes to owned paths need a code-owner review.' },
      enforceAdmins: { type: 'boolean', doc: 'The protection binds administrators too.' },
    },
  },
  Package: {
    kind: 'Package',
    doc: 'A library at one version, named by its purl.',
    props: {
      ...commonProps,
      ecosystem: { type: 'string', doc: 'pypi, npm, …' },
      version: { type: 'string', doc: 'Version.' },
      license: { type: 'string', doc: 'SPDX id or raw license.' },
      licenseRaw: { type: 'string', doc: 'License exactly as the registry declares it.' },
      yanked: { type: 'boolean', doc: 'The release is yanked (PyPI, PEP 592).' },
      deprecated: { type: 'string', doc: "The registry's deprecation message (npm)." },
      integrity: { type: 'string', doc: 'Subresource-integrity hash of the tarball (npm dist.integrity).' },
      latestVersion: { type: 'string', doc: 'The latest release when this one was read.' },
      repositoryUrl: { type: 'string', doc: 'Source repository the registry or its provenance names.' },
    },
  },
  Identity: {
    kind: 'Identity',
    doc: 'A person, bot or organisation that can act on assets.',
    props: {
      ...commonProps,
      type: { type: 'string', oneOf: ['user', 'org', 'team', 'bot'], doc: 'user, org, team or bot.' },
      org: { type: 'string', doc: 'Organisation the identity belongs to, when known.' },
    },
  },
  Vulnerability: {
    kind: 'Vulnerability',
    doc: 'A known vulnerability advisory.',
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
    doc: 'A file in a repository at one revision, or on a machine where `aispm scan --into-graph` read it.',
    props: {
      ...commonProps,
      path: { type: 'string', doc: 'Path inside the repository (or under the scanned root).' },
      size: { type: 'number', doc: 'Bytes.' },
      sha256: { type: 'string', doc: 'sha256 of the content (the LFS oid on the Hub; computed for a local scan).' },
      format: { type: 'string', oneOf: FILE_FORMAT_NAMES, doc: `One of FILE_FORMATS: ${FILE_FORMAT_NAMES.join(', ')}.` },
      formatSource: { type: 'string', oneOf: ['name', 'bytes'], doc: 'Whether format came from the name or from the bytes.' },
      scanStatus: { type: 'string', oneOf: SCAN_VERDICTS, doc: 'Model-file scan verdict (SCAN_VERDICTS); absent when not scanned.' },
      scanGlobals: { type: 'string[]', doc: 'module.name globals the pickle(s) import.' },
      scanner: { type: 'string', doc: 'Scanner name and version.' },
      scanReason: { type: 'string', doc: 'What decided the verdict; for unscanned, starts with limit:, unsupported: or error:.' },
      scanFindings: { type: 'string[]', doc: 'Container problems the scan recorded without stopping (zip CRC, flag and name mismatches, extra directories).' },
      lfs: { type: 'boolean', doc: 'Committed as a Git LFS pointer; size and sha256 are the LFS object\'s.' },
      workflow: { type: 'boolean', doc: 'A CI workflow definition (GitHub Actions).' },
      workflowTriggers: { type: 'string[]', doc: 'Events that start the workflow.' },
      deploysTo: { type: 'string[]', doc: 'Deployment environments the workflow deploys to.' },
      unpinnedActions: { type: 'string[]', doc: 'Third-party actions or reusable workflows it runs that are not pinned to a full commit sha.' },
      prTargetCheckout: { type: 'boolean', doc: 'Runs on pull_request_target and checks out the pull request\'s head.' },
      writeAll: { type: 'boolean', doc: 'Grants the workflow token `permissions: write-all`.' },
    },
  },
};

/** How compromise moves along an edge: from the edge's `from` to its `to` (forward), the reverse, or not at all. */
export type FlowDirection = 'forward' | 'reverse' | 'none';

/**
 * A condition on an edge's own property: with `in`, compromise flows only if the property is one of those values
 * (an absent one carries nothing); with `notIn`, it flows unless the property is one of those (an absent one flows).
 * Values are compared lower-cased.
 */
export type FlowCondition = { prop: string; in: readonly string[] } | { prop: string; notIn: readonly string[] };

/** Whether compromise moves along an edge with these properties under `cond`. */
export function flowConditionHolds(cond: FlowCondition, props: Readonly<Record<string, unknown>> | undefined): boolean {
  const value = props?.[cond.prop];
  const text = typeof value === 'string' ? value.toLowerCase() : undefined;
  if ('in' in cond) return text !== undefined && cond.in.includes(text);
  return text === undefined || !cond.notIn.includes(text);
}

/** VEX states under which an advisory does not apply to a package as it is used: such an AFFECTS carries nothing. */
export const VEX_NOT_AFFECTED = ['not_affected', 'false_positive'] as const;

/** A test on one property of an edge or of one of its end nodes. */
export interface PropTest {
  /** Whose property: the edge's own, or the node at its `from` or `to` end. */
  on: 'edge' | 'from' | 'to';
  prop: string;
  /** Holds when the value is exactly this. */
  equals?: string | number | boolean;
  /** Holds when the value is a number at least this. */
  atLeast?: number;
  /** Holds when the value is a string (compared lower-case) in, or not in, this list; an absent value is not in it. */
  in?: readonly string[];
  notIn?: readonly string[];
}

/**
 * A step made more or less likely by what is known about it: when every test holds, the likelihood is multiplied
 * by `factor`. Attack-path ranking applies every modifier of the edge's kind and names the `reason` of each applied.
 */
export interface LikelihoodModifier {
  when: readonly PropTest[];
  factor: number;
  reason: string;
}

export interface EdgeKindSpec {
  kind: EdgeKind;
  /** Allowed (from kind, to kind) pairs. */
  pairs: ReadonlyArray<readonly [NodeKind, NodeKind]>;
  flow: FlowDirection;
  flowWhen?: FlowCondition;
  /** Probability-like likelihood (0, 1] that an attacker can use this step; path cost is -ln(likelihood). */
  likelihood: number;
  /**
   * The relation in words, read in the compromise direction: "<compromised first> <flowVerb> <compromised next>"
   * ("crawl-2024 trained helios-3b", "helios-3b served by helios-chat"). For a kind that carries no compromise it
   * reads from → to. Blast radius, attack paths, reports and the view say each hop with it.
   */
  flowVerb: string;
  /** Words that depend on an edge property instead (DERIVED_FROM's relation); a value not listed uses `flowVerb`. */
  flowVerbBy?: { prop: string; verbs: Readonly<Record<string, string>> };
  /** Adjustments of `likelihood` by properties of the edge or its ends (a protected branch, a gated deployment). */
  likelihoodModifiers?: readonly LikelihoodModifier[];
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
    flowVerb: 'derived into',
    flowVerbBy: { prop: 'relation', verbs: { finetune: 'fine-tuned into', adapter: 'adapted into', merge: 'merged into', quantized: 'quantized as', unknown: 'derived into' } },
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
    flowVerb: 'trained',
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
    flowVerb: 'evaluated on',
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
    flowVerb: 'served by',
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
    flowVerb: 'loaded by',
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
    flowVerb: 'installed by',
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
    flowVerb: 'deploys to',
    likelihood: 0.85,
    likelihoodModifiers: [
      { when: [{ on: 'to', prop: 'requiredReviewers', atLeast: 1 }], factor: 0.4, reason: 'a reviewer must approve each deployment to the environment' },
      { when: [{ on: 'to', prop: 'branchPolicy', in: ['protected', 'custom'] }], factor: 0.8, reason: 'only protected or listed branches may deploy to the environment' },
    ],
    meaning: 'The repository deploys to the endpoint.',
    abuse: 'Code pushed to the repository reaches the endpoint on the next deploy.',
    remediation: 'Protect the deploying branch and require reviews for deployments.',
    props: {},
  },
  CONTAINS: {
    kind: 'CONTAINS',
    pairs: pairsOf(['Model', 'Dataset', 'Endpoint', 'Repository'], ['File']),
    flow: 'reverse',
    flowVerb: 'ships in',
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
    flowVerb: 'affects',
    likelihood: 0.7,
    flowWhen: { prop: 'vex', notIn: VEX_NOT_AFFECTED },
    meaning: 'The advisory applies to this package version.',
    abuse: 'A public exploit for the advisory runs against anything using the package.',
    remediation: 'Upgrade to a fixed version named in the advisory.',
    props: {
      fixed: { type: 'string', doc: 'First fixed version, if any.' },
      vex: {
        type: 'string',
        doc: 'VEX analysis an SBOM states for this package (CycloneDX analysis.state: not_affected, false_positive, exploitable, in_triage, resolved, …); not_affected and false_positive carry no compromise.',
      },
      vexJustification: { type: 'string', doc: 'Why the VEX state holds (code_not_reachable, requires_configuration, …).' },
    },
  },
  CAN_WRITE: {
    kind: 'CAN_WRITE',
    pairs: pairsOf(['Identity'], ASSET_KINDS),
    flow: 'forward',
    flowVerb: 'can write',
    likelihood: 0.5,
    // Branch protection binds administrators only when it is enforced for them.
    likelihoodModifiers: [
      {
        when: [{ on: 'to', prop: 'requiredReviews', atLeast: 1 }, { on: 'edge', prop: 'role', notIn: ['admin', 'owner'] }],
        factor: 0.4,
        reason: "a push must pass an approving review to land on the repository's default branch",
      },
      {
        when: [{ on: 'to', prop: 'requiredReviews', atLeast: 1 }, { on: 'to', prop: 'enforceAdmins', equals: true }, { on: 'edge', prop: 'role', in: ['admin', 'owner'] }],
        factor: 0.4,
        reason: "a push must pass an approving review to land on the repository's default branch, administrators included",
      },
      {
        when: [{ on: 'to', prop: 'codeOwnerReviews', equals: true }, { on: 'edge', prop: 'role', notIn: ['admin', 'owner'] }],
        factor: 0.8,
        reason: 'changes to owned paths need a code-owner review',
      },
    ],
    meaning: 'The identity can push changes to the asset.',
    abuse: 'A hijacked or malicious account with write access replaces the asset (weights, data, code).',
    remediation: 'Reduce write access to those who need it, require 2FA and signed commits, and review pushes.',
    props: {
      role: { type: 'string', doc: 'owner, admin, write, …' },
      outside: { type: 'boolean', doc: 'An outside collaborator: not a member of the organisation that owns the asset.' },
    },
  },
  MEMBER_OF: {
    kind: 'MEMBER_OF',
    pairs: [['Identity', 'Identity']],
    flow: 'forward',
    flowWhen: { prop: 'role', in: WRITE_ROLES },
    flowVerb: 'is a member of',
    likelihood: 0.6,
    meaning: 'The identity is a member of the organisation.',
    abuse: "A compromised member with a write role can push to every asset of the organisation.",
    remediation: 'Give members read roles by default and grant write per repository.',
    props: { role: { type: 'string', doc: 'admin, write, read, …' } },
  },
  BUILDS: {
    kind: 'BUILDS',
    pairs: [['Repository', 'Package'], ['Repository', 'Model']],
    flow: 'forward',
    flowVerb: 'builds',
    likelihood: 0.85,
    meaning: "The repository's code and workflows build and publish the package or model (publish provenance, or the run that trained it).",
    abuse: 'Code pushed to the repository, or a hijacked release workflow, ships inside the next published version to everyone who installs or loads it.',
    remediation: 'Protect the release branch and workflow, pin third-party actions to a commit, require reviews, and verify provenance before installing or loading.',
    props: {
      workflow: { type: 'string', doc: 'Workflow or entry point that built it, when known.' },
      commit: { type: 'string', doc: 'Commit built from, when known.' },
    },
  },
};

/**
 * Properties both stores index, so that a rule that looks for the few nodes or edges holding one of them (analyst
 * tags, and the entry-point rules below) asks the store for exactly those (`GraphStore.findNodesByProp` /
 * `findEdgesByProp`) instead of reading every node of a kind. A store refuses a property not listed here, so no such
 * question silently becomes a scan. Adding a name needs a schema step: SQLite creates the indexes of these lists in
 * a migration (services/store/sqlite.ts); Neo4j creates a missing index before its next write.
 */
export const INDEXED_NODE_PROPS = [ANALYST_TAGS_PROP, 'publicWrite', 'scanStatus', 'severity', 'workflow'] as const;
export type IndexedNodeProp = (typeof INDEXED_NODE_PROPS)[number];
export const INDEXED_EDGE_PROPS = ['revision'] as const;
export type IndexedEdgeProp = (typeof INDEXED_EDGE_PROPS)[number];

/** Why a node is an attack-path entry point (queries/entry-points.ts); a node's reasons are listed in this order. */
export const ENTRY_REASONS = [
  'compromised',
  'outside-writer',
  'public-write',
  'dangerous-file',
  'vulnerable-package',
  'floating-revision',
  'unpinned-deploy-workflow',
  'pull-request-target-checkout',
] as const;
export type EntryReason = (typeof ENTRY_REASONS)[number];

/** A test on one property of a candidate node, evaluated in memory over the few candidates the index gave. */
export interface CandidateTest {
  prop: string;
  /** Holds when the value is exactly this. */
  equals?: string | number | boolean;
  /** Holds when the value is a non-empty list. */
  nonEmptyList?: true;
  /** Holds when the value is a string whose lower case is in this list. */
  inCaseless?: readonly string[];
}

/**
 * An entry-point rule answered through an indexed node property: the candidates are the nodes of `kinds` holding
 * `prop` (with one of `equals`, when given) — one store look-up; those passing every `also` test qualify, or, with
 * `via`, the nodes at the far end of their `via` edges (out) do.
 */
export interface EntryNodeRule {
  reason: EntryReason;
  kinds: readonly NodeKind[];
  prop: IndexedNodeProp;
  equals?: readonly (string | boolean)[];
  also?: readonly CandidateTest[];
  via?: EdgeKind;
}

export const ENTRY_NODE_RULES: readonly EntryNodeRule[] = [
  { reason: 'public-write', kinds: ['Dataset', 'Model'], prop: 'publicWrite', equals: [true] },
  { reason: 'dangerous-file', kinds: ['File'], prop: 'scanStatus', equals: ['dangerous'] },
  // Lower or unknown severities are posture findings, not entry points: a path should start where an exploit is likely.
  { reason: 'vulnerable-package', kinds: ['Vulnerability'], prop: 'severity', also: [{ prop: 'severity', inCaseless: ['high', 'critical'] }], via: 'AFFECTS' },
  {
    reason: 'unpinned-deploy-workflow',
    kinds: ['File'],
    prop: 'workflow',
    equals: [true],
    also: [
      { prop: 'deploysTo', nonEmptyList: true },
      { prop: 'unpinnedActions', nonEmptyList: true },
    ],
  },
  { reason: 'pull-request-target-checkout', kinds: ['File'], prop: 'workflow', equals: [true], also: [{ prop: 'prTargetCheckout', equals: true }] },
];

/**
 * An entry-point rule answered through an indexed edge property: the edges of every kind that declares `prop`
 * holding it are the candidates; their `to` ends qualify when the analysis's test on the value does (for
 * `floating-revision`: a recorded revision that is not a pin, see queries/revisions.ts).
 */
export interface EntryEdgeRule {
  reason: EntryReason;
  prop: IndexedEdgeProp;
}

export const ENTRY_EDGE_RULES: readonly EntryEdgeRule[] = [{ reason: 'floating-revision', prop: 'revision' }];

/** Whether a candidate's props pass a test (see CandidateTest). */
export function candidateTestHolds(test: CandidateTest, props: Readonly<Record<string, unknown>>): boolean {
  const v = props[test.prop];
  if (test.equals !== undefined && v !== test.equals) return false;
  if (test.nonEmptyList && !(Array.isArray(v) && v.length > 0)) return false;
  if (test.inCaseless && !(typeof v === 'string' && test.inCaseless.includes(v.toLowerCase()))) return false;
  return true;
}

/** Provenance every edge carries. */
export const CONFIDENCES = ['declared', 'inferred'] as const;
export type Confidence = (typeof CONFIDENCES)[number];

/** Limits that keep one record from exhausting memory or the store. */
export const LIMITS = {
  keyLength: 2048,
  /** JSON-serialised properties of one record. */
  propsBytes: 1024 * 1024,
  /**
   * Nesting of one property value (an object in an array in an object … counts each level). Deeper values are
   * refused: JSON readers (SQLite's among them) give up somewhere past a thousand levels, and one such row would
   * fail every query that reads it.
   */
  propsDepth: 64,
} as const;

export function isNodeKind(value: unknown): value is NodeKind {
  return typeof value === 'string' && (NODE_KINDS as readonly string[]).includes(value);
}

export function isEdgeKind(value: unknown): value is EdgeKind {
  return typeof value === 'string' && (EDGE_KINDS as readonly string[]).includes(value);
}

/**
 * Key formats, and what each key means. Every key in the graph matches exactly one format; `schema/keys.ts` is the
 * one module that reads this table (parse a key, build one, its owner, its page URL, its purl, the key of a purl or
 * URL). A new source adds its formats here and nowhere else.
 *
 * `template` is the key written for people and parsed by machine: literal text, `<part>` for one segment (no `/`),
 * `<part…>` for a part that may hold `/` (a path in a repository). A one-segment part holding `/` or `%` is written
 * percent-encoded (`%2F`, `%25`) so that every key splits one way only; `keyOf` and `parseKey` do that.
 */
export interface KeyFormatSpec {
  /** Stable id, used by ingestors to build keys: `keyOf('hf-model', { owner, name })`. */
  id: string;
  kind: NodeKind;
  /** Which source owns keys of this format (the one that writes them from its own records). */
  source: SourceId;
  template: string;
  doc: string;
  /** The part naming the owning user or organisation (an identity's org, for teams). */
  owner?: string;
  /** Parts compared case-insensitively upstream are written lower-case, so every source writes one key. */
  caseInsensitive?: boolean;
  /** A part's own pattern where it is narrower than "one segment" (a commit sha, a version number). */
  partPatterns?: Readonly<Record<string, string>>;
  /** The page a person opens: `{part}` are the key's parts (URL-encoded; paths per segment), `{endpoint}` the source's. */
  url?: string;
  /** The purl it stands for (see PurlMapping); absent when there is none. */
  purl?: PurlMapping;
  /**
   * A key of this format names one immutable revision of its asset (a registry version, a logged model), so a
   * consumer that names it is pinned whatever revision its edge records.
   */
  pinsRevision?: boolean;
}

/**
 * How a key maps to a purl and back. `namespace` and `name` name key parts; the purl version is the key part
 * `version` names, else the revision the caller read (a commit sha). `qualifiers` are written and also select the
 * format when a purl is read back (`?type=dataset` → a Hub dataset).
 */
export interface PurlMapping {
  type: string;
  namespace?: readonly string[];
  name: string;
  version?: string;
  qualifiers?: Readonly<Record<string, string>>;
  /** Values of qualifiers it does not write that still select it when a purl is read (`type=model`). */
  readQualifiers?: Readonly<Record<string, readonly string[]>>;
}

export const SOURCE_IDS = ['hf', 'gh', 'mlflow', 'pypi', 'npm', 'osv', 'purl', 'local', 'sbom'] as const;
export type SourceId = (typeof SOURCE_IDS)[number];

export interface SourceSpec {
  id: SourceId;
  doc: string;
  /** Where its pages are when no endpoint is configured; absent when there is no public default (MLflow). */
  defaultWebUrl?: string;
}

export const SOURCE_SPECS: Readonly<Record<SourceId, SourceSpec>> = {
  hf: { id: 'hf', doc: 'Hugging Face Hub (or a mirror / enterprise Hub).', defaultWebUrl: 'https://huggingface.co' },
  gh: { id: 'gh', doc: 'GitHub or GitHub Enterprise Server (web origin, not the /api/v3 base).', defaultWebUrl: 'https://github.com' },
  mlflow: { id: 'mlflow', doc: 'An MLflow tracking server and model registry (its tracking URI).' },
  pypi: { id: 'pypi', doc: 'PyPI or a mirror.', defaultWebUrl: 'https://pypi.org' },
  npm: { id: 'npm', doc: 'The npm registry website.', defaultWebUrl: 'https://www.npmjs.com' },
  osv: { id: 'osv', doc: 'OSV.dev advisories.', defaultWebUrl: 'https://osv.dev' },
  purl: { id: 'purl', doc: 'A package named by its purl, whoever wrote it (registries, SBOMs, dependency graphs).' },
  local: { id: 'local', doc: 'Files scanned on this machine (`aispm scan --into-graph`).' },
  sbom: { id: 'sbom', doc: 'SBOM and AIBOM documents imported with `aispm ingest sbom` (CycloneDX, SPDX).' },
};

const HUB_FILE_SHA = '[0-9A-Za-z._-]+';
const identity = (source: 'hf' | 'gh' | 'pypi' | 'npm' | 'mlflow', type: 'user' | 'org', url?: string): KeyFormatSpec => ({
  id: `${source}-${type}`,
  kind: 'Identity',
  source,
  template: `${source}:${type}/<name>`,
  doc: `A ${type === 'user' ? 'user' : 'organisation'} of ${source}.`,
  ...(source === 'gh' ? { caseInsensitive: true } : {}),
  ...(url ? { url } : {}),
});

export const KEY_FORMATS: readonly KeyFormatSpec[] = [
  // Hugging Face Hub
  {
    id: 'hf-model', kind: 'Model', source: 'hf', template: 'hf:model/<owner>/<name>', owner: 'owner',
    doc: 'A model repository on the Hub.', url: '{endpoint}/{owner}/{name}',
    purl: { type: 'huggingface', namespace: ['owner'], name: 'name', readQualifiers: { type: ['model'] } },
  },
  {
    id: 'hf-model-legacy', kind: 'Model', source: 'hf', template: 'hf:model/<name>',
    doc: 'A legacy ownerless Hub model id (gpt2, bert-base-uncased).', url: '{endpoint}/{name}',
    purl: { type: 'huggingface', name: 'name', readQualifiers: { type: ['model'] } },
  },
  {
    id: 'hf-dataset', kind: 'Dataset', source: 'hf', template: 'hf:dataset/<owner>/<name>', owner: 'owner',
    doc: 'A dataset repository on the Hub.', url: '{endpoint}/datasets/{owner}/{name}',
    purl: { type: 'huggingface', namespace: ['owner'], name: 'name', qualifiers: { type: 'dataset' } },
  },
  {
    id: 'hf-dataset-legacy', kind: 'Dataset', source: 'hf', template: 'hf:dataset/<name>',
    doc: 'A legacy ownerless Hub dataset id (squad, imdb).', url: '{endpoint}/datasets/{name}',
    purl: { type: 'huggingface', name: 'name', qualifiers: { type: 'dataset' } },
  },
  {
    id: 'hf-space', kind: 'Endpoint', source: 'hf', template: 'hf:space/<owner>/<name>', owner: 'owner',
    doc: 'A Space (an app serving models) on the Hub.', url: '{endpoint}/spaces/{owner}/{name}',
    purl: { type: 'huggingface', namespace: ['owner'], name: 'name', qualifiers: { type: 'space' } },
  },
  // Dataset, Space and legacy files first: no Hub owner is named "datasets" or "spaces", and no repo "-".
  {
    id: 'hf-model-legacy-file', kind: 'File', source: 'hf', template: 'hf:file/<name>/-/<path…>@<sha>',
    doc: 'A file of a legacy ownerless Hub model at one commit.', partPatterns: { sha: HUB_FILE_SHA }, url: '{endpoint}/{name}/blob/{sha}/{path}',
  },
  {
    id: 'hf-dataset-legacy-file', kind: 'File', source: 'hf', template: 'hf:file/datasets/<name>/-/<path…>@<sha>',
    doc: 'A file of a legacy ownerless Hub dataset at one commit.', partPatterns: { sha: HUB_FILE_SHA }, url: '{endpoint}/datasets/{name}/blob/{sha}/{path}',
  },
  {
    id: 'hf-dataset-file', kind: 'File', source: 'hf', template: 'hf:file/datasets/<owner>/<name>/<path…>@<sha>', owner: 'owner',
    doc: 'A file of a Hub dataset at one commit.', partPatterns: { sha: HUB_FILE_SHA }, url: '{endpoint}/datasets/{owner}/{name}/blob/{sha}/{path}',
  },
  {
    id: 'hf-space-file', kind: 'File', source: 'hf', template: 'hf:file/spaces/<owner>/<name>/<path…>@<sha>', owner: 'owner',
    doc: 'A file of a Space at one commit.', partPatterns: { sha: HUB_FILE_SHA }, url: '{endpoint}/spaces/{owner}/{name}/blob/{sha}/{path}',
  },
  {
    id: 'hf-model-file', kind: 'File', source: 'hf', template: 'hf:file/<owner>/<name>/<path…>@<sha>', owner: 'owner',
    doc: 'A file of a Hub model at one commit.', partPatterns: { sha: HUB_FILE_SHA }, url: '{endpoint}/{owner}/{name}/blob/{sha}/{path}',
  },
  identity('hf', 'user', '{endpoint}/{name}'),
  identity('hf', 'org', '{endpoint}/{name}'),
  // GitHub (logins and repository names are case-insensitive there, so keys are lower-case)
  {
    id: 'gh-repo', kind: 'Repository', source: 'gh', template: 'gh:repo/<owner>/<name>', owner: 'owner', caseInsensitive: true,
    doc: 'A GitHub repository.', url: '{endpoint}/{owner}/{name}',
    purl: { type: 'github', namespace: ['owner'], name: 'name' },
  },
  {
    id: 'gh-deployment', kind: 'Endpoint', source: 'gh', template: 'gh:deployment/<owner>/<repo>/<environment>', owner: 'owner',
    caseInsensitive: true, doc: "A repository's deployment environment (what it deploys to).",
    url: '{endpoint}/{owner}/{repo}/deployments/{environment}',
  },
  {
    id: 'gh-file', kind: 'File', source: 'gh', template: 'gh:file/<owner>/<repo>/<path…>@<sha>', owner: 'owner',
    caseInsensitive: true, partPatterns: { sha: '[0-9a-f]{40}|[0-9a-f]{64}' },
    doc: 'A file committed to a GitHub repository at one commit.', url: '{endpoint}/{owner}/{repo}/blob/{sha}/{path}',
  },
  identity('gh', 'user', '{endpoint}/{name}'),
  identity('gh', 'org', '{endpoint}/{name}'),
  {
    id: 'gh-team', kind: 'Identity', source: 'gh', template: 'gh:team/<org>/<slug>', owner: 'org', caseInsensitive: true,
    doc: 'A team of a GitHub organisation.', url: '{endpoint}/orgs/{org}/teams/{slug}',
  },
  // MLflow
  {
    id: 'mlflow-model', kind: 'Model', source: 'mlflow', template: 'mlflow:model/<name>/<version>',
    doc: 'A registered model version in an MLflow registry.', url: '{endpoint}/#/models/{name}/versions/{version}',
    purl: { type: 'mlflow', name: 'name', version: 'version' }, pinsRevision: true,
  },
  {
    id: 'mlflow-logged-model', kind: 'Model', source: 'mlflow', template: 'mlflow:logged-model/<id>',
    doc: 'An MLflow 3 logged model (what a run produced, registered or not).', pinsRevision: true,
  },
  {
    id: 'mlflow-dataset', kind: 'Dataset', source: 'mlflow', template: 'mlflow:dataset/<name>@<digest>', partPatterns: { digest: '[0-9A-Za-z._-]+' },
    doc: 'A dataset an MLflow run logged as an input, by name and digest (its source is a property).',
  },
  {
    id: 'mlflow-endpoint', kind: 'Endpoint', source: 'mlflow', template: 'mlflow:endpoint/<name>',
    doc: 'A serving endpoint of an MLflow-compatible server.',
  },
  {
    id: 'mlflow-file', kind: 'File', source: 'mlflow', template: 'mlflow:file/<name>/<version>/<path…>',
    doc: "An artifact file of a registered model version (weights, MLmodel, requirements).",
  },
  {
    id: 'mlflow-logged-model-file', kind: 'File', source: 'mlflow', template: 'mlflow:logged-model-file/<id>/<path…>',
    doc: 'An artifact file of an MLflow 3 logged model that no registered version holds.',
  },
  identity('mlflow', 'user'),
  identity('mlflow', 'org'),
  // Package registries; a package at one version is its purl (pkg:type/namespace/name@version)
  {
    id: 'package', kind: 'Package', source: 'purl', template: 'pkg:<type>/<path…>@<version>',
    partPatterns: { type: '[a-z][a-z0-9.+-]*', version: '[^\\u0000-\\u001f\\u007f@]+' },
    doc: 'A package at one version, named by its purl (without qualifiers or subpath).',
  },
  identity('pypi', 'user', '{endpoint}/user/{name}/'),
  identity('pypi', 'org', '{endpoint}/org/{name}/'),
  identity('npm', 'user', '{endpoint}/~{name}'),
  identity('npm', 'org', '{endpoint}/org/{name}'),
  // Advisories
  {
    id: 'vuln', kind: 'Vulnerability', source: 'osv', template: 'vuln:<id>',
    doc: 'An advisory by its OSV id (GHSA-…, PYSEC-…, CVE-…); aliases are a property.', url: '{endpoint}/vulnerability/{id}',
  },
  // SBOM documents
  {
    id: 'sbom-service', kind: 'Endpoint', source: 'sbom', template: 'sbom:service/<name…>',
    doc: 'A service or container an SBOM names and no crawled source owns: a CycloneDX service (`group/name`), or the container image an SBOM describes (`registry/repository`, tag and digest as properties).',
  },
  // Local scans
  {
    id: 'local-file', kind: 'File', source: 'local', template: 'local:file/<sha256>/<path…>',
    partPatterns: { sha256: '[0-9a-f]{64}' },
    doc: 'A file scanned on this machine, by its content hash and its path under the scanned root.',
  },
];

/**
 * Package ecosystems by purl type: where a package's page is, and how the purl spec canonicalises names (so a purl
 * written by any tool gives the key the registry ingestor writes).
 */
export interface PurlTypeSpec {
  type: string;
  source?: SourceId;
  /** `{namespace}`, `{name}`, `{version}` decoded and URL-encoded; `{endpoint}` the source's web URL. */
  url?: string;
  /** The purl spec's canonical form: lower-case namespace/name; PyPI also turns `_` into `-`. */
  lowerCase?: boolean;
  pep503?: boolean;
}

export const PURL_TYPES: Readonly<Record<string, PurlTypeSpec>> = {
  pypi: { type: 'pypi', source: 'pypi', url: '{endpoint}/project/{name}/{version}/', lowerCase: true, pep503: true },
  npm: { type: 'npm', source: 'npm', url: '{endpoint}/package/{namespace/}{name}/v/{version}', lowerCase: true },
  github: { type: 'github', source: 'gh', lowerCase: true },
  huggingface: { type: 'huggingface', source: 'hf' },
  mlflow: { type: 'mlflow', source: 'mlflow' },
};
