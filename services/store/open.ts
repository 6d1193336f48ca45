/**
 * Opens the store named by a spec: `sqlite:<path>` (or a bare path ending in .db), or a Neo4j URI
 * (`neo4j://`, `neo4j+s://`, `bolt://`, …) with credentials from NEO4J_USER / NEO4J_PASSWORD.
 */
import { UsageError } from '../../schema/errors.ts';
import type { GraphStore } from '../../schema/store.ts';

export const DEFAULT_STORE = 'sqlite:.aispm/graph.db';

export function resolveStoreSpec(cliValue: string | undefined): string {
  return cliValue || process.env.AISPM_STORE || DEFAULT_STORE;
}

/** The file a `sqlite:` spec (or a bare `.db` path) names; undefined for any other spec. */
export function sqlitePathOf(spec: string): string | undefined {
  if (spec.startsWith('sqlite:')) return spec.slice('sqlite:'.length);
  if (/\.(db|sqlite3?)$/i.test(spec)) return spec;
  return undefined;
}

export async function openStore(spec: string): Promise<GraphStore> {
  if (/^(neo4j|neo4j\+s|neo4j\+ssc|bolt|bolt\+s|bolt\+ssc):\/\//i.test(spec)) {
    const { Neo4jStore } = await import('./neo4j.ts');
    return Neo4jStore.connect({
      uri: spec,
      user: process.env.NEO4J_USER ?? 'neo4j',
      password: process.env.NEO4J_PASSWORD ?? '',
      database: process.env.NEO4J_DATABASE,
    });
  }
  const path = sqlitePathOf(spec);
  if (!path) {
    throw new UsageError(`unknown store "${spec}": use sqlite:<path> or a neo4j:// URI`);
  }
  const { SqliteStore } = await import('./sqlite.ts');
  return SqliteStore.open(path);
}
