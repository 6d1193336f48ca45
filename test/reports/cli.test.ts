/**
 * `aispm report` as a user runs it: the real CLI as a child process on a real SQLite store loaded with `aispm import`,
 * every format to stdout and to --out, the crown-jewel variant tagged with `aispm tag`, and the usage errors (exit 2).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, tempWorkspace } from '../helpers/cli.ts';
import { FIXTURE, K, assertValidReportJson, assertValidSarif, elements, parseHtmlStrictly } from './helpers.ts';

type Summary = { exposure: { percent: number }; impact: { entry: string; percent: number }; findingsBySeverity: Record<string, number> };
type JsonReport = { scope: { mode: string; targets: string[] }; summary: Summary; attackPaths: { nodes: string[]; likelihood: number }[]; chokePoint: { from: string; to: string; pathsCut: number } | null };

describe('aispm report', () => {
  const ws = tempWorkspace('aispm-report-cli-');
  const report = (...args: string[]) => runCli(['report', ...args, '--store', ws.store]);
  before(async () => {
    const r = await runCli(['import', FIXTURE, '--store', ws.store]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /imported 16 nodes and 15 edges/);
  });
  after(() => ws.cleanup());

  it('is listed in aispm --help', async () => {
    const r = await runCli(['--help']);
    assert.match(r.stdout, /^ {2}report +Write an attack-path report/m);
  });

  it('Markdown to stdout by default: the paths, the choke point and the findings', async () => {
    const r = await report();
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^# AI supply-chain attack-path report$/m);
    // chat-7b is served at a floating revision ("main" on its SERVES edge): the one-step path ranks first.
    assert.match(r.stdout, /^### 1\. `hf:model\/acme\/chat-7b` → `hf:space\/acme\/chat`$/m);
    assert.match(r.stdout, /^### 3\. `hf:file\/basecorp\/base-7b\/pytorch_model\.bin@abc123` → `hf:space\/acme\/chat`$/m);
    assert.match(r.stdout, /^### 9\. `hf:user\/mallory` → `hf:space\/acme\/summarize`$/m);
    assert.match(r.stdout, /^Cutting `hf:model\/acme\/chat-7b` → `hf:space\/acme\/chat` \(\*\*SERVES\*\*\) breaks 5 of the 9 paths above\.$/m);
    assert.match(r.stdout, /^### Critical \(2\)$/m);
    assert.match(r.stdout, /^\| exposure \| 85\.7% — 6 of 7 entry points have an attack path to a target \|$/m);
  });

  it('JSON to stdout (--format json and --json alike) validates against its schema and carries the hand-worked answers', async () => {
    for (const args of [['--format', 'json'], ['--json']]) {
      const r = await report(...args);
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout) as JsonReport;
      assertValidReportJson(doc);
      assert.deepEqual(doc.scope, { mode: 'endpoints', targets: [K.chatSpace, K.summarizeSpace] });
      assert.deepEqual(doc.attackPaths.map((p) => p.likelihood), [0.95, 0.95, 0.81225, 0.81225, 0.5985, 0.5985, 0.57, 0.4275, 0.4275]);
      assert.deepEqual(doc.chokePoint && [doc.chokePoint.from, doc.chokePoint.to, doc.chokePoint.pathsCut], [K.chat, K.chatSpace, 5]);
      assert.equal(doc.summary.exposure.percent, 85.7);
      assert.deepEqual([doc.summary.impact.entry, doc.summary.impact.percent], [K.pickle, 31.3]);
      assert.deepEqual(doc.summary.findingsBySeverity, { critical: 2, high: 2, medium: 6, low: 0, info: 0 });
    }
  });

  it('SARIF to stdout validates against the official 2.1.0 schema', async () => {
    const r = await report('--format', 'sarif');
    assert.equal(r.code, 0, r.stderr);
    const log = JSON.parse(r.stdout) as { runs: { results: unknown[] }[] };
    assertValidSarif(log);
    assert.equal(log.runs[0]!.results.length, 10 + 9);
  });

  it('--out writes each format to a file (format from --format or the file name) and says so', async () => {
    const cases: [string, string[], (text: string) => void][] = [
      ['report.md', [], (t) => assert.match(t, /^## Choke point$/m)],
      ['report.html', [], (t) => assert.equal(elements(parseHtmlStrictly(t)).filter((e) => e.tagName === 'svg').length, 9)],
      ['report.json', [], (t) => assertValidReportJson(JSON.parse(t))],
      ['report.sarif', [], (t) => assertValidSarif(JSON.parse(t))],
      ['scan.out', ['--format', 'sarif'], (t) => assertValidSarif(JSON.parse(t))],
    ];
    for (const [name, extra, check] of cases) {
      const file = join(ws.dir, name);
      const r = await report('--out', file, ...extra);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^wrote (md|html|json|sarif) report to .*${name.replace('.', '\\.')}: 9 attack paths, 10 findings$`, 'm'));
      check(readFileSync(file, 'utf8'));
    }
    const j = await report('--out', join(ws.dir, 'quiet.html'), '--json');
    assert.equal(j.code, 0, j.stderr);
    const doc = JSON.parse(j.stdout) as { format: string; attackPaths: number; findings: number; summary: Summary };
    assert.deepEqual([doc.format, doc.attackPaths, doc.findings, doc.summary.exposure.percent], ['html', 9, 10, 85.7]);
  });

  it('--target narrows the targets; an unknown key is exit 2 naming it', async () => {
    const r = await report('--target', K.summarizeSpace, '--json');
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as JsonReport;
    assert.deepEqual(doc.scope, { mode: 'targets', targets: [K.summarizeSpace] });
    assert.equal(doc.attackPaths.length, 4);
    const bad = await report('--target', 'hf:space/acme/nope');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^aispm: unknown node hf:space\/acme\/nope$/m);
    assert.equal(bad.stdout, '');
  });

  it('usage errors are exit 2 with a reason, and nothing is written', async () => {
    const bogus = await report('--format', 'bogus');
    assert.equal(bogus.code, 2);
    assert.match(bogus.stderr, /--format must be one of md, html, json, sarif, got "bogus"/);
    const both = await report('--target', K.chatSpace, '--crown-jewels');
    assert.equal(both.code, 2);
    assert.match(both.stderr, /give --target or --crown-jewels, not both/);
    const k = await report('--k', '0');
    assert.equal(k.code, 2);
    assert.match(k.stderr, /--k must be a whole number from 1 to 100, got "0"/);
    const unwritable = join(ws.dir, 'no-such-dir', 'r.md');
    const w = await report('--out', unwritable);
    assert.equal(w.code, 2);
    assert.match(w.stderr, /cannot write .*r\.md: ENOENT/);
    assert.equal(existsSync(unwritable), false);
  });

  it('--crown-jewels with none tagged is exit 2 telling how to tag one; after `aispm tag` it targets the jewel', async () => {
    const none = await report('--crown-jewels');
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^aispm: no node is tagged crown-jewel: tag one with `aispm tag <key> crown-jewel`$/m);
    const ws2 = tempWorkspace('aispm-report-cj-');
    try {
      assert.equal((await runCli(['import', FIXTURE, '--store', ws2.store])).code, 0);
      const tag = await runCli(['tag', K.chatSpace, 'crown-jewel', '--store', ws2.store]);
      assert.equal(tag.code, 0, tag.stderr);
      const r = await runCli(['report', '--crown-jewels', '--json', '--store', ws2.store]);
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout) as JsonReport;
      assertValidReportJson(doc);
      assert.deepEqual(doc.scope, { mode: 'crown-jewels', targets: [K.chatSpace] });
      assert.deepEqual(doc.attackPaths.map((p) => p.nodes[0]), [K.chat, K.pickle, K.webtext, K.transformers, K.mallory]);
      assert.deepEqual(doc.chokePoint && [doc.chokePoint.from, doc.chokePoint.to, doc.chokePoint.pathsCut], [K.chat, K.chatSpace, 5]);
    } finally {
      ws2.cleanup();
    }
  });

  it('an empty store gives a valid report in every format that says there is no path', async () => {
    const ws3 = tempWorkspace('aispm-report-empty-');
    try {
      const empty = join(ws3.dir, 'empty.json');
      writeFileSync(empty, '{"nodes": [], "edges": []}');
      assert.equal((await runCli(['import', empty, '--store', ws3.store])).code, 0);
      const run = (...args: string[]) => runCli(['report', ...args, '--store', ws3.store]);
      const md = await run();
      assert.equal(md.code, 0, md.stderr);
      assert.match(md.stdout, /No attack path from an entry point to a target was found\./);
      const html = await run('--format', 'html');
      assert.match(html.stdout, /No attack path from an entry point to a target was found\./);
      parseHtmlStrictly(html.stdout);
      const json = await run('--format', 'json');
      assertValidReportJson(JSON.parse(json.stdout));
      assert.deepEqual((JSON.parse(json.stdout) as JsonReport).attackPaths, []);
      const sarif = await run('--format', 'sarif');
      assertValidSarif(JSON.parse(sarif.stdout));
    } finally {
      ws3.cleanup();
    }
  });
});
