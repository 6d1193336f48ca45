/**
 * The links in an AIBOM are the pages of the Hub that was read: an enterprise Hub or mirror keeps its own pages; a
 * replay or proxy that declares the Hub it imitates (as the demo's sample does) links to that Hub's pages, never to
 * its own ephemeral port, and a store read earlier through another address is relinked. The real Hub ingestor reads a
 * real replay server; the BOM is built from what it wrote.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ingestHub } from '../../ingest/huggingface/ingest.ts';
import { REPLAY_BUILDERS } from '../../ingest/huggingface/replay/builders.ts';
import { loadUniverse } from '../../ingest/huggingface/replay/load.ts';
import { startReplayServer, type ReplayServer } from '../../ingest/huggingface/replay/server.ts';
import { parseRef } from '../../ingest/huggingface/refs.ts';
import { buildAibom } from '../../services/aibom/index.ts';
import { openStore } from '../../services/store/open.ts';
import { ROOT, tempWorkspace } from '../helpers/cli.ts';
import { urlsOf } from './helpers.ts';

type Json = Record<string, unknown>;
const MODEL = 'acme/chat-7b';
const KEY = `hf:model/${MODEL}`;


describe('AIBOM links', () => {
  const ws = tempWorkspace('aispm-aibom-links-');
  let hub: ReplayServer;
  before(async () => {
    hub = await startReplayServer(loadUniverse(join(ROOT, 'test/fixtures/hf/universe.json'), REPLAY_BUILDERS));
  });
  after(async () => {
    await hub.close();
    ws.cleanup();
  });

  async function bomAfterIngest(db: string, webUrl?: string): Promise<Json> {
    const store = await openStore(`sqlite:${join(ws.dir, db)}`);
    try {
      const summary = await ingestHub(store, {
        seeds: [{ ref: parseRef(MODEL) }],
        endpoint: hub.url,
        ...(webUrl ? { webUrl } : {}),
        descendants: 0,
        scanPickles: false,
        maxScanBytes: 4096,
        concurrency: 4,
        ratePerSecond: 500,
        maxRepos: 50,
        retryBaseMs: 5,
      });
      assert.equal(summary.seedFailures.length, 0);
      return (await buildAibom(store, KEY, { deterministic: true })).bom;
    } finally {
      await store.close();
    }
  }

  it('a Hub read at its own address links to its own pages (an enterprise Hub or a mirror)', async () => {
    const bom = await bomAfterIngest('mirror.db');
    const model = (bom.metadata as Json).component as Json;
    const refs = (model.externalReferences as Json[]).map((r) => `${r.type} ${r.url}`);
    assert.ok(refs.includes(`website ${hub.url}/${MODEL}`), refs.join(', '));
    assert.deepEqual((model.supplier as Json).url, [`${hub.url}/acme`]);
  });

  it('a replay that imitates another Hub links to that Hub\'s pages, nothing to the replay\'s port', async () => {
    const bom = await bomAfterIngest('imitation.db', 'https://hub.example/');
    const model = (bom.metadata as Json).component as Json;
    const refs = (model.externalReferences as Json[]).map((r) => `${r.type} ${r.url}`);
    assert.ok(refs.includes(`website https://hub.example/${MODEL}`), refs.join(', '));
    assert.ok(refs.some((r) => r.startsWith(`distribution https://hub.example/${MODEL}/tree/`)), refs.join(', '));
    assert.deepEqual((model.supplier as Json).url, ['https://hub.example/acme']);
    const port = new URL(hub.url).host;
    assert.deepEqual(urlsOf(bom).filter((u) => u.includes(port)), []);
  });

  it('a store read before through the replay\'s own address is relinked by the next read, though no sha changed', async () => {
    const before = await bomAfterIngest('relink.db');
    assert.ok(urlsOf(before).some((u) => u.startsWith(hub.url)));
    const after = await bomAfterIngest('relink.db', 'https://hub.example');
    assert.deepEqual(urlsOf(after).filter((u) => u.startsWith(hub.url)), []);
    assert.equal(before.serialNumber === after.serialNumber, false, 'the records changed');
  });
});
