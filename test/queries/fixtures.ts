/**
 * Hand-built graphs for the analysis tests. Every expected answer in the tests was worked out by hand from these.
 */
import type { EdgeRecord, NodeRecord, Props, RecordBatch } from '../../schema/records.ts';

const at = '2026-01-01T00:00:00.000Z';

export function edge(kind: EdgeRecord['kind'], from: string, to: string, props?: Props, extra: Partial<EdgeRecord> = {}): EdgeRecord {
  return { kind, from, to, source: 'test', evidence: 'fixture', confidence: 'declared', observedAt: at, ...(props ? { props } : {}), ...extra };
}

export const model = (name: string, owner = 'acme') => `hf:model/${owner}/${name}`;
export const dataset = (name: string, owner = 'acme') => `hf:dataset/${owner}/${name}`;
export const space = (name: string, owner = 'acme') => `hf:space/${owner}/${name}`;

/**
 * Lineage graph:
 *   data ←TRAINED_ON— A, B;  data ←EVALUATED_ON— E
 *   C —DERIVED_FROM(merge)→ A and B;  Q —(quantized)→ C;  AD —(adapter)→ C
 *   S1 —SERVES→ C;  S2 —SERVES→ AD
 *   alice —CAN_WRITE(admin)→ S1, alice —MEMBER_OF(member)→ acme;  bob —CAN_WRITE(write)→ S2
 *   carol —MEMBER_OF(read)→ acme;  dave —MEMBER_OF(write)→ acme;  acme —CAN_WRITE(admin)→ A
 *   dataset cycle: D1 ⇄ D2 (DERIVED_FROM both ways), D3 → D2, M2 —TRAINED_ON→ D3
 */
export const G = {
  data: dataset('data'),
  A: model('a'),
  B: model('b'),
  C: model('c'),
  E: model('e'),
  Q: model('q'),
  AD: model('ad'),
  S1: space('s1'),
  S2: space('s2'),
  alice: 'hf:user/alice',
  bob: 'hf:user/bob',
  carol: 'hf:user/carol',
  dave: 'hf:user/dave',
  acme: 'hf:org/acme',
  D1: dataset('d1'),
  D2: dataset('d2'),
  D3: dataset('d3'),
  M2: model('m2'),
};

export function lineageGraph(): RecordBatch {
  const nodes: NodeRecord[] = [
    { kind: 'Dataset', key: G.data },
    ...[G.A, G.B, G.C, G.E, G.Q, G.AD, G.M2].map((key) => ({ kind: 'Model' as const, key })),
    { kind: 'Endpoint', key: G.S1 },
    { kind: 'Endpoint', key: G.S2 },
    ...[G.alice, G.bob, G.carol, G.dave].map((key) => ({ kind: 'Identity' as const, key, props: { type: 'user' } })),
    { kind: 'Identity', key: G.acme, props: { type: 'org' } },
    ...[G.D1, G.D2, G.D3].map((key) => ({ kind: 'Dataset' as const, key })),
  ];
  const edges = [
    edge('TRAINED_ON', G.A, G.data),
    edge('TRAINED_ON', G.B, G.data),
    edge('EVALUATED_ON', G.E, G.data),
    edge('DERIVED_FROM', G.C, G.A, { relation: 'merge' }),
    edge('DERIVED_FROM', G.C, G.B, { relation: 'merge' }),
    edge('DERIVED_FROM', G.Q, G.C, { relation: 'quantized' }),
    edge('DERIVED_FROM', G.AD, G.C, { relation: 'adapter' }),
    edge('SERVES', G.S1, G.C),
    edge('SERVES', G.S2, G.AD),
    edge('CAN_WRITE', G.alice, G.S1, { role: 'admin' }),
    edge('MEMBER_OF', G.alice, G.acme, { role: 'member' }),
    edge('CAN_WRITE', G.bob, G.S2, { role: 'write' }),
    edge('MEMBER_OF', G.carol, G.acme, { role: 'read' }),
    edge('MEMBER_OF', G.dave, G.acme, { role: 'write' }),
    edge('CAN_WRITE', G.acme, G.A, { role: 'admin' }),
    edge('DERIVED_FROM', G.D1, G.D2, { relation: 'unknown' }),
    edge('DERIVED_FROM', G.D2, G.D1, { relation: 'unknown' }),
    edge('DERIVED_FROM', G.D3, G.D2, { relation: 'unknown' }),
    edge('TRAINED_ON', G.M2, G.D3),
  ];
  return { nodes, edges };
}

/**
 * Attack-path graph (compromise direction → , likelihoods from the model):
 *   file (dangerous pickle) →CONTAINS .95→ chat →SERVES .95→ prod
 *   open (publicWrite)      →TRAINED_ON .7→ chat
 *   torch (vulnerable)      →DEPENDS_ON .6→ chat
 *   mallory (org evil)      →CAN_WRITE .5→ sft →TRAINED_ON .7→ chat
 *   ann (org acme) →CAN_WRITE→ chat, ben (member of acme, write) →CAN_WRITE→ sft : insiders, not entry points
 *   anyone (tagged anyone) →CAN_WRITE→ wiki : entry points, but nothing reaches prod from there
 *   chat —DERIVED_FROM(finetune)→ base (meta)
 *   prod SERVES chat at "main": chat itself is an entry point (floating-revision), one step from prod
 */
export const P = {
  prod: space('prod'),
  chat: model('chat'),
  base: model('base', 'meta'),
  file: 'hf:file/acme/chat/pytorch_model.bin@abc',
  open: dataset('open'),
  sft: dataset('sft'),
  wiki: dataset('wiki'),
  torch: 'pkg:pypi/torch@1.0.0',
  vuln: 'vuln:GHSA-xxxx-yyyy-zzzz',
  mallory: 'hf:user/mallory',
  ann: 'hf:user/ann',
  ben: 'hf:user/ben',
  anyone: 'hf:user/anyone',
  acme: 'hf:org/acme',
};

export function attackGraph(): RecordBatch {
  const nodes: NodeRecord[] = [
    { kind: 'Endpoint', key: P.prod },
    { kind: 'Model', key: P.chat },
    { kind: 'Model', key: P.base },
    { kind: 'File', key: P.file, props: { format: 'pytorch-zip', scanStatus: 'dangerous', scanGlobals: ['os.system'] } },
    { kind: 'Dataset', key: P.open, props: { publicWrite: true } },
    { kind: 'Dataset', key: P.sft },
    { kind: 'Dataset', key: P.wiki },
    { kind: 'Package', key: P.torch },
    { kind: 'Vulnerability', key: P.vuln, props: { severity: 'high' } },
    { kind: 'Identity', key: P.mallory, props: { type: 'user', org: 'evil' } },
    { kind: 'Identity', key: P.ann, props: { type: 'user', org: 'acme' } },
    { kind: 'Identity', key: P.ben, props: { type: 'user' } },
    { kind: 'Identity', key: P.anyone, props: { type: 'user', analystTags: ['anyone'] } },
    { kind: 'Identity', key: P.acme, props: { type: 'org' } },
  ];
  const edges = [
    edge('SERVES', P.prod, P.chat, { revision: 'main' }, { source: 'hf', evidence: 'space.models' }),
    edge('CONTAINS', P.chat, P.file),
    edge('TRAINED_ON', P.chat, P.open),
    edge('TRAINED_ON', P.chat, P.sft, undefined, { source: 'hf', evidence: 'cardData.datasets' }),
    edge('DEPENDS_ON', P.chat, P.torch),
    edge('AFFECTS', P.vuln, P.torch),
    edge('CAN_WRITE', P.mallory, P.sft, { role: 'write' }, { source: 'hf', evidence: 'collaborators' }),
    edge('CAN_WRITE', P.ann, P.chat, { role: 'write' }),
    edge('MEMBER_OF', P.ben, P.acme, { role: 'write' }),
    edge('CAN_WRITE', P.ben, P.sft, { role: 'write' }),
    edge('CAN_WRITE', P.anyone, P.wiki, { role: 'write' }),
    edge('DERIVED_FROM', P.chat, P.base, { relation: 'finetune' }),
  ];
  return { nodes, edges };
}

/** A full commit sha (40 hex) and a SHA-256 one (64 hex): pinned revisions. */
export const SHA1 = '0123456789abcdef0123456789abcdef01234567';
export const SHA256 = 'fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210';

/**
 * Posture graph: see the findings expectations in analysis-suite.ts (one positive and at least one negative per rule).
 *
 * Revisions: app —SERVES (no revision)→ served;  trainer —USES "main"→ train;  trainer —USES "master"→ served
 *   (all three float);  demo —SERVES sha1→ root;  internal —SERVES sha1→ privateModel;  pipeline —USES sha256→ lonely
 *   (pinned).
 * Gated data: served —TRAINED_ON→ open (gated false), licensed (gated "auto"), internalData (private);
 *   mid —TRAINED_ON→ train (gated "manual"; reaches served through served → mid);  privateModel (private, served by
 *   internal) —TRAINED_ON→ consented (gated "manual").
 */
export const F = {
  app: space('app'),
  demo: space('demo', 'up'),
  served: model('served'),
  mid: model('mid'),
  root: model('root', 'up'),
  lonely: model('lonely'),
  strictChild: model('strict-child'),
  permBase: model('perm-base'),
  goneBase: model('base', 'gone'),
  goneUnused: model('unused', 'gone'),
  orphan: model('orphan'),
  rootPickle: 'hf:file/up/root/model.pkl@1',
  midBin: 'hf:file/acme/mid/pytorch_model.bin@3',
  servedSafe: 'hf:file/acme/served/model.safetensors@2',
  lonelyPickle: 'hf:file/acme/lonely/evil.pkl@4',
  transformers: 'pkg:pypi/transformers@4.0.0',
  numpy: 'pkg:pypi/numpy@1.0.0',
  safePkg: 'pkg:pypi/safe@1.0.0',
  /** Vulnerable, and reached only through safePkg: a transitive dependency of the served model. */
  deep: 'pkg:pypi/deep@1.0.0',
  vulnA: 'vuln:GHSA-aaaa',
  vulnB: 'vuln:GHSA-bbbb',
  vulnC: 'vuln:GHSA-cccc',
  train: dataset('train'),
  open: dataset('open'),
  licensed: dataset('licensed'),
  internalData: dataset('internal-data'),
  consented: dataset('consented'),
  internal: space('internal'),
  privateModel: model('private-tuned'),
  trainer: 'gh:repo/acme/trainer',
  pipeline: 'gh:repo/acme/pipeline',
  mallory: 'hf:user/mallory',
  insider: 'hf:user/insider',
  upman: 'hf:user/upman',
  acme: 'hf:org/acme',
  up: 'hf:org/up',
};

export function postureGraph(): RecordBatch {
  const nodes: NodeRecord[] = [
    { kind: 'Endpoint', key: F.app },
    { kind: 'Endpoint', key: F.demo },
    { kind: 'Model', key: F.served, props: { license: 'mit', customCode: true } },
    { kind: 'Model', key: F.mid, props: { license: 'llama3' } },
    { kind: 'Model', key: F.root, props: { license: 'cc-by-nc-4.0' } },
    { kind: 'Model', key: F.lonely, props: { customCode: true } },
    { kind: 'Model', key: F.strictChild, props: { license: 'gpl-3.0' } },
    { kind: 'Model', key: F.permBase, props: { license: 'apache-2.0' } },
    { kind: 'Model', key: F.goneBase, props: { missing: true } },
    { kind: 'Model', key: F.goneUnused, props: { missing: true } },
    { kind: 'Model', key: F.orphan },
    { kind: 'File', key: F.rootPickle, props: { format: 'pickle', scanStatus: 'dangerous' } },
    { kind: 'File', key: F.midBin, props: { format: 'pytorch-zip' } },
    { kind: 'File', key: F.servedSafe, props: { format: 'safetensors' } },
    { kind: 'File', key: F.lonelyPickle, props: { format: 'pickle', scanStatus: 'dangerous' } },
    { kind: 'Package', key: F.transformers },
    { kind: 'Package', key: F.numpy },
    { kind: 'Package', key: F.safePkg },
    { kind: 'Package', key: F.deep },
    { kind: 'Vulnerability', key: F.vulnA, props: { severity: 'critical', summary: 'code execution' } },
    { kind: 'Vulnerability', key: F.vulnB, props: { severity: 'critical' } },
    { kind: 'Vulnerability', key: F.vulnC, props: { severity: 'medium' } },
    { kind: 'Dataset', key: F.train, props: { gated: 'manual' } },
    { kind: 'Dataset', key: F.open, props: { publicWrite: true, gated: false } },
    { kind: 'Dataset', key: F.licensed, props: { gated: 'auto' } },
    { kind: 'Dataset', key: F.internalData, props: { private: true } },
    { kind: 'Dataset', key: F.consented, props: { gated: 'manual' } },
    { kind: 'Endpoint', key: F.internal },
    { kind: 'Model', key: F.privateModel, props: { private: true } },
    { kind: 'Repository', key: F.trainer },
    { kind: 'Repository', key: F.pipeline },
    { kind: 'Identity', key: F.mallory, props: { org: 'evil' } },
    { kind: 'Identity', key: F.insider },
    { kind: 'Identity', key: F.upman },
    { kind: 'Identity', key: F.acme, props: { type: 'org' } },
    { kind: 'Identity', key: F.up, props: { type: 'org' } },
  ];
  const edges = [
    edge('SERVES', F.app, F.served),
    edge('SERVES', F.demo, F.root, { revision: SHA1 }),
    edge('SERVES', F.internal, F.privateModel, { revision: SHA1 }),
    edge('USES', F.trainer, F.train, { revision: 'main' }),
    edge('USES', F.trainer, F.served, { revision: 'master' }),
    edge('USES', F.pipeline, F.lonely, { revision: SHA256 }),
    edge('TRAINED_ON', F.served, F.licensed),
    edge('TRAINED_ON', F.served, F.internalData),
    edge('TRAINED_ON', F.privateModel, F.consented),
    edge('DERIVED_FROM', F.served, F.mid, { relation: 'finetune' }),
    edge('DERIVED_FROM', F.mid, F.root, { relation: 'finetune' }),
    edge('DERIVED_FROM', F.strictChild, F.permBase, { relation: 'finetune' }),
    edge('DERIVED_FROM', F.orphan, F.goneBase, { relation: 'finetune' }),
    edge('CONTAINS', F.root, F.rootPickle),
    edge('CONTAINS', F.mid, F.midBin),
    edge('CONTAINS', F.served, F.servedSafe),
    edge('CONTAINS', F.lonely, F.lonelyPickle),
    edge('DEPENDS_ON', F.served, F.transformers),
    edge('DEPENDS_ON', F.served, F.safePkg),
    edge('DEPENDS_ON', F.lonely, F.numpy),
    edge('AFFECTS', F.vulnA, F.transformers),
    edge('AFFECTS', F.vulnB, F.numpy),
    edge('DEPENDS_ON', F.safePkg, F.deep),
    edge('AFFECTS', F.vulnC, F.deep),
    edge('TRAINED_ON', F.mid, F.train),
    edge('TRAINED_ON', F.served, F.open),
    edge('CAN_WRITE', F.mallory, F.train, { role: 'write' }),
    edge('MEMBER_OF', F.insider, F.acme, { role: 'write' }),
    edge('CAN_WRITE', F.insider, F.served, { role: 'write' }),
    edge('MEMBER_OF', F.upman, F.up, { role: 'admin' }),
    edge('CAN_WRITE', F.upman, F.root, { role: 'admin' }),
  ];
  return { nodes, edges };
}
