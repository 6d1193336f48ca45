/** `aispm import` / `export` / `stats` as a user runs them: exit codes, messages naming the bad record, store unchanged. */
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { existsSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, tempWorkspace } from '../helpers/cli.ts';

const good = {
  nodes: [
    { kind: 'Dataset', key: 'hf:dataset/acme/reviews', props: { name: 'reviews', gated: 'manual' } },
    { kind: 'Model', key: 'hf:model/acme/base', props: { name: 'base', license: 'apache-2.0', downloads: 12 } },
    { kind: 'Model', key: 'hf:model/acme/tuned', props: { name: 'tuned', tags: ['text-generation'] } },
  ],
  edges: [
    { kind: 'TRAINED_ON', from: 'hf:model/acme/base', to: 'hf:dataset/acme/reviews', evidence: 'cardData.datasets' },
    { kind: 'DERIVED_FROM', from: 'hf:model/acme/tuned', to: 'hf:model/acme/base', props: { relation: 'finetune' }, confidence: 'declared' },
    { kind: 'SERVES', from: 'hf:space/acme/chat', to: 'hf:model/acme/tuned' },
  ],
};

describe('aispm import / export / stats', () => {
  const ws = tempWorkspace();
  const file = (name: string, content: string) => {
    const p = join(ws.dir, name);
    writeFileSync(p, content);
    return p;
  };
  const stats = async () => {
    const r = await runCli(['stats', '--json', '--store', ws.store]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as { nodes: number; edges: number; nodesByKind: Record<string, number> };
  };
  let baseline: { nodes: number; edges: number };

  before(async () => {
    const r = await runCli(['import', file('good.json', JSON.stringify(good)), '--store', ws.store]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /imported 3 nodes and 3 edges/);
    baseline = await stats();
  });
  after(() => ws.cleanup());

  it('imports a records file and counts it, with the stub endpoint created from the edge', () => {
    assert.deepEqual(baseline.nodes, 4);
    assert.deepEqual(baseline.edges, 3);
  });

  it('re-importing the same file changes nothing', async () => {
    const r = await runCli(['import', join(ws.dir, 'good.json'), '--store', ws.store]);
    assert.equal(r.code, 0);
    assert.deepEqual(await stats(), baseline);
  });

  const badInputs: [string, string, string, RegExp][] = [
    ['an unknown kind', 'kind.json', JSON.stringify({ nodes: [good.nodes[0], { kind: 'Starship', key: 'hf:model/x/y' }], edges: [] }), /nodes\[1\] \(hf:model\/x\/y\): unknown node kind "Starship"/],
    ['an edge between disallowed kinds', 'pair.json', JSON.stringify({ nodes: [], edges: [{ kind: 'TRAINED_ON', from: 'hf:dataset/acme/reviews', to: 'hf:model/acme/base' }] }), /edges\[0\] \(hf:dataset\/acme\/reviews -TRAINED_ON-> hf:model\/acme\/base\): TRAINED_ON may not join Dataset→Model/],
    ['malformed JSON', 'broken.json', '{"nodes": [\n  {"kind": "Model", ', /malformed JSON at line 2, column 21/],
    ['a 5 MB property', 'huge.json', JSON.stringify({ nodes: [{ kind: 'Model', key: 'hf:model/acme/huge', props: { description: 'A'.repeat(5 * 1024 * 1024) } }], edges: [] }), /nodes\[0\] \(hf:model\/acme\/huge\): props are \d+ bytes, over the limit/],
    ['a malformed NDJSON line', 'lines.ndjson', `${JSON.stringify({ type: 'node', kind: 'Model', key: 'hf:model/acme/ok' })}\n{"type":"node",\n`, /line 2: malformed JSON/],
    ['a misspelt field (it would be dropped silently)', 'typo.ndjson', `${JSON.stringify({ type: 'node', kind: 'Model', key: 'hf:model/acme/ok' })}\n${JSON.stringify({ type: 'node', kind: 'Model', key: 'hf:model/acme/t', prop: { license: 'mit' } })}\n`, /line 2 \(hf:model\/acme\/t\): unknown field "prop"/],
    ['an unknown edge field', 'edge-typo.json', JSON.stringify({ nodes: [], edges: [{ kind: 'SERVES', from: 'hf:space/acme/s', to: 'hf:model/acme/base', source: 'x', properties: { revision: 'main' } }] }), /edges\[0\] \(hf:space\/acme\/s -SERVES-> hf:model\/acme\/base\): unknown field "properties"/],
    ['a package key not written as every source writes it', 'purl.json', JSON.stringify({ nodes: [{ kind: 'Package', key: 'pkg:pypi/Foo_Bar@1.0' }], edges: [] }), /nodes\[0\] \(pkg:pypi\/Foo_Bar@1\.0\): package key is not written as every source writes it; write "pkg:pypi\/foo-bar@1\.0"/],
    ['an npm scope left unencoded in an edge end', 'scope.json', JSON.stringify({ nodes: [], edges: [{ kind: 'DEPENDS_ON', from: 'hf:model/acme/base', to: 'pkg:npm/@scope/name@1.0.0', source: 'x' }] }), /to: package key is not written as every source writes it; write "pkg:npm\/%40scope\/name@1\.0\.0"/],
    ['a package key with qualifiers', 'qualifiers.json', JSON.stringify({ nodes: [{ kind: 'Package', key: 'pkg:maven/org.apache/commons@1.0?type=jar' }], edges: [] }), /write "pkg:maven\/org\.apache\/commons@1\.0"/],
    ['a wrongly typed property in NDJSON', 'typed.ndjson', `${JSON.stringify({ type: 'node', kind: 'Model', key: 'hf:model/acme/ok' })}\n${JSON.stringify({ type: 'node', kind: 'Model', key: 'hf:model/acme/t', props: { downloads: 'lots' } })}\n`, /line 2 \(hf:model\/acme\/t\): property "downloads" must be a finite number/],
  ];
  for (const [what, name, content, message] of badInputs) {
    it(`refuses ${what}: exit 2, names the record, store unchanged`, async () => {
      const r = await runCli(['import', file(name, content), '--store', ws.store]);
      assert.equal(r.code, 2, `exit code for ${what}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.deepEqual(await stats(), baseline);
    });
  }

  it('reports a missing file and an unknown option as usage errors', async () => {
    const missing = await runCli(['import', join(ws.dir, 'nope.json'), '--store', ws.store]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read .*nope\.json: ENOENT/);
    const unwritable = await runCli(['export', '--out', join(ws.dir, 'no-such-dir', 'out.ndjson'), '--store', ws.store]);
    assert.equal(unwritable.code, 2, unwritable.stderr);
    assert.match(unwritable.stderr, /cannot write .*out\.ndjson: ENOENT/);
    const opt = await runCli(['stats', '--bogus', '--store', ws.store]);
    assert.equal(opt.code, 2);
    assert.match(opt.stderr, /Unknown option '--bogus'/);
    const cmd = await runCli(['frobnicate']);
    assert.equal(cmd.code, 2);
    assert.match(cmd.stderr, /unknown command "frobnicate"/);
  });

  it('--json errors are machine-readable', async () => {
    const r = await runCli(['import', join(ws.dir, 'kind.json'), '--json', '--store', ws.store]);
    assert.equal(r.code, 2);
    const doc = JSON.parse(r.stdout) as { error: { code: string; message: string } };
    assert.equal(doc.error.code, 'INVALID_RECORDS');
    assert.match(doc.error.message, /Starship/);
  });

  it('export is the inverse of import: exporting, importing into a new store and exporting again is identical', async () => {
    const first = await runCli(['export', '--store', ws.store]);
    assert.equal(first.code, 0);
    const lines = first.stdout.trim().split('\n');
    assert.equal(lines.length, baseline.nodes + baseline.edges);
    const ws2 = tempWorkspace();
    try {
      const nd = file('roundtrip.ndjson', first.stdout);
      assert.equal((await runCli(['import', nd, '--store', ws2.store])).code, 0);
      const second = await runCli(['export', '--store', ws2.store]);
      assert.equal(second.stdout, first.stdout);
      const asJson = join(ws.dir, 'out.json');
      const j = await runCli(['export', '--out', asJson, '--json', '--store', ws2.store]);
      assert.equal(j.code, 0);
      assert.deepEqual(JSON.parse(j.stdout).exported, { nodes: 4, edges: 3 });
      const doc = JSON.parse(readFileSync(asJson, 'utf8')) as { nodes: unknown[]; edges: unknown[] };
      assert.equal(doc.nodes.length, 4);
      assert.equal(doc.edges.length, 3);
    } finally {
      ws2.cleanup();
    }
  });

  it('a store file that is not an aispm store is refused with exit 3 and a clear reason', async () => {
    const notDb = file('notes.db', 'this is not a database');
    const r = await runCli(['stats', '--store', `sqlite:${notDb}`]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /cannot (open|use) SQLite store .*notes\.db/);
  });

  it('export from a store damaged outside aispm names the damaged record and leaves no partial --out file', async () => {
    const damaged = tempWorkspace('aispm-damaged-');
    try {
      assert.equal((await runCli(['import', file('damaged.json', JSON.stringify(good)), '--store', damaged.store])).code, 0);
      const db = new Database(damaged.dbPath);
      // The store's property indexes evaluate json_extract on every write, so SQLite itself refuses a truncated
      // props value; the damage a user's sqlite3 session can do goes through dropping those indexes first.
      for (const { name } of db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'nodes_prop_%'`).all() as { name: string }[]) {
        db.exec(`DROP INDEX "${name}"`);
      }
      db.prepare(`UPDATE nodes SET props = '{"name": "tun' WHERE key = 'hf:model/acme/tuned'`).run();
      db.close();
      const out = join(damaged.dir, 'backup.ndjson');
      const r = await runCli(['export', '--store', damaged.store, '--out', out]);
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /node hf:model\/acme\/tuned: its stored props are not valid JSON/);
      assert.ok(!existsSync(out), 'no truncated export under the name');
    } finally {
      damaged.cleanup();
    }
  });
});
