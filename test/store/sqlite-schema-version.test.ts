/** Opening SQLite files that this aispm did not write, or that a newer aispm wrote, fails with a clear reason. */
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SQLITE_SCHEMA_VERSION, SqliteStore } from '../../services/store/sqlite.ts';
import { StoreError } from '../../schema/store.ts';

describe('sqlite store schema versions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aispm-schema-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('stamps a new store with the current schema version and reopens it', async () => {
    const path = join(dir, 'new.db');
    const store = SqliteStore.open(path);
    await store.upsert({ nodes: [{ kind: 'Model', key: 'hf:model/a/b' }], edges: [] });
    await store.close();
    const db = new Database(path, { readonly: true });
    assert.deepEqual(db.prepare(`SELECT value FROM meta WHERE name = 'schema_version'`).get(), { value: String(SQLITE_SCHEMA_VERSION) });
    db.close();
    const again = SqliteStore.open(path);
    assert.equal((await again.stats()).nodes, 1);
    await again.close();
  });

  it('refuses a store written by a newer aispm, saying which versions', () => {
    const path = join(dir, 'newer.db');
    SqliteStore.open(path).close();
    const db = new Database(path);
    db.prepare(`UPDATE meta SET value = ? WHERE name = 'schema_version'`).run(String(SQLITE_SCHEMA_VERSION + 1));
    db.close();
    assert.throws(() => SqliteStore.open(path), (err: unknown) => {
      assert.ok(err instanceof StoreError);
      assert.match((err as Error).message, new RegExp(`newer aispm \\(store schema v${SQLITE_SCHEMA_VERSION + 1}\\); this aispm reads up to v${SQLITE_SCHEMA_VERSION}`));
      return true;
    });
  });

  it('refuses an SQLite database that is not an aispm store, and leaves it untouched', () => {
    const path = join(dir, 'other.db');
    const db = new Database(path);
    db.exec(`CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers (name) VALUES ('x')`);
    db.close();
    assert.throws(() => SqliteStore.open(path), /not an aispm store/);
    const check = new Database(path, { readonly: true });
    assert.deepEqual(check.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all(), [{ name: 'customers' }]);
    check.close();
  });

  it('refuses a store whose version cannot be migrated (no migration step), naming the versions', () => {
    const path = join(dir, 'old.db');
    SqliteStore.open(path).close();
    const db = new Database(path);
    db.prepare(`UPDATE meta SET value = '0' WHERE name = 'schema_version'`).run();
    db.close();
    assert.throws(() => SqliteStore.open(path), new RegExp(`store schema v0, which cannot be migrated to v${SQLITE_SCHEMA_VERSION} in place`));
  });

  it('upgrades a v1 store in place: node props come back in name order, everything else as it was', async () => {
    const path = join(dir, 'v1.db');
    const store = SqliteStore.open(path);
    await store.upsert({
      nodes: [{ kind: 'Model', key: 'hf:model/a/m', props: { name: 'm' } }],
      edges: [{ kind: 'DERIVED_FROM', from: 'hf:model/a/m', to: 'hf:model/a/base', source: 't', props: { relation: 'finetune' } }],
    });
    await store.close();
    // What v1 wrote: props in write order.
    const db = new Database(path);
    db.prepare(`UPDATE nodes SET props = ? WHERE key = 'hf:model/a/m'`).run('{"name":"m","downloads":3,"author":"a"}');
    db.prepare(`UPDATE meta SET value = '1' WHERE name = 'schema_version'`).run();
    db.close();
    const upgraded = SqliteStore.open(path);
    try {
      const [m] = await upgraded.getNodes(['hf:model/a/m']);
      assert.equal(JSON.stringify(m!.props), '{"author":"a","downloads":3,"name":"m"}');
      assert.equal((await upgraded.stats()).edges, 1);
    } finally {
      await upgraded.close();
    }
    const check = new Database(path, { readonly: true });
    assert.deepEqual(check.prepare(`SELECT value FROM meta WHERE name = 'schema_version'`).get(), { value: String(SQLITE_SCHEMA_VERSION) });
    check.close();
  });
});
