/** `aispm bom` as a user runs it: the real CLI as a child process on a SQLite file built with `aispm import`. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, tempWorkspace } from '../helpers/cli.ts';
import { assertValidBom, FIXTURE, KEYS } from './helpers.ts';

describe('aispm bom', () => {
  const ws = tempWorkspace('aispm-bom-cli-');
  const bom = (...args: string[]) => runCli(['bom', ...args, '--store', ws.store]);

  before(async () => {
    const r = await runCli(['import', FIXTURE, '--store', ws.store]);
    assert.equal(r.code, 0, r.stderr);
  });
  after(() => ws.cleanup());

  it('prints a valid 1.6 BOM by default and a valid 1.7 BOM with --spec 1.7', async () => {
    const [r16, r17] = await Promise.all([bom(KEYS.model), bom(KEYS.model, '--spec', '1.7')]);
    assert.equal(r16.code, 0, r16.stderr);
    assert.equal(r17.code, 0, r17.stderr);
    const b16 = JSON.parse(r16.stdout) as Record<string, unknown>;
    const b17 = JSON.parse(r17.stdout) as Record<string, unknown>;
    assert.equal(b16.specVersion, '1.6');
    assert.equal(b17.specVersion, '1.7');
    assertValidBom(b16, '1.6');
    assertValidBom(b17, '1.7');
  });

  it('--deterministic gives byte-identical output run after run', async () => {
    const [a, b] = await Promise.all([bom(KEYS.model, '--deterministic'), bom(KEYS.model, '--deterministic')]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(a.stdout, b.stdout);
    assertValidBom(JSON.parse(a.stdout), '1.6');
  });

  it('--out writes the file; --json reports key, spec, score, weakest link and file', async () => {
    const file = join(ws.dir, 'model.cdx.json');
    const r = await bom(KEYS.model, '--out', file, '--json', '--deterministic', '--spec', '1.7');
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { key: string; spec: string; score: { total: number }; weakestLink: { key: string; score: number }; file: string };
    assert.equal(report.key, KEYS.model);
    assert.equal(report.spec, '1.7');
    assert.equal(report.file, file);
    assert.equal(report.weakestLink.key, KEYS.missing);
    const written = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    assertValidBom(written, '1.7');
    const props = ((written.metadata as Record<string, unknown>).properties as { name: string; value: string }[]);
    assert.ok(props.some((p) => p.name === 'aispm:completeness:score' && p.value === report.score.total.toFixed(1)));
  });

  it('--all --out <dir> writes one valid BOM per model under safe, distinct names', async () => {
    const dir = join(ws.dir, 'all');
    const r = await bom('--all', '--out', dir, '--json', '--deterministic');
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout) as { count: number; dir: string };
    const files = readdirSync(dir).sort();
    // 8 models in the fixture, the hostile key among them.
    assert.equal(summary.count, 8);
    assert.equal(files.length, 8);
    for (const f of files) {
      assert.match(f, /^[A-Za-z0-9][A-Za-z0-9._-]*\.cdx\.json$/);
      const doc = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown>;
      assertValidBom(doc, '1.6');
    }
    const refs = files.map((f) => {
      const doc = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { metadata: { component: { 'bom-ref': string } } };
      return doc.metadata.component['bom-ref'];
    });
    assert.ok(refs.includes(KEYS.hostile));
  });

  it('an unknown key exits 2 with a clear message; so do a non-model key, a bad --spec and --all without --out', async () => {
    const unknown = await bom('hf:model/nobody/nothing');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown model hf:model\/nobody\/nothing/);
    assert.equal(unknown.stdout, '');
    const dataset = await bom(KEYS.gatedDataset);
    assert.equal(dataset.code, 2);
    assert.match(dataset.stderr, /unknown model/);
    const spec = await bom(KEYS.model, '--spec', '1.5');
    assert.equal(spec.code, 2);
    assert.match(spec.stderr, /--spec must be one of 1\.6, 1\.7/);
    const all = await bom('--all');
    assert.equal(all.code, 2);
    assert.match(all.stderr, /--out/);
  });
});
