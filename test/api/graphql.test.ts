/**
 * GraphQL end to end over HTTP against a real SQLite store: paging through large results, node look-ups, error
 * codes, hostile arguments, limits, health and GraphiQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getIntrospectionQuery } from 'graphql';
import { codesOf, DATASET, fanGraph, startHarness, type Harness } from './helpers.ts';
import { validateAibom } from '../../services/aibom/index.ts';
import { runFindings } from '../../queries/findings/index.ts';

const MODELS = 2000;
const ENDPOINTS = 500;

describe('GraphQL API over HTTP', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness(fanGraph(MODELS, ENDPOINTS));
  });
  after(async () => {
    await h?.close();
  });

  it('pages through a 2,500-node blast radius: every node once, no gaps, counts on every page', async () => {
    const query = `query($after: String) { blastRadius(from: "${DATASET}", first: 1000, after: $after) {
      total totalCount truncated byKind { kind count } endpoints { key owners }
      edges { cursor node { key kind depth path } } pageInfo { hasNextPage endCursor } } }`;
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const r = await h.gql(query, { after });
      assert.equal(r.status, 200);
      assert.equal(r.body.errors, undefined);
      const br = r.body.data.blastRadius;
      assert.equal(br.total, MODELS + ENDPOINTS);
      assert.equal(br.totalCount, MODELS + ENDPOINTS);
      assert.deepEqual(br.byKind, [{ kind: 'Endpoint', count: ENDPOINTS }, { kind: 'Model', count: MODELS }]);
      assert.equal(br.endpoints.length, ENDPOINTS);
      assert.deepEqual(br.endpoints[0].owners, ['hf:user/owner']);
      for (const e of br.edges) seen.push(e.node.key);
      pages++;
      if (!br.pageInfo.hasNextPage) break;
      after = br.pageInfo.endCursor;
    }
    assert.equal(pages, 3);
    assert.equal(seen.length, MODELS + ENDPOINTS);
    assert.equal(new Set(seen).size, MODELS + ENDPOINTS, 'no node twice');
    // Depth 1 (models) strictly before depth 2 (endpoints): the order the cursors follow.
    assert.ok(seen.slice(0, MODELS).every((k) => k.startsWith('hf:model/')));
    assert.ok(seen.slice(MODELS).every((k) => k.startsWith('hf:space/')));
  });

  it('explains each reached node with its path from the start and the hop that reached it, in words', async () => {
    const r = await h.gql(`{ blastRadius(from: "${DATASET}", first: 1, after: null) {
      edges { node { key depth path via { from to edgeKind verb } owners node { name } } }
      endpoints { key hops { from verb to } } } }`);
    assert.equal(r.body.errors, undefined);
    const [first] = r.body.data.blastRadius.edges;
    assert.deepEqual(first.node, {
      key: 'hf:model/acme/m00000',
      depth: 1,
      path: [DATASET, 'hf:model/acme/m00000'],
      via: { from: DATASET, to: 'hf:model/acme/m00000', edgeKind: 'TRAINED_ON', verb: 'trained' },
      owners: ['acme'], // no recorded writer: the owner its key names
      node: { name: 'm0' },
    });
    const endpoint = r.body.data.blastRadius.endpoints[0];
    assert.deepEqual(endpoint.hops.map((h: { verb: string }) => h.verb), ['trained', 'served by']);
  });

  it('pages through search results and a node’s edges', async () => {
    const seen = new Set<string>();
    let after: string | null = null;
    for (;;) {
      const r = await h.gql(`query($a: String) { search(kind: Model, first: 777, after: $a) { edges { node { key } } pageInfo { hasNextPage endCursor } } }`, { a: after });
      assert.equal(r.body.errors, undefined);
      for (const e of r.body.data.search.edges) seen.add(e.node.key);
      if (!r.body.data.search.pageInfo.hasNextPage) break;
      after = r.body.data.search.pageInfo.endCursor;
    }
    assert.equal(seen.size, MODELS + 1); // the fan's models and the base

    const edgeKeys: string[] = [];
    after = null;
    for (;;) {
      const r = await h.gql(`query($a: String) { node(key: "${DATASET}") { edges(direction: IN, kinds: [TRAINED_ON], first: 600, after: $a) {
        totalCount edges { node { kind direction other { key } } } pageInfo { hasNextPage endCursor } } } }`, { a: after });
      const conn = r.body.data.node.edges;
      assert.equal(conn.totalCount, MODELS);
      for (const e of conn.edges) {
        assert.equal(e.node.direction, 'IN');
        edgeKeys.push(e.node.other.key);
      }
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    assert.equal(new Set(edgeKeys).size, MODELS);
  });

  it('answers node(key), relations, lineage, path and stats', async () => {
    const r = await h.gql(`{
      node(key: "hf:model/acme/m00000") { key kind name edges(direction: OUT, kinds: [DERIVED_FROM]) { edges { node { relation to { key } } } } }
      missing: node(key: "hf:model/acme/nope") { key }
      lineage(key: "hf:model/acme/m00000", direction: UP) { up { key relation parent } }
      path(from: "hf:space/acme/s00001", to: "${DATASET}") { keys length }
      stats { backend nodes edges nodesByKind { kind count } }
    }`);
    assert.equal(r.body.errors, undefined);
    const d = r.body.data;
    assert.equal(d.node.kind, 'Model');
    assert.equal(d.node.name, 'm0');
    assert.deepEqual(d.node.edges.edges, [{ node: { relation: 'finetune', to: { key: 'hf:model/acme/base' } } }]);
    assert.equal(d.missing, null);
    assert.deepEqual(d.lineage.up, [{ key: 'hf:model/acme/base', relation: 'finetune', parent: 'hf:model/acme/m00000' }]);
    assert.deepEqual(d.path, { keys: ['hf:space/acme/s00001', 'hf:model/acme/m00001', DATASET], length: 2 });
    assert.equal(d.stats.backend, 'sqlite');
    assert.equal(d.stats.nodes, MODELS + ENDPOINTS + 3);
  });

  it('answers attack paths (each step explained), findings and the AIBOM through GraphQL', async () => {
    const r = await h.gql(`{
      attackPaths(from: ["${DATASET}"], to: ["hf:space/acme/s00002"], first: 1) {
        entries targets totalCount
        edges { node { from to nodes risk likelihood steps { edgeKind from to meaning remediation } } }
      }
      findings(minSeverity: info, first: 2) { totalCount edges { node { id rule severity nodes } } pageInfo { hasNextPage } }
      aibom(model: "hf:model/acme/m00000", spec: { version: "1.6", deterministic: true }) {
        model document score { scale total missingCritical } weakestLink { key score }
      }
    }`);
    assert.equal(r.body.errors, undefined, JSON.stringify(r.body.errors));
    const ap = r.body.data.attackPaths;
    assert.deepEqual([ap.entries, ap.targets, ap.totalCount], [[DATASET], ['hf:space/acme/s00002'], 1]);
    const path = ap.edges[0].node;
    assert.deepEqual(path.nodes, [DATASET, 'hf:model/acme/m00002', 'hf:space/acme/s00002']);
    assert.deepEqual(path.steps.map((s: { edgeKind: string }) => s.edgeKind), ['TRAINED_ON', 'SERVES']);
    assert.ok(path.steps.every((s: { meaning: string; remediation: string }) => s.meaning && s.remediation));
    assert.ok(path.risk > 0 && path.likelihood > 0);
    // GraphQL pages the same findings the rules produce.
    const expected = await runFindings(h.store);
    assert.equal(r.body.data.findings.totalCount, expected.length);
    assert.equal(r.body.data.findings.edges.length, Math.min(2, expected.length));
    assert.equal(r.body.data.findings.pageInfo.hasNextPage, expected.length > 2);
    const bom = r.body.data.aibom;
    assert.equal(bom.model, 'hf:model/acme/m00000');
    assert.equal(bom.document.bomFormat, 'CycloneDX');
    assert.equal(bom.score.scale, 'aispm-completeness/2');
    assert.equal(bom.document.specVersion, '1.6');
    assert.deepEqual(validateAibom(bom.document, '1.6'), { valid: true, errors: [] }, 'the GraphQL BOM is schema-valid');
    assert.equal(typeof bom.score.total, 'number');
    const notModel = await h.gql(`{ aibom(model: "${DATASET}") { model } }`);
    assert.deepEqual(codesOf(notModel), ['BAD_INPUT']);
  });

  it('answers NOT_FOUND for an unknown key given to an analysis', async () => {
    const r = await h.gql(`{ blastRadius(from: "hf:dataset/acme/nope") { total } }`);
    assert.deepEqual(codesOf(r), ['NOT_FOUND']);
    assert.match(r.body.errors![0]!.message, /hf:dataset\/acme\/nope/);
  });

  it('treats hostile arguments as data: NOT_FOUND or BAD_INPUT, never INTERNAL, and the store is untouched', async () => {
    const before = (await h.gql('{ stats { nodes edges } }')).body.data.stats;
    const hostileKeys = [
      `hf:model/a/b' OR '1'='1`,
      `"; DROP TABLE nodes; --`,
      `MATCH (n) DETACH DELETE n`,
      `hf:model/x/y\u0000\u001b[31m`,
      `') UNION SELECT key, kind, props FROM nodes --`,
    ];
    for (const key of hostileKeys) {
      const r = await h.gql(`query($k: ID!) { node(key: $k) { key } blastRadius(from: $k) { total } }`, { k: key });
      assert.equal(r.status, 200);
      assert.equal(r.body.data?.node ?? null, null);
      assert.deepEqual(codesOf(r), ['NOT_FOUND'], key);
      assert.ok(!r.body.errors![0]!.message.includes('\u0000'), 'control characters are escaped in messages');
    }
    const cases: [string, Record<string, unknown>][] = [
      [`query($k: ID!) { node(key: $k) { key } }`, { k: 'x'.repeat(10_000) }],
      [`query($w: JSON) { search(where: $w) { edges { node { key } } } }`, { w: { "name') OR 1=1 --": 'x' } }],
      [`query($w: JSON) { search(where: $w) { edges { node { key } } } }`, { w: { name: { $ne: 1 } } }],
      [`query($a: String) { search(after: $a) { edges { node { key } } } }`, { a: `'; DELETE FROM nodes; --` }],
      [`query($a: String) { blastRadius(from: "${DATASET}", after: $a) { total } }`, { a: 'bm90IGEgY3Vyc29y' }],
      [`{ blastRadius(from: "${DATASET}", first: -1) { total } }`, {}],
      [`{ blastRadius(from: "${DATASET}", first: 1000000) { total } }`, {}],
      [`{ blastRadius(from: "${DATASET}", maxDepth: 2000000000) { total } }`, {}],
      [`{ attackPaths(k: -5) { totalCount } }`, {}],
      [`{ search(kind: "Model) OR 1=1") { edges { node { key } } } }`, {}],
      [`query($k: NodeKind) { search(kind: $k) { edges { node { key } } } }`, { k: '__proto__' }],
      [`{ findings(minSeverity: catastrophic) { totalCount } }`, {}],
      [`{ findings(rule: "no-such-rule; rm -rf /") { totalCount } }`, {}],
      [`{ node(key: 1) { key } `, {}],
    ];
    for (const [query, variables] of cases) {
      const r = await h.gql(query, variables);
      assert.notEqual(r.status, 500, query);
      assert.ok(r.body.errors?.length, `${query} must fail`);
      for (const code of codesOf(r)) assert.equal(code, 'BAD_INPUT', `${query} → ${JSON.stringify(r.body.errors)}`);
    }
    // LIKE wildcards in search text are literal.
    const like = await h.gql(`{ search(text: "%_%", first: 5) { edges { node { key } } } }`);
    assert.deepEqual(like.body.data.search.edges, []);
    assert.deepEqual((await h.gql('{ stats { nodes edges } }')).body.data.stats, before);
  });

  it('rejects a too-deep query with QUERY_TOO_DEEP before running it', async () => {
    let inner = 'key';
    for (let i = 0; i < 13; i++) inner = `neighbours(first: 1) { ${inner} }`;
    const r = await h.gql(`{ node(key: "${DATASET}") { ${inner} } }`);
    assert.deepEqual(codesOf(r), ['QUERY_TOO_DEEP']);
    assert.equal(r.body.data, undefined);
    // Thousands of levels (in fields or in nested fragments) are refused the same way, not by a crashed server.
    const deepFields = `{ node(key: "x") { ${'neighbours { '.repeat(3000)}key${' }'.repeat(3000)} } }`;
    assert.deepEqual(codesOf(await h.gql(deepFields)), ['QUERY_TOO_DEEP']);
    const deepFragments = `{ ${'... on Query { '.repeat(3000)}stats { nodes }${' }'.repeat(3000)} }`;
    assert.deepEqual(codesOf(await h.gql(deepFragments)), ['QUERY_TOO_DEEP']);
  });

  it('rejects a too-costly query with QUERY_TOO_COSTLY, counting `first` given in variables', async () => {
    const q = `query($n: Int) { search(first: $n) { edges { node { edges(first: $n) { edges { node { other { key } } } } } } } }`;
    assert.deepEqual(codesOf(await h.gql(q, { n: 1000 })), ['QUERY_TOO_COSTLY']);
    const small = await h.gql(q, { n: 5 });
    assert.equal(small.body.errors, undefined);
    // Aliases multiply cost too.
    const aliases = Array.from({ length: 20 }, (_, i) => `a${i}: search(first: 1000) { edges { node { key name } } }`).join(' ');
    assert.deepEqual(codesOf(await h.gql(`{ ${aliases} }`)), ['QUERY_TOO_COSTLY']);
    // A variable left out of the request counts with its declared default, which is what execution will use.
    const defaulted = `query($n: Int = 1000) { search(first: $n) { edges { node { edges(first: $n) { edges { node { other { key } } } } } } } }`;
    assert.deepEqual(codesOf(await h.gql(defaulted)), ['QUERY_TOO_COSTLY']);
    assert.equal((await h.gql(defaulted.replace('= 1000', '= 5'))).body.errors, undefined);
  });

  it('prices the analyses by their work: aliases cannot repeat a report or a blast radius for the price of one field', async () => {
    const reports = Array.from({ length: 8 }, (_, i) => `r${i}: report(k: ${i + 1}) { format }`).join(' ');
    const r = await h.gql(`{ ${reports} }`);
    assert.deepEqual(codesOf(r), ['QUERY_TOO_COSTLY']);
    assert.equal(r.body.data, undefined, 'refused before anything ran');
    const radii = Array.from({ length: 100 }, (_, i) => `b${i}: blastRadius(from: "${DATASET}", maxDepth: ${i + 1}, first: 0) { total }`).join(' ');
    assert.deepEqual(codesOf(await h.gql(`{ ${radii} }`)), ['QUERY_TOO_COSTLY']);
    // One of each is an ordinary request.
    const one = await h.gql(`{ report(k: 1) { format } blastRadius(from: "${DATASET}", first: 0) { total } }`);
    assert.equal(one.body.errors, undefined, JSON.stringify(one.body.errors));
  });

  it('refuses fragments that double at every level in a bounded time, before the estimate blows up', async () => {
    let frags = 'fragment F0 on Query { __typename }\n';
    for (let i = 1; i <= 40; i++) frags += `fragment F${i} on Query { ...F${i - 1} ...F${i - 1} }\n`;
    const started = Date.now();
    const r = await h.gql(`{ ...F40 }\n${frags}`);
    assert.deepEqual(codesOf(r), ['QUERY_TOO_COSTLY']);
    assert.ok(Date.now() - started < 5_000, `answered in ${Date.now() - started} ms`);
  });

  it('allows the standard introspection query (GraphiQL needs it) but not exponential introspection', async () => {
    const r = await h.gql(getIntrospectionQuery());
    assert.equal(r.body.errors, undefined);
    assert.ok(r.body.data.__schema.types.some((t: { name: string }) => t.name === 'BlastRadius'));
    const bomb = `{ __schema { types { fields { type { fields { type { fields { type { fields { name } } } } } } } } } }`;
    // graphql-js's own validation refuses it (MaxIntrospectionDepthRule) before the cost estimate is reached.
    const refused = await h.gql(bomb);
    assert.deepEqual(codesOf(refused), ['BAD_INPUT']);
    assert.match(refused.body.errors?.[0]?.message ?? '', /introspection depth/);
    assert.equal(refused.body.data, undefined);
    // Each use of __schema answers with the whole schema, so aliases of it are priced, not free.
    const aliased = Array.from({ length: 2000 }, (_, i) => `s${i}: __schema { types { fields { args { name } } } }`).join(' ');
    assert.deepEqual(codesOf(await h.gql(`{ ${aliased} }`)), ['QUERY_TOO_COSTLY']);
  });

  it('refuses oversized bodies', async () => {
    const res = await fetch(`${h.server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ stats { nodes } }`, variables: { pad: 'x'.repeat(2_000_000) } }),
    });
    assert.equal(res.status, 413);
    await res.body?.cancel();
  });

  it('serves /healthz, GraphiQL without a CDN, and 404 for unknown paths', async () => {
    const health = await fetch(`${h.server.url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok', store: 'sqlite' });

    const page = await fetch(`${h.server.url}/graphql`, { headers: { accept: 'text/html' } });
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    const html = await page.text();
    assert.match(html, /<html/i);
    assert.match(html, /aispm GraphQL/);
    assert.doesNotMatch(html, /<script[^>]+src=["']https?:/i, 'no script from a CDN');

    for (const path of ['/nope', '/graphql/extra', '/healthz/../etc/passwd', '/%2e%2e/']) {
      const res = await fetch(`${h.server.url}${path}`);
      assert.equal(res.status, 404, path);
      assert.equal(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code, 'NOT_FOUND');
    }
  });

  it('refuses requests addressed to a non-loopback host name when no tokens are set (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const u = new URL(h.server.url);
      const req = request({ host: u.hostname, port: u.port, path: '/healthz', headers: { host: 'evil.example:80' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 403);
  });
});

describe('GraphQL API time limit', () => {
  it('answers TIMEOUT when a request runs past its time limit', async () => {
    const h = await startHarness(fanGraph(3000, 1000), { limits: { timeoutMs: 1 } });
    try {
      const r = await h.gql(`{ blastRadius(from: "${DATASET}") { total } }`);
      assert.deepEqual(codesOf(r), ['TIMEOUT']);
    } finally {
      await h.close();
    }
  });
});
