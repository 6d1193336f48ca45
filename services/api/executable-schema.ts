/** The executable schema: the SDL from schema/schema.graphql with the resolvers, checked against the graph model. */
import { readFileSync } from 'node:fs';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { enumDrift } from './enums.ts';
import { aibomResolvers } from './resolvers/aibom.ts';
import { analysisResolvers, analysisTypeResolvers } from './resolvers/analyses.ts';
import { mutationResolvers } from './resolvers/mutation.ts';
import { nodeResolvers } from './resolvers/node.ts';
import { queryResolvers } from './resolvers/query.ts';
import { reportResolvers } from './resolvers/report.ts';
import { JSONScalar } from './resolvers/scalars.ts';

export const SDL_URL = new URL('../../schema/schema.graphql', import.meta.url);

export function readSdl(): string {
  return readFileSync(SDL_URL, 'utf8');
}

let cached: GraphQLSchema | undefined;

/** Built once per process; throws if the SDL's enums drifted from the model. */
export function apiSchema(): GraphQLSchema {
  if (cached) return cached;
  const schema = makeExecutableSchema({
    typeDefs: readSdl(),
    resolvers: {
      JSON: JSONScalar,
      Query: { ...queryResolvers, ...analysisResolvers, ...aibomResolvers, ...reportResolvers },
      Mutation: mutationResolvers,
      ...nodeResolvers,
      ...analysisTypeResolvers,
    },
  });
  const drift = enumDrift(schema);
  if (drift.length) throw new Error(`schema/schema.graphql is out of step with the graph model:\n  ${drift.join('\n  ')}`);
  cached = schema;
  return schema;
}
