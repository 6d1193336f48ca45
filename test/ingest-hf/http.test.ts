/** The shared HTTP pipeline against a real local server: waits, retries, bounds, rate, token scoping. */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { backoffMs, createHttpClient, HttpNetworkError, rateWindow, retryAfterMs } from '../../ingest/pipeline/http.ts';

describe('retry-after and backoff arithmetic', () => {
  it('reads Retry-After as seconds or an HTTP date, then RateLimit / RateLimit-Reset', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(retryAfterMs(new Headers({ 'retry-after': '2' }), now), 2000);
    assert.equal(retryAfterMs(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }), now), 5000);
    assert.equal(retryAfterMs(new Headers({ ratelimit: 'limit=100, remaining=0, reset=3' }), now), 3000);
    assert.equal(retryAfterMs(new Headers({ ratelimit: '"default";r=0;t=7' }), now), 7000);
    assert.equal(retryAfterMs(new Headers({ 'ratelimit-reset': '4' }), now), 4000);
    assert.equal(retryAfterMs(new Headers({}), now), undefined);
  });
  it('backs off exponentially with full jitter, capped', () => {
    assert.equal(backoffMs(3, 100, 10_000, () => 1), 800);
    assert.equal(backoffMs(20, 100, 10_000, () => 1), 10_000);
    assert.equal(backoffMs(3, 100, 10_000, () => 0), 0);
    assert.deepEqual(rateWindow(100), { intervalCap: 10, interval: 100 });
    assert.deepEqual(rateWindow(2), { intervalCap: 1, interval: 500 });
    assert.equal(rateWindow(0), undefined);
  });
});

describe('createHttpClient against a local server', () => {
  let url = '';
  const hits = new Map<string, number>();
  const auth: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const n = (hits.get(req.url!) ?? 0) + 1;
    hits.set(req.url!, n);
    auth.push(String(req.headers.authorization ?? ''));
    if (req.url === '/429-then-ok' && n === 1) return void res.writeHead(429, { 'Retry-After': '0' }).end();
    if (req.url === '/503-twice' && n <= 2) return void res.writeHead(503).end();
    if (req.url === '/always-503') return void res.writeHead(503).end();
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  before(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it('retries 429 and 5xx, counting requests and retries', async () => {
    const http = createHttpClient({ concurrency: 2, ratePerSecond: 1000, baseDelayMs: 1 });
    assert.equal(await (await http.fetch(`${url}/429-then-ok`)).text(), 'ok');
    assert.equal(await (await http.fetch(`${url}/503-twice`)).text(), 'ok');
    assert.deepEqual({ requests: http.stats.requests, retries: http.stats.retries, rateLimited: http.stats.rateLimited }, { requests: 5, retries: 3, rateLimited: 1 });
  });

  it('gives up after the bounded number of attempts and returns the last answer', async () => {
    const http = createHttpClient({ concurrency: 2, ratePerSecond: 1000, baseDelayMs: 1, maxAttempts: 3 });
    const res = await http.fetch(`${url}/always-503`);
    assert.equal(res.status, 503);
    assert.equal(hits.get('/always-503'), 3);
    assert.equal(http.stats.failures, 1);
  });

  it('turns refused connections into a bounded HttpNetworkError', async () => {
    const http = createHttpClient({ concurrency: 1, ratePerSecond: 1000, baseDelayMs: 1, maxAttempts: 2 });
    await assert.rejects(http.fetch('http://127.0.0.1:1/x'), HttpNetworkError);
    assert.equal(http.stats.requests, 2);
  });

  it('holds the configured rate', async () => {
    const http = createHttpClient({ concurrency: 8, ratePerSecond: 40 });
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 20 }, (_, i) => http.fetch(`${url}/rate-${i}`).then((r) => r.text())));
    const secs = (Date.now() - t0) / 1000;
    assert.ok(secs >= 0.35, `20 requests at 40/s took ${secs}s`);
  });

  it('sends the token only to its origin', async () => {
    const http = createHttpClient({ concurrency: 1, ratePerSecond: 1000, token: 'hf_secretvalue_123456', tokenOrigin: url });
    auth.length = 0;
    await (await http.fetch(`${url}/with-token`)).text();
    const other = url.replace('127.0.0.1', 'localhost');
    await (await http.fetch(`${other}/without-token`)).text();
    assert.deepEqual(auth, ['Bearer hf_secretvalue_123456', '']);
  });
});
