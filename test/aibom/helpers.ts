/** Shared set-up for the AIBOM tests: the fixture graph in a real SQLite file, and schema validation of a BOM. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseRecords } from '../../services/records-file.ts';
import { openStore } from '../../services/store/open.ts';
import type { GraphStore } from '../../schema/store.ts';
import { validateAibom, type AibomSpec } from '../../services/aibom/index.ts';

export const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/aibom/lineage-graph.json');

export const KEYS = {
  model: 'hf:model/AcmeAI/Chat-Tuned-7B',
  merged: 'hf:model/AcmeAI/chat-merged',
  base: 'hf:model/meta/base-llm',
  code: 'hf:model/other/code-llm',
  foundation: 'hf:model/meta/foundation',
  missing: 'hf:model/ghost/vanished',
  mlflow: 'mlflow:model/CreditFraud/3',
  hostile: 'hf:model/evil/..\\..\\" onload=alert(1) <x>',
  gatedDataset: 'hf:dataset/AcmeAI/chat-prefs',
  pickle: 'hf:file/AcmeAI/Chat-Tuned-7B/pytorch_model.bin@9f2c4e6a8b0d1f3a5c7e9b1d3f5a7c9e1b3d5f7a',
  unscanned: 'hf:file/AcmeAI/Chat-Tuned-7B/config.json@9f2c4e6a8b0d1f3a5c7e9b1d3f5a7c9e1b3d5f7a',
  transformers: 'pkg:pypi/transformers@4.30.0',
  torch: 'pkg:pypi/torch@2.0.0',
  vuln: 'vuln:GHSA-aaaa-bbbb-cccc',
  space: 'hf:space/AcmeAI/chat-demo',
  basePickle: 'hf:file/meta/base-llm/training_args.bin@2222222222222222222222222222222222222222',
  gguf: 'hf:model/quant/Chat-Tuned-7B-GGUF',
  ggufImatrix: 'hf:model/quant/Chat-Tuned-7B-GGUF-imatrix',
} as const;

/** The fixture graph, written through the real store into a SQLite file at `dbPath`. */
export async function fixtureStore(dbPath: string): Promise<GraphStore> {
  const store = await openStore(`sqlite:${dbPath}`);
  await store.upsert(parseRecords(readFileSync(FIXTURE, 'utf8'), 'json', 'test:aibom'));
  return store;
}

/** Fails with the schema's own messages when the BOM is not valid CycloneDX `spec`. */
export function assertValidBom(bom: unknown, spec: AibomSpec): void {
  const result = validateAibom(bom, spec);
  assert.equal(result.valid, true, `not valid CycloneDX ${spec}:\n${result.errors.slice(0, 20).join('\n')}`);
}

type Json = Record<string, unknown>;
export const componentsOf = (bom: Json) => (bom.components ?? []) as Json[];
export const propsOf = (c: Json) => ((c.properties ?? []) as { name: string; value: string }[]);
export const propValues = (c: Json, name: string) => propsOf(c).filter((p) => p.name === name).map((p) => p.value);

/** Every URL-valued string in a document. */
export function urlsOf(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string' && /^https?:\/\//.test(value)) out.push(value);
  else if (Array.isArray(value)) for (const v of value) urlsOf(v, out);
  else if (typeof value === 'object' && value !== null) for (const v of Object.values(value)) urlsOf(v, out);
  return out;
}
