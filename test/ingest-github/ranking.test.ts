/**
 * Attack-path ranking reads branch and environment protection from the model's likelihood modifiers: a push to a
 * protected default branch, or a deployment a reviewer must approve, is a less likely step, and the step says why.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { searchPaths } from '../../queries/attack-paths.ts';
import { modifiedLikelihood } from '../../queries/flow.ts';
import { EDGE_SPECS } from '../../schema/model.ts';
import type { GraphEdge, Props } from '../../schema/records.ts';

const edge = (kind: GraphEdge['kind'], from: string, to: string, props: Props = {}): GraphEdge => ({ kind, from, to, props, source: 'github', evidence: '', confidence: 'declared', observedAt: '' });

const nodes: Record<string, Props> = {
  'gh:repo/acme/open': { requiredReviews: 0 },
  'gh:repo/acme/guarded': { requiredReviews: 2, enforceAdmins: false },
  'gh:repo/acme/strict': { requiredReviews: 1, enforceAdmins: true, codeOwnerReviews: true },
  'gh:deployment/acme/guarded/prod': { requiredReviewers: 1, branchPolicy: 'protected' },
};
const ends = (key: string) => nodes[key];

describe('likelihood modifiers (schema/model.ts) in attack-path ranking', () => {
  it('a push to a protected branch is less likely, unless an administrator bypasses it', () => {
    const base = EDGE_SPECS.CAN_WRITE.likelihood;
    assert.equal(modifiedLikelihood(edge('CAN_WRITE', 'gh:user/x', 'gh:repo/acme/open', { role: 'write' }), ends).likelihood, base);
    const guarded = modifiedLikelihood(edge('CAN_WRITE', 'gh:user/x', 'gh:repo/acme/guarded', { role: 'write' }), ends);
    assert.equal(guarded.likelihood, base * 0.4);
    assert.match(guarded.reasons[0]!, /approving review/);
    assert.equal(modifiedLikelihood(edge('CAN_WRITE', 'gh:user/x', 'gh:repo/acme/guarded', { role: 'admin' }), ends).likelihood, base, 'admins are not bound unless enforced');
    assert.equal(modifiedLikelihood(edge('CAN_WRITE', 'gh:user/x', 'gh:repo/acme/strict', { role: 'admin' }), ends).likelihood, base * 0.4);
    assert.equal(modifiedLikelihood(edge('CAN_WRITE', 'gh:user/x', 'gh:repo/acme/strict', { role: 'write' }), ends).likelihood, base * 0.4 * 0.8);
    assert.equal(modifiedLikelihood(edge('CAN_WRITE', 'gh:user/x', 'gh:repo/acme/guarded', { role: 'write' }), () => undefined).likelihood, base, 'unknown protection changes nothing');
  });

  it('ranks the path through the open branch and ungated environment first, and explains the others', () => {
    const edges = [
      edge('CAN_WRITE', 'gh:user/mallory', 'gh:repo/acme/open', { role: 'write' }),
      edge('CAN_WRITE', 'gh:user/mallory', 'gh:repo/acme/guarded', { role: 'write' }),
      edge('DEPLOYS', 'gh:repo/acme/open', 'gh:deployment/acme/open/prod'),
      edge('DEPLOYS', 'gh:repo/acme/guarded', 'gh:deployment/acme/guarded/prod'),
    ];
    const paths = searchPaths(edges, ['gh:user/mallory'], ['gh:deployment/acme/open/prod', 'gh:deployment/acme/guarded/prod'], 5, ends);
    assert.deepEqual(paths.map((p) => p.to), ['gh:deployment/acme/open/prod', 'gh:deployment/acme/guarded/prod']);
    const [open, guarded] = paths;
    assert.equal(open!.likelihood, 0.5 * 0.85);
    assert.equal(guarded!.likelihood, Math.round(0.5 * 0.4 * 0.85 * 0.4 * 0.8 * 1e6) / 1e6);
    assert.equal(open!.steps.some((s) => s.adjustments), false);
    assert.deepEqual(guarded!.steps.map((s) => s.adjustments?.length ?? 0), [1, 2]);
  });
});
