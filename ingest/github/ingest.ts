/**
 * One `aispm ingest github` run: the HTTP pipeline, the octokit client and the crawl wired together, then (with
 * `--follow hf`) the Hub ingestor over the Hub repositories the code loads, in the same run and store, and the
 * summary the CLI prints.
 */
import { labelOfKey } from '../../schema/keys.ts';
import type { GraphStore } from '../../schema/store.ts';
import { refOfKey, type RepoRef } from '../huggingface/refs.ts';
import { ingestHub, formatSummary as formatHubSummary, type HubIngestOptions, type HubIngestSummary } from '../huggingface/ingest.ts';
import { createHttpClient, originPolicy } from '../pipeline/http.ts';
import { createProgress } from '../pipeline/progress.ts';
import { createScopeWriter, type WriteTotals } from '../pipeline/sync.ts';
import { WarningLog, type IngestWarning } from '../pipeline/warnings.ts';
import { GitHubClient, RateLimitExhausted } from './client.ts';
import { GitHubCrawler, type CrawlCounts, type PartCounts, type RepoCounts, type Seed } from './crawl.ts';
import { SOURCE, webOrigin } from './map-common.ts';

export const DEFAULT_API_URL = 'https://api.github.com';

export interface GitHubIngestOptions {
  seeds: Seed[];
  apiUrl: string;
  token?: string;
  concurrency: number;
  ratePerSecond: number;
  maxRepos: number;
  maxFiles: number;
  maxFileBytes: number;
  /** Largest committed model file read and scanned. */
  maxScanBytes: number;
  maxTreeEntries?: number;
  maxRetries: number;
  /** Unit of the retry backoff, ms; tests shorten it. */
  retryBaseMs: number;
  maxWaitSeconds: number;
  timeoutMs?: number;
  /** Crawl the Hub repos the code loads, with these Hub options (seeds are filled in). */
  followHub?: Omit<HubIngestOptions, 'seeds'>;
  progress?: NodeJS.WriteStream;
  onWarning?: (w: IngestWarning) => void;
}

export interface GitHubIngestSummary {
  apiUrl: string;
  syncId: string;
  repos: RepoCounts;
  parts: PartCounts;
  hubReferences: number;
  filesRead: number;
  dependencies: CrawlCounts['dependencies'];
  written: WriteTotals;
  http: { requests: number; retries: number; notModified: number; rateLimited: number; failures: number };
  elapsedMs: number;
  warnings: IngestWarning[];
  seeds: number;
  seedFailures: CrawlCounts['seedFailures'];
  /** Why the run stopped before reading everything (a rate limit longer than --max-wait-s). */
  stopped?: string;
  /** With --follow hf: the Hub crawl of the repos the code loads. */
  hub?: HubIngestSummary;
}

const MB = 1024 * 1024;

export async function ingestGitHub(store: GraphStore, o: GitHubIngestOptions): Promise<GitHubIngestSummary> {
  const started = Date.now();
  const apiUrl = o.apiUrl.replace(/\/+$/, '');
  const http = createHttpClient({
    concurrency: o.concurrency,
    ratePerSecond: o.ratePerSecond,
    // Retries belong to octokit's retry and throttling plugins; the pipeline bounds concurrency, rate and time.
    maxAttempts: 1,
    timeoutMs: o.timeoutMs ?? 30_000,
    token: o.token,
    tokenOrigin: apiUrl,
    // A `Link` or redirect elsewhere is refused: an upstream must not send us (or the token) to other hosts.
    allowOrigin: originPolicy(apiUrl),
    headers: { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' },
  });
  const client = new GitHubClient({
    apiUrl,
    http,
    maxRetries: o.maxRetries,
    retryBaseMs: o.retryBaseMs,
    maxWaitSeconds: o.maxWaitSeconds,
    maxBodyBytes: Math.max(64 * MB, Math.ceil(Math.max(o.maxFileBytes, o.maxScanBytes) * 1.4) + MB),
  });
  const warnings = new WarningLog(o.onWarning);
  const writer = createScopeWriter(store, SOURCE, {
    onBounded: (scope, notes) => warnings.add(scopeLabel(scope), `upstream fields over the size limits were cut (the rest written): ${notes.join('; ')}`),
    onAnalystState: (scope, notes) => warnings.add(scopeLabel(scope), `upstream records may not set analyst state: ${notes.join('; ')}`),
  });
  const bar = createProgress(o.progress ?? process.stderr, Boolean(o.progress?.isTTY), 'github');
  const crawler = new GitHubCrawler(
    client,
    store,
    writer,
    warnings,
    {
      apiUrl,
      web: webOrigin(apiUrl),
      maxRepos: o.maxRepos,
      repoConcurrency: Math.max(2, o.concurrency),
      maxFiles: o.maxFiles,
      maxFileBytes: o.maxFileBytes,
      maxScanBytes: o.maxScanBytes,
      maxTreeEntries: o.maxTreeEntries ?? 100_000,
      authenticated: Boolean(o.token),
    },
    (done, total) => bar.update(done, total, `repos · ${http.stats.requests} requests · ${client.stats.notModified} unchanged`),
  );
  let stopped: string | undefined;
  try {
    await crawler.run(o.seeds);
  } catch (err) {
    if (!(err instanceof RateLimitExhausted)) throw err;
    stopped = `${err.message}; repositories read before it are kept, re-run after the reset to read the rest`;
  } finally {
    bar.finish();
  }
  const summary: GitHubIngestSummary = {
    apiUrl,
    syncId: writer.syncId,
    repos: crawler.counts.repos,
    parts: crawler.counts.parts,
    hubReferences: crawler.counts.hubReferences,
    filesRead: crawler.counts.filesRead,
    dependencies: crawler.counts.dependencies,
    written: { ...writer.totals },
    http: {
      requests: http.stats.requests,
      retries: Math.max(0, http.stats.requests - client.stats.calls),
      notModified: client.stats.notModified,
      rateLimited: client.stats.rateLimited,
      failures: http.stats.failures,
    },
    elapsedMs: 0,
    warnings: warnings.sorted(),
    seeds: o.seeds.length,
    seedFailures: crawler.counts.seedFailures,
    ...(stopped ? { stopped } : {}),
  };
  if (o.followHub && !stopped) summary.hub = await ingestHub(store, { ...o.followHub, seeds: (await hubReferences(store, [...crawler.repositories])).map((ref) => ({ ref, referenced: true })) });
  summary.elapsedMs = Date.now() - started;
  return summary;
}

/** `acme/app` for a repository's scopes (`gh:repo/acme/app#code`), the scope itself otherwise. */
function scopeLabel(scope: string): string {
  return labelOfKey(scope.split('#')[0]!);
}

/** The Hub repos these repositories' code loads (their USES edges, as the graph holds them), sorted. */
async function hubReferences(store: GraphStore, repos: readonly string[]): Promise<RepoRef[]> {
  const refs = new Map<string, RepoRef>();
  for (let i = 0; i < repos.length; i += 500) {
    const edges = await store.expand({ keys: repos.slice(i, i + 500), direction: 'out', edgeKinds: ['USES'] });
    for (const e of edges) {
      const ref = e.source === SOURCE ? refOfKey(e.to) : undefined;
      if (ref) refs.set(e.to, ref);
    }
  }
  return [...refs].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, r]) => r);
}

export function formatSummary(s: GitHubIngestSummary): string {
  const r = s.repos;
  const lines = [`ingested from ${s.apiUrl} in ${(s.elapsedMs / 1000).toFixed(1)} s`];
  lines.push(`  repos     ${r.read} read, ${r.unchanged} unchanged, ${r.missing} missing, ${r.failed} failed${r.renamed ? `, ${r.renamed} renamed` : ''}${r.removed ? `, ${r.removed} removed` : ''}`);
  lines.push(`  parts     ${s.parts.read} read, ${s.parts.unchanged} unchanged, ${s.parts.forbidden} not readable with this token`);
  lines.push(`  code      ${s.filesRead} files read, ${s.hubReferences} Hub references`);
  const d = s.dependencies;
  lines.push(`  packages  ${d.edges} pinned dependencies (${d.sbom} repos from the dependency-graph SBOM, ${d.manifests} from manifests), ${d.unpinned} ranges not pinned`);
  lines.push(`  written   ${s.written.nodes} nodes, ${s.written.edges} edges (${s.written.edgesRemoved} stale edges and ${s.written.nodesRemoved} stale nodes removed)`);
  lines.push(`  requests  ${s.http.requests} (${s.http.notModified} not modified, ${s.http.retries} retries, ${s.http.rateLimited} rate-limited)`);
  if (s.stopped) lines.push(`  stopped   ${s.stopped}`);
  if (s.warnings.length) {
    lines.push(`  warnings  ${s.warnings.length}`);
    for (const w of s.warnings.slice(0, 50)) lines.push(`    ${w.repo}: ${w.message}`);
    if (s.warnings.length > 50) lines.push(`    … and ${s.warnings.length - 50} more (use --json for all)`);
  }
  if (s.hub) lines.push('', 'followed to the Hub:', formatHubSummary(s.hub));
  return lines.join('\n');
}
