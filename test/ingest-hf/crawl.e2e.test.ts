/**
 * `aispm ingest hf` as a user runs it, against a local replay Hub serving the test universe
 * (test/fixtures/hf/universe.json): one seed dataset, --descendants 2, --scan-pickles.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ReplayServer } from '../../ingest/huggingface/replay/server.ts';
import { runCli, tempWorkspace, type CliResult } from '../helpers/cli.ts';
import { TOKEN, edgeSet, exportStore, ingest, startTestHub, withoutSyncIds, type Exported } from './harness.ts';

describe('aispm ingest hf: crawl from a seed dataset', () => {
  const ws = tempWorkspace('aispm-hf-');
  let hub: ReplayServer;
  let first: CliResult;
  let summary: any;
  let graph: Exported;

  before(async () => {
    hub = await startTestHub();
    first = await ingest(hub, ws.store, ['--json']);
    assert.equal(first.code, 0, first.stderr);
    summary = JSON.parse(first.stdout);
    graph = await exportStore(ws.store);
  });
  after(async () => {
    await hub?.close();
    ws.cleanup();
  });

  it('holds the models trained on the dataset, their descendants to depth 2 with relations, and not depth 3', () => {
    assert.deepEqual(edgeSet(graph, 'TRAINED_ON'), [
      'hf:model/acme/chat-7b -> hf:dataset/poison-lab/web-scrape',
      'hf:model/alice/summarizer -> hf:dataset/poison-lab/web-scrape',
      'hf:model/bob/big-pickle -> hf:dataset/poison-lab/web-scrape',
    ]);
    const derived = edgeSet(graph, 'DERIVED_FROM');
    for (const e of [
      'hf:model/alice/chat-7b-lora -> hf:model/acme/chat-7b (adapter)',
      'hf:model/quantfolk/chat-7b-gguf -> hf:model/acme/chat-7b (quantized)',
      'hf:model/bob/chat-merge -> hf:model/alice/chat-7b-lora (merge)',
      'hf:model/bob/chat-merge -> hf:model/acme/helper-7b (merge)',
      'hf:model/acme/chat-7b -> hf:model/acme/base-7b (finetune)',
      'hf:model/alice/summarizer -> hf:model/old-org/legacy-base (unknown)',
    ]) assert.ok(derived.includes(e), `${e} in\n${derived.join('\n')}`);
    assert.equal(graph.nodes.has('hf:model/bob/deep-3'), false, 'a third-level descendant is beyond --descendants 2');
    const merge = graph.nodes.get('hf:model/bob/chat-merge')!;
    assert.equal(merge.props.stub, undefined, 'the depth-2 descendant was read, not just referenced');
    assert.equal(merge.props.license, 'other');
    assert.equal(graph.nodes.get('hf:model/acme/helper-7b')!.props.syncedSha, '4e10000000000000000000000000000000000005', 'the merge co-parent was crawled upward');
    const relations = graph.edges.filter((e) => e.kind === 'DERIVED_FROM' && e.from === 'hf:model/alice/summarizer');
    assert.equal(relations[0]!.confidence, 'inferred');
  });

  it('holds the Spaces serving any of them, the owners (user vs org), and the files with LFS sha256', () => {
    assert.deepEqual(edgeSet(graph, 'SERVES'), [
      'hf:space/acme/chat-demo -> hf:model/acme/chat-7b',
      'hf:space/bob/merge-arena -> hf:model/acme/chat-7b',
      'hf:space/bob/merge-arena -> hf:model/bob/chat-merge',
    ]);
    assert.deepEqual(edgeSet(graph, 'USES'), ['hf:space/acme/chat-demo -> hf:dataset/poison-lab/web-scrape']);
    const writers = edgeSet(graph, 'CAN_WRITE');
    for (const e of ['hf:org/poison-lab -> hf:dataset/poison-lab/web-scrape', 'hf:org/acme -> hf:model/acme/chat-7b', 'hf:user/alice -> hf:model/alice/chat-7b-lora', 'hf:user/bob -> hf:space/bob/merge-arena']) {
      assert.ok(writers.includes(e), e);
    }
    assert.equal(graph.nodes.get('hf:org/acme')!.props.type, 'org');
    assert.equal(graph.nodes.get('hf:user/quantfolk')!.props.type, 'user');
    const gguf = graph.nodes.get('hf:file/quantfolk/chat-7b-gguf/chat-7b.Q4_K_M.gguf@9909000000000000000000000000000000000004')!;
    assert.match(String(gguf.props.sha256), /^[0-9a-f]{64}$/);
    assert.equal(gguf.props.format, 'gguf');
    const contains = graph.edges.find((e) => e.kind === 'CONTAINS' && e.to === gguf.key)!;
    assert.equal(contains.from, 'hf:model/quantfolk/chat-7b-gguf');
    assert.equal(contains.props!.sha256, gguf.props.sha256);
    const chat = graph.nodes.get('hf:model/acme/chat-7b')!;
    assert.equal(chat.props.sha, 'c4a7000000000000000000000000000000000002');
    assert.equal(chat.props.license, 'Apache-2.0');
    assert.deepEqual(edgeSet(graph, 'EVALUATED_ON'), ['hf:model/acme/chat-7b -> hf:dataset/squad_v2']);
    const big = graph.nodes.get('hf:model/bob/big-pickle')!;
    assert.equal(big.props.gated, 'manual');
    assert.equal(big.props.customCode, true);
    assert.equal(big.props.license, 'openrail++');
    assert.equal(graph.nodes.get('hf:dataset/squad_v2')!.props.stub, true, 'a referenced, uncrawled dataset is a stub');
  });

  it('records a rename as canonicalId, a deleted base as missing, a broken card as a warning; the run goes on', () => {
    const old = graph.nodes.get('hf:model/old-org/legacy-base')!;
    assert.equal(old.props.canonicalId, 'new-org/legacy-base');
    assert.ok(edgeSet(graph, 'DERIVED_FROM').includes('hf:model/old-org/legacy-base -> hf:model/new-org/legacy-base (unknown)'));
    assert.equal(graph.nodes.get('hf:model/new-org/legacy-base')!.props.syncedSha, '1e9a000000000000000000000000000000000009');
    const ghost = graph.nodes.get('hf:model/deleted-org/ghost')!;
    assert.equal(ghost.props.missing, true);
    assert.ok(edgeSet(graph, 'DERIVED_FROM').includes('hf:model/new-org/legacy-base -> hf:model/deleted-org/ghost (unknown)'), 'lineage is not cut');
    const warnings = summary.warnings as { repo: string; message: string }[];
    assert.ok(warnings.some((w) => w.repo === 'alice/summarizer' && /does not parse/.test(w.message)), JSON.stringify(warnings));
    assert.ok(warnings.some((w) => w.repo === 'deleted-org/ghost' && /not found/.test(w.message)));
    assert.ok(warnings.some((w) => w.repo === 'old-org/legacy-base' && /renamed/.test(w.message)));
    assert.ok(graph.nodes.get('hf:model/alice/summarizer')!.props.syncedSha, 'the repo with the broken card was still read fully');
    assert.equal(summary.repos.model.missing, 1);
    assert.equal(summary.repos.space.read, 2);
    assert.ok(summary.http.requests > 20);
    assert.ok(summary.written.nodes > 30 && summary.written.edges > 30);
  });

  it('flags the dangerous pickle with the globals it imports, knows safetensors named .bin by its bytes, marks an oversize pickle unscanned', () => {
    const bin = graph.nodes.get('hf:file/acme/chat-7b/pytorch_model.bin@c4a7000000000000000000000000000000000002')!;
    assert.equal(bin.props.scanStatus, 'dangerous');
    assert.ok((bin.props.scanGlobals as string[]).includes('os.system'), String(bin.props.scanGlobals));
    assert.equal(bin.props.format, 'pytorch-zip');
    assert.match(String(bin.props.scanner), /\d/);
    const renamed = graph.nodes.get('hf:file/alice/summarizer/weights.bin@5a4a000000000000000000000000000000000008')!;
    assert.equal(renamed.props.format, 'safetensors');
    assert.equal(renamed.props.formatSource, 'bytes');
    const big = graph.nodes.get('hf:file/bob/big-pickle/model.pkl@b19b000000000000000000000000000000000010')!;
    assert.equal(big.props.scanStatus, 'unscanned');
    assert.match(String(big.props.scanReason), /4096|max|large|limit/i);
  });

  it('running it twice changes nothing, and unchanged repos are not re-fetched', async () => {
    const before = hub.log.length;
    const again = await ingest(hub, ws.store, ['--json']);
    assert.equal(again.code, 0, again.stderr);
    const s = JSON.parse(again.stdout);
    assert.equal(withoutSyncIds((await exportStore(ws.store)).raw), withoutSyncIds(graph.raw));
    assert.equal(s.repos.model.read, 0, JSON.stringify(s.repos));
    assert.ok(s.repos.model.unchanged >= 8);
    const trees = hub.log.slice(before).filter((l) => l.includes('/tree/'));
    assert.deepEqual(trees, [], 'no file listing is fetched for an unchanged repo');
  });

  it('never lets the token reach output, errors or the graph, and sends it only to the endpoint', async () => {
    assert.ok(hub.authorized > 0, 'the token was sent to the Hub');
    assert.ok(!first.stdout.includes(TOKEN) && !first.stderr.includes(TOKEN));
    assert.ok(!graph.raw.includes(TOKEN));
    const stats = await runCli(['stats', '--store', ws.store]);
    assert.ok(!stats.stdout.includes(TOKEN));
  });
});

describe('aispm ingest hf --author', () => {
  it('crawls every repo of an owner (models, datasets, Spaces), with list paging, at HF_ENDPOINT', async () => {
    const ws = tempWorkspace('aispm-hf-author-');
    const hub = await startTestHub();
    try {
      const r = await runCli(['ingest', 'hf', '--author', 'bob', '--descendants', '0', '--store', ws.store, '--json', '--retry-base-ms', '5'], {
        env: { HF_ENDPOINT: hub.url },
      });
      assert.equal(r.code, 0, r.stderr);
      const s = JSON.parse(r.stdout);
      const graph = await exportStore(ws.store);
      for (const k of ['hf:model/bob/chat-merge', 'hf:model/bob/deep-3', 'hf:model/bob/big-pickle', 'hf:space/bob/merge-arena']) {
        assert.ok(graph.nodes.get(k)?.props.syncedSha, k);
      }
      assert.ok(graph.nodes.get('hf:model/acme/helper-7b')?.props.syncedSha, 'base models of an owner\'s models are followed up');
      assert.equal(s.repos.space.read, 1);
      assert.ok(hub.log.some((l) => l.includes('/api/models?') && l.includes('cursor=')), 'followed Link: rel="next"');
    } finally {
      await hub.close();
      ws.cleanup();
    }
  });
});

describe('aispm ingest hf: renamed repos named beside their new name', () => {
  it('finishes when more old names than read slots wait for the repo they were renamed to', async () => {
    // Each old name is read first (a read slot each), finds it was renamed to new-org/legacy-base, and needs that
    // repo's lineage; the new name, named last, is queued behind them. Four slots at --concurrency 1.
    const olds = ['old-org/legacy-base', ...[1, 2, 3, 4].map((i) => `old-org/legacy-base-${i}`)];
    const hub = await startTestHub({
      edit: (data) => ({ ...data, renames: olds.map((from) => ({ type: 'model' as const, from, to: 'new-org/legacy-base' })) }),
    });
    const ws = tempWorkspace('aispm-hf-renames-');
    try {
      const args = ['ingest', 'hf', ...olds, 'new-org/legacy-base', '--endpoint', hub.url, '--store', ws.store, '--rate', '500', '--concurrency', '1', '--retry-base-ms', '5', '--json'];
      const run = await runCli(args, { env: { HF_TOKEN: TOKEN, HF_ENDPOINT: undefined }, timeoutMs: 60_000 });
      assert.equal(run.signal, null, 'the run finished rather than waiting for ever');
      assert.equal(run.code, 0, run.stderr);
      const graph = await exportStore(ws.store);
      for (const old of olds) assert.equal(graph.nodes.get(`hf:model/${old}`)?.props.canonicalId, 'new-org/legacy-base', old);
      assert.equal(graph.nodes.get('hf:model/new-org/legacy-base')!.props.syncedSha, '1e9a000000000000000000000000000000000009');
    } finally {
      await hub.close();
      ws.cleanup();
    }
  });
});
