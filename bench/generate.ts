/**
 * A deterministic synthetic graph shaped like the Hugging Face Hub, for benchmarks.
 *
 * Shape (at scale 1: ≈200k models, 20k datasets, 25k spaces, 44k owners, 20k files, ≈610k edges):
 * - Model lineage is a DAG grown by preferential attachment: each new model either starts a family (a root) or
 *   derives from earlier models picked in proportion to how many children they already have, so a few bases
 *   collect thousands of derivatives, as the popular base models on the Hub do. Relations: finetune, adapter,
 *   quantized (leaves: nobody fine-tunes a quantized file), merge (two or three parents).
 * - Dataset popularity for TRAINED_ON is Zipf, so one dataset is named by a large share of model cards.
 * - Spaces serve popular models (SERVES) and read popular datasets (USES).
 * - Owners (users and orgs, Zipf-sized) can write every repo they own (CAN_WRITE); some users are members of
 *   orgs (MEMBER_OF, with write or read roles). Some models list weight files (CONTAINS).
 *
 * Everything comes from one seeded PRNG and a fixed clock, so a (scale, seed) pair always gives the same records.
 * Keys use the real formats, so the records pass validation like ingested ones.
 */
import { pathToFileURL } from 'node:url';
import type { DerivationRelation } from '../schema/model.ts';
import type { EdgeRecord, NodeRecord, RecordBatch } from '../schema/records.ts';
import { parseNumericFlags } from './lib/args.ts';
import { fmtInt, fmtMs } from './lib/format.ts';
import { createRng, paretoInt, zipfSampler, type Rng } from './lib/prng.ts';
import { timeSync } from './lib/timing.ts';

export interface HubGraphOptions {
  /** Multiplies every population; 1 gives ≈200k models and ≈610k edges. */
  scale?: number;
  seed?: number;
}

/** Population sizes for a scale; exported so that reports can state what was generated. */
export interface HubGraphSize {
  models: number;
  datasets: number;
  spaces: number;
  users: number;
  orgs: number;
}

export function hubGraphSize(scale: number): HubGraphSize {
  if (!(scale > 0)) throw new RangeError(`scale must be positive, got ${scale}`);
  const at = (n: number) => Math.max(1, Math.round(n * scale));
  return { models: at(200_000), datasets: at(20_000), spaces: at(25_000), users: at(40_000), orgs: at(4_000) };
}

/** Tunables of the shape, in one place. Probabilities are per model unless noted. */
const SHAPE = {
  /** The first models are all roots, so attachment has something to attach to. */
  seedRoots: 50,
  rootShare: 0.35,
  /** Among derived models. */
  relationMix: [
    ['finetune', 0.5],
    ['adapter', 0.2],
    ['quantized', 0.2],
    ['merge', 0.1],
  ] as ReadonlyArray<readonly [DerivationRelation, number]>,
  mergeThreeParents: 0.2,
  /**
   * Pool slots a base gains per child. With k slots per child a base is picked with weight ∝ children + 1/k, which
   * gives a degree tail ~ c^-(2 + 1/k): k = 3 lets the top bases reach thousands of derivatives at scale 1.
   */
  slotsPerChild: 3,
  datasetZipf: 1.1,
  ownerZipf: 0.8,
  /** TRAINED_ON: roots name 1–2 datasets; some finetunes and adapters name one. */
  rootSecondDataset: 0.4,
  finetuneDataset: 0.4,
  adapterDataset: 0.2,
  evaluatedOn: 0.1,
  datasetDerived: 0.05,
  spaceSecondModel: 0.3,
  spaceUsesDataset: 0.3,
  modelHasFiles: 0.1,
  userInOrg: 0.3,
  memberWriteRole: 0.4,
} as const;

const OBSERVED_AT = '2026-01-01T00:00:00.000Z';
const CREATED_BASE = Date.UTC(2021, 0, 1);
const FAMILIES = ['llama', 'mistral', 'qwen', 'gemma', 'phi', 'bert', 't5', 'whisper', 'sdxl', 'vit', 'gpt2', 'falcon'];
const LIBRARIES = ['transformers', 'peft', 'diffusers', 'sentence-transformers', 'gguf', 'timm'];
const TASKS = ['text-generation', 'text-classification', 'token-classification', 'automatic-speech-recognition', 'text-to-image', 'image-classification', 'feature-extraction'];
const LICENSES = ['apache-2.0', 'mit', 'llama3', 'cc-by-4.0', 'openrail', 'other'];
const SDKS = ['gradio', 'streamlit', 'docker', 'static'];
const SUFFIX: Record<DerivationRelation, string> = { finetune: 'ft', adapter: 'lora', quantized: 'gguf', merge: 'merge', unknown: 'x' };

interface Owner {
  name: string;
  key: string;
}

/** Everything the generator appends to, with the provenance every edge of a kind shares. */
class Sink {
  readonly nodes: NodeRecord[] = [];
  readonly edges: EdgeRecord[] = [];

  node(record: NodeRecord): void {
    this.nodes.push(record);
  }

  edge(kind: EdgeRecord['kind'], from: string, to: string, evidence: string, props?: EdgeRecord['props']): void {
    const e: EdgeRecord = { kind, from, to, source: 'hf', evidence, confidence: 'declared', observedAt: OBSERVED_AT };
    if (props) e.props = props;
    this.edges.push(e);
  }
}

/**
 * Preferential attachment: a model appears once in the pool when created and gains slots with every child, so
 * the chance of being picked as a base grows with the children it already has.
 */
class AttachmentPool {
  private readonly slots: number[] = [];
  add(model: number): void {
    this.slots.push(model);
  }
  pick(rng: Rng): number {
    return this.slots[rng.int(this.slots.length)]!;
  }
}

function pickRelation(rng: Rng): DerivationRelation {
  let u = rng.next();
  for (const [relation, share] of SHAPE.relationMix) {
    if (u < share) return relation;
    u -= share;
  }
  return 'finetune';
}

function hexSha(rng: Rng): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += (rng.int(0x100000000) >>> 0).toString(16).padStart(8, '0');
  return s;
}

function isoDay(index: number, perDay: number): string {
  return new Date(CREATED_BASE + Math.floor(index / perDay) * 86_400_000).toISOString();
}

function makeOwners(size: HubGraphSize, rng: Rng, sink: Sink): { owners: Owner[]; pickOwner: () => Owner } {
  const owners: Owner[] = [];
  for (let i = 0; i < size.orgs; i++) {
    const owner = { name: `org${i}`, key: `hf:org/org${i}` };
    owners.push(owner);
    sink.node({ kind: 'Identity', key: owner.key, props: { name: owner.name, type: 'org' } });
  }
  for (let i = 0; i < size.users; i++) {
    const owner = { name: `user${i}`, key: `hf:user/user${i}` };
    owners.push(owner);
    sink.node({ kind: 'Identity', key: owner.key, props: { name: owner.name, type: 'user' } });
  }
  // Zipf ranks over a shuffled order, so the biggest owners are a mix of orgs and users.
  const ranked = [...owners];
  for (let i = ranked.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [ranked[i], ranked[j]] = [ranked[j]!, ranked[i]!];
  }
  const rank = zipfSampler(ranked.length, SHAPE.ownerZipf, rng);
  return { owners, pickOwner: () => ranked[rank()]! };
}

function addMemberships(size: HubGraphSize, owners: readonly Owner[], rng: Rng, sink: Sink): void {
  if (size.orgs === 0) return;
  const orgRank = zipfSampler(size.orgs, SHAPE.ownerZipf, rng);
  for (let u = 0; u < size.users; u++) {
    if (!rng.chance(SHAPE.userInOrg)) continue;
    const user = owners[size.orgs + u]!;
    const org = owners[orgRank()]!;
    sink.edge('MEMBER_OF', user.key, org.key, 'org.members', { role: rng.chance(SHAPE.memberWriteRole) ? 'write' : 'read' });
  }
}

function addDatasets(size: HubGraphSize, pickOwner: () => Owner, datasetRank: () => number, rng: Rng, sink: Sink): string[] {
  const keys: string[] = [];
  for (let i = 0; i < size.datasets; i++) {
    const owner = pickOwner();
    const name = `data-${i}`;
    const key = `hf:dataset/${owner.name}/${name}`;
    keys.push(key);
    sink.node({
      kind: 'Dataset',
      key,
      props: { name, author: owner.name, downloads: paretoInt(rng, 1.1, 50_000_000), license: rng.pick(LICENSES), gated: rng.chance(0.05) ? 'manual' : false, createdAt: isoDay(i, 20) },
    });
    sink.edge('CAN_WRITE', owner.key, key, 'repo.author', { role: 'owner' });
  }
  // Derived datasets point at a more popular (lower-ranked, earlier) one, which keeps this part a DAG too.
  for (let i = 1; i < size.datasets; i++) {
    if (!rng.chance(SHAPE.datasetDerived)) continue;
    const base = datasetRank();
    if (base < i) sink.edge('DERIVED_FROM', keys[i]!, keys[base]!, 'cardData.source_datasets', { relation: 'unknown' });
  }
  return keys;
}

function addModels(size: HubGraphSize, pickOwner: () => Owner, datasets: readonly string[], datasetRank: () => number, rng: Rng, sink: Sink): { keys: string[]; pool: AttachmentPool } {
  const keys: string[] = [];
  const pool = new AttachmentPool();
  const trainedOn = (model: string, count: number) => {
    const seen = new Set<number>();
    for (let j = 0; j < count; j++) {
      const d = datasetRank();
      if (seen.has(d)) continue;
      seen.add(d);
      sink.edge('TRAINED_ON', model, datasets[d]!, 'cardData.datasets');
    }
  };
  for (let i = 0; i < size.models; i++) {
    const owner = pickOwner();
    const root = i < SHAPE.seedRoots || rng.chance(SHAPE.rootShare);
    const relation = root ? undefined : pickRelation(rng);
    const family = FAMILIES[i % FAMILIES.length]!;
    const name = `${family}-${relation ? SUFFIX[relation] : 'base'}-${i}`;
    const key = `hf:model/${owner.name}/${name}`;
    keys.push(key);
    const library = relation === 'adapter' ? 'peft' : relation === 'quantized' ? 'gguf' : rng.pick(LIBRARIES);
    sink.node({
      kind: 'Model',
      key,
      props: {
        name,
        author: owner.name,
        downloads: paretoInt(rng, 0.9, 100_000_000),
        likes: paretoInt(rng, 1.2, 50_000),
        library,
        pipelineTag: rng.pick(TASKS),
        license: rng.pick(LICENSES),
        createdAt: isoDay(i, 150),
      },
    });
    sink.edge('CAN_WRITE', owner.key, key, 'repo.author', { role: 'owner' });

    if (relation) {
      const parents = new Set<number>([pool.pick(rng)]);
      if (relation === 'merge') {
        const want = rng.chance(SHAPE.mergeThreeParents) ? 3 : 2;
        for (let tries = 0; parents.size < want && tries < 10; tries++) parents.add(pool.pick(rng));
      }
      for (const p of parents) {
        sink.edge('DERIVED_FROM', key, keys[p]!, 'cardData.base_model', { relation });
        for (let k = 0; k < SHAPE.slotsPerChild; k++) pool.add(p);
      }
    }
    if (root) trainedOn(key, rng.chance(SHAPE.rootSecondDataset) ? 2 : 1);
    else if (relation === 'finetune' && rng.chance(SHAPE.finetuneDataset)) trainedOn(key, 1);
    else if (relation === 'adapter' && rng.chance(SHAPE.adapterDataset)) trainedOn(key, 1);
    if (rng.chance(SHAPE.evaluatedOn)) sink.edge('EVALUATED_ON', key, datasets[datasetRank()]!, 'model-index');
    // Quantized exports are leaves in practice: they are served, not fine-tuned further.
    if (relation !== 'quantized') pool.add(i);

    if (rng.chance(SHAPE.modelHasFiles)) {
      const pickle = rng.chance(0.15);
      const path = relation === 'quantized' ? `${name}.Q4_K_M.gguf` : pickle ? 'pytorch_model.bin' : 'model.safetensors';
      const format = relation === 'quantized' ? 'gguf' : pickle ? 'pickle' : 'safetensors';
      const size = paretoInt(rng, 1.0, 100_000) * 1_000_000;
      const fileKey = `hf:file/${owner.name}/${name}/${path}@${hexSha(rng)}`;
      sink.node({ kind: 'File', key: fileKey, props: { path, size, format, formatSource: 'name' } });
      sink.edge('CONTAINS', key, fileKey, 'siblings', { size, format });
    }
  }
  return { keys, pool };
}

function addSpaces(size: HubGraphSize, pickOwner: () => Owner, models: readonly string[], pool: AttachmentPool, datasets: readonly string[], datasetRank: () => number, rng: Rng, sink: Sink): void {
  for (let i = 0; i < size.spaces; i++) {
    const owner = pickOwner();
    const name = `space-${i}`;
    const key = `hf:space/${owner.name}/${name}`;
    sink.node({ kind: 'Endpoint', key, props: { name, author: owner.name, sdk: rng.pick(SDKS), likes: paretoInt(rng, 1.2, 20_000) } });
    sink.edge('CAN_WRITE', owner.key, key, 'repo.author', { role: 'owner' });
    const served = new Set<number>([pool.pick(rng)]);
    if (rng.chance(SHAPE.spaceSecondModel)) served.add(pool.pick(rng));
    for (const m of served) sink.edge('SERVES', key, models[m]!, 'space.models');
    if (rng.chance(SHAPE.spaceUsesDataset)) sink.edge('USES', key, datasets[datasetRank()]!, 'space.datasets');
  }
}

/** The whole graph as one batch: every node (identities, datasets, models with their files, spaces), then every edge. */
export function generateHubGraph(options: HubGraphOptions = {}): RecordBatch {
  const { scale = 1, seed = 42 } = options;
  const size = hubGraphSize(scale);
  const rng = createRng(seed);
  const sink = new Sink();
  const { owners, pickOwner } = makeOwners(size, rng, sink);
  addMemberships(size, owners, rng, sink);
  const datasetRank = zipfSampler(size.datasets, SHAPE.datasetZipf, rng);
  const datasets = addDatasets(size, pickOwner, datasetRank, rng, sink);
  const { keys: models, pool } = addModels(size, pickOwner, datasets, datasetRank, rng, sink);
  addSpaces(size, pickOwner, models, pool, datasets, datasetRank, rng, sink);
  return { nodes: sink.nodes, edges: sink.edges };
}

/** The dataset most models are trained on (ties broken by key, so the answer is stable). */
export function mostPopularDataset(batch: RecordBatch): string {
  const count = new Map<string, number>();
  for (const e of batch.edges) if (e.kind === 'TRAINED_ON') count.set(e.to, (count.get(e.to) ?? 0) + 1);
  let best: string | undefined;
  let bestCount = -1;
  for (const [key, n] of count) {
    if (n > bestCount || (n === bestCount && key < best!)) {
      best = key;
      bestCount = n;
    }
  }
  if (best === undefined) throw new Error('the batch has no TRAINED_ON edges, so no dataset is popular');
  return best;
}

/** Counts per node and edge kind, for printing what was generated. */
export function countByKind(batch: RecordBatch): { nodes: Record<string, number>; edges: Record<string, number> } {
  const nodes: Record<string, number> = {};
  const edges: Record<string, number> = {};
  for (const n of batch.nodes) nodes[n.kind] = (nodes[n.kind] ?? 0) + 1;
  for (const e of batch.edges) edges[e.kind] = (edges[e.kind] ?? 0) + 1;
  return { nodes, edges };
}

/** `node --import tsx bench/generate.ts [--scale 1] [--seed 42]` prints what the generator makes and how fast. */
async function main(): Promise<void> {
  const { scale, seed } = parseNumericFlags(process.argv.slice(2), { scale: 1, seed: 42 });
  const { ms, value: batch } = timeSync(() => generateHubGraph({ scale, seed }));
  const counts = countByKind(batch);
  console.log(`generated scale ${scale} seed ${seed} in ${fmtMs(ms)}: ${fmtInt(batch.nodes.length)} nodes, ${fmtInt(batch.edges.length)} edges`);
  for (const [kind, n] of Object.entries(counts.nodes)) console.log(`  node ${kind.padEnd(14)} ${fmtInt(n).padStart(10)}`);
  for (const [kind, n] of Object.entries(counts.edges)) console.log(`  edge ${kind.padEnd(14)} ${fmtInt(n).padStart(10)}`);
  const popular = mostPopularDataset(batch);
  const trained = batch.edges.filter((e) => e.kind === 'TRAINED_ON' && e.to === popular).length;
  const children = new Map<string, number>();
  for (const e of batch.edges) if (e.kind === 'DERIVED_FROM') children.set(e.to, (children.get(e.to) ?? 0) + 1);
  console.log(`  most popular dataset ${popular} (${fmtInt(trained)} models trained on it); most children of one base: ${fmtInt(Math.max(0, ...children.values()))}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error((err as Error).message);
    process.exitCode = 2;
  });
}
