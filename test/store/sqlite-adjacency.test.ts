/**
 * The SQLite store's adjacency cache (services/store/sqlite-adjacency*.ts): props-free expands answered from the
 * in-process copy must equal the SQL answers, and the copy must never outlive a change — this store's writes,
 * removeStale, or another connection's commit to the same file.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EDGE_KINDS, type EdgeKind } from '../../schema/model.ts';
import type { EdgeRecord, GraphEdge, NodeRecord } from '../../schema/records.ts';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../services/store/sqlite.ts';
import { adjacencyCacheEnabledByEnv } from '../../services/store/sqlite-adjacency-cache.ts';

const dir = mkdtempSync(join(tmpdir(), 'aispm-adjacency-'));
let n = 0;
const newPath = () => join(dir, `store-${n++}.db`);
after(() => rmSync(dir, { recursive: true, force: true }));

function edge(kind: EdgeKind, from: string, to: string, extra: Partial<EdgeRecord> = {}): EdgeRecord {
  return { kind, from, to, source: 'test', ...extra };
}

const ends = (es: readonly GraphEdge[]) => es.map((e) => `${e.from} ${e.kind} ${e.to}`).sort();

/** Bare (withProps false) expand; asserts that it was answered from the cache, not the SQL path. */
async function bareFromCache(store: SqliteStore, keys: string[], direction: 'in' | 'out', edgeKinds?: EdgeKind[]): Promise<string[]> {
  const edges = await store.expand({ keys, direction, edgeKinds, withProps: false });
  assert.ok(store.adjacencyStats().held, 'the adjacency copy is held after a props-free expand');
  return ends(edges);
}

/** mulberry32: a seeded PRNG, so a failure reproduces. */
function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('sqlite adjacency cache', () => {
  it('answers like SQL on a random graph of a few thousand edges (seeded), every direction and kind filter', async () => {
    const random = rng(20261122);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
    const models = Array.from({ length: 600 }, (_, i) => `hf:model/o${i % 37}/m${i}`);
    const datasets = Array.from({ length: 120 }, (_, i) => `hf:dataset/o${i % 11}/d${i}`);
    const spaces = Array.from({ length: 80 }, (_, i) => `hf:space/o${i % 7}/s${i}`);
    const people = Array.from({ length: 150 }, (_, i) => `hf:user/u${i}`);
    const orgs = Array.from({ length: 20 }, (_, i) => `hf:org/g${i}`);
    const nodes: NodeRecord[] = [
      ...models.map((key) => ({ kind: 'Model' as const, key })),
      ...datasets.map((key) => ({ kind: 'Dataset' as const, key })),
      ...spaces.map((key) => ({ kind: 'Endpoint' as const, key })),
      ...people.map((key) => ({ kind: 'Identity' as const, key })),
      ...orgs.map((key) => ({ kind: 'Identity' as const, key })),
    ];
    const edges: EdgeRecord[] = [];
    const makers: (() => EdgeRecord)[] = [
      () => edge('DERIVED_FROM', pick(models), pick(models), { props: { relation: 'finetune' } }),
      () => edge('TRAINED_ON', pick(models), pick(datasets)),
      () => edge('EVALUATED_ON', pick(models), pick(datasets)),
      () => edge('SERVES', pick(spaces), pick(models)),
      () => edge('USES', pick(spaces), pick(datasets)),
      () => edge('CAN_WRITE', pick([...people, ...orgs]), pick([...models, ...datasets, ...spaces]), { props: { role: 'write' } }),
      () => edge('MEMBER_OF', pick(people), pick(orgs), { props: { role: pick(['read', 'write', 'admin']) } }),
    ];
    // Some edges repeat with a second source: separate edges with equal ends, which both paths must return.
    for (let i = 0; i < 4000; i++) {
      const e = pick(makers)();
      edges.push(e);
      if (random() < 0.05) edges.push({ ...e, source: 'second' });
    }
    const path = newPath();
    const cached = SqliteStore.open(path, { adjacencyCache: true });
    const sql = SqliteStore.open(path, { adjacencyCache: false });
    try {
      for (let i = 0; i < edges.length; i += 1000) await cached.upsert({ nodes: i === 0 ? nodes : [], edges: edges.slice(i, i + 1000) });
      const everyKey = nodes.map((x) => x.key);
      const filters: (EdgeKind[] | undefined)[] = [undefined, ['DERIVED_FROM'], ['TRAINED_ON', 'SERVES', 'MEMBER_OF'], [...EDGE_KINDS], ['AFFECTS']];
      for (let round = 0; round < 12; round++) {
        // Frontiers of every size, with duplicates and unknown keys mixed in.
        const size = round === 0 ? everyKey.length : Math.floor(random() * 800) + 1;
        const keys = Array.from({ length: size }, (_, i) => (round === 0 ? everyKey[i]! : random() < 0.05 ? `hf:model/none/x${i}` : pick(everyKey)));
        for (const edgeKinds of filters) {
          for (const direction of ['in', 'out'] as const) {
            const viaSql = ends(await sql.expand({ keys, direction, edgeKinds, withProps: false }));
            assert.deepEqual(await bareFromCache(cached, keys, direction, edgeKinds), viaSql, `round ${round}, ${direction}, ${edgeKinds?.join(',') ?? 'all'}`);
            // With props the cache only trims the frontier sent to SQL; the edges must not change either.
            const full = await cached.expand({ keys, direction, edgeKinds });
            assert.deepEqual(ends(full), ends(await sql.expand({ keys, direction, edgeKinds })));
          }
        }
      }
      // Every edge of some kinds, without a frontier: the copy's answer equals the SQL join's, duplicates folded.
      for (const kinds of [['CAN_WRITE'], ['MEMBER_OF', 'CAN_WRITE', 'SERVES'], [...EDGE_KINDS]] as EdgeKind[][]) {
        const viaCopy = await cached.edgeEnds(kinds);
        assert.deepEqual(viaCopy, await sql.edgeEnds(kinds), kinds.join(','));
        const want = new Set(edges.filter((e) => kinds.includes(e.kind)).map((e) => `${e.from} ${e.kind} ${e.to}`));
        assert.equal(viaCopy.from.length, want.size, 'each (from, kind, to) once');
        // The owners the copy keeps are the ones the SQL path parses from the keys.
        assert.deepEqual(await cached.edgeEnds(kinds, { owners: true }), await sql.edgeEnds(kinds, { owners: true }), `${kinds.join(',')} with owners`);
      }
      // Frontiers mostly in ascending key order — unknown keys, repeats and out-of-order pairs among them — each on
      // a freshly loaded copy (no map of every key yet): keys are found by searching on from the previous one.
      const sorted = [...everyKey].sort();
      for (let round = 0; round < 6; round++) {
        const fresh = SqliteStore.open(path, { adjacencyCache: true });
        try {
          const keys = ['hf:a', ...sorted.filter(() => random() < 0.3).flatMap((k) => (random() < 0.1 ? [k, k] : random() < 0.1 ? [`${k}x`, k] : [k])), 'zz'];
          for (const direction of ['in', 'out'] as const) {
            assert.deepEqual(await bareFromCache(fresh, keys, direction), ends(await sql.expand({ keys, direction, withProps: false })), `sorted round ${round}, ${direction}`);
          }
        } finally {
          await fresh.close();
        }
      }
      assert.equal(cached.adjacencyStats().builds, 1, 'built once for a store nobody wrote to');
      assert.equal(sql.adjacencyStats().builds, 0, 'a store opened with the cache off never builds one');
    } finally {
      await cached.close();
      await sql.close();
    }
  });

  it("sees this store's own writes and removeStale", async () => {
    const store = SqliteStore.open(newPath(), { adjacencyCache: true });
    try {
      const scope = { source: 'hf', scope: 'hf:model/o/a' };
      await store.upsert({ nodes: [], edges: [edge('TRAINED_ON', 'hf:model/o/a', 'hf:dataset/o/d')] }, { ...scope, syncId: 's1' });
      assert.deepEqual(await bareFromCache(store, ['hf:dataset/o/d'], 'in'), ['hf:model/o/a TRAINED_ON hf:dataset/o/d']);

      await store.upsert({ nodes: [], edges: [edge('TRAINED_ON', 'hf:model/o/b', 'hf:dataset/o/d')] }, { ...scope, syncId: 's2' });
      assert.equal(store.adjacencyStats().held, undefined, 'a write drops the copy at once');
      assert.deepEqual(await bareFromCache(store, ['hf:dataset/o/d'], 'in'), ['hf:model/o/a TRAINED_ON hf:dataset/o/d', 'hf:model/o/b TRAINED_ON hf:dataset/o/d']);
      assert.equal(store.adjacencyStats().builds, 2);

      await store.removeStale({ ...scope, syncId: 's2' });
      assert.deepEqual(await bareFromCache(store, ['hf:dataset/o/d'], 'in'), ['hf:model/o/b TRAINED_ON hf:dataset/o/d']);
      assert.deepEqual(await bareFromCache(store, ['hf:model/o/a'], 'out'), [], 'the removed stub has no edges left');
      assert.equal(store.adjacencyStats().builds, 3, 'built once per generation, not per call');
    } finally {
      await store.close();
    }
  });

  it("sees another connection's commits to the same file", async () => {
    const path = newPath();
    const reader = SqliteStore.open(path, { adjacencyCache: true });
    const writer = SqliteStore.open(path, { adjacencyCache: true });
    try {
      await writer.upsert({ nodes: [], edges: [edge('SERVES', 'hf:space/o/s', 'hf:model/o/m')] });
      assert.deepEqual(await bareFromCache(reader, ['hf:model/o/m'], 'in'), ['hf:space/o/s SERVES hf:model/o/m']);

      await writer.upsert({ nodes: [], edges: [edge('SERVES', 'hf:space/o/t', 'hf:model/o/m')] });
      assert.deepEqual(await bareFromCache(reader, ['hf:model/o/m'], 'in'), ['hf:space/o/s SERVES hf:model/o/m', 'hf:space/o/t SERVES hf:model/o/m']);
      // The props path trims its frontier with the copy: it must see the commit too.
      assert.equal((await reader.expand({ keys: ['hf:space/o/t'], direction: 'out' })).length, 1);

      await writer.upsert({ nodes: [], edges: [edge('SERVES', 'hf:space/o/u', 'hf:model/o/m')] }, { source: 'x', scope: 'x', syncId: '1' });
      await writer.removeStale({ source: 'x', scope: 'x', syncId: '2' });
      assert.deepEqual(await bareFromCache(reader, ['hf:model/o/m'], 'in'), ['hf:space/o/s SERVES hf:model/o/m', 'hf:space/o/t SERVES hf:model/o/m']);
      assert.deepEqual((await reader.expand({ keys: ['hf:space/o/u'], direction: 'out' })).length, 0);

      // Reads without writes in between reuse the copy.
      const builds = reader.adjacencyStats().builds;
      await bareFromCache(reader, ['hf:model/o/m'], 'in');
      await bareFromCache(reader, ['hf:space/o/s'], 'out');
      assert.equal(reader.adjacencyStats().builds, builds);
    } finally {
      await reader.close();
      await writer.close();
    }
  });

  it('returns props and provenance at the withProps-false defaults, and reports its memory', async () => {
    const store = SqliteStore.open(newPath(), { adjacencyCache: true });
    try {
      await store.upsert({ nodes: [], edges: [edge('DERIVED_FROM', 'hf:model/o/b', 'hf:model/o/a', { props: { relation: 'merge' }, evidence: 'card' })] });
      const [bare] = await store.expand({ keys: ['hf:model/o/a'], direction: 'in', withProps: false });
      assert.deepEqual({ ...bare, props: { ...bare!.props } }, {
        kind: 'DERIVED_FROM', from: 'hf:model/o/b', to: 'hf:model/o/a', props: {}, source: '', evidence: '', confidence: 'declared', observedAt: '',
      });
      const [full] = await store.expand({ keys: ['hf:model/o/a'], direction: 'in' });
      assert.equal(full?.props.relation, 'merge', 'with props the SQL path still answers');
      const held = store.adjacencyStats().held!;
      assert.equal(held.nodes, 2);
      assert.equal(held.edges, 1);
      assert.ok(held.typedArrayBytes > 0 && held.keysBytesEstimate > 0);
    } finally {
      await store.close();
    }
  });

  it("hands over the reached nodes' edge props and provenance, and names an edge whose stored props are damaged", async () => {
    const path = newPath();
    const store = SqliteStore.open(path, { adjacencyCache: true });
    try {
      const hostile = 'say "hi"\n\u0000 \u2028 ${x} \'; DROP TABLE edges; --';
      await store.upsert({
        nodes: [],
        edges: [
          edge('DERIVED_FROM', 'hf:model/o/b', 'hf:model/o/a', { props: { relation: 'merge', note: hostile, nested: JSON.parse('{"__proto__": "own"}') }, evidence: hostile, confidence: 'inferred', observedAt: '2026-12-01T00:00:00.000Z' }),
          edge('DERIVED_FROM', 'hf:model/o/c', 'hf:model/o/b'),
        ],
      });
      const steps = [{ kind: 'DERIVED_FROM' as const, direction: 'in' as const }];
      const r = await store.reach({ from: ['hf:model/o/a'], steps, maxDepth: 5, maxNodes: 10, withEdgeProps: true });
      assert.deepEqual(r.keys, ['hf:model/o/a', 'hf:model/o/b', 'hf:model/o/c']);
      const b = r.via(1)!;
      assert.deepEqual([b.props.relation, b.props.note, b.evidence, b.confidence, b.observedAt], ['merge', hostile, hostile, 'inferred', '2026-12-01T00:00:00.000Z']);
      assert.ok(Object.hasOwn(b.props.nested as object, '__proto__'), 'a nested __proto__ comes back as an own property');
      assert.deepEqual([JSON.stringify(r.via(2)!.props), r.via(2)!.evidence], ['{}', '']);

      const raw = new Database(path);
      // As a sqlite3 session must: the property indexes evaluate json_extract on every write, so SQLite itself refuses
      // a truncated props value while they exist.
      for (const { name } of raw.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'edges' AND name LIKE '%prop%'`).all() as { name: string }[]) {
        raw.exec(`DROP INDEX "${name}"`);
      }
      raw.prepare(`UPDATE edges SET props = '{"relation": ' WHERE props LIKE '%merge%'`).run();
      raw.close();
      await assert.rejects(
        store.reach({ from: ['hf:model/o/a'], steps, maxDepth: 5, maxNodes: 10, withEdgeProps: true }),
        (err: Error) => /^edge \d+: its stored props are not valid JSON .*the store file is damaged$/.test(err.message),
      );
    } finally {
      await store.close();
    }
  });

  it('returns hostile keys verbatim', async () => {
    const store = SqliteStore.open(newPath(), { adjacencyCache: true });
    try {
      const odd = ["x'); DROP TABLE nodes; --", '"quoted" \\ back\\slash', 'ünïcödé 🤖 %_', '[1,2]'].map((h, i) => `hf:model/evil${i}/${h.replace(/\//g, '∕')}`);
      await store.upsert({ nodes: [], edges: odd.slice(1).map((k) => edge('DERIVED_FROM', k, odd[0]!, { props: { relation: 'unknown' } })) });
      assert.deepEqual(await bareFromCache(store, [odd[0]!], 'in'), odd.slice(1).map((k) => `${k} DERIVED_FROM ${odd[0]}`).sort());
      assert.deepEqual(await bareFromCache(store, odd.slice(1), 'out'), odd.slice(1).map((k) => `${k} DERIVED_FROM ${odd[0]}`).sort());
    } finally {
      await store.close();
    }
  });

  it('is on by default and off with AISPM_SQLITE_ADJACENCY=off', () => {
    assert.equal(adjacencyCacheEnabledByEnv({}), true);
    assert.equal(adjacencyCacheEnabledByEnv({ AISPM_SQLITE_ADJACENCY: 'on' }), true);
    for (const off of ['off', 'OFF', '0', 'false', 'no']) assert.equal(adjacencyCacheEnabledByEnv({ AISPM_SQLITE_ADJACENCY: off }), false, off);
  });
});
