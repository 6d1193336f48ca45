/** A replay server on the test universe, the CLI run against it, and export comparisons. */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startReplayServer, type Fault, type ReplayServer } from '../../ingest/huggingface/replay/server.ts';
import { loadUniverse } from '../../ingest/huggingface/replay/load.ts';
import { Universe, type UniverseData } from '../../ingest/huggingface/replay/universe.ts';
import { REPLAY_BUILDERS } from '../../ingest/huggingface/replay/builders.ts';
import { runCli, spawnCli, type CliResult } from '../helpers/cli.ts';
import { exportStore, withoutSyncIds, withoutTimes, type Exported } from '../helpers/graph.ts';
import { FIXTURES } from './fixtures.ts';

export const TOKEN = 'hf_testSECRETtoken_0123456789abcdef';
export const SEED = 'datasets/poison-lab/web-scrape';

/** `edit` changes the test universe's data before the server starts (more renames, another repo). */
export async function startTestHub(opts: { faults?: Fault[]; delayMs?: number; edit?: (data: UniverseData) => UniverseData } = {}): Promise<ReplayServer> {
  const { edit, ...serverOpts } = opts;
  const path = join(FIXTURES, 'universe.json');
  const universe = edit ? new Universe(edit(JSON.parse(readFileSync(path, 'utf8')) as UniverseData), REPLAY_BUILDERS) : loadUniverse(path, REPLAY_BUILDERS);
  return startReplayServer(universe, serverOpts);
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
  return spawnCli(ingestArgs(hub, store), { HF_TOKEN: TOKEN });
}

export { exportStore, withoutSyncIds, withoutTimes, type Exported };

export function edgeSet(e: Exported, kind: string): string[] {
  return e.edges.filter((x) => x.kind === kind).map((x) => `${x.from} -> ${x.to}${x.props?.relation ? ` (${x.props.relation})` : ''}`).sort();
}
