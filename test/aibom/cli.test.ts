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
    const report = JSON.parse(r.stdout) as { key: string; spec: string; score: { scale: string; total: number }; weakestLink: { key: string; score: number }; file: string };
    assert.equal(report.key, KEYS.model);
    assert.equal(report.score.scale, 'aispm-completeness/2');
    assert.equal(report.spec, '1.7');
    assert.equal(report.file, file);
    assert.equal(report.weakestLink.key, KEYS.missing);
    const written = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    assertValidBom(written, '1.7');
    const props = ((written.metadata as Record<string, unknown>).properties as { name: string; value: string }[]);
    assert.ok(props.some((p) => p.name === 'aispm:completeness:score' && p.value === report.score.total.toFixed(1)));
    assert.ok(props.some((p) => p.name === 'aispm:completeness:method' && p.value.startsWith('aispm-completeness/2 ')));

    // In words, the score says which scale it is on and that it is not OWASP's.
    const text = await bom(KEYS.gguf, '--out', join(ws.dir, 'gguf.cdx.json'));
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /completeness \d+\.\d\/100 on the aispm-completeness\/2 scale \(not the OWASP AIBOM generator's; see services\/aibom\/SCORING\.md\)/);
    assert.match(text.stdout, new RegExp(`lineage weakest link \\d+\\.\\d \\(${KEYS.missing.replace(/\//g, '\\/')}\\)`));
  });

  it('--all --out <dir> writes one valid BOM per model under safe, distinct names', async () => {
    const dir = join(ws.dir, 'all');
    const r = await bom('--all', '--out', dir, '--json', '--deterministic');
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout) as { count: number; dir: string };
    const files = readdirSync(dir).sort();
    // 10 models in the fixture, the hostile key among them.
    assert.equal(summary.count, 10);
    assert.equal(files.length, 10);
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

  it('--all summarises completeness across the estate: median, least complete, fields most often missing and who could fill them', async () => {
    const dir = join(ws.dir, 'estate');
    const [json, text] = await Promise.all([bom('--all', '--out', dir, '--json', '--deterministic'), bom('--all', '--out', `${dir}-text`, '--deterministic')]);
    assert.equal(json.code, 0, json.stderr);
    const { completeness: e } = JSON.parse(json.stdout) as {
      completeness: { scale: string; count: number; median: number; min: number; lowest: { key: string; score: number }[]; missing: { field: string; count: number; filledBy: string }[] };
    };
    assert.equal(e.scale, 'aispm-completeness/2');
    assert.equal(e.count, 10);
    // The scores the BOM files carry are the ones summarised.
    const scores = readdirSync(dir).map((f) => {
      const doc = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { metadata: { component: { 'bom-ref': string }; properties: { name: string; value: string }[] } };
      return { key: doc.metadata.component['bom-ref'], score: Number(doc.metadata.properties.find((p) => p.name === 'aispm:completeness:score')!.value) };
    });
    const sorted = scores.map((s) => s.score).sort((a, b) => a - b);
    assert.equal(e.median, Math.round(((sorted[4]! + sorted[5]!) / 2) * 10) / 10);
    assert.equal(e.lowest[0]!.score, sorted[0]);
    assert.equal(e.lowest.length, 5);
    // The vanished base (known by reference only) is among the least complete; its version is missing in one BOM at least.
    assert.ok(e.lowest.some((l) => l.key === KEYS.missing));
    const version = e.missing.find((m) => m.field === 'component_basic.component_version')!;
    assert.ok(version.count >= 1 && /sha/.test(version.filledBy), JSON.stringify(version));
    assert.ok(e.missing.every((m, i) => i === 0 || m.count <= e.missing[i - 1]!.count), 'most often missing first');

    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^wrote 10 CycloneDX 1\.6 AIBOMs to /);
    assert.match(text.stdout, /completeness on the aispm-completeness\/2 scale \(0–100; not the OWASP AIBOM generator's/);
    assert.match(text.stdout, new RegExp(`median ${e.median.toFixed(1).replace('.', '\\.')}, mean`));
    assert.match(text.stdout, /most often missing \(BOMs without it · which source could fill it\):\n\s+\S+\s+\d+\/10\s+\S/);
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
