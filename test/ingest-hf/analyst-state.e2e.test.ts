/**
 * Analyst state is the analyst's (issue 18, item 8): a Hub owner who tags their own model `crown-jewel` changes no
 * attack-path target, an upstream batch carrying `analystTags` has it dropped with a warning, and the analyst's
 * tags survive a re-ingest that rewrites the node.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPLAY_BUILDERS } from '../../ingest/huggingface/replay/builders.ts';
import { startReplayServer, type ReplayServer } from '../../ingest/huggingface/replay/server.ts';
import { Universe, type UniverseData } from '../../ingest/huggingface/replay/universe.ts';
import { createScopeWriter } from '../../ingest/pipeline/sync.ts';
import { SqliteStore } from '../../services/store/sqlite.ts';
import { runCli, tempWorkspace } from '../helpers/cli.ts';
import { FIXTURES } from './fixtures.ts';
import { ingestArgs } from './harness.ts';

const SPACE = 'hf:space/acme/chat-demo';
const SELF_TAGGED = 'hf:model/bob/big-pickle';

type Repo = { id: string; sha: string; tags?: string[] };
type Data = { models: Repo[]; spaces: Repo[] };

function universe(change: (data: Data) => void): Universe {
  const data = JSON.parse(readFileSync(join(FIXTURES, 'universe.json'), 'utf8')) as UniverseData & Data;
  change(data);
  return new Universe(data, REPLAY_BUILDERS);
}

async function json(args: string[]): Promise<any> {
  const r = await runCli([...args, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

describe('analyst tags: never set by an upstream, kept across re-ingests', () => {
  const ws = tempWorkspace('aispm-analyst-');
  let hub: ReplayServer | undefined;
  after(async () => {
    await hub?.close();
    ws.cleanup();
  });

  before(async () => {
    // bob tags his own model crown-jewel on the Hub.
    hub = await startReplayServer(universe((u) => u.models.find((m) => m.id === 'bob/big-pickle')!.tags!.push('crown-jewel')));
    const r = await runCli(ingestArgs(hub, ws.store));
    assert.equal(r.code, 0, r.stderr);
  });

  it('an upstream crown-jewel tag is kept as an upstream tag and changes no target', async () => {
    const store = await SqliteStore.open(ws.dbPath);
    const [model] = await store.getNodes([SELF_TAGGED]).finally(() => store.close());
    assert.ok((model!.props.tags as string[]).includes('crown-jewel'), 'the Hub tag is recorded as the Hub wrote it');
    assert.equal(model!.props.analystTags, undefined);
    const paths = await json(['paths', '--store', ws.store]);
    assert.ok(!paths.targets.includes(SELF_TAGGED), `targets: ${paths.targets.join(', ')}`);
    assert.deepEqual(paths.targets, ['hf:space/acme/chat-demo', 'hf:space/bob/merge-arena'], 'with no analyst crown jewel, every endpoint is a target');
  });

  it('the analyst tag survives a re-ingest that reads and rewrites the node', async () => {
    const tagged = await json(['tag', SPACE, 'crown-jewel', '--store', ws.store]);
    assert.deepEqual(tagged, { key: SPACE, analystTags: ['crown-jewel'], changed: true });
    await hub!.close();
    // The Space moved to a new commit, so the crawl reads it again and writes its record anew.
    hub = await startReplayServer(universe((u) => (u.spaces.find((s) => s.id === 'acme/chat-demo')!.sha = '5ace00000000000000000000000000000000000f')));
    const r = await runCli(ingestArgs(hub, ws.store, ['--json']));
    assert.equal(r.code, 0, r.stderr);
    assert.ok(JSON.parse(r.stdout).repos.space.read >= 1, 'the Space was read again');
    const paths = await json(['paths', '--store', ws.store]);
    assert.deepEqual(paths.targets, [SPACE]);
  });

  it('the shared scope writer drops analystTags from an upstream batch and says so', async () => {
    const store = await SqliteStore.open(ws.dbPath);
    try {
      const notes: string[] = [];
      const writer = createScopeWriter(store, 'test-source', { onAnalystState: (_scope, n) => notes.push(...n) });
      await writer.commitScope(SELF_TAGGED, {
        nodes: [
          { kind: 'Model', key: SELF_TAGGED, props: { analystTags: ['crown-jewel'], downloads: 1 } },
          { kind: 'Endpoint', key: SPACE, props: { analystTags: [] } },
        ],
        edges: [],
      });
      const [model, space] = await store.getNodes([SELF_TAGGED, SPACE]);
      assert.equal(model!.props.analystTags, undefined, 'an upstream cannot make its model a crown jewel');
      assert.equal(model!.props.downloads, 1, 'the rest of the record is written');
      assert.deepEqual(space!.props.analystTags, ['crown-jewel'], 'an upstream cannot clear the analyst tag either');
      assert.deepEqual(notes, [
        `${SELF_TAGGED}: analystTags ignored (only an analyst sets it)`,
        `${SPACE}: analystTags ignored (only an analyst sets it)`,
      ]);
    } finally {
      await store.close();
    }
  });
});
