/**
 * `aispm ingest github acme` against the replay server, through the CLI: what one organisation puts in the graph —
 * repositories, write access with roles, the Hub models and datasets its code loads (file:line, pinned or floating),
 * deployments as endpoints, workflows — and, with `--follow hf`, a blast radius from a poisoned Hub dataset that
 * reaches the deployments and names who can write the repositories deploying them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ReplayServer } from '../../ingest/github/replay/server.ts';
import type { ReplayServer as HubServer } from '../../ingest/huggingface/replay/server.ts';
import { runCli, tempWorkspace } from '../helpers/cli.ts';
import { githubUniverse } from './fixtures.ts';
import { edgesOf, exportStore, ingest, startGitHub, startHub, type Exported } from './harness.ts';

describe('aispm ingest github <org>', () => {
  const ws = tempWorkspace('aispm-gh-');
  let gh: ReplayServer;
  let hub: HubServer;
  let graph: Exported;
  let summary: Record<string, any>;

  before(async () => {
    gh = await startGitHub();
    hub = await startHub();
    const r = await ingest(gh, ws.store, ['acme', 'acme/old-name'], ['--follow', 'hf', '--hf-endpoint', hub.url, '--json']);
    assert.equal(r.code, 0, r.stderr);
    summary = JSON.parse(r.stdout);
    graph = await exportStore(ws.store);
  });
  after(async () => {
    await gh?.close();
    await hub?.close();
    ws.cleanup();
  });

  it('records each repository with its visibility, head, default branch and protection', () => {
    const chat = graph.nodes.get('gh:repo/acme/chat-service')!;
    assert.equal(chat.kind, 'Repository');
    assert.equal(chat.props.visibility, 'private');
    assert.equal(chat.props.defaultBranch, 'main');
    assert.match(String(chat.props.sha), /^[0-9a-f]{40}$/);
    assert.equal(chat.props.url, `${gh.url}/acme/chat-service`);
    assert.deepEqual(
      [chat.props.defaultBranchProtected, chat.props.requiredReviews, chat.props.codeOwnerReviews, chat.props.enforceAdmins],
      [true, 1, false, false],
    );
    const rec = graph.nodes.get('gh:repo/acme/recommender')!;
    assert.equal(rec.props.defaultBranchProtected, false);
    assert.equal(rec.props.requiredReviews, 0);
    assert.equal(summary.repos.read, 3);
  });

  it('follows a 301 rename and records the old name with its canonical id', () => {
    assert.equal(graph.nodes.get('gh:repo/acme/old-name')?.props.canonicalId, 'acme/renamed-app');
    assert.equal(summary.repos.renamed, 1);
    assert.ok(summary.warnings.some((w: any) => w.repo === 'acme/old-name' && /renamed to acme\/renamed-app/.test(w.message)));
    assert.ok(gh.log.some((l) => l.status === 301 && l.path === '/repos/acme/old-name'));
  });

  it('write access: collaborators who can push (with role_name, outside ones marked), teams, members; read-only roles carry nothing', () => {
    assert.deepEqual(edgesOf(graph, 'CAN_WRITE').filter((e) => e.includes('gh:repo/acme/chat-service')), [
      'gh:team/acme/ml-platform -> gh:repo/acme/chat-service {"role":"write"}',
      'gh:user/alice -> gh:repo/acme/chat-service {"role":"admin"}',
      'gh:user/bob -> gh:repo/acme/chat-service {"role":"write"}',
      'gh:user/carol -> gh:repo/acme/chat-service {"role":"maintain"}',
      'gh:user/dave -> gh:repo/acme/chat-service {"role":"write"}',
      'gh:user/eve -> gh:repo/acme/chat-service {"role":"write","outside":true}',
      'gh:user/frank -> gh:repo/acme/chat-service {"role":"release-manager"}',
    ]);
    assert.ok(!graph.edges.some((e) => e.from === 'gh:user/erin' && e.kind === 'CAN_WRITE'), 'a read collaborator is no writer');
    assert.ok(!graph.edges.some((e) => e.from === 'gh:team/acme/readers' && e.kind === 'CAN_WRITE'), 'a pull team is no writer');
    const members = edgesOf(graph, 'MEMBER_OF');
    for (const m of [
      'gh:user/alice -> gh:org/acme {"role":"admin"}',
      'gh:user/bob -> gh:org/acme {"role":"member"}',
      'gh:user/bob -> gh:team/acme/ml-platform {"role":"maintainer"}',
      'gh:user/carol -> gh:team/acme/ml-platform {"role":"member"}',
    ]) assert.ok(members.includes(m), m);
    assert.equal(graph.nodes.get('gh:team/acme/ml-platform')?.props.type, 'team');
    assert.equal(graph.nodes.get('gh:org/acme')?.props.type, 'org');
  });

  it('a token without admin rights: a warning naming the repository and what is missing', () => {
    assert.ok(summary.warnings.some((w: any) => w.repo === 'acme/recommender' && /no admin rights: collaborators not read/.test(w.message)));
    assert.equal(summary.parts.forbidden, 1);
  });

  it('the Hub models and datasets the code loads, with file:line, revision and confidence', () => {
    const uses = new Map(graph.edges.filter((e) => e.kind === 'USES' && e.source === 'github').map((e) => [`${e.from} ${e.to}`, e]));
    const chat = uses.get('gh:repo/acme/chat-service hf:model/acme-ai/chat-7b')!;
    assert.equal(chat.props?.revision, 'main', 'the loosest load decides: revision="main" beside a pinned one');
    assert.equal(chat.confidence, 'declared');
    assert.equal(chat.evidence, '.github/workflows/deploy.yml:20, Dockerfile:3, app/serve.py:3, app/serve.py:5, notebooks/explore.ipynb:18');
    assert.equal(uses.get('gh:repo/acme/chat-service hf:dataset/poison-lab/web-scrape')?.evidence, 'train/data.py:3');
    const config = uses.get('gh:repo/acme/chat-service hf:model/acme-ai/base-7b')!;
    assert.deepEqual([config.evidence, config.confidence], ['configs/serve.yaml:1', 'inferred']);
    assert.equal(uses.get('gh:repo/acme/chat-service hf:model/Xenova/distilbert-sst2')?.evidence, 'web/classify.ts:2');
    assert.equal(uses.get('gh:repo/acme/recommender hf:model/acme-ai/ranker')?.props?.revision, 'v2');
    assert.ok(uses.has('gh:repo/acme/recommender hf:model/sentence-transformers/all-MiniLM-L6-v2'), 'found through a truncated tree');
    assert.ok(uses.has('gh:repo/acme/chat-service hf:model/acme-ai/latin1-model'), 'a file with invalid UTF-8 is still read');
    assert.ok(uses.has('gh:repo/acme/chat-service hf:model/acme-ai/hostile-name'), 'a file named with SQL and Cypher is data');
    assert.ok(!graph.nodes.has('hf:model/vendored/not-ours'), 'vendored code is not the repository’s');
    assert.ok(!graph.nodes.has('hf:model/in/markdown'), 'a markdown cell loads nothing');
    assert.ok(gh.log.some((l) => /\/git\/trees\/[0-9a-f]{40}\?recursive=1/.test(l.path)) && gh.log.some((l) => /\/git\/trees\/[0-9a-f]{40}$/.test(l.path)), 'the truncated tree was walked by subtree');
  });

  it('deployments: each environment an Endpoint with DEPLOYS, its URL and protection', () => {
    assert.deepEqual(edgesOf(graph, 'DEPLOYS'), [
      'gh:repo/acme/chat-service -> gh:deployment/acme/chat-service/production',
      'gh:repo/acme/chat-service -> gh:deployment/acme/chat-service/staging',
      'gh:repo/acme/recommender -> gh:deployment/acme/recommender/production',
    ]);
    const prod = graph.nodes.get('gh:deployment/acme/chat-service/production')!;
    assert.equal(prod.kind, 'Endpoint');
    assert.equal(prod.props.endpointUrl, 'https://chat.acme.example/');
    assert.deepEqual([prod.props.requiredReviewers, prod.props.branchPolicy, prod.props.production, prod.props.deploymentState], [1, 'protected', true, 'success']);
    const staging = graph.nodes.get('gh:deployment/acme/chat-service/staging')!;
    assert.equal(staging.props.endpointUrl, 'https://staging.chat.acme.example/', 'the newest status that names a URL');
    assert.equal(staging.props.deploymentState, 'in_progress');
  });

  it('dependencies: the dependency-graph SBOM (SPDX 2.3) as pinned package versions; without it, the manifests in the tree', () => {
    assert.deepEqual(edgesOf(graph, 'DEPENDS_ON'), [
      'gh:repo/acme/chat-service -> pkg:npm/%40huggingface/transformers@3.0.2 {"scope":"runtime"}',
      'gh:repo/acme/chat-service -> pkg:pypi/torch@2.1.0 {"scope":"runtime"}',
      'gh:repo/acme/recommender -> pkg:npm/left-pad@1.3.0 {"scope":"runtime","versionRange":"1.3.0"}',
      'gh:repo/acme/recommender -> pkg:npm/lodash@4.17.21 {"scope":"runtime","versionRange":"^4.17.0"}',
      'gh:repo/acme/recommender -> pkg:pypi/sentence-transformers@3.0.1 {"scope":"runtime","versionRange":"==3.0.1"}',
    ]);
    const evidence = (to: string) => graph.edges.find((e) => e.kind === 'DEPENDS_ON' && e.to === to)?.evidence;
    assert.equal(evidence('pkg:pypi/torch@2.1.0'), 'dependency-graph/sbom', 'the SBOM wins over the requirements file beside it');
    assert.match(String(evidence('pkg:pypi/sentence-transformers@3.0.1')), /^requirements\.txt:1$/);
    assert.match(String(evidence('pkg:npm/lodash@4.17.21')), /^package\.json:\S+, package-lock\.json:\S+$/, 'a direct declaration says where and what range, the lockfile which version');
    assert.equal(graph.nodes.get('pkg:pypi/torch@2.1.0')?.kind, 'Package');
    const said = (repo: string | RegExp, re: RegExp) => summary.warnings.some((w: any) => (typeof repo === 'string' ? w.repo === repo : repo.test(w.repo)) && re.test(w.message));
    assert.ok(said('acme/recommender', /dependency graph not readable \(HTTP 404.*read from the manifests/), 'disabled: a warning and the fallback');
    assert.ok(said(/^acme\/(?:renamed-app|old-name)$/, /dependency graph not readable \(HTTP 403/), 'forbidden: a warning and the fallback');
    assert.ok(said('acme/chat-service', /2 dependencies name only a version range \(githubactions:actions\/checkout 4\.\*\.\*, pypi:transformers >= 4\.40\)/));
    assert.ok(said('acme/recommender', /pypi:numpy >=1\.26/));
    assert.ok(said('acme/chat-service', /1 packages without a purl/));
    assert.deepEqual(summary.dependencies, { sbom: 1, manifests: 2, edges: 5, unpinned: 3 });
  });

  it('workflows and committed model files are File nodes the repository CONTAINS', () => {
    const files = [...graph.nodes.values()].filter((n) => n.key.startsWith('gh:file/acme/chat-service/'));
    const deploy = files.find((f) => f.props.path === '.github/workflows/deploy.yml')!;
    assert.deepEqual([deploy.props.workflow, deploy.props.deploysTo, deploy.props.unpinnedActions], [true, ['production'], ['tj-actions/changed-files@v45']]);
    const label = files.find((f) => f.props.path === '.github/workflows/label.yml')!;
    assert.deepEqual([label.props.prTargetCheckout, label.props.writeAll], [true, true]);
    const head = files.find((f) => f.props.path === 'models/head.pt')!;
    assert.equal(head.props.lfs, true);
    assert.equal(head.props.size, 48_000_000);
    assert.match(String(head.props.sha256), /^[0-9a-f]{64}$/);
    assert.equal(head.props.scanStatus, 'unscanned');
    assert.match(String(head.props.scanReason), /Git LFS/);
    assert.match(String(head.props.scanner), /^aispm-scan\//);
    const pkl = files.find((f) => f.props.path === 'models/classifier.pkl')!;
    assert.deepEqual([pkl.props.format, pkl.props.formatSource, pkl.props.scanStatus, pkl.props.scanGlobals], ['pickle', 'bytes', 'dangerous', ['os.system']], 'scanned by the shared scanner');
    const latest = files.find((f) => f.props.path === 'weights/latest')!;
    assert.deepEqual([latest.props.formatSource, latest.props.scanStatus], ['bytes', 'safe'], 'a name that says nothing, recognised by its bytes');
    assert.ok(!files.some((f) => f.props.path === 'scripts/run'), 'a file whose bytes are no model is not a model file');
    for (const f of [deploy, label, head, pkl, latest]) assert.ok(graph.edges.some((e) => e.kind === 'CONTAINS' && e.from === 'gh:repo/acme/chat-service' && e.to === f.key));
  });

  it('--follow hf crawls what the code loads, with ancestors; a missing Hub repo is recorded as missing', () => {
    assert.ok(summary.hub, 'the Hub crawl ran in the same command');
    assert.equal(graph.nodes.get('hf:model/acme-ai/chat-7b')?.props.stub, undefined);
    assert.ok(graph.edges.some((e) => e.kind === 'TRAINED_ON' && e.from === 'hf:model/acme-ai/chat-7b' && e.to === 'hf:dataset/poison-lab/web-scrape'));
    assert.ok(graph.edges.some((e) => e.kind === 'DERIVED_FROM' && e.from === 'hf:model/acme-ai/chat-7b' && e.to === 'hf:model/acme-ai/base-7b'));
    assert.equal(graph.nodes.get('hf:model/acme-ai/latin1-model')?.props.missing, true);
  });

  it('blast radius from the poisoned dataset reaches the deployments and names who can write the deploying repository', async () => {
    const r = await runCli(['blast-radius', 'hf:dataset/poison-lab/web-scrape', '--store', ws.store, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const br = JSON.parse(r.stdout);
    const prod = br.endpoints.find((e: any) => e.key === 'gh:deployment/acme/chat-service/production');
    assert.ok(prod, JSON.stringify(br.endpoints));
    assert.ok(prod.path.includes('gh:repo/acme/chat-service'));
    for (const who of ['gh:user/alice', 'gh:user/bob', 'gh:user/carol', 'gh:user/eve', 'gh:team/acme/ml-platform', 'gh:org/acme']) assert.ok(prod.owners.includes(who), `${who} in ${prod.owners}`);
    assert.ok(!prod.owners.includes('gh:user/erin'), 'read-only access is not ownership');
    assert.ok(!br.endpoints.some((e: any) => e.key.startsWith('gh:deployment/acme/recommender/')), 'the recommender does not load the poisoned lineage');
    const text = await runCli(['blast-radius', 'hf:dataset/poison-lab/web-scrape', '--store', ws.store]);
    assert.match(text.stdout, /gh:deployment\/acme\/chat-service\/production {2}depth \d+ {2}owners: .*gh:user\/alice/);
  });
});

describe('aispm ingest github: branch rulesets', () => {
  it('reads a branch protected by rulesets as protected with their reviews, the stricter of rulesets and classic protection, and rulesets alone as a lower bound without admin rights', async () => {
    const data = githubUniverse();
    for (const repo of data.repos ?? []) {
      // renamed-app: no classic protection, a ruleset asking two reviews and code owners; chat-service: classic
      // protection with one review plus a ruleset asking three; recommender: a ruleset, and no admin rights here.
      if (repo.full_name === 'acme/renamed-app') repo.rulesets = [{ required_approving_review_count: 2, require_code_owner_review: true }];
      if (repo.full_name === 'acme/chat-service') repo.rulesets = [{ required_approving_review_count: 3 }];
      if (repo.full_name === 'acme/recommender') repo.rulesets = [{ required_approving_review_count: 1 }];
    }
    const gh = await startGitHub({ data });
    const ws = tempWorkspace('aispm-gh-rules-');
    try {
      const r = await ingest(gh, ws.store, ['acme'], ['--json']);
      assert.equal(r.code, 0, r.stderr);
      const graph = await exportStore(ws.store);
      const facts = (key: string) => {
        const p = graph.nodes.get(key)!.props;
        return [p.defaultBranchProtected, p.requiredReviews, p.codeOwnerReviews, p.enforceAdmins];
      };
      assert.deepEqual(facts('gh:repo/acme/renamed-app'), [true, 2, true, false]);
      assert.deepEqual(facts('gh:repo/acme/chat-service'), [true, 3, false, false]);
      assert.deepEqual(facts('gh:repo/acme/recommender'), [true, 1, false, false]);
      const warnings = JSON.parse(r.stdout).warnings as { repo: string; message: string }[];
      assert.ok(warnings.some((w) => w.repo === 'acme/recommender' && /rulesets' requirements are recorded, and classic protection may require more/.test(w.message)), JSON.stringify(warnings));
    } finally {
      await gh.close();
      ws.cleanup();
    }
  });
});
