/**
 * Where the Neo4j test suites run, if anywhere: a server named by NEO4J_URI that the suites may wipe.
 *
 * !!! The suites OWN that database: before each test they delete EVERY node and relationship in it. They run only
 * !!! with NEO4J_TEST_ALLOW_WIPE=1, or when NEO4J_DATABASE names a test database (its name contains "test").
 */
import neo4j, { type Driver } from 'neo4j-driver';
import { Neo4jStore, splitCredentials } from '../../services/store/neo4j.ts';

export type Neo4jTarget =
  | { status: 'skip'; reason: string }
  | { status: 'refuse'; reason: string }
  | { status: 'ok'; uri: string; open(): Promise<Neo4jStore>; wipe(): Promise<void>; close(): Promise<void> };

export function neo4jTestTarget(suite: string): Neo4jTarget {
  const uri = process.env.NEO4J_URI;
  const database = process.env.NEO4J_DATABASE || undefined;
  if (!uri) return { status: 'skip', reason: `NEO4J_URI is not set, so the ${suite} did not run against Neo4j (see services/store/README.md)` };
  if (!(process.env.NEO4J_TEST_ALLOW_WIPE === '1' || /test/i.test(database ?? ''))) {
    return {
      status: 'refuse',
      reason:
        `NEO4J_URI is set, but the Neo4j ${suite} deletes everything in its database. Set NEO4J_TEST_ALLOW_WIPE=1 ` +
        `(or NEO4J_DATABASE to a database whose name contains "test") if ${uri.replace(/\/\/[^@/]*@/, '//')} is a throwaway database.`,
    };
  }
  const user = process.env.NEO4J_USER ?? 'neo4j';
  const password = process.env.NEO4J_PASSWORD ?? '';
  let admin: Driver | undefined;
  /** Deletes every node and relationship, in batches so a big leftover graph does not need one huge transaction. */
  const wipe = async () => {
    const { driverUri } = splitCredentials(uri, user, password);
    admin ??= neo4j.driver(driverUri, neo4j.auth.basic(user, password), { disableLosslessIntegers: true });
    const session = admin.session({ database, defaultAccessMode: neo4j.session.WRITE });
    try {
      for (;;) {
        const r = await session.executeWrite((tx) => tx.run('MATCH (n) WITH n LIMIT 10000 DETACH DELETE n RETURN count(*) AS n'));
        if (Number(r.records[0]?.get('n') ?? 0) === 0) break;
      }
    } finally {
      await session.close();
    }
  };
  return {
    status: 'ok',
    uri,
    wipe,
    async open() {
      await wipe();
      return Neo4jStore.connect({ uri, user, password, database });
    },
    async close() {
      await admin?.close();
    },
  };
}
