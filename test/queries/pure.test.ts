/** The pure parts of the analyses: flow derivation, Yen's algorithm, license order, severity order, revision pins. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GraphEdge } from '../../schema/records.ts';
import { compromiseSteps, compromiseSourceSteps, edgeCarriesCompromise, edgeLikelihood, flowWords, groupSteps, lineageKinds } from '../../queries/flow.ts';
import { DERIVATION_RELATIONS, EDGE_KINDS, EDGE_SPECS } from '../../schema/model.ts';
import { kShortestPaths, type WeightedDigraph } from '../../queries/k-shortest.ts';
import { isLooser, licenseClass } from '../../queries/findings/license.ts';
import { severityAtLeast } from '../../queries/findings/index.ts';
import { bareName, ownerOf } from '../../queries/ownership.ts';
import { consumerKinds, describeRevision, isPinnedRevision, revisionKinds } from '../../queries/revisions.ts';

const e = (kind: GraphEdge['kind'], props: GraphEdge['props'] = {}): GraphEdge => ({
  kind,
  from: 'a',
  to: 'b',
  props,
  source: 't',
  evidence: '',
  confidence: 'declared',
  observedAt: '2026-01-01T00:00:00.000Z',
});

describe('flow table → expansion plan', () => {
  it('reverse kinds expand in, forward kinds out, none never', () => {
    const steps = new Map(compromiseSteps().map((s) => [s.kind, s.direction]));
    assert.equal(steps.get('DERIVED_FROM'), 'in');
    assert.equal(steps.get('TRAINED_ON'), 'in');
    assert.equal(steps.get('SERVES'), 'in');
    assert.equal(steps.get('CAN_WRITE'), 'out');
    assert.equal(steps.get('AFFECTS'), 'out');
    assert.equal(steps.has('EVALUATED_ON'), false);
    const back = new Map(compromiseSourceSteps().map((s) => [s.kind, s.direction]));
    assert.equal(back.get('DERIVED_FROM'), 'out');
    assert.equal(back.get('CAN_WRITE'), 'in');
    assert.deepEqual(groupSteps(compromiseSteps()).map((g) => g.direction).sort(), ['in', 'out']);
    assert.deepEqual(lineageKinds(), ['DERIVED_FROM']);
  });

  it('flowWhen: MEMBER_OF carries compromise for write roles only', () => {
    assert.equal(edgeCarriesCompromise(e('MEMBER_OF', { role: 'write' })), true);
    assert.equal(edgeCarriesCompromise(e('MEMBER_OF', { role: 'Admin' })), true);
    assert.equal(edgeCarriesCompromise(e('MEMBER_OF', { role: 'read' })), false);
    assert.equal(edgeCarriesCompromise(e('MEMBER_OF')), false);
    assert.equal(edgeCarriesCompromise(e('EVALUATED_ON')), false);
    assert.equal(edgeCarriesCompromise(e('CAN_WRITE', { role: 'read' })), true, 'CAN_WRITE has no condition: it is write access');
  });

  it('says each relation in words in the compromise direction, DERIVED_FROM by its relation', () => {
    assert.equal(flowWords(e('DERIVED_FROM', { relation: 'finetune' })), 'fine-tuned into');
    assert.equal(flowWords(e('DERIVED_FROM', { relation: 'quantized' })), 'quantized as');
    assert.equal(flowWords(e('DERIVED_FROM', { relation: 'bogus' })), 'derived into', 'an unlisted relation uses the kind words');
    assert.equal(flowWords(e('DERIVED_FROM', { relation: 'constructor' })), 'derived into', 'no prototype lookups');
    assert.equal(flowWords(e('TRAINED_ON')), 'trained');
    assert.equal(flowWords(e('SERVES')), 'served by');
    assert.equal(flowWords(e('USES')), 'loaded by');
    for (const kind of EDGE_KINDS) assert.ok(EDGE_SPECS[kind].flowVerb.length > 0, kind);
    for (const r of DERIVATION_RELATIONS) assert.ok(EDGE_SPECS.DERIVED_FROM.flowVerbBy!.verbs[r], `words for relation ${r}`);
  });

  it('an edge likelihood prop overrides the default only when it is a probability', () => {
    assert.equal(edgeLikelihood(e('SERVES')), 0.95);
    assert.equal(edgeLikelihood(e('SERVES', { likelihood: 0.2 })), 0.2);
    assert.equal(edgeLikelihood(e('SERVES', { likelihood: 0 })), 0.95);
    assert.equal(edgeLikelihood(e('SERVES', { likelihood: 7 })), 0.95);
    assert.equal(edgeLikelihood(e('SERVES', { likelihood: '0.2' })), 0.95);
  });
});

describe("Yen's k shortest loopless paths", () => {
  // The example from Yen's algorithm's Wikipedia page: C=0 D=1 E=2 F=3 G=4 H=5.
  const arcs: [number, number, number][] = [[0, 1, 3], [0, 2, 2], [1, 3, 4], [2, 1, 1], [2, 3, 2], [2, 4, 3], [3, 4, 2], [3, 5, 1], [4, 5, 2]];
  const g: WeightedDigraph = { out: Array.from({ length: 6 }, () => []) };
  arcs.forEach(([f, t, c], id) => g.out[f]!.push({ to: t, cost: c, id }));

  it('finds C-E-F-H (5), C-E-G-H (7), C-D-F-H (8) in that order', () => {
    const paths = kShortestPaths(g, 0, 5, 3);
    assert.deepEqual(paths.map((p) => [p.nodes, p.cost]), [
      [[0, 2, 3, 5], 5],
      [[0, 2, 4, 5], 7],
      [[0, 1, 3, 5], 8],
    ]);
  });

  it('returns every loopless path when k exceeds them, cheapest first, none twice', () => {
    const paths = kShortestPaths(g, 0, 5, 50);
    const ids = paths.map((p) => p.nodes.join('-'));
    assert.equal(new Set(ids).size, ids.length);
    // By hand: C-E-F-H 5, C-E-G-H 7, C-D-F-H 8, C-E-D-F-H 8, C-E-F-G-H 8, C-D-F-G-H 11, C-E-D-F-G-H 11.
    assert.deepEqual(paths.map((p) => p.cost), [5, 7, 8, 8, 8, 11, 11]);
    for (const p of paths) assert.equal(new Set(p.nodes).size, p.nodes.length, 'loopless');
  });

  it('no path: empty', () => {
    assert.deepEqual(kShortestPaths(g, 5, 0, 3), []);
  });
});

describe('license strictness', () => {
  it('classes common ids, unknown strings as restricted, absent as nothing', () => {
    assert.equal(licenseClass('MIT'), 'permissive');
    assert.equal(licenseClass('apache-2.0'), 'permissive');
    assert.equal(licenseClass('cc-by-4.0'), 'permissive');
    assert.equal(licenseClass('cc-by-sa-4.0'), 'copyleft');
    assert.equal(licenseClass('agpl-3.0'), 'copyleft');
    assert.equal(licenseClass('llama3.1'), 'responsible');
    assert.equal(licenseClass('creativeml-openrail-m'), 'responsible');
    assert.equal(licenseClass('cc-by-nc-sa-4.0'), 'restricted');
    assert.equal(licenseClass('other'), 'restricted');
    assert.equal(licenseClass('my-own-terms'), 'restricted');
    assert.equal(licenseClass(undefined), undefined);
    assert.equal(licenseClass(''), undefined);
    assert.equal(isLooser('permissive', 'copyleft'), true);
    assert.equal(isLooser('copyleft', 'permissive'), false);
    assert.equal(isLooser('responsible', 'responsible'), false);
  });

  it('classes an expression by its operators: a choice as its loosest option, a combination as its strictest part', () => {
    // The Hub ingestor writes a card's `license: [mit, apache-2.0]` as `MIT OR Apache-2.0`.
    for (const choice of ['MIT OR Apache-2.0', 'Apache-2.0 OR MIT', '(MIT OR CC0-1.0)', 'mit or apache-2.0', 'cc-by-nc-4.0 OR MIT']) assert.equal(licenseClass(choice), 'permissive', choice);
    assert.equal(licenseClass('GPL-3.0-only AND MIT'), 'copyleft');
    assert.equal(licenseClass('BSD-3-Clause AND (MIT OR other)'), 'permissive');
    assert.equal(licenseClass('(MIT OR GPL-2.0) AND other'), 'restricted');
    assert.equal(licenseClass('GPL-2.0-or-later WITH Classpath-exception-2.0'), 'copyleft');
    assert.equal(licenseClass('llama2 AND Apache-2.0'), 'responsible');
    assert.equal(licenseClass('LicenseRef-acme OR MIT'), 'permissive');
    // Not an expression: classed whole.
    assert.equal(licenseClass('Apache License 2.0'), 'permissive');
    assert.equal(licenseClass('MIT OR'), 'restricted');
  });
});

describe('severity and ownership helpers', () => {
  it('orders severities', () => {
    assert.equal(severityAtLeast('critical', 'high'), true);
    assert.equal(severityAtLeast('high', 'high'), true);
    assert.equal(severityAtLeast('medium', 'high'), false);
    assert.equal(severityAtLeast('info', 'low'), false);
  });

  it('reads owners from the key, else author, and bare org names', () => {
    assert.equal(ownerOf({ key: 'hf:model/Acme/x', props: {} }), 'acme');
    // The namespace controls writes: an author field cannot move the model into another org.
    assert.equal(ownerOf({ key: 'hf:model/acme/x', props: { author: 'other' } }), 'acme');
    assert.equal(ownerOf({ key: 'mlflow:model/fraud/3', props: { author: 'Risk-Team' } }), 'risk-team');
    assert.equal(ownerOf({ key: 'pkg:pypi/torch@1.0.0', props: { author: 'PyTorch Team' } }), 'pytorch team');
    assert.equal(ownerOf({ key: 'gh:deployment/acme/repo/prod', props: {} }), 'acme');
    assert.equal(ownerOf({ key: 'hf:file/datasets/acme/d/a.pkl@1', props: {} }), 'acme');
    assert.equal(ownerOf({ key: 'pkg:pypi/torch@1.0.0', props: {} }), undefined);
    assert.equal(ownerOf({ key: 'hf:model/gpt2', props: {} }), undefined);
    assert.equal(bareName('hf:org/acme'), 'acme');
    assert.equal(bareName('Acme'), 'acme');
  });
});

describe('revision pins', () => {
  it('only a full 40- or 64-hex commit sha is pinned; absent, branches, tags and short shas float', () => {
    assert.equal(isPinnedRevision('0123456789abcdef0123456789abcdef01234567'), true);
    assert.equal(isPinnedRevision('0123456789ABCDEF0123456789ABCDEF01234567'), true);
    assert.equal(isPinnedRevision('f'.repeat(64)), true);
    for (const floating of [undefined, null, '', 'main', 'master', 'v1.0', '0123456', 'g'.repeat(40), 'a'.repeat(41), 42]) {
      assert.equal(isPinnedRevision(floating), false, String(floating));
    }
  });

  it('the consumption kinds and consumers come from the schema (the kinds with a revision property)', () => {
    assert.deepEqual(revisionKinds(), ['SERVES', 'USES']);
    assert.deepEqual(consumerKinds().sort(), ['Endpoint', 'Package', 'Repository']);
    assert.equal(describeRevision(e('SERVES')), 'no revision (loads the default branch)');
    assert.equal(describeRevision(e('USES', { revision: 'main' })), 'revision "main"');
  });
});
