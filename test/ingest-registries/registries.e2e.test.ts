/**
 * PyPI and npm ingestion against local replays of their APIs: resolved trees to the requested depth, maintainers,
 * licenses, provenance (BUILDS), yanked and pre-release rules, cycles, and the faults a registry shows (404,
 * 5xx, 429, malformed JSON), read back from a real SQLite store; and the CLI's exit codes.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ingestRegistries, npmSeed, pypiSeed, type RegistryIngestSummary } from '../../ingest/registries/ingest.ts';
import { startRegistryReplay, type RegistryReplay } from '../../ingest/registries/replay/server.ts';
import type { ReplayFault } from '../../ingest/registries/replay/serve.ts';
import type { GraphStore } from '../../schema/store.ts';
import { openStore } from '../../services/store/open.ts';
import { runCli, tempWorkspace } from '../helpers/cli.ts';
import { MLFLOW_COMMIT, NPM, PYPI } from './fixtures.ts';

async function ingest(replay: RegistryReplay, store: GraphStore, seeds: string[], extra: { depth?: number; maxPackages?: number } = {}): Promise<RegistryIngestSummary> {
  return ingestRegistries(store, {
    seeds: seeds.map((s) => (s.startsWith('npm:') ? npmSeed(s.slice(4)) : pypiSeed(s))),
    pypiUrl: replay.pypi.url,
    npmRegistry: replay.npm.url,
    depth: extra.depth ?? 2,
    maxPackages: extra.maxPackages ?? 100,
    concurrency: 4,
    ratePerSecond: 1000,
    retryBaseMs: 1,
  });
}

async function edgesOut(store: GraphStore, key: string, kind: 'DEPENDS_ON' | 'CAN_WRITE' | 'BUILDS') {
  return store.expand({ keys: [key], direction: kind === 'DEPENDS_ON' ? 'out' : 'in', edgeKinds: [kind] });
}

describe('PyPI', () => {
  let replay: RegistryReplay;
  let ws: ReturnType<typeof tempWorkspace>;
  let store: GraphStore;
  let summary: RegistryIngestSummary;
  before(async () => {
    replay = await startRegistryReplay(PYPI, NPM);
    ws = tempWorkspace('aispm-reg-');
    store = await openStore(ws.store);
    summary = await ingest(replay, store, ['mlflow==2.8.0']);
  });
  after(async () => {
    await store.close();
    await replay.close();
    ws.cleanup();
  });

  it('writes the release with its license, files, maintainers and source repository', async () => {
    const [node] = await store.getNodes(['pkg:pypi/mlflow@2.8.0']);
    assert.equal(node?.props.license, 'Apache-2.0');
    assert.equal(node?.props.latestVersion, '2.9.2', 'PyPI names the latest final release');
    assert.equal((node?.props.files as unknown[]).length, 2);
    assert.match(String(node?.props.url), /^http:\/\/127\.0\.0\.1:\d+\/project\/mlflow\/2\.8\.0\/$/);
    const writers = await edgesOut(store, 'pkg:pypi/mlflow@2.8.0', 'CAN_WRITE');
    assert.deepEqual(writers.map((e) => `${e.from}:${e.props.role}`).sort(), ['pypi:user/alice:owner', 'pypi:user/bob:maintainer']);
    const builds = await edgesOut(store, 'pkg:pypi/mlflow@2.8.0', 'BUILDS');
    assert.deepEqual(builds.map((e) => [e.from, e.confidence, e.evidence]), [['gh:repo/mlflow/mlflow', 'inferred', 'info.project_urls']]);
  });

  it('resolves requires_dist to the highest non-yanked release, keeping the range on the edge, to the requested depth', async () => {
    const deps = await edgesOut(store, 'pkg:pypi/mlflow@2.8.0', 'DEPENDS_ON');
    assert.deepEqual(deps.map((e) => `${e.to} ${e.props.versionRange} ${e.props.scope}`).sort(), ['pkg:pypi/flask@3.0.0 <4 runtime', 'pkg:pypi/requests@2.32.0 >=2.17.3,<3 runtime']);
    const flask = await edgesOut(store, 'pkg:pypi/flask@3.0.0', 'DEPENDS_ON');
    assert.deepEqual(flask.map((e) => e.to).sort(), ['pkg:pypi/click@8.1.7', 'pkg:pypi/werkzeug@3.0.1']);
    const requests = await edgesOut(store, 'pkg:pypi/requests@2.32.0', 'DEPENDS_ON');
    assert.deepEqual(requests.map((e) => e.to).sort(), ['pkg:pypi/certifi@2024.2.2', 'pkg:pypi/urllib3@2.0.7'], 'a release without files is not installable; an extra not asked for is not followed');
    const [werkzeug] = await store.getNodes(['pkg:pypi/werkzeug@3.0.1']);
    assert.equal(werkzeug?.props.stub, undefined, 'depth 2 reads the dependencies of dependencies');
    assert.deepEqual(await edgesOut(store, 'pkg:pypi/werkzeug@3.0.1', 'DEPENDS_ON'), [], 'but follows them no further');
    assert.equal((await store.getNodes(['pkg:pypi/markupsafe@2.1.3'])).length, 0);
  });

  it('warns, naming the package, about a dependency the index does not have, and goes on', () => {
    const w = summary.warnings.find((x) => x.repo === 'pypi:gunicorn');
    assert.ok(w, JSON.stringify(summary.warnings));
    assert.match(w.message, /not in the registry \(HTTP 404\); required by requires_dist: gunicorn<22/);
    assert.equal(summary.packages.missing, 1);
    assert.ok(summary.packages.read >= 6);
  });

  it('takes provenance from PEP 740 and excludes pre-releases unless named', async () => {
    const s = await ingest(replay, store, ['mlflow'], { depth: 0 });
    assert.equal(s.packages.read, 1);
    const builds = await edgesOut(store, 'pkg:pypi/mlflow@2.9.2', 'BUILDS');
    assert.deepEqual(builds.map((e) => [e.from, e.confidence, e.props.workflow, e.props.commit]), [['gh:repo/mlflow/mlflow', 'declared', 'release.yml', MLFLOW_COMMIT]]);
    await ingest(replay, store, ['mlflow>=3.0.0rc1'], { depth: 0 });
    assert.equal((await store.getNodes(['pkg:pypi/mlflow@3.0.0rc1'])).length, 1, 'a range that names a pre-release admits it');
  });

  it('selects a yanked release only for an exact pin, with a warning; a range nothing satisfies is a warning', async () => {
    const s = await ingest(replay, store, ['flask==3.1.0', 'unsatisfiable'], { depth: 1 });
    assert.equal((await store.getNodes(['pkg:pypi/flask@3.1.0']))[0]?.props.yanked, true);
    assert.ok(s.warnings.some((w) => w.repo === 'pypi:flask@3.1.0' && /yanked: broken import/.test(w.message)), JSON.stringify(s.warnings));
    assert.ok(s.warnings.some((w) => w.repo === 'pypi:click' && /no release satisfies ">=99"/.test(w.message)), JSON.stringify(s.warnings));
  });

  it('gives the same graph when run again', async () => {
    const before = await store.stats();
    await ingest(replay, store, ['mlflow==2.8.0']);
    assert.deepEqual(await store.stats(), before);
  });
});

describe('npm', () => {
  let replay: RegistryReplay;
  let ws: ReturnType<typeof tempWorkspace>;
  let store: GraphStore;
  let summary: RegistryIngestSummary;
  before(async () => {
    replay = await startRegistryReplay(PYPI, NPM);
    ws = tempWorkspace('aispm-reg-');
    store = await openStore(ws.store);
    summary = await ingest(replay, store, ['npm:@acme/app'], { depth: 5 });
  });
  after(async () => {
    await store.close();
    await replay.close();
    ws.cleanup();
  });

  it('writes maintainers, integrity and provenance', async () => {
    const [app] = await store.getNodes(['pkg:npm/%40acme/app@1.0.0']);
    assert.match(String(app?.props.integrity), /^sha512-/);
    const writers = await edgesOut(store, 'pkg:npm/%40acme/app@1.0.0', 'CAN_WRITE');
    assert.deepEqual(writers.map((e) => e.from).sort(), ['npm:user/carol', 'npm:user/dave']);
    const builds = await edgesOut(store, 'pkg:npm/%40acme/app@1.0.0', 'BUILDS');
    assert.deepEqual(builds.map((e) => [e.from, e.confidence, e.props.workflow]), [['gh:repo/acme/app', 'declared', '.github/workflows/publish.yml']]);
    assert.deepEqual((await edgesOut(store, 'pkg:npm/cyc-b@1.0.0', 'BUILDS')).map((e) => [e.from, e.confidence]), [['gh:repo/acme/cyc', 'inferred']]);
  });

  it('resolves as npm does, and a cycle ends', async () => {
    const deps = await edgesOut(store, 'pkg:npm/%40acme/app@1.0.0', 'DEPENDS_ON');
    assert.deepEqual(deps.map((e) => `${e.to} ${e.props.versionRange}`).sort(), ['pkg:npm/cyc-a@1.0.0 ^1.0.0', 'pkg:npm/left-pad@1.3.0 ^1.1.0'], 'dev dependencies are not installed for a dependant');
    assert.deepEqual((await edgesOut(store, 'pkg:npm/cyc-b@1.0.0', 'DEPENDS_ON')).map((e) => e.to), ['pkg:npm/cyc-a@1.0.0'], 'an optional peer is not installed');
    assert.deepEqual((await edgesOut(store, 'pkg:npm/cyc-a@1.0.0', 'DEPENDS_ON')).map((e) => e.to), ['pkg:npm/cyc-b@1.0.0']);
    assert.ok(summary.warnings.some((w) => w.repo === 'npm:ghost' && /HTTP 404/.test(w.message)));
    assert.equal(summary.packages.read, 4);
  });
});

describe('registry faults', () => {
  it('retries 5xx and 429, and reports malformed JSON against the package', async () => {
    const faults: ReplayFault[] = [
      { match: '/pypi/flask/json', status: 503, times: 2 },
      { match: '/pypi/click/json', status: 429, times: 1, retryAfter: '0' },
      { match: '/pypi/requests/json', status: 'malformed', times: 10 },
    ];
    const replay = await startRegistryReplay(PYPI, NPM, { pypiFaults: faults });
    const ws = tempWorkspace('aispm-reg-');
    const store = await openStore(ws.store);
    try {
      const s = await ingest(replay, store, ['mlflow==2.8.0', 'click']);
      assert.ok(s.http.retries >= 3, JSON.stringify(s.http));
      assert.ok(s.warnings.some((w) => w.repo === 'pypi:requests' && /not JSON/.test(w.message)), JSON.stringify(s.warnings));
      assert.equal((await store.getNodes(['pkg:pypi/flask@3.0.0'])).length, 1);
      assert.equal((await store.getNodes(['pkg:pypi/click@8.1.7'])).length, 1);
      assert.equal(s.seedFailures.length, 0);
    } finally {
      await store.close();
      await replay.close();
      ws.cleanup();
    }
  });
});

describe('aispm ingest pypi|npm|packages', () => {
  it('exits 0 with a JSON summary, 2 for a bad requirement, 3 when the registry cannot be reached', async () => {
    const replay = await startRegistryReplay(PYPI, NPM);
    const ws = tempWorkspace('aispm-reg-cli-');
    try {
      const ok = await runCli(['ingest', 'pypi', 'click==8.1.7', '--pypi-url', replay.pypi.url, '--store', ws.store, '--json']);
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(JSON.parse(ok.stdout).packages.read, 1);
      const bad = await runCli(['ingest', 'pypi', 'click>=', '--pypi-url', replay.pypi.url, '--store', ws.store]);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /"click>=" is not a requirement/);
      const down = await runCli(['ingest', 'npm', 'left-pad', '--npm-registry', 'http://127.0.0.1:9', '--retry-base-ms', '0', '--store', ws.store]);
      assert.equal(down.code, 3, down.stderr);
      assert.match(down.stderr, /could not read npm:left-pad/);
      // `packages` reads what the graph holds: click from the run above, and a package an SBOM named.
      const records = join(ws.dir, 'sbom-records.json');
      writeFileSync(records, JSON.stringify({ nodes: [{ kind: 'Package', key: 'pkg:npm/left-pad@1.1.0' }], edges: [] }));
      const imported = await runCli(['import', records, '--store', ws.store]);
      assert.equal(imported.code, 0, imported.stderr);
      const all = await runCli(['ingest', 'packages', '--depth', '0', '--pypi-url', replay.pypi.url, '--npm-registry', replay.npm.url, '--store', ws.store, '--json']);
      assert.equal(all.code, 0, all.stderr);
      assert.equal(JSON.parse(all.stdout).packages.read, 2);
    } finally {
      await replay.close();
      ws.cleanup();
    }
  });

  it('packages: a pin spelled otherwise than the registry spells the release enriches the node the graph holds', async () => {
    // A manifest's `Werkzeug==3.0.1.0` is PyPI's 3.0.1 (PEP 440 pads with zeros); npm's `v1.1.0` is its 1.1.0.
    const replay = await startRegistryReplay(PYPI, NPM);
    const ws = tempWorkspace('aispm-reg-pin-');
    try {
      const records = join(ws.dir, 'records.json');
      const pinned = ['pkg:npm/left-pad@v1.1.0', 'pkg:pypi/werkzeug@3.0.1.0']; // in key order, as getNodes answers
      writeFileSync(
        records,
        JSON.stringify({
          nodes: [{ kind: 'Model', key: 'hf:model/acme/app' }, ...pinned.map((key) => ({ kind: 'Package', key }))],
          edges: pinned.map((to) => ({ kind: 'DEPENDS_ON', from: 'hf:model/acme/app', to, source: 'local' })),
        }),
      );
      assert.equal((await runCli(['import', records, '--store', ws.store])).code, 0);
      const run = await runCli(['ingest', 'packages', '--depth', '1', '--pypi-url', replay.pypi.url, '--npm-registry', replay.npm.url, '--store', ws.store, '--json']);
      assert.equal(run.code, 0, run.stderr);
      const store = await openStore(ws.store);
      try {
        const [leftPad, werkzeug] = await store.getNodes(pinned);
        assert.deepEqual([leftPad?.key, werkzeug?.key], pinned);
        assert.equal(werkzeug?.props.version, '3.0.1');
        assert.equal(leftPad?.props.version, '1.1.0');
        // The release's own dependencies hang off the node the model depends on, and no second node was made.
        assert.deepEqual((await edgesOut(store, pinned[1]!, 'DEPENDS_ON')).map((e) => e.to), ['pkg:pypi/markupsafe@2.1.3']);
        assert.deepEqual(await store.getNodes(['pkg:npm/left-pad@1.1.0', 'pkg:pypi/werkzeug@3.0.1']), []);
      } finally {
        await store.close();
      }
    } finally {
      await replay.close();
      ws.cleanup();
    }
  });
});
