/**
 * The SDL's enums must say what the graph model says. They are written out in schema/schema.graphql so that the
 * SDL reads on its own, and checked here against their sources of truth at startup (and by a test), so a new node
 * kind, edge kind, relation or severity cannot be forgotten in the API.
 */
import { isEnumType, type GraphQLSchema } from 'graphql';
import { DERIVATION_RELATIONS, EDGE_KINDS, NODE_KINDS } from '../../schema/model.ts';
import { SEVERITIES } from '../../queries/findings/types.ts';

export const ENUM_SOURCES: Readonly<Record<string, readonly string[]>> = {
  NodeKind: NODE_KINDS,
  EdgeKind: EDGE_KINDS,
  Relation: DERIVATION_RELATIONS,
  Severity: SEVERITIES,
};

/** One line per difference between the SDL's enums and their sources; empty when they agree. */
export function enumDrift(schema: GraphQLSchema): string[] {
  const problems: string[] = [];
  for (const [name, expected] of Object.entries(ENUM_SOURCES)) {
    const type = schema.getType(name);
    if (!isEnumType(type)) {
      problems.push(`enum ${name} is missing from the SDL`);
      continue;
    }
    const actual = type.getValues().map((v) => v.name);
    const missing = expected.filter((v) => !actual.includes(v));
    const extra = actual.filter((v) => !expected.includes(v));
    if (missing.length) problems.push(`enum ${name} lacks ${missing.join(', ')}`);
    if (extra.length) problems.push(`enum ${name} has ${extra.join(', ')}, which the model does not`);
  }
  return problems;
}
