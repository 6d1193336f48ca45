/** Replay servers for the MLflow tests (a Hub and an MLflow server of either generation) and the CLI run against them. */
import { REPLAY_BUILDERS } from '../../ingest/huggingface/replay/builders.ts';
import { startReplayServer, type ReplayServer } from '../../ingest/huggingface/replay/server.ts';
import { Universe } from '../../ingest/huggingface/replay/universe.ts';
import type { Generation, RegistryData } from '../../ingest/mlflow/replay/registry.ts';
import { startMlflowReplay, type MlflowReplayServer, type ReplayOptions } from '../../ingest/mlflow/replay/server.ts';
import { runFindings, type Finding } from '../../queries/findings/index.ts';
import { openStore } from '../../services/store/open.ts';
import { runCli, type CliResult } from '../helpers/cli.ts';
import type { Exported } from '../ingest-hf/harness.ts';
import { HUB, registry } from './fixtures.ts';

export const TOKEN = 'mlflow-test-TOKEN-0123456789abcdef';

export interface Servers {
  hub: ReplayServer;
  mlflow: MlflowReplayServer;
  close(): Promise<void>;
}

export async function startServers(generation: Generation, opts: Omit<ReplayOptions, 'generation'> & { data?: (hubUrl: string) => RegistryData } = {}): Promise<Servers> {
  const hub = await startReplayServer(new Universe(HUB, REPLAY_BUILDERS));
  const { data, ...rest } = opts;
  const mlflow = await startMlflowReplay((data ?? registry)(hub.url), { generation, ...rest });
  return { hub, mlflow, close: async () => void (await Promise.all([hub.close(), mlflow.close()])) };
}

/** Environment without a developer's own MLflow settings. */
export const cleanEnv = (extra: Record<string, string | undefined> = {}) => ({
  MLFLOW_TRACKING_URI: undefined,
  MLFLOW_TRACKING_TOKEN: undefined,
  MLFLOW_TRACKING_USERNAME: undefined,
  MLFLOW_TRACKING_PASSWORD: undefined,
  HF_ENDPOINT: undefined,
  HF_TOKEN: undefined,
  ...extra,
});

export function mlflowArgs(s: Servers, store: string, extra: string[] = []): string[] {
  return ['ingest', 'mlflow', '--tracking-uri', s.mlflow.url, '--hub-url', s.hub.url, '--store', store, '--rate', '1000', '--concurrency', '4', '--retry-base-ms', '5', ...extra];
}

export function ingestMlflow(s: Servers, store: string, extra: string[] = [], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return runCli(mlflowArgs(s, store, extra), { env: cleanEnv(env) });
}

export function ingestHub(s: Servers, store: string): Promise<CliResult> {
  return runCli(['ingest', 'hf', 'datasets/poison-lab/chat-logs', '--descendants', '2', '--endpoint', s.hub.url, '--store', store, '--rate', '1000', '--retry-base-ms', '5'], { env: cleanEnv() });
}

/** The store's records, read in-process (as `aispm export` writes them), for assertions. */
export async function graphOf(spec: string): Promise<Exported> {
  const store = await openStore(spec);
  try {
    const lines: string[] = [];
    const nodes: Exported['nodes'] = new Map();
    const edges: Exported['edges'] = [];
    for await (const rec of store.exportAll()) {
      if (rec.type === 'node') {
        nodes.set(rec.node.key, rec.node);
        lines.push(JSON.stringify({ type: 'node', ...rec.node }));
      } else {
        edges.push(rec.edge);
        lines.push(JSON.stringify({ type: 'edge', ...rec.edge }));
      }
    }
    return { raw: lines.join('\n'), nodes, edges };
  } finally {
    await store.close();
  }
}

export async function findingsOf(spec: string): Promise<Finding[]> {
  const store = await openStore(spec);
  try {
    return await runFindings(store);
  } finally {
    await store.close();
  }
}
