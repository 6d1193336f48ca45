/** The analysis suite on Neo4j, whenever NEO4J_URI names a database the tests may wipe (see test/helpers/neo4j.ts). */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { neo4jTestTarget } from '../helpers/neo4j.ts';
import { runAnalysisSuite } from './analysis-suite.ts';

const target = neo4jTestTarget('analysis suite');
if (target.status === 'skip') {
  test('analyses on neo4j', { skip: target.reason }, () => {});
} else if (target.status === 'refuse') {
  test('analyses on neo4j', () => assert.fail(target.reason));
} else {
  after(() => target.close());
  runAnalysisSuite('neo4j', () => target.open());
}
