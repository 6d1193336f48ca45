/** The shared HTTP pipeline against a real local server: waits, retries, bounds, rate, token scoping. */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { hubHttpOptions } from '../../ingest/huggingface/ingest.ts';
import { backoffMs, createHttpClient, HttpNetworkError, rateWindow, retryAfterHeaderMs, retryAfterMs } from '../../ingest/pipeline/http.ts';

/** A sleep that notes each wait asked for and takes at most a few ms of it, so waits of minutes cost none. */
function notedSleep(): { waits: number[]; sleep: (ms: number) => Promise<void> } {
  const waits: number[] = [];
  return { waits, sleep: (ms) => (waits.push(ms), new Promise<void>((r) => setTimeout(r, Math.min(ms, 5)))) };
}

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
  it('reads Retry-After alone for a 5xx: quota headers say when a quota renews, not when a server is back', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(retryAfterHeaderMs(new Headers({ 'retry-after': '3' }), now), 3000);
    assert.equal(retryAfterHeaderMs(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }), now), 5000);
    assert.equal(retryAfterHeaderMs(new Headers({ 'retry-after': 'soon' }), now), undefined);
    assert.equal(retryAfterHeaderMs(new Headers({ ratelimit: '"api";r=0;t=7', 'x-ratelimit-reset': String(now / 1000 + 3600) }), now), undefined);
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
  const arrivals = new Map<string, number>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const n = (hits.get(req.url!) ?? 0) + 1;
    hits.set(req.url!, n);
    auth.push(String(req.headers.authorization ?? ''));
    if (req.url === '/429-then-ok' && n === 1) return void res.writeHead(429, { 'Retry-After': '0' }).end();
    if (req.url === '/503-twice' && n <= 2) return void res.writeHead(503).end();
    if (req.url === '/always-503') return void res.writeHead(503).end();
    if (req.url === '/503-back-in-an-hour' && n === 1) return void res.writeHead(503, { 'Retry-After': '3600' }).end();
    if (req.url === '/503-back-in-a-second' && n === 1) return void res.writeHead(503, { 'Retry-After': '1' }).end();
    // GitHub sends its quota's reset on every answer, a 5xx too; quota is left, so it says nothing about the outage.
    if (req.url === '/502-with-quota-reset' && n === 1) {
      return void res.writeHead(502, { 'x-ratelimit-remaining': '4999', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 60), RateLimit: '"api";r=4999;t=60' }).end();
    }
    if (req.url?.startsWith('/hub-window-') && n === 1) return void res.writeHead(429, { RateLimit: `"api";r=0;t=${req.url.slice('/hub-window-'.length)}` }).end();
    if (req.url === '/held-429' && n === 1) {
      arrivals.set('/held-429', Date.now());
      return void res.writeHead(429, { 'Retry-After': '1' }).end();
    }
    if (req.url === '/held-other') arrivals.set('/held-other', Date.now());
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

  it('a 5xx Retry-After is honoured within the cap; past it the normal backoff is used, and the retry answers', async () => {
    const { waits, sleep } = notedSleep();
    const http = createHttpClient({ concurrency: 1, ratePerSecond: 1000, baseDelayMs: 1, maxDelayMs: 50, maxRetryAfterMs: 1000, sleep });
    const started = Date.now();
    const res = await http.fetch(`${url}/503-back-in-an-hour`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'ok');
    assert.ok(Date.now() - started < 1000, `answered after ${Date.now() - started} ms`);
    assert.ok(waits.every((w) => w <= 50), `waited ${waits.join(', ')} ms, not the hour the 503 asked for`);
    waits.length = 0;
    assert.equal((await http.fetch(`${url}/503-back-in-a-second`)).status, 200);
    assert.deepEqual(waits, [1000], 'a Retry-After within the cap is waited for');
  });

  it('a 5xx carrying quota headers is retried after the normal backoff, not the quota reset', async () => {
    const { waits, sleep } = notedSleep();
    const http = createHttpClient({ concurrency: 1, ratePerSecond: 1000, baseDelayMs: 1, maxDelayMs: 50, sleep });
    assert.equal((await http.fetch(`${url}/502-with-quota-reset`)).status, 200);
    assert.equal(hits.get('/502-with-quota-reset'), 2);
    assert.ok(waits.length === 1 && waits[0]! <= 50, `waited ${waits.join(', ')} ms, not the reset a minute away`);
  });

  it('while one request waits on a 429, the others of the client are not started', async () => {
    const http = createHttpClient({ concurrency: 1, ratePerSecond: 1000, baseDelayMs: 1 });
    const [held, other] = await Promise.all([http.fetch(`${url}/held-429`), http.fetch(`${url}/held-other`)]);
    assert.deepEqual([held.status, other.status], [200, 200]);
    const gap = arrivals.get('/held-other')! - arrivals.get('/held-429')!;
    assert.ok(gap >= 900, `the other request went out ${gap} ms after the 429 (Retry-After: 1)`);
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

  it('the Hub waits out a rate limit up to its whole 5-minute window by default, and a lower cap fails at once', async () => {
    const settings = { concurrency: 1, ratePerSecond: 1000, retryBaseMs: 1 };
    const byDefault = notedSleep();
    const hub = createHttpClient({ ...hubHttpOptions(settings, url), sleep: byDefault.sleep });
    const res = await hub.fetch(`${url}/hub-window-300`);
    assert.equal(res.status, 200, 'a reset 300 s away (past the generic 120 s cap) is waited for');
    assert.ok(byDefault.waits.some((w) => w >= 300_000), `waited ${byDefault.waits.join(', ')} ms`);
    const capped = notedSleep();
    const low = createHttpClient({ ...hubHttpOptions({ ...settings, maxWaitSeconds: 60 }, url), sleep: capped.sleep });
    assert.equal((await low.fetch(`${url}/hub-window-61`)).status, 429, 'past --max-wait-s the 429 is the answer');
    assert.deepEqual(capped.waits, []);
    assert.equal(low.stats.failures, 1);
  });
});
