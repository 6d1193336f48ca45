/**
 * The README's upgrade path, `aispm export` then `aispm import` into a new store, keeps sync ownership: after the
 * restore, the next `ingest hf` still removes what upstream dropped, exactly as it would have in the original store.
 * The control case (the same export with its owners taken out) shows the test can fail: nothing is swept.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPLAY_BUILDERS } from '../../ingest/huggingface/replay/builders.ts';
import { startReplayServer, type ReplayServer } from '../../ingest/huggingface/replay/server.ts';
import { Universe, type Json } from '../../ingest/huggingface/replay/universe.ts';
import { runCli, tempWorkspace } from '../helpers/cli.ts';
import { edgeSet, exportStore } from './harness.ts';

const OLD = `01d${'1'.repeat(37)}`;
const NEW = `0e2${'1'.repeat(37)}`;

function body(sha: string, trainedOn: boolean, files: string[]): Json {
  return {
    _id: '66c00000000000000000b001', id: 'acme/tuned', author: 'acme', sha, private: false, gated: false, disabled: false,
    lastModified: '2025-01-01T00:00:00.000Z', library_name: 'transformers',
    tags: ['transformers', ...(trainedOn ? ['dataset:acme/old-data'] : [])],
    cardData: { license: 'mit', ...(trainedOn ? { datasets: ['acme/old-data'] } : {}) },
    siblings: files.map((rfilename) => ({ rfilename })),
  };
}

const hubAt = (sha: string, trainedOn: boolean, files: string[]): Promise<ReplayServer> =>
  startReplayServer(new Universe({ owners: { acme: 'org' }, models: [body(sha, trainedOn, files)] }, REPLAY_BUILDERS));

const ingestArgs = (hub: ReplayServer, store: string) => ['ingest', 'hf', 'acme/tuned', '--descendants', '0', '--endpoint', hub.url, '--store', store, '--rate', '500', '--retry-base-ms', '5'];

describe('export → import keeps sync ownership', () => {
  let oldHub: ReplayServer;
  let newHub: ReplayServer;
  const ws = tempWorkspace('aispm-restore-');
  const exported = join(ws.dir, 'backup.ndjson');

  before(async () => {
    oldHub = await hubAt(OLD, true, ['config.json', 'old-weights.bin']);
    newHub = await hubAt(NEW, false, ['config.json', 'model.safetensors']);
    const first = await runCli(ingestArgs(oldHub, ws.store));
    assert.equal(first.code, 0, first.stderr);
    const out = await runCli(['export', '--store', ws.store, '--out', exported]);
    assert.equal(out.code, 0, out.stderr);
  });
  after(async () => {
    await oldHub?.close();
    await newHub?.close();
    ws.cleanup();
  });

  it('writes each record with the sync that owns it', () => {
    const records = readFileSync(exported, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const model = records.find((r) => r.key === 'hf:model/acme/tuned');
    assert.equal(model.owner.source, 'hf');
    assert.equal(model.owner.scope, 'hf:model/acme/tuned');
    assert.match(model.owner.syncId, /\S/);
    const trained = records.find((r) => r.type === 'edge' && r.kind === 'TRAINED_ON');
    assert.deepEqual(trained.owner, model.owner);
  });

  it('a restored store sweeps what upstream deleted on the next ingest', async () => {
    const restored = join(ws.dir, 'restored.db');
    const imp = await runCli(['import', exported, '--store', restored]);
    assert.equal(imp.code, 0, imp.stderr);
    assert.deepEqual(edgeSet(await exportStore(restored), 'TRAINED_ON'), ['hf:model/acme/tuned -> hf:dataset/acme/old-data']);

    const rerun = await runCli(ingestArgs(newHub, restored));
    assert.equal(rerun.code, 0, rerun.stderr);
    const after = await exportStore(restored);
    assert.deepEqual(edgeSet(after, 'TRAINED_ON'), [], 'the TRAINED_ON edge upstream dropped is gone');
    assert.ok(![...after.nodes.keys()].some((k) => k.includes('old-weights.bin')), 'the file upstream dropped is gone');
    assert.ok([...after.nodes.keys()].some((k) => k.includes('model.safetensors')), 'the new file is there');
  });

  it('control: the same export without owners leaves the deleted lineage behind', async () => {
    const stripped = join(ws.dir, 'no-owners.ndjson');
    const lines = readFileSync(exported, 'utf8').split('\n').filter(Boolean).map((l) => {
      const { owner: _owner, ...rest } = JSON.parse(l);
      return JSON.stringify(rest);
    });
    writeFileSync(stripped, `${lines.join('\n')}\n`);
    const restored = join(ws.dir, 'restored-without-owners.db');
    assert.equal((await runCli(['import', stripped, '--store', restored])).code, 0);
    assert.equal((await runCli(ingestArgs(newHub, restored))).code, 0);
    assert.deepEqual(edgeSet(await exportStore(restored), 'TRAINED_ON'), ['hf:model/acme/tuned -> hf:dataset/acme/old-data']);
  });

  it('refuses a records file whose owner is malformed, naming the record, and writes nothing', async () => {
    const bad = join(ws.dir, 'bad-owner.ndjson');
    writeFileSync(bad, `${JSON.stringify({ type: 'node', kind: 'Model', key: 'hf:model/acme/x', owner: { source: 'hf', scope: "x' OR 1=1 --", syncId: 7 } })}\n`);
    const target = join(ws.dir, 'bad.db');
    const r = await runCli(['import', bad, '--store', target]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /line 1 \(hf:model\/acme\/x\): owner\.syncId must be a non-empty string/);
    const stats = await runCli(['stats', '--store', target]);
    assert.equal(stats.code, 2);
    assert.match(stats.stderr, /no store at/, 'the refused import did not even create the store');
  });
});
