/**
 * `aispm scan --into-graph <asset>` through the CLI on a real SQLite store: File nodes under the local-file key
 * format, CONTAINS from the asset, a re-scan that replaces the previous scan's files of that asset (and leaves other
 * sources' files and other assets alone), and nothing written without the flag.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { benignStateDictPickle, maliciousPickleGlobal, pytorchZip, safetensorsBytes } from '../../ingest/scan/build.ts';
import { keyOf } from '../../schema/keys.ts';
import { runCli, tempWorkspace } from '../helpers/cli.ts';
import { exportStore } from '../ingest-hf/harness.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const MODEL = 'hf:model/acme/chat-7b';
const OTHER = 'hf:model/acme/other';

describe('aispm scan --into-graph', () => {
  const ws = tempWorkspace('aispm-scan-graph-');
  const dir = join(ws.dir, 'chat-7b');
  const evil = pytorchZip(maliciousPickleGlobal());
  const weights = safetensorsBytes([{ name: 'w', dtype: 'F32', shape: [2], data: new Uint8Array(8) }]);
  const benign = pytorchZip(benignStateDictPickle());
  before(async () => {
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, 'pytorch_model.bin'), evil);
    writeFileSync(join(dir, 'sub', 'model.safetensors'), weights);
    const records = join(ws.dir, 'records.json');
    writeFileSync(records, JSON.stringify({
      nodes: [
        { kind: 'Model', key: MODEL, props: { name: 'chat-7b' } },
        { kind: 'Model', key: OTHER, props: { name: 'other' } },
        { kind: 'Package', key: 'pkg:pypi/torch@2.1.0', props: {} },
        { kind: 'File', key: 'hf:file/acme/chat-7b/config.json@c4a7000000000000000000000000000000000002', props: { path: 'config.json' } },
      ],
      edges: [{ kind: 'CONTAINS', from: MODEL, to: 'hf:file/acme/chat-7b/config.json@c4a7000000000000000000000000000000000002', source: 'hf' }],
    }));
    const imported = await runCli(['import', records, '--store', ws.store]);
    assert.equal(imported.code, 0, imported.stderr);
  });
  after(() => ws.cleanup());

  it('without --into-graph writes nothing and opens no store', async () => {
    const store = join(ws.dir, 'untouched.db');
    const r = await runCli(['scan', dir, '--json', '--store', `sqlite:${store}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(existsSync(store), false);
  });

  it('writes each file under the local-file key with its verdict, held by the asset through CONTAINS', async () => {
    const r = await runCli(['scan', dir, '--into-graph', MODEL, '--json', '--store', ws.store]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.graph.asset, MODEL);
    assert.equal(out.graph.files, 2);
    const g = await exportStore(ws.store);
    const binKey = keyOf('local-file', { sha256: sha(evil), path: 'pytorch_model.bin' });
    const stKey = keyOf('local-file', { sha256: sha(weights), path: 'sub/model.safetensors' });
    assert.equal(binKey, `local:file/${sha(evil)}/pytorch_model.bin`);
    const bin = g.nodes.get(binKey)!;
    assert.equal(bin.kind, 'File');
    assert.equal(bin.props.scanStatus, 'dangerous');
    assert.deepEqual(bin.props.scanGlobals, ['builtins.exec']);
    assert.equal(bin.props.format, 'pytorch-zip');
    assert.equal(bin.props.sha256, sha(evil));
    assert.equal(bin.props.path, 'pytorch_model.bin');
    assert.equal(g.nodes.get(stKey)?.props.scanStatus, 'safe');
    const contains = g.edges.filter((e) => e.kind === 'CONTAINS' && e.from === MODEL).map((e) => e.to).sort();
    assert.deepEqual(contains, [binKey, 'hf:file/acme/chat-7b/config.json@c4a7000000000000000000000000000000000002', stKey].sort());
  });

  it('a re-scan replaces that asset\'s previous scan: a changed file gets its new key, a removed one goes; other sources and assets stay', async () => {
    const other = await runCli(['scan', join(dir, 'sub'), '--into-graph', OTHER, '--json', '--store', ws.store]);
    assert.equal(other.code, 0, other.stderr);
    writeFileSync(join(dir, 'pytorch_model.bin'), benign);
    rmSync(join(dir, 'sub'), { recursive: true });
    const r = await runCli(['scan', dir, '--into-graph', MODEL, '--json', '--store', ws.store]);
    assert.equal(r.code, 0, r.stderr);
    const g = await exportStore(ws.store);
    const files = [...g.nodes.values()].filter((n) => n.key.startsWith('local:file/')).map((n) => n.key).sort();
    assert.deepEqual(files, [
      keyOf('local-file', { sha256: sha(benign), path: 'pytorch_model.bin' }),
      keyOf('local-file', { sha256: sha(weights), path: 'model.safetensors' }),
    ].sort(), 'the old pickle and the old sub/model.safetensors of this asset are gone; OTHER keeps its own');
    assert.ok(g.nodes.has('hf:file/acme/chat-7b/config.json@c4a7000000000000000000000000000000000002'), "the Hub's file of the asset is untouched");
    assert.ok(g.edges.some((e) => e.kind === 'CONTAINS' && e.from === OTHER && e.to === keyOf('local-file', { sha256: sha(weights), path: 'model.safetensors' })));
  });

  it('refuses an unknown asset or one that cannot hold files, before writing anything', async () => {
    const unknown = await runCli(['scan', dir, '--into-graph', 'hf:model/acme/nope', '--store', ws.store]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown node hf:model\/acme\/nope/);
    const pkg = await runCli(['scan', dir, '--into-graph', 'pkg:pypi/torch@2.1.0', '--store', ws.store]);
    assert.equal(pkg.code, 2);
    assert.match(pkg.stderr, /Package.*cannot hold files|cannot hold files/);
  });
});
