/**
 * One `aispm ingest mlflow` run: the server's generation (MLflow 3 answers `logged-models/search`), the registry
 * listing, then each registered version — and on MLflow 3 each logged model no version registers — read whole and
 * written as one scope; write access; the serving endpoints. A model whose listing entry is unchanged since its
 * last complete read (`mlflowStamp`, written last) is not read again. Versions, logged models and endpoints the
 * server no longer lists are removed only after a complete listing of their kind. Credentials go only to the
 * tracking server.
 */
import { createHash } from 'node:crypto';
import PQueue from 'p-queue';
import { UpstreamError } from '../../schema/errors.ts';
import { keyFormat, parseKey } from '../../schema/keys.ts';
import type { GraphNode, RecordBatch } from '../../schema/records.ts';
import type { GraphStore } from '../../schema/store.ts';
import { isTransportFault } from '../pipeline/faults.ts';
import { createHttpClient, httpSettings, originPolicy, type HttpStats, type PipelineSettings } from '../pipeline/http.ts';
import { createProgress } from '../pipeline/progress.ts';
import { createScopeWriter, type ScopeWriter } from '../pipeline/sync.ts';
import { warningLines, WarningLog, type IngestWarning } from '../pipeline/warnings.ts';
import { isObject, type Json } from '../pipeline/fields.ts';
import { accessScope, readAccess, type AccessApi } from './access.ts';
import { describe } from './artifacts.ts';
import { MlflowApiError, MlflowClient } from './client.ts';
import { collect, listLoggedModels, registeredModelOf, versionOf, type Listed, type RegisteredModel } from './listing.ts';
import { mapDeploymentEndpoint, mapServingEndpoint, type EndpointMapping } from './map-endpoint.ts';
import { mapModel, type MapContext } from './map-model.ts';
import { ModelReader } from './read-model.ts';
import { endpointKey, loggedModelKey, parseModelUri, versionKey } from './refs.ts';

export interface MlflowIngestOptions extends PipelineSettings {
  trackingUri: string;
  /** Bearer token (MLFLOW_TRACKING_TOKEN). */
  token?: string;
  /** HTTP Basic credentials (MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD). */
  basic?: { username: string; password: string };
  /** The Hub that dataset and base-model URLs are read against. */
  hubUrl: string;
  /** GitHub's web origin, for repository URLs on an enterprise server. */
  githubUrl?: string;
  scan: boolean;
  maxScanBytes: number;
  /** Read every model again, changed or not. */
  full?: boolean;
  pageSize?: number;
  progress?: NodeJS.WriteStream;
  onWarning?: (w: IngestWarning) => void;
}

export interface Counts {
  listed: number;
  read: number;
  unchanged: number;
  failed: number;
  removed: number;
}

export interface MlflowIngestSummary {
  trackingUri: string;
  syncId: string;
  /** Which generation of server was read: MLflow 3 has logged models. */
  generation: 'mlflow-2' | 'mlflow-3';
  registeredModels: number;
  /** `unresolved`: versions read whose run and artifacts could not be read and that name no other version. */
  versions: Counts & { unresolved: number };
  loggedModels: Counts & { unregistered: number };
  endpoints: { api: 'serving-endpoints' | 'deployments' | 'none'; read: number; failed: number; removed: number };
  access: AccessApi;
  /** Versions a production-like alias or stage points at that no known endpoint serves. */
  servingUnknown: { key: string; aliases: string[]; stage?: string }[];
  written: { nodes: number; edges: number; edgesRemoved: number; nodesRemoved: number; scopes: number };
  http: HttpStats;
  elapsedMs: number;
  warnings: IngestWarning[];
}

/** Bump when the mapping changes, so every model is read again once. */
const MAPPING_VERSION = 1;
const PRODUCTION = /^(prod|production|champion|live)$/i;

const emptyCounts = (): Counts => ({ listed: 0, read: 0, unchanged: 0, failed: 0, removed: 0 });
const stampOf = (parts: unknown) => createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);

/**
 * Faults of the upstream that fail one item (it is read again next run) or stop one listing part-way: error
 * answers other than refused credentials, network failures after the retries, bodies over a bound or of the wrong
 * shape. Anything else — refused credentials, a store failure — ends the run.
 */
function isItemFault(err: unknown): boolean {
  return err instanceof MlflowApiError ? !err.unauthorized : isTransportFault(err);
}
const isFatal = (err: unknown) => !isItemFault(err);

function authFailure(err: MlflowApiError): UpstreamError {
  return new UpstreamError(
    `the MLflow server refused the credentials (HTTP ${err.status}${err.errorCode ? ` ${err.errorCode}` : ''}): set MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, or pass --token-file`,
  );
}

/** A fatal fault as the CLI reports it: refused credentials say what to set; anything else as it is. */
function asFatal(err: unknown): unknown {
  return err instanceof MlflowApiError && err.unauthorized ? authFailure(err) : err;
}

/** A listing that could not start ends the run with a clear message (exit 3). */
function unreadable(what: string, err: unknown): unknown {
  if (err instanceof MlflowApiError && err.unauthorized) return authFailure(err);
  if (err instanceof MlflowApiError && err.forbidden) return new UpstreamError(`the MLflow server refused to list ${what} (HTTP ${err.status}): the credentials lack permission`);
  if (isFatal(err)) return err;
  return new UpstreamError(`could not list ${what} from the MLflow server: ${describe(err)}`);
}

export async function ingestMlflow(store: GraphStore, o: MlflowIngestOptions): Promise<MlflowIngestSummary> {
  const started = Date.now();
  const trackingUri = o.trackingUri.replace(/\/+$/, '');
  // Credentials and paging links stay on the tracking server's origin.
  const basic = o.basic && `Basic ${Buffer.from(`${o.basic.username}:${o.basic.password}`).toString('base64')}`;
  const http = createHttpClient({
    ...httpSettings(o),
    ...(o.token ? { token: o.token } : basic ? { authorization: basic } : {}),
    tokenOrigin: trackingUri,
    allowOrigin: originPolicy(trackingUri),
    headers: { 'user-agent': 'aispm/0.1 (+ingest mlflow)' },
  });
  const client = new MlflowClient(trackingUri, http.fetch);
  const warnings = new WarningLog(o.onWarning);
  const writer = createScopeWriter(store, 'mlflow', {
    completionProps: ['mlflowStamp'],
    onBounded: (scope, notes) => warnings.add(scope, `upstream fields over the size limits were cut (node and lineage written): ${notes.join('; ')}`),
    onAnalystState: (scope, notes) => warnings.add(scope, `upstream records may not set analyst state: ${notes.join('; ')}`),
  });
  const pageSize = o.pageSize ?? 1000;
  const ctx: MapContext = { trackingUri, hubUrl: o.hubUrl, ...(o.githubUrl ? { githubUrl: o.githubUrl } : {}) };
  const settings = { mapping: MAPPING_VERSION, scan: o.scan, maxScanBytes: o.maxScanBytes };

  let generation: MlflowIngestSummary['generation'];
  try {
    generation = (await client.hasLoggedModels()) ? 'mlflow-3' : 'mlflow-2';
  } catch (err) {
    throw unreadable('the registry', err);
  }

  const listOrFail = async <T>(what: string, run: () => Promise<Listed<T>>): Promise<Listed<T>> => {
    let listed: Listed<T>;
    try {
      listed = await run();
    } catch (err) {
      throw unreadable(what, err);
    }
    if (!listed.complete && listed.items.length === 0) throw unreadable(what, listed.stoppedBy);
    if (!listed.complete) warnings.add('(registry)', `the listing of ${what} stopped part-way (${describe(listed.stoppedBy)}); what was listed is read, and nothing is removed on its account`);
    if (listed.malformed) warnings.add('(registry)', `${listed.malformed} ${what} entries of the wrong shape were skipped`);
    return listed;
  };
  const registered = await listOrFail('registered models', () => collect(client.registeredModels(Math.min(pageSize, 1000)), registeredModelOf, isFatal));
  const versions = await listOrFail('model versions', () => collect(client.modelVersions(pageSize), versionOf, isFatal));
  const logged = generation === 'mlflow-3' ? await listOrFail('logged models', () => listLoggedModels(client, Math.min(pageSize, 1000), isFatal)) : undefined;

  const models = new Map<string, RegisteredModel>(registered.items.map((r) => [r.name, r]));
  const summary: MlflowIngestSummary = {
    trackingUri,
    syncId: writer.syncId,
    generation,
    registeredModels: registered.items.length,
    versions: { ...emptyCounts(), listed: versions.items.length, unresolved: 0 },
    loggedModels: { ...emptyCounts(), listed: logged?.items.length ?? 0, unregistered: 0 },
    endpoints: { api: 'none', read: 0, failed: 0, removed: 0 },
    access: 'none',
    servingUnknown: [],
    written: writer.totals,
    http: http.stats,
    elapsedMs: 0,
    warnings: [],
  };

  // Versions by key; their names group them for write access, their aliases and stages resolve `models:/` sources.
  const byKey = new Map<string, Json>();
  const keysByModel = new Map<string, string[]>();
  for (const v of versions.items) {
    const name = v.name as string;
    const key = versionKey(name, v.version as string);
    if (!key) {
      warnings.add(`${name.slice(0, 80)} v${String(v.version).slice(0, 20)}`, 'this name and version cannot be a model key; not recorded');
      continue;
    }
    byKey.set(key, v);
    keysByModel.set(name, [...(keysByModel.get(name) ?? []), key]);
  }
  const registeredIds = new Set([...byKey.values()].map(loggedModelIdOf).filter((id): id is string => !!id));
  const unregistered = (logged?.items ?? []).filter((lm) => !registeredIds.has((lm.info as Json).model_id as string));
  summary.loggedModels.unregistered = unregistered.length;
  const unregisteredKeys = new Set<string>();

  const reader = new ModelReader(client, { scan: o.scan, maxScanBytes: o.maxScanBytes });
  const bar = createProgress(o.progress ?? process.stderr, Boolean(o.progress?.isTTY), 'mlflow');
  const total = byKey.size + unregistered.length;
  let done = 0;
  const tick = () => bar.update(++done, total, `models · ${http.stats.requests} requests · ${http.stats.retries} retries`);
  let fatal: unknown;
  const queue = new PQueue({ concurrency: Math.max(4, o.concurrency * 2) });
  const existing = await stamps(store, [...byKey.keys(), ...unregistered.map((lm) => loggedModelKey((lm.info as Json).model_id as string)).filter((k): k is string => !!k)]);

  /** One model: skipped when unchanged, else read whole and written as its own scope; a fault fails only it. */
  const readOne = async (label: string, key: string, stamp: string, counts: Counts, read: () => Promise<RecordBatch>) => {
    if (fatal) return;
    if (!o.full && existing.get(key) === stamp) {
      counts.unchanged++;
      tick();
      return;
    }
    try {
      await writer.commitScope(key, await read());
      counts.read++;
    } catch (err) {
      if (isFatal(err)) fatal ??= err;
      else {
        counts.failed++;
        warnings.add(label, `not read (${describe(err)}); it is read again on the next run`);
      }
    }
    tick();
  };

  for (const [key, v] of byKey) {
    const name = v.name as string;
    const version = v.version as string;
    const label = `${name} v${version}`;
    const rm = models.get(name);
    const aliases = rm ? [...rm.aliases].filter(([, to]) => to === version).map(([a]) => a).sort() : [];
    const stamp = stampOf([settings, generation, v, aliases, rm?.description ?? null, rm?.tags ?? {}]);
    void queue.add(() =>
      readOne(label, key, stamp, summary.versions, async () => {
        const source = typeof v.source === 'string' ? v.source : undefined;
        const derived = derivedFrom(source, byKey, models);
        const lmId = loggedModelIdOf(v);
        const read = await reader.read({
          ...(typeof v.run_id === 'string' && v.run_id ? { runId: v.run_id } : {}),
          ...(source ? { source } : {}),
          ...(lmId ? { loggedModelId: lmId } : {}),
        });
        if (!read.resolved && !derived) summary.versions.unresolved++;
        const mapped = mapModel({
          holder: { kind: 'version', name, version },
          key,
          ctx,
          version: v,
          registered: { ...(rm?.description ? { description: rm.description } : {}), tags: rm?.tags ?? {}, aliases },
          ...(read.loggedModel ? { loggedModel: read.loggedModel } : {}),
          ...(read.run ? { run: read.run } : {}),
          evaluations: read.evaluations,
          ...(read.artifacts ? { artifacts: read.artifacts } : {}),
          ...(derived ? { derivedFrom: derived } : {}),
          stamp,
        });
        for (const w of [...read.warnings, ...mapped.warnings]) warnings.add(label, w);
        return mapped.batch;
      }),
    );
  }
  for (const lm of unregistered) {
    const id = (lm.info as Json).model_id as string;
    const label = `logged model ${id}`;
    const key = loggedModelKey(id);
    if (!key) {
      warnings.add(label.slice(0, 100), 'this id cannot be a model key; not recorded');
      continue;
    }
    unregisteredKeys.add(key);
    const stamp = stampOf([settings, lm]);
    void queue.add(() =>
      readOne(label, key, stamp, summary.loggedModels, async () => {
        const read = await reader.read({ listedLoggedModel: lm });
        const mapped = mapModel({
          holder: { kind: 'logged-model', id },
          key,
          ctx,
          loggedModel: lm,
          ...(read.run ? { run: read.run } : {}),
          evaluations: read.evaluations,
          ...(read.artifacts ? { artifacts: read.artifacts } : {}),
          stamp,
        });
        for (const w of [...read.warnings, ...mapped.warnings]) warnings.add(label, w);
        return mapped.batch;
      }),
    );
  }
  try {
    await queue.onIdle();
  } finally {
    bar.finish();
  }
  if (fatal) throw asFatal(fatal);

  try {
    // Write access and endpoints before what is gone, so no current write or route still points at a deleted version.
    const access = await readAccess(client, keysByModel, identitiesNamed(byKey, await nodesOf(store, [...byKey.keys()])), isFatal);
    summary.access = access.api;
    for (const w of access.warnings) warnings.add('(access)', w);
    for (const [model, batch] of access.batches) await writer.commitScope(accessScope(model), batch);

    const endpoints = await readEndpoints(client, trackingUri, writer, warnings, summary);

    if (versions.complete && registered.complete) {
      summary.versions.removed = await removeUnlisted(store, writer, trackingUri, 'mlflow-model', new Set(byKey.keys()), (n) => {
        const model = typeof n.props.registeredModel === 'string' ? n.props.registeredModel : undefined;
        return model && !keysByModel.has(model) ? accessScope(model) : undefined;
      });
    }
    if (logged?.complete) summary.loggedModels.removed = await removeUnlisted(store, writer, trackingUri, 'mlflow-logged-model', unregisteredKeys);
    if (endpoints) summary.endpoints.removed = await removeUnlisted(store, writer, trackingUri, 'mlflow-endpoint', endpoints);
  } catch (err) {
    throw asFatal(err);
  }

  // "Nothing found" is said, never silent.
  if (byKey.size === 0) {
    const lms = generation === 'mlflow-3' ? ` and ${unregistered.length} unregistered logged models` : '';
    warnings.add('(registry)', `the registry lists no model versions (${registered.items.length} registered models${lms}): no registered model was recorded`);
  } else if (summary.versions.unresolved > 0) {
    warnings.add('(registry)', `${summary.versions.unresolved} of ${summary.versions.read} versions read had neither a readable run nor readable artifacts: their lineage is unknown`);
  }
  summary.servingUnknown = await servingUnknown(store, byKey, models);
  summary.elapsedMs = Date.now() - started;
  summary.written = { ...writer.totals };
  summary.http = { ...http.stats };
  summary.warnings = warnings.sorted();
  return summary;
}

/** The logged model a version registers (MLflow 3): its `model_id`, or a `models:/m-…` source. */
function loggedModelIdOf(v: Json): string | undefined {
  if (typeof v.model_id === 'string' && v.model_id) return v.model_id;
  const uri = typeof v.source === 'string' ? parseModelUri(v.source) : undefined;
  return uri?.kind === 'logged-model' ? uri.id : undefined;
}

/** A version registered from another registered version (`models:/name/3`, `@alias`, `/Stage`, `/latest`). */
function derivedFrom(source: string | undefined, byKey: ReadonlyMap<string, Json>, models: ReadonlyMap<string, RegisteredModel>): { key: string; evidence: string } | undefined {
  const uri = source ? parseModelUri(source) : undefined;
  if (!uri || uri.kind === 'logged-model' || uri.kind === 'run') return undefined;
  let version: string | undefined;
  if (uri.kind === 'version') version = uri.version;
  else if (uri.kind === 'alias') version = models.get(uri.name)?.aliases.get(uri.alias);
  else {
    const latest = uri.stage.toLowerCase() === 'latest';
    const candidates = [...byKey.values()].filter((v) => v.name === uri.name && (latest || String(v.current_stage).toLowerCase() === uri.stage.toLowerCase()));
    version = candidates.map((v) => v.version as string).sort((a, b) => Number(b) - Number(a))[0];
  }
  const key = version ? versionKey(uri.name, version) : undefined;
  return key ? { key, evidence: `model_version.source ${source!.slice(0, 200)}` } : undefined;
}

async function nodesOf(store: GraphStore, keys: string[]): Promise<GraphNode[]> {
  const out: GraphNode[] = [];
  for (let i = 0; i < keys.length; i += 500) out.push(...(await store.getNodes(keys.slice(i, i + 500))));
  return out;
}

/** The completion markers already in the store, for the keys about to be read. */
async function stamps(store: GraphStore, keys: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const n of await nodesOf(store, keys)) if (typeof n.props.mlflowStamp === 'string') out.set(n.key, n.props.mlflowStamp);
  return out;
}

/** Users the registry names: creators of versions, and the run users the version nodes record. */
function identitiesNamed(byKey: ReadonlyMap<string, Json>, nodes: GraphNode[]): string[] {
  const names = new Set<string>();
  for (const v of byKey.values()) if (typeof v.user_id === 'string' && v.user_id) names.add(v.user_id);
  for (const n of nodes) {
    for (const p of ['creator', 'runUser']) {
      const key = n.props[p];
      const parsed = typeof key === 'string' ? parseKey(key) : undefined;
      if (parsed?.format.id === 'mlflow-user') names.add(parsed.parts.name!);
    }
  }
  return [...names];
}

/**
 * Serving endpoints (Databricks-compatible), else the deployments server's; each written as one scope with what it
 * serves and who can manage it. Returns the keys listed when the listing was complete (so the rest may be removed).
 */
async function readEndpoints(client: MlflowClient, trackingUri: string, writer: ScopeWriter, warnings: WarningLog, summary: MlflowIngestSummary): Promise<Set<string> | undefined> {
  let items: unknown[];
  try {
    items = await client.servingEndpoints();
    summary.endpoints.api = 'serving-endpoints';
  } catch (err) {
    if (isFatal(err)) throw err;
    if (err instanceof MlflowApiError && err.noSuchRoute) return readDeployments(client, trackingUri, writer, warnings, summary);
    warnings.add('(endpoints)', `serving endpoints could not be listed (${describe(err)}); none were read or removed`);
    return undefined;
  }
  const listed = new Set<string>();
  let permissionsOffered = true;
  for (const item of items) {
    const name = isObject(item) && typeof item.name === 'string' ? item.name : undefined;
    if (!name) {
      warnings.add('(endpoints)', 'a serving endpoint has no name; skipped');
      continue;
    }
    const key = endpointKey(name);
    if (key) listed.add(key);
    try {
      const detail = await client.servingEndpoint(name);
      let permissions: Json | undefined;
      const id = typeof detail.id === 'string' ? detail.id : undefined;
      if (id && permissionsOffered) {
        try {
          permissions = await client.servingEndpointPermissions(id);
        } catch (err) {
          if (isFatal(err)) throw err;
          if (err instanceof MlflowApiError && err.noSuchRoute) permissionsOffered = false;
          else warnings.add(`endpoint ${name}`, `its permissions could not be read (${describe(err)}); who can manage it is not recorded`);
        }
      }
      const mapped = mapServingEndpoint(detail, trackingUri, permissions);
      if ('problem' in mapped) warnings.add(`endpoint ${name}`, mapped.problem);
      else {
        await commitEndpoint(writer, warnings, mapped, name);
        summary.endpoints.read++;
      }
    } catch (err) {
      if (isFatal(err)) throw err;
      summary.endpoints.failed++;
      warnings.add(`endpoint ${name}`, `not read (${describe(err)}); it is read again on the next run`);
    }
  }
  // A failed endpoint is neither written nor removed.
  return summary.endpoints.failed ? undefined : listed;
}

async function readDeployments(client: MlflowClient, trackingUri: string, writer: ScopeWriter, warnings: WarningLog, summary: MlflowIngestSummary): Promise<Set<string> | undefined> {
  const listed = await collect(client.deploymentEndpoints(), (raw) => raw, isFatal);
  if (!listed.complete) {
    if (listed.items.length === 0 && listed.stoppedBy instanceof MlflowApiError && listed.stoppedBy.noSuchRoute) return undefined;
    warnings.add('(endpoints)', `the deployments endpoints listing stopped part-way (${describe(listed.stoppedBy)}); none were removed`);
  }
  summary.endpoints.api = 'deployments';
  const keys = new Set<string>();
  for (const item of listed.items) {
    const mapped = mapDeploymentEndpoint(item, trackingUri);
    if ('problem' in mapped) {
      warnings.add('(endpoints)', mapped.problem);
      continue;
    }
    keys.add(mapped.key);
    await commitEndpoint(writer, warnings, mapped, mapped.key);
    summary.endpoints.read++;
  }
  return listed.complete ? keys : undefined;
}

async function commitEndpoint(writer: ScopeWriter, warnings: WarningLog, m: EndpointMapping, label: string): Promise<void> {
  for (const w of m.warnings) warnings.add(`endpoint ${label}`, w);
  await writer.commitScope(m.key, m.batch);
}

/**
 * What this server's earlier runs wrote in a key format and it no longer lists: each scope committed empty (its
 * records go), and a node something else still points at (an endpoint still configured to serve a deleted
 * version) kept, marked missing. Returns how many are gone.
 */
async function removeUnlisted(store: GraphStore, writer: ScopeWriter, trackingUri: string, format: string, listed: ReadonlySet<string>, alsoScope?: (n: GraphNode) => string | undefined): Promise<number> {
  const gone: GraphNode[] = [];
  const kind = keyFormat(format).kind;
  let after: string | undefined;
  for (;;) {
    const page = await store.find({ kind, where: { trackingUri }, first: 1000, ...(after ? { after } : {}) });
    for (const n of page.items) if (parseKey(n.key)?.format.id === format && !listed.has(n.key)) gone.push(n);
    if (!page.hasNextPage || !page.endCursor) break;
    after = page.endCursor;
  }
  let removed = 0;
  for (const n of gone) {
    const extra = alsoScope?.(n);
    if (extra) await writer.commitScope(extra, { nodes: [], edges: [] });
    await writer.commitScope(n.key, { nodes: [], edges: [] });
    const [still] = await store.getNodes([n.key]);
    if (!still) removed++;
    else if (still.props.missing !== true) await writer.commitScope(n.key, { nodes: [{ kind: still.kind, key: n.key, props: { missing: true, mlflowStamp: null } }], edges: [] });
  }
  return removed;
}

/** Versions a production-like alias or stage names that no SERVES edge (from any source) reaches. */
async function servingUnknown(store: GraphStore, byKey: ReadonlyMap<string, Json>, models: ReadonlyMap<string, RegisteredModel>): Promise<MlflowIngestSummary['servingUnknown']> {
  const wanted: MlflowIngestSummary['servingUnknown'] = [];
  for (const [key, v] of byKey) {
    const aliases = [...(models.get(v.name as string)?.aliases ?? [])].filter(([a, to]) => to === v.version && PRODUCTION.test(a)).map(([a]) => a).sort();
    const stage = typeof v.current_stage === 'string' && PRODUCTION.test(v.current_stage) ? v.current_stage : undefined;
    if (aliases.length || stage) wanted.push({ key, aliases, ...(stage ? { stage } : {}) });
  }
  const served = new Set<string>();
  for (let i = 0; i < wanted.length; i += 500) {
    for (const e of await store.expand({ keys: wanted.slice(i, i + 500).map((w) => w.key), direction: 'in', edgeKinds: ['SERVES'], withProps: false })) served.add(e.to);
  }
  return wanted.filter((w) => !served.has(w.key)).sort((a, b) => (a.key < b.key ? -1 : 1));
}

export function formatSummary(s: MlflowIngestSummary): string {
  const c = (x: Counts) => `${x.read} read, ${x.unchanged} unchanged, ${x.failed} failed, ${x.removed} removed`;
  const lines = [`ingested an ${s.generation === 'mlflow-3' ? 'MLflow 3' : 'MLflow 2'} server at ${s.trackingUri} in ${(s.elapsedMs / 1000).toFixed(1)} s`];
  lines.push(`  registry  ${s.registeredModels} registered models, ${s.versions.listed} versions: ${c(s.versions)}${s.versions.unresolved ? `, ${s.versions.unresolved} with no run or artifacts` : ''}`);
  if (s.generation === 'mlflow-3') lines.push(`  logged    ${s.loggedModels.listed} logged models, ${s.loggedModels.unregistered} registered by no version: ${c(s.loggedModels)}`);
  lines.push(`  endpoints ${s.endpoints.api === 'none' ? 'no serving API on this server (add endpoints with a records file: aispm import)' : `${s.endpoints.read} read from ${s.endpoints.api}, ${s.endpoints.failed} failed, ${s.endpoints.removed} removed`}`);
  lines.push(`  access    ${s.access === 'none' ? 'no permissions API answered: write access unknown' : `from the ${s.access} permissions API`}`);
  if (s.servingUnknown.length) {
    lines.push(`  serving unknown for ${s.servingUnknown.length} production version(s):`);
    for (const u of s.servingUnknown.slice(0, 20)) lines.push(`    ${u.key} (${[...u.aliases.map((a) => `@${a}`), ...(u.stage ? [`stage ${u.stage}`] : [])].join(', ')})`);
    if (s.servingUnknown.length > 20) lines.push(`    … and ${s.servingUnknown.length - 20} more (use --json for all)`);
  }
  lines.push(`  written   ${s.written.nodes} nodes, ${s.written.edges} edges (${s.written.edgesRemoved} stale edges and ${s.written.nodesRemoved} stale nodes removed)`);
  lines.push(`  requests  ${s.http.requests} (${s.http.retries} retries, ${s.http.rateLimited} rate-limited)`);
  return [...lines, ...warningLines(s.warnings)].join('\n');
}
