/**
 * Where the Neo4j test suites run, if anywhere: a server named by NEO4J_URI that the suites may wipe.
 *
 * !!! The suites OWN that database: before each test they delete EVERY node and relationship in it. They run only
 * !!! with NEO4J_TEST_ALLOW_WIPE=1, or when NEO4J_DATABASE names a test database (its name contains "test").
 *
 * The runner runs test files in parallel, and a Community server has one database, so two suites would wipe each
 * other's data mid-test. A suite therefore holds the database's test lock from its first `open()` until `close()`:
 * a loopback port derived from the URI and database, bound exclusively. The operating system releases it when the
 * process ends however it ends, so a crashed run leaves no stale lock behind.
 */
import { createServer, type Server } from 'node:net';
import neo4j, { type Driver } from 'neo4j-driver';
import { Neo4jStore, splitCredentials } from '../../services/store/neo4j.ts';

export type Neo4jTarget =
  | { status: 'skip'; reason: string }
  | { status: 'refuse'; reason: string }
  | {
      status: 'ok';
      uri: string;
      /** Takes the lock (once), wipes the data, connects. */
      open(): Promise<Neo4jStore>;
      /** Takes the lock (once) and wipes the data; with `schema`, aispm's constraints and indexes too. */
      wipe(opts?: { schema?: boolean }): Promise<void>;
      /** An admin session on the test database, for what the store does not offer (server settings). */
      admin(): Promise<Driver>;
      /** Releases the lock and closes the admin connection. */
      close(): Promise<void>;
    };

/** How long a suite waits for another to finish with the database before it gives up. */
const LOCK_WAIT_MS = 15 * 60_000;

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
  let driver: Driver | undefined;
  let lock: Promise<Server> | undefined;
  const admin = async () => {
    const { driverUri } = splitCredentials(uri, user, password);
    driver ??= neo4j.driver(driverUri, neo4j.auth.basic(user, password), { disableLosslessIntegers: true });
    return driver;
  };
  const wipe = async (opts: { schema?: boolean } = {}) => {
    lock ??= acquireLock(`${uri}\u0000${database ?? ''}`, suite);
    await lock;
    const session = (await admin()).session({ database, defaultAccessMode: neo4j.session.WRITE });
    try {
      // Auto-commit with inner transactions of 1000 nodes: a big leftover graph never needs one big transaction.
      await session.run('MATCH (n) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 1000 ROWS');
      if (opts.schema) {
        // Constraints first: dropping one drops the index behind it.
        for (const show of ['SHOW CONSTRAINTS YIELD name', 'SHOW INDEXES YIELD name']) {
          const names = (await session.run(show)).records.map((r) => r.get('name') as string).filter((n) => n.startsWith('aispm_'));
          const what = show.includes('CONSTRAINTS') ? 'CONSTRAINT' : 'INDEX';
          for (const name of names) await session.run(`DROP ${what} ${name} IF EXISTS`);
        }
      }
    } finally {
      await session.close();
    }
  };
  return {
    status: 'ok',
    uri,
    wipe,
    admin,
    async open() {
      await wipe();
      return Neo4jStore.connect({ uri, user, password, database });
    },
    async close() {
      await driver?.close();
      driver = undefined;
      const held = lock;
      lock = undefined;
      if (held) await new Promise<void>((resolve) => held.then((server) => server.close(() => resolve()), () => resolve()));
    },
  };
}

/** Binds the loopback port named by `name`, waiting while another suite (in any process) holds it. */
async function acquireLock(name: string, suite: string): Promise<Server> {
  // 20000–31999: below Linux's ephemeral range, so no outgoing connection happens to hold it.
  const port = 20_000 + (fnv1a(name) % 12_000);
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    const server = createServer();
    const bound = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve(true));
    });
    if (bound) {
      server.unref();
      return server;
    }
    if (Date.now() > deadline) {
      throw new Error(`the Neo4j ${suite} waited ${LOCK_WAIT_MS / 60_000} min for the test database's lock (127.0.0.1:${port}) held by another suite`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
