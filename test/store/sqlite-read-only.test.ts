/**
 * A store on read-only media (a read-only mount, a snapshot, an archive volume) is still readable: every reading
 * command answers, every writing command exits 3 saying why, and nothing beside the file is created or changed.
 * Read-only media are imitated with the immutable attribute as root (permission bits do not stop root) or with
 * permission bits otherwise; where neither makes the file unwritable the test says so and is skipped.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, openSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, tempWorkspace } from '../helpers/cli.ts';

const records = {
  nodes: [
    { kind: 'Dataset', key: 'hf:dataset/acme/reviews', props: { name: 'reviews' } },
    { kind: 'Model', key: 'hf:model/acme/tuned', props: { name: 'tuned' } },
  ],
  edges: [
    { kind: 'TRAINED_ON', from: 'hf:model/acme/tuned', to: 'hf:dataset/acme/reviews' },
    { kind: 'SERVES', from: 'hf:space/acme/chat', to: 'hf:model/acme/tuned' },
  ],
};

/** Makes the directory and the store file unwritable; returns how to undo it, or why it could not. */
function makeReadOnly(dir: string, file: string): { undo(): void } | { reason: string } {
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const r = spawnSync('chattr', ['+i', file, dir], { encoding: 'utf8' });
    if (r.status !== 0) return { reason: `running as root and chattr +i is not available here (${(r.stderr || r.error?.message || '').trim()})` };
  } else {
    chmodSync(file, 0o444);
    chmodSync(dir, 0o555);
  }
  const undo = () => {
    if (asRoot) spawnSync('chattr', ['-i', file, dir]);
    else {
      chmodSync(dir, 0o755);
      chmodSync(file, 0o644);
    }
  };
  try {
    closeSync(openSync(file, 'r+'));
    undo();
    return { reason: 'the store file stayed writable' };
  } catch {
    return { undo };
  }
}

describe('a SQLite store on read-only media', () => {
  const ws = tempWorkspace('aispm-readonly-');
  const storeDir = join(ws.dir, 'media');
  const dbPath = join(storeDir, 'graph.db');
  const store = `sqlite:${dbPath}`;
  let readOnly: { undo(): void } | { reason: string } = { reason: 'not set up' };
  let digest = '';
  let listing: string[] = [];

  before(async () => {
    const file = join(ws.dir, 'records.json');
    writeFileSync(file, JSON.stringify(records));
    const imported = await runCli(['import', file, '--store', store]);
    assert.equal(imported.code, 0, imported.stderr);
    readOnly = makeReadOnly(storeDir, dbPath);
    digest = createHash('sha256').update(readFileSync(dbPath)).digest('hex');
    listing = readdirSync(storeDir).sort();
  });
  after(() => {
    if ('undo' in readOnly) readOnly.undo();
    ws.cleanup();
  });
  /** True when the media could not be made read-only here (the test then says why and is skipped). */
  const cannotRun = (t: { skip(reason: string): void }) => {
    if ('reason' in readOnly) t.skip(readOnly.reason);
    return 'reason' in readOnly;
  };

  it('answers reading commands', async (t) => {
    if (cannotRun(t)) return;
    const stats = await runCli(['stats', '--store', store, '--json']);
    assert.equal(stats.code, 0, stats.stderr);
    assert.equal(JSON.parse(stats.stdout).nodes, 3);
    const blast = await runCli(['blast-radius', 'hf:dataset/acme/reviews', '--store', store, '--json']);
    assert.equal(blast.code, 0, blast.stderr);
    assert.match(blast.stdout, /hf:space\/acme\/chat/);
  });

  it('refuses writing commands with exit 3 and the reason, and changes nothing on the media', async (t) => {
    if (cannotRun(t)) return;
    const file = join(ws.dir, 'more.json');
    writeFileSync(file, JSON.stringify({ nodes: [{ kind: 'Model', key: 'hf:model/acme/other' }], edges: [] }));
    const imported = await runCli(['import', file, '--store', store]);
    assert.equal(imported.code, 3, imported.stderr);
    assert.match(imported.stderr, /graph\.db is on read-only media and was opened for reading only: nothing written/);
    const tagged = await runCli(['tag', 'hf:model/acme/tuned', 'crown-jewel', '--store', store]);
    assert.equal(tagged.code, 3, tagged.stderr);
    assert.equal(createHash('sha256').update(readFileSync(dbPath)).digest('hex'), digest, 'the store file is unchanged');
    assert.deepEqual(readdirSync(storeDir).sort(), listing, 'no -wal or -shm file appeared');
  });
});
