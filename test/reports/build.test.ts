/**
 * buildReport on the incident-shaped fixture graph in a real SQLite file, checked against answers worked out by hand.
 *
 * The graph (test/fixtures/reports/graph.json), as compromise flows:
 *
 *   webtext (publicWrite) ─TRAINED_ON 0.7──┐
 *   pytorch_model.bin (dangerous) ─CONTAINS 0.95─► base-7b ─DERIVED_FROM 0.9─► chat-7b ─SERVES 0.95─► space chat
 *   mallory (outside basecorp) ─CAN_WRITE 0.5──┘        └─DERIVED_FROM 0.9─► summarizer ─SERVES 0.95─► space summarize
 *   GHSA → transformers@4.30.0 (vulnerable) ─DEPENDS_ON 0.6─► chat-7b
 *   PYSEC → pillow@9.0.0 (vulnerable) ─DEPENDS_ON 0.6─► vision-exp (served by nothing)
 *   alice (acme, write) ─CAN_WRITE─► space chat; acme ─CAN_WRITE─► space summarize; alice MEMBER_OF acme
 *
 * Entry points (7): webtext (public-write), the pickle (dangerous-file), mallory (outside-writer), transformers and
 * pillow (vulnerable-package), chat-7b and summarizer (floating-revision: both SERVES edges load "main", so
 * whoever pushes to either model reaches its space on the next load). No crown jewel is tagged, so the targets are
 * both spaces.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EDGE_SPECS, type EdgeKind } from '../../schema/model.ts';
import { UsageError } from '../../schema/errors.ts';
import { buildReport, type Report } from '../../services/reports/index.ts';
import type { GraphStore } from '../../schema/store.ts';
import { FIXED_NOW, K, storeWith } from './helpers.ts';

const L = (...kinds: EdgeKind[]) => kinds.reduce((acc, k) => acc * EDGE_SPECS[k].likelihood, 1);

/** The nine paths to the two spaces, cheapest first, with their likelihoods worked out by hand. */
const ALL_PATHS: { nodes: string[]; kinds: EdgeKind[]; likelihood: number }[] = [
  // 0.95: a served model at a floating revision is one step from its space (chat-7b < summarizer by key).
  { nodes: [K.chat, K.chatSpace], kinds: ['SERVES'], likelihood: 0.95 },
  { nodes: [K.summarizer, K.summarizeSpace], kinds: ['SERVES'], likelihood: 0.95 },
  // 0.95 × 0.9 × 0.95 = 0.81225; the two equal paths are ordered by node key (chat-7b < summarizer).
  { nodes: [K.pickle, K.base, K.chat, K.chatSpace], kinds: ['CONTAINS', 'DERIVED_FROM', 'SERVES'], likelihood: 0.81225 },
  { nodes: [K.pickle, K.base, K.summarizer, K.summarizeSpace], kinds: ['CONTAINS', 'DERIVED_FROM', 'SERVES'], likelihood: 0.81225 },
  // 0.7 × 0.9 × 0.95 = 0.5985
  { nodes: [K.webtext, K.base, K.chat, K.chatSpace], kinds: ['TRAINED_ON', 'DERIVED_FROM', 'SERVES'], likelihood: 0.5985 },
  { nodes: [K.webtext, K.base, K.summarizer, K.summarizeSpace], kinds: ['TRAINED_ON', 'DERIVED_FROM', 'SERVES'], likelihood: 0.5985 },
  // 0.6 × 0.95 = 0.57
  { nodes: [K.transformers, K.chat, K.chatSpace], kinds: ['DEPENDS_ON', 'SERVES'], likelihood: 0.57 },
  // 0.5 × 0.9 × 0.95 = 0.4275
  { nodes: [K.mallory, K.base, K.chat, K.chatSpace], kinds: ['CAN_WRITE', 'DERIVED_FROM', 'SERVES'], likelihood: 0.4275 },
  { nodes: [K.mallory, K.base, K.summarizer, K.summarizeSpace], kinds: ['CAN_WRITE', 'DERIVED_FROM', 'SERVES'], likelihood: 0.4275 },
];

/** Evidence recorded on each fixture edge, by (compromised first → next). */
const EVIDENCE: Record<string, string> = {
  [`${K.pickle}>${K.base}`]: 'siblings',
  [`${K.webtext}>${K.base}`]: 'cardData.datasets',
  [`${K.mallory}>${K.base}`]: 'repo collaborators',
  [`${K.base}>${K.chat}`]: 'cardData.base_model',
  [`${K.base}>${K.summarizer}`]: 'adapter_config.json base_model_name_or_path',
  [`${K.transformers}>${K.chat}`]: 'requirements.txt',
  [`${K.chat}>${K.chatSpace}`]: 'app.py from_pretrained',
  [`${K.summarizer}>${K.summarizeSpace}`]: 'app.py PeftModel.from_pretrained',
};

function assertPaths(report: Report, expected: typeof ALL_PATHS): void {
  assert.deepEqual(
    report.attackPaths.map((p) => p.nodes),
    expected.map((p) => p.nodes),
  );
  expected.forEach((want, i) => {
    const got = report.attackPaths[i]!;
    assert.equal(got.rank, i + 1);
    assert.equal(got.from, want.nodes[0]);
    assert.equal(got.to, want.nodes[want.nodes.length - 1]);
    // The hand value, and the product of the model's own likelihoods along the path.
    assert.equal(got.likelihood, want.likelihood);
    assert.ok(Math.abs(L(...want.kinds) - want.likelihood) < 1e-12);
    assert.ok(Math.abs(got.risk - 10 * want.likelihood) <= 0.005, `risk ${got.risk} is 10 × ${want.likelihood} to two decimals`);
    assert.deepEqual(got.steps.map((s) => s.edgeKind), want.kinds);
    got.steps.forEach((s, j) => {
      assert.equal(s.from, want.nodes[j]);
      assert.equal(s.to, want.nodes[j + 1]);
      const spec = EDGE_SPECS[s.edgeKind as EdgeKind];
      assert.equal(s.likelihood, spec.likelihood);
      assert.equal(s.meaning, spec.meaning);
      assert.equal(s.abuse, spec.abuse);
      assert.equal(s.remediation, spec.remediation);
      assert.equal(s.evidence, EVIDENCE[`${s.from}>${s.to}`]);
    });
  });
}

describe('buildReport on the incident graph (SQLite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aispm-report-build-'));
  let n = 0;
  const open = (batch?: Parameters<typeof storeWith>[1]) => storeWith(join(dir, `g-${n++}.db`), batch);
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('no crown jewel tagged: every endpoint is a target', () => {
    let store: GraphStore;
    let report: Report;
    before(async () => {
      store = await open();
      report = await buildReport(store, { now: FIXED_NOW });
    });
    after(() => store.close());

    it('an executive summary: what is exposed, by what, the two fixes that cut most paths, who must act', () => {
      const x = report.summary.executive;
      assert.match(x, /^2 endpoints of 2 can be reached from \d+ entry points along the 9 paths reported\. /);
      assert.match(x, /The top path \(risk 9\.5 of 10\) starts at acme\/chat-7b \(loaded at a floating revision\): acme\/chat-7b served by acme\/chat\./);
      assert.deepEqual(report.summary.fixes.slice(0, 2).map((f) => [f.edgeKind, f.pathsCut]), [['SERVES', 9], ['DERIVED_FROM', 6]]);
      assert.match(x, /Two fixes cut the most paths: \(1\) serve pinned, scanned model revisions .* — on 9 of 9; \(2\) pin the base model .* — on 6 of 9\./);
      assert.match(x, /Who must act: hf:org\/acme, hf:user\/alice\.$/);
      for (const p of report.attackPaths) assert.ok(p.owners.length && p.entryReasons.length, `path ${p.rank} has owners and entry reasons`);
    });

    it('scope and summary counts', () => {
      assert.equal(report.schemaVersion, 1);
      assert.equal(report.generatedAt, '2026-03-01T12:00:00.000Z');
      assert.deepEqual(report.scope, { mode: 'endpoints', targets: [K.chatSpace, K.summarizeSpace] });
      assert.deepEqual(report.summary.assets, {
        total: 16,
        byKind: { Dataset: 2, Endpoint: 2, File: 1, Identity: 3, Model: 4, Package: 2, Vulnerability: 2 },
      });
      assert.deepEqual(report.summary.crownJewels, []);
      assert.equal(report.summary.entryPoints, 7);
    });

    it('the nine attack paths in order, every step explained with its evidence', () => {
      assertPaths(report, ALL_PATHS);
      assert.equal(report.attackPaths[3]!.steps[1]!.relation, 'adapter');
      assert.equal(report.attackPaths[2]!.steps[1]!.relation, 'finetune');
    });

    it('the choke point: chat-7b → space chat (SERVES) lies on 5 of the 9 paths, more than any other step', () => {
      // Counts: chat-7b→chat 5 (paths 1,3,5,7,8); summarizer→summarize 4 (2,4,6,9); base→chat-7b 3; base→summarizer 3;
      // others ≤ 2.
      assert.deepEqual(report.chokePoint, {
        from: K.chat,
        to: K.chatSpace,
        edgeKind: 'SERVES',
        pathsCut: 5,
        pathsTotal: 9,
        remediation: EDGE_SPECS.SERVES.remediation,
      });
    });

    it('exposure: 6 of the 7 entry points reach a target (pillow only reaches an unserved model)', () => {
      // 6 / 7 = 85.71…% → 85.7
      assert.deepEqual(report.summary.exposure, { entriesReachingTargets: 6, entries: 7, percent: 85.7 });
    });

    it('impact: the pickle (first top entry point) compromises base, chat-7b, summarizer and both spaces: 5 of 16 nodes', () => {
      // Compared over the three top entry points (chat-7b 1, summarizer 1, the pickle 5): the pickle is widest.
      assert.deepEqual(report.summary.impact, { entry: K.pickle, reached: 5, total: 16, percent: 31.3, entriesCompared: 3 });
      assert.equal(report.summary.truncated, false);
    });

    it('findings by severity: the dangerous pickle and the critical advisory; two outside-writer high (public data), two medium (a third party on the base); custom code, license drift and two unpinned revisions', () => {
      assert.deepEqual(report.summary.findingsBySeverity, { critical: 2, high: 2, medium: 6, low: 0, info: 0 });
      const brief = report.findings.map((f) => `${f.severity} ${f.rule} ${[...f.nodes].sort().join(',')}`).sort();
      assert.deepEqual(
        brief,
        [
          `critical pickle-dangerous ${[K.pickle, K.base, K.chat, K.summarizer].sort().join(',')}`,
          `critical vulnerable-dependency ${[K.ghsa, K.transformers, K.chat].sort().join(',')}`,
          `high outside-writer ${[K.chatSpace, K.webtext].sort().join(',')}`,
          `high outside-writer ${[K.summarizeSpace, K.webtext].sort().join(',')}`,
          // mallory is neither the spaces' org nor the base's owner, and the base is not what the spaces serve.
          `medium outside-writer ${[K.chatSpace, K.mallory, K.base].sort().join(',')}`,
          `medium outside-writer ${[K.summarizeSpace, K.mallory, K.base].sort().join(',')}`,
          `medium custom-code ${[K.summarizer, K.summarizeSpace].sort().join(',')}`,
          `medium license-drift ${[K.summarizer, K.base].sort().join(',')}`,
          // Both SERVES edges load the floating "main". No dataset is gated or private, so no gated-data finding.
          `medium unpinned-revision ${[K.chatSpace, K.chat].sort().join(',')}`,
          `medium unpinned-revision ${[K.summarizeSpace, K.summarizer].sort().join(',')}`,
        ].sort(),
      );
      // Most severe first, each with its remediation.
      assert.deepEqual(report.findings.map((f) => f.severity), ['critical', 'critical', 'high', 'high', 'medium', 'medium', 'medium', 'medium', 'medium', 'medium']);
      for (const f of report.findings) assert.ok(f.remediation.length > 20, `${f.rule} has a remediation`);
    });

    it('blast radius of the top three entry points, in path order, with endpoint owners', () => {
      assert.deepEqual(
        report.blastRadii.map((b) => [b.from, b.total, b.percentOfGraph, b.byKind]),
        [
          // 1 / 16 = 6.25% → 6.3
          [K.chat, 1, 6.3, { Endpoint: 1 }],
          [K.summarizer, 1, 6.3, { Endpoint: 1 }],
          [K.pickle, 5, 31.3, { Model: 3, Endpoint: 2 }],
        ],
      );
      assert.deepEqual(report.blastRadii[0]!.endpoints, [{ key: K.chatSpace, depth: 1, owners: [K.acme, K.alice] }]);
      assert.deepEqual(report.blastRadii[2]!.endpoints, [
        { key: K.chatSpace, depth: 3, owners: [K.acme, K.alice] },
        { key: K.summarizeSpace, depth: 3, owners: [K.acme] },
      ]);
    });
  });

  describe('one endpoint tagged crown-jewel', () => {
    let store: GraphStore;
    let report: Report;
    before(async () => {
      store = await open();
      await store.upsert({ nodes: [{ kind: 'Endpoint', key: K.chatSpace, props: { analystTags: ['crown-jewel'] } }], edges: [] });
      report = await buildReport(store, { now: FIXED_NOW });
    });
    after(() => store.close());

    it('targets only the crown jewel, by default and with crownJewels', async () => {
      assert.deepEqual(report.scope, { mode: 'crown-jewels', targets: [K.chatSpace] });
      assert.deepEqual(report.summary.crownJewels, [K.chatSpace]);
      const explicit = await buildReport(store, { crownJewels: true, now: FIXED_NOW });
      assert.deepEqual(explicit, report);
    });

    it('five paths, all through chat-7b → chat, which is therefore the choke point for all five', () => {
      assertPaths(report, ALL_PATHS.filter((p) => p.nodes.at(-1) === K.chatSpace));
      assert.equal(report.chokePoint?.from, K.chat);
      assert.equal(report.chokePoint?.to, K.chatSpace);
      assert.equal(report.chokePoint?.pathsCut, 5);
      assert.equal(report.chokePoint?.pathsTotal, 5);
    });

    it('exposure is 5 of 7: every entry that reached a space reaches the chat space, except summarizer', () => {
      // chat-7b, the pickle, webtext, transformers, mallory; summarizer only reaches the summarize space. 5 / 7 → 71.4
      assert.deepEqual(report.summary.exposure, { entriesReachingTargets: 5, entries: 7, percent: 71.4 });
    });
  });

  describe('an explicit target', () => {
    let store: GraphStore;
    before(async () => {
      store = await open();
    });
    after(() => store.close());

    it('the summarize space: four paths; the choke point is the one step on all of them', async () => {
      const report = await buildReport(store, { targets: [K.summarizeSpace], now: FIXED_NOW });
      assert.deepEqual(report.scope, { mode: 'targets', targets: [K.summarizeSpace] });
      assertPaths(report, ALL_PATHS.filter((p) => p.nodes.at(-1) === K.summarizeSpace));
      // summarizer→summarize lies on all four paths; base→summarizer only on the three from beyond summarizer.
      assert.deepEqual(report.chokePoint, {
        from: K.summarizer,
        to: K.summarizeSpace,
        edgeKind: 'SERVES',
        pathsCut: 4,
        pathsTotal: 4,
        remediation: EDGE_SPECS.SERVES.remediation,
      });
      // transformers and chat-7b only reach the chat space, so 4 of 7 (summarizer, the pickle, webtext, mallory):
      // 4 / 7 = 57.14…% → 57.1.
      assert.deepEqual(report.summary.exposure, { entriesReachingTargets: 4, entries: 7, percent: 57.1 });
      assert.deepEqual(report.blastRadii.map((b) => b.from), [K.summarizer, K.pickle, K.webtext]);
    });

    it('an unknown target is a usage error naming it; crownJewels with none tagged is a usage error', async () => {
      await assert.rejects(buildReport(store, { targets: ['hf:space/acme/nope'] }), (e: unknown) => e instanceof UsageError && /unknown node hf:space\/acme\/nope/.test(e.message));
      await assert.rejects(buildReport(store, { crownJewels: true }), (e: unknown) => e instanceof UsageError && /no node is tagged crown-jewel/.test(e.message));
    });
  });

  it('a depth limit that cuts the search is reported: only the one- and two-step paths are left, exposure 3 of 7', async () => {
    const store = await open();
    try {
      const report = await buildReport(store, { maxDepth: 2, now: FIXED_NOW });
      assert.deepEqual(report.attackPaths.map((p) => p.nodes), [
        [K.chat, K.chatSpace],
        [K.summarizer, K.summarizeSpace],
        [K.transformers, K.chat, K.chatSpace],
      ]);
      // chat-7b, summarizer (depth 1) and transformers (depth 2): 3 / 7 = 42.86…% → 42.9.
      assert.deepEqual(report.summary.exposure, { entriesReachingTargets: 3, entries: 7, percent: 42.9 });
      assert.equal(report.summary.truncated, true);
    } finally {
      await store.close();
    }
  });

  it('exposure follows the same flow rules as the attack paths (a MEMBER_OF role written "Maintain")', async () => {
    // contractor writes a partner's model (so is an outside writer, an entry point) and is a member of acme with a
    // write role spelt in capitals; acme can write the app. The path contractor → acme → app exists (0.6 × 0.5).
    const store = await open({
      nodes: [
        { kind: 'Identity', key: 'gh:user/contractor', props: { type: 'user' } },
        { kind: 'Identity', key: 'hf:org/acme', props: { type: 'org' } },
        { kind: 'Model', key: 'hf:model/partner/tool', props: {} },
        { kind: 'Endpoint', key: 'hf:space/acme/app', props: {} },
      ],
      edges: [
        { kind: 'CAN_WRITE', from: 'gh:user/contractor', to: 'hf:model/partner/tool', props: { role: 'write' }, source: 'gh' },
        { kind: 'MEMBER_OF', from: 'gh:user/contractor', to: 'hf:org/acme', props: { role: 'Maintain' }, source: 'gh' },
        { kind: 'CAN_WRITE', from: 'hf:org/acme', to: 'hf:space/acme/app', props: { role: 'admin' }, source: 'hf' },
      ],
    });
    try {
      const report = await buildReport(store, { now: FIXED_NOW });
      assert.deepEqual(report.attackPaths.map((p) => [p.nodes, p.likelihood]), [[['gh:user/contractor', 'hf:org/acme', 'hf:space/acme/app'], 0.3]]);
      assert.deepEqual(report.summary.exposure, { entriesReachingTargets: 1, entries: 1, percent: 100 });
    } finally {
      await store.close();
    }
  });

  it('an empty graph gives a report with no paths, no choke point and zero measures', async () => {
    const store = await open({ nodes: [], edges: [] });
    try {
      const report = await buildReport(store, { now: FIXED_NOW });
      assert.deepEqual(report.scope, { mode: 'endpoints', targets: [] });
      assert.deepEqual(report.attackPaths, []);
      assert.equal(report.chokePoint, null);
      assert.deepEqual(report.findings, []);
      assert.deepEqual(report.blastRadii, []);
      assert.deepEqual(report.summary.exposure, { entriesReachingTargets: 0, entries: 0, percent: 0 });
      assert.deepEqual(report.summary.impact, { entry: null, reached: 0, total: 0, percent: 0, entriesCompared: 0 });
      assert.equal(report.summary.truncated, false);
      assert.deepEqual(report.summary.findingsBySeverity, { critical: 0, high: 0, medium: 0, low: 0, info: 0 });
    } finally {
      await store.close();
    }
  });
});
