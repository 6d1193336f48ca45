/** VEX as data: an AFFECTS edge an SBOM marks not_affected or false_positive carries no compromise; others do. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EDGE_SPECS, flowConditionHolds } from '../../schema/model.ts';
import { edgeCarriesCompromise } from '../../queries/flow.ts';
import type { GraphEdge } from '../../schema/records.ts';

const affects = (props: GraphEdge['props']): GraphEdge => ({
  kind: 'AFFECTS', from: 'vuln:GHSA-aaaa-bbbb-cccc', to: 'pkg:pypi/torch@2.1.0', props,
  source: 'sbom:urn:uuid:1', evidence: '', confidence: 'declared', observedAt: '2025-01-01T00:00:00Z',
});

test('AFFECTS flows unless its vex state says the package is not affected', () => {
  assert.equal(edgeCarriesCompromise(affects({})), true, 'an advisory without VEX (OSV) flows');
  assert.equal(edgeCarriesCompromise(affects({ vex: 'exploitable' })), true);
  assert.equal(edgeCarriesCompromise(affects({ vex: 'in_triage' })), true);
  assert.equal(edgeCarriesCompromise(affects({ vex: 'not_affected' })), false);
  assert.equal(edgeCarriesCompromise(affects({ vex: 'FALSE_POSITIVE' })), false, 'compared lower-cased');
});

test('an `in` condition still needs its value: MEMBER_OF with no role carries nothing', () => {
  const cond = EDGE_SPECS.MEMBER_OF.flowWhen!;
  assert.equal(flowConditionHolds(cond, {}), false);
  assert.equal(flowConditionHolds(cond, { role: 'admin' }), true);
  assert.equal(flowConditionHolds(cond, { role: 'read' }), false);
});
