/**
 * What a hostile web page or client can make of the server: blind cross-site requests (form posts, GETs), aliased
 * analyses that would hold the event loop, unknown operation names, framing and MIME sniffing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { codesOf, DATASET, fanGraph, startHarness, type Harness } from './helpers.ts';

describe('server hardening', () => {
  let h: Harness;
  before(async () => {
    // A generous time limit: on a loaded machine the heavy request below must finish, not time out.
    h = await startHarness(fanGraph(20_000, 50), { limits: { timeoutMs: 120_000 } });
  });
  after(async () => h?.close());

  it('executes only JSON POSTs: a form-encoded POST or a GET query, which any page can send blind, is refused', async () => {
    const form = await fetch(`${h.server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `query=${encodeURIComponent('{ stats { nodes } }')}`,
    });
    assert.equal(form.status, 415);
    assert.equal(((await form.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code, 'BAD_INPUT');
    const text = await fetch(`${h.server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"query":"{ stats { nodes } }"}' });
    assert.equal(text.status, 415);
    const get = await fetch(`${h.server.url}/graphql?query=${encodeURIComponent('{ stats { nodes } }')}`, { headers: { accept: 'application/json' } });
    assert.equal(get.status, 405);
    const ok = await h.gql('{ stats { nodes } }');
    assert.equal(ok.status, 200);
    assert.ok(ok.body.data.stats.nodes > 20_000);
  });

  it('caps the number of analyses in one request, aliases counted', async () => {
    const aliases = Array.from({ length: 5 }, (_, i) => `b${i}: blastRadius(from: "${DATASET}", first: 1) { total }`).join(' ');
    const r = await h.gql(`{ ${aliases} }`);
    assert.deepEqual(codesOf(r), ['QUERY_TOO_COSTLY']);
    assert.match(r.body.errors![0]!.message, /5 analyses; at most 4/);
  });

  it('answers /healthz while a heavy request runs: one request never holds the event loop to its end', async () => {
    // Endpoints with owners need the whole blast radius (every hop and owner), not just the reach: heavy work.
    const aliases = Array.from({ length: 4 }, (_, i) => `b${i}: blastRadius(from: "${DATASET}", maxDepth: ${3 + i}, first: 1) { total endpoints { key owners } }`).join(' ');
    const order: string[] = [];
    const heavy = h.gql(`{ ${aliases} }`).then((r) => {
      order.push('heavy');
      return r;
    });
    // Let the heavy request start before asking for health.
    await new Promise((r) => setTimeout(r, 30));
    const health = fetch(`${h.server.url}/healthz`).then(async (r) => {
      order.push('healthz');
      return r.status;
    });
    assert.equal(await health, 200);
    const r = await heavy;
    assert.equal(r.status, 200, JSON.stringify(r.body.errors));
    assert.equal(r.body.data.b0.total, 20_050);
    assert.deepEqual(order, ['healthz', 'heavy'], 'the health check was answered before the heavy request finished');
  });

  it('answers an unknown operationName as BAD_INPUT', async () => {
    const res = await fetch(`${h.server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'query A { stats { nodes } }', operationName: 'B' }),
    });
    const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
    assert.equal(body.errors[0]!.extensions.code, 'BAD_INPUT');
    assert.doesNotMatch(body.errors[0]!.message, /internal|at \w+ \(/);
  });

  it('sends nosniff and refuses framing on every answer', async () => {
    const answers = await Promise.all([
      fetch(`${h.server.url}/`),
      fetch(`${h.server.url}/graphql`, { headers: { accept: 'text/html' } }),
      fetch(`${h.server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ stats { nodes } }"}' }),
      fetch(`${h.server.url}/healthz`),
      fetch(`${h.server.url}/no/such/path`),
    ]);
    for (const res of answers) {
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', res.url);
      assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/, res.url);
      await res.body?.cancel();
    }
  });
});

describe('server hardening with tokens', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness(fanGraph(2, 1), { tokens: [{ name: 'r', role: 'read', token: 'read-token-0123456789' }] });
  });
  after(async () => h?.close());

  it('says how to authenticate in words redaction leaves intact', async () => {
    const r = await h.gql('{ stats { nodes } }');
    assert.equal(r.status, 401);
    const message = r.body.errors![0]!.message;
    assert.match(message, /Authorization header with the Bearer scheme/);
    assert.doesNotMatch(message, /\*\*\*/);
  });
});
