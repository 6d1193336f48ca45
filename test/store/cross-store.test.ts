/**
 * What a user diffs is the same bytes on either store: one graph is imported into SQLite and into Neo4j the same
 * way (three files, the later ones merging into nodes the first wrote, props in shuffled orders, several writers
 * per asset), then every diffable output is produced by the CLI from each and compared byte for byte.
 *
 * Runs where the Neo4j suites run (NEO4J_URI and the wipe guard, see test/helpers/neo4j.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it, test } from 'node:test';
import type { EdgeRecord, NodeRecord, Props, RecordBatch } from '../../schema/records.ts';
import { ROOT, runCli, tempWorkspace } from '../helpers/cli.ts';
import { neo4jTestTarget } from '../helpers/neo4j.ts';

const target = neo4jTestTarget('cross-store comparison');

/** The same props with their names in reverse order: what a store returns must not depend on it. */
function reversed(props: Props | undefined): Props | undefined {
  if (!props) return props;
  const out: Props = {};
  for (const name of Object.keys(props).reverse()) Object.defineProperty(out, name, { value: props[name], enumerable: true, writable: true, configurable: true });
  return out;
}

function graphFiles(dir: string): string[] {
  const read = (path: string) => JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as RecordBatch;
  const reports = read('test/fixtures/reports/graph.json');
  const lineage = read('test/fixtures/aibom/lineage-graph.json');
  const models = [...reports.nodes, ...lineage.nodes].filter((n) => n.kind === 'Model').map((n) => n.key);
  // Third file: the same nodes again with props in another order and a few changes, and extra writers, so that
  // assets have several outside writers (findings list their evidence) and props are merged across writes.
  const patch: RecordBatch = {
    nodes: [...reports.nodes, ...lineage.nodes].map((n): NodeRecord => ({ kind: n.kind, key: n.key, props: { zz: 'late', ...reversed(n.props), aa: n.key.length } })),
    edges: models.flatMap((m, i): EdgeRecord[] => [
      { kind: 'CAN_WRITE', from: `hf:user/outsider${i % 3}`, to: m, source: 'patch', props: { role: 'write' } },
      { kind: 'CAN_WRITE', from: 'hf:user/zed', to: m, source: 'patch', props: { role: 'admin' } },
      { kind: 'CAN_WRITE', from: 'hf:user/abe', to: m, source: 'patch' },
    ]),
  };
  const files = [
    { name: 'reports.json', batch: { nodes: reports.nodes.map((n) => ({ ...n, props: reversed(n.props) })), edges: reports.edges } },
    { name: 'lineage.json', batch: lineage },
    { name: 'patch.json', batch: patch },
  ];
  return files.map(({ name, batch }) => {
    const path = join(dir, name);
    // An edge without observedAt is stamped with the time of its write, which two imports cannot share.
    const edges = batch.edges.map((e) => ({ ...e, observedAt: e.observedAt ?? '2026-01-01T00:00:00.000Z' }));
    writeFileSync(path, JSON.stringify({ nodes: batch.nodes, edges }));
    return path;
  });
}

if (target.status === 'skip') {
  test('outputs are byte-identical across stores', { skip: target.reason }, () => {});
} else if (target.status === 'refuse') {
  test('outputs are byte-identical across stores', () => assert.fail(target.reason));
} else {
  describe('outputs are byte-identical across stores', () => {
    const ws = tempWorkspace('aispm-cross-');
    const specs = { sqlite: ws.store, neo4j: target.uri };
    const env = { AISPM_STORE: undefined };

    before(async () => {
      await target.wipe();
      const files = graphFiles(ws.dir);
      for (const spec of Object.values(specs)) {
        for (const file of files) {
          const r = await runCli(['import', file, '--store', spec], { env });
          assert.equal(r.code, 0, r.stderr);
        }
      }
    });
    after(async () => {
      await target.close();
      ws.cleanup();
    });

    /** Runs the same command on both stores; returns both outputs with the store's own name taken out. */
    async function both(args: string[]): Promise<{ sqlite: string; neo4j: string }> {
      const run = async (name: keyof typeof specs) => {
        const r = await runCli([...args, '--store', specs[name]], { env });
        assert.ok(r.code === 0 || r.code === 1, `${name}: ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
        return r.stdout;
      };
      const [sqlite, neo4j] = await Promise.all([run('sqlite'), run('neo4j')]);
      return { sqlite, neo4j };
    }

    it('export: every node and edge, the same bytes', async () => {
      const out = await both(['export']);
      assert.ok(out.sqlite.split('\n').length > 60, 'a real graph was exported');
      assert.equal(out.neo4j, out.sqlite);
      // Merged props come back in name order on both (the files wrote them reversed and in another order).
      const first = JSON.parse(out.sqlite.split('\n')[0]!) as { props: Props };
      const names = Object.keys(first.props);
      assert.deepEqual(names, [...names].sort());
    });

    it('findings: the same findings with the same evidence, in the same order', async () => {
      const out = await both(['findings', '--json']);
      const parsed = JSON.parse(out.sqlite) as { total: number; findings: { id: string; evidence: string[] }[] };
      assert.ok(parsed.total > 5, `findings were raised (${parsed.total})`);
      assert.ok(parsed.findings.some((f) => f.id.startsWith('outside-writer:') && f.evidence.length >= 7), 'an outside-writer finding lists one writer on six assets');
      assert.equal(out.neo4j, out.sqlite);
    });

    it('SARIF and JSON reports: the same bytes but for the time and the store they name', async () => {
      for (const format of ['sarif', 'json', 'md']) {
        const out = await both(['report', '--format', format]);
        const normal = (text: string, spec: string) =>
          text
            .replaceAll(spec, '<store>')
            .replaceAll(/"generatedAt": "[^"]+"|Generated \S+/g, '<time>')
            .replaceAll(/(sqlite|neo4j) (?=<store>)/g, '');
        assert.ok(out.sqlite.length > 1000, `a real ${format} report`);
        assert.equal(normal(out.neo4j, specs.neo4j.replace(/^sqlite:/, '')), normal(out.sqlite, ws.dbPath), format);
      }
    });

    it('BOMs of every model (deterministic): the same bytes', async () => {
      const dirs = { sqlite: join(ws.dir, 'bom-sqlite'), neo4j: join(ws.dir, 'bom-neo4j') };
      await Promise.all(
        (['sqlite', 'neo4j'] as const).map(async (name) => {
          const r = await runCli(['bom', '--all', '--deterministic', '--out', dirs[name], '--store', specs[name]], { env });
          assert.equal(r.code, 0, r.stderr);
        }),
      );
      const files = readdirSync(dirs.sqlite).sort();
      assert.ok(files.length >= 10, `a BOM per model (${files.length})`);
      assert.deepEqual(readdirSync(dirs.neo4j).sort(), files);
      for (const f of files) assert.equal(readFileSync(join(dirs.neo4j, f), 'utf8'), readFileSync(join(dirs.sqlite, f), 'utf8'), f);
    });

    it('blast radius, attack paths and lineage: the same answers', async () => {
      for (const args of [
        ['blast-radius', 'hf:dataset/crowd/webtext', '--json'],
        ['paths', '--k', '10', '--json'],
        ['lineage', 'hf:model/AcmeAI/Chat-Tuned-7B', '--direction', 'both', '--json'],
      ]) {
        const out = await both(args);
        assert.ok(out.sqlite.length > 200, `${args[0]} answered`);
        assert.equal(out.neo4j, out.sqlite, args.join(' '));
      }
    });
  });
}
