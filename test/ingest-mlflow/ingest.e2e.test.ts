/**
 * `aispm ingest hf` then `aispm ingest mlflow` into one store, against a Hub replay and an MLflow replay of each
 * generation (and on Neo4j when a throwaway server is configured): a poisoned Hub dataset's blast radius reaches
 * the Hub fine-tune, the registry version derived from it and the endpoint serving that version, with their owners;
 * so does a compromised Hub base model; the os.system pickle is a critical finding on the endpoint serving it; the
 * version's BOM is valid CycloneDX with pedigree to the Hub base and its datasets; what the server could not give
 * is a warning, and no credential reaches the graph or the output.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { validateAibom } from '../../services/aibom/index.ts';
import { runCli, tempWorkspace } from '../helpers/cli.ts';
import { neo4jTestTarget } from '../helpers/neo4j.ts';
import { edgeSet, type Exported } from '../ingest-hf/harness.ts';
import { CHAT_FT_SHA, POISONED, SECRET_REPO_TOKEN } from './fixtures.ts';
import { findingsOf, graphOf, ingestHub, ingestMlflow, startServers, type Servers } from './harness.ts';

type Json = Record<string, any>;

/** Where a run's graph goes: a fresh SQLite file, or the throwaway Neo4j server when one is configured. */
interface Target {
  store: string;
  done(): Promise<void>;
}

const sqlite = async (): Promise<Target> => {
  const ws = tempWorkspace('aispm-mlflow-');
  return { store: ws.store, done: async () => ws.cleanup() };
};
const neo4j = neo4jTestTarget('MLflow end-to-end test');
const runs: { generation: 2 | 3; storeName: string; open: () => Promise<Target> }[] = [
  { generation: 2, storeName: 'sqlite', open: sqlite },
  { generation: 3, storeName: 'sqlite', open: sqlite },
];
if (neo4j.status === 'ok') {
  // The MLflow 3 story on Neo4j: the same lineage, blast radius, findings and BOM from the other store.
  runs.push({ generation: 3, storeName: 'neo4j', open: async () => (await neo4j.wipe(), { store: neo4j.uri, done: () => neo4j.close() }) });
} else {
  describe('aispm ingest mlflow against an MLflow 3 server (neo4j)', () => {
    it('runs against Neo4j', { skip: neo4j.reason }, () => undefined);
  });
}

for (const { generation, storeName, open } of runs) {
  describe(`aispm ingest mlflow against an MLflow ${generation} server (${storeName})`, () => {
    let ws: Target;
    let servers: Servers;
    let summary: Json;
    let stdout: string;
    let graph: Exported;

    before(async () => {
      ws = await open();
      servers = await startServers(generation);
      const hf = await ingestHub(servers, ws.store);
      assert.equal(hf.code, 0, hf.stderr);
      const r = await ingestMlflow(servers, ws.store, ['--json']);
      assert.equal(r.code, 0, r.stderr);
      stdout = r.stdout + r.stderr;
      summary = JSON.parse(r.stdout);
      graph = await graphOf(ws.store);
    });
    after(async () => {
      await servers?.close();
      await ws?.done();
    });

    it('names the generation it read and counts what it read', () => {
      assert.equal(summary.generation, `mlflow-${generation}`);
      assert.equal(summary.registeredModels, 4);
      assert.equal(summary.versions.listed, 8);
      assert.equal(summary.versions.read, 8);
      assert.equal(summary.endpoints.api, 'serving-endpoints');
      assert.equal(summary.endpoints.read, 2);
      assert.equal(summary.access, 'databricks');
      if (generation === 3) assert.deepEqual([summary.loggedModels.unregistered, summary.loggedModels.read], [1, 1]);
      else assert.equal(summary.loggedModels.listed, 0);
    });

    it('a poisoned Hub dataset reaches the Hub fine-tune, the version derived from it, and the endpoint serving it, with its owner', async () => {
      const r = await runCli(['blast-radius', POISONED, '--store', ws.store, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const br = JSON.parse(r.stdout);
      const depth = new Map<string, number>(br.nodes.map((n: Json) => [n.key, n.depth]));
      assert.equal(depth.get('hf:model/acme/chat-ft'), 1);
      assert.equal(depth.get('mlflow:model/support-bot/1'), 2, 'through its transformers flavor base');
      assert.equal(depth.get('mlflow:model/support-bot/2'), 3, 'registered from v1');
      assert.equal(depth.get('mlflow:model/team%2Franker/1'), 1, 'read the poisoned set by its Hub URL');
      const endpoint = br.endpoints.find((e: Json) => e.key === 'mlflow:endpoint/support-bot-prod');
      assert.ok(endpoint, JSON.stringify(br.endpoints));
      assert.deepEqual(endpoint.path, [POISONED, 'hf:model/acme/chat-ft', 'mlflow:model/support-bot/1', 'mlflow:endpoint/support-bot-prod']);
      assert.deepEqual(endpoint.owners, ['mlflow:user/alice@acme.example'], 'CAN_MANAGE is an owner; CAN_QUERY is not');
      const owners = new Map<string, string[]>(br.nodes.map((n: Json) => [n.key, n.owners]));
      assert.deepEqual(owners.get('hf:model/acme/chat-ft'), ['hf:org/acme'], 'the Hub fine-tune is owned on the Hub');
      assert.deepEqual(owners.get('mlflow:model/support-bot/1'), ['mlflow:org/admins', 'mlflow:user/bob@acme.example'], 'the registry version by who may write it');
      if (generation === 3) assert.equal(depth.get('mlflow:logged-model/m-e9e9e90000000000000000000000001'), 1, 'the unregistered logged model trained on it');
    });

    it('a compromised Hub base model reaches the registry versions built on it and the endpoint serving them', async () => {
      const r = await runCli(['blast-radius', 'hf:model/acme/base-llm', '--store', ws.store, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const br = JSON.parse(r.stdout);
      assert.deepEqual(br.nodes.map((n: Json) => `${n.key}@${n.depth}`).sort(), [
        'hf:model/acme/chat-ft@1',
        'mlflow:endpoint/support-bot-prod@3',
        'mlflow:model/support-bot/1@2',
        'mlflow:model/support-bot/2@3',
      ]);
      const [endpoint] = br.endpoints;
      assert.deepEqual(endpoint.hops.map((h: Json) => `${h.edgeKind}:${h.relation ?? ''}`), ['DERIVED_FROM:finetune', 'DERIVED_FROM:finetune', 'SERVES:']);
      assert.equal(endpoint.hops[1].revision, CHAT_FT_SHA, 'the revision the transformers flavor names');
      assert.deepEqual(endpoint.owners, ['mlflow:user/alice@acme.example']);
    });

    it('the os.system pickle is a critical finding naming the endpoint that serves it; registry versions are pinned', async () => {
      const findings = await findingsOf(ws.store);
      const pickle = findings.find((f) => f.rule === 'pickle-dangerous');
      assert.ok(pickle, JSON.stringify(findings.map((f) => f.rule)));
      assert.equal(pickle.severity, 'critical');
      assert.equal(pickle.nodes[0], 'mlflow:file/fraud-sklearn/1/model.pkl');
      assert.ok(pickle.evidence.some((e: string) => e.includes('mlflow:endpoint/fraud-scoring')), pickle.evidence.join('\n'));
      assert.ok(pickle.evidence.some((e: string) => e.includes('os.system')));
      assert.equal(findings.filter((f) => f.rule === 'unpinned-revision').length, 0, 'serving a registry version pins it');
    });

    it('the version BOM is valid CycloneDX with pedigree to the Hub base and its training datasets', async () => {
      const r = await runCli(['bom', 'mlflow:model/support-bot/1', '--store', ws.store]);
      assert.equal(r.code, 0, r.stderr);
      const bom = JSON.parse(r.stdout);
      const valid = validateAibom(bom, '1.6');
      assert.equal(valid.valid, true, valid.errors.slice(0, 10).join('\n'));
      const ancestors = (bom.metadata.component.pedigree?.ancestors ?? []).map((a: Json) => a.purl);
      assert.ok(ancestors.some((p: string) => p.startsWith('pkg:huggingface/acme/chat-ft@')), ancestors.join(', '));
      const refs = bom.components.map((c: Json) => c['bom-ref']);
      for (const d of ['hf:dataset/acme/support-tickets', 'mlflow:dataset/tickets-extra@0badf00d']) assert.ok(refs.includes(d), `${d} in ${refs.join(', ')}`);
    });

    it('records lineage, traffic, write access and files as the server gives them', () => {
      assert.deepEqual(edgeSet(graph, 'DERIVED_FROM').filter((e) => e.startsWith('mlflow:')), [
        'mlflow:model/support-bot/1 -> hf:model/acme/chat-ft (finetune)',
        'mlflow:model/support-bot/2 -> mlflow:model/support-bot/1 (unknown)',
      ]);
      const serves = graph.edges.filter((e) => e.kind === 'SERVES').map((e) => `${e.from} -> ${e.to} ${e.props?.trafficPercentage}%`).sort();
      assert.deepEqual(serves, [
        'mlflow:endpoint/fraud-scoring -> mlflow:model/fraud-sklearn/1 80%',
        'mlflow:endpoint/fraud-scoring -> mlflow:model/fraud-sklearn/2 20%',
        'mlflow:endpoint/support-bot-prod -> mlflow:model/support-bot/1 100%',
      ]);
      const builds = graph.edges.filter((e) => e.kind === 'BUILDS').map((e) => `${e.from} -> ${e.to} @${e.props?.commit}`).sort();
      assert.deepEqual(builds, [
        'gh:repo/acme/fraud-models -> mlflow:model/fraud-sklearn/1 @1234567890abcdef1234567890abcdef12345678',
        'gh:repo/acme/trainer -> mlflow:model/support-bot/1 @9f8e7d6c5b4a39281706f5e4d3c2b1a098765432',
      ]);
      const writers = graph.edges.filter((e) => e.kind === 'CAN_WRITE' && e.to.startsWith('mlflow:model/support-bot/')).map((e) => `${e.from} ${e.props?.role}`);
      assert.deepEqual([...new Set(writers)].sort(), ['mlflow:org/admins CAN_MANAGE', 'mlflow:user/bob@acme.example CAN_EDIT'], 'CAN_READ is no write access');
      const v1 = graph.nodes.get('mlflow:model/support-bot/1')!.props;
      assert.equal(v1.creator, 'mlflow:user/carol@acme.example');
      assert.ok(!graph.edges.some((e) => e.kind === 'CAN_WRITE' && e.from === 'mlflow:user/carol@acme.example'), 'the creator is not assumed to have write access');
      assert.deepEqual(v1.aliases, ['champion']);
      assert.equal(v1.stage, 'Production');
      assert.equal(v1.library, 'transformers');
      const trained = edgeSet(graph, 'TRAINED_ON').filter((e) => e.startsWith('mlflow:model/support-bot/1'));
      assert.deepEqual(trained, ['mlflow:model/support-bot/1 -> hf:dataset/acme/support-tickets', 'mlflow:model/support-bot/1 -> mlflow:dataset/tickets-extra@0badf00d']);
      const pinned = graph.edges.find((e) => e.kind === 'TRAINED_ON' && e.to === 'hf:dataset/acme/support-tickets');
      assert.equal(pinned?.props?.revision, '5e70000000000000000000000000000000000000');
      assert.equal(graph.nodes.get('mlflow:dataset/transactions@062ac4fa')!.props.location, 'main.fraud.transactions');
      const runtime = graph.edges.filter((e) => e.kind === 'DEPENDS_ON' && e.from === 'mlflow:model/support-bot/1' && e.props?.scope === 'runtime').map((e) => `${e.to} ${e.evidence}`).sort();
      assert.deepEqual(runtime, ['pkg:pypi/mlflow@2.16.0 requirements.txt:1', 'pkg:pypi/torch@2.3.1 requirements.txt:3', 'pkg:pypi/transformers@4.44.2 requirements.txt:2'], 'conda.yaml repeats the pins: one edge each');
      const pkl = graph.nodes.get('mlflow:file/fraud-sklearn/1/model.pkl')!.props;
      assert.deepEqual([pkl.format, pkl.scanStatus, pkl.scanGlobals], ['pickle', 'dangerous', ['os.system']]);
      assert.equal(graph.nodes.get('mlflow:file/team%2Franker/1/data/model.pth')!.props.scanStatus, 'safe');
    });

    it('says what it could not read, per version, and which production versions no endpoint serves', () => {
      const said = (repo: string, text: RegExp) => summary.warnings.some((w: Json) => w.repo === repo && text.test(w.message));
      assert.ok(said('churn v1', /run r1churn could not be read .*RESOURCE_DOES_NOT_EXIST/), JSON.stringify(summary.warnings));
      assert.ok(said('churn v2', /MLmodel does not parse/));
      if (generation === 3) assert.ok(said('churn v3', /logged model m-c4a0000000000000000000000000003 could not be read/));
      assert.deepEqual(summary.servingUnknown, [{ key: 'mlflow:model/churn/2', aliases: ['production'] }]);
      assert.ok(graph.nodes.has('mlflow:model/churn/2'), 'a version with a broken MLmodel is still recorded');
    });

    if (generation === 3) {
      it('records the logged model no version registers, and the evaluation run behind the registered one', () => {
        const lm = graph.nodes.get('mlflow:logged-model/m-e9e9e90000000000000000000000001');
        assert.equal(lm?.props.runId, 'rexplore');
        assert.ok(graph.nodes.has('mlflow:logged-model-file/m-e9e9e90000000000000000000000001/model.pkl'));
        assert.deepEqual(edgeSet(graph, 'EVALUATED_ON'), ['mlflow:model/support-bot/1 -> hf:dataset/acme/eval-suite']);
        assert.equal(graph.nodes.get('mlflow:model/support-bot/1')!.props.loggedModelId, 'm-5a11aa0000000000000000000000001');
        assert.ok(![...graph.nodes.keys()].some((k) => k.startsWith('mlflow:logged-model/m-5a11')), 'a registered logged model is its version, not a second node');
      });
    } else {
      it('an MLflow 2 server has no logged models', () => {
        assert.ok(![...graph.nodes.keys()].some((k) => k.startsWith('mlflow:logged-model')));
        assert.ok(servers.mlflow.log.some((l) => l.startsWith('POST /api/2.0/mlflow/logged-models/search')), 'the generation was probed');
      });
    }

    it('no credential reaches the graph or the output', () => {
      assert.ok(!graph.raw.includes(SECRET_REPO_TOKEN), 'the token in a git remote URL is not stored');
      assert.ok(!stdout.includes(SECRET_REPO_TOKEN));
      assert.equal(graph.nodes.get('mlflow:model/support-bot/1')!.props.sourceRepoUrl, 'https://github.com/Acme/Trainer.git');
    });
  });
}
