/** `aispm demo` on a machine with no network: bundled sample → replay server → ingest → blast radius. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { runCli, tempWorkspace } from '../helpers/cli.ts';
import { exportStore } from './harness.ts';

describe('aispm demo', () => {
  const ws = tempWorkspace('aispm-demo-');
  after(() => ws.cleanup());

  it('ingests the bundled sample and prints the poisoned dataset\'s blast radius, endpoints and owners', async () => {
    const r = await runCli(['demo', '--store', ws.store, '--json'], { env: { HF_ENDPOINT: 'http://127.0.0.1:9', HF_TOKEN: undefined } });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.blastRadius.from, 'hf:dataset/openweb-collective/crawl-2024');
    const endpoints = out.blastRadius.endpoints.map((e: { key: string }) => e.key).sort();
    assert.deepEqual(endpoints, ['hf:space/dev-raj/merge-arena', 'hf:space/helios-labs/helios-demo', 'hf:space/lena-ops/support-bot', 'hf:space/northwind-ai/nw-chat-playground']);
    const models = out.blastRadius.nodes.filter((n: { kind: string }) => n.kind === 'Model').map((n: { key: string }) => n.key);
    for (const m of ['hf:model/northwind-ai/nw-chat-7b', 'hf:model/dev-raj/helios-nw-merge', 'hf:model/quantsmith/nw-chat-7b-GGUF', 'hf:model/maria-k/nw-chat-7b-medical-lora', 'hf:model/lena-ops/support-bot-ft']) {
      assert.ok(models.includes(m), m);
    }
    assert.ok(out.blastRadius.endpoints.every((e: { owners: string[] }) => e.owners.length > 0));
    assert.equal(out.ingest.seedFailures.length, 0);
    const graph = await exportStore(ws.store);
    const pickle = graph.nodes.get('hf:file/northwind-ai/nw-chat-7b/pytorch_model.bin@' + String(graph.nodes.get('hf:model/northwind-ai/nw-chat-7b')!.props.sha))!;
    assert.equal(pickle.props.scanStatus, 'dangerous');
    assert.ok((pickle.props.scanGlobals as string[]).includes('os.system'));
    const text = await runCli(['demo', '--store', ws.store]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /blast radius of hf:dataset\/openweb-collective\/crawl-2024/);
    assert.match(text.stdout, /^  hf:space\/northwind-ai\/nw-chat-playground  depth 2  owners: hf:org\/northwind-ai$/m);
    // How: each hop in the compromise direction.
    assert.match(text.stdout, /^    openweb-collective\/crawl-2024 trained helios-labs\/helios-3b, merged into dev-raj\/helios-nw-merge, served by dev-raj\/merge-arena$/m);
    // The second run read nothing new and says so.
    assert.match(text.stdout, /^nothing new from the bundled sample/m);
    // The story: the poisoned dataset is tagged compromised and starts the top attack path; only the pickles fail a high gate.
    const paths = JSON.parse((await runCli(['paths', '--json', '--store', ws.store])).stdout);
    assert.equal(paths.paths[0].from, 'hf:dataset/openweb-collective/crawl-2024');
    const gate = await runCli(['findings', '--fail-on', 'high', '--json', '--store', ws.store]);
    assert.equal(gate.code, 1);
    assert.deepEqual([...new Set(JSON.parse(gate.stdout).findings.filter((f: { severity: string }) => f.severity === 'critical' || f.severity === 'high').map((f: { rule: string }) => f.rule))], ['pickle-dangerous']);
  });
});
