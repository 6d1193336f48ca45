/**
 * No N+1: a query over many nodes makes the same few store calls as one over a few nodes. The store is a real
 * SqliteStore; the wrapper only counts the calls that pass through it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { GraphStore } from '../../schema/store.ts';
import { fanGraph, startHarness, type Harness } from './helpers.ts';

type Counted = 'getNodes' | 'expand' | 'reach' | 'edgeEnds' | 'find' | 'findByProp' | 'stats';

function countingStore(store: GraphStore, counts: Record<Counted, number>): GraphStore {
  return {
    backend: store.backend,
    location: store.location,
    upsert: (b, s) => store.upsert(b, s),
    getNodes: (keys) => (counts.getNodes++, store.getNodes(keys)),
    expand: (req) => (counts.expand++, store.expand(req)),
    reach: (req) => (counts.reach++, store.reach(req)),
    edgeEnds: (kinds, opts) => (counts.edgeEnds++, store.edgeEnds(kinds, opts)),
    find: (q) => (counts.find++, store.find(q)),
    findNodesByProp: (q) => (counts.findByProp++, store.findNodesByProp(q)),
    findEdgesByProp: (q) => (counts.findByProp++, store.findEdgesByProp(q)),
    removeStale: (s) => store.removeStale(s),
    stats: () => (counts.stats++, store.stats()),
    exportAll: () => store.exportAll(),
    writeGeneration: () => store.writeGeneration(),
    getMeta: (n) => store.getMeta(n),
    setMeta: (n, v) => store.setMeta(n, v),
    close: () => store.close(),
  };
}

describe('batched store access', () => {
  const counts: Record<Counted, number> = { getNodes: 0, expand: 0, reach: 0, edgeEnds: 0, find: 0, findByProp: 0, stats: 0 };
  let h: Harness;
  before(async () => {
    // A generous cost limit: this query is deliberately wide, to show that width costs no extra store calls.
    h = await startHarness(fanGraph(300, 300), { wrap: (s) => countingStore(s, counts), limits: { maxCost: 100_000 } });
  });
  after(async () => {
    await h?.close();
  });

  async function callsFor(n: number): Promise<Record<Counted, number>> {
    for (const k of Object.keys(counts) as Counted[]) counts[k] = 0;
    // Each model: its edges both ways, the node at the other end, that node's own edges, and neighbours.
    const r = await h.gql(`query($n: Int) { search(kind: Model, text: "acme/m", first: $n) { edges { node {
      key edges(first: 5) { totalCount edges { node { kind other { key name edges(first: 2) { totalCount } } from { key } } } }
      neighbours(first: 3) { key kind }
    } } } }`, { n });
    assert.equal(r.body.errors, undefined, JSON.stringify(r.body.errors));
    const models = r.body.data.search.edges;
    assert.equal(models.length, n);
    // Every model has its dataset edge and its Space; the data is really there, not an empty walk.
    for (const m of models) {
      assert.ok(m.node.edges.totalCount >= 2);
      assert.ok(m.node.neighbours.some((x: { kind: string }) => x.kind === 'Endpoint'));
    }
    return { ...counts };
  }

  it('makes the same number of store calls for 10 nodes as for 200', async () => {
    const few = await callsFor(10);
    const many = await callsFor(200);
    assert.deepEqual(many, few);
    // One search (which also primes the node loader); edges out and in for the models, then out and in for the nodes
    // at their far ends; one node batch for those far ends (`from` of an OUT edge is the model itself, already known).
    assert.deepEqual(many, { find: 1, expand: 4, reach: 0, edgeEnds: 0, getNodes: 1, findByProp: 0, stats: 0 });
  });

  it('pages a blast radius from one computed traversal (no recomputation per page)', async () => {
    const q = `query($a: String) { blastRadius(from: "hf:dataset/acme/corpus", first: 100, after: $a) { total pageInfo { endCursor hasNextPage } } }`;
    const first = await h.gql(q, { a: null });
    assert.equal(first.body.data.blastRadius.total, 600);
    for (const k of Object.keys(counts) as Counted[]) counts[k] = 0;
    const second = await h.gql(q, { a: first.body.data.blastRadius.pageInfo.endCursor });
    assert.equal(second.body.data.blastRadius.pageInfo.hasNextPage, true);
    assert.equal(counts.reach + counts.expand, 0, 'the traversal was not run again');
    assert.ok(counts.getNodes <= 1, 'only the start node was looked up');
  });
});
