/** The analysis commands as a user runs them: real CLI child processes on a store filled by `aispm import`. */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RecordBatch } from '../../schema/records.ts';
import { runCli, tempWorkspace } from '../helpers/cli.ts';
import { assertGolden } from '../helpers/golden.ts';
import { F, G, P, SHA1, attackGraph, edge, lineageGraph, postureGraph } from './fixtures.ts';

function workspaceWith(batch: () => RecordBatch) {
  const ws = tempWorkspace('aispm-queries-cli-');
  before(async () => {
    const file = join(ws.dir, 'records.json');
    writeFileSync(file, JSON.stringify(batch()));
    const r = await runCli(['import', file, '--store', ws.store]);
    assert.equal(r.code, 0, r.stderr);
  });
  after(() => ws.cleanup());
  return ws;
}

describe('aispm blast-radius / lineage', () => {
  const ws = workspaceWith(lineageGraph);

  it('--json carries every reached node with its depth, path and the hop that reached it; endpoints with hops and owners', async () => {
    const r = await runCli(['blast-radius', G.C, '--json', '--store', ws.store]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(out), ['from', 'total', 'byKind', 'nodes', 'endpoints', 'truncated']);
    assert.deepEqual(out.nodes.map((n: { key: string; depth: number; path: string[] }) => [n.key, n.depth, n.path]), [
      [G.AD, 1, [G.C, G.AD]],
      [G.Q, 1, [G.C, G.Q]],
      [G.S1, 1, [G.C, G.S1]],
      [G.S2, 2, [G.C, G.AD, G.S2]],
    ]);
    assert.deepEqual(out.nodes[1].via, { from: G.C, to: G.Q, edgeKind: 'DERIVED_FROM', relation: 'quantized', verb: 'quantized as', evidence: 'fixture' });
    assert.deepEqual(out.endpoints.map((e: { key: string; owners: string[]; hops: { verb: string }[] }) => [e.key, e.owners, e.hops.map((h) => h.verb)]), [
      [G.S1, [G.acme, G.alice], ['served by']],
      [G.S2, [G.bob], ['adapted into', 'served by']],
    ]);
    assert.equal(out.truncated, false);
  });

  it('--json says why a result is partial', async () => {
    const r = await runCli(['blast-radius', G.C, '--max-depth', '1', '--json', '--store', ws.store]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.total, 3, 'depth 1 only: AD, Q, S1');
    assert.equal(out.truncated, true);
    assert.equal(out.reason, 'depth');
  });

  it('human output says how each hop happened, in the compromise direction (golden)', async () => {
    const r = await runCli(['blast-radius', G.data, '--store', ws.store]);
    assert.equal(r.code, 0, r.stderr);
    assertGolden('blast-radius.txt', r.stdout);
  });

  it('takes a repo as `ingest hf` writes it, and suggests the closest keys for a typo', async () => {
    const ingestForm = await runCli(['blast-radius', 'datasets/acme/data', '--json', '--store', ws.store]);
    assert.equal(ingestForm.code, 0, ingestForm.stderr);
    assert.equal(JSON.parse(ingestForm.stdout).from, G.data);
    const typo = await runCli(['blast-radius', 'hf:model/acme/adx', '--store', ws.store]);
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /^aispm: unknown node hf:model\/acme\/adx; did you mean hf:model\/acme\/ad or /m);
  });

  it('unknown key and bad numbers are usage errors (exit 2)', async () => {
    const unknown = await runCli(['blast-radius', 'hf:model/no/such', '--store', ws.store]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown node hf:model\/no\/such/);
    for (const bad of [['--max-depth', 'ten'], ['--max-depth', '101'], ['--max-depth', '0'], ['--node-budget', '1.5'], ['--node-budget', '99999999999']]) {
      const r = await runCli(['blast-radius', G.C, ...bad, '--store', ws.store]);
      assert.equal(r.code, 2, `${bad.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`${bad[0]} must be a whole number`));
    }
    const json = await runCli(['blast-radius', 'hf:model/no/such', '--json', '--store', ws.store]);
    assert.equal(json.code, 2);
    assert.equal(JSON.parse(json.stdout).error.code, 'BAD_INPUT');
  });

  it('lineage --json and --direction checking', async () => {
    const r = await runCli(['lineage', G.AD, '--direction', 'up', '--json', '--store', ws.store]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).up, [
      { key: G.C, depth: 1, relation: 'adapter', parent: G.AD },
      { key: G.A, depth: 2, relation: 'merge', parent: G.C },
      { key: G.B, depth: 2, relation: 'merge', parent: G.C },
    ]);
    const bad = await runCli(['lineage', G.AD, '--direction', 'sideways', '--store', ws.store]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--direction must be one of up, down, both/);
  });
});

describe('a key as human output prints it (sha shortened to 12 hex)', () => {
  const sha = (tail: string) => `3ce4e69b47b5${tail}`.padEnd(40, '0');
  const one = `hf:file/acme/chat/pytorch_model.bin@${sha('1')}`;
  const twins = [`hf:file/acme/chat/model.bin@${sha('2')}`, `hf:file/acme/chat/model.bin@${sha('3')}`];
  const ws = workspaceWith(() => ({
    nodes: [{ kind: 'Model', key: 'hf:model/acme/chat', props: {} }, ...[one, ...twins].map((key) => ({ kind: 'File' as const, key, props: {} }))],
    edges: [one, ...twins].map((f) => edge('CONTAINS', 'hf:model/acme/chat', f)),
  }));

  it('resolves a unique sha prefix of 7+ hex digits, and calls an ambiguous one ambiguous', async () => {
    const short = await runCli(['blast-radius', `hf:file/acme/chat/pytorch_model.bin@${sha('').slice(0, 12)}`, '--json', '--store', ws.store]);
    assert.equal(short.code, 0, short.stderr);
    assert.equal(JSON.parse(short.stdout).from, one);
    const ambiguous = await runCli(['blast-radius', `hf:file/acme/chat/model.bin@${sha('').slice(0, 12)}`, '--store', ws.store]);
    assert.equal(ambiguous.code, 2);
    assert.match(ambiguous.stderr, /is ambiguous: it begins 2 keys .*give more of the sha/);
    const tooShort = await runCli(['blast-radius', 'hf:file/acme/chat/pytorch_model.bin@3ce4e6', '--store', ws.store]);
    assert.equal(tooShort.code, 2);
    assert.match(tooShort.stderr, /unknown node/);
  });

  it('suggests a mistyped file key as human output prints it, and that suggestion resolves', async () => {
    const typo = await runCli(['blast-radius', `hf:file/acme/chat/pytorch_modle.bin@${sha('1')}`, '--store', ws.store]);
    assert.equal(typo.code, 2);
    const suggested = /did you mean (\S+?)(?: or |\?)/.exec(typo.stderr)?.[1];
    assert.equal(suggested, `hf:file/acme/chat/pytorch_model.bin@${sha('').slice(0, 12)}`, typo.stderr);
    const suggestions = typo.stderr.slice(typo.stderr.indexOf('did you mean'));
    assert.doesNotMatch(suggestions, /[0-9a-f]{40}/, 'no full sha in the suggestions');
    assert.match(suggestions, new RegExp(`model\\.bin@${sha('2').slice(0, 16)} or `), 'twins sharing 12 hex are cut longer, where they differ');
    const taken = await runCli(['blast-radius', suggested!, '--json', '--store', ws.store]);
    assert.equal(taken.code, 0, taken.stderr);
    assert.equal(JSON.parse(taken.stdout).from, one);
  });
});

describe('aispm paths / tag', () => {
  const ws = workspaceWith(attackGraph);

  it('paths --json ranks paths to the endpoints; --k and unknown keys are checked', async () => {
    const r = await runCli(['paths', '--json', '--k', '3', '--store', ws.store]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(out.targets, [P.prod]);
    // chat is served at a floating revision (no revision on prod SERVES chat): the one-step path chat → prod is first.
    assert.deepEqual(out.paths.map((p: { from: string }) => p.from), [P.chat, P.file, P.open]);
    assert.deepEqual(Object.keys(out.paths[0].steps[0]).sort(), ['abuse', 'edgeKind', 'evidence', 'from', 'likelihood', 'meaning', 'remediation', 'revision', 'source', 'to', 'verb']);
    assert.deepEqual([out.paths[0].steps[0].verb, out.paths[0].steps[0].revision], ['served by', 'main']);
    const k0 = await runCli(['paths', '--k', '0', '--store', ws.store]);
    assert.equal(k0.code, 2);
    const unknown = await runCli(['paths', '--from', 'hf:user/ghost', '--store', ws.store]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown node hf:user\/ghost/);
  });

  it('human output says each hop in the compromise direction with its evidence, each kind\'s abuse and fix once (golden)', async () => {
    const r = await runCli(['paths', '--k', '4', '--store', ws.store]);
    assert.equal(r.code, 0, r.stderr);
    assertGolden('paths.txt', r.stdout);
  });

  it('a compromised tag makes an entry point whose paths come first', async () => {
    const tag = await runCli(['tag', P.ann, 'compromised', '--store', ws.store]);
    assert.equal(tag.code, 0, tag.stderr);
    try {
      const r = JSON.parse((await runCli(['paths', '--json', '--k', '2', '--store', ws.store])).stdout);
      assert.deepEqual(r.paths.map((p: { nodes: string[] }) => p.nodes), [[P.ann, P.chat, P.prod], [P.chat, P.prod]]);
      const text = await runCli(['paths', '--k', '1', '--store', ws.store]);
      assert.match(text.stdout, /^    entry:  compromised$/m);
      assert.match(text.stdout, /^paths from entry points tagged compromised \(assumed breach\) come first, then the others by risk$/m);
      assert.match(text.stdout, /^    1\. ann can write acme\/chat  \[CAN_WRITE 0\.50\]/m);
    } finally {
      await runCli(['tag', P.ann, 'compromised', '--remove', '--store', ws.store]);
    }
  });

  it('tag crown-jewel retargets paths; --remove undoes it; bad tags and keys are refused', async () => {
    const tag = await runCli(['tag', P.sft, 'crown-jewel', '--json', '--store', ws.store]);
    assert.equal(tag.code, 0, tag.stderr);
    assert.deepEqual(JSON.parse(tag.stdout), { key: P.sft, analystTags: ['crown-jewel'], changed: true });
    const r = await runCli(['paths', '--json', '--store', ws.store]);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(out.targets, [P.sft]);
    assert.deepEqual(out.paths.map((p: { nodes: string[] }) => p.nodes), [[P.mallory, P.sft]]);
    const removed = await runCli(['tag', P.sft, 'crown-jewel', '--remove', '--json', '--store', ws.store]);
    assert.deepEqual(JSON.parse(removed.stdout), { key: P.sft, analystTags: [], changed: true });
    const back = JSON.parse((await runCli(['paths', '--json', '--store', ws.store])).stdout);
    assert.deepEqual(back.targets, [P.prod]);
    const badTag = await runCli(['tag', P.sft, 'bad tag\u0007', '--store', ws.store]);
    assert.equal(badTag.code, 2);
    assert.match(badTag.stderr, /unknown tag "bad tag\\u0007": tags are crown-jewel, compromised, anyone, pii/);
    const typo = await runCli(['tag', P.sft, 'crown-jewl', '--store', ws.store]);
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /unknown tag "crown-jewl" \(did you mean crown-jewel\?\)/);
    const badKey = await runCli(['tag', 'hf:model/no/such', 'pii', '--store', ws.store]);
    assert.equal(badKey.code, 2);
    assert.match(badKey.stderr, /unknown node/);
  });
});

describe('aispm findings (CI gate)', () => {
  const ws = workspaceWith(postureGraph);
  const floating = workspaceWith(lineageGraph);
  // The lineage graph with both SERVES edges pinned to a commit: nothing left to find.
  const clean = workspaceWith(() => {
    const b = lineageGraph();
    b.edges = b.edges.map((e) => (e.kind === 'SERVES' ? { ...e, props: { revision: SHA1 } } : e));
    return b;
  });

  it('--fail-on high exits 1 when high or critical findings exist; --json carries them', async () => {
    const r = await runCli(['findings', '--fail-on', 'high', '--json', '--store', ws.store]);
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout);
    // 6 critical or high; 10 medium, 6 of them from unpinned-revision and gated-data-in-public-model; 1 info.
    assert.equal(out.total, 17);
    assert.equal(out.failing, 6);
    assert.deepEqual(out.bySeverity, { critical: 2, high: 4, medium: 10, low: 0, info: 1 });
    assert.deepEqual(Object.keys(out.findings[0]).sort(), ['evidence', 'id', 'nodes', 'remediation', 'rule', 'severity', 'title']);
    assert.equal(out.findings[0].severity, 'critical');
  });

  it('--min-severity filters; without --fail-on the exit is 0; bad levels exit 2', async () => {
    const r = await runCli(['findings', '--min-severity', 'critical', '--json', '--store', ws.store]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).findings.map((f: { nodes: string[] }) => f.nodes[0]).sort(), [F.rootPickle, F.vulnA]);
    const bad = await runCli(['findings', '--fail-on', 'info', '--store', ws.store]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--fail-on must be one of critical, high, medium, low/);
  });

  it('floating revisions are medium: they fail a medium gate, not a high one', async () => {
    // S1 SERVES C and S2 SERVES AD carry no revision; nothing else in the lineage graph is a finding.
    const high = await runCli(['findings', '--fail-on', 'high', '--json', '--store', floating.store]);
    assert.equal(high.code, 0, high.stderr);
    const out = JSON.parse(high.stdout);
    assert.deepEqual(out.findings.map((f: { rule: string; severity: string; nodes: string[] }) => `${f.severity} ${f.rule} ${f.nodes.join(',')}`).sort(), [
      `medium unpinned-revision ${G.S1},${G.C}`,
      `medium unpinned-revision ${G.S2},${G.AD}`,
    ]);
    assert.equal(out.failing, 0);
    const medium = await runCli(['findings', '--fail-on', 'medium', '--store', floating.store]);
    assert.equal(medium.code, 1, medium.stderr);
    assert.match(medium.stdout, /^2 findings: 0 critical, 0 high, 2 medium, 0 low, 0 info$/m);
  });

  it('a graph with no findings passes the gate (exit 0)', async () => {
    const r = await runCli(['findings', '--fail-on', 'low', '--store', clean.store]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^0 findings/);
  });

  it('a baseline: --update-baseline records the findings; the gate then fails only on new ones', async () => {
    const file = join(ws.dir, 'baseline.json');
    const missing = await runCli(['findings', '--baseline', file, '--store', ws.store]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read baseline .*baseline\.json: ENOENT \(create it with --update-baseline\)/);
    const wrote = await runCli(['findings', '--baseline', file, '--update-baseline', '--store', ws.store]);
    assert.equal(wrote.code, 0, wrote.stderr);
    assert.match(wrote.stdout, /^wrote 17 findings to the baseline /);
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(doc.baseline, 1);
    assert.equal(doc.findings.length, 17);
    const gated = await runCli(['findings', '--baseline', file, '--fail-on', 'high', '--store', ws.store]);
    assert.equal(gated.code, 0, gated.stderr);
    assert.match(gated.stdout, /^baseline .*: 17 known, 0 new$/m);
    assert.match(gated.stdout, /^0 new findings at or above high$/m);
    // Drop one high finding from the baseline: it is new again, and the gate fails on it alone.
    const high = doc.findings.find((f: { severity: string }) => f.severity === 'high');
    writeFileSync(file, JSON.stringify({ ...doc, findings: doc.findings.filter((f: { id: string }) => f.id !== high.id) }));
    const again = await runCli(['findings', '--baseline', file, '--fail-on', 'high', '--json', '--store', ws.store]);
    assert.equal(again.code, 1, again.stderr);
    const out = JSON.parse(again.stdout);
    assert.deepEqual(out.baseline, { file, known: 16, new: 1, fixed: [] });
    assert.equal(out.failing, 1);
    assert.deepEqual(out.findings.filter((f: { baseline: string }) => f.baseline === 'new').map((f: { id: string }) => f.id), [high.id]);
    writeFileSync(file, '{"findings": []}');
    const wrong = await runCli(['findings', '--baseline', file, '--store', ws.store]);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /is not an aispm findings baseline/);
    const noFile = await runCli(['findings', '--update-baseline', '--store', ws.store]);
    assert.equal(noFile.code, 2);
    assert.match(noFile.stderr, /--update-baseline needs --baseline <file>/);
  });
});
