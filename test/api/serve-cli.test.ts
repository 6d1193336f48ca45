/**
 * `aispm serve` as a user runs it: a child process on a free port, queried over HTTP, stopped with SIGTERM (exit 0);
 * and refused (exit 2) when asked to listen beyond loopback without tokens.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { SqliteStore } from '../../services/store/sqlite.ts';
import { CLI, ROOT, runCli, tempWorkspace } from '../helpers/cli.ts';
import { DATASET, fanGraph, gqlAt } from './helpers.ts';

const ADMIN = 'admin-token-for-serve-test-0001';

function cleanEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'AISPM_STORE' && k !== 'AISPM_TOKENS') env[k] = v;
  return { ...env, ...extra };
}

describe('aispm serve (child process)', () => {
  const ws = tempWorkspace('aispm-serve-');
  before(async () => {
    const store = SqliteStore.open(ws.dbPath);
    await store.upsert(fanGraph(50, 10));
    await store.close();
  });
  after(() => ws.cleanup());

  it('serves GraphQL on the printed URL with tokens from AISPM_TOKENS, and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [CLI, 'serve', '--store', ws.store, '--port', '0', '--json'], {
      cwd: ROOT,
      env: cleanEnv({ AISPM_TOKENS: `admin:${ADMIN}` }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.setEncoding('utf8').on('data', (d) => {
          stdout += d;
          try {
            resolve((JSON.parse(stdout) as { url: string }).url);
          } catch {
            // not the whole document yet
          }
        });
        child.on('close', () => reject(new Error(`serve exited early: ${stderr}`)));
      });
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal((await fetch(`${url}/healthz`)).status, 200);
      // The graph view is served at / without a token (the page holds no data; its GraphQL calls need one).
      const page = await fetch(`${url}/`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<title>aispm graph view<\/title>/);
      const refused = await gqlAt(url, '{ stats { nodes } }');
      assert.equal(refused.status, 401);
      const auth = { authorization: `Bearer ${ADMIN}` };
      const r = await gqlAt(url, `{ stats { nodes } blastRadius(from: "${DATASET}", first: 5) { total edges { node { key } } } }`, undefined, auth);
      assert.equal(r.body.errors, undefined);
      assert.equal(r.body.data.blastRadius.total, 60);
      assert.equal(r.body.data.blastRadius.edges.length, 5);
      const tagged = await gqlAt(url, `mutation { tag(key: "${DATASET}", tag: "crown-jewel") { analystTags } }`, undefined, auth);
      assert.deepEqual(tagged.body.data.tag.analystTags, ['crown-jewel']);
      assert.ok(!stderr.includes(ADMIN), 'the token never appears in the log');
    } finally {
      child.kill('SIGTERM');
      const code = await exited;
      clearTimeout(killer);
      assert.equal(code, 0, stderr);
    }
    assert.match(stderr, /SIGTERM, shutting down/);
    // The store was closed cleanly and kept the write.
    const store = SqliteStore.open(ws.dbPath);
    try {
      const [node] = await store.getNodes([DATASET]);
      assert.deepEqual(node!.props.analystTags, ['crown-jewel']);
    } finally {
      await store.close();
    }
  });

  it('exits 2 with a clear message when asked to listen beyond loopback without tokens', async () => {
    const r = await runCli(['serve', '--store', ws.store, '--host', '0.0.0.0', '--port', '0'], { env: { AISPM_TOKENS: '' } });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /refusing to listen on 0\.0\.0\.0 without API tokens/);
  });

  it('exits 2 on a bad port or an unreadable token file', async () => {
    const port = await runCli(['serve', '--store', ws.store, '--port', '99999'], { env: { AISPM_TOKENS: '' } });
    assert.equal(port.code, 2);
    assert.match(port.stderr, /--port must be/);
    const file = await runCli(['serve', '--store', ws.store, '--token-file', `${ws.dir}/none.json`], { env: { AISPM_TOKENS: '' } });
    assert.equal(file.code, 2);
    assert.match(file.stderr, /cannot read token file/);
  });
});
