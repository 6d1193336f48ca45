/**
 * The Neo4j suites share one database (a Community server has one) while the runner runs test files in parallel:
 * a suite must not wipe another's data mid-test. Two suites here open the same database; the second waits until
 * the first is done with it.
 */
import assert from 'node:assert/strict';
import { describe, it, test } from 'node:test';
import { neo4jTestTarget } from '../helpers/neo4j.ts';

const first = neo4jTestTarget('isolation test (first suite)');
const second = neo4jTestTarget('isolation test (second suite)');

if (first.status === 'skip') {
  test('neo4j test isolation', { skip: first.reason }, () => {});
} else if (first.status === 'refuse' || second.status !== 'ok') {
  test('neo4j test isolation', () => assert.fail(first.status === 'refuse' ? first.reason : 'second target unusable'));
} else {
  describe('neo4j test isolation', () => {
    it("a second suite's wipe waits until the first suite has closed the database", { timeout: 20 * 60_000 }, async () => {
      const a = await first.open();
      let opening: ReturnType<typeof second.open> | undefined;
      try {
        await a.upsert({ nodes: [{ kind: 'Model', key: 'hf:model/suite-a/m' }], edges: [] });
        let secondOpened = false;
        opening = second.open().then((store) => {
          secondOpened = true;
          return store;
        });
        // Long enough for a wipe and a connect to happen several times over, were nothing holding it back.
        await new Promise((r) => setTimeout(r, 2000));
        assert.equal(secondOpened, false, 'the second suite waited');
        assert.equal((await a.getNodes(['hf:model/suite-a/m'])).length, 1, "the first suite's data is still there");
        await a.close();
        await first.close();
        const b = await opening;
        assert.equal((await b.stats()).nodes, 0, 'the second suite starts from an empty database once the first is done');
      } finally {
        await a.close().catch(() => undefined);
        await first.close();
        await (await opening?.catch(() => undefined))?.close();
        await second.close();
      }
    });
  });
}
