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
 * Entry points (5): webtext (public-write), the pickle (dangerous-file), mallory (outside-writer), transformers and
 * pillow (vulnerable-package). No crown jewel is tagged, so the targets are both spaces.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EDGE_SPECS, type EdgeKind } from '../../schema/model.ts';
import { UsageError } from '../../services/errors.ts';
import { buildReport, type Report } from '../../services/reports/index.ts';
import type { GraphStore } from '../../services/store/types.ts';
import { FIXED_NOW, K, storeWith } from './helpers.ts';

const L = (...kinds: EdgeKind[]) => kinds.reduce((acc, k) => acc * EDGE_SPECS[k].likelihood, 1);

/** The seven paths to the two spaces, cheapest first, with their likelihoods worked out by hand. */
const ALL_PATHS: { nodes: string[]; kinds: EdgeKind[]; likelihood: number }[] = [
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

    it('scope and summary counts', () => {
      assert.equal(report.schemaVersion, 1);
      assert.equal(report.generatedAt, '2026-03-01T12:00:00.000Z');
      assert.deepEqual(report.scope, { mode: 'endpoints', targets: [K.chatSpace, K.summarizeSpace] });
      assert.deepEqual(report.summary.assets, {
        total: 16,
        byKind: { Dataset: 2, Endpoint: 2, File: 1, Identity: 3, Model: 4, Package: 2, Vulnerability: 2 },
      });
      assert.deepEqual(report.summary.crownJewels, []);
      assert.equal(report.summary.entryPoints, 5);
    });

    it('the seven attack paths in order, every step explained with its evidence', () => {
      assertPaths(report, ALL_PATHS);
      assert.equal(report.attackPaths[1]!.steps[1]!.relation, 'adapter');
      assert.equal(report.attackPaths[0]!.steps[1]!.relation, 'finetune');
    });

    it('the choke point: chat-7b → space chat (SERVES) lies on 4 of the 7 paths, more than any other step', () => {
      // Counts: chat-7b→chat 4 (paths 1,3,5,6); base→chat-7b 3; base→summarizer 3; summarizer→summarize 3; others ≤ 2.
      assert.deepEqual(report.chokePoint, {
        from: K.chat,
        to: K.chatSpace,
        edgeKind: 'SERVES',
        pathsCut: 4,
        pathsTotal: 7,
        remediation: EDGE_SPECS.SERVES.remediation,
      });
    });

    it('exposure: 4 of the 5 entry points reach a target (pillow only reaches an unserved model)', () => {
      assert.deepEqual(report.summary.exposure, { entriesReachingTargets: 4, entries: 5, percent: 80 });
    });

    it('impact: the pickle (first top entry point) compromises base, chat-7b, summarizer and both spaces: 5 of 16 nodes', () => {
      // Compared over the three top entry points (the pickle 5, webtext 5, transformers 2); the tie goes to the pickle.
      assert.deepEqual(report.summary.impact, { entry: K.pickle, reached: 5, total: 16, percent: 31.3, entriesCompared: 3 });
      assert.equal(report.summary.truncated, false);
    });

    it('findings by severity: the dangerous pickle and the critical advisory; four outside-writer; custom code and license drift', () => {
      assert.deepEqual(report.summary.findingsBySeverity, { critical: 2, high: 4, medium: 2, low: 0, info: 0 });
      const brief = report.findings.map((f) => `${f.severity} ${f.rule} ${[...f.nodes].sort().join(',')}`).sort();
      assert.deepEqual(
        brief,
        [
          `critical pickle-dangerous ${[K.pickle, K.base, K.chat, K.summarizer].sort().join(',')}`,
          `critical vulnerable-dependency ${[K.ghsa, K.transformers, K.chat].sort().join(',')}`,
          `high outside-writer ${[K.chatSpace, K.webtext].sort().join(',')}`,
          `high outside-writer ${[K.summarizeSpace, K.webtext].sort().join(',')}`,
          `high outside-writer ${[K.chatSpace, K.mallory, K.base].sort().join(',')}`,
          `high outside-writer ${[K.summarizeSpace, K.mallory, K.base].sort().join(',')}`,
          `medium custom-code ${[K.summarizer, K.summarizeSpace].sort().join(',')}`,
          `medium license-drift ${[K.summarizer, K.base].sort().join(',')}`,
        ].sort(),
      );
      // Most severe first, each with its remediation.
      assert.deepEqual(report.findings.map((f) => f.severity), ['critical', 'critical', 'high', 'high', 'high', 'high', 'medium', 'medium']);
      for (const f of report.findings) assert.ok(f.remediation.length > 20, `${f.rule} has a remediation`);
    });

    it('blast radius of the top three entry points, in path order, with endpoint owners', () => {
      assert.deepEqual(
        report.blastRadii.map((b) => [b.from, b.total, b.percentOfGraph, b.byKind]),
        [
          [K.pickle, 5, 31.3, { Model: 3, Endpoint: 2 }],
          [K.webtext, 5, 31.3, { Model: 3, Endpoint: 2 }],
          [K.transformers, 2, 12.5, { Model: 1, Endpoint: 1 }],
        ],
      );
      assert.deepEqual(report.blastRadii[0]!.endpoints, [
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
      await store.upsert({ nodes: [{ kind: 'Endpoint', key: K.chatSpace, props: { tags: ['crown-jewel'] } }], edges: [] });
      report = await buildReport(store, { now: FIXED_NOW });
    });
    after(() => store.close());

    it('targets only the crown jewel, by default and with crownJewels', async () => {
      assert.deepEqual(report.scope, { mode: 'crown-jewels', targets: [K.chatSpace] });
      assert.deepEqual(report.summary.crownJewels, [K.chatSpace]);
      const explicit = await buildReport(store, { crownJewels: true, now: FIXED_NOW });
      assert.deepEqual(explicit, report);
    });

    it('four paths, all through chat-7b → chat, which is therefore the choke point for all four', () => {
      assertPaths(report, ALL_PATHS.filter((p) => p.nodes.at(-1) === K.chatSpace));
      assert.equal(report.chokePoint?.from, K.chat);
      assert.equal(report.chokePoint?.to, K.chatSpace);
      assert.equal(report.chokePoint?.pathsCut, 4);
      assert.equal(report.chokePoint?.pathsTotal, 4);
    });

    it('exposure is still 4 of 5: every entry that reached a space reaches the chat space', () => {
      assert.deepEqual(report.summary.exposure, { entriesReachingTargets: 4, entries: 5, percent: 80 });
    });
  });

  describe('an explicit target', () => {
    let store: GraphStore;
    before(async () => {
      store = await open();
    });
    after(() => store.close());

    it('the summarize space: three paths; choke point ties broken toward the more likely step', async () => {
      const report = await buildReport(store, { targets: [K.summarizeSpace], now: FIXED_NOW });
      assert.deepEqual(report.scope, { mode: 'targets', targets: [K.summarizeSpace] });
      assertPaths(report, ALL_PATHS.filter((p) => p.nodes.at(-1) === K.summarizeSpace));
      // base→summarizer (0.9) and summarizer→summarize (0.95) both lie on all three paths.
      assert.deepEqual(report.chokePoint, {
        from: K.summarizer,
        to: K.summarizeSpace,
        edgeKind: 'SERVES',
        pathsCut: 3,
        pathsTotal: 3,
        remediation: EDGE_SPECS.SERVES.remediation,
      });
      // transformers only reaches chat-7b, so 3 of 5 (the pickle, webtext, mallory).
      assert.deepEqual(report.summary.exposure, { entriesReachingTargets: 3, entries: 5, percent: 60 });
      assert.deepEqual(report.blastRadii.map((b) => b.from), [K.pickle, K.webtext, K.mallory]);
    });

    it('an unknown target is a usage error naming it; crownJewels with none tagged is a usage error', async () => {
      await assert.rejects(buildReport(store, { targets: ['hf:space/acme/nope'] }), (e: unknown) => e instanceof UsageError && /unknown node hf:space\/acme\/nope/.test(e.message));
      await assert.rejects(buildReport(store, { crownJewels: true }), (e: unknown) => e instanceof UsageError && /no node is tagged crown-jewel/.test(e.message));
    });
  });

  it('a depth limit that cuts the search is reported: only the two-step path is left, exposure 1 of 5', async () => {
    const store = await open();
    try {
      const report = await buildReport(store, { maxDepth: 2, now: FIXED_NOW });
      assert.deepEqual(report.attackPaths.map((p) => p.nodes), [[K.transformers, K.chat, K.chatSpace]]);
      assert.deepEqual(report.summary.exposure, { entriesReachingTargets: 1, entries: 5, percent: 20 });
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
