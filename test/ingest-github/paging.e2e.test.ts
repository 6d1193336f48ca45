/**
 * GitHub Enterprise Server's layout (`/api/v3`) with listings longer than a page: `Link` URLs keep the base path, every
 * page is read, and the second run probes every page with its ETag.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { UniverseData } from '../../ingest/github/replay/universe.ts';
import { tempWorkspace } from '../helpers/cli.ts';
import { exportStore, ingest, startGitHub } from './harness.ts';

function bigOrg(): UniverseData {
  const members = Array.from({ length: 230 }, (_, i) => ({ login: `user-${String(i).padStart(3, '0')}`, role: i < 3 ? 'admin' : 'member' }));
  return {
    orgs: [{ login: 'big', members }],
    repos: [
      {
        full_name: 'big/monorepo',
        id: 77,
        files: { 'app.py': { text: 'm = AutoModel.from_pretrained("big-ai/model")\n' } },
        collaborators: members.slice(0, 130).map((m, i) => ({ login: m.login, role_name: i % 2 ? 'write' : 'read' })),
      },
    ],
  };
}

describe('GitHub Enterprise Server layout and paging', () => {
  it('reads every page under /api/v3 and probes every page on the next run', async () => {
    const ws = tempWorkspace('aispm-gh-ghes-');
    const gh = await startGitHub({ basePath: '/api/v3', data: bigOrg() });
    try {
      assert.match(gh.url, /\/api\/v3$/);
      const r = await ingest(gh, ws.store, ['big'], ['--json']);
      assert.equal(r.code, 0, r.stderr);
      const g = await exportStore(ws.store);
      assert.equal(g.edges.filter((e) => e.kind === 'MEMBER_OF' && e.to === 'gh:org/big').length, 230);
      assert.equal(g.edges.filter((e) => e.kind === 'CAN_WRITE' && e.to === 'gh:repo/big/monorepo').length, 65, 'the writers among 130 collaborators');
      assert.equal(g.nodes.get('gh:repo/big/monorepo')?.props.url, `${gh.url.replace(/\/api\/v3$/, '')}/big/monorepo`, 'pages are on the web origin');
      assert.ok(gh.log.some((l) => l.path.startsWith('/api/v3/orgs/big/members?role=member&per_page=100&page=3')), 'Link pages keep the base path');
      assert.ok(gh.log.every((l) => l.path.startsWith('/api/v3/')));
      const firstRun = gh.log.length;
      const again = await ingest(gh, ws.store, ['big'], ['--json']);
      const s = JSON.parse(again.stdout);
      const second = gh.log.slice(firstRun);
      assert.ok(second.every((l) => l.conditional && l.status === 304), second.filter((l) => !l.conditional).map((l) => l.path).join(', '));
      assert.ok(second.some((l) => l.path.includes('members?role=member&per_page=100&page=3')), 'later pages are probed too');
      assert.equal(s.repos.unchanged, 1);
    } finally {
      await gh.close();
      ws.cleanup();
    }
  });
});
