/**
 * `aispm ingest mlflow` when the server misbehaves: 429s with Retry-After and 503s still deliver the clean graph; a
 * run killed mid-way (at random, or exactly between a scope's upsert and its sweep) and run again equals a clean
 * run; refused credentials exit 3 saying what to set, with no credential echoed; HTTP Basic and a bearer token
 * from a file both work; an empty registry is a warning, not a silent success.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI, ROOT, runCli, tempWorkspace } from '../helpers/cli.ts';
import { withoutTimes } from '../ingest-hf/harness.ts';
import { cleanEnv, graphOf, ingestMlflow, mlflowArgs, startServers, TOKEN, type Servers } from './harness.ts';

describe('aispm ingest mlflow under faults', () => {
  const clean = tempWorkspace('aispm-mlflow-clean-');
  let cleanGraph: string;
  let servers: Servers;

  before(async () => {
    servers = await startServers(3);
    const r = await ingestMlflow(servers, clean.store);
    assert.equal(r.code, 0, r.stderr);
    cleanGraph = withoutTimes(await graphOf(clean.store));
  });
  after(async () => {
    await servers?.close();
    clean.cleanup();
  });

  it('every model still arrives under 429s with Retry-After and 503s', async () => {
    const ws = tempWorkspace('aispm-mlflow-faults-');
    const faulty = await startServers(3, {
      faults: [
        { match: 'GET /api/2.0/mlflow/registered-models/search', status: 503, times: 1 },
        { match: 'page_token=', status: 429, times: 2, retryAfter: '0' },
        { match: 'runs/get?run_id=r1support', status: 429, times: 2, retryAfter: '1' },
        { match: 'logged-models/m-f4a0d00000000000000000000000001/artifacts/directories', status: 503, times: 2 },
        { match: 'artifact_file_path=model.pkl', status: 502, times: 1 },
        { match: 'GET /api/2.0/serving-endpoints/fraud-scoring', status: 504, times: 1 },
      ],
    });
    try {
      const r = await ingestMlflow(faulty, ws.store, ['--json']);
      assert.equal(r.code, 0, r.stderr);
      const s = JSON.parse(r.stdout);
      assert.ok(faulty.mlflow.faults.every((f) => f.times === 0), 'every fault was hit');
      assert.ok(s.http.retries >= 9, `retries ${s.http.retries}`);
      assert.ok(s.http.rateLimited >= 4);
      assert.equal(withoutTimes(await graphOf(ws.store)), cleanGraph);
    } finally {
      await faulty.close();
      ws.cleanup();
    }
  });

  it('the MLflow 3 probe refused for experiment 0 (no such experiment, or not readable by this account) still finds MLflow 3', async () => {
    // The generation is told by asking for experiment 0's logged models; MLflow 2 has no such route at all.
    for (const [status, errorCode] of [[404, 'RESOURCE_DOES_NOT_EXIST'], [403, 'PERMISSION_DENIED']] as const) {
      const ws = tempWorkspace('aispm-mlflow-probe-');
      const refused = await startServers(3, { faults: [{ match: 'POST /api/2.0/mlflow/logged-models/search', status, errorCode, times: 1 }] });
      try {
        const r = await ingestMlflow(refused, ws.store, ['--json']);
        assert.equal(r.code, 0, `${status}: ${r.stderr}`);
        assert.equal(JSON.parse(r.stdout).generation, 'mlflow-3', String(status));
        assert.equal(refused.mlflow.faults[0]!.times, 0, 'the probe met the refusal');
        assert.equal(withoutTimes(await graphOf(ws.store)), cleanGraph, String(status));
      } finally {
        await refused.close();
        ws.cleanup();
      }
    }
  });

  it('SIGKILL mid-run, then a re-run, gives the clean run’s graph', async () => {
    const ws = tempWorkspace('aispm-mlflow-kill-');
    const slow = await startServers(3, { delayMs: 25 });
    try {
      const env: Record<string, string> = {};
      for (const [k, v] of Object.entries({ ...process.env, ...cleanEnv() })) if (v !== undefined) env[k] = v;
      delete env.AISPM_STORE;
      const child = spawn(process.execPath, [CLI, ...mlflowArgs(slow, ws.store)], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      const exited = once(child, 'exit');
      await Promise.race([slow.mlflow.waitForRequests(30), exited]);
      child.kill('SIGKILL');
      const [, signal] = await exited;
      assert.equal(signal, 'SIGKILL', 'the run was killed mid-way');
      assert.notEqual(withoutTimes(await graphOf(ws.store)), cleanGraph, 'the killed run left a partial graph');
      const r = await ingestMlflow(slow, ws.store);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(withoutTimes(await graphOf(ws.store)), cleanGraph);
    } finally {
      await slow.close();
      ws.cleanup();
    }
  });

  it('a kill between a scope’s upsert and its sweep leaves no completion marker, so the re-run reads it again', async () => {
    const ws = tempWorkspace('aispm-mlflow-crash-');
    try {
      const killed = await ingestMlflow(servers, ws.store, [], { AISPM_FAULT: 'after-scope-upsert' });
      assert.equal(killed.signal, 'SIGKILL');
      const partial = await graphOf(ws.store);
      assert.ok(![...partial.nodes.values()].some((n) => n.props.mlflowStamp), 'no model was marked complete');
      const r = await ingestMlflow(servers, ws.store, ['--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).versions.unchanged, 0, 'the half-written model was read again');
      assert.equal(withoutTimes(await graphOf(ws.store)), cleanGraph);
    } finally {
      ws.cleanup();
    }
  });

  it('refused credentials (401) and refused reads (403) exit 3 and say so, echoing no credential; Basic and a bearer token file work', async () => {
    const password = 'pw-SECRET-0123456789';
    const guarded = await startServers(3, { auth: { basic: { svc: password, intern: 'intern-PASSWORD-42' }, tokens: [TOKEN], forbidden: ['intern'] } });
    const ws = tempWorkspace('aispm-mlflow-auth-');
    try {
      const none = await ingestMlflow(guarded, ws.store);
      assert.equal(none.code, 3, none.stderr);
      assert.match(none.stderr, /refused the credentials \(HTTP 401\).*MLFLOW_TRACKING_TOKEN/);

      const wrong = await ingestMlflow(guarded, ws.store, [], { MLFLOW_TRACKING_USERNAME: 'svc', MLFLOW_TRACKING_PASSWORD: 'wrong-PASSWORD-987654' });
      assert.equal(wrong.code, 3);
      assert.ok(!`${wrong.stdout}${wrong.stderr}`.includes('wrong-PASSWORD-987654'));

      const denied = await ingestMlflow(guarded, ws.store, [], { MLFLOW_TRACKING_USERNAME: 'intern', MLFLOW_TRACKING_PASSWORD: 'intern-PASSWORD-42' });
      assert.equal(denied.code, 3);
      // The generation probe's 403 shows the route exists; the listing that follows is what the account may not read.
      assert.match(denied.stderr, /refused to list registered models \(HTTP 403\): the credentials lack permission/);
      assert.ok(!denied.stderr.includes('intern-PASSWORD-42'));

      const half = await ingestMlflow(guarded, ws.store, [], { MLFLOW_TRACKING_USERNAME: 'svc' });
      assert.equal(half.code, 2, 'a username without a password is a usage error');

      const basic = await ingestMlflow(guarded, ws.store, ['--json'], { MLFLOW_TRACKING_USERNAME: 'svc', MLFLOW_TRACKING_PASSWORD: password });
      assert.equal(basic.code, 0, basic.stderr);
      const served = guarded.mlflow.authorized;
      assert.ok(served > 20, `authenticated requests: ${served}`);

      const tokenFile = join(ws.dir, 'token');
      writeFileSync(tokenFile, `${TOKEN}\n`);
      const bearer = await ingestMlflow(guarded, ws.store, ['--token-file', tokenFile, '--full']);
      assert.equal(bearer.code, 0, bearer.stderr);
      assert.ok(guarded.mlflow.authorized > served);
      const graph = await graphOf(ws.store);
      for (const secret of [password, TOKEN, Buffer.from(`svc:${password}`).toString('base64')]) {
        assert.ok(!graph.raw.includes(secret) && !basic.stdout.includes(secret) && !bearer.stdout.includes(secret) && !bearer.stderr.includes(secret));
      }
      assert.equal(guarded.hub.served, 0, 'nothing was sent to the Hub');
    } finally {
      await guarded.close();
      ws.cleanup();
    }
  });

  it('an empty registry is said, not passed over; a tracking URI that is no server is a usage error', async () => {
    const empty = await startServers(2, { data: () => ({ registeredModels: [], versions: [], runs: [], models: [] }) });
    const ws = tempWorkspace('aispm-mlflow-empty-');
    try {
      const r = await ingestMlflow(empty, ws.store, ['--json']);
      assert.equal(r.code, 0, r.stderr);
      const s = JSON.parse(r.stdout);
      assert.equal(s.generation, 'mlflow-2');
      assert.equal(s.endpoints.api, 'none');
      assert.ok(s.warnings.some((w: { message: string }) => /lists no model versions \(0 registered models\)/.test(w.message)), JSON.stringify(s.warnings));
      const file = await runCli(['ingest', 'mlflow', '--store', ws.store], { env: cleanEnv({ MLFLOW_TRACKING_URI: 'databricks' }) });
      assert.equal(file.code, 2);
      assert.match(file.stderr, /http\(s\) URL/);
      const missing = await runCli(['ingest', 'mlflow', '--store', ws.store], { env: cleanEnv() });
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /--tracking-uri or MLFLOW_TRACKING_URI/);
    } finally {
      await empty.close();
      ws.cleanup();
    }
  });
});
