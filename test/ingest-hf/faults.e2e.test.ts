/**
 * Faults: injected 429s (Retry-After in seconds, RateLimit header) and 503s still deliver every repo; a run killed
 * with SIGKILL mid-crawl and started again gives the clean run's graph; bad refs and an unreachable Hub exit 2 / 3.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ReplayServer } from '../../ingest/huggingface/replay/server.ts';
import { runCli, tempWorkspace } from '../helpers/cli.ts';
import { exportStore, ingest, spawnIngest, startTestHub, withoutTimes } from './harness.ts';

describe('aispm ingest hf under faults', () => {
  const clean = tempWorkspace('aispm-hf-clean-');
  let cleanGraph: string;
  let cleanHub: ReplayServer;

  before(async () => {
    cleanHub = await startTestHub();
    const r = await ingest(cleanHub, clean.store);
    assert.equal(r.code, 0, r.stderr);
    cleanGraph = withoutTimes(await exportStore(clean.store));
  });
  after(async () => {
    await cleanHub?.close();
    clean.cleanup();
  });

  it('every repo still arrives under injected 429s and 5xx', async () => {
    const ws = tempWorkspace('aispm-hf-faults-');
    const hub = await startTestHub({
      faults: [
        { match: '/api/models/acme/chat-7b/revision/', status: 429, times: 2, retryAfter: '0' },
        { match: '/api/datasets/poison-lab/web-scrape/revision/', status: 429, times: 1, retryAfter: '1' },
        { match: '/api/models?', status: 429, times: 1, rateLimit: 'limit=100, remaining=0, reset=0' },
        { match: '/api/models/alice/summarizer/tree/', status: 503, times: 2 },
        { match: '/api/models/bob/chat-merge/revision/', status: 502, times: 1 },
        { match: '/acme/chat-7b/resolve/', status: 503, times: 2 },
      ],
    });
    try {
      const r = await ingest(hub, ws.store, ['--json']);
      assert.equal(r.code, 0, r.stderr);
      const s = JSON.parse(r.stdout);
      assert.ok(s.http.retries >= 9, `retries ${s.http.retries}`);
      assert.ok(s.http.rateLimited >= 4);
      assert.ok(hub.faults.every((f) => f.times === 0), 'every fault was hit');
      assert.equal(withoutTimes(await exportStore(ws.store)), cleanGraph);
    } finally {
      await hub.close();
      ws.cleanup();
    }
  });

  it('a rate limit within --max-wait-s is waited for; one past it fails that repo at once with a warning', async () => {
    const ws = tempWorkspace('aispm-hf-wait-');
    const hub = await startTestHub({
      faults: [
        { match: '/api/models/alice/summarizer/revision/', status: 429, times: 1, rateLimit: '"api";r=0;t=1' },
        { match: '/api/models/bob/chat-merge/revision/', status: 429, times: 1, rateLimit: '"api";r=0;t=3' },
      ],
    });
    try {
      const r = await ingest(hub, ws.store, ['--json', '--max-wait-s', '2']);
      assert.equal(r.code, 0, r.stderr);
      const s = JSON.parse(r.stdout);
      const requested = (repo: string) => hub.log.filter((l) => l.startsWith(`GET /api/models/${repo}/revision/`)).length;
      assert.deepEqual({ summarizer: requested('alice/summarizer'), chatMerge: requested('bob/chat-merge') }, { summarizer: 2, chatMerge: 1 });
      const unread = s.warnings.filter((w: any) => /could not read/.test(w.message));
      assert.deepEqual(unread, [{ repo: 'bob/chat-merge', message: 'could not read: HTTP 429 (You have been rate-limited); left as it was' }]);
      assert.equal(s.repos.model.failed, 1);
      assert.ok((await exportStore(ws.store)).nodes.get('hf:model/alice/summarizer')?.props?.sha, 'the repo that waited was read');
    } finally {
      await hub.close();
      ws.cleanup();
    }
  });

  it('SIGKILL mid-run, then a re-run, gives the same graph as a clean run', async () => {
    const ws = tempWorkspace('aispm-hf-kill-');
    const slow = await startTestHub({ delayMs: 40 });
    try {
      const child = spawnIngest(slow, ws.store);
      const exited = once(child, 'exit');
      await Promise.race([slow.waitForRequests(16), exited]);
      child.kill('SIGKILL');
      const [code, signal] = await exited;
      assert.equal(signal, 'SIGKILL', `the run was killed mid-crawl (exit ${code})`);
      const partial = await exportStore(ws.store);
      assert.ok(withoutTimes(partial) !== cleanGraph, 'the killed run left a partial graph');
      const r = await ingest(cleanHub, ws.store);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(withoutTimes(await exportStore(ws.store)), cleanGraph);
    } finally {
      await slow.close();
      ws.cleanup();
    }
  });

  it('exits 2 for a malformed ref and 3 when the Hub cannot be reached for a seed, printing no token', async () => {
    const ws = tempWorkspace('aispm-hf-exit-');
    try {
      const bad = await runCli(['ingest', 'hf', 'not/a/valid/ref', '--store', ws.store]);
      assert.equal(bad.code, 2, bad.stderr);
      assert.match(bad.stderr, /not a Hub repo reference/);
      // A port that was free a moment ago: connection refused on every attempt.
      const probe = createServer();
      await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
      const port = (probe.address() as { port: number }).port;
      await new Promise<void>((r) => probe.close(() => r()));
      const token = 'hf_unreachableSECRET_0123456789';
      const tokenFile = join(ws.dir, 'token');
      writeFileSync(tokenFile, `${token}\n`);
      const down = await runCli(['ingest', 'hf', 'acme/chat-7b', '--endpoint', `http://127.0.0.1:${port}`, '--store', ws.store, '--retry-base-ms', '1', '--token-file', tokenFile]);
      assert.equal(down.code, 3, down.stderr);
      assert.match(down.stderr, /could not read acme\/chat-7b/);
      assert.ok(!down.stderr.includes(token) && !down.stdout.includes(token));
      const missing = await runCli(['ingest', 'hf', 'nobody/nothing', '--endpoint', cleanHub.url, '--store', ws.store]);
      assert.equal(missing.code, 3);
      assert.match(missing.stderr, /not found/);
    } finally {
      ws.cleanup();
    }
  });
});
