/**
 * The AIBOMs of the demo's graph, as a user makes them after `aispm demo`: every BOM valid CycloneDX 1.6 and 1.7, the
 * dangerous pickle listed as a vulnerability of the model that ships it, every link a page of the public Hub the
 * bundled sample imitates (read from the sample itself), none to the replay server that is gone after the demo.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadUniverse } from '../../ingest/huggingface/replay/load.ts';
import { SAMPLE_UNIVERSE } from '../../services/demo/sample.ts';
import { runCli, tempWorkspace } from '../helpers/cli.ts';
import { assertValidBom, urlsOf } from './helpers.ts';

type Json = Record<string, unknown>;


describe('AIBOMs of the demo', () => {
  const ws = tempWorkspace('aispm-aibom-demo-');
  const boms = new Map<string, Map<string, Json>>();
  before(async () => {
    const demo = await runCli(['demo', '--store', ws.store, '--json'], { env: { HF_ENDPOINT: 'http://127.0.0.1:9', HF_TOKEN: undefined } });
    assert.equal(demo.code, 0, demo.stderr);
    for (const spec of ['1.6', '1.7']) {
      const dir = join(ws.dir, spec);
      const r = await runCli(['bom', '--all', '--out', dir, '--spec', spec, '--deterministic', '--store', ws.store]);
      assert.equal(r.code, 0, r.stderr);
      const bySubject = new Map<string, Json>();
      for (const f of readdirSync(dir)) {
        const doc = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Json;
        bySubject.set(((doc.metadata as Json).component as Json)['bom-ref'] as string, doc);
      }
      boms.set(spec, bySubject);
    }
  });
  after(() => ws.cleanup());

  it('every model has a BOM valid against the official 1.6 and 1.7 schemas', () => {
    for (const [spec, bySubject] of boms) {
      assert.equal(bySubject.size, 10);
      for (const doc of bySubject.values()) assertValidBom(doc, spec as '1.6' | '1.7');
    }
  });

  it('the dangerous pickle is a vulnerability of nw-chat-7b: critical, CWE-502, affecting the file and the model', () => {
    const doc = boms.get('1.6')!.get('hf:model/northwind-ai/nw-chat-7b')!;
    const pickle = (doc.vulnerabilities as Json[]).find((v) => String(v.id).startsWith('pickle-dangerous:'))!;
    assert.deepEqual(pickle.cwes, [502]);
    assert.equal((pickle.ratings as Json[])[0]!.severity, 'critical');
    assert.match(String(pickle.description), /pytorch_model\.bin .*imports os\.system/);
    const affects = (pickle.affects as Json[]).map((a) => a.ref as string);
    assert.ok(affects.includes('hf:model/northwind-ai/nw-chat-7b'));
    assert.ok(affects.some((ref) => ref.startsWith('hf:file/northwind-ai/nw-chat-7b/pytorch_model.bin@')));
    // Its quantization carries it as risky lineage.
    const gguf = boms.get('1.6')!.get('hf:model/quantsmith/nw-chat-7b-GGUF')!;
    assert.ok((gguf.vulnerabilities as Json[]).some((v) => v.id === pickle.id));
  });

  it('links are the pages of the Hub the sample imitates, never a loopback address', () => {
    const imitated = loadUniverse(SAMPLE_UNIVERSE).imitates!;
    assert.match(imitated, /^https:\/\//);
    for (const doc of boms.get('1.6')!.values()) {
      const urls = urlsOf(doc);
      assert.deepEqual(urls.filter((u) => /^https?:\/\/(127\.|localhost|\[::1\])/.test(u)), []);
      const model = (doc.metadata as Json).component as Json;
      const website = (model.externalReferences as Json[]).find((r) => r.type === 'website')!.url as string;
      assert.ok(website.startsWith(`${imitated}/`), website);
    }
  });
});
