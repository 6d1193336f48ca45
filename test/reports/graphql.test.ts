/** The report through GraphQL (`report(...)`), for automation: same model and renderers as `aispm report`. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { codesOf, startHarness, type Harness } from '../api/helpers.ts';
import { assertValidReportJson, assertValidSarif, fixtureBatch, K } from './helpers.ts';

describe('GraphQL report', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness(fixtureBatch());
  });
  after(() => h.close());

  it('returns the report document and the rendered text in the asked format', async () => {
    const r = await h.gql(`{ report(format: md) { format text document } }`);
    assert.deepEqual(r.body.errors, undefined);
    const rep = r.body.data.report;
    assert.equal(rep.format, 'md');
    assertValidReportJson(rep.document);
    // Same answers as the CLI tests work out by hand: nine paths, the choke point on the chat space's SERVES edge.
    assert.equal(rep.document.attackPaths.length, 9);
    assert.equal(rep.document.chokePoint.to, K.chatSpace);
    assert.equal(rep.document.chokePoint.pathsCut, 5);
    assert.match(rep.text, /^# AI supply-chain attack-path report/);
    assert.match(rep.text, /## Choke point/);
  });

  it('renders SARIF that validates, for explicit targets', async () => {
    const r = await h.gql(`query($t: [ID!]) { report(targets: $t, format: sarif) { text document } }`, { t: [K.summarizeSpace] });
    assert.deepEqual(r.body.errors, undefined);
    assertValidSarif(JSON.parse(r.body.data.report.text));
    assert.deepEqual(r.body.data.report.document.scope, { mode: 'targets', targets: [K.summarizeSpace] });
  });

  it('refuses an unknown target, both targets and crownJewels, and a bad k with BAD_INPUT', async () => {
    const before = await h.store.stats();
    const unknown = await h.gql(`{ report(targets: ["hf:space/x/'); DROP TABLE nodes; --"]) { format } }`);
    assert.deepEqual(codesOf(unknown), ['BAD_INPUT']);
    assert.match(unknown.body.errors![0]!.message, /unknown node/);
    const both = await h.gql(`query($t: [ID!]) { report(targets: $t, crownJewels: true) { format } }`, { t: [K.chatSpace] });
    assert.deepEqual(codesOf(both), ['BAD_INPUT']);
    const badK = await h.gql(`{ report(k: 0) { format } }`);
    assert.deepEqual(codesOf(badK), ['BAD_INPUT']);
    assert.deepEqual(await h.store.stats(), before, 'nothing written by a hostile argument');
  });
});
