/**
 * Re-runs of `aispm ingest mlflow`: models unchanged since the last complete read are not read again (no run, no
 * artifacts fetched); a changed version is; a deleted version, logged model or endpoint is removed only after a
 * complete listing, and a deleted version an endpoint still routes to stays, marked missing. On SQLite always; on
 * Neo4j when a throwaway server is configured (see test/helpers/neo4j.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { tempWorkspace } from '../helpers/cli.ts';
import { neo4jTestTarget } from '../helpers/neo4j.ts';
import { edgeSet } from '../ingest-hf/harness.ts';
import { graphOf, ingestMlflow, startServers, type Servers } from './harness.ts';

type Json = Record<string, any>;

interface Target {
  store: string;
  env: Record<string, string | undefined>;
  done(): Promise<void>;
}

function suite(name: string, open: () => Promise<Target>): void {
  describe(`aispm ingest mlflow, run again (${name})`, () => {
    let target: Target;
    let servers: Servers;

    const run = async (extra: string[] = []): Promise<Json> => {
      const r = await ingestMlflow(servers, target.store, ['--json', ...extra], target.env);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout);
    };

    before(async () => {
      target = await open();
      servers = await startServers(3);
      await run();
    });
    after(async () => {
      await servers?.close();
      await target?.done();
    });

    it('reads nothing again when nothing changed', async () => {
      const before = servers.mlflow.log.length;
      const s = await run();
      assert.deepEqual([s.versions.read, s.versions.unchanged, s.loggedModels.unchanged], [0, 8, 1]);
      const requests = servers.mlflow.log.slice(before);
      assert.ok(!requests.some((l) => /runs\/get|artifacts|get-artifact/.test(l)), requests.join('\n'));
    });

    it('reads a changed version again, and only it', async () => {
      const v = servers.mlflow.registry.data.versions.find((x) => x.name === 'fraud-sklearn' && x.version === '2')!;
      v.description = 'retrained on March data';
      v.updated = Date.UTC(2025, 2, 31);
      const s = await run();
      assert.deepEqual([s.versions.read, s.versions.unchanged], [1, 7]);
      const node = (await graphOf(target.store)).nodes.get('mlflow:model/fraud-sklearn/2')!;
      assert.equal(node.props.description, 'retrained on March data');
    });

    it('removes nothing when a listing stops part-way', async () => {
      const data = servers.mlflow.registry.data;
      data.versions = data.versions.filter((x) => !(x.name === 'churn' && x.version === '3'));
      servers.mlflow.faults.push({ match: 'model-versions/search?max_results=1000&page_token=', status: 503, times: 100 });
      const s = await run(['--retry-base-ms', '0']);
      servers.mlflow.faults.length = 0;
      assert.equal(s.versions.removed, 0);
      assert.ok(s.warnings.some((w: Json) => /listing of model versions stopped part-way.*nothing is removed/.test(w.message)), JSON.stringify(s.warnings));
      assert.ok((await graphOf(target.store)).nodes.has('mlflow:model/churn/3'));
    });

    it('removes deleted versions and endpoints after a complete listing, keeping a version an endpoint still routes to as missing', async () => {
      const data = servers.mlflow.registry.data;
      data.versions = data.versions.filter((x) => !(x.name === 'fraud-sklearn' && x.version === '2'));
      data.servingEndpoints = data.servingEndpoints!.filter((e) => e.name !== 'support-bot-prod');
      const s = await run();
      assert.equal(s.versions.removed, 1, 'churn v3 is gone');
      assert.equal(s.endpoints.removed, 1);
      const g = await graphOf(target.store);
      assert.ok(!g.nodes.has('mlflow:model/churn/3'));
      assert.ok(![...g.nodes.keys()].some((k) => k.startsWith('mlflow:file/churn/3/')), 'with its files');
      assert.ok(!g.nodes.has('mlflow:endpoint/support-bot-prod'));
      assert.deepEqual(edgeSet(g, 'SERVES'), ['mlflow:endpoint/fraud-scoring -> mlflow:model/fraud-sklearn/1', 'mlflow:endpoint/fraud-scoring -> mlflow:model/fraud-sklearn/2']);
      const gone = g.nodes.get('mlflow:model/fraud-sklearn/2')!;
      assert.equal(gone.props.missing, true, 'still routed to by fraud-scoring, so kept and marked');
      assert.ok(!g.edges.some((e) => e.from === 'mlflow:model/fraud-sklearn/2'), 'its own lineage and files are gone');
      assert.ok(!g.edges.some((e) => e.kind === 'CAN_WRITE' && e.to === 'mlflow:model/fraud-sklearn/2'));
    });
  });
}

suite('sqlite', async () => {
  const ws = tempWorkspace('aispm-mlflow-incr-');
  return { store: ws.store, env: {}, done: async () => ws.cleanup() };
});

const neo4j = neo4jTestTarget('MLflow incremental test');
if (neo4j.status === 'ok') {
  suite('neo4j', async () => {
    await neo4j.wipe();
    const env = { NEO4J_URI: neo4j.uri, NEO4J_USER: process.env.NEO4J_USER, NEO4J_PASSWORD: process.env.NEO4J_PASSWORD, NEO4J_DATABASE: process.env.NEO4J_DATABASE };
    return { store: neo4j.uri, env, done: () => neo4j.close() };
  });
} else {
  describe('aispm ingest mlflow, run again (neo4j)', () => {
    it('runs against Neo4j', { skip: neo4j.reason }, () => undefined);
  });
}
