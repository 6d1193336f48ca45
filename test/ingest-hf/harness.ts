/** A replay server on the test universe, the CLI run against it, and export comparisons. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { startReplayServer, type Fault, type ReplayServer } from '../../ingest/huggingface/replay/server.ts';
import { loadUniverse } from '../../ingest/huggingface/replay/load.ts';
import { REPLAY_BUILDERS } from '../../ingest/huggingface/replay/builders.ts';
import { CLI, ROOT, runCli, type CliResult } from '../helpers/cli.ts';
import { FIXTURES } from './fixtures.ts';

export const TOKEN = 'hf_testSECRETtoken_0123456789abcdef';
export const SEED = 'datasets/poison-lab/web-scrape';

export async function startTestHub(opts: { faults?: Fault[]; delayMs?: number } = {}): Promise<ReplayServer> {
  return startReplayServer(loadUniverse(join(FIXTURES, 'universe.json'), REPLAY_BUILDERS), opts);
}

/** Flags that keep the tests fast: short retry delays, generous rate. */
export function ingestArgs(hub: ReplayServer, store: string, extra: string[] = []): string[] {
  return ['ingest', 'hf', SEED, '--descendants', '2', '--scan-pickles', '--max-scan-bytes', '4096', '--endpoint', hub.url,
    '--store', store, '--rate', '500', '--concurrency', '4', '--retry-base-ms', '5', ...extra];
}

export function ingest(hub: ReplayServer, store: string, extra: string[] = []): Promise<CliResult> {
  return runCli(ingestArgs(hub, store, extra), { env: { HF_TOKEN: TOKEN, HF_ENDPOINT: undefined } });
}

/** Spawn the CLI and return the child (for killing it mid-run). */
export function spawnIngest(hub: ReplayServer, store: string): ChildProcess {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  env.HF_TOKEN = TOKEN;
  delete env.AISPM_STORE;
  return spawn(process.execPath, [CLI, ...ingestArgs(hub, store)], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

export interface Exported {
  raw: string;
  nodes: Map<string, { kind: string; key: string; props: Record<string, unknown> }>;
  edges: { kind: string; from: string; to: string; props?: Record<string, unknown>; evidence?: string; confidence?: string; observedAt?: string }[];
}

export async function exportStore(store: string, env?: Record<string, string | undefined>): Promise<Exported> {
  const r = await runCli(['export', '--store', store], env ? { env } : {});
  if (r.code !== 0) throw new Error(`export failed: ${r.stderr}`);
  const nodes: Exported['nodes'] = new Map();
  const edges: Exported['edges'] = [];
  for (const line of r.stdout.split('\n').filter(Boolean)) {
    const rec = JSON.parse(line);
    if (rec.type === 'node') nodes.set(rec.key, rec);
    else edges.push(rec);
  }
  return { raw: r.stdout, nodes, edges };
}

/**
 * Two stores filled at different times from different replay servers differ only in when each edge was first
 * observed and in the server's port inside `url` properties.
 */
export function withoutTimes(e: Exported): string {
  return e.raw
    .replace(/http:\/\/127\.0\.0\.1:\d+/g, 'http://hub')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const rec = JSON.parse(l);
      delete rec.observedAt;
      return JSON.stringify(withoutSyncId(rec));
    })
    .join('\n');
}

/** An export without its sync ids: a sync id names one run (a repo with no sha, such as a missing one, is read on
 * every run); which source and scope own each record is what must agree. */
export function withoutSyncIds(raw: string): string {
  return raw.split('\n').map((l) => (l ? JSON.stringify(withoutSyncId(JSON.parse(l))) : l)).join('\n');
}

function withoutSyncId(rec: { owner?: { syncId?: string } }): unknown {
  if (rec.owner) delete rec.owner.syncId;
  return rec;
}

export function edgeSet(e: Exported, kind: string): string[] {
  return e.edges.filter((x) => x.kind === kind).map((x) => `${x.from} -> ${x.to}${x.props?.relation ? ` (${x.props.relation})` : ''}`).sort();
}
