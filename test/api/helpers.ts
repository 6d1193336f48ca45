/**
 * Test helpers for the API: a real SQLite store in a temporary directory, the real server started in-process on
 * 127.0.0.1:0, and GraphQL over real HTTP with fetch.
 */
import type { EdgeRecord, NodeRecord, RecordBatch } from '../../schema/records.ts';
import { startServer, type RunningServer, type ServerOptions } from '../../services/api/server.ts';
import { SqliteStore } from '../../services/store/sqlite.ts';
import type { GraphStore } from '../../schema/store.ts';
import { tempWorkspace } from '../helpers/cli.ts';

export interface GqlResponse {
  status: number;
  body: { data?: any; errors?: { message: string; extensions?: { code?: string } }[] };
}

export interface Harness {
  store: SqliteStore;
  server: RunningServer;
  dbPath: string;
  gql(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GqlResponse>;
  close(): Promise<void>;
}

export async function gqlAt(url: string, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}): Promise<GqlResponse> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as GqlResponse['body'] };
}

/** A fresh store holding `batch`, and a server over it (or over `wrap(store)`, e.g. a call counter). */
export async function startHarness(
  batch: RecordBatch,
  opts: Omit<ServerOptions, 'store'> & { wrap?: (store: GraphStore) => GraphStore } = {},
): Promise<Harness> {
  const ws = tempWorkspace('aispm-api-');
  const store = SqliteStore.open(ws.dbPath);
  await store.upsert(batch);
  const { wrap, ...serverOpts } = opts;
  const server = await startServer({ host: '127.0.0.1', port: 0, ...serverOpts, store: wrap ? wrap(store) : store });
  return {
    store,
    server,
    dbPath: ws.dbPath,
    gql: (query, variables, headers) => gqlAt(server.url, query, variables, headers),
    async close() {
      await server.close();
      await store.close();
      ws.cleanup();
    },
  };
}

export function codesOf(r: GqlResponse): string[] {
  return (r.body.errors ?? []).map((e) => e.extensions?.code ?? '(none)');
}

const edge = (kind: EdgeRecord['kind'], from: string, to: string, props?: EdgeRecord['props']): EdgeRecord => ({
  kind,
  from,
  to,
  source: 'test',
  evidence: 'api-test',
  confidence: 'declared',
  observedAt: '2026-01-01T00:00:00.000Z',
  ...(props ? { props } : {}),
});

export const DATASET = 'hf:dataset/acme/corpus';

/**
 * A dataset trained on by `models` models; the first `endpoints` of them are served by a Space each; an owner who
 * can write every Space; a base model the first model was fine-tuned from. Blast radius from the dataset reaches
 * models + endpoints nodes.
 */
export function fanGraph(models: number, endpoints: number): RecordBatch {
  const nodes: NodeRecord[] = [
    { kind: 'Dataset', key: DATASET, props: { name: 'corpus' } },
    { kind: 'Model', key: 'hf:model/acme/base', props: { name: 'base' } },
    { kind: 'Identity', key: 'hf:user/owner', props: { name: 'owner', type: 'user' } },
  ];
  const edges: EdgeRecord[] = [];
  for (let i = 0; i < models; i++) {
    const key = `hf:model/acme/m${String(i).padStart(5, '0')}`;
    nodes.push({ kind: 'Model', key, props: { name: `m${i}`, downloads: i } });
    edges.push(edge('TRAINED_ON', key, DATASET));
    if (i < endpoints) {
      const space = `hf:space/acme/s${String(i).padStart(5, '0')}`;
      nodes.push({ kind: 'Endpoint', key: space, props: { name: `s${i}` } });
      edges.push(edge('SERVES', space, key), edge('CAN_WRITE', 'hf:user/owner', space, { role: 'owner' }));
    }
  }
  edges.push(edge('DERIVED_FROM', 'hf:model/acme/m00000', 'hf:model/acme/base', { relation: 'finetune' }));
  return { nodes, edges };
}
