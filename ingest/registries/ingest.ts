/**
 * One `aispm ingest pypi|npm|packages` run: the HTTP pipeline, the registry clients and the crawl wired together,
 * seeds parsed the way pip and npm read a command line, and the summary the CLI prints.
 */
import npa from 'npm-package-arg';
import type { GraphStore } from '../../schema/store.ts';
import { parseRequirement, RequirementSyntaxError } from '../manifests/index.ts';
import { packagesInGraph, registryName } from '../pipeline/graph-packages.ts';
import { createHttpClient, httpSettings, originPolicy, type HttpStats, type PipelineSettings } from '../pipeline/http.ts';
import { createProgress } from '../pipeline/progress.ts';
import { createScopeWriter, newSyncId, type WriteTotals } from '../pipeline/sync.ts';
import { WarningLog, warningLines, type IngestWarning } from '../pipeline/warnings.ts';
import { NpmClient, PypiClient } from './clients.ts';
import { RegistryCrawler, type RegistryCounts } from './crawl.ts';
import type { Requirement } from './types.ts';

export const DEFAULT_PYPI = 'https://pypi.org';
export const DEFAULT_NPM_REGISTRY = 'https://registry.npmjs.org';

export class SeedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SeedError';
  }
}

/** `name`, `name==1.2`, `name[extra]>=1,<2`: a PEP 508 requirement as `pip install` takes it. */
export function pypiSeed(text: string): Requirement {
  try {
    const req = parseRequirement(text);
    if (req.url) throw new SeedError(`"${text.slice(0, 80)}" is a direct URL, not a package on the index`);
    return { ecosystem: 'pypi', name: req.name, range: req.specifier, scope: 'runtime', extras: req.extras, evidence: 'command line' };
  } catch (err) {
    if (err instanceof RequirementSyntaxError) throw new SeedError(`"${text.slice(0, 80)}" is not a requirement: ${err.message}`);
    throw err;
  }
}

/** `name`, `name@1.2.3`, `@scope/name@^2`, `name@next`: a spec as `npm install` takes it, registry specs only. */
export function npmSeed(text: string): Requirement {
  let parsed: npa.Result;
  try {
    parsed = npa(text, '/');
  } catch (err) {
    throw new SeedError(`"${text.slice(0, 80)}" is not an npm package spec: ${(err as Error).message.slice(0, 120)}`);
  }
  if (!parsed.registry || !parsed.name) throw new SeedError(`"${text.slice(0, 80)}" is a ${parsed.type} spec, not a package on the registry`);
  const target = parsed.type === 'alias' ? (parsed as npa.AliasResult).subSpec : parsed;
  return { ecosystem: 'npm', name: target.name ?? parsed.name, range: target.rawSpec || '*', scope: 'runtime', extras: [], evidence: 'command line' };
}

/** Seeds for every PyPI and npm Package node in the graph, pinned at the version its key names. */
export async function seedsFromGraph(store: GraphStore): Promise<{ seeds: Requirement[]; skipped: Record<string, number> }> {
  const seeds: Requirement[] = [];
  const skipped: Record<string, number> = {};
  for await (const { key, purl } of packagesInGraph(store)) {
    if (purl?.version !== undefined && (purl.type === 'pypi' || purl.type === 'npm')) {
      seeds.push({ ecosystem: purl.type, name: registryName(purl), range: purl.type === 'pypi' ? `==${purl.version}` : purl.version, scope: 'runtime', extras: [], evidence: key, graphKey: key });
    } else skipped[purl?.type ?? 'unknown'] = (skipped[purl?.type ?? 'unknown'] ?? 0) + 1;
  }
  return { seeds, skipped };
}

export interface RegistryIngestOptions extends PipelineSettings {
  seeds: Requirement[];
  pypiUrl: string;
  npmRegistry: string;
  /** Web endpoints for the pages nodes link to (default: the public sites, or the API base when it is a mirror). */
  pypiWebUrl?: string;
  npmWebUrl?: string;
  depth: number;
  maxPackages: number;
  progress?: NodeJS.WriteStream;
  onWarning?: (w: IngestWarning) => void;
}

export interface RegistryIngestSummary {
  pypiUrl: string;
  npmRegistry: string;
  syncId: string;
  packages: Omit<RegistryCounts, 'seedFailures'>;
  written: WriteTotals;
  http: HttpStats;
  elapsedMs: number;
  warnings: IngestWarning[];
  seedFailures: RegistryCounts['seedFailures'];
}

const trimSlash = (u: string) => u.replace(/\/+$/, '');

export async function ingestRegistries(store: GraphStore, o: RegistryIngestOptions): Promise<RegistryIngestSummary> {
  const started = Date.now();
  const pypiUrl = trimSlash(o.pypiUrl);
  const npmRegistry = trimSlash(o.npmRegistry);
  const http = createHttpClient({
    ...httpSettings(o),
    // Responses may only send us back to the registries we were pointed at.
    allowOrigin: originPolicy(pypiUrl, [npmRegistry]),
    headers: { 'user-agent': 'aispm/0.1 (+ingest registries)' },
  });
  const warnings = new WarningLog(o.onWarning);
  const syncId = newSyncId();
  const onBounded = (scope: string, notes: string[]) => warnings.add(scope, `upstream fields over the size limits were cut: ${notes.join('; ')}`);
  const writers = { pypi: createScopeWriter(store, 'pypi', { syncId, onBounded }), npm: createScopeWriter(store, 'npm', { syncId, onBounded }) };
  const bar = createProgress(o.progress ?? process.stderr, Boolean(o.progress?.isTTY), 'registries');
  const isPublic = (api: string, publicApi: string) => new URL(api).origin === new URL(publicApi).origin;
  const crawler = new RegistryCrawler(
    new PypiClient(pypiUrl, http.fetch),
    new NpmClient(npmRegistry, http.fetch),
    writers,
    warnings,
    {
      maxDepth: o.depth,
      maxPackages: o.maxPackages,
      concurrency: Math.max(4, o.concurrency * 2),
      endpoints: {
        // PyPI and its mirrors serve pages where they serve the API; npm's public pages are on another host.
        pypi: o.pypiWebUrl ?? pypiUrl,
        ...(o.npmWebUrl ? { npm: o.npmWebUrl } : isPublic(npmRegistry, DEFAULT_NPM_REGISTRY) ? {} : { npm: npmRegistry }),
      },
    },
    (done) => bar.update(done, Math.max(done, o.seeds.length), `packages · ${http.stats.requests} requests · ${http.stats.retries} retries`),
  );
  try {
    await crawler.run(o.seeds);
  } finally {
    bar.finish();
  }
  const totals = (['nodes', 'edges', 'edgesRemoved', 'nodesRemoved', 'scopes'] as const).reduce(
    (t, k) => ({ ...t, [k]: writers.pypi.totals[k] + writers.npm.totals[k] }),
    {} as WriteTotals,
  );
  const { seedFailures, ...packages } = crawler.counts;
  return { pypiUrl, npmRegistry, syncId, packages, written: totals, http: { ...http.stats }, elapsedMs: Date.now() - started, warnings: warnings.sorted(), seedFailures };
}

export function formatRegistrySummary(s: RegistryIngestSummary): string {
  const p = s.packages;
  const lines = [`ingested packages in ${(s.elapsedMs / 1000).toFixed(1)} s`];
  lines.push(`  packages  ${p.read} read, ${p.missing} missing, ${p.unresolved} unresolved, ${p.failed} failed`);
  lines.push(`  written   ${s.written.nodes} nodes, ${s.written.edges} edges (${s.written.edgesRemoved} stale edges and ${s.written.nodesRemoved} stale nodes removed)`);
  lines.push(`  requests  ${s.http.requests} (${s.http.retries} retries, ${s.http.rateLimited} rate-limited)`);
  lines.push(...warningLines(s.warnings));
  return lines.join('\n');
}
