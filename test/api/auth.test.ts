/**
 * API tokens and roles over real HTTP: missing or wrong tokens refused with 401, read tokens may not write
 * (FORBIDDEN), admin tokens may; tokens from a file; a server without tokens will not listen beyond loopback.
 */
import assert from 'node:assert/strict';
import { validateAibom } from '../../services/aibom/index.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadApiTokens, parseTokenPairs, readTokenFile } from '../../services/api/auth.ts';
import { startServer } from '../../services/api/server.ts';
import { UsageError } from '../../schema/errors.ts';
import { redact } from '../../schema/secrets.ts';
import { SqliteStore } from '../../services/store/sqlite.ts';
import { tempWorkspace } from '../helpers/cli.ts';
import { codesOf, DATASET, fanGraph, startHarness, type Harness } from './helpers.ts';

const READ = 'read-token-0123456789abcdef';
const ADMIN = 'admin-token-0123456789abcdef';
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

describe('API tokens', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness(fanGraph(3, 1), { tokens: parseTokenPairs(`read:${READ},admin:${ADMIN}`, 'AISPM_TOKENS') });
  });
  after(async () => {
    await h?.close();
  });

  it('refuses a missing, malformed or wrong token with 401 UNAUTHENTICATED', async () => {
    for (const headers of [{}, bearer(`${READ}x`), bearer(READ.slice(0, -1)), { authorization: READ }, { authorization: `Basic ${READ}` }, bearer('')]) {
      const r = await h.gql('{ stats { nodes } }', undefined, headers);
      assert.equal(r.status, 401, JSON.stringify(headers));
      assert.deepEqual(codesOf(r), ['UNAUTHENTICATED']);
    }
    const res = await fetch(`${h.server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(res.headers.get('www-authenticate'), 'Bearer');
    await res.body?.cancel();
  });

  it('lets a read token query but not mutate (FORBIDDEN)', async () => {
    const ok = await h.gql('{ stats { nodes } }', undefined, bearer(READ));
    assert.equal(ok.status, 200);
    assert.equal(ok.body.data.stats.nodes, 3 + 1 + 3);
    const denied = await h.gql(`mutation { tag(key: "${DATASET}", tag: "crown-jewel") { analystTags } }`, undefined, bearer(READ));
    assert.deepEqual(codesOf(denied), ['FORBIDDEN']);
    const [node] = await h.store.getNodes([DATASET]);
    assert.equal(node!.props.analystTags, undefined, 'nothing was written');
  });

  it('lets an admin token tag and untag a node, keeping the other tags', async () => {
    const tag = await h.gql(`mutation { tag(key: "${DATASET}", tag: "crown-jewel") { key analystTags } }`, undefined, bearer(ADMIN));
    assert.equal(tag.body.errors, undefined);
    assert.deepEqual(tag.body.data.tag.analystTags, ['crown-jewel']);
    await h.gql(`mutation { tag(key: "${DATASET}", tag: "compromised") { analystTags } }`, undefined, bearer(ADMIN));
    const [stored] = await h.store.getNodes([DATASET]);
    assert.deepEqual(stored!.props.analystTags, ['crown-jewel', 'compromised']);
    const untag = await h.gql(`mutation { untag(key: "${DATASET}", tag: "crown-jewel") { analystTags } }`, undefined, bearer(ADMIN));
    assert.deepEqual(untag.body.data.untag.analystTags, ['compromised']);
    const missing = await h.gql(`mutation { tag(key: "hf:dataset/acme/none", tag: "pii") { tags } }`, undefined, bearer(ADMIN));
    assert.deepEqual(codesOf(missing), ['NOT_FOUND']);
    const badTag = await h.gql(`mutation($t: String!) { tag(key: "${DATASET}", tag: $t) { tags } }`, { t: 'a\u0000b' }, bearer(ADMIN));
    assert.deepEqual(codesOf(badTag), ['BAD_INPUT']);
    const typo = await h.gql(`mutation { tag(key: "${DATASET}", tag: "crown-jewl") { tags } }`, undefined, bearer(ADMIN));
    assert.deepEqual(codesOf(typo), ['BAD_INPUT']);
    assert.match(typo.body.errors![0]!.message, /unknown tag "crown-jewl" \(did you mean crown-jewel\?\)/);
  });

  it('keeps /healthz public and GraphiQL reachable, but protects AIBOM downloads', async () => {
    assert.equal((await fetch(`${h.server.url}/healthz`)).status, 200);
    const page = await fetch(`${h.server.url}/graphql`, { headers: { accept: 'text/html' } });
    assert.equal(page.status, 200);
    await page.body?.cancel();
    const bom = `${h.server.url}/aibom/${encodeURIComponent('hf:model/acme/m00000')}.cdx.json`;
    const refused = await fetch(bom);
    assert.equal(refused.status, 401);
    await refused.body?.cancel();
    const served = await fetch(bom, { headers: bearer(READ) });
    assert.equal(served.status, 200);
    const doc = (await served.json()) as { bomFormat: string; metadata: { component: { 'bom-ref': string } } };
    assert.equal(doc.bomFormat, 'CycloneDX');
    assert.equal(doc.metadata.component['bom-ref'], 'hf:model/acme/m00000');
    assert.deepEqual(validateAibom(doc, '1.6'), { valid: true, errors: [] }, 'the downloaded BOM is schema-valid');
    // The key as the README writes it, not URL-encoded, names the same model.
    const plain = await fetch(`${h.server.url}/aibom/hf:model/acme/m00000.cdx.json?deterministic=true`, { headers: bearer(READ) });
    const encoded = await fetch(`${bom}?deterministic=true`, { headers: bearer(READ) });
    assert.equal(plain.status, 200);
    assert.equal(await plain.text(), await encoded.text());
    const unknown = await fetch(`${h.server.url}/aibom/${encodeURIComponent("hf:model/x/y' OR 1=1")}.cdx.json`, { headers: bearer(READ) });
    assert.equal(unknown.status, 404);
    await unknown.body?.cancel();
  });

  it('never echoes a token in an error message', async () => {
    const r = await h.gql(`{ node(key: "${ADMIN}") { key } blastRadius(from: "${READ}") { total } }`, undefined, bearer(READ));
    assert.doesNotMatch(JSON.stringify(r.body), new RegExp(`${READ}|${ADMIN}`));
    assert.equal(redact(`token ${ADMIN}`), 'token ***');
  });

  it('never echoes a token, whole or cut short, from a route, a clipped key, a cursor or a malformed body', async () => {
    // Any 10 characters of a token, as a clip through its middle would leave them.
    const leaks = (text: string) => [READ, ADMIN].some((t) => text.includes(t.slice(0, 10)));
    const bom = await fetch(`${h.server.url}/aibom/${encodeURIComponent(ADMIN)}.cdx.json`, { headers: bearer(READ) });
    assert.equal(bom.status, 404);
    assert.ok(!leaks(await bom.text()), 'AIBOM route 404');
    // Long enough that the message clips it, with the clip falling inside the token.
    const clipped = await h.gql(`query($k: ID!) { blastRadius(from: $k) { total } }`, { k: 'x'.repeat(190) + ADMIN }, bearer(READ));
    assert.deepEqual(codesOf(clipped), ['NOT_FOUND']);
    assert.ok(!leaks(JSON.stringify(clipped.body)), clipped.body.errors![0]!.message);
    const cursor = await h.gql(`query($a: String) { blastRadius(from: "${DATASET}", after: $a) { total } }`, { a: 'x'.repeat(70) + ADMIN }, bearer(READ));
    assert.deepEqual(codesOf(cursor), ['BAD_INPUT']);
    assert.ok(!leaks(JSON.stringify(cursor.body)), cursor.body.errors![0]!.message);
    // A body that is not JSON: the parser's message quotes it, and must not reach the client.
    const res = await fetch(`${h.server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(READ) },
      body: `{"query": "{ stats { nodes } }", "variables": {"t": "${ADMIN}"}`,
    });
    assert.equal(res.status, 400);
    const text = await res.text();
    assert.ok(!leaks(text), text);
    assert.deepEqual((JSON.parse(text) as { errors: { extensions: object }[] }).errors.map((e) => e.extensions), [{ code: 'BAD_INPUT' }]);
  });
});

describe('token sources and binding', () => {
  it('reads tokens from a JSON token file or role:token lines, and refuses bad entries without echoing them', () => {
    const ws = tempWorkspace('aispm-tokens-');
    try {
      const json = join(ws.dir, 'tokens.json');
      writeFileSync(json, JSON.stringify([{ name: 'ci', role: 'read', token: READ }, { name: 'ops', role: 'admin', token: ADMIN }]));
      assert.deepEqual(readTokenFile(json).map((t) => [t.name, t.role]), [['ci', 'read'], ['ops', 'admin']]);
      const lines = join(ws.dir, 'tokens.txt');
      writeFileSync(lines, `# comment\nread:${READ}\nadmin:${ADMIN}\n`);
      assert.deepEqual(loadApiTokens({ file: lines, env: 'ignored' }).map((t) => t.role), ['read', 'admin']);
      assert.deepEqual(loadApiTokens({ env: `admin:${ADMIN}` }).map((t) => t.role), ['admin']);
      assert.deepEqual(loadApiTokens({ env: '' }), []);
      writeFileSync(json, `[{"role": "root", "token": "${READ}"}]`);
      assert.throws(() => readTokenFile(json), (e: Error) => e instanceof UsageError && /read or admin/.test(e.message) && !e.message.includes(READ));
      writeFileSync(json, `[{"role": "read", "token": "short"}]`);
      assert.throws(() => readTokenFile(json), /at least 16 characters/);
      writeFileSync(json, `[{"role": "read", "token": "${READ}"`);
      assert.throws(() => readTokenFile(json), (e: Error) => /not valid JSON/.test(e.message) && !e.message.includes(READ));
    } finally {
      ws.cleanup();
    }
  });

  it('refuses to listen beyond loopback without tokens, and allows it with tokens', async () => {
    const store = SqliteStore.open(':memory:');
    try {
      for (const host of ['0.0.0.0', '::', '192.0.2.1', 'localhost.evil.example']) {
        await assert.rejects(startServer({ store, host, port: 0 }), (e: Error) => e instanceof UsageError && /without API tokens/.test(e.message), host);
      }
      const server = await startServer({ store, host: '0.0.0.0', port: 0, tokens: parseTokenPairs(`read:${READ}`, 'test') });
      try {
        const port = new URL(server.url).port;
        const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...bearer(READ) },
          body: JSON.stringify({ query: '{ stats { nodes } }' }),
        });
        assert.equal(res.status, 200);
        await res.body?.cancel();
      } finally {
        await server.close();
      }
    } finally {
      await store.close();
    }
  });
});
