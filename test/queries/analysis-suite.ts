/**
 * The analysis suite: traversal, blast radius, lineage, shortest path, attack paths and findings on hand-built
 * graphs, with answers worked out by hand. Store-agnostic: pass a factory for a new, empty GraphStore, so the same
 * expectations hold on SQLite (test/queries/sqlite.test.ts) and on any other store that reuses this harness.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EDGE_SPECS } from '../../schema/model.ts';
import type { NodeRecord, Props, RecordBatch } from '../../schema/records.ts';
import { UsageError } from '../../schema/errors.ts';
import type { ExpandRequest, GraphStore, ReachRequest } from '../../schema/store.ts';
import { attackPaths, entryPointReasons, findEntryPoints, findTargets } from '../../queries/attack-paths.ts';
import { blastRadius } from '../../queries/blast-radius.ts';
import { runFindings } from '../../queries/findings/index.ts';
import { vulnerableDependency } from '../../queries/findings/vulnerable-dependency.ts';
import { lineage } from '../../queries/lineage.ts';
import { shortestPath } from '../../queries/path.ts';
import { pathTo, traverse } from '../../queries/traversal.ts';
import { F, G, P, SHA1, SHA256, attackGraph, edge, lineageGraph, postureGraph, space } from './fixtures.ts';

const vulnerableDependencyRemediation = vulnerableDependency.remediation;

export type OpenStore = () => Promise<GraphStore>;

/** The real store with its expand and reach calls recorded (the calls still go to the store). */
function recording(store: GraphStore): { store: GraphStore; calls: ExpandRequest[]; reaches: ReachRequest[] } {
  const calls: ExpandRequest[] = [];
  const reaches: ReachRequest[] = [];
  const wrapped = Object.create(store) as GraphStore;
  wrapped.expand = (req) => {
    calls.push({ ...req, keys: [...req.keys].sort() });
    return store.expand(req);
  };
  wrapped.reach = (req) => {
    reaches.push(req);
    return store.reach(req);
  };
  return { store: wrapped, calls, reaches };
}

function withGraph(openStore: OpenStore, build: () => RecordBatch): { get(): GraphStore } {
  let store: GraphStore | undefined;
  before(async () => {
    store = await openStore();
    await store.upsert(build());
  });
  after(async () => {
    await store?.close();
  });
  return { get: () => store! };
}

const isUsage = (pattern: RegExp) => (err: unknown) => err instanceof UsageError && pattern.test(err.message);

export function runAnalysisSuite(name: string, openStore: OpenStore): void {
  describe(`analyses on ${name}`, () => {
    describe('vulnerable dependency: one finding per flaw', () => {
      // OSV serves one flaw from several databases, each naming the others in `aliases`.
      const bot = model('bot');
      const torch = 'pkg:pypi/torch@2.1.0';
      const advisory = (id: string, props: Props): NodeRecord => ({ kind: 'Vulnerability', key: `vuln:${id}`, props });
      const g = withGraph(openStore, () => ({
        nodes: [
          { kind: 'Endpoint', key: space('chat') },
          { kind: 'Model', key: bot },
          { kind: 'Package', key: torch },
          advisory('GHSA-xxxx-1111', { severity: 'medium', aliases: ['CVE-2099-1'] }),
          advisory('PYSEC-2099-1', { aliases: ['CVE-2099-1', 'GHSA-xxxx-1111'] }),
          advisory('GHSA-zzzz-3333', { severity: 'low', aliases: ['CVE-2099-3'] }),
          advisory('PYSEC-2099-3', { severity: 'critical', aliases: ['cve-2099-3'] }),
          advisory('GHSA-yyyy-2222', { severity: 'high', aliases: [] }),
        ],
        edges: [
          edge('SERVES', space('chat'), bot),
          edge('DEPENDS_ON', bot, torch),
          edge('AFFECTS', 'vuln:GHSA-xxxx-1111', torch, { fixed: '2.1.2' }),
          edge('AFFECTS', 'vuln:PYSEC-2099-1', torch, { fixed: '2.1.2' }),
          edge('AFFECTS', 'vuln:GHSA-zzzz-3333', torch, { fixed: '2.2.0' }),
          edge('AFFECTS', 'vuln:PYSEC-2099-3', torch, { fixed: '2.1.5' }),
          edge('AFFECTS', 'vuln:GHSA-yyyy-2222', torch),
        ],
      }));

      it('groups advisories that name each other or a common alias; severity is the most severe declared; fixes are all named', async () => {
        const found = (await runFindings(g.get())).filter((f) => f.rule === 'vulnerable-dependency').sort((a, b) => (a.nodes[0]! < b.nodes[0]! ? -1 : 1));
        assert.deepEqual(
          found.map((f) => [f.severity, f.nodes]),
          [
            ['medium', ['vuln:GHSA-xxxx-1111', 'vuln:PYSEC-2099-1', torch, bot]],
            ['high', ['vuln:GHSA-yyyy-2222', torch, bot]],
            ['critical', ['vuln:GHSA-zzzz-3333', 'vuln:PYSEC-2099-3', torch, bot]],
          ],
        );
        const [shared, alone, split] = found as [(typeof found)[number], (typeof found)[number], (typeof found)[number]];
        assert.deepEqual(shared.evidence.slice(0, 2), [`vuln:GHSA-xxxx-1111 affects ${torch} (fixed in 2.1.2)`, `vuln:PYSEC-2099-1 affects ${torch} (fixed in 2.1.2)`]);
        assert.match(shared.remediation, /^Upgrade torch@2\.1\.0 to 2\.1\.2 or later \(the first version GHSA-xxxx-1111 and PYSEC-2099-1 name as fixed\)/);
        assert.equal(alone.remediation, vulnerableDependencyRemediation);
        assert.match(split.remediation, /at or above every fix its advisories name \(2\.2\.0 in GHSA-zzzz-3333; 2\.1\.5 in PYSEC-2099-3\)/);
      });
    });

    describe('traversal', () => {
      const g = withGraph(openStore, lineageGraph);

      it('diamond: every node once, at its shortest depth, with one shortest path back', async () => {
        const t = await traverse(g.get(), [G.data], {});
        assert.deepEqual(
          [...t.reached.values()].map((r) => `${r.key}@${r.depth}`).sort(),
          [`${G.data}@0`, `${G.A}@1`, `${G.B}@1`, `${G.C}@2`, `${G.AD}@3`, `${G.Q}@3`, `${G.S1}@3`, `${G.S2}@4`].sort(),
        );
        // C is reached from both A and B at depth 2; the parent is picked in key order, so A.
        assert.deepEqual(pathTo(t.reached, G.C), [G.data, G.A, G.C]);
        assert.deepEqual(pathTo(t.reached, G.S2), [G.data, G.A, G.C, G.AD, G.S2]);
        assert.equal(t.reached.get(G.C)?.via?.kind, 'DERIVED_FROM');
        assert.equal(t.truncated, false);
      });

      it('is one store reachability call, with the flow table as steps and no none-flow kind', async () => {
        const { store, calls, reaches } = recording(g.get());
        await traverse(store, [G.data], {});
        assert.equal(calls.length, 0);
        assert.equal(reaches.length, 1);
        const steps = reaches[0]!.steps;
        assert.ok(steps.some((s) => s.kind === 'TRAINED_ON' && s.direction === 'in'));
        assert.ok(steps.some((s) => s.kind === 'MEMBER_OF' && s.direction === 'out' && s.when?.prop === 'role'));
        assert.ok(!steps.some((s) => s.kind === 'EVALUATED_ON'));
      });

      it('a caller that sees every followed edge gets the whole frontier in one expand per direction per level', async () => {
        const { store, calls } = recording(g.get());
        let levels = 0;
        const t = await traverse(store, [G.data], { onEdges: () => levels++ });
        assert.equal(t.reached.size, 8);
        assert.equal(levels, 5, 'onEdges sees each of the five levels');
        // Levels 0..4 have non-empty frontiers (S2 at depth 4 reaches nothing new): 5 levels × (in, out).
        assert.equal(calls.length, 10);
        const level3 = calls.filter((c) => c.keys.length === 3);
        assert.deepEqual(level3.map((c) => c.keys), [[G.AD, G.Q, G.S1].sort(), [G.AD, G.Q, G.S1].sort()]);
        assert.deepEqual(calls.map((c) => c.direction).sort(), ['in', 'in', 'in', 'in', 'in', 'out', 'out', 'out', 'out', 'out']);
        // No 'none'-flow kind is ever asked for.
        for (const c of calls) assert.ok(!c.edgeKinds?.includes('EVALUATED_ON'));
      });

      it('a merge with two poisoned parents is reached once, at depth 1, from the first parent by key', async () => {
        const t = await traverse(g.get(), [G.A, G.B], {});
        assert.equal(t.reached.get(G.C)?.depth, 1);
        assert.equal(t.reached.get(G.C)?.parent, G.A);
        assert.equal(t.reached.size, 7);
      });

      it('stops at maxDepth and says so only when something lies beyond', async () => {
        const cut = await traverse(g.get(), [G.data], { maxDepth: 2 });
        assert.deepEqual([...cut.reached.keys()].sort(), [G.data, G.A, G.B, G.C].sort());
        assert.equal(cut.truncated, true);
        assert.equal(cut.reason, 'depth');
        const exact = await traverse(g.get(), [G.data], { maxDepth: 4 });
        assert.equal(exact.reached.size, 8);
        assert.equal(exact.truncated, false);
      });

      it('stops at the node budget (start included) and reports truncation', async () => {
        const t = await traverse(g.get(), [G.data], { nodeBudget: 3 });
        assert.deepEqual([...t.reached.keys()].sort(), [G.data, G.A, G.B].sort());
        assert.equal(t.truncated, true);
        assert.equal(t.reason, 'budget');
      });

      it('terminates on a Dataset DERIVED_FROM Dataset cycle', async () => {
        const t = await traverse(g.get(), [G.D1], {});
        assert.deepEqual(
          [...t.reached.values()].map((r) => `${r.key}@${r.depth}`).sort(),
          [`${G.D1}@0`, `${G.D2}@1`, `${G.D3}@2`, `${G.M2}@3`].sort(),
        );
        assert.deepEqual(pathTo(t.reached, G.M2), [G.D1, G.D2, G.D3, G.M2]);
      });

      it('lineage-up and any steps follow their own edge sets', async () => {
        const up = await traverse(g.get(), [G.AD], { step: 'lineage-up' });
        assert.deepEqual([...up.reached.keys()].sort(), [G.AD, G.C, G.A, G.B].sort());
        const any = await traverse(g.get(), [G.E], { step: 'any', maxDepth: 1 });
        assert.deepEqual([...any.reached.keys()].sort(), [G.E, G.data].sort());
        assert.equal(any.truncated, true);
      });

      it('refuses absurd limits with a usage error', async () => {
        await assert.rejects(traverse(g.get(), [G.data], { maxDepth: 1000 }), isUsage(/maxDepth must be a whole number from 0 to 100/));
        await assert.rejects(traverse(g.get(), [G.data], { maxDepth: -1 }), isUsage(/maxDepth/));
        await assert.rejects(traverse(g.get(), [G.data], { nodeBudget: 0 }), isUsage(/nodeBudget/));
        await assert.rejects(traverse(g.get(), [G.data], { nodeBudget: 1.5 }), isUsage(/nodeBudget/));
      });
    });

    describe('blast radius', () => {
      const g = withGraph(openStore, lineageGraph);

      it('poisoned dataset: models trained on it, their merge, its quantization and adapter, both endpoints, owners', async () => {
        const r = await blastRadius(g.get(), G.data);
        assert.equal(r.from, G.data);
        assert.equal(r.total, 7);
        assert.deepEqual(r.byKind, { Model: 5, Endpoint: 2 });
        assert.deepEqual(
          r.nodes.map((n) => [n.key, n.kind, n.depth]),
          [
            [G.A, 'Model', 1],
            [G.B, 'Model', 1],
            [G.C, 'Model', 2],
            [G.AD, 'Model', 3],
            [G.Q, 'Model', 3],
            [G.S1, 'Endpoint', 3],
            [G.S2, 'Endpoint', 4],
          ],
        );
        // EVALUATED_ON propagates nothing: E evaluated on the poisoned data but is not reached.
        assert.ok(!r.nodes.some((n) => n.key === G.E));
        assert.deepEqual(
          r.endpoints.map((e) => ({ key: e.key, depth: e.depth, path: e.path, owners: e.owners })),
          [
            { key: G.S1, depth: 3, path: [G.data, G.A, G.C, G.S1], owners: [G.acme, G.alice] },
            { key: G.S2, depth: 4, path: [G.data, G.A, G.C, G.AD, G.S2], owners: [G.bob] },
          ],
        );
        // How: each hop in the compromise direction, in the model's words, with its relation and evidence.
        assert.deepEqual(
          r.endpoints[1]!.hops.map((h) => [h.from, h.verb, h.to, h.edgeKind, h.relation ?? '', h.evidence]),
          [
            [G.data, 'trained', G.A, 'TRAINED_ON', '', 'fixture'],
            [G.A, 'merged into', G.C, 'DERIVED_FROM', 'merge', 'fixture'],
            [G.C, 'adapted into', G.AD, 'DERIVED_FROM', 'adapter', 'fixture'],
            [G.AD, 'served by', G.S2, 'SERVES', '', 'fixture'],
          ],
        );
        assert.deepEqual(r.nodes.find((n) => n.key === G.Q)!.via, { from: G.C, to: G.Q, edgeKind: 'DERIVED_FROM', relation: 'quantized', verb: 'quantized as', evidence: 'fixture' });
        // Owners of affected models too: their writers, else the owner the key names.
        assert.deepEqual(r.nodes.find((n) => n.key === G.A)!.owners, [G.acme]);
        assert.deepEqual(r.nodes.find((n) => n.key === G.Q)!.owners, ['acme'], 'no writer recorded: the owner the key names');
        assert.equal(r.truncated, false);
      });

      it("a merge propagates from every parent: poisoning only B still reaches C and what serves it", async () => {
        const r = await blastRadius(g.get(), G.B);
        assert.deepEqual(r.nodes.map((n) => n.key), [G.C, G.AD, G.Q, G.S1, G.S2]);
        assert.ok(!r.nodes.some((n) => n.key === G.A));
      });

      it("an adapter's endpoint is reached through its base", async () => {
        const r = await blastRadius(g.get(), G.C);
        assert.deepEqual(
          r.endpoints.map((e) => [e.key, e.depth, e.path]),
          [
            [G.S1, 1, [G.C, G.S1]],
            [G.S2, 2, [G.C, G.AD, G.S2]],
          ],
        );
      });

      it('MEMBER_OF flows only with a write role: a write member reaches the org assets, a read member nothing', async () => {
        const dave = await blastRadius(g.get(), G.dave);
        assert.deepEqual(
          dave.nodes.map((n) => `${n.key}@${n.depth}`),
          [`${G.acme}@1`, `${G.A}@2`, `${G.C}@3`, `${G.AD}@4`, `${G.Q}@4`, `${G.S1}@4`, `${G.S2}@5`],
        );
        const carol = await blastRadius(g.get(), G.carol);
        assert.equal(carol.total, 0);
        assert.deepEqual(carol.nodes, []);
        assert.deepEqual(carol.endpoints, []);
      });

      it('depth limit and node budget mark the result truncated', async () => {
        const shallow = await blastRadius(g.get(), G.data, { maxDepth: 3 });
        assert.equal(shallow.total, 6);
        assert.equal(shallow.truncated, true);
        const budget = await blastRadius(g.get(), G.data, { nodeBudget: 3 });
        assert.deepEqual(budget.nodes.map((n) => n.key), [G.A, G.B]);
        assert.equal(budget.truncated, true);
      });

      it('an unknown or hostile key is a usage error naming it', async () => {
        await assert.rejects(blastRadius(g.get(), 'hf:model/nobody/nothing'), isUsage(/^unknown node hf:model\/nobody\/nothing$/));
        await assert.rejects(blastRadius(g.get(), "x'); DROP TABLE nodes;--\u0000"), isUsage(/unknown node x'\); DROP TABLE nodes;--\\u0000/));
        assert.equal((await blastRadius(g.get(), G.data)).total, 7);
      });
    });

    describe('lineage and shortest path', () => {
      const g = withGraph(openStore, lineageGraph);

      it('lists ancestors and descendants with relations and parents', async () => {
        const c = await lineage(g.get(), G.C, { direction: 'both' });
        assert.deepEqual(c.up, [
          { key: G.A, depth: 1, relation: 'merge', parent: G.C },
          { key: G.B, depth: 1, relation: 'merge', parent: G.C },
        ]);
        assert.deepEqual(c.down, [
          { key: G.AD, depth: 1, relation: 'adapter', parent: G.C },
          { key: G.Q, depth: 1, relation: 'quantized', parent: G.C },
        ]);
        const ad = await lineage(g.get(), G.AD, { direction: 'up' });
        assert.deepEqual(ad.up.map((e) => [e.key, e.depth, e.relation, e.parent]), [
          [G.C, 1, 'adapter', G.AD],
          [G.A, 2, 'merge', G.C],
          [G.B, 2, 'merge', G.C],
        ]);
        assert.deepEqual(ad.down, []);
      });

      it('dataset lineage through a cycle ends', async () => {
        const d1 = await lineage(g.get(), G.D1, { direction: 'down' });
        assert.deepEqual(d1.down.map((e) => [e.key, e.depth, e.parent]), [
          [G.D2, 1, G.D1],
          [G.D3, 2, G.D2],
        ]);
        assert.deepEqual((await lineage(g.get(), G.D1, { direction: 'up' })).up.map((e) => e.key), [G.D2]);
      });

      it('refuses an unknown key and an unknown direction', async () => {
        await assert.rejects(lineage(g.get(), model('nope'), { direction: 'up' }), isUsage(/unknown node/));
        await assert.rejects(lineage(g.get(), G.C, { direction: 'sideways' as 'up' }), isUsage(/direction must be one of up, down, both/));
      });

      it('finds a shortest path over edges in either direction', async () => {
        const p = await shortestPath(g.get(), G.S2, G.data);
        assert.deepEqual(p?.nodes, [G.S2, G.AD, G.C, G.A, G.data]);
        assert.deepEqual(p?.edges.map((e) => `${e.from} ${e.kind} ${e.to}`), [
          `${G.S2} SERVES ${G.AD}`,
          `${G.AD} DERIVED_FROM ${G.C}`,
          `${G.C} DERIVED_FROM ${G.A}`,
          `${G.A} TRAINED_ON ${G.data}`,
        ]);
        assert.deepEqual((await shortestPath(g.get(), G.E, G.data))?.nodes, [G.E, G.data]);
        assert.deepEqual(await shortestPath(g.get(), G.C, G.C), { nodes: [G.C], edges: [] });
        assert.equal(await shortestPath(g.get(), G.S2, G.data, { maxDepth: 3 }), null);
        assert.equal(await shortestPath(g.get(), G.data, G.M2), null, 'different components');
        await assert.rejects(shortestPath(g.get(), G.C, model('nope')), isUsage(/unknown node/));
      });
    });

    describe('attack paths', () => {
      const g = withGraph(openStore, attackGraph);

      it('finds entry points by the documented rules, and endpoints as targets', async () => {
        // chat: prod SERVES it at "main", so whoever pushes to chat reaches prod on its next load.
        assert.deepEqual(await findEntryPoints(g.get()), [P.open, P.wiki, P.file, P.chat, P.anyone, P.mallory, P.torch]);
        assert.deepEqual(await findTargets(g.get()), [P.prod]);
      });

      it('ranks the k cheapest paths by likelihood, each step explained', async () => {
        const r = await attackPaths(g.get(), {});
        assert.deepEqual(r.targets, [P.prod]);
        assert.deepEqual(r.paths.map((p) => p.nodes), [
          [P.chat, P.prod], // .95 (chat is served at a floating revision)
          [P.file, P.chat, P.prod], // .95 × .95 = .9025
          [P.open, P.chat, P.prod], // .7 × .95 = .665
          [P.torch, P.chat, P.prod], // .6 × .95 = .57
          [P.mallory, P.sft, P.chat, P.prod], // .5 × .7 × .95 = .3325
        ]);
        const expected = [0.95, 0.9025, 0.665, 0.57, 0.3325];
        r.paths.forEach((p, i) => {
          assert.ok(Math.abs(p.likelihood - expected[i]!) < 1e-6, `likelihood of path ${i}`);
          assert.ok(Math.abs(p.risk - 10 * expected[i]!) <= 0.005 + 1e-9, `risk of path ${i}`);
          assert.ok(Math.abs(p.cost + Math.log(expected[i]!)) < 1e-5, `cost of path ${i}`);
        });
        const mallory = r.paths[4]!;
        assert.equal(mallory.from, P.mallory);
        assert.equal(mallory.to, P.prod);
        assert.deepEqual(mallory.steps.map((s) => [s.from, s.to, s.edgeKind, s.likelihood]), [
          [P.mallory, P.sft, 'CAN_WRITE', 0.5],
          [P.sft, P.chat, 'TRAINED_ON', 0.7],
          [P.chat, P.prod, 'SERVES', 0.95],
        ]);
        // Said in the compromise direction: mallory can write sft, sft trained chat, chat served by prod.
        assert.deepEqual(mallory.steps.map((s) => s.verb), ['can write', 'trained', 'served by']);
        assert.match(mallory.steps[0]!.abuse, /hijacked or malicious account with write access/);
        assert.match(mallory.steps[0]!.remediation, /Reduce write access/);
        assert.equal(mallory.steps[0]!.meaning, 'The identity can push changes to the asset.');
        assert.deepEqual([mallory.steps[0]!.evidence, mallory.steps[0]!.source], ['collaborators', 'hf']);
        assert.deepEqual([mallory.steps[1]!.evidence, mallory.steps[1]!.source], ['cardData.datasets', 'hf']);
      });

      it('k limits the answer to the cheapest ones', async () => {
        const r = await attackPaths(g.get(), { k: 2 });
        assert.deepEqual(r.paths.map((p) => p.from), [P.chat, P.file]);
      });

      it('takes explicit entries and targets, and refuses unknown ones', async () => {
        const r = await attackPaths(g.get(), { from: [P.ann], to: [P.prod] });
        assert.deepEqual(r.paths.map((p) => p.nodes), [[P.ann, P.chat, P.prod]]);
        const toChat = await attackPaths(g.get(), { from: [P.mallory, P.ben], to: [P.chat] });
        // Both reach chat only through sft: ben first by key on equal cost (.5 × .7).
        assert.deepEqual(toChat.paths.map((p) => p.nodes), [
          [P.ben, P.sft, P.chat],
          [P.mallory, P.sft, P.chat],
        ]);
        await assert.rejects(attackPaths(g.get(), { from: ['hf:user/ghost'] }), isUsage(/unknown node hf:user\/ghost/));
        await assert.rejects(attackPaths(g.get(), { k: 0 }), isUsage(/k must be a whole number/));
      });

      it('a path too long for maxDepth is not found', async () => {
        const r = await attackPaths(g.get(), { maxDepth: 2 });
        assert.deepEqual(r.paths.map((p) => p.from), [P.chat, P.file, P.open, P.torch]);
      });
    });

    describe('attack paths: crown jewels and edge likelihoods', () => {
      const g = withGraph(openStore, () => {
        const b = attackGraph();
        b.nodes.push({ kind: 'Model', key: P.chat, props: { analystTags: ['crown-jewel'] } });
        // An edge's own likelihood overrides the kind's default.
        b.edges = b.edges.map((e) => (e.kind === 'DEPENDS_ON' ? edge('DEPENDS_ON', e.from, e.to, { likelihood: 0.99 }) : e));
        return b;
      });

      it('targets the crown jewels when any are tagged, and ranks by the overridden likelihood', async () => {
        assert.deepEqual(await findTargets(g.get()), [P.chat]);
        const r = await attackPaths(g.get(), {});
        assert.deepEqual(r.paths.map((p) => p.nodes), [
          [P.torch, P.chat], // .99
          [P.file, P.chat], // .95
          [P.open, P.chat], // .7
          [P.mallory, P.sft, P.chat], // .35
        ]);
        assert.equal(r.paths[0]!.steps[0]!.likelihood, 0.99);
        assert.equal(EDGE_SPECS.DEPENDS_ON.likelihood, 0.6);
      });
    });

    describe('attack paths: analyst tags, not upstream tags', () => {
      const g = withGraph(openStore, () => {
        const b = attackGraph();
        // An upstream wrote crown-jewel and compromised into its own tags: that decides nothing.
        b.nodes.push({ kind: 'Model', key: P.base, props: { tags: ['crown-jewel', 'compromised'] } });
        // The analyst assumes ann's account is breached (she is an insider, so no rule makes her an entry point).
        b.nodes.push({ kind: 'Identity', key: P.ann, props: { analystTags: ['compromised'] } });
        return b;
      });

      it('a compromised tag makes an entry point; upstream tags make neither entries nor targets', async () => {
        const reasons = await entryPointReasons(g.get());
        assert.deepEqual(reasons.get(P.ann), ['compromised']);
        assert.equal(reasons.has(P.base), false);
        assert.deepEqual(await findTargets(g.get()), [P.prod]);
        const r = await attackPaths(g.get(), {});
        const ann = r.paths.find((p) => p.from === P.ann);
        assert.deepEqual(ann?.nodes, [P.ann, P.chat, P.prod]);
      });
    });

    describe('ownership: the namespace in the key decides, an author field only where the key names none', () => {
      const victim = 'hf:model/victim/m';
      const registered = 'mlflow:model/fraud/3';
      const g = withGraph(openStore, (): RecordBatch => ({
        nodes: [
          // The record says eve wrote it; the namespace says victim owns it, and victim controls who can write.
          { kind: 'Model', key: victim, props: { author: 'eve' } },
          { kind: 'Identity', key: 'hf:user/eve' },
          { kind: 'Model', key: registered, props: { author: 'Risk' } },
          { kind: 'Identity', key: 'hf:user/rita', props: { org: 'risk' } },
          { kind: 'Identity', key: 'hf:user/olaf' },
        ],
        edges: [
          edge('CAN_WRITE', 'hf:user/eve', victim),
          edge('CAN_WRITE', 'hf:user/rita', registered),
          edge('CAN_WRITE', 'hf:user/olaf', registered),
        ],
      }));

      it('an author naming the writer does not hide an outside writer; an ownerless key is owned by its author', async () => {
        const reasons = await entryPointReasons(g.get());
        assert.deepEqual(reasons.get('hf:user/eve'), ['outside-writer']);
        assert.equal(reasons.has('hf:user/rita'), false, 'rita is in risk, which authored the registered model');
        assert.deepEqual(reasons.get('hf:user/olaf'), ['outside-writer']);
      });
    });

    describe('floating revisions: recorded branch vs no revision at all', () => {
      const space = 'hf:space/acme/plain';
      const served = 'hf:model/acme/plain-model';
      const g = withGraph(openStore, () => ({
        nodes: [
          { kind: 'Endpoint', key: space },
          { kind: 'Model', key: served },
        ],
        edges: [edge('SERVES', space, served)],
      }));

      it('an edge that records no revision is a finding, not an entry point; one that says "main" is both', async () => {
        assert.deepEqual(await findEntryPoints(g.get()), []);
        assert.deepEqual((await runFindings(g.get())).filter((f) => f.rule === 'unpinned-revision').map((f) => f.nodes), [[space, served]]);
        await g.get().upsert({ nodes: [], edges: [edge('SERVES', space, served, { revision: 'main' })] });
        assert.deepEqual(await findEntryPoints(g.get()), [served]);
        assert.deepEqual((await entryPointReasons(g.get())).get(served), ['floating-revision']);
      });
    });

    describe('findings', () => {
      const g = withGraph(openStore, postureGraph);
      const summary = (fs: { rule: string; severity: string; nodes: string[] }[]) => fs.map((f) => `${f.severity} ${f.rule} ${f.nodes.join(',')}`).sort();

      it('every rule fires where it should and nowhere else', async () => {
        const findings = await runFindings(g.get());
        assert.deepEqual(summary(findings), [
          `critical pickle-dangerous ${F.rootPickle},${F.root},${F.served}`,
          `critical vulnerable-dependency ${F.vulnA},${F.transformers},${F.served}`,
          `high missing-base ${F.goneBase},${F.orphan}`,
          `high outside-writer ${F.app},${F.mallory},${F.train}`,
          `high outside-writer ${F.app},${F.open}`,
          // upman is an admin of up, which owns root: the upstream writing its own model, the normal supply chain.
          `info outside-writer ${F.app},${F.upman},${F.root}`,
          `high pickle-unscanned ${F.midBin},${F.mid},${F.served}`,
          `medium custom-code ${F.served},${F.app}`,
          `medium license-drift ${F.mid},${F.root}`,
          `medium license-drift ${F.served},${F.root}`,
          // transitive: served → safe → deep (vulnerable)
          `medium vulnerable-dependency ${F.vulnC},${F.deep},${F.served}`,
          // no revision, "master" and "main" float; demo's sha1 and pipeline's sha256 pins do not.
          `medium unpinned-revision ${F.app},${F.served}`,
          `medium unpinned-revision ${F.trainer},${F.served}`,
          `medium unpinned-revision ${F.trainer},${F.train}`,
          // gated "auto" and a private dataset directly; gated "manual" through the ancestor mid. open (gated false)
          // is not; privateModel's gated consented is not (the model is private).
          `medium gated-data-in-public-model ${F.licensed},${F.served}`,
          `medium gated-data-in-public-model ${F.internalData},${F.served}`,
          `medium gated-data-in-public-model ${F.train},${F.mid},${F.served}`,
        ].sort());
        // Most severe first.
        assert.deepEqual(findings.map((f) => f.severity), [
          ...Array(2).fill('critical'),
          ...Array(4).fill('high'),
          ...Array(10).fill('medium'),
          'info',
        ]);
      });

      it('negatives: unserved models, insiders, stricter derivatives and unused missing models raise nothing', async () => {
        const all = (await runFindings(g.get())).flatMap((f) => f.nodes);
        for (const quiet of [F.lonely, F.lonelyPickle, F.numpy, F.vulnB, F.insider, F.strictChild, F.permBase, F.goneUnused, F.servedSafe, F.safePkg, F.demo, F.internal, F.privateModel, F.consented, F.pipeline]) {
          assert.ok(!all.includes(quiet), `${quiet} should not appear in any finding`);
        }
        // open is in an outside-writer finding, but its gated: false raises no gated-data finding.
        const gated = (await runFindings(g.get(), { rules: ['gated-data-in-public-model'] })).flatMap((f) => f.nodes);
        assert.ok(!gated.includes(F.open));
      });

      it('unpinned-revision and gated-data evidence name the edge, its revision, the dataset and its gated value', async () => {
        const found = await runFindings(g.get(), { rules: ['unpinned-revision', 'gated-data-in-public-model'] });
        const by = (rule: string, ...nodes: string[]) => found.find((f) => f.rule === rule && f.nodes.join() === nodes.join())!;
        assert.deepEqual(by('unpinned-revision', F.app, F.served).evidence, [`${F.app} SERVES ${F.served} at no revision (loads the default branch) (source test, evidence fixture)`]);
        assert.deepEqual(by('unpinned-revision', F.trainer, F.train).evidence, [`${F.trainer} USES ${F.train} at revision "main" (source test, evidence fixture)`]);
        assert.deepEqual(by('unpinned-revision', F.trainer, F.served).evidence, [`${F.trainer} USES ${F.served} at revision "master" (source test, evidence fixture)`]);
        assert.match(by('unpinned-revision', F.app, F.served).remediation, /commit sha/);
        assert.deepEqual(by('gated-data-in-public-model', F.train, F.mid, F.served).evidence, [
          `${F.train} is gated: "manual"`,
          `${F.mid} was trained on ${F.train}`,
          `lineage: ${F.served} → ${F.mid}`,
          `${F.served} is not private and is served by ${F.app}`,
        ]);
        assert.deepEqual(by('gated-data-in-public-model', F.licensed, F.served).evidence, [
          `${F.licensed} is gated: "auto"`,
          `${F.served} was trained on ${F.licensed}`,
          `${F.served} is not private and is served by ${F.app}`,
        ]);
        assert.deepEqual(by('gated-data-in-public-model', F.internalData, F.served).evidence[0], `${F.internalData} is private: true`);
        assert.match(by('gated-data-in-public-model', F.licensed, F.served).remediation, /licens.*consent|consent.*licens/);
      });

      it('the two rules read the graph in whole frontiers: one expand per consumer kind page, per lineage level', async () => {
        const { store, calls } = recording(g.get());
        await runFindings(store, { rules: ['unpinned-revision'] });
        // Consumer kinds of SERVES and USES: Endpoint, Repository, Package, one page each.
        assert.deepEqual(calls.map((c) => [c.direction, c.edgeKinds, c.keys]), [
          ['out', ['SERVES', 'USES'], [F.app, F.demo, F.internal].sort()],
          ['out', ['SERVES', 'USES'], [F.pipeline, F.trainer].sort()],
          ['out', ['SERVES', 'USES'], [F.transformers, F.numpy, F.safePkg, F.deep].sort()],
        ]);
        calls.length = 0;
        await runFindings(store, { rules: ['gated-data-in-public-model'] });
        // Served models (one page of endpoints); lineage up from the public served models, level by level
        // (privateModel is left out); then TRAINED_ON out of the whole lineage at once.
        assert.deepEqual(calls.map((c) => [c.direction, c.edgeKinds, c.keys]), [
          ['out', ['SERVES'], [F.app, F.demo, F.internal].sort()],
          ['out', ['DERIVED_FROM'], [F.root, F.served].sort()],
          ['out', ['DERIVED_FROM'], [F.mid]],
          ['out', ['TRAINED_ON'], [F.served, F.mid, F.root].sort()],
        ]);
      });

      it('the two pickle rules share one read of the served lineage\'s files', async () => {
        const { store, calls } = recording(g.get());
        const found = await runFindings(store, { rules: ['pickle-dangerous', 'pickle-unscanned'] });
        assert.ok(found.some((f) => f.rule === 'pickle-dangerous') && found.some((f) => f.rule === 'pickle-unscanned'));
        assert.equal(calls.filter((c) => c.edgeKinds?.includes('CONTAINS')).length, 1);
      });

      it('entry points: assets consumed at a floating revision, beside the other rules', async () => {
        const reasons = await entryPointReasons(g.get());
        assert.deepEqual(Object.fromEntries(reasons), {
          [F.open]: ['public-write'],
          // trainer USES train at "main"
          [F.train]: ['floating-revision'],
          [F.lonelyPickle]: ['dangerous-file'],
          [F.rootPickle]: ['dangerous-file'],
          // app SERVES served with no revision, trainer USES it at "master"
          [F.served]: ['floating-revision'],
          [F.mallory]: ['outside-writer'],
          // F.deep's only advisory is medium: a posture finding, not an entry point.
          [F.numpy]: ['vulnerable-package'],
          [F.transformers]: ['vulnerable-package'],
        });
        // Pinned: root (sha1 from demo), privateModel (sha1 from internal), lonely (sha256 from pipeline).
        for (const pinned of [F.root, F.privateModel, F.lonely]) assert.ok(!reasons.has(pinned), pinned);
        assert.deepEqual([...reasons.keys()], [...reasons.keys()].sort());
        assert.equal(SHA1.length, 40);
        assert.equal(SHA256.length, 64);
      });

      it('evidence explains, ids are stable, and minSeverity filters', async () => {
        const first = await runFindings(g.get());
        const second = await runFindings(g.get());
        assert.deepEqual(second.map((f) => f.id), first.map((f) => f.id));
        for (const f of first) assert.match(f.id, new RegExp(`^${f.rule}:[0-9a-f]{16}$`));
        const drift = first.find((f) => f.rule === 'license-drift' && f.nodes[0] === F.served)!;
        assert.deepEqual(drift.evidence, [
          `${F.served} is licensed mit (permissive)`,
          `its ancestor ${F.root} is licensed cc-by-nc-4.0 (restricted)`,
          `lineage: ${F.served} → ${F.mid} → ${F.root}`,
        ]);
        const mallory = first.find((f) => f.rule === 'outside-writer' && f.nodes.includes(F.mallory))!;
        assert.deepEqual(mallory.evidence, [
          `${F.app} is owned by acme`,
          `${F.mallory} can write ${F.train} as write (training data of ${F.mid}) and is not in acme: an outsider can write the organisation's own asset`,
        ]);
        assert.equal(mallory.severity, 'high');
        const upstream = first.find((f) => f.rule === 'outside-writer' && f.nodes.includes(F.upman))!;
        assert.equal(upstream.severity, 'info');
        assert.match(upstream.evidence[1]!, /the upstream owner \(up\) writing its own asset, the normal supply chain$/);
        assert.equal((await runFindings(g.get(), { minSeverity: 'high' })).length, 6);
        assert.deepEqual((await runFindings(g.get(), { minSeverity: 'critical' })).map((f) => f.rule).sort(), ['pickle-dangerous', 'vulnerable-dependency']);
        await assert.rejects(runFindings(g.get(), { minSeverity: 'severe' as 'high' }), isUsage(/minSeverity must be one of/));
      });
    });
  });
}

const model = (name: string) => `hf:model/acme/${name}`;
