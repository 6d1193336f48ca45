/**
 * Faults and re-runs through the CLI: secondary and primary rate limits and 5xx still give the clean graph; a run
 * killed with SIGKILL and started again gives the clean graph; a second run with nothing changed makes only
 * conditional requests and reads no tree; a change upstream is picked up and what went away is removed; the token
 * appears in no output, export or store file; seeds that cannot be read exit 3 only when every seed failed.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ReplayServer } from '../../ingest/github/replay/server.ts';
import { runCli, tempWorkspace } from '../helpers/cli.ts';
import { chatService } from './fixtures.ts';
import { edgesOf, exportStore, ingest, normalised, spawnIngest, startGitHub, TOKEN } from './harness.ts';

describe('aispm ingest github under faults and re-runs', () => {
  const clean = tempWorkspace('aispm-gh-clean-');
  let cleanGraph: string;
  let cleanHub: ReplayServer;

  before(async () => {
    cleanHub = await startGitHub();
    const r = await ingest(cleanHub, clean.store);
    assert.equal(r.code, 0, r.stderr);
    cleanGraph = normalised(await exportStore(clean.store));
  });
  after(async () => {
    await cleanHub?.close();
    clean.cleanup();
  });

  it('secondary and primary rate limits wait as the headers say, 5xx are retried, and the graph is the clean one', async () => {
    const ws = tempWorkspace('aispm-gh-faults-');
    const gh = await startGitHub({
      faults: [
        { match: '/repos/acme/chat-service/collaborators', kind: 'secondary', wait: 1, times: 1 },
        { match: '/orgs/acme/repos', kind: 'primary', wait: 1, times: 1 },
        { match: '/git/trees/', kind: 'status', status: 502, times: 2 },
        { match: '/repos/acme/recommender/environments', kind: 'status', status: 503, times: 1 },
      ],
    });
    try {
      const started = Date.now();
      const r = await ingest(gh, ws.store, undefined, ['--json']);
      assert.equal(r.code, 0, r.stderr);
      const s = JSON.parse(r.stdout);
      assert.ok(gh.faults.every((f) => f.times === 0), 'every fault was hit');
      assert.ok(s.http.rateLimited >= 2, `rate-limited ${s.http.rateLimited}`);
      assert.ok(s.http.retries >= 5, `retries ${s.http.retries}`);
      assert.ok(Date.now() - started >= 1000, 'the run waited for retry-after / the reset');
      assert.equal(normalised(await exportStore(ws.store)), cleanGraph);
    } finally {
      await gh.close();
      ws.cleanup();
    }
  });

  it('a rate limit longer than --max-wait-s stops the run with exit 3, keeping what was read', async () => {
    const ws = tempWorkspace('aispm-gh-limit-');
    const gh = await startGitHub({ faults: [{ match: '/repos/acme/recommender/branches', kind: 'primary', wait: 3600, times: 100 }] });
    try {
      const r = await ingest(gh, ws.store, ['acme'], ['--max-wait-s', '5']);
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /rate limit.*--max-wait-s 5/);
      assert.match(r.stdout, /stopped/);
    } finally {
      await gh.close();
      ws.cleanup();
    }
  });

  it('a secondary rate limit answered with 429 waits for retry-after once, as a 403 does, and the graph is the clean one', async () => {
    const ws = tempWorkspace('aispm-gh-429-secondary-');
    const match = '/repos/acme/chat-service/collaborators?affiliation=all';
    const gh = await startGitHub({ faults: [{ match, kind: 'secondary', status: 429, wait: 2, times: 1 }] });
    try {
      const r = await ingest(gh, ws.store, undefined, ['--max-retries', '3']);
      assert.equal(r.code, 0, r.stderr);
      const hits = gh.log.filter((l) => l.path.includes(match));
      assert.deepEqual(hits.map((l) => l.status), [429, 200], 'one retry, after the wait');
      const waited = hits[1]!.at - hits[0]!.at;
      assert.ok(waited >= 1900, `the retry came ${waited} ms after the 429 (retry-after: 2)`);
      assert.equal(normalised(await exportStore(ws.store)), cleanGraph);
    } finally {
      await gh.close();
      ws.cleanup();
    }
  });

  it('a primary rate limit past --max-wait-s stops after one request, the same for 429 as for 403', async () => {
    const match = '/repos/acme/recommender/branches';
    const outcomes: { status: number; requests: number; message: string }[] = [];
    for (const status of [403, 429]) {
      const ws = tempWorkspace(`aispm-gh-${status}-primary-`);
      const gh = await startGitHub({ faults: [{ match, kind: 'primary', status, wait: 3600, times: 100 }] });
      try {
        const r = await ingest(gh, ws.store, ['acme'], ['--max-wait-s', '5', '--max-retries', '3']);
        assert.equal(r.code, 3, r.stderr);
        // The reset is an hour from the fault's own clock: the seconds and the time of day differ between runs.
        const message = r.stderr.replace(/\d+ s \(until [^)]*\)/g, 'N s (until T)');
        outcomes.push({ status, requests: gh.log.filter((l) => l.path.includes(match)).length, message });
      } finally {
        await gh.close();
        ws.cleanup();
      }
    }
    const [on403, on429] = outcomes;
    assert.match(on403!.message, /GitHub primary rate limit: the API asks to wait N s \(until T\), longer than --max-wait-s 5/);
    assert.deepEqual({ requests: on429!.requests, message: on429!.message }, { requests: 1, message: on403!.message });
    assert.equal(on403!.requests, 1);
  });

  it('SIGKILL mid-run, then a re-run, gives the same graph as a clean run', async () => {
    const ws = tempWorkspace('aispm-gh-kill-');
    const slow = await startGitHub({ delayMs: 40 });
    try {
      const child = spawnIngest(slow, ws.store);
      const exited = once(child, 'exit');
      await Promise.race([slow.waitForRequests(25), exited]);
      child.kill('SIGKILL');
      const [code, signal] = await exited;
      assert.equal(signal, 'SIGKILL', `the run was killed mid-crawl (exit ${code})`);
      assert.notEqual(normalised(await exportStore(ws.store)), cleanGraph, 'the killed run left a partial graph');
      const r = await ingest(cleanHub, ws.store);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(normalised(await exportStore(ws.store)), cleanGraph);
    } finally {
      await slow.close();
      ws.cleanup();
    }
  });

  it('a second run with nothing changed makes only conditional requests and reads no tree', async () => {
    const before = cleanHub.log.length;
    const r = await ingest(cleanHub, clean.store, undefined, ['--json']);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    const second = cleanHub.log.slice(before);
    const unconditional = second.filter((l) => !l.conditional);
    // The only requests without If-None-Match ask again for what was an error before (403 without admin rights).
    assert.deepEqual(unconditional.map((l) => `${l.status} ${l.path}`), ['403 /repos/acme/recommender/collaborators?affiliation=all&per_page=100']);
    assert.ok(second.filter((l) => l.conditional).every((l) => l.status === 304));
    assert.ok(!second.some((l) => l.path.includes('/git/')), 'no tree or blob is read again');
    assert.equal(s.http.notModified, second.filter((l) => l.status === 304).length);
    assert.deepEqual([s.repos.read, s.repos.unchanged, s.written.nodes, s.written.edges], [0, 3, 0, 0]);
    assert.ok(s.warnings.some((w: any) => w.repo === 'acme/recommender' && /no admin rights/.test(w.message)), 'what could not be read is still said');
    assert.match((await ingest(cleanHub, clean.store)).stdout, /requests {2}\d+ \(\d+ not modified/);
    assert.equal(normalised(await exportStore(clean.store)), cleanGraph);
  });

  it('a change upstream is read again and what went away is removed; the rest stays unread', async () => {
    const ws = tempWorkspace('aispm-gh-change-');
    const gh = await startGitHub();
    try {
      assert.equal((await ingest(gh, ws.store)).code, 0);
      const repo = chatService();
      repo.collaborators = repo.collaborators!.filter((c) => c.login !== 'eve');
      repo.files['app/serve.py'] = { text: 'from transformers import AutoModel\nm = AutoModel.from_pretrained("acme-ai/chat-8b", revision="v3")\n' };
      gh.universe.setRepo(repo);
      const before = gh.log.length;
      const r = await ingest(gh, ws.store, undefined, ['--json']);
      assert.equal(r.code, 0, r.stderr);
      const g = await exportStore(ws.store);
      assert.ok(!edgesOf(g, 'CAN_WRITE').some((e) => e.startsWith('gh:user/eve ')), 'the removed collaborator lost write access');
      const uses = g.edges.filter((e) => e.kind === 'USES' && e.from === 'gh:repo/acme/chat-service');
      assert.ok(uses.some((e) => e.to === 'hf:model/acme-ai/chat-8b' && e.props?.revision === 'v3'));
      assert.equal(uses.find((e) => e.to === 'hf:model/acme-ai/chat-7b')?.evidence, '.github/workflows/deploy.yml:20, Dockerfile:3, notebooks/explore.ipynb:18');
      const trees = gh.log.slice(before).filter((l) => l.path.includes('/git/trees/'));
      assert.ok(trees.length > 0 && trees.every((l) => l.path.startsWith('/repos/acme/chat-service/')), 'only the pushed repository’s tree is read');
      const files = [...g.nodes.keys()].filter((k) => k.startsWith('gh:file/acme/chat-service/'));
      assert.ok(files.length >= 3 && new Set(files.map((k) => k.split('@')[1])).size === 1, 'files of the old commit are gone');
    } finally {
      await gh.close();
      ws.cleanup();
    }
  });

  it('the token appears in no output, export or store file, and is sent to the API', async () => {
    const ws = tempWorkspace('aispm-gh-token-');
    const gh = await startGitHub();
    try {
      const tokenFile = join(ws.dir, 'token.txt');
      writeFileSync(tokenFile, `${TOKEN}\n`);
      const viaFile = await ingest(gh, ws.store, ['acme', 'acme/no-such-repo'], ['--token-file', tokenFile, '--json'], { GITHUB_TOKEN: undefined });
      assert.equal(viaFile.code, 0, viaFile.stderr);
      const failing = await ingest(gh, ws.store, ['acme/no-such-repo'], ['--max-retries', '0']);
      assert.equal(failing.code, 3);
      assert.ok(gh.authorized > 0, 'the token was used');
      const exported = await runCli(['export', '--store', ws.store]);
      const stored = readFileSync(ws.dbPath);
      for (const text of [viaFile.stdout, viaFile.stderr, failing.stdout, failing.stderr, exported.stdout]) assert.ok(!text.includes(TOKEN), 'token printed');
      assert.ok(!stored.includes(Buffer.from(TOKEN)), 'token in the store file');
      assert.ok(!stored.includes(Buffer.from(TOKEN.slice(4, 20))), 'part of the token in the store file');
    } finally {
      await gh.close();
      ws.cleanup();
    }
  });

  it('exit codes: a 404 seed beside a good one is a warning; every seed failing exits 3; bad seeds and options exit 2', async () => {
    const ws = tempWorkspace('aispm-gh-exit-');
    try {
      const some = await ingest(cleanHub, ws.store, ['acme/recommender', 'acme/no-such-repo']);
      assert.equal(some.code, 0, some.stderr);
      assert.match(some.stdout, /acme\/no-such-repo: not found \(HTTP 404\)/);
      const all = await ingest(cleanHub, ws.store, ['acme/no-such-repo', 'nobody-here']);
      assert.equal(all.code, 3);
      assert.match(all.stderr, /could not read acme\/no-such-repo .*nobody-here/);
      const bad = await ingest(cleanHub, ws.store, ['acme/../etc']);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /is not an organisation, user or owner\/repo/);
      assert.equal((await ingest(cleanHub, ws.store, ['acme'], ['--follow', 'npm'])).code, 2);
      assert.equal((await ingest(cleanHub, ws.store, ['acme'], ['--max-files', 'lots'])).code, 2);
      const unreachable = await runCli(['ingest', 'github', 'acme', '--api-url', 'http://127.0.0.1:9', '--store', ws.store, '--max-retries', '0', '--retry-base-ms', '1'], { env: { GITHUB_TOKEN: TOKEN } });
      assert.equal(unreachable.code, 3);
      assert.ok(!unreachable.stderr.includes(TOKEN) && !unreachable.stdout.includes(TOKEN));
    } finally {
      ws.cleanup();
    }
  });
});
