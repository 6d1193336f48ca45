/**
 * SQLite answers findNodesByProp / findEdgesByProp through the property indexes, never by reading every node or
 * edge, and a store written before those indexes existed gets them when it is opened.
 */
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { INDEXED_EDGE_PROPS, INDEXED_NODE_PROPS } from '../../schema/model.ts';
import { SqliteStore } from '../../services/store/sqlite.ts';
import { edgesByPropSql, nodesByPropSql } from '../../services/store/sqlite-prop-index.ts';

const indexNames = (db: Database.Database) =>
  (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE '%prop%' ORDER BY name`).pluck().all() as string[]);

const expected = [...INDEXED_EDGE_PROPS.map((p) => `edges_prop_${p}`), ...INDEXED_NODE_PROPS.map((p) => `nodes_prop_${p}`)].sort();

describe('sqlite property indexes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aispm-prop-index-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('every lookup, with or without kinds and values, reads the property index, not the table or the kind index', async () => {
    const path = join(dir, 'plan.db');
    await SqliteStore.open(path).close();
    const db = new Database(path, { readonly: true });
    try {
      for (const [table, props, sql] of [
        ['n', INDEXED_NODE_PROPS, nodesByPropSql],
        ['e', INDEXED_EDGE_PROPS, edgesByPropSql],
      ] as const) {
        for (const prop of props) {
          for (const withEquals of [false, true]) {
            for (const withKinds of [false, true]) {
              const params = [...(withEquals ? ['["x"]'] : []), ...(withKinds ? ['["Model"]'] : [])];
              const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql(prop, withEquals, withKinds)}`).all(...params) as { detail: string }[]).map((r) => r.detail);
              const first = plan.find((d) => new RegExp(`^(SCAN|SEARCH) ${table}\\b`).test(d));
              assert.match(first ?? '', new RegExp(`USING INDEX ${table === 'n' ? 'nodes' : 'edges'}_prop_${prop}\\b`), `${prop} equals=${withEquals} kinds=${withKinds}: ${plan.join(' | ')}`);
            }
          }
        }
      }
    } finally {
      db.close();
    }
  });

  it('a store of schema v2 gets the indexes when opened, over the records it holds', async () => {
    const path = join(dir, 'v2.db');
    const store = SqliteStore.open(path);
    await store.upsert({ nodes: [{ kind: 'Model', key: 'hf:model/a/m', props: { publicWrite: true } }], edges: [] });
    await store.close();
    const db = new Database(path);
    for (const name of indexNames(db)) db.exec(`DROP INDEX ${name}`);
    db.prepare(`UPDATE meta SET value = '2' WHERE name = 'schema_version'`).run();
    assert.deepEqual(indexNames(db), []);
    db.close();
    const upgraded = SqliteStore.open(path);
    try {
      assert.deepEqual((await upgraded.findNodesByProp({ prop: 'publicWrite', equals: [true] })).map((n) => n.key), ['hf:model/a/m']);
    } finally {
      await upgraded.close();
    }
    const check = new Database(path, { readonly: true });
    assert.deepEqual(indexNames(check), expected);
    check.close();
  });
});
