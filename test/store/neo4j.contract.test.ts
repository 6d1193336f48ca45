/**
 * The Neo4j store: the shared contract suite against a real server whenever NEO4J_URI is set, plus what can be
 * checked without one — the Cypher builders (parameterised, labels and types only from the whitelists), the
 * property encoding, and how a failed connection is reported by the CLI.
 *
 * !!! WARNING: the contract suite OWNS the database it is pointed at. Before every test it deletes EVERY node and
 * !!! relationship in it (MATCH (n) DETACH DELETE n). Never point NEO4J_URI at a database you care about. It runs
 * !!! only with NEO4J_TEST_ALLOW_WIPE=1, or when NEO4J_DATABASE names a test database (contains "test").
 *
 *   NEO4J_URI=neo4j://localhost:7687 NEO4J_PASSWORD=… NEO4J_TEST_ALLOW_WIPE=1 npm test
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, describe, it, test } from 'node:test';
import neo4j, { type Driver } from 'neo4j-driver';
import { EDGE_KINDS, NODE_KINDS } from '../../schema/model.ts';
import type { RecordBatch } from '../../schema/records.ts';
import { runCli, tempWorkspace } from '../helpers/cli.ts';
import { Neo4jStore, splitCredentials } from '../../services/store/neo4j.ts';
import {
  decodeProps,
  edgeUpsertText,
  entryBody,
  groupTransactions,
  journal,
  statementsOfEntry,
  encodeProps,
  expandStatement,
  findStatement,
  labelOf,
  planOperators,
  planUpsert,
  readOnlyRefusal,
  relTypeOf,
  removeStaleStatements,
  schemaStatements,
  statsStatement,
  nodeUpsertText,
  type Statement,
} from '../../services/store/neo4j-cypher.ts';
import { runStoreContract } from './contract.ts';
import { neo4jTestTarget } from '../helpers/neo4j.ts';

const HOSTILE = [
  "x'); DROP TABLE nodes; --",
  'n) DETACH DELETE n //',
  '"}]) MATCH (m) SET m.pwned = true //',
  '$rows {props} `backtick`',
  "' OR 1=1 WITH * MATCH (z) DETACH DELETE z //",
];

/** Every label and relationship type spliced into a statement must come from the whitelists. */
function assertWhitelisted(st: Statement): void {
  for (const m of st.text.matchAll(/\(\w*:([A-Za-z_]+)/g)) {
    assert.ok(['Node', 'AispmMeta', 'AispmWrite', 'AispmJournal', ...NODE_KINDS].includes(m[1]!), `label ${m[1]} in ${st.text}`);
  }
  for (const m of st.text.matchAll(/\[\w*:([A-Z_|]+)/g)) {
    for (const t of m[1]!.split('|')) assert.ok((EDGE_KINDS as readonly string[]).includes(t), `type ${t} in ${st.text}`);
  }
}

function assertNoValues(st: Statement, values: string[]): void {
  for (const v of values) assert.ok(!st.text.includes(v), `value ${JSON.stringify(v)} leaked into Cypher text:\n${st.text}`);
  assertWhitelisted(st);
}

describe('neo4j store: Cypher builders (no server needed)', () => {
  it('puts every record value in parameters, never in the Cypher text', () => {
    const batch: RecordBatch = {
      nodes: HOSTILE.map((h, i) => ({ kind: 'Model' as const, key: `hf:model/evil${i}/${h.replace(/\//g, '∕')}`, props: { name: h, [`k${i}`]: h, nested: { h } } })),
      edges: HOSTILE.map((h, i) => ({
        kind: 'DERIVED_FROM' as const,
        from: `hf:model/evil${i}/${h.replace(/\//g, '∕')}`,
        to: `hf:model/base/${i}${h.replace(/\//g, '∕')}`,
        source: h,
        evidence: h,
        props: { relation: 'unknown' },
      })),
    };
    const plan = planUpsert(batch, { source: HOSTILE[0]!, scope: HOSTILE[1]!, syncId: HOSTILE[2]! }, '2026-01-01T00:00:00.000Z');
    assert.equal(plan.nodes, HOSTILE.length);
    assert.equal(plan.edges, HOSTILE.length);
    // nodes (one label), edges (one type and one label pair, stubbing the unseen bases): two statements.
    assert.equal(plan.statements.length, 2);
    for (const st of plan.statements) assertNoValues(st, HOSTILE);
    // A journal entry carries the same values as data, and its statements are rebuilt from whitelisted names.
    const rebuilt = statementsOfEntry(entryBody(plan.statements));
    assert.deepEqual(rebuilt.map((st) => [st.text, st.params]), plan.statements.map((st) => [st.text, st.params]));
    for (const st of rebuilt) assertNoValues(st, HOSTILE);
    assert.throws(() => statementsOfEntry(JSON.stringify([{ op: { type: 'nodes', kind: 'Model) DETACH DELETE (n' }, params: { rows: [] } }])), /not a node kind/);
    for (const st of [journal.stage('w', [{ seq: 0, body: HOSTILE[0]! }]), journal.claim(HOSTILE[1]!, 0), journal.claimNext(HOSTILE[2]!), journal.finish(HOSTILE[3]!)]) {
      assertNoValues(st, HOSTILE);
    }
    const serialized = JSON.stringify(plan.statements.map((s) => s.params));
    for (const h of HOSTILE) assert.ok(serialized.includes(JSON.stringify(h).slice(1, -1)), 'hostile value travels as a parameter');

    const find = findStatement({ kind: 'Model', where: { name: HOSTILE[0]!, private: true }, text: HOSTILE[1], afterKey: HOSTILE[2], limit: 51 });
    assertNoValues(find, HOSTILE);
    assert.deepEqual(find.params.w0, 'p_name');
    assert.deepEqual(find.params.v1, [true, 1], 'booleans match 1/0 as SQLite json_extract does');
    for (const st of [expandStatement(HOSTILE, 'out', ['SERVES', 'USES']), expandStatement(HOSTILE, 'in')]) assertNoValues(st, HOSTILE);
    const stale = removeStaleStatements({ source: HOSTILE[0]!, scope: HOSTILE[1]!, syncId: HOSTILE[3]! });
    for (const st of [...stale.edges, stale.nodes]) assertNoValues(st, HOSTILE);
    assertWhitelisted(statsStatement());
  });

  it('refuses labels and relationship types outside NODE_KINDS / EDGE_KINDS', () => {
    for (const bad of ['Model) DETACH DELETE (n', 'model', 'Node', '', 'Model`', 'AispmMeta']) {
      assert.throws(() => labelOf(bad), /not a node kind/);
      assert.throws(() => nodeUpsertText(bad as never, false), /not a node kind/);
      assert.throws(() => edgeUpsertText('TRAINED_ON', bad as never, 'Dataset', true), /not a node kind/);
      assert.throws(() => findStatement({ kind: bad, limit: 2 }), /not a node kind/);
    }
    for (const bad of ['SERVES]->() DETACH DELETE (x', 'serves', '', 'SERVES|USES']) {
      assert.throws(() => relTypeOf(bad), /not an edge kind/);
      assert.throws(() => edgeUpsertText(bad as never, 'Model', 'Model', false), /not an edge kind/);
      assert.throws(() => expandStatement(['k'], 'out', [bad as never]), /not an edge kind/);
    }
    // Property names in filters are parameters, and still checked like SQLite does.
    assert.throws(() => findStatement({ where: { 'a.b': 1 }, limit: 2 }), /invalid property name/);
  });

  it('groups a batch into one UNWIND statement per label and per (type, label pair), chunked, never per record', () => {
    const nodes = [];
    const edges = [];
    for (let i = 0; i < 12_000; i++) {
      nodes.push({ kind: 'Model' as const, key: `hf:model/big/m${i}` });
      edges.push({ kind: 'TRAINED_ON' as const, from: `hf:model/big/m${i}`, to: 'hf:dataset/big/root', source: 't' });
    }
    nodes.push({ kind: 'Model' as const, key: 'hf:model/big/m0', props: { likes: 3 } }); // repeated: merged, written once
    const plan = planUpsert({ nodes, edges }, undefined, 'now');
    assert.equal(plan.nodes, 12_000);
    // 12 000 model rows → 3 chunks; 12 000 Model→Dataset edges → 3 chunks (the dataset end stubbed in them).
    assert.equal(plan.statements.length, 6);
    assert.ok(plan.statements.every((s) => s.text.startsWith('UNWIND $')));
    assert.deepEqual(plan.statements.map((s) => s.expect), [5000, 5000, 2000, 5000, 5000, 2000]);
    // Transactions of at most 8,000 rows, in plan order: statements are never split.
    const groups = groupTransactions(plan.statements, 8000, 1 << 30);
    assert.deepEqual(groups.map((g) => g.map((s) => s.expect)), [[5000], [5000, 2000], [5000], [5000, 2000]]);
    assert.equal(groupTransactions(plan.statements, 100_000, 1 << 30).length, 1, 'within the bounds: one transaction');
    // Big rows: a statement carries at most BYTES_PER_STATEMENT of them, and the byte bound groups too.
    const big = planUpsert({ nodes: Array.from({ length: 10 }, (_, i) => ({ kind: 'Model' as const, key: `hf:model/big/b${i}`, props: { blob: 'x'.repeat(1_000_000) } })), edges: [] }, undefined, 'now');
    assert.deepEqual(big.statements.map((s) => s.expect), [4, 4, 2]);
    assert.equal(groupTransactions(big.statements, 20_000, 5_000_000).length, 3);
  });

  it('encodes properties so that SET += merges shallowly and null removes, and decodes them back', () => {
    const props = { name: 'm', likes: 2, private: false, tags: ['a', 'b'], nums: [1, 2.5], empty: [] as string[], mixed: ['a', 1], card: { a: { b: [1] } }, license: null };
    const enc = encodeProps(props);
    assert.deepEqual(enc, {
      p_name: 'm', j_name: null, p_likes: 2, j_likes: null, p_private: false, j_private: null,
      p_tags: ['a', 'b'], j_tags: null, p_nums: [1, 2.5], j_nums: null,
      p_empty: null, j_empty: '[]', p_mixed: null, j_mixed: '["a",1]', p_card: null, j_card: '{"a":{"b":[1]}}',
      p_license: null, j_license: null,
    });
    const stored = Object.fromEntries(Object.entries(enc).filter(([, v]) => v !== null));
    const { license: _dropped, ...expected } = props;
    assert.deepEqual(decodeProps({ key: 'k', kind: 'Model', syncSource: 's', ...stored }), expected);
    // The full-record write clears the stub mark.
    const plan = planUpsert({ nodes: [{ kind: 'Model', key: 'hf:model/o/m', props: { name: 'm' } }], edges: [] }, undefined, 'now');
    const row = (plan.statements[0]!.params.rows as [string, Record<string, unknown>, Record<string, null>][])[0]!;
    assert.deepEqual(row[1], { p_name: 'm' }, 'a new node gets only values');
    assert.ok(Object.hasOwn(row[2], 'p_stub') && Object.hasOwn(row[2], 'j_name'), 'an existing one also loses its stub mark and the other representation');
  });

  it('declares one key constraint per node kind, on :Node, on meta, and sync lookup indexes', () => {
    const ddl = schemaStatements();
    for (const kind of NODE_KINDS) assert.ok(ddl.some((d) => d.text === `CREATE CONSTRAINT aispm_${kind.toLowerCase()}_key IF NOT EXISTS FOR (n:${kind}) REQUIRE n.key IS UNIQUE`));
    assert.ok(ddl.some((d) => d.text.includes('FOR (n:Node) REQUIRE n.key IS UNIQUE')));
    assert.ok(ddl.some((d) => d.text.includes('FOR (n:AispmMeta) REQUIRE n.name IS UNIQUE')));
    assert.ok(ddl.some((d) => d.text.includes('FOR (n:Node) ON (n.syncSource, n.scope)')));
    for (const kind of EDGE_KINDS) assert.ok(ddl.some((d) => d.text.includes(`FOR ()-[r:${kind}]-() ON (r.syncSource, r.scope)`)));
    assert.equal(new Set(ddl.map((d) => d.name)).size, ddl.length, 'names are unique');
  });

  it("refuses raw Cypher unless EXPLAIN calls it read-only, and refuses LOAD CSV", () => {
    assert.equal(readOnlyRefusal('r', ['ProduceResults', 'Filter', 'NodeByLabelScan']), undefined);
    assert.match(readOnlyRefusal('rw', [])!, /reads and writes/);
    assert.match(readOnlyRefusal('w', [])!, /writes/);
    assert.match(readOnlyRefusal('s', [])!, /schema or administration command/);
    const plan = { operatorType: 'ProduceResults@neo4j', children: [{ operatorType: 'LoadCSV@neo4j', children: [] }] };
    assert.deepEqual(planOperators(plan), ['ProduceResults', 'LoadCSV']);
    assert.match(readOnlyRefusal('r', planOperators(plan))!, /LoadCSV/);
  });

  it('takes credentials out of a URI', () => {
    const s = splitCredentials('neo4j://alice:pa%40ss@db.example:7687', 'neo4j', 'x');
    assert.deepEqual(s, { driverUri: 'neo4j://db.example:7687', safeUri: 'neo4j://db.example:7687', user: 'alice', password: 'pa@ss' });
    assert.deepEqual(splitCredentials('neo4j://h:7687', 'neo4j', 'pw').user, 'neo4j');
  });
});

/**
 * Rows of a batch that one transaction cannot hold on this server: its heap holds about 5 KB per written row
 * until commit (measured on Neo4j 5.13), so limit / 4 KB rows overflow it. Undefined when that is more than a
 * test should write (a server with a large heap).
 */
function rowsOverMemory(limit: number): number | undefined {
  const rows = Math.ceil(limit / 4000);
  return rows <= 150_000 ? rows : undefined;
}

function tooMuchMemory(limit: number): string {
  return `the server's transaction memory (${Number.isFinite(limit) ? `${Math.round(limit / 2 ** 20)} MiB` : 'unlimited'}) is more than a test batch should fill; run the suite against a server with a heap of at most 512 MiB (.ci/run does)`;
}

/** The most transaction memory the server grants (the smaller of the per-transaction and the total limit). */
async function transactionMemory(driver: Driver): Promise<number> {
  const session = driver.session({ database: process.env.NEO4J_DATABASE || undefined });
  try {
    const r = await session.run(
      "CALL dbms.listConfig('memory.transaction') YIELD name, value WHERE name IN ['db.memory.transaction.max', 'dbms.memory.transaction.total.max'] RETURN name, value",
    );
    const limits = r.records.map((x) => bytesOf(x.get('value') as string)).filter((b) => b > 0);
    return limits.length ? Math.min(...limits) : Infinity;
  } finally {
    await session.close();
  }
}

/** Neo4j's byte sizes as listConfig prints them: `716.80MiB`, `0B`, `2.00GiB`. */
function bytesOf(text: string): number {
  const m = /^([\d.]+)\s*([KMGT]?i?B)?$/i.exec(text.trim());
  if (!m) return 0;
  const unit = (m[2] ?? 'B').toUpperCase().replace('I', '');
  const scale = { B: 1, KB: 2 ** 10, MB: 2 ** 20, GB: 2 ** 30, TB: 2 ** 40 }[unit] ?? 1;
  return Number(m[1]) * scale;
}

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('neo4j store: connection failures (no server needed)', () => {
  const password = 'n3o4j-Pa55word-never-printed';

  it('connect() to a closed port gives a StoreError naming the URI, without credentials', async () => {
    const port = await closedPort();
    await assert.rejects(
      Neo4jStore.connect({ uri: `neo4j://alice:${password}@127.0.0.1:${port}`, user: 'neo4j', password }),
      (err: Error) => {
        assert.equal(err.name, 'StoreError');
        assert.match(err.message, new RegExp(`cannot connect to Neo4j at neo4j://127\\.0\\.0\\.1:${port}`));
        assert.ok(!err.message.includes(password));
        assert.ok(!err.message.includes('alice:'));
        return true;
      },
    );
  });

  it('aispm stats --store neo4j://127.0.0.1:<closed port> exits 3 with a clear message and no password', async () => {
    const port = await closedPort();
    for (const uri of [`neo4j://127.0.0.1:${port}`, `bolt://neo4j:${password}@127.0.0.1:${port}`]) {
      for (const args of [['stats', '--store', uri], ['stats', '--store', uri, '--json']]) {
        const r = await runCli(args, { env: { NEO4J_PASSWORD: password, NEO4J_USER: 'neo4j' } });
        assert.equal(r.code, 3, r.stderr);
        assert.match(r.stderr, /cannot connect to Neo4j at (neo4j|bolt):\/\/127\.0\.0\.1:\d+/);
        assert.ok(!r.stderr.includes(password) && !r.stdout.includes(password), 'password never printed');
      }
    }
  });

  it('aispm cypher on an SQLite store exits 2: raw Cypher needs a Neo4j store', async () => {
    const ws = tempWorkspace();
    try {
      const r = await runCli(['cypher', 'MATCH (n) RETURN n LIMIT 1', '--store', ws.store]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /raw Cypher needs a Neo4j store/);
      const bad = await runCli(['cypher', 'RETURN 1', '--param', 'no-equals', '--store', 'neo4j://127.0.0.1:1']);
      assert.equal(bad.code, 2, bad.stderr);
      assert.match(bad.stderr, /--param/);
    } finally {
      ws.cleanup();
    }
  });
});

// ------------------------------------------------------------------------------------------ the contract, live

const target = neo4jTestTarget('contract suite');
if (target.status === 'skip') {
  test('store contract: neo4j', { skip: target.reason }, () => {});
} else if (target.status === 'refuse') {
  test('store contract: neo4j', () => assert.fail(target.reason));
} else {
  runStoreContract('neo4j', {
    open: () => target.open(),
    async cliSpec() {
      // Child processes open the store through openStore(), which reads NEO4J_USER / NEO4J_PASSWORD /
      // NEO4J_DATABASE from the environment they inherit.
      await target.wipe();
      return target.uri;
    },
    async freshSpec() {
      await target.wipe({ schema: true });
      return target.uri;
    },
    cleanup: () => target.close(),
  });

  describe('neo4j store: what only a live server shows', () => {
    after(() => target.close());

    it("a batch larger than the server's transaction memory is written whole, in bounded transactions", { timeout: 300_000 }, async (t) => {
      const limit = await transactionMemory(await target.admin());
      const rows = rowsOverMemory(limit);
      if (rows === undefined) return t.skip(tooMuchMemory(limit));
      const store = await target.open();
      try {
        const n = Math.ceil(rows / 2);
        const nodes = Array.from({ length: n }, (_, i) => ({ kind: 'Model' as const, key: `hf:model/big${i % 97}/m${i}`, props: { name: `m${i}`, downloads: i, license: 'mit' } }));
        const edges = nodes.map((node, i) => ({ kind: 'DERIVED_FROM' as const, from: node.key, to: nodes[(i * 7 + 1) % n]!.key, source: 'bulk', props: { relation: 'finetune' } }));
        await store.upsert({ nodes, edges });
        const stats = await store.stats();
        assert.equal(stats.nodes, n);
        assert.equal(stats.edges, n);
        // Nothing of the journal is left behind once the write is done.
        const session = (await target.admin()).session({ database: process.env.NEO4J_DATABASE || undefined });
        try {
          const left = await session.run('MATCH (j) WHERE j:AispmWrite OR j:AispmJournal RETURN count(j) AS n');
          assert.equal(Number(left.records[0]!.get('n')), 0);
        } finally {
          await session.close();
        }
      } finally {
        await store.close();
      }
    });

    it('the same batch in one transaction fails with a memory message, and writes nothing', { timeout: 300_000 }, async (t) => {
      const limit = await transactionMemory(await target.admin());
      const rows = rowsOverMemory(limit);
      if (rows === undefined) return t.skip(tooMuchMemory(limit));
      await target.wipe();
      const store = await Neo4jStore.connect({
        uri: target.uri,
        user: process.env.NEO4J_USER ?? 'neo4j',
        password: process.env.NEO4J_PASSWORD ?? '',
        database: process.env.NEO4J_DATABASE || undefined,
        rowsPerTransaction: Number.MAX_SAFE_INTEGER,
        bytesPerTransaction: Number.MAX_SAFE_INTEGER,
      });
      try {
        const n = Math.ceil(rows / 2);
        const nodes = Array.from({ length: n }, (_, i) => ({ kind: 'Model' as const, key: `hf:model/one${i % 97}/m${i}`, props: { name: `m${i}`, downloads: i, license: 'mit' } }));
        const edges = nodes.map((node, i) => ({ kind: 'DERIVED_FROM' as const, from: node.key, to: nodes[(i * 7 + 1) % n]!.key, source: 'bulk', props: { relation: 'finetune' } }));
        await assert.rejects(store.upsert({ nodes, edges }), (err: Error) => {
          assert.equal(err.name, 'StoreError');
          assert.match(err.message, /ran out of transaction memory/);
          assert.match(err.message, /larger heap/);
          return true;
        });
        assert.equal((await store.stats()).nodes, 0, 'nothing written');
      } finally {
        await store.close();
      }
    });

    it('a store an older aispm wrote (layout v1) is upgraded on connect: flow conditions then hold in reach', async () => {
      const store = await target.open();
      const steps = [{ kind: 'MEMBER_OF' as const, direction: 'out' as const, when: { prop: 'role', in: ['write'] } }, { kind: 'CAN_WRITE' as const, direction: 'out' as const }];
      try {
        await store.upsert({
          nodes: [],
          edges: [
            { kind: 'MEMBER_OF', from: 'hf:user/u', to: 'hf:org/w', source: 't', props: { role: 'WRITE' } },
            { kind: 'MEMBER_OF', from: 'hf:user/u', to: 'hf:org/r', source: 't', props: { role: 'read' } },
            { kind: 'CAN_WRITE', from: 'hf:org/w', to: 'hf:model/w/m', source: 't' },
          ],
        });
      } finally {
        await store.close();
      }
      // What v1 wrote: no flow-condition property on the edges, and version 1.
      const session = (await target.admin()).session({ database: process.env.NEO4J_DATABASE || undefined });
      try {
        await session.run("MATCH ()-[r:MEMBER_OF]->() REMOVE r.p_role WITH count(*) AS n MATCH (m:AispmMeta {name: 'schema_version'}) SET m.value = '1'");
      } finally {
        await session.close();
      }
      const upgraded = await Neo4jStore.connect({ uri: target.uri, user: process.env.NEO4J_USER ?? 'neo4j', password: process.env.NEO4J_PASSWORD ?? '', database: process.env.NEO4J_DATABASE || undefined });
      try {
        const r = await upgraded.reach({ from: ['hf:user/u'], steps, maxDepth: 5, maxNodes: 10 });
        assert.deepEqual(r.keys, ['hf:user/u', 'hf:org/w', 'hf:model/w/m']);
        const check = (await target.admin()).session({ database: process.env.NEO4J_DATABASE || undefined });
        try {
          const v = await check.run("MATCH (m:AispmMeta {name: 'schema_version'}) RETURN m.value AS v");
          assert.equal(v.records[0]!.get('v'), '2');
          const roles = await check.run('MATCH ()-[r:MEMBER_OF]->() RETURN r.p_role AS role ORDER BY role');
          assert.deepEqual(roles.records.map((x) => x.get('role')), ['WRITE', 'read']);
        } finally {
          await check.close();
        }
      } finally {
        await upgraded.close();
      }
    });

    it('raw Cypher refuses administration commands, naming them as such', async () => {
      const store = await target.open();
      try {
        for (const query of ['SHOW USERS', 'CALL dbms.listConfig()', 'CREATE INDEX x IF NOT EXISTS FOR (n:Model) ON (n.p_name)']) {
          await assert.rejects(store.runReadOnlyCypher(query), (err: Error) => {
            assert.equal(err.name, 'UsageError', query);
            assert.match(err.message, /refused: the query is a schema or administration command; raw Cypher is read-only/, query);
            return true;
          });
        }
        assert.deepEqual((await store.runReadOnlyCypher('RETURN 1 AS one')).rows, [{ one: 1 }]);
      } finally {
        await store.close();
      }
    });
  });
}
