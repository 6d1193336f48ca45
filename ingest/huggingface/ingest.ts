/**
 * One `aispm ingest hf` run: the HTTP pipeline, the Hub client and the crawl wired together, with the summary the
 * CLI prints. The demo calls this too, against its local replay server.
 */
import type { GraphStore } from '../../schema/store.ts';
import { createHttpClient, httpSettings, originPolicy, type HttpOptions, type HttpStats } from '../pipeline/http.ts';
import { createProgress } from '../pipeline/progress.ts';
import { createScopeWriter } from '../pipeline/sync.ts';
import { WarningLog, warningLines, type IngestWarning } from '../pipeline/warnings.ts';
import { HubClient } from './client.ts';
import { HubCrawler, type CrawlCounts, type Seed } from './crawl.ts';
import { PUBLIC_HUB_URL } from './map-common.ts';
import { refLabel, refOfKey } from './refs.ts';

export const DEFAULT_HUB = PUBLIC_HUB_URL;

/**
 * Hosts the public Hub itself sends clients to: LFS and Xet file downloads redirect to its CDN and storage bridges.
 * Any other origin a response points at (a paging link, a redirect) is refused.
 */
export const PUBLIC_HUB_FILE_HOSTS = ['https://*.hf.co', 'https://*.huggingface.co'] as const;

/**
 * The Hub counts its quotas over fixed 5-minute windows, so a 429's `RateLimit: …;t=<s>` can be up to 300 s away:
 * by default a rate limit is waited out for up to one whole window rather than failing every read until it renews.
 */
export const HUB_RATE_LIMIT_WINDOW_S = 300;

export interface HubIngestOptions {
  seeds: Seed[];
  endpoint: string;
  /**
   * Where the repos' pages are, when not at the endpoint: a replay or caching proxy of another Hub names that Hub, so
   * records link to its pages. An enterprise Hub or a mirror with its own pages leaves this out.
   */
  webUrl?: string;
  token?: string;
  descendants: number;
  scanPickles: boolean;
  maxScanBytes: number;
  concurrency: number;
  ratePerSecond: number;
  maxRepos: number;
  /** First retry delay; tests shorten it. */
  retryBaseMs?: number;
  maxAttempts?: number;
  timeoutMs?: number;
  /** Longest rate-limit wait honoured, in seconds (default one quota window); a 429 asking for longer fails that read. */
  maxWaitSeconds?: number;
  /** Origins besides the endpoint's that responses may send us to (a mirror's own blob host); see `originPolicy`. */
  allowOrigins?: string[];
  /** Progress bar on this stream when it is a TTY. */
  progress?: NodeJS.WriteStream;
  onWarning?: (w: IngestWarning) => void;
}

export interface HubIngestSummary {
  endpoint: string;
  syncId: string;
  repos: CrawlCounts['repos'];
  written: { nodes: number; edges: number; edgesRemoved: number; nodesRemoved: number; scopes: number };
  http: HttpStats;
  elapsedMs: number;
  warnings: IngestWarning[];
  seedFailures: CrawlCounts['seedFailures'];
}

export async function ingestHub(store: GraphStore, o: HubIngestOptions): Promise<HubIngestSummary> {
  const started = Date.now();
  const endpoint = o.endpoint.replace(/\/+$/, '');
  const http = createHttpClient(hubHttpOptions(o, endpoint));
  const warnings = new WarningLog(o.onWarning);
  const writer = createScopeWriter(store, 'hf', {
    // What the crawl reads to call a repo unchanged: written only once the repo's stale records are gone.
    completionProps: ['syncedSha', 'pickleScan'],
    onBounded: (scope, notes) => {
      const ref = refOfKey(scope);
      warnings.add(ref ? refLabel(ref) : scope, `upstream fields over the size limits were cut (node and lineage written): ${notes.join('; ')}`);
    },
    onAnalystState: (scope, notes) => {
      const ref = refOfKey(scope);
      warnings.add(ref ? refLabel(ref) : scope, `upstream records may not set analyst state: ${notes.join('; ')}`);
    },
  });
  const bar = createProgress(o.progress ?? process.stderr, Boolean(o.progress?.isTTY), 'hf');
  const crawler = new HubCrawler(
    new HubClient(endpoint, http.fetch),
    store,
    writer,
    warnings,
    {
      webUrl: (o.webUrl ?? endpoint).replace(/\/+$/, ''),
      descendants: o.descendants,
      scanPickles: o.scanPickles,
      maxScanBytes: o.maxScanBytes,
      maxRepos: o.maxRepos,
      repoConcurrency: Math.max(4, o.concurrency * 2),
    },
    (done, total) => bar.update(done, total, `repos · ${http.stats.requests} requests · ${http.stats.retries} retries`),
  );
  try {
    await crawler.run(o.seeds);
  } finally {
    bar.finish();
  }
  return {
    endpoint,
    syncId: writer.syncId,
    repos: crawler.counts.repos,
    written: { ...writer.totals },
    http: { ...http.stats },
    elapsedMs: Date.now() - started,
    warnings: warnings.sorted(),
    seedFailures: crawler.counts.seedFailures,
  };
}

/** The HTTP pipeline as the Hub needs it: its file hosts allowed on the public Hub, the token for the endpoint alone. */
export function hubHttpOptions(
  o: Pick<HubIngestOptions, 'concurrency' | 'ratePerSecond' | 'retryBaseMs' | 'maxAttempts' | 'timeoutMs' | 'maxWaitSeconds' | 'token' | 'allowOrigins'>,
  endpoint: string,
): HttpOptions {
  return {
    ...httpSettings(o),
    maxRetryAfterMs: (o.maxWaitSeconds ?? HUB_RATE_LIMIT_WINDOW_S) * 1000,
    token: o.token,
    tokenOrigin: endpoint,
    allowOrigin: originPolicy(endpoint, [...(new URL(endpoint).origin === new URL(PUBLIC_HUB_URL).origin ? PUBLIC_HUB_FILE_HOSTS : []), ...(o.allowOrigins ?? [])]),
    headers: { 'user-agent': 'aispm/0.1 (+ingest hf)' },
  };
}

export function formatSummary(s: HubIngestSummary): string {
  const counts = Object.values(s.repos);
  const read = counts.reduce((n, c) => n + c.read, 0);
  const seconds = `${(s.elapsedMs / 1000).toFixed(1)} s`;
  // Say what happened: a run that found every repo unchanged (or none at all) ingested nothing.
  const lines = [read ? `ingested from ${s.endpoint} in ${seconds}` : `nothing new from ${s.endpoint} (${seconds}): no repo needed reading`];
  for (const [kind, c] of Object.entries(s.repos)) {
    const total = c.read + c.unchanged + c.missing + c.failed;
    if (total) lines.push(`  ${`${kind}s`.padEnd(9)} ${c.read} read, ${c.unchanged} unchanged, ${c.missing} missing, ${c.failed} failed`);
  }
  // Records written, not distinct nodes: a node named by several repos (an owner, a shared base) is written by each.
  lines.push(`  written   ${s.written.nodes} node and ${s.written.edges} edge records (${s.written.edgesRemoved} stale edges and ${s.written.nodesRemoved} stale nodes removed)`);
  lines.push(`  requests  ${s.http.requests} (${s.http.retries} retries, ${s.http.rateLimited} rate-limited)`);
  lines.push(...warningLines(s.warnings));
  return lines.join('\n');
}
