/**
 * A generated model directory for the scanner benchmark: every format the scanner knows, benign and hostile, in
 * the byte proportions a real model store has (most bytes are tensor data in zips, safetensors and GGUF; most
 * files are small pickles, configs and text). Deterministic for a (totalBytes, seed) pair.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  benignStateDictPickle,
  buildPickle,
  ggufBytes,
  maliciousPickleGlobal,
  maliciousPickleStackGlobal,
  npyBytes,
  onnxModelBytes,
  op,
  pytorchZip,
  safetensorsBytes,
} from '../../ingest/scan/build.ts';
import { createRng, type Rng } from './prng.ts';

export interface CorpusFile {
  path: string;
  size: number;
}

const MiB = 1024 * 1024;

/** Tensor bytes that are not all zeros (a CRC over zeros proves little). */
function tensorBytes(size: number, rng: Rng): Uint8Array {
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i += 512) b[i] = rng.int(256);
  return b;
}

type Maker = (rng: Rng, i: number) => { name: string; bytes: Uint8Array };

/** Each kind: its share of the total bytes and a maker for one file. */
const KINDS: ReadonlyArray<{ share: number; make: Maker }> = [
  { share: 0.34, make: (rng, i) => ({ name: `ckpt-${i}/pytorch_model.bin`, bytes: pytorchZip(benignStateDictPickle(names(rng, 40)), { tensorBytes: (20 + rng.int(20)) * MiB }) }) },
  { share: 0.25, make: (rng, i) => ({ name: `st-${i}/model.safetensors`, bytes: safetensorsBytes(shards(rng, 12, 4 * (MiB / 4 + rng.int(MiB / 4)))) }) },
  { share: 0.12, make: (rng, i) => ({ name: `gguf-${i}/model.Q4_K_M.gguf`, bytes: ggufBytes(ggufMeta(), [{ name: 'token_embd.weight', dims: [4096, 512 + rng.int(512)], ggmlType: 0 }]) }) },
  { share: 0.1, make: (rng, i) => ({ name: `legacy-${i}/model.pkl`, bytes: benignStateDictPickle(names(rng, 2000 + rng.int(4000))) }) },
  { share: 0.08, make: (rng, i) => { const n = 1024 * (256 + rng.int(256)); return { name: `emb-${i}/emb.npy`, bytes: npyBytes('<f4', [n], tensorBytes(4 * n, rng)) }; } },
  { share: 0.05, make: (rng, i) => ({ name: `onnx-${i}/model.onnx`, bytes: onnxModelBytes({ initializers: [{ name: 'w', dims: [1024, 1024], raw: tensorBytes(4 * MiB, rng) }] }) }) },
  { share: 0.03, make: (rng, i) => ({ name: `joblib-${i}/model.joblib`, bytes: gzipSync(benignStateDictPickle(names(rng, 500))) }) },
  { share: 0.02, make: (rng, i) => ({ name: `evil-${i}/${rng.pick(['model.pt', 'weights.pkl', 'danger.dat', 'data'])}`, bytes: hostile(rng, i) }) },
  { share: 0.01, make: (rng, i) => ({ name: `cfg-${i}/config.json`, bytes: new TextEncoder().encode(JSON.stringify({ architectures: ['LlamaForCausalLM'], hidden_size: 4096, note: 'x'.repeat(rng.int(4000)) })) }) },
];

function names(rng: Rng, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `model.layers.${i}.${rng.pick(['q_proj', 'k_proj', 'v_proj', 'mlp'])}.weight`);
}

function shards(rng: Rng, n: number, bytesEach: number) {
  return Array.from({ length: n }, (_, i) => ({ name: `layers.${i}.weight`, dtype: 'F32', shape: [bytesEach / 4], data: tensorBytes(bytesEach, rng) }));
}

function ggufMeta() {
  return [
    ['general.architecture', { type: 'string', value: 'llama' }],
    ['general.name', { type: 'string', value: 'bench' }],
    ['tokenizer.ggml.tokens', { type: 'array-string', value: Array.from({ length: 32000 }, (_, i) => `tok${i}`) }],
    ['tokenizer.chat_template', { type: 'string', value: "{% for m in messages %}{{ '<|' + m['role'] + '|>' + m['content'] }}{% endfor %}" }],
  ] as const;
}

function hostile(rng: Rng, i: number): Uint8Array {
  switch (i % 3) {
    case 0: return maliciousPickleGlobal();
    case 1: return pytorchZip(maliciousPickleStackGlobal('id'), { tensorBytes: rng.int(MiB) });
    default: return buildPickle([op.proto(2), op.global('sklearn.tree', 'DecisionTreeClassifier'), op.emptyTuple(), op.reduce(), op.stop()]);
  }
}

/** Writes the corpus under `dir` and lists what it wrote. */
export function writeScanCorpus(dir: string, opts: { totalBytes: number; seed: number }): CorpusFile[] {
  const rng = createRng(opts.seed);
  const files: CorpusFile[] = [];
  for (const kind of KINDS) {
    const budget = kind.share * opts.totalBytes;
    let written = 0;
    for (let i = 0; written < budget; i++) {
      const { name, bytes } = kind.make(rng, i);
      const path = join(dir, name);
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, bytes);
      files.push({ path, size: bytes.length });
      written += bytes.length;
    }
  }
  return files;
}
