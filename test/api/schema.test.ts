/** The SDL's enums must match the graph model; a drift makes this test (and server startup) fail. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildSchema } from 'graphql';
import { DERIVATION_RELATIONS, EDGE_KINDS, NODE_KINDS } from '../../schema/model.ts';
import { SEVERITIES } from '../../queries/findings/types.ts';
import { enumDrift } from '../../services/api/enums.ts';
import { apiSchema, readSdl } from '../../services/api/executable-schema.ts';

describe('schema/schema.graphql', () => {
  it('has exactly the node kinds, edge kinds, relations and severities of the model', () => {
    const schema = apiSchema();
    assert.deepEqual(enumDrift(schema), []);
    const values = (name: string) => (schema.getType(name) as import('graphql').GraphQLEnumType).getValues().map((v) => v.name);
    assert.deepEqual(values('NodeKind'), [...NODE_KINDS]);
    assert.deepEqual(values('EdgeKind'), [...EDGE_KINDS]);
    assert.deepEqual(values('Relation'), [...DERIVATION_RELATIONS]);
    assert.deepEqual(values('Severity'), [...SEVERITIES]);
  });

  it('reports a drifted enum (the check is not vacuous)', () => {
    const drifted = readSdl().replace(/\n  BUILDS\n/, '\n  BUILDS\n  OWNS\n').replace(/\n  quantized\n/, '\n');
    const problems = enumDrift(buildSchema(drifted));
    assert.deepEqual(problems, ['enum EdgeKind has OWNS, which the model does not', 'enum Relation lacks quantized']);
  });
});
