/**
 * The adjacency snapshot kept in the SQLite store file (services/store/sqlite-adjacency-snapshot.ts): a store
 * opened after another built its copy loads it instead of building, with the same answers; no write — this
 * store's, another aispm's, or one made outside aispm — leaves a snapshot that describes data no longer there;
 * a damaged or foreign blob is ignored and replaced, never trusted.
 */
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { after, describe, it } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reachSteps } from '../../queries/traversal.ts';
import type { EdgeRecord, NodeRecord } from '../../schema/records.ts';
import type { Reachability } from '../../schema/store.ts';
import { SqliteStore } from '../../services/store/sqlite.ts';
import { decodeAdjacency, encodeAdjacency } from '../../services/store/sqlite-adjacency-snapshot.ts';

const dir = mkdtempSync(join(tmpdir(), 'aispm-adjacency-snapshot-'));
let n = 0;
const newPath = () => join(dir, `store-${n++}.db`);
after(() => rmSync(dir, { recursive: true, force: true }));

const edge = (kind: EdgeRecord['kind'], from: string, to: string, props?: EdgeRecord['props']): EdgeRecord => ({ kind, from, to, source: 'test', ...(props ? { props } : {}) });

/** A small supply chain: a dataset trained into a model, fine-tuned, served; owners and an org membership. */
function graph(): { nodes: NodeRecord[]; edges: EdgeRecord[] } {
  const edges: EdgeRecord[] = [
    edge('TRAINED_ON', 'hf:model/acme/base', 'hf:dataset/acme/web'),
    edge('DERIVED_FROM', 'hf:model/acme/chat', 'hf:model/acme/base', { relation: 'finetune' }),
    edge('DERIVED_FROM', 'hf:model/bob/chat-q4', 'hf:model/acme/chat', { relation: 'quantized' }),
    edge('SERVES', 'hf:space/acme/demo', 'hf:model/acme/chat'),
    edge('CAN_WRITE', 'hf:user/eve', 'hf:dataset/acme/web', { role: 'write' }),
    edge('MEMBER_OF', 'hf:user/mallory', 'hf:org/acme', { role: 'admin' }),
  ];
  // Enough models that the keys section is more than a page.
  for (let i = 0; i < 300; i++) edges.push(edge('DERIVED_FROM', `hf:model/fans/m${i}`, i % 2 ? 'hf:model/acme/chat' : 'hf:model/acme/base', { relation: 'adapter' }));
  return { nodes: [{ kind: 'Identity', key: 'hf:org/acme' }], edges };
}

const STARTS = ['hf:dataset/acme/web', 'hf:user/mallory', 'hf:user/eve', 'hf:model/acme/base'];

/** Every answer as text: keys, depths, parents and tree edges (the whole of what a walk hands back). */
async function answers(store: SqliteStore): Promise<string[]> {
  const out: string[] = [];
  for (const start of STARTS) {
    for (const mode of ['compromise', 'compromise-source', 'any'] as const) {
      const r = await store.reach({ from: [start], steps: reachSteps(mode), maxDepth: 25, maxNodes: 100_000 });
      out.push(`${start} ${mode}: ${describeReach(r)}`);
    }
  }
  return out;
}

function describeReach(r: Reachability): string {
  return r.keys.map((k, i) => `${k}@${r.depths[i]}<${r.parents[i]}:${r.via(i)?.kind ?? '-'}`).join(' ');
}

/** Opens a new connection, answers, and returns its answers with how it got its copy. */
async function freshAnswers(path: string): Promise<{ answers: string[]; builds: number; loads: number; written: number; rejected?: string }> {
  const store = SqliteStore.open(path);
  try {
    const a = await answers(store);
    const s = store.adjacencyStats();
    return { answers: a, builds: s.builds, loads: s.loads, written: s.snapshotsWritten, ...(s.lastRejected ? { rejected: s.lastRejected } : {}) };
  } finally {
    await store.close();
  }
}

/** The SQL path's answers: the reference the copies must match. */
async function sqlAnswers(path: string): Promise<string[]> {
  const store = SqliteStore.open(path, { adjacencyCache: false });
  try {
    return await answers(store);
  } finally {
    await store.close();
  }
}

async function seeded(): Promise<string> {
  const path = newPath();
  const store = SqliteStore.open(path);
  await store.upsert(graph());
  await store.close();
  return path;
}

function raw(path: string, sql: string, ...params: Buffer[]): void {
  const db = new Database(path);
  try {
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}

function storedBlob(path: string): Buffer | undefined {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(`SELECT data FROM adjacency_snapshot`).pluck().get() as Buffer | undefined;
  } finally {
    db.close();
  }
}

describe('sqlite adjacency snapshot', () => {
  it('is written by the first store that builds a copy and loaded by the next, with the same answers as SQL', async () => {
    const path = await seeded();
    const reference = await sqlAnswers(path);
    const first = await freshAnswers(path);
    assert.deepEqual([first.builds, first.loads, first.written], [1, 0, 1]);
    assert.deepEqual(first.answers, reference);
    const second = await freshAnswers(path);
    assert.deepEqual([second.builds, second.loads, second.written], [0, 1, 0], 'loaded, not built');
    assert.deepEqual(second.answers, reference);
  });

  it("is withdrawn by this store's writes and removeStale, and the next store answers from the new data", async () => {
    const path = await seeded();
    await freshAnswers(path);
    const store = SqliteStore.open(path);
    const sync = { source: 'test', scope: 'x', syncId: 's1' };
    await store.upsert({ nodes: [], edges: [edge('SERVES', 'hf:space/eve/leak', 'hf:model/bob/chat-q4')] }, sync);
    assert.equal(storedBlob(path), undefined, 'an upsert deletes the snapshot in its own transaction');
    const afterUpsert = await freshAnswers(path);
    assert.deepEqual([afterUpsert.builds, afterUpsert.loads], [1, 0]);
    assert.deepEqual(afterUpsert.answers, await sqlAnswers(path));
    assert.ok(afterUpsert.answers.some((a) => a.includes('hf:space/eve/leak')));

    await store.removeStale({ ...sync, syncId: 's2' });
    await store.close();
    assert.equal(storedBlob(path), undefined, 'removeStale deletes it too');
    const afterSweep = await freshAnswers(path);
    assert.deepEqual(afterSweep.answers, await sqlAnswers(path));
    assert.ok(!afterSweep.answers.some((a) => a.includes('hf:space/eve/leak')));
  });

  it('is deleted by a write made outside aispm (an sqlite3 session): insert, delete, a changed flow condition', async () => {
    const path = await seeded();
    const changes: [string, string][] = [
      ['insert', `INSERT INTO edges (src, kind, dst, source, observed_at) SELECT s.id, 'SERVES', d.id, 'manual', '' FROM nodes s, nodes d WHERE s.key = 'hf:user/eve' AND d.key = 'hf:model/fans/m7'`],
      ['delete', `DELETE FROM edges WHERE kind = 'SERVES'`],
      // MEMBER_OF carries compromise only for some roles: a role changed by hand changes the answer.
      ['props', `UPDATE edges SET props = '{"role":"read"}' WHERE kind = 'MEMBER_OF'`],
      ['re-key', `UPDATE nodes SET key = 'hf:model/fans/z3' WHERE key = 'hf:model/fans/m3'`],
    ];
    for (const [what, sql] of changes) {
      const before = await freshAnswers(path);
      assert.ok(storedBlob(path), `a snapshot is held before the ${what}`);
      raw(path, sql);
      assert.equal(storedBlob(path), undefined, `the ${what} deleted the snapshot`);
      const after = await freshAnswers(path);
      assert.equal(after.loads, 0, what);
      assert.deepEqual(after.answers, await sqlAnswers(path), what);
      assert.notDeepEqual(after.answers, before.answers, `the ${what} changed some answer`);
    }
  });

  it('costs this store no trigger per row: its own writes run with the guard withdrawn', async () => {
    const path = await seeded();
    await freshAnswers(path);
    const triggers = () => {
      const db = new Database(path, { readonly: true });
      try {
        return (db.prepare(`SELECT count(*) FROM sqlite_master WHERE type = 'trigger'`).pluck().get() as number);
      } finally {
        db.close();
      }
    };
    assert.equal(triggers(), 6, 'guarded while a snapshot is held');
    const store = SqliteStore.open(path);
    await store.upsert({ nodes: [{ kind: 'Model', key: 'hf:model/acme/new' }], edges: [] });
    await store.close();
    assert.equal(triggers(), 0, 'withdrawn with the snapshot by the first write');
  });

  it('ignores and replaces a damaged or foreign blob: flipped byte, truncation, garbage, values out of range', async () => {
    const path = await seeded();
    const reference = await sqlAnswers(path);
    await freshAnswers(path);
    const good = storedBlob(path)!;
    const decoded = decodeAdjacency(Buffer.from(good)); // a copy: the decoded arrays are views on the blob
    assert.ok('adjacency' in decoded, 'the stored blob decodes');
    const outOfRange = decoded.adjacency;
    outOfRange.out.far[0] = outOfRange.keys.length + 7;
    const flipped = Buffer.from(good);
    flipped[Math.floor(flipped.length / 2)]! ^= 0xff;
    const cases: [string, Buffer, RegExp][] = [
      ['flipped byte', flipped, /checksum/],
      ['truncated', good.subarray(0, good.length - 100), /checksum|truncated/],
      ['garbage', Buffer.from('not a snapshot at all, just some bytes'), /not an adjacency snapshot/],
      ['out of range, checksum valid', encodeAdjacency(outOfRange)!, /out of range/],
    ];
    for (const [what, blob, reason] of cases) {
      raw(path, `UPDATE adjacency_snapshot SET data = ?`, blob);
      const got = await freshAnswers(path);
      assert.deepEqual([got.builds, got.loads, got.written], [1, 0, 1], `${what}: rebuilt and replaced`);
      assert.match(got.rejected ?? '', reason, what);
      assert.deepEqual(got.answers, reference, what);
      assert.deepEqual(storedBlob(path), good, `${what}: the replacement is the sound blob`);
    }
  });

  it('upgrades a v3 store: the snapshot table appears, and a snapshot is then written and used', async () => {
    const path = await seeded();
    raw(path, `DROP TABLE adjacency_snapshot`);
    raw(path, `UPDATE meta SET value = '3' WHERE name = 'schema_version'`);
    const first = await freshAnswers(path);
    assert.deepEqual([first.builds, first.written], [1, 1]);
    const second = await freshAnswers(path);
    assert.equal(second.loads, 1);
    assert.deepEqual(second.answers, await sqlAnswers(path));
  });
});
