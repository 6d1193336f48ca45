/**
 * The store contract suite. Every GraphStore implementation runs exactly these tests (SQLite always; Neo4j when
 * NEO4J_URI is set), so analyses written on the interface answer alike on both.
 */
import assert from 'node:assert/strict';
import { describe, it, before, after } from 'node:test';
import type { EdgeRecord, NodeRecord, RecordBatch } from '../../schema/records.ts';
import { ValidationError } from '../../schema/validate.ts';
import type { EdgeEnds, ExportItem, GraphStore, ReachStep, Reachability } from '../../schema/store.ts';
import { reachSteps } from '../../queries/traversal.ts';
import { openStore } from '../../services/store/open.ts';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../helpers/cli.ts';

export interface StoreHarness {
  /** A new, empty store. */
  open(): Promise<GraphStore>;
  /** A `--store` spec for a new, empty store, for tests that run the CLI as a child process. */
  cliSpec(): Promise<string>;
  /**
   * Like cliSpec, but a store that has never been written at all: no schema, constraints or indexes either (for
   * Neo4j: its aispm constraints and indexes dropped too), as a first writer finds it.
   */
  freshSpec(): Promise<string>;
  /** Removes everything the harness created. */
  cleanup?(): Promise<void>;
}

const at = '2026-01-01T00:00:00.000Z';

function edge(kind: EdgeRecord['kind'], from: string, to: string, extra: Partial<EdgeRecord> = {}): EdgeRecord {
  return { kind, from, to, source: 'test', evidence: 'contract', confidence: 'declared', observedAt: at, ...extra };
}

/** A small lineage: dataset D → model A (trained), B finetuned from A, C merged from A and X, space S serves C. */
async function collectExport(store: GraphStore): Promise<ExportItem[]> {
  const items: ExportItem[] = [];
  for await (const item of store.exportAll()) items.push(item);
  return items;
}

function lineage(): RecordBatch {
  const nodes: NodeRecord[] = [
    { kind: 'Dataset', key: 'hf:dataset/org/d', props: { name: 'd', gated: 'manual' } },
    { kind: 'Model', key: 'hf:model/org/a', props: { name: 'a', downloads: 10, private: false } },
    { kind: 'Model', key: 'hf:model/org/b', props: { name: 'b', tags: ['x', 'y'] } },
    { kind: 'Model', key: 'hf:model/org/c', props: { name: 'c', library: 'transformers' } },
    { kind: 'Model', key: 'hf:model/other/x', props: { name: 'x' } },
    { kind: 'Endpoint', key: 'hf:space/org/s', props: { name: 's' } },
  ];
  const edges = [
    edge('TRAINED_ON', 'hf:model/org/a', 'hf:dataset/org/d'),
    edge('DERIVED_FROM', 'hf:model/org/b', 'hf:model/org/a', { props: { relation: 'finetune' } }),
    edge('DERIVED_FROM', 'hf:model/org/c', 'hf:model/org/a', { props: { relation: 'merge' } }),
    edge('DERIVED_FROM', 'hf:model/org/c', 'hf:model/other/x', { props: { relation: 'merge' } }),
    edge('SERVES', 'hf:space/org/s', 'hf:model/org/c'),
    edge('EVALUATED_ON', 'hf:model/org/x'.replace('org/x', 'org/b'), 'hf:dataset/org/d'),
  ];
  return { nodes, edges };
}

const sortStrings = (xs: string[]) => [...xs].sort();

/** A seeded graph of models, datasets, spaces and identities with parallel edges, cycles and mixed-case keys. */
function generatedGraph(seed: number, models: number): RecordBatch {
  let state = seed;
  const rnd = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const name = (i: number) => (i % 3 === 0 ? `M${i}` : `m${i}`);
  const model = Array.from({ length: models }, (_, i) => `hf:model/${pick(['acme', 'Beta', 'zed'])}/${name(i)}`);
  const dataset = Array.from({ length: models / 10 }, (_, i) => `hf:dataset/d/${name(i)}`);
  const space = Array.from({ length: models / 5 }, (_, i) => `hf:space/s/${name(i)}`);
  const ident = Array.from({ length: models / 10 }, (_, i) => (i % 4 === 0 ? `hf:org/o${i}` : `hf:user/u${i}`));
  const edges: EdgeRecord[] = [];
  const source = () => pick(['hf', 'hf', 'import', 'card']);
  for (let i = 1; i < models; i++) {
    for (let j = 0, n = Math.floor(rnd() * 3); j < n; j++) edges.push(edge('DERIVED_FROM', model[i]!, model[Math.floor(rnd() * i)]!, { source: source(), props: { relation: pick(['finetune', 'merge']) } }));
    if (rnd() < 0.5) edges.push(edge('TRAINED_ON', model[i]!, pick(dataset), { source: source() }));
    if (rnd() < 0.1) edges.push(edge('EVALUATED_ON', model[i]!, pick(dataset)));
  }
  for (let i = 0; i < 20; i++) edges.push(edge('DERIVED_FROM', model[Math.floor(rnd() * 20)]!, model[20 + Math.floor(rnd() * 100)]!, { props: { relation: 'merge' } })); // cycles
  for (const s of space) {
    edges.push(edge('SERVES', s, pick(model), { source: source() }));
    if (rnd() < 0.3) edges.push(edge('USES', s, pick(dataset)));
  }
  // Advisories and dependencies: an AFFECTS carries compromise unless its VEX state says the package is not affected.
  const pkg = Array.from({ length: models / 20 }, (_, i) => `pkg:pypi/lib${i % 7}@${i}.0.0`);
  for (let i = 0; i < models / 30; i++) {
    const vex = pick([undefined, 'affected', 'NOT_AFFECTED', 'false_positive', 'under_investigation']);
    edges.push(edge('AFFECTS', `vuln:GHSA-${i}`, pick(pkg), vex ? { props: { vex } } : {}));
  }
  for (const m of model.slice(0, models / 4)) if (rnd() < 0.3) edges.push(edge('DEPENDS_ON', m, pick(pkg), { props: { scope: 'runtime' } }));
  for (const who of ident) {
    for (let j = 0; j < 4; j++) edges.push(edge('CAN_WRITE', who, pick([...model.slice(0, 100), ...dataset, ...space]), { source: source() }));
    if (who.startsWith('hf:user/')) edges.push(edge('MEMBER_OF', who, pick(ident.filter((x) => x.startsWith('hf:org/'))), { props: { role: pick(['write', 'READ', 'Maintain', 'read']) } }));
  }
  const seen = new Set<string>();
  const unique = edges.filter((e) => {
    const id = `${e.from} ${e.kind} ${e.to} ${e.source}`;
    return !seen.has(id) && (seen.add(id), true);
  });
  return { nodes: [], edges: unique };
}

/** The contract's reachability, stated directly over records: what every store's answer must equal. */
function referenceReach(graph: RecordBatch, from: string[], steps: readonly ReachStep[], maxDepth: number, maxNodes: number) {
  const lines: string[] = [];
  const index = new Map<string, { depth: number; parent: string }>();
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const finish = (truncated: boolean, reason?: string) => ({ lines, truncated, reason });
  for (const key of new Set(from)) {
    if (lines.length >= maxNodes) return finish(true, 'budget');
    index.set(key, { depth: 0, parent: '-' });
    lines.push(`${key} 0 - `);
  }
  let frontier = new Set(lines.map((l) => l.split(' ')[0]!));
  for (let depth = 0; frontier.size; depth++) {
    const followed: { t: string[]; e: EdgeRecord }[] = [];
    for (const e of graph.edges) {
      for (const s of steps) {
        if (s.kind !== e.kind) continue;
        const near = s.direction === 'out' ? e.from : e.to;
        if (!frontier.has(near)) continue;
        if (s.when) {
          const v = e.props?.[s.when.prop];
          const text = typeof v === 'string' ? v.toLowerCase() : undefined;
          if ('in' in s.when ? text === undefined || !s.when.in.includes(text) : text !== undefined && s.when.notIn.includes(text)) continue;
        }
        followed.push({ t: [near, e.kind, s.direction === 'out' ? e.to : e.from, s.direction, e.source], e });
      }
    }
    followed.sort((a, b) => a.t.reduce((acc, x, i) => acc || cmp(x, b.t[i]!), 0));
    if (depth === maxDepth) return followed.some((f) => !index.has(f.t[2]!)) ? finish(true, 'depth') : finish(false);
    const next = new Set<string>();
    for (const { t, e } of followed) {
      if (index.has(t[2]!)) continue;
      if (lines.length >= maxNodes) return finish(true, 'budget');
      index.set(t[2]!, { depth: depth + 1, parent: t[0]! });
      lines.push(`${t[2]} ${depth + 1} ${t[0]} ${e.kind}:${e.from}>${e.to}:${e.source}`);
      next.add(t[2]!);
    }
    frontier = next;
  }
  return finish(false);
}

export function runStoreContract(name: string, harness: StoreHarness): void {
  describe(`store contract: ${name}`, () => {
    after(async () => {
      await harness.cleanup?.();
    });

    it('upsert is idempotent: the same batch twice gives the same graph', async () => {
      const store = await harness.open();
      try {
        await store.upsert(lineage());
        const first = await store.stats();
        await store.upsert(lineage());
        const second = await store.stats();
        assert.deepEqual(second, first);
        assert.equal(first.nodes, 6);
        assert.equal(first.edges, 6);
        assert.equal(first.nodesByKind.Model, 4);
        assert.equal(first.edgesByKind.DERIVED_FROM, 3);
        const [a] = await store.getNodes(['hf:model/org/a']);
        assert.deepEqual(a, { kind: 'Model', key: 'hf:model/org/a', props: { name: 'a', downloads: 10, private: false } });
      } finally {
        await store.close();
      }
    });

    it('an edge listed twice in one batch is one edge: the last record wins, observedAt the last one given', async () => {
      const store = await harness.open();
      try {
        const later = '2026-02-01T00:00:00.000Z';
        await store.upsert({
          nodes: [],
          edges: [
            edge('DERIVED_FROM', 'hf:model/o/a', 'hf:model/o/b', { evidence: 'first', props: { relation: 'finetune' }, observedAt: later }),
            { kind: 'DERIVED_FROM', from: 'hf:model/o/a', to: 'hf:model/o/b', source: 'test', evidence: 'second', props: { relation: 'merge' } },
          ],
        });
        const edges = await store.expand({ keys: ['hf:model/o/a'], direction: 'out' });
        assert.deepEqual(edges.map((e) => [e.evidence, e.props.relation, e.observedAt]), [['second', 'merge', later]]);
      } finally {
        await store.close();
      }
    });

    it('merges properties on re-upsert; null removes one', async () => {
      const store = await harness.open();
      try {
        await store.upsert({ nodes: [{ kind: 'Model', key: 'hf:model/o/m', props: { name: 'm', likes: 1, license: 'mit' } }], edges: [] });
        await store.upsert({ nodes: [{ kind: 'Model', key: 'hf:model/o/m', props: { likes: 2, license: null } }], edges: [] });
        const [m] = await store.getNodes(['hf:model/o/m']);
        assert.deepEqual(m?.props, { name: 'm', likes: 2 });
      } finally {
        await store.close();
      }
    });

    it('creates stub nodes for edge ends it has not seen, and a later full record clears the stub mark', async () => {
      const store = await harness.open();
      try {
        await store.upsert({ nodes: [], edges: [edge('SERVES', 'hf:space/o/s', 'hf:model/o/m')] });
        const stubs = await store.getNodes(['hf:space/o/s', 'hf:model/o/m']);
        assert.deepEqual(sortStrings(stubs.map((n) => `${n.kind}:${n.props.stub}`)), ['Endpoint:true', 'Model:true']);
        await store.upsert({ nodes: [{ kind: 'Model', key: 'hf:model/o/m', props: { name: 'm' } }], edges: [] });
        const [m] = await store.getNodes(['hf:model/o/m']);
        assert.deepEqual(m?.props, { name: 'm' });
      } finally {
        await store.close();
      }
    });

    it('expands a frontier in both directions, filtered by edge kind, in one call', async () => {
      const store = await harness.open();
      try {
        await store.upsert(lineage());
        const into = await store.expand({ keys: ['hf:model/org/a'], direction: 'in', edgeKinds: ['DERIVED_FROM'] });
        assert.deepEqual(sortStrings(into.map((e) => e.from)), ['hf:model/org/b', 'hf:model/org/c']);
        const rel = into.find((e) => e.from === 'hf:model/org/b');
        assert.equal(rel?.props.relation, 'finetune');
        assert.equal(rel?.source, 'test');
        assert.equal(rel?.evidence, 'contract');
        assert.equal(rel?.confidence, 'declared');
        assert.equal(rel?.observedAt, at);

        const out = await store.expand({ keys: ['hf:model/org/c', 'hf:model/org/b'], direction: 'out' });
        assert.deepEqual(
          sortStrings(out.map((e) => `${e.from} ${e.kind} ${e.to}`)),
          sortStrings([
            'hf:model/org/b DERIVED_FROM hf:model/org/a',
            'hf:model/org/b EVALUATED_ON hf:dataset/org/d',
            'hf:model/org/c DERIVED_FROM hf:model/org/a',
            'hf:model/org/c DERIVED_FROM hf:model/other/x',
          ]),
        );
        const many = await store.expand({ keys: ['hf:dataset/org/d'], direction: 'in', edgeKinds: ['TRAINED_ON', 'EVALUATED_ON'] });
        assert.deepEqual(sortStrings(many.map((e) => e.kind)), ['EVALUATED_ON', 'TRAINED_ON']);
        assert.deepEqual(await store.expand({ keys: ['hf:model/nope/nope'], direction: 'out' }), []);
        assert.deepEqual(await store.expand({ keys: [], direction: 'in' }), []);
      } finally {
        await store.close();
      }
    });

    it('expands a frontier larger than one query chunk', async () => {
      const store = await harness.open();
      try {
        const n = 5000;
        const nodes: NodeRecord[] = [{ kind: 'Dataset', key: 'hf:dataset/big/root' }];
        const edges: EdgeRecord[] = [];
        for (let i = 0; i < n; i++) {
          nodes.push({ kind: 'Model', key: `hf:model/big/m${i}` });
          edges.push(edge('TRAINED_ON', `hf:model/big/m${i}`, 'hf:dataset/big/root'));
        }
        await store.upsert({ nodes, edges });
        const out = await store.expand({ keys: nodes.slice(1).map((x) => x.key), direction: 'out', edgeKinds: ['TRAINED_ON'] });
        assert.equal(out.length, n);
        const back = await store.expand({ keys: ['hf:dataset/big/root'], direction: 'in' });
        assert.equal(back.length, n);
      } finally {
        await store.close();
      }
    });

    it('withProps false returns the same (kind, from, to) edges as withProps true, both directions, any kind filter', async () => {
      const store = await harness.open();
      try {
        await store.upsert(lineage());
        await store.upsert({
          nodes: [{ kind: 'Identity', key: 'hf:user/u' }, { kind: 'Identity', key: 'hf:org/org' }],
          edges: [
            edge('CAN_WRITE', 'hf:user/u', 'hf:model/org/a', { props: { role: 'write' } }),
            edge('CAN_WRITE', 'hf:org/org', 'hf:model/org/a', { props: { role: 'admin' } }),
            edge('MEMBER_OF', 'hf:user/u', 'hf:org/org', { props: { role: 'read' } }),
            // The same (from, kind, to) seen by a second source is a second edge; both must come back.
            edge('TRAINED_ON', 'hf:model/org/a', 'hf:dataset/org/d', { source: 'other' }),
            // A self-loop is an edge out of and into the same node.
            edge('DERIVED_FROM', 'hf:model/other/x', 'hf:model/other/x', { props: { relation: 'unknown' } }),
          ],
        });
        const all = ['hf:model/org/a', 'hf:model/org/b', 'hf:model/org/c', 'hf:model/other/x', 'hf:dataset/org/d', 'hf:space/org/s', 'hf:user/u', 'hf:org/org'];
        // Duplicate and unknown keys are part of the frontier on purpose.
        const frontiers = [all, ['hf:model/org/a', 'hf:model/org/a', 'hf:model/nope/nope'], ['hf:dataset/org/d'], ['hf:model/nope/nope'], []];
        const filters: (EdgeRecord['kind'][] | undefined)[] = [undefined, ['DERIVED_FROM'], ['TRAINED_ON', 'CAN_WRITE', 'MEMBER_OF'], ['DEPLOYS'], []];
        const ends = (es: { kind: string; from: string; to: string }[]) => sortStrings(es.map((e) => `${e.from} ${e.kind} ${e.to}`));
        let compared = 0;
        for (const keys of frontiers) {
          for (const edgeKinds of filters) {
            for (const direction of ['out', 'in'] as const) {
              const full = await store.expand({ keys, direction, edgeKinds, withProps: true });
              const bare = await store.expand({ keys, direction, edgeKinds, withProps: false });
              assert.deepEqual(ends(bare), ends(full), `${direction} ${edgeKinds?.join(',') ?? 'all kinds'} from ${keys.length} keys`);
              compared += full.length;
            }
          }
        }
        assert.ok(compared > 30, 'the comparison covered real edges');
        const twice = await store.expand({ keys: ['hf:dataset/org/d'], direction: 'in', edgeKinds: ['TRAINED_ON'], withProps: false });
        assert.equal(twice.length, 2, 'an edge seen by two sources comes back twice');
      } finally {
        await store.close();
      }
    });

    it('finds by kind, property and text, paging with cursors without gaps or repeats', async () => {
      const store = await harness.open();
      try {
        const nodes: NodeRecord[] = [];
        for (let i = 0; i < 25; i++) nodes.push({ kind: 'Model', key: `hf:model/page/m${String(i).padStart(2, '0')}`, props: { name: `Model ${i}`, library: i % 2 ? 'diffusers' : 'transformers', private: i % 5 === 0 } });
        nodes.push({ kind: 'Dataset', key: 'hf:dataset/page/d', props: { name: 'Data' } });
        await store.upsert({ nodes, edges: [] });
        const seen: string[] = [];
        let after: string | undefined;
        let pages = 0;
        for (;;) {
          const page = await store.find({ kind: 'Model', first: 10, after });
          seen.push(...page.items.map((n) => n.key));
          pages++;
          if (!page.hasNextPage) break;
          after = page.endCursor!;
        }
        assert.equal(pages, 3);
        assert.deepEqual(seen, nodes.filter((n) => n.kind === 'Model').map((n) => n.key));
        const diff = await store.find({ kind: 'Model', where: { library: 'diffusers' }, first: 100 });
        assert.equal(diff.items.length, 12);
        const priv = await store.find({ where: { private: true }, first: 100 });
        assert.deepEqual(priv.items.map((n) => n.key), ['hf:model/page/m00', 'hf:model/page/m05', 'hf:model/page/m10', 'hf:model/page/m15', 'hf:model/page/m20']);
        const text = await store.find({ text: 'model 1', first: 100 });
        assert.equal(text.items.length, 11); // Model 1, Model 10..19
        const byKey = await store.find({ text: 'DATASET/PAGE' });
        assert.deepEqual(byKey.items.map((n) => n.key), ['hf:dataset/page/d']);
        const none = await store.find({ text: '%' });
        assert.equal(none.items.length, 0, 'LIKE wildcards in text are literal');
      } finally {
        await store.close();
      }
    });

    it('finds nodes and edges by an indexed property: kinds, equals, booleans, lists, key order, after updates', async () => {
      const store = await harness.open();
      try {
        await store.upsert({
          nodes: [
            { kind: 'Model', key: 'hf:model/ix/m2', props: { publicWrite: true, analystTags: ['compromised'] } },
            { kind: 'Model', key: 'hf:model/ix/m1', props: { publicWrite: false, analystTags: [] } },
            { kind: 'Dataset', key: 'hf:dataset/ix/d', props: { publicWrite: true, blob: { publicWrite: true } } },
            { kind: 'Endpoint', key: 'hf:space/ix/s', props: { publicWrite: true } },
            { kind: 'Model', key: 'hf:model/ix/none', props: { name: 'publicWrite', note: '"publicWrite": true' } },
            { kind: 'File', key: 'hf:file/ix/m1/a.bin@cccccccccccccccccccccccccccccccccccccccc', props: { scanStatus: 'dangerous' } },
            { kind: 'File', key: 'hf:file/ix/m1/b.bin@cccccccccccccccccccccccccccccccccccccccc', props: { scanStatus: 'safe', workflow: true } },
            { kind: 'Vulnerability', key: 'vuln:GHSA-ix-0001', props: { severity: 'HIGH' } },
            { kind: 'Vulnerability', key: 'vuln:GHSA-ix-0002', props: { severity: 'low' } },
          ],
          edges: [
            edge('SERVES', 'hf:space/ix/s', 'hf:model/ix/m1', { props: { revision: 'main' } }),
            edge('SERVES', 'hf:space/ix/s', 'hf:model/ix/m2', { props: { revision: 'a'.repeat(40) } }),
            edge('SERVES', 'hf:space/ix/s', 'hf:model/ix/none', { props: { note: '"revision": "main"', nested: { revision: 'main' } } }),
            edge('USES', 'hf:space/ix/s', 'hf:dataset/ix/d', { props: { revision: 'v1' } }),
            edge('DERIVED_FROM', 'hf:model/ix/m2', 'hf:model/ix/m1', { props: { relation: 'finetune' } }),
          ],
        });
        const keys = async (q: Parameters<GraphStore['findNodesByProp']>[0]) => (await store.findNodesByProp(q)).map((n) => n.key);
        assert.deepEqual(await keys({ prop: 'publicWrite', equals: [true] }), ['hf:dataset/ix/d', 'hf:model/ix/m2', 'hf:space/ix/s']);
        assert.deepEqual(await keys({ prop: 'publicWrite', kinds: ['Model', 'Dataset'], equals: [true] }), ['hf:dataset/ix/d', 'hf:model/ix/m2']);
        assert.deepEqual(await keys({ prop: 'publicWrite', kinds: ['Model'] }), ['hf:model/ix/m1', 'hf:model/ix/m2'], 'any value, false included');
        assert.deepEqual(await keys({ prop: 'publicWrite', kinds: ['Model'], equals: [1] }), ['hf:model/ix/m2'], 'a boolean matches 1, as find does');
        assert.deepEqual(await keys({ prop: 'publicWrite', kinds: [] }), []);
        assert.deepEqual(await keys({ prop: 'publicWrite', equals: [] }), []);
        assert.deepEqual(await keys({ prop: 'scanStatus', kinds: ['File'], equals: ['dangerous', 'suspicious'] }), ['hf:file/ix/m1/a.bin@cccccccccccccccccccccccccccccccccccccccc']);
        assert.deepEqual(await keys({ prop: 'workflow', equals: [true] }), ['hf:file/ix/m1/b.bin@cccccccccccccccccccccccccccccccccccccccc']);
        assert.deepEqual(await keys({ prop: 'analystTags' }), ['hf:model/ix/m1', 'hf:model/ix/m2'], 'a list, empty or not, is a value');
        assert.deepEqual(await keys({ prop: 'analystTags', equals: ['compromised'] }), [], 'a list never equals');
        assert.deepEqual(await keys({ prop: 'severity', equals: ['HIGH'] }), ['vuln:GHSA-ix-0001'], 'values are compared exactly');
        const [vuln] = await store.findNodesByProp({ prop: 'severity', kinds: ['Vulnerability'], equals: ['low'] });
        assert.deepEqual(vuln, { kind: 'Vulnerability', key: 'vuln:GHSA-ix-0002', props: { severity: 'low' } });

        const edges = await store.findEdgesByProp({ prop: 'revision', kinds: ['SERVES', 'USES'] });
        assert.deepEqual(edges.map((e) => `${e.kind} ${e.to} ${e.props.revision}`), [
          `SERVES hf:model/ix/m1 main`,
          `SERVES hf:model/ix/m2 ${'a'.repeat(40)}`,
          `USES hf:dataset/ix/d v1`,
        ]);
        assert.deepEqual(edges[0], { ...edge('SERVES', 'hf:space/ix/s', 'hf:model/ix/m1', { props: { revision: 'main' } }) });
        assert.deepEqual((await store.findEdgesByProp({ prop: 'revision', equals: ['v1', 'main'] })).map((e) => e.to), ['hf:model/ix/m1', 'hf:dataset/ix/d']);
        assert.deepEqual(await store.findEdgesByProp({ prop: 'revision', kinds: ['DERIVED_FROM'] }), []);

        // The indexes follow every write: a changed value, a removed property, a removed node.
        await store.upsert({
          nodes: [
            { kind: 'File', key: 'hf:file/ix/m1/a.bin@cccccccccccccccccccccccccccccccccccccccc', props: { scanStatus: 'safe' } },
            { kind: 'File', key: 'hf:file/ix/m1/b.bin@cccccccccccccccccccccccccccccccccccccccc', props: { scanStatus: 'dangerous', workflow: null } },
            { kind: 'Dataset', key: 'hf:dataset/ix/d', props: { publicWrite: null } },
          ],
          edges: [edge('USES', 'hf:space/ix/s', 'hf:dataset/ix/d', { props: { revision: 'v2' } })],
        });
        assert.deepEqual(await keys({ prop: 'scanStatus', equals: ['dangerous'] }), ['hf:file/ix/m1/b.bin@cccccccccccccccccccccccccccccccccccccccc']);
        assert.deepEqual(await keys({ prop: 'workflow' }), []);
        assert.deepEqual(await keys({ prop: 'publicWrite', equals: [true] }), ['hf:model/ix/m2', 'hf:space/ix/s']);
        assert.deepEqual((await store.findEdgesByProp({ prop: 'revision', equals: ['v1'] })).length, 0);
        assert.deepEqual((await store.findEdgesByProp({ prop: 'revision', equals: ['v2'] })).map((e) => e.to), ['hf:dataset/ix/d']);

        await assert.rejects(store.findNodesByProp({ prop: 'name' as never }), /"name" is not an indexed node property/);
        await assert.rejects(store.findNodesByProp({ prop: 'scanStatus', kinds: ['Nope' as never] }), /unknown node kind "Nope"/);
        await assert.rejects(store.findNodesByProp({ prop: 'scanStatus', equals: [{} as never] }), /takes strings, numbers or booleans/);
        await assert.rejects(store.findEdgesByProp({ prop: 'relation' as never }), /"relation" is not an indexed edge property/);
        await assert.rejects(store.findEdgesByProp({ prop: 'revision', kinds: ['NOPE' as never] }), /unknown edge kind "NOPE"/);
      } finally {
        await store.close();
      }
    });

    it('removes stale records of one (source, scope) only after a complete sync, and nothing else', async () => {
      const store = await harness.open();
      try {
        const scopeA = { source: 'hf', scope: 'hf:model/o/a' };
        const scopeB = { source: 'hf', scope: 'hf:model/o/b' };
        await store.upsert(
          {
            nodes: [{ kind: 'Model', key: 'hf:model/o/a' }, { kind: 'File', key: 'hf:file/o/a/old.bin@1111111' }],
            edges: [edge('CONTAINS', 'hf:model/o/a', 'hf:file/o/a/old.bin@1111111'), edge('DERIVED_FROM', 'hf:model/o/a', 'hf:model/o/base')],
          },
          { ...scopeA, syncId: 'sync-1' },
        );
        await store.upsert({ nodes: [{ kind: 'Model', key: 'hf:model/o/b' }], edges: [edge('DERIVED_FROM', 'hf:model/o/b', 'hf:model/o/base')] }, { ...scopeB, syncId: 'sync-1' });
        // Second sync of A sees a new file and the same base, not the old file.
        await store.upsert(
          {
            nodes: [{ kind: 'Model', key: 'hf:model/o/a' }, { kind: 'File', key: 'hf:file/o/a/new.bin@2222222' }],
            edges: [edge('CONTAINS', 'hf:model/o/a', 'hf:file/o/a/new.bin@2222222'), edge('DERIVED_FROM', 'hf:model/o/a', 'hf:model/o/base')],
          },
          { ...scopeA, syncId: 'sync-2' },
        );
        // Before removeStale (a partial sync) nothing is gone.
        assert.equal((await store.getNodes(['hf:file/o/a/old.bin@1111111'])).length, 1);
        const removed = await store.removeStale({ ...scopeA, syncId: 'sync-2' });
        assert.deepEqual(removed, { edgesRemoved: 1, nodesRemoved: 1 });
        assert.equal((await store.getNodes(['hf:file/o/a/old.bin@1111111'])).length, 0);
        assert.equal((await store.getNodes(['hf:file/o/a/new.bin@2222222'])).length, 1);
        const bases = await store.expand({ keys: ['hf:model/o/base'], direction: 'in' });
        assert.deepEqual(sortStrings(bases.map((e) => e.from)), ['hf:model/o/a', 'hf:model/o/b'], "scope B's edge untouched");
        // A sweep of another source with the same scope name removes nothing.
        assert.deepEqual(await store.removeStale({ source: 'github', scope: 'hf:model/o/a', syncId: 'x' }), { edgesRemoved: 0, nodesRemoved: 0 });
      } finally {
        await store.close();
      }
    });

    it('exports who owns each record, and an import of that export keeps sweeping as the original would', async () => {
      const original = await harness.open();
      const items: ExportItem[] = [];
      const sync1 = { source: 'hf', scope: 'hf:model/o/a', syncId: 'sync-1' };
      try {
        await original.upsert(
          {
            nodes: [{ kind: 'Model', key: 'hf:model/o/a' }, { kind: 'File', key: 'hf:file/o/a/old.bin@1111111' }],
            edges: [edge('CONTAINS', 'hf:model/o/a', 'hf:file/o/a/old.bin@1111111')],
          },
          sync1,
        );
        await original.upsert({ nodes: [{ kind: 'Dataset', key: 'hf:dataset/o/manual', props: { name: 'manual' } }], edges: [] });
        items.push(...(await collectExport(original)));
      } finally {
        await original.close();
      }
      const ownerOf = (key: string) => items.find((i) => i.type === 'node' && i.node.key === key)?.owner;
      assert.deepEqual(ownerOf('hf:model/o/a'), sync1);
      assert.deepEqual(ownerOf('hf:file/o/a/old.bin@1111111'), sync1);
      assert.equal(ownerOf('hf:dataset/o/manual'), undefined, 'what no sync wrote has no owner');
      assert.deepEqual(items.find((i) => i.type === 'edge')?.owner, sync1);

      // The restore: the export's records with their owners, written without a sync (as `aispm import` does).
      const restored = await harness.open();
      try {
        await restored.upsert({
          nodes: items.flatMap((i) => (i.type === 'node' ? [{ kind: i.node.kind, key: i.node.key, props: i.node.props, ...(i.owner && { owner: i.owner }) }] : [])),
          edges: items.flatMap((i) => (i.type === 'edge' ? [{ ...i.edge, ...(i.owner && { owner: i.owner }) }] : [])),
        });
        assert.deepEqual(await collectExport(restored), items, 'the import of an export exports the same, owners included');
        // The next sync of scope A no longer has the old file, and a record's own owner never beats the sync's.
        await restored.upsert(
          { nodes: [{ kind: 'Model', key: 'hf:model/o/a', owner: { source: 'other', scope: 'elsewhere', syncId: 'x' } }], edges: [] },
          { ...sync1, syncId: 'sync-2' },
        );
        assert.deepEqual(await restored.removeStale({ ...sync1, syncId: 'sync-2' }), { edgesRemoved: 1, nodesRemoved: 1 });
        assert.deepEqual((await restored.getNodes(['hf:model/o/a', 'hf:file/o/a/old.bin@1111111', 'hf:dataset/o/manual'])).map((n) => n.key), [
          'hf:dataset/o/manual',
          'hf:model/o/a',
        ]);
        assert.deepEqual((await collectExport(restored)).find((i) => i.type === 'node' && i.node.key === 'hf:model/o/a')?.owner, { ...sync1, syncId: 'sync-2' });
        // A write without a sync and without owners leaves ownership as it was.
        await restored.upsert({ nodes: [{ kind: 'Model', key: 'hf:model/o/a', props: { note: 'x' } }], edges: [] });
        assert.deepEqual((await collectExport(restored)).find((i) => i.type === 'node' && i.node.key === 'hf:model/o/a')?.owner, { ...sync1, syncId: 'sync-2' });
      } finally {
        await restored.close();
      }
    });

    it('refuses an owner that is not a source, a scope and a sync id', async () => {
      const store = await harness.open();
      try {
        await assert.rejects(
          store.upsert({ nodes: [{ kind: 'Model', key: 'hf:model/o/a', owner: { source: 'hf', scope: '' } as never }], edges: [] }),
          (err: Error) => err instanceof ValidationError && /owner\.scope must be a non-empty string/.test(err.message) && /owner\.syncId/.test(err.message),
        );
        assert.equal((await store.stats()).nodes, 0);
      } finally {
        await store.close();
      }
    });

    it('rejects an invalid batch whole, naming the bad record, and leaves the store unchanged', async () => {
      const store = await harness.open();
      try {
        await store.upsert(lineage());
        const before = await store.stats();
        const bad: unknown[] = [
          { nodes: [{ kind: 'Model', key: 'hf:model/ok/one' }, { kind: 'Spaceship', key: 'x' }], edges: [] },
          { nodes: [{ kind: 'Model', key: 'not-a-model-key' }], edges: [] },
          { nodes: [{ kind: 'Model', key: 'hf:model/ok/two', props: { downloads: 'many' } }], edges: [] },
          { nodes: [{ kind: 'Model', key: 'hf:model/ok/three' }], edges: [edge('SERVES', 'hf:model/org/a', 'hf:dataset/org/d')] },
          { nodes: [], edges: [{ kind: 'TRAINED_ON', from: 'hf:model/org/a', to: 'hf:dataset/org/d' }] },
          { nodes: [{ kind: 'Model', key: 'hf:model/ok/four', props: { blob: 'x'.repeat(2 * 1024 * 1024) } }], edges: [] },
        ];
        const expected = [/nodes\[1\] \(x\): unknown node kind "Spaceship"/, /not-a-model-key.*formats/, /"downloads" must be a finite number/, /SERVES may not join Model→Dataset/, /"source" is required/, /over the limit/];
        for (const [i, b] of bad.entries()) {
          await assert.rejects(store.upsert(b as RecordBatch), (err: unknown) => {
            assert.ok(err instanceof ValidationError, `batch ${i} rejected with ValidationError`);
            assert.match((err as Error).message, expected[i]!);
            return true;
          });
        }
        assert.deepEqual(await store.stats(), before);
        assert.equal((await store.getNodes(['hf:model/ok/one', 'hf:model/ok/three'])).length, 0);
      } finally {
        await store.close();
      }
    });

    it('stores hostile strings in keys and properties verbatim', async () => {
      const store = await harness.open();
      try {
        const hostile = [
          "x'); DROP TABLE nodes; --",
          'n) DETACH DELETE n //',
          '"}]) MATCH (m) SET m.pwned = true //',
          '../../../etc/passwd',
          'ünïcödé 🤖 \\ backslash % _ wildcard',
          '$rows {props} `backtick`',
        ];
        const nodes: NodeRecord[] = hostile.map((h, i) => ({ kind: 'Model', key: `hf:model/evil${i}/${h.replace(/\//g, '∕')}`, props: { name: h, description: h, [`k${i}`]: h } }));
        const edges = nodes.slice(1).map((n) => edge('DERIVED_FROM', n.key, nodes[0]!.key, { evidence: hostile[1], props: { relation: 'unknown' } }));
        await store.upsert({ nodes, edges });
        const got = await store.getNodes(nodes.map((n) => n.key));
        assert.equal(got.length, nodes.length);
        for (const n of nodes) {
          const g = got.find((x) => x.key === n.key);
          assert.deepEqual(g?.props, n.props);
        }
        const into = await store.expand({ keys: [nodes[0]!.key], direction: 'in' });
        assert.equal(into.length, hostile.length - 1);
        assert.ok(into.every((e) => e.evidence === hostile[1]));
        const found = await store.find({ text: "DROP TABLE" });
        assert.deepEqual(found.items.map((n) => n.key), [nodes[0]!.key]);
        const stats = await store.stats();
        assert.equal(stats.nodes, hostile.length, 'nothing dropped or added');
      } finally {
        await store.close();
      }
    });

    it('the write generation moves with every committed write: its own, another connection\'s, another process\'s; not with reads', { timeout: 120_000 }, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'aispm-generation-'));
      const spec = await harness.cliSpec();
      const reader = await openStore(spec);
      const other = await openStore(spec);
      try {
        const seen = [await reader.writeGeneration()];
        const moved = async (what: string) => {
          const g = await reader.writeGeneration();
          assert.ok(!seen.includes(g), `${what}: generation ${g} was seen before (${seen.join(', ')})`);
          seen.push(g);
        };
        await reader.upsert(lineage());
        await moved('an upsert through this connection');
        await reader.getNodes(['hf:model/org/a']);
        await reader.reach({ from: ['hf:dataset/org/d'], steps: reachSteps('compromise'), maxDepth: 5, maxNodes: 100 });
        await reader.stats();
        assert.equal(await reader.writeGeneration(), seen.at(-1), 'reads leave the generation alone');
        await other.upsert({ nodes: [{ kind: 'Model', key: 'hf:model/org/other', props: { name: 'other' } }], edges: [] });
        await moved('an upsert through another connection');
        await other.setMeta('checkpoint', { at: 1 });
        await moved('a meta write through another connection');
        const path = join(dir, 'one.ndjson');
        writeFileSync(path, JSON.stringify({ type: 'node', kind: 'Model', key: 'hf:model/org/imported', props: { name: 'imported' } }) + '\n');
        const code = await new Promise<number | null>((res) => spawn(process.execPath, [CLI, 'import', path, '--store', spec], { stdio: 'ignore' }).on('exit', res));
        assert.equal(code, 0);
        await moved('an import by another process');
        await reader.removeStale({ source: 'test', scope: 'nothing', syncId: 'x' });
        await moved('a stale sweep through this connection');
      } finally {
        await reader.close();
        await other.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('a child killed with SIGKILL in the middle of a large batch leaves all of it or none of it', { timeout: 600_000 }, async (t) => {
      const dir = mkdtempSync(join(tmpdir(), 'aispm-kill-'));
      try {
        const spec = await harness.cliSpec();
        // One committed batch first: it must survive every kill.
        const base = await openStore(spec);
        await base.upsert(lineage());
        const baseBefore = await base.stats();
        await base.close();

        // Over the Neo4j store's 20,000 rows per transaction, so there it is a journaled write of several.
        const n = 30_000;
        /** Two files of the same size with disjoint keys: one to time the write, one to kill mid-write. */
        const bulkFile = (name: string) => {
          const lines: string[] = [];
          for (let i = 0; i < n; i++) {
            lines.push(JSON.stringify({ type: 'node', kind: 'Model', key: `hf:model/${name}/m${i}`, props: { name: `m${i}`, downloads: i } }));
            lines.push(JSON.stringify({ type: 'edge', kind: 'DERIVED_FROM', from: `hf:model/${name}/m${i}`, to: `hf:model/${name}/m${(i * 7) % n}`, source: 'bulk', props: { relation: 'finetune' } }));
          }
          const path = join(dir, `${name}.ndjson`);
          writeFileSync(path, lines.join('\n'));
          return path;
        };
        const calibrationFile = bulkFile('calibrate');

        /** Runs the import; resolves when it exits; `writing` resolves when it says the write has begun. */
        const startImport = (path: string) => {
          const child = spawn(process.execPath, [CLI, 'import', path, '--store', spec], { stdio: ['ignore', 'pipe', 'pipe'] });
          let err = '';
          let out = '';
          child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
          const writing = new Promise<number>((res) => child.stderr.setEncoding('utf8').on('data', (d: string) => {
            err += d;
            if (err.includes('writing ')) res(performance.now());
          }));
          const exited = new Promise<{ code: number | null; signal: string | null; at: number; finished: boolean }>((res) =>
            child.on('exit', (code, signal) => res({ code, signal, at: performance.now(), finished: out.includes('imported ') })),
          );
          return { child, writing, exited };
        };
        const statsNow = async () => {
          const store = await openStore(spec);
          try {
            return await store.stats();
          } finally {
            await store.close();
          }
        };
        // Calibrate in the same store (a Neo4j Community server has one database): how long the write takes here.
        const calibration = startImport(calibrationFile);
        const began = await calibration.writing;
        const done = await calibration.exited;
        assert.equal(done.code, 0, 'the calibration import succeeds');
        const writeMs = done.at - began;
        assert.equal((await statsNow()).nodes, baseBefore.nodes + n, 'the calibration batch is all there');

        // Each attempt writes its own keys, so each outcome is told apart from the others'. A store may complete
        // a write that was killed after its commit point (when the next connect opens it) or leave none of it;
        // never a part.
        const outcomes: string[] = [];
        let killedMidWrite = 0;
        for (const [attempt, fraction] of [0.1, 0.5, 0.85].entries()) {
          const file = bulkFile(`bulk${attempt}`);
          const before = await statsNow();
          const run = startImport(file);
          await run.writing;
          await new Promise((r) => setTimeout(r, writeMs * fraction));
          run.child.kill('SIGKILL');
          const { code, signal, finished } = await run.exited;
          const stats = await statsNow();
          const whole = stats.nodes === before.nodes + n && stats.edges === before.edges + n;
          const none = stats.nodes === before.nodes && stats.edges === before.edges;
          outcomes.push(`${Math.round(writeMs * fraction)}ms:${signal ?? `exit ${code}`}:${finished ? 'finished' : 'unfinished'}:${whole ? 'all' : none ? 'none' : 'PARTIAL'}`);
          assert.ok(whole || none, `after SIGKILL ${Math.round(writeMs * fraction)} ms into a ${Math.round(writeMs)} ms write the store holds ${stats.nodes} nodes / ${stats.edges} edges: neither all nor none`);
          if (signal === 'SIGKILL' && !finished) killedMidWrite++;
        }
        t.diagnostic(`kills (time:signal:whether the import had finished:what the store held): ${outcomes.join(', ')}`);
        assert.ok(killedMidWrite >= 1, `at least one kill landed inside the write: ${outcomes.join(', ')}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('stores a property named __proto__ as data, on insert and on merge, and refuses keys with lone surrogates', async () => {
      const store = await harness.open();
      try {
        const key = 'hf:model/proto/m';
        await store.upsert({ nodes: [{ kind: 'Model', key, props: { name: 'm', ['__proto__']: 'first' } }], edges: [] });
        await store.upsert({ nodes: [{ kind: 'Model', key, props: { ['__proto__']: { polluted: true }, likes: 1 } }], edges: [] });
        const [m] = await store.getNodes([key]);
        assert.deepEqual(Object.entries(m!.props).sort(), [['__proto__', { polluted: true }], ['likes', 1], ['name', 'm']]);
        assert.ok(Object.hasOwn(m!.props, '__proto__'), 'an own property, not the prototype');
        assert.equal(Object.getPrototypeOf(m!.props), Object.prototype);
        // A new node whose record also removes a property (a null: the store drops it), and one written twice in
        // one batch: both paths copy props, and neither may turn __proto__ into the prototype.
        const other = 'hf:model/proto/n';
        const twice = 'hf:model/proto/t';
        await store.upsert({
          nodes: [
            { kind: 'Model', key: other, props: { ['__proto__']: 'data', license: null, name: 'n' } },
            { kind: 'Model', key: twice, props: { ['__proto__']: 'one' } },
            { kind: 'Model', key: twice, props: { likes: 2 } },
          ],
          edges: [],
        });
        const got = await store.getNodes([other, twice]);
        assert.deepEqual(got.map((n) => [n.key, Object.entries(n.props)]), [
          [other, [['__proto__', 'data'], ['name', 'n']]],
          [twice, [['__proto__', 'one'], ['likes', 2]]],
        ]);
        for (const n of got) assert.ok(Object.hasOwn(n.props, '__proto__'), `${n.key}: __proto__ kept as data`);
        // find and export decode props the same way.
        const found = await store.find({ text: 'proto/n' });
        assert.equal(found.items[0]?.props['__proto__'], 'data');
        assert.ok(Object.hasOwn(found.items[0]!.props, '__proto__'));
        assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype was polluted');
        await assert.rejects(store.upsert({ nodes: [{ kind: 'Model', key: 'hf:model/bad/\ud800x' }], edges: [] }), /lone surrogate/);
      } finally {
        await store.close();
      }
    });

    it('returns everything in the contract order: props by name, nodes by key, edges by (from, kind, to, source)', async () => {
      const store = await harness.open();
      try {
        const m = 'hf:model/order/m';
        // Written in an order that is neither sorted nor the same twice, then merged: the answer is sorted by name.
        await store.upsert({ nodes: [{ kind: 'Model', key: m, props: { zeta: 1, alpha: 'a', mid: [3, 1, 2], card: { z: 1, a: 2 } } }], edges: [] });
        await store.upsert({ nodes: [{ kind: 'Model', key: m, props: { beta: true, alpha: null, aardvark: 'x' } }], edges: [] });
        const [node] = await store.getNodes([m]);
        assert.equal(
          JSON.stringify(node!.props),
          '{"aardvark":"x","beta":true,"card":{"z":1,"a":2},"mid":[3,1,2],"zeta":1}',
          'top-level names sorted; nested values and lists as written',
        );
        // Nodes: each once, in key order, whatever order they were asked in.
        const keys = ['hf:model/order/c', 'hf:model/order/a', 'hf:model/order/b', 'hf:model/order/Z'];
        await store.upsert({ nodes: keys.map((key) => ({ kind: 'Model' as const, key })), edges: [] });
        const asked = [keys[0]!, keys[2]!, 'hf:model/order/none', keys[1]!, keys[0]!, keys[3]!];
        assert.deepEqual((await store.getNodes(asked)).map((n) => n.key), ['hf:model/order/Z', 'hf:model/order/a', 'hf:model/order/b', 'hf:model/order/c']);
        // Edges: (from, kind, to, source) order in both directions, with or without props.
        const d = 'hf:dataset/order/d';
        await store.upsert({
          nodes: [],
          edges: [
            edge('TRAINED_ON', keys[0]!, d, { source: 'zz' }),
            edge('TRAINED_ON', keys[0]!, d, { source: 'aa' }),
            edge('EVALUATED_ON', keys[2]!, d),
            edge('TRAINED_ON', keys[1]!, d),
            edge('DERIVED_FROM', keys[0]!, keys[1]!, { props: { relation: 'merge' } }),
            edge('DERIVED_FROM', keys[0]!, keys[3]!, { props: { relation: 'merge' } }),
          ],
        });
        const line = (e: { from: string; kind: string; to: string; source: string }) => `${e.from} ${e.kind} ${e.to} ${e.source}`;
        const into = await store.expand({ keys: [d], direction: 'in' });
        assert.deepEqual(into.map(line), [
          `${keys[1]} TRAINED_ON ${d} test`,
          `${keys[2]} EVALUATED_ON ${d} test`,
          `${keys[0]} TRAINED_ON ${d} aa`,
          `${keys[0]} TRAINED_ON ${d} zz`,
        ]);
        const out = await store.expand({ keys: [keys[2]!, keys[0]!], direction: 'out' });
        assert.deepEqual(out.map(line), [
          `${keys[2]} EVALUATED_ON ${d} test`,
          `${keys[0]} DERIVED_FROM ${keys[3]} test`,
          `${keys[0]} DERIVED_FROM ${keys[1]} test`,
          `${keys[0]} TRAINED_ON ${d} aa`,
          `${keys[0]} TRAINED_ON ${d} zz`,
        ]);
        const bare = await store.expand({ keys: [keys[2]!, keys[0]!], direction: 'out', withProps: false });
        assert.deepEqual(bare.map((e) => `${e.from} ${e.kind} ${e.to}`), out.map((e) => `${e.from} ${e.kind} ${e.to}`));
        // Stats by kind name.
        const stats = await store.stats();
        assert.deepEqual(Object.keys(stats.edgesByKind), ['DERIVED_FROM', 'EVALUATED_ON', 'TRAINED_ON']);
        assert.deepEqual(Object.keys(stats.nodesByKind), ['Dataset', 'Model']);
      } finally {
        await store.close();
      }
    });

    it('four processes writing a store that was never written before all succeed', { timeout: 300_000 }, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'aispm-first-'));
      try {
        const spec = await harness.freshSpec();
        const writers = [0, 1, 2, 3];
        const files = writers.map((w) => {
          const path = join(dir, `w${w}.ndjson`);
          const lines = [];
          for (let i = 0; i < 50; i++) {
            lines.push(JSON.stringify({ type: 'node', kind: 'Model', key: `hf:model/w${w}/m${i}` }));
            // Every writer also touches the same shared nodes, so they contend on the same keys.
            lines.push(JSON.stringify({ type: 'edge', kind: 'TRAINED_ON', from: `hf:model/w${w}/m${i}`, to: `hf:dataset/shared/d${i % 5}`, source: `w${w}` }));
          }
          writeFileSync(path, lines.join('\n'));
          return path;
        });
        const run = (path: string) =>
          new Promise<{ code: number | null; stderr: string }>((resolve) => {
            const child = spawn(process.execPath, [CLI, 'import', path, '--store', spec], { stdio: ['ignore', 'ignore', 'pipe'] });
            let stderr = '';
            child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
            child.on('exit', (code) => resolve({ code, stderr }));
          });
        const results = await Promise.all(files.map(run));
        results.forEach((r, w) => assert.equal(r.code, 0, `writer ${w} failed: ${r.stderr}`));
        const store = await openStore(spec);
        try {
          const stats = await store.stats();
          assert.equal(stats.nodesByKind.Model, 200);
          assert.equal(stats.nodesByKind.Dataset, 5);
          assert.equal(stats.edges, 200);
        } finally {
          await store.close();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('edgeEnds: every edge of the kinds as (from, kind, to), once each, in code-unit order; unknown kinds refused', async () => {
      const store = await harness.open();
      try {
        // Keys past U+E000 and beyond the BMP: code-unit order (the contract's) differs from code-point order there.
        const high = 'hf:user/\u{1F600}';
        const priv = 'hf:user/\uE000';
        await store.upsert({
          nodes: [],
          edges: [
            edge('CAN_WRITE', 'hf:user/b', 'hf:model/o/x'),
            edge('CAN_WRITE', 'hf:user/a', 'hf:model/o/y'),
            edge('CAN_WRITE', 'hf:user/a', 'hf:model/o/x', { source: 's1' }),
            edge('CAN_WRITE', 'hf:user/a', 'hf:model/o/x', { source: 's2' }),
            edge('MEMBER_OF', 'hf:user/a', 'hf:org/o', { props: { role: 'write' } }),
            edge('CAN_WRITE', priv, 'hf:model/o/x'),
            edge('CAN_WRITE', high, 'hf:model/o/x'),
            edge('TRAINED_ON', 'hf:model/o/x', 'hf:dataset/o/d'),
          ],
        });
        const lines = (e: EdgeEnds) => e.from.map((f, i) => `${f} ${e.kind[i]} ${e.to[i]}`);
        assert.deepEqual(lines(await store.edgeEnds(['MEMBER_OF', 'CAN_WRITE'])), [
          'hf:user/a CAN_WRITE hf:model/o/x',
          'hf:user/a CAN_WRITE hf:model/o/y',
          'hf:user/a MEMBER_OF hf:org/o',
          'hf:user/b CAN_WRITE hf:model/o/x',
          `${high} CAN_WRITE hf:model/o/x`,
          `${priv} CAN_WRITE hf:model/o/x`,
        ]);
        assert.deepEqual(lines(await store.edgeEnds(['TRAINED_ON', 'TRAINED_ON'])), ['hf:model/o/x TRAINED_ON hf:dataset/o/d']);
        assert.deepEqual(await store.edgeEnds(['AFFECTS']), { from: [], kind: [], to: [] });
        assert.deepEqual(await store.edgeEnds([]), { from: [], kind: [], to: [] });
        await assert.rejects(store.edgeEnds(["CAN_WRITE]->() DETACH DELETE n //" as never]), (err: Error) => err.name === 'UsageError' && /unknown edge kind/.test(err.message));
      } finally {
        await store.close();
      }
    });

    it("edgeEnds with owners: the owner each grant's asset key names, lower-cased, undefined where the key names none", async () => {
      const store = await harness.open();
      try {
        const sha = 'a'.repeat(40);
        const assets = ['hf:model/Acme/x', 'hf:model/gpt2', 'pkg:pypi/torch@1.0.0', 'gh:repo/octo/r', `hf:file/datasets/o/d/a.pkl@${sha}`, 'hf:model/a%2Fb/c', 'mlflow:model/m/1'];
        await store.upsert({ nodes: [], edges: [...assets.map((a) => edge('CAN_WRITE', 'hf:user/u', a)), edge('MEMBER_OF', 'hf:user/u', 'hf:org/Acme')] });
        const expected = new Map<string, string | undefined>([
          ['hf:model/Acme/x', 'acme'],
          ['hf:model/gpt2', undefined],
          ['pkg:pypi/torch@1.0.0', undefined],
          ['gh:repo/octo/r', 'octo'],
          [`hf:file/datasets/o/d/a.pkl@${sha}`, 'o'],
          ['hf:model/a%2Fb/c', 'a/b'],
          ['mlflow:model/m/1', undefined],
          ['hf:org/Acme', undefined],
        ]);
        // Twice: a store that keeps owners once parsed must give the same answer from what it kept.
        for (let round = 0; round < 2; round++) {
          const ends = await store.edgeEnds(['CAN_WRITE', 'MEMBER_OF'], { owners: true });
          assert.equal(ends.toOwner?.length, ends.to.length, 'one owner per edge');
          // An org's own key names no owner (`hf:org/<name>`): only namespaced assets have one.
          ends.to.forEach((to, i) => assert.equal(ends.toOwner![i], expected.get(to), `${to} (round ${round})`));
          assert.equal(ends.to.length, assets.length + 1);
        }
        assert.equal((await store.edgeEnds(['CAN_WRITE'])).toOwner, undefined, 'no owners unless asked');
        assert.deepEqual(await store.edgeEnds([], { owners: true }), { from: [], kind: [], to: [], toOwner: [] });
      } finally {
        await store.close();
      }
    });

    it('reach: breadth-first with the contract order of parents, flow conditions, limits and unknown starts', async () => {
      const store = await harness.open();
      try {
        const m = (x: string) => `hf:model/r/${x}`;
        await store.upsert({
          nodes: [],
          edges: [
            // d is trained on by b and a; both are reached at depth 1, and listed in key order.
            edge('TRAINED_ON', m('b'), 'hf:dataset/r/d'),
            edge('TRAINED_ON', m('a'), 'hf:dataset/r/d'),
            // c derives from both: its parent is a (the lesser near key), not b.
            edge('DERIVED_FROM', m('c'), m('b'), { props: { relation: 'merge' } }),
            edge('DERIVED_FROM', m('c'), m('a'), { props: { relation: 'merge' } }),
            // e is reached from a by two sources: the edge with the lesser source is the one named.
            edge('DERIVED_FROM', m('e'), m('a'), { source: 'zz', props: { relation: 'finetune' } }),
            edge('DERIVED_FROM', m('e'), m('a'), { source: 'aa', props: { relation: 'adapter' } }),
            // Identities: only a write-role membership carries compromise (flowWhen); the role's case does not matter.
            edge('CAN_WRITE', 'hf:user/w', m('a')),
            edge('MEMBER_OF', 'hf:user/w', 'hf:org/o1', { props: { role: 'Maintain' } }),
            edge('MEMBER_OF', 'hf:user/w', 'hf:org/o2', { props: { role: 'read' } }),
            edge('CAN_WRITE', 'hf:org/o1', m('z')),
            edge('CAN_WRITE', 'hf:org/o2', m('y')),
          ],
        });
        const steps = [
          { kind: 'TRAINED_ON' as const, direction: 'in' as const },
          { kind: 'DERIVED_FROM' as const, direction: 'in' as const },
          { kind: 'CAN_WRITE' as const, direction: 'out' as const },
          { kind: 'MEMBER_OF' as const, direction: 'out' as const, when: { prop: 'role', in: ['write', 'maintain'] } },
        ];
        const show = (r: Reachability) => r.keys.map((k, i) => `${k}@${r.depths[i]}<${r.parents[i]! >= 0 ? r.keys[r.parents[i]!] : '-'}`);
        const fromD = await store.reach({ from: ['hf:dataset/r/d'], steps, maxDepth: 10, maxNodes: 100 });
        assert.deepEqual(show(fromD), [
          'hf:dataset/r/d@0<-',
          `${m('a')}@1<hf:dataset/r/d`,
          `${m('b')}@1<hf:dataset/r/d`,
          `${m('c')}@2<${m('a')}`,
          `${m('e')}@2<${m('a')}`,
        ]);
        assert.equal(fromD.truncated, false);
        const viaE = fromD.via(4)!;
        assert.deepEqual([viaE.kind, viaE.from, viaE.to, viaE.source, JSON.stringify(viaE.props)], ['DERIVED_FROM', m('e'), m('a'), 'aa', '{}']);
        assert.equal(fromD.via(0), undefined);
        const withProps = await store.reach({ from: ['hf:dataset/r/d'], steps, maxDepth: 10, maxNodes: 100, withEdgeProps: true });
        assert.deepEqual(withProps.via(4)!.props, { relation: 'adapter' });
        assert.equal(withProps.via(4)!.evidence, 'contract');
        assert.equal(withProps.via(1)!.observedAt, at);

        const fromW = await store.reach({ from: ['hf:user/w', 'hf:model/r/unknown', 'hf:user/w'], steps, maxDepth: 10, maxNodes: 100 });
        // Level 1 in edge order: w's CAN_WRITE before its MEMBER_OF; level 2 from a (the lesser key) before o1.
        assert.deepEqual(show(fromW), [
          'hf:user/w@0<-',
          'hf:model/r/unknown@0<-',
          `${m('a')}@1<hf:user/w`,
          'hf:org/o1@1<hf:user/w',
          `${m('c')}@2<${m('a')}`,
          `${m('e')}@2<${m('a')}`,
          `${m('z')}@2<hf:org/o1`,
        ]);
        assert.ok(!fromW.keys.includes('hf:org/o2'), 'a read membership carries nothing');
        // Listed by depth, then key: the unknown start before hf:user/w, level 1 and level 2 each in key order.
        assert.deepEqual(
          [...fromW.depthKeyOrder()].map((i) => fromW.keys[i]),
          ['hf:model/r/unknown', 'hf:user/w', m('a'), 'hf:org/o1', m('c'), m('e'), m('z')],
        );

        const cutDepth = await store.reach({ from: ['hf:dataset/r/d'], steps, maxDepth: 1, maxNodes: 100 });
        assert.deepEqual([cutDepth.keys.length, cutDepth.truncated, cutDepth.reason], [3, true, 'depth']);
        const exactDepth = await store.reach({ from: ['hf:dataset/r/d'], steps, maxDepth: 2, maxNodes: 100 });
        assert.deepEqual([exactDepth.keys.length, exactDepth.truncated], [5, false]);
        const cutBudget = await store.reach({ from: ['hf:dataset/r/d'], steps, maxDepth: 10, maxNodes: 4 });
        assert.deepEqual([cutBudget.keys, cutBudget.truncated, cutBudget.reason], [fromD.keys.slice(0, 4), true, 'budget']);
        assert.deepEqual((await store.reach({ from: ['hf:dataset/r/d'], steps: [], maxDepth: 10, maxNodes: 10 })).keys, ['hf:dataset/r/d']);

        for (const bad of [{ maxDepth: -1 }, { maxNodes: 0 }, { maxDepth: 1.5 }, { steps: [{ kind: 'NOPE', direction: 'in' }] }, { steps: [{ kind: 'SERVES', direction: 'up' }] }]) {
          await assert.rejects(store.reach({ from: ['hf:dataset/r/d'], steps, maxDepth: 3, maxNodes: 10, ...bad } as never), (err: Error) => err.name === 'UsageError');
        }
      } finally {
        await store.close();
      }
    });

    it('reach: the same answer as a plain breadth-first search over the records, on generated graphs', { timeout: 300_000 }, async () => {
      const store = await harness.open();
      try {
        const graph = generatedGraph(7, 600);
        await store.upsert(graph);
        const modes = ['compromise', 'compromise-source', 'lineage-down', 'any'] as const;
        const starts = [...new Set(graph.edges.map((e) => e.to)), 'vuln:GHSA-1', 'vuln:GHSA-2'].slice(0, 6);
        starts.push('vuln:GHSA-1', 'vuln:GHSA-3', 'vuln:GHSA-5');
        let compared = 0;
        // Each mode is asked for many times on one store: the SQLite store walks its first reach of a mode without
        // the per-mode arc rows it builds for the later ones, so both of its walks are compared here.
        for (const mode of modes) {
          const steps = reachSteps(mode);
          for (const from of starts) {
            for (const [maxDepth, maxNodes] of [[25, 100_000], [2, 100_000], [25, 40]] as const) {
              const got = await store.reach({ from: [from, starts[0]!], steps, maxDepth, maxNodes });
              const want = referenceReach(graph, [from, starts[0]!], steps, maxDepth, maxNodes);
              const label = `${mode} from ${from}, depth ${maxDepth}, budget ${maxNodes}`;
              assert.deepEqual(show(got), want.lines, label);
              assert.deepEqual([got.truncated, got.reason], [want.truncated, want.reason], label);
              const byDepthThenKey = got.keys.map((k, i) => ({ k, d: got.depths[i]!, i })).sort((a, b) => a.d - b.d || (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
              assert.deepEqual([...got.depthKeyOrder()], byDepthThenKey.map((x) => x.i), `${label}: depthKeyOrder`);
              compared += got.keys.length;
            }
          }
        }
        assert.ok(compared > 2000, `the comparison covered real reachability (${compared} nodes)`);
      } finally {
        await store.close();
      }

      function show(r: Reachability): string[] {
        return r.keys.map((k, i) => {
          const via = r.via(i);
          return `${k} ${r.depths[i]} ${r.parents[i]! >= 0 ? r.keys[r.parents[i]!] : '-'} ${via ? `${via.kind}:${via.from}>${via.to}:${via.source}` : ''}`;
        });
      }
    });

    it('keeps metadata values', async () => {
      const store = await harness.open();
      try {
        assert.equal(await store.getMeta('checkpoint'), undefined);
        await store.setMeta('checkpoint', { done: ['a', 'b'], n: 2 });
        assert.deepEqual(await store.getMeta('checkpoint'), { done: ['a', 'b'], n: 2 });
      } finally {
        await store.close();
      }
    });

    it('GitHub records: a repository holding files, its parts as separate scopes, and incremental state in meta', async () => {
      const store = await harness.open();
      try {
        const repo = 'gh:repo/acme/app';
        const file = 'gh:file/acme/app/.github/workflows/deploy.yml@0123456789abcdef0123456789abcdef01234567';
        const code = { source: 'github', scope: `${repo}#code`, syncId: 's1' };
        const access = { source: 'github', scope: `${repo}#collaborators`, syncId: 's1' };
        await store.upsert({ nodes: [{ kind: 'File', key: file, props: { workflow: true, deploysTo: ['production'], unpinnedActions: ['o/a@v1'], prTargetCheckout: false } }], edges: [edge('CONTAINS', repo, file, { source: 'github' })] }, code);
        await store.upsert({ nodes: [], edges: [edge('CAN_WRITE', 'gh:user/eve', repo, { source: 'github', props: { role: 'write', outside: true } })] }, access);
        const held = await store.expand({ keys: [repo], direction: 'out', edgeKinds: ['CONTAINS'] });
        assert.deepEqual(held.map((e) => e.to), [file]);
        assert.deepEqual((await store.getNodes([file]))[0]?.props.deploysTo, ['production']);
        // A newer read of one part replaces that part only.
        await store.upsert({ nodes: [], edges: [] }, { ...access, syncId: 's2' });
        await store.removeStale({ ...access, syncId: 's2' });
        assert.equal((await store.expand({ keys: [repo], direction: 'in', edgeKinds: ['CAN_WRITE'] })).length, 0);
        assert.equal((await store.expand({ keys: [repo], direction: 'out', edgeKinds: ['CONTAINS'] })).length, 1);
        const state = { version: 1, settings: '{"v":1}', parts: { repo: { pages: [{ url: 'http://x/repos/acme/app', etag: 'W/"abc"', count: 0 }], grows: false, facts: { sha: null, teams: ['ml'] } } } };
        await store.setMeta(`github:repo:${repo}`, state);
        assert.deepEqual(await store.getMeta(`github:repo:${repo}`), state);
      } finally {
        await store.close();
      }
    });

    it('exports every node and edge', async () => {
      const store = await harness.open();
      try {
        await store.upsert(lineage());
        const items = [];
        for await (const item of store.exportAll()) items.push(item);
        assert.equal(items.filter((i) => i.type === 'node').length, 6);
        assert.equal(items.filter((i) => i.type === 'edge').length, 6);
      } finally {
        await store.close();
      }
    });
  });
}

export { before };
