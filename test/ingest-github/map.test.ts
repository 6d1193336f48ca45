/** The pure GitHub mappings, on bodies in the REST API's shapes (current and older recordings). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grantOf, mapCollaborators, mapRepoTeams, mapTeam } from '../../ingest/github/map-access.ts';
import { parseLfsPointer, mapHubUses } from '../../ingest/github/map-code.ts';
import { DEFAULT_API_URL } from '../../ingest/github/ingest.ts';
import { webOrigin } from '../../ingest/github/map-common.ts';
import { latestPerEnvironment, mapDeployments } from '../../ingest/github/map-deployments.ts';
import { branchFacts, protectionOf, repoIdentity } from '../../ingest/github/map-repo.ts';
import { parseSeed } from '../../ingest/github/seeds.ts';
import { selectFiles } from '../../ingest/github/tree.ts';
import { analyseWorkflow, isUnpinnedThirdParty } from '../../ingest/github/workflows.ts';
import { validateBatch } from '../../schema/validate.ts';

const WEB = 'https://github.example';

describe('repository, branch and protection', () => {
  it('reads the repository body and refuses one without a usable full_name', () => {
    const id = repoIdentity({ full_name: 'Acme/Chat.Service', owner: { login: 'Acme', type: 'Organization' }, default_branch: 'trunk' });
    assert.deepEqual(id, { owner: 'Acme', name: 'Chat.Service', ownerType: 'org', defaultBranch: 'trunk', key: 'gh:repo/acme/chat.service' });
    for (const bad of [{}, { full_name: 'a/b/c' }, { full_name: '../x' }, { full_name: 42 }, null]) assert.ok('problem' in repoIdentity(bad));
  });

  it('protection: reviews, code owners, admins; an unprotected branch is known to be open', () => {
    assert.deepEqual(protectionOf(false, undefined), { known: true, protected: false, requiredReviews: 0, codeOwnerReviews: false, enforceAdmins: false });
    assert.deepEqual(protectionOf(true, undefined), { known: false });
    const body = { required_pull_request_reviews: { require_code_owner_reviews: true, required_approving_review_count: 2 }, enforce_admins: { enabled: true } };
    assert.deepEqual(protectionOf(true, body), { known: true, protected: true, requiredReviews: 2, codeOwnerReviews: true, enforceAdmins: true });
    assert.equal((protectionOf(true, { enforce_admins: { enabled: false } }) as { requiredReviews: number }).requiredReviews, 0, 'protected without a review rule');
    assert.deepEqual(branchFacts({ commit: { sha: 'nope' }, protected: 'yes' }), { protected: false });
    // Rulesets (GET …/rules/branches/{branch}): a branch GitHub calls protected with no classic protection is not open.
    const rules = [{ type: 'deletion' }, { type: 'pull_request', parameters: { required_approving_review_count: 2, require_code_owner_review: true } }];
    assert.deepEqual(protectionOf(true, undefined, rules), { known: true, protected: true, requiredReviews: 2, codeOwnerReviews: true, enforceAdmins: false });
    assert.deepEqual(protectionOf(true, undefined, []), { known: true, protected: true, requiredReviews: 0, codeOwnerReviews: false, enforceAdmins: false });
    assert.deepEqual(protectionOf(false, undefined, [{ type: 'non_fast_forward' }]), { known: true, protected: true, requiredReviews: 0, codeOwnerReviews: false, enforceAdmins: false });
    assert.deepEqual(protectionOf(true, body, [{ type: 'pull_request', parameters: { required_approving_review_count: 4 } }]), { known: true, protected: true, requiredReviews: 4, codeOwnerReviews: true, enforceAdmins: true });
    assert.deepEqual(protectionOf(true, undefined, 'not a list'), { known: false });
  });
});

describe('write access', () => {
  it('role_name with permissions, legacy permission names, custom roles', () => {
    assert.deepEqual(grantOf({ role_name: 'maintain', permissions: { pull: true, triage: true, push: true, maintain: true, admin: false } }), { role: 'maintain', canWrite: true });
    assert.deepEqual(grantOf({ permissions: { admin: true, push: true, pull: true } }), { role: 'admin', canWrite: true }, '2018 recordings carry no role_name');
    assert.deepEqual(grantOf({ permission: 'push' }), { role: 'write', canWrite: true }, 'team permission names');
    assert.deepEqual(grantOf({ role_name: 'security-auditor', permissions: { pull: true, triage: true, push: false } }), { role: 'security-auditor', canWrite: false });
    assert.deepEqual(grantOf({ role_name: 'read' }), { role: 'read', canWrite: false });
    assert.equal(grantOf({}), undefined);
  });

  it('collaborators: writers only, outside marked, malformed entries warned about, the owner left to the repository', () => {
    const m = mapCollaborators(
      'gh:repo/eve/tool',
      [{ login: 'eve', role_name: 'admin' }, { login: 'Mallory', role_name: 'write' }, { login: 'reader', role_name: 'read' }, { login: "x'); DROP TABLE edges;--", role_name: 'write' }, 'junk'],
      new Set(['mallory']),
      WEB,
      'eve',
    );
    assert.deepEqual(m.edges.map((e) => `${e.from} ${JSON.stringify(e.props)}`), ['gh:user/mallory {"role":"write","outside":true}']);
    assert.equal(m.warnings.length, 2);
    assert.doesNotThrow(() => validateBatch(m));
  });

  it('teams: write-capable permissions give CAN_WRITE; members with their team role; the parent team', () => {
    const t = mapRepoTeams('gh:repo/acme/app', 'acme', [{ slug: 'ml', name: 'ML', permission: 'push' }, { slug: 'docs', permission: 'pull' }], WEB);
    assert.deepEqual(t.edges.map((e) => `${e.from} ${e.props?.role}`), ['gh:team/acme/ml write']);
    assert.deepEqual(t.teams.map((x) => x.slug), ['ml', 'docs']);
    const team = mapTeam('acme', 'deployers', { slug: 'deployers', parent: { slug: 'ml' } }, [{ login: 'bob' }], [{ login: 'bob' }, { login: 'dave' }], WEB);
    assert.deepEqual(team.edges.map((e) => `${e.from} -> ${e.to} ${e.props?.role}`), [
      'gh:user/bob -> gh:team/acme/deployers maintainer',
      'gh:user/dave -> gh:team/acme/deployers member',
      'gh:team/acme/deployers -> gh:team/acme/ml member',
    ]);
  });
});

describe('deployments', () => {
  it('latest deployment per environment; environments without one are endpoints too; only http(s) URLs', () => {
    const latest = latestPerEnvironment([{ id: 3, environment: 'prod' }, { id: 2, environment: 'prod' }, { id: 1, environment: 'qa\u0000' }, { environment: 7 }]);
    assert.deepEqual([...latest.keys()], ['prod']);
    const m = mapDeployments('acme', 'app', 'gh:repo/acme/app', [{ name: 'prod', protection_rules: [{ type: 'wait_timer', wait_timer: 30 }] }, { name: 'dev' }, { name: '' }], new Map([['prod', { deployment: { id: 3, sha: 'abc', production_environment: true }, statuses: [{ state: 'success', environment_url: 'javascript:alert(1)' }] }]]), WEB);
    assert.deepEqual(m.nodes.map((n) => n.key), ['gh:deployment/acme/app/dev', 'gh:deployment/acme/app/prod']);
    const prod = m.nodes[1]!.props!;
    assert.equal(prod.endpointUrl, undefined);
    assert.deepEqual([prod.waitTimer, prod.branchPolicy, prod.requiredReviewers, prod.production], [30, 'any', 0, true]);
    assert.equal(m.edges[1]!.evidence, 'deployments/3');
    assert.equal(m.warnings.length, 1);
  });
});

describe('code', () => {
  it('one USES per target: the loosest load decides, evidence lists every place', () => {
    const ref = (id: string, line: number, revision?: string, confidence: 'declared' | 'inferred' = 'declared') => ({ type: 'model' as const, id, line, confidence, via: 'x', ...(revision ? { revision } : {}) });
    const edges = mapHubUses('gh:repo/acme/app', [
      { path: 'b.py', ref: ref('o/m', 9, 'a'.repeat(40)) },
      { path: 'a.py', ref: ref('o/m', 4, 'main') },
      { path: 'cfg.yaml', ref: ref('o/m', 1, undefined, 'inferred') },
      { path: 'c.py', ref: ref('o/other', 2, 'b'.repeat(40)) },
    ]);
    assert.deepEqual(edges.map((e) => [e.to, e.props?.revision, e.evidence, e.confidence]), [
      ['hf:model/o/m', 'main', 'a.py:4, b.py:9, cfg.yaml:1', 'declared'],
      ['hf:model/o/other', 'b'.repeat(40), 'c.py:2', 'declared'],
    ]);
  });

  it('Git LFS pointers, as git-lfs parses them', () => {
    const oid = 'f'.repeat(64);
    assert.deepEqual(parseLfsPointer(new TextEncoder().encode(`version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize 123\n`)), { sha256: oid, size: 123 });
    assert.equal(parseLfsPointer(new TextEncoder().encode(`oid sha256:${oid}\nsize 1\n`)), undefined);
    assert.equal(parseLfsPointer(new Uint8Array(2000)), undefined);
  });

  it('selects candidates by kind, skips vendored code and lockfiles, bounds count and size', () => {
    const blob = (path: string, size = 10) => ({ path, sha: '0'.repeat(40), size });
    const sel = selectFiles(
      [blob('web/app.ts'), blob('a/b/deep.py'), blob('top.py'), blob('Dockerfile'), blob('conf.yaml'), blob('package-lock.json'), blob('node_modules/x/y.py'), blob('big.py', 5000), blob('.github/workflows/ci.yml'), blob('w/model.safetensors'), blob('requirements-dev.txt')],
      { maxFiles: 4, maxFileBytes: 1000 },
    );
    assert.deepEqual(sel.candidates.map((c) => c.path), ['top.py', 'a/b/deep.py', 'Dockerfile', 'conf.yaml']);
    assert.deepEqual([sel.skippedByCount, sel.skippedBySize], [2, 1]);
    assert.deepEqual(sel.workflows.map((w) => w.path), ['.github/workflows/ci.yml']);
    assert.deepEqual(sel.modelFiles.map((m) => m.path), ['w/model.safetensors']);
    assert.deepEqual(sel.manifests.map((m) => m.path), ['package-lock.json', 'requirements-dev.txt']);
  });
});

describe('workflows', () => {
  it('third-party actions without a commit pin; first-party, own, local and pinned ones are fine', () => {
    assert.equal(isUnpinnedThirdParty('tj-actions/changed-files@v45', 'acme'), true);
    assert.equal(isUnpinnedThirdParty(`tj-actions/changed-files@${'a'.repeat(40)}`, 'acme'), false);
    assert.equal(isUnpinnedThirdParty('actions/checkout@v4', 'acme'), false);
    assert.equal(isUnpinnedThirdParty('ACME/shared/.github/workflows/x.yml@main', 'acme'), false);
    assert.equal(isUnpinnedThirdParty('./local-action', 'acme'), false);
    assert.equal(isUnpinnedThirdParty('docker://alpine:3', 'acme'), true);
    assert.equal(isUnpinnedThirdParty(`docker://alpine@sha256:${'b'.repeat(64)}`, 'acme'), false);
  });

  it('triggers, environments, reusable workflows, pwn requests and write-all, with lines', () => {
    const text = [
      'on:',
      '  pull_request_target:',
      '    types: [opened]',
      'jobs:',
      '  build:',
      '    permissions: write-all',
      '    environment: production',
      '    steps:',
      '      - run: |',
      '          git fetch origin ${{ github.event.pull_request.head.ref }} && git checkout FETCH_HEAD',
      '  call:',
      '    uses: other-org/workflows/.github/workflows/deploy.yml@main',
    ].join('\n');
    const p = analyseWorkflow(text, 'acme');
    assert.deepEqual(p.triggers, ['pull_request_target']);
    assert.deepEqual(p.deploysTo, ['production']);
    assert.deepEqual(p.unpinned, [{ uses: 'other-org/workflows/.github/workflows/deploy.yml@main', line: 12 }]);
    assert.equal(p.prTargetCheckout, true);
    assert.equal(p.prTargetCheckoutLine, 9);
    assert.equal(p.writeAll, true);
    assert.equal(analyseWorkflow('on: pull_request\njobs:\n  a:\n    steps:\n      - uses: actions/checkout@v4\n        with: { ref: "${{ github.event.pull_request.head.sha }}" }\n', 'acme').prTargetCheckout, false, 'pull_request runs without secrets');
  });

  it('bad YAML, a list document and alias bombs are problems, not crashes', () => {
    assert.ok(analyseWorkflow('on: [push\njobs: {', 'acme').problems.length > 0);
    assert.ok(analyseWorkflow('- a\n- b\n', 'acme').problems.includes('is not a mapping'));
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`)].join('\n');
    assert.doesNotThrow(() => analyseWorkflow(bomb, 'acme'));
  });
});

describe('seeds and origins', () => {
  it('organisations, owner/repo and web URLs; everything else is refused', () => {
    assert.deepEqual(parseSeed('acme'), { owner: 'acme' });
    assert.deepEqual(parseSeed('https://github.com/acme/app.git'), { owner: 'acme', name: 'app' });
    for (const bad of ['acme/../x', 'a/b/c', '', '-x', 'a b']) assert.throws(() => parseSeed(bad), /is not an organisation/);
  });

  it('the web origin of github.com, GitHub Enterprise Server and a local server', () => {
    // The public API's base as the ingestor defaults to it (no literal host here; no request is made).
    assert.equal(webOrigin(DEFAULT_API_URL), 'https://github.com');
    assert.equal(webOrigin('https://ghe.corp.example/api/v3'), 'https://ghe.corp.example');
    assert.equal(webOrigin('http://127.0.0.1:8080'), 'http://127.0.0.1:8080');
  });
});
