/**
 * A repository that leaves an owner's listing between runs, through the CLI: renamed (the old name answers 301), it
 * is recorded as renamed and nothing of it stays under the old key; deleted (404), its records go; when the API
 * cannot say (a 502), what the graph held stays, with a warning, and the next run asks again.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ReplayServer } from '../../ingest/github/replay/server.ts';
import { runCli, tempWorkspace } from '../helpers/cli.ts';
import { universeWithOldName } from './fixtures.ts';
import { edgesOf, exportStore, ingest, normalised, startGitHub, type Exported } from './harness.ts';

const OLD = 'gh:repo/acme/old-name';
const NEW = 'gh:repo/acme/renamed-app';
const REC = 'gh:repo/acme/recommender';

/** Everything the graph holds of a repository key: its edges either way, and the files and deployments under it. */
function heldUnder(g: Exported, repo: string): string[] {
  const [, path] = repo.split('gh:repo/');
  const edges = g.edges.filter((e) => e.from === repo || e.to === repo).map((e) => `${e.from} -${e.kind}-> ${e.to}`);
  const nodes = [...g.nodes.keys()].filter((k) => k.startsWith(`gh:file/${path}/`) || k.startsWith(`gh:deployment/${path}/`));
  return [...edges, ...nodes].sort();
}

/** The first run sees `acme/old-name`; `change` then moves or deletes it upstream. */
async function firstRun(change?: (gh: ReplayServer) => void): Promise<{ gh: ReplayServer; ws: ReturnType<typeof tempWorkspace> }> {
  const ws = tempWorkspace('aispm-gh-vanished-');
  const gh = await startGitHub({ data: universeWithOldName() });
  const r = await ingest(gh, ws.store, ['acme']);
  assert.equal(r.code, 0, r.stderr);
  const g = await exportStore(ws.store);
  assert.ok(edgesOf(g, 'CAN_WRITE').includes(`gh:user/alice -> ${OLD} {"role":"admin"}`), 'the first run recorded the old repository’s writers');
  assert.ok(heldUnder(g, OLD).some((x) => x.includes('-DEPLOYS->')) && heldUnder(g, OLD).some((x) => x.includes('-USES->')));
  change?.(gh);
  return { gh, ws };
}

describe('aispm ingest github: a repository gone from its owner’s listing', () => {
  it('renamed between runs: the old key is marked with canonicalId and holds nothing; the new one has the writers', async () => {
    const { gh, ws } = await firstRun((gh) => gh.universe.renameRepo('acme/old-name', 'acme/renamed-app'));
    try {
      const r = await ingest(gh, ws.store, ['acme'], ['--json']);
      assert.equal(r.code, 0, r.stderr);
      const s = JSON.parse(r.stdout);
      assert.equal(s.repos.renamed, 1);
      assert.ok(s.warnings.some((w: any) => w.repo === 'acme/old-name' && /renamed to acme\/renamed-app/.test(w.message)), JSON.stringify(s.warnings));
      assert.ok(gh.log.some((l) => l.status === 301 && l.path === '/repos/acme/old-name'), 'the vanished name was asked for');
      const g = await exportStore(ws.store);
      assert.equal(g.nodes.get(OLD)?.props.canonicalId, 'acme/renamed-app');
      assert.deepEqual(heldUnder(g, OLD), [], 'no write access, deployment, code or dependency stays under the old key');
      assert.deepEqual(edgesOf(g, 'CAN_WRITE').filter((e) => e.includes(NEW)), [`gh:user/alice -> ${NEW} {"role":"admin"}`, `gh:user/bob -> ${NEW} {"role":"write"}`]);
      const now = heldUnder(g, NEW);
      for (const want of [`${NEW} -DEPLOYS-> gh:deployment/acme/renamed-app/production`, `${NEW} -USES-> hf:model/acme-ai/chat-7b`, `${NEW} -DEPENDS_ON-> pkg:pypi/torch@2.1.0`]) assert.ok(now.includes(want), want);

      // Settled: the next run does not ask for the old name again, and changes nothing.
      const before = gh.log.length;
      const again = await ingest(gh, ws.store, ['acme'], ['--json']);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(JSON.parse(again.stdout).repos.renamed, 0);
      assert.ok(!gh.log.slice(before).some((l) => l.path.startsWith('/repos/acme/old-name')));
      assert.equal(normalised(await exportStore(ws.store)), normalised(g));
    } finally {
      await gh.close();
      ws.cleanup();
    }
  });

  it('deleted between runs: its records are removed and the summary says so', async () => {
    const { gh, ws } = await firstRun((gh) => {
      gh.universe.deleteRepo('acme/old-name');
      gh.universe.deleteRepo('acme/recommender');
    });
    try {
      // Another source says the recommender built a model: that record is not GitHub's to remove.
      const records = join(ws.dir, 'builds.json');
      writeFileSync(records, JSON.stringify({ nodes: [], edges: [{ kind: 'BUILDS', from: REC, to: 'hf:model/acme-ai/ranker', evidence: 'release notes', confidence: 'declared' }] }));
      assert.equal((await runCli(['import', records, '--store', ws.store, '--source', 'analyst'])).code, 0);
      const r = await ingest(gh, ws.store, ['acme']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /repos {5}.*, 2 removed/);
      assert.match(r.stdout, /acme\/old-name: no longer listed by acme and not found \(HTTP 404\): deleted, or the token can no longer see it; its records were removed\n/);
      assert.match(r.stdout, /acme\/recommender: no longer listed by acme and not found \(HTTP 404\).*its node stays, marked missing/);
      const g = await exportStore(ws.store);
      assert.deepEqual(heldUnder(g, OLD), []);
      assert.equal(g.nodes.has(OLD), false, 'nothing points at the deleted repository, so its node is gone too');
      assert.deepEqual(heldUnder(g, REC), [`${REC} -BUILDS-> hf:model/acme-ai/ranker`], 'only the other source’s record stays');
      assert.equal(g.nodes.get(REC)?.props.missing, true);
      assert.ok(g.nodes.has('gh:repo/acme/chat-service') && edgesOf(g, 'CAN_WRITE').some((e) => e.endsWith('gh:repo/acme/chat-service {"role":"admin"}')), 'the other repository stays');
    } finally {
      await gh.close();
      ws.cleanup();
    }
  });

  it('a probe answering 502 keeps what the graph held, with a warning; the next run asks again', async () => {
    const { gh, ws } = await firstRun((gh) => {
      gh.universe.deleteRepo('acme/old-name');
      gh.faults.push({ match: '/repos/acme/old-name', kind: 'status', status: 502, times: 1000 });
    });
    try {
      const held = heldUnder(await exportStore(ws.store), OLD);
      const r = await ingest(gh, ws.store, ['acme'], ['--json']);
      assert.equal(r.code, 0, r.stderr);
      const s = JSON.parse(r.stdout);
      assert.ok(
        s.warnings.some((w: any) => w.repo === 'acme/old-name' && /no longer listed by acme; whether it was renamed or deleted could not be checked \(HTTP 502.*earlier records kept/.test(w.message)),
        JSON.stringify(s.warnings),
      );
      assert.equal(s.repos.removed, 0);
      assert.deepEqual(heldUnder(await exportStore(ws.store), OLD), held, 'nothing was removed on an uncertain answer');

      gh.faults.length = 0;
      const later = await ingest(gh, ws.store, ['acme'], ['--json']);
      assert.equal(later.code, 0, later.stderr);
      assert.equal(JSON.parse(later.stdout).repos.removed, 1, 'the name is still watched after the failed probe');
      assert.deepEqual(heldUnder(await exportStore(ws.store), OLD), []);
    } finally {
      await gh.close();
      ws.cleanup();
    }
  });
});
