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
import { describe, it, test } from 'node:test';
import neo4j, { type Driver } from 'neo4j-driver';
import { EDGE_KINDS, NODE_KINDS } from '../../schema/model.ts';
import type { RecordBatch } from '../../schema/records.ts';
import { runCli, tempWorkspace } from '../helpers/cli.ts';
import { Neo4jStore, splitCredentials } from '../../services/store/neo4j.ts';
import {
  decodeProps,
  edgeUpsertText,
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
  stubText,
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
    assert.ok(['Node', 'AispmMeta', ...NODE_KINDS].includes(m[1]!), `label ${m[1]} in ${st.text}`);
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
    // nodes (one label), stubs for the unseen bases (one label), edges (one type): three statements, one round trip each.
    assert.equal(plan.statements.length, 3);
    for (const st of plan.statements) assertNoValues(st, HOSTILE);
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
      assert.throws(() => nodeUpsertText(bad as never), /not a node kind/);
      assert.throws(() => stubText(bad as never), /not a node kind/);
      assert.throws(() => findStatement({ kind: bad, limit: 2 }), /not a node kind/);
    }
    for (const bad of ['SERVES]->() DETACH DELETE (x', 'serves', '', 'SERVES|USES']) {
      assert.throws(() => relTypeOf(bad), /not an edge kind/);
      assert.throws(() => edgeUpsertText(bad as never), /not an edge kind/);
      assert.throws(() => expandStatement(['k'], 'out', [bad as never]), /not an edge kind/);
    }
    // Property names in filters are parameters, and still checked like SQLite does.
    assert.throws(() => findStatement({ where: { 'a.b': 1 }, limit: 2 }), /invalid property name/);
  });

  it('groups a batch into one UNWIND statement per label and relationship type, chunked, never per record', () => {
    const nodes = [];
    const edges = [];
    for (let i = 0; i < 12_000; i++) {
      nodes.push({ kind: 'Model' as const, key: `hf:model/big/m${i}` });
      edges.push({ kind: 'TRAINED_ON' as const, from: `hf:model/big/m${i}`, to: 'hf:dataset/big/root', source: 't' });
    }
    nodes.push({ kind: 'Model' as const, key: 'hf:model/big/m0', props: { likes: 3 } }); // repeated: merged, written once
    const plan = planUpsert({ nodes, edges }, undefined, 'now');
    assert.equal(plan.nodes, 12_000);
    // 12 000 model rows → 3 chunks; 1 dataset stub; 12 000 edges → 3 chunks.
    assert.equal(plan.statements.length, 7);
    assert.ok(plan.statements.every((s) => s.text.startsWith('UNWIND $')));
    assert.deepEqual(plan.statements.map((s) => s.expect), [5000, 5000, 2000, 1, 5000, 5000, 2000]);
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
    const row = (plan.statements[0]!.params.rows as { set: Record<string, unknown> }[])[0]!;
    assert.equal(row.set.p_stub, null);
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
    assert.match(readOnlyRefusal('s', [])!, /schema/);
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
    cleanup: () => target.close(),
  });
}
