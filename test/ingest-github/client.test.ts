/**
 * The octokit client against hostile servers on 127.0.0.1: a `Link` chain that loops, a body over the limit, a
 * `Link` to another origin (never followed), and a 304 answered to a conditional request.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { GitHubClient } from '../../ingest/github/client.ts';
import { UpstreamLimitError } from '../../ingest/pipeline/bounds.ts';
import { createHttpClient, originPolicy } from '../../ingest/pipeline/http.ts';

const TOKEN = 'ghp_clientTESTtoken_abcdef0123456789';

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function client(apiUrl: string, maxBodyBytes = 1 << 20): GitHubClient {
  const http = createHttpClient({ concurrency: 2, ratePerSecond: 0, maxAttempts: 1, token: TOKEN, tokenOrigin: apiUrl, allowOrigin: originPolicy(apiUrl) });
  return new GitHubClient({ apiUrl, http, maxRetries: 1, retryBaseMs: 1, maxWaitSeconds: 5, maxBodyBytes, maxPages: 20 });
}

describe('GitHubClient on hostile answers', () => {
  let api: { url: string; server: Server };
  let other: { url: string; server: Server };
  let otherSawRequest = false;

  before(async () => {
    other = await serve((req, res) => {
      otherSawRequest = true;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('[{"login":"elsewhere"}]');
    });
    api = await serve((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/loop') {
        res.writeHead(200, { 'content-type': 'application/json', link: `<${api.url}/loop?page=2>; rel="next"` });
        return res.end('[1]');
      }
      if (url.pathname === '/away') {
        res.writeHead(200, { 'content-type': 'application/json', link: `<${other.url}/stolen>; rel="next"` });
        return res.end('[{"login":"here"}]');
      }
      if (url.pathname === '/huge') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(`[${'"x",'.repeat(100_000)}"x"]`);
      }
      if (url.pathname === '/etag') {
        if (req.headers['if-none-match'] === 'W/"v1"') {
          res.writeHead(304, { etag: 'W/"v1"' });
          return res.end();
        }
        res.writeHead(200, { 'content-type': 'application/json', etag: 'W/"v1"' });
        return res.end('{"ok":true}');
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"message":"Not Found"}');
    });
  });
  after(async () => {
    api.server.closeAllConnections();
    other.server.closeAllConnections();
    await new Promise((r) => api.server.close(r));
    await new Promise((r) => other.server.close(r));
  });

  it('a Link chain that loops ends with a limit error', async () => {
    await assert.rejects(client(api.url).list('/loop'), (err) => err instanceof UpstreamLimitError && /loops back|runs past/.test(err.message));
  });

  it('a body over the limit is refused', async () => {
    await assert.rejects(client(api.url, 10_000).get('/huge'), /over the 10000-byte limit/);
  });

  it('refuses a Link to another origin: no request goes there, with or without the token', async () => {
    await assert.rejects(client(api.url).list('/away'), (err) => err instanceof UpstreamLimitError && /outside the configured endpoint/.test(err.message));
    assert.equal(otherSawRequest, false);
  });

  it('a 304 to a conditional request is "not modified"; an allowed error is an answer', async () => {
    const c = client(api.url);
    const first = await c.get('/etag');
    assert.equal(first.kind === 'ok' && first.etag, 'W/"v1"');
    assert.equal((await c.get('/etag', {}, { etag: 'W/"v1"' })).kind, 'not-modified');
    assert.equal(c.stats.notModified, 1);
    assert.deepEqual(await c.get('/missing', {}, { allow: [404] }), { kind: 'error', status: 404, message: 'Not Found', url: `${api.url}/missing` });
    await assert.rejects(c.get('/missing'), /HTTP 404/);
  });
});
