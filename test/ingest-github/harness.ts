/** The GitHub and Hub replay servers on the test universes, the CLI run against them, and export helpers. */
import type { ChildProcess } from 'node:child_process';
import { startReplayServer, type Fault, type ReplayServer } from '../../ingest/github/replay/server.ts';
import { Universe, type UniverseData } from '../../ingest/github/replay/universe.ts';
import { startReplayServer as startHubServer, type ReplayServer as HubServer } from '../../ingest/huggingface/replay/server.ts';
import { Universe as HubUniverse } from '../../ingest/huggingface/replay/universe.ts';
import { runCli, spawnCli, type CliResult } from '../helpers/cli.ts';
import { exportStore, withoutTimes, type Exported } from '../helpers/graph.ts';
import { githubUniverse, hubUniverse } from './fixtures.ts';

export const TOKEN = 'ghp_testSECRETtoken_0123456789abcdefXYZ';

export async function startGitHub(opts: { faults?: Fault[]; delayMs?: number; basePath?: string; data?: UniverseData } = {}): Promise<ReplayServer> {
  return startReplayServer(new Universe(opts.data ?? githubUniverse()), opts);
}

export function startHub(): Promise<HubServer> {
  return startHubServer(new HubUniverse(hubUniverse()));
}

/** Flags that keep the tests fast: short retry delays, a generous rate. */
export function ingestArgs(gh: ReplayServer, store: string, seeds: string[] = ['acme', 'acme/old-name'], extra: string[] = []): string[] {
  return ['ingest', 'github', ...seeds, '--api-url', gh.url, '--store', store, '--rate', '1000', '--concurrency', '4', '--retry-base-ms', '5', ...extra];
}

export function ingest(gh: ReplayServer, store: string, seeds?: string[], extra: string[] = [], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return runCli(ingestArgs(gh, store, seeds, extra), { env: { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: undefined, HF_ENDPOINT: undefined, ...env } });
}

/** Spawn the CLI and return the child (for killing it mid-run). */
export function spawnIngest(gh: ReplayServer, store: string): ChildProcess {
  return spawnCli(ingestArgs(gh, store), { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: undefined });
}

export { exportStore, type Exported };

/**
 * An export as two runs must agree on it: without times, ports and sync ids, and without the owner of nodes — a
 * user both a collaborator listing and a team listing name is owned by whichever part finished first, and parts run
 * concurrently. Edge owners (which part wrote each edge, so which sweep removes it) are compared.
 */
export function normalised(e: Exported): string {
  return withoutTimes(e)
    .split('\n')
    .map((l) => {
      const rec = JSON.parse(l);
      if (rec.type === 'node') delete rec.owner;
      return JSON.stringify(rec);
    })
    .join('\n');
}

export function edgesOf(e: Exported, kind: string): string[] {
  return e.edges
    .filter((x) => x.kind === kind)
    .map((x) => `${x.from} -> ${x.to}${x.props && Object.keys(x.props).length ? ` ${JSON.stringify(x.props)}` : ''}`)
    .sort();
}
