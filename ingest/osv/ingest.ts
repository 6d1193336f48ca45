/**
 * One `aispm ingest osv` run: every package version in the graph whose ecosystem OSV knows is asked about, online
 * with `/v1/querybatch` (details from `/v1/vulns/<id>`, skipped when the graph already holds the record at the same
 * `modified`), or offline from an export whose ECOSYSTEM and SEMVER ranges are evaluated here with the same
 * version libraries. Either way each package is one scope: its AFFECTS edges and the records behind them, so a
 * vulnerability that no longer applies, or was withdrawn, goes on the next complete run. The same records give the
 * same graph online and offline.
 */
import PQueue from 'p-queue';
import { formatPurl, tryKeyOf, type Endpoints } from '../../schema/keys.ts';
import type { EdgeRecord, NodeRecord } from '../../schema/records.ts';
import type { GraphStore } from '../../schema/store.ts';
import { UpstreamLimitError } from '../pipeline/bounds.ts';
import { packagesInGraph, registryName } from '../pipeline/graph-packages.ts';
import { createHttpClient, httpSettings, HttpNetworkError, originPolicy, OriginRefusedError, type HttpStats, type PipelineSettings } from '../pipeline/http.ts';
import { MalformedJsonError, UpstreamStatusError } from '../pipeline/json.ts';
import { createProgress } from '../pipeline/progress.ts';
import { createScopeWriter, type WriteTotals } from '../pipeline/sync.ts';
import { WarningLog, warningLines, type IngestWarning } from '../pipeline/warnings.ts';
import { MAX_BATCH, OsvClient, type BatchHit } from './client.ts';
import { OSV_ECOSYSTEMS, normaliseName } from './evaluate.ts';
import { readExport } from './export.ts';
import { affectsEdge, entriesFor, evaluateFor, mapVulnerability, unknownEcosystems, vulnKey, type QueriedPackage } from './map.ts';

export const DEFAULT_OSV = 'https://api.osv.dev';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface OsvIngestOptions extends PipelineSettings {
  osvUrl: string;
  /** Read this export (directory or zip) instead of the API. */
  from?: string;
  /** Where vulnerability pages are (default osv.dev). */
  webUrl?: string;
  batchSize?: number;
  progress?: NodeJS.WriteStream;
  onWarning?: (w: IngestWarning) => void;
}

export interface OsvIngestSummary {
  mode: 'online' | 'offline';
  source: string;
  packages: { queried: number; affected: number; failed: number; skipped: Record<string, number> };
  vulnerabilities: { found: number; fetched: number; cached: number; withdrawn: number };
  written: WriteTotals;
  http: HttpStats;
  elapsedMs: number;
  warnings: IngestWarning[];
  /** The whole run could not read its source (exit 3). */
  failure?: string;
}

/** Every package version in the graph that OSV can be asked about, and counts of the others by purl type. */
export async function packagesToQuery(store: GraphStore): Promise<{ packages: QueriedPackage[]; skipped: Record<string, number> }> {
  const packages: QueriedPackage[] = [];
  const skipped: Record<string, number> = {};
  for await (const { key, purl } of packagesInGraph(store)) {
    const ecosystem = purl && OSV_ECOSYSTEMS[purl.type];
    if (!purl || !ecosystem || purl.version === undefined) {
      skipped[purl?.type ?? 'unknown'] = (skipped[purl?.type ?? 'unknown'] ?? 0) + 1;
      continue;
    }
    // OSV's names: Maven `group:artifact`, Go the whole module path, npm `@scope/name`.
    const name = purl.type === 'maven' ? `${purl.namespace.join('.')}:${purl.name}` : purl.type === 'golang' ? [...purl.namespace, purl.name].join('/') : registryName(purl);
    const { version, ...unversioned } = purl;
    packages.push({ key, ecosystem, name, version, purl: formatPurl({ ...unversioned, qualifiers: {} }) });
  }
  return { packages, skipped };
}

const isTrouble = (err: unknown): err is Error =>
  err instanceof UpstreamStatusError || err instanceof MalformedJsonError || err instanceof HttpNetworkError || err instanceof UpstreamLimitError || err instanceof OriginRefusedError;

const label = (p: QueriedPackage) => `${p.ecosystem}:${p.name}@${p.version}`;

export async function ingestOsv(store: GraphStore, o: OsvIngestOptions): Promise<OsvIngestSummary> {
  const started = Date.now();
  const osvUrl = o.osvUrl.replace(/\/+$/, '');
  const http = createHttpClient({
    ...httpSettings(o, 60_000),
    allowOrigin: originPolicy(osvUrl),
    headers: { 'user-agent': 'aispm/0.1 (+ingest osv)' },
  });
  const warnings = new WarningLog(o.onWarning);
  const writer = createScopeWriter(store, 'osv', { onBounded: (scope, notes) => warnings.add(scope, `fields over the size limits were cut: ${notes.join('; ')}`) });
  const endpoints = o.webUrl ? { osv: o.webUrl } : {};
  const { packages, skipped } = await packagesToQuery(store);
  const summary: OsvIngestSummary = {
    mode: o.from ? 'offline' : 'online',
    source: o.from ?? osvUrl,
    packages: { queried: packages.length, affected: 0, failed: 0, skipped },
    vulnerabilities: { found: 0, fetched: 0, cached: 0, withdrawn: 0 },
    written: writer.totals,
    http: http.stats,
    elapsedMs: 0,
    warnings: [],
  };
  const bar = createProgress(o.progress ?? process.stderr, Boolean(o.progress?.isTTY), 'osv');
  /** Per package: the ids OSV names (online), or undefined when its batch failed. */
  let hits: Map<string, BatchHit[] | undefined>;
  /** Records by id; 'failed' when the details could not be read; undefined entries are withdrawn or gone. */
  const records = new Map<string, Json | 'failed' | undefined>();
  try {
    if (o.from) hits = await offlineHits(o.from, packages, records, warnings);
    else hits = await onlineHits(new OsvClient(osvUrl, http.fetch), store, packages, records, warnings, summary, o.batchSize ?? MAX_BATCH, o.concurrency, (d) => bar.update(d, packages.length, `packages · ${http.stats.requests} requests`));
  } catch (err) {
    bar.finish();
    if (!isTrouble(err) && !(err instanceof Error && err.name === 'ExportError')) throw err;
    summary.failure = err.message;
    summary.warnings = warnings.sorted();
    summary.elapsedMs = Date.now() - started;
    return summary;
  }
  bar.finish();
  summary.vulnerabilities.found = [...records.values()].filter((r) => isObject(r)).length;
  summary.vulnerabilities.withdrawn = [...records.values()].filter((r) => r === undefined).length;
  for (const pkg of packages) {
    const ids = hits.get(pkg.key);
    if (ids === undefined) {
      summary.packages.failed++;
      continue;
    }
    const nodes: NodeRecord[] = [];
    const edges: EdgeRecord[] = [];
    let complete = true;
    for (const { id } of ids) {
      const record = records.get(id);
      if (record === 'failed') {
        complete = false;
        continue;
      }
      if (!record) continue; // withdrawn or gone: not written, so this scope's sweep removes it
      let found: { node: NodeRecord; edge: EdgeRecord } | undefined;
      try {
        found = advisoryFor(record, id, pkg, { offline: Boolean(o.from), endpoints, warnings });
      } catch (err) {
        // One record we cannot read must not cost the run: it is named, and this package keeps what the graph had.
        complete = false;
        warnings.add(label(pkg), `${id} could not be evaluated (${err instanceof Error ? err.message : String(err)}); what the graph had for this package is kept`);
        continue;
      }
      if (found) {
        nodes.push(found.node);
        edges.push(found.edge);
      }
    }
    if (edges.length) summary.packages.affected++;
    await writer.commitScope(pkg.key, { nodes, edges }, { complete });
  }
  summary.warnings = warnings.sorted();
  summary.written = { ...writer.totals };
  summary.http = { ...http.stats };
  summary.elapsedMs = Date.now() - started;
  return summary;
}

/**
 * One record's Vulnerability node and AFFECTS edge for one package, or undefined when it does not affect it (offline,
 * our evaluation decides; online, OSV's answer does and the evaluation gives the fix). What could not be evaluated
 * is a warning naming the record.
 */
function advisoryFor(
  record: Json,
  id: string,
  pkg: QueriedPackage,
  o: { offline: boolean; endpoints: Endpoints; warnings: WarningLog },
): { node: NodeRecord; edge: EdgeRecord } | undefined {
  const unknown = unknownEcosystems(record);
  if (unknown.length) o.warnings.add(label(pkg), `${id} names ecosystem ${unknown.map((u) => `"${u}"`).join(', ')} that OSV does not define; those entries are not evaluated`);
  const evaluation = evaluateFor(record, pkg);
  const notes = [...evaluation.skipped, ...evaluation.invalid];
  if (o.offline && evaluation.evaluatedRanges === 0 && notes.length && !evaluation.affected) o.warnings.add(label(pkg), `${id}: ${notes.join('; ')}; its versions list does not name ${pkg.version}`);
  else if (evaluation.invalid.length) o.warnings.add(label(pkg), `${id}: ${evaluation.invalid.join('; ')}; judged without ${evaluation.invalid.length > 1 ? 'those ranges' : 'that range'}`);
  if (o.offline && !evaluation.affected) return undefined;
  const node = mapVulnerability(record, o.endpoints);
  const key = vulnKey(record);
  return node && key ? { node, edge: affectsEdge(key, pkg, evaluation) } : undefined;
}

async function onlineHits(
  client: OsvClient,
  store: GraphStore,
  packages: QueriedPackage[],
  records: Map<string, Json | 'failed' | undefined>,
  warnings: WarningLog,
  summary: OsvIngestSummary,
  batchSize: number,
  concurrency: number,
  progress: (done: number) => void,
): Promise<Map<string, BatchHit[] | undefined>> {
  const hits = new Map<string, BatchHit[] | undefined>();
  const size = Math.max(1, Math.min(MAX_BATCH, batchSize));
  const queue = new PQueue({ concurrency: Math.max(1, concurrency) });
  let done = 0;
  const batches: QueriedPackage[][] = [];
  for (let i = 0; i < packages.length; i += size) batches.push(packages.slice(i, i + size));
  let lastError: Error | undefined;
  await Promise.all(
    batches.map((batch) =>
      queue.add(async () => {
        try {
          const results = await client.queryBatch(batch.map((p) => ({ package: { purl: p.purl }, version: p.version })));
          batch.forEach((p, i) => hits.set(p.key, results[i]!));
        } catch (err) {
          if (!isTrouble(err)) throw err;
          lastError = err;
          for (const p of batch) hits.set(p.key, undefined);
          warnings.add(`querybatch of ${batch.length} packages (${label(batch[0]!)} …)`, `failed: ${err.message}; those packages keep what the graph had`);
        }
        done += batch.length;
        progress(done);
      }),
    ),
  );
  if (packages.length && [...hits.values()].every((h) => h === undefined) && lastError) throw lastError;
  // Details, unless the graph already holds the record at the same `modified`.
  const wanted = new Map<string, string | undefined>();
  for (const list of hits.values()) for (const h of list ?? []) wanted.set(h.id, h.modified);
  const known = new Map<string, Json>();
  const ids = [...wanted.keys()];
  for (let i = 0; i < ids.length; i += 1000) {
    const keys = ids.slice(i, i + 1000).map((id) => tryKeyOf('vuln', { id })).filter((k): k is string => k !== undefined);
    for (const node of await store.getNodes(keys)) known.set(node.key, node.props as Json);
  }
  await Promise.all(
    ids.map((id) =>
      queue.add(async () => {
        const key = tryKeyOf('vuln', { id });
        const cached = key ? known.get(key) : undefined;
        const modified = wanted.get(id);
        if (cached && modified && cached.modified === modified && Array.isArray(cached.affected)) {
          summary.vulnerabilities.cached++;
          records.set(id, recordFromNode(id, cached));
          return;
        }
        try {
          const answer = await client.vuln(id);
          summary.vulnerabilities.fetched++;
          if (answer.status === 'missing' || !isObject(answer.body)) {
            records.set(id, undefined);
            return;
          }
          records.set(id, answer.body.withdrawn ? undefined : answer.body);
        } catch (err) {
          if (!isTrouble(err)) throw err;
          records.set(id, 'failed');
          warnings.add(key ?? id, `details could not be read: ${err.message}; the packages it names keep what the graph had`);
        }
      }),
    ),
  );
  return hits;
}

/** An OSV record again from the node a previous run wrote (the fields mapping reads). */
function recordFromNode(id: string, props: Json): Json {
  return {
    id,
    modified: props.modified,
    published: props.published,
    aliases: props.aliases,
    summary: props.summary,
    details: props.description,
    affected: props.affected,
    references: props.references,
    ...(typeof props.cvss === 'string' ? { severity: [{ type: String(props.cvssVersion).startsWith('4') ? 'CVSS_V4' : String(props.cvssVersion).startsWith('2') ? 'CVSS_V2' : 'CVSS_V3', score: props.cvss }] } : {}),
    ...(props.cvss === undefined && props.severity !== 'unknown' ? { database_specific: { severity: String(props.severity).toUpperCase() } } : {}),
  };
}

async function offlineHits(from: string, packages: QueriedPackage[], records: Map<string, Json | 'failed' | undefined>, warnings: WarningLog): Promise<Map<string, BatchHit[] | undefined>> {
  const read = await readExport(from);
  for (const w of read.warnings) warnings.add(w.file, w.message);
  const byPackage = new Map<string, Json[]>();
  for (const record of read.records) {
    if (record.withdrawn) {
      records.set(record.id as string, undefined);
      continue;
    }
    records.set(record.id as string, record);
    for (const a of Array.isArray(record.affected) ? record.affected.filter(isObject) : []) {
      const p = isObject(a.package) ? a.package : {};
      if (typeof p.ecosystem !== 'string' || typeof p.name !== 'string') continue;
      const eco = p.ecosystem.split(':')[0]!;
      const id = `${eco}\u0000${normaliseName(eco, p.name)}`;
      const list = byPackage.get(id) ?? [];
      if (!list.includes(record)) list.push(record);
      byPackage.set(id, list);
    }
  }
  const hits = new Map<string, BatchHit[] | undefined>();
  for (const pkg of packages) {
    const candidates = byPackage.get(`${pkg.ecosystem}\u0000${normaliseName(pkg.ecosystem, pkg.name)}`) ?? [];
    hits.set(pkg.key, candidates.filter((r) => entriesFor(r, pkg).length).map((r) => ({ id: r.id as string })));
  }
  return hits;
}

export function formatOsvSummary(s: OsvIngestSummary): string {
  const lines = [`ingested advisories ${s.mode === 'offline' ? `from the export ${s.source}` : `from ${s.source}`} in ${(s.elapsedMs / 1000).toFixed(1)} s`];
  const other = Object.entries(s.packages.skipped).map(([t, n]) => `${n} ${t}`).join(', ');
  lines.push(`  packages  ${s.packages.queried} queried, ${s.packages.affected} affected, ${s.packages.failed} failed${other ? ` (not asked: ${other})` : ''}`);
  lines.push(`  advisories ${s.vulnerabilities.found} (${s.vulnerabilities.fetched} fetched, ${s.vulnerabilities.cached} unchanged, ${s.vulnerabilities.withdrawn} withdrawn)`);
  lines.push(`  written   ${s.written.nodes} nodes, ${s.written.edges} edges (${s.written.edgesRemoved} stale edges and ${s.written.nodesRemoved} stale nodes removed)`);
  if (s.mode === 'online') lines.push(`  requests  ${s.http.requests} (${s.http.retries} retries, ${s.http.rateLimited} rate-limited)`);
  lines.push(...warningLines(s.warnings));
  return lines.join('\n');
}
