/**
 * Every MLflow call the ingestor makes, in the REST API's own shapes (`/api/2.0/mlflow/…`, the artifact download
 * routes, the Databricks-compatible serving and permissions APIs, the deployments server), through the shared HTTP
 * pipeline's fetch (rate limits, retries, credentials only to the tracking server). Bodies are bounded, listings
 * always end, and an error answer becomes an MlflowApiError carrying MLflow's `error_code` when the body has one.
 * No mapping happens here: the pure mappers read exactly what the server sent.
 */
import { limitBody, UpstreamLimitError } from '../pipeline/bounds.ts';
import { safeUrl } from '../pipeline/http.ts';
import { printable } from '../pipeline/warnings.ts';
import { isObject, type Json } from '../pipeline/fields.ts';

/** No API body the ingestor reads (a page of versions, a run, a listing) is near this; a larger one is hostile. */
export const MAX_API_BODY_BYTES = 32 * 1024 * 1024;
/** Pages of one listing; 10,000 pages of 1,000 versions is far past any registry. */
export const MAX_LIST_PAGES = 10_000;

/** An error answer: the HTTP status, MLflow's error code when the body is MLflow's JSON error, and its message. */
export class MlflowApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string | undefined,
    readonly detail: string,
    readonly path: string,
  ) {
    super(`HTTP ${status}${errorCode ? ` ${errorCode}` : ''}${detail ? `: ${detail}` : ''} (${path})`);
    this.name = 'MlflowApiError';
  }

  /** The thing asked for does not exist (a run, an artifact, a logged model): a warning on one item. */
  get notFound(): boolean {
    return this.status === 404 && this.errorCode !== 'ENDPOINT_NOT_FOUND' && this.errorCode !== undefined;
  }

  /** The server has no such route (an older server, a feature not offered): HTML or empty 404s, 405, 501. */
  get noSuchRoute(): boolean {
    return (this.status === 404 && (this.errorCode === undefined || this.errorCode === 'ENDPOINT_NOT_FOUND')) || this.status === 405 || this.status === 501;
  }

  get unauthorized(): boolean {
    return this.status === 401 || this.errorCode === 'UNAUTHENTICATED' || this.errorCode === 'CUSTOMER_UNAUTHORIZED';
  }

  get forbidden(): boolean {
    return this.status === 403 || this.errorCode === 'PERMISSION_DENIED';
  }
}

/** One page of a listing: its items and the token of the next page, if any. */
export interface Page {
  items: unknown[];
  next?: string;
}

export type RangeReader = (start: number, endInclusive: number) => Promise<Uint8Array>;

/** Where a model's artifacts are read from: a run's artifact tree (at a path inside it) or a logged model's. */
export type ArtifactRoot = { kind: 'run'; runId: string; path: string } | { kind: 'logged-model'; modelId: string };

export interface ArtifactEntry {
  /** Relative to the root. */
  path: string;
  isDir: boolean;
  size?: number;
}

const json = { 'content-type': 'application/json', accept: 'application/json' };

export class MlflowClient {
  private readonly fetchImpl: typeof fetch;

  constructor(
    readonly trackingUri: string,
    private readonly rawFetch: typeof fetch,
  ) {
    this.fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => limitBody(await rawFetch(input, init), MAX_API_BODY_BYTES)) as typeof fetch;
  }

  private url(path: string, query: Record<string, string | undefined> = {}): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, v);
    const qs = params.toString();
    return `${this.trackingUri}${path}${qs ? `?${qs}` : ''}`;
  }

  /** One JSON call; a non-2xx answer throws MlflowApiError, a body that is not a JSON object a TypeError. */
  async call(method: 'GET' | 'POST', path: string, query: Record<string, string | undefined> = {}, body?: unknown): Promise<Json> {
    const url = this.url(path, query);
    const res = await this.fetchImpl(url, { method, headers: json, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    if (!res.ok) throw await apiError(res, path);
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text.trim() === '' ? {} : JSON.parse(text);
    } catch {
      throw new TypeError(`${path} answered ${res.status} with a body that is not JSON`);
    }
    if (!isObject(parsed)) throw new TypeError(`${path} answered with JSON that is not an object`);
    return parsed;
  }

  /**
   * Every item of a token-paged listing. A token seen before (a loop) or more than MAX_LIST_PAGES pages is an
   * UpstreamLimitError; items of the wrong shape are the mapper's business.
   */
  async *pages(fetchPage: (token: string | undefined) => Promise<Json>, field: string): AsyncGenerator<unknown[]> {
    const seen = new Set<string>();
    let token: string | undefined;
    for (let n = 0; ; n++) {
      if (n >= MAX_LIST_PAGES) throw new UpstreamLimitError(`listing of ${field} runs past ${MAX_LIST_PAGES} pages`);
      const body = await fetchPage(token);
      const items = body[field];
      if (items !== undefined && !Array.isArray(items)) throw new TypeError(`field "${field}" should be a list`);
      yield (items as unknown[] | undefined) ?? [];
      const next = body.next_page_token;
      if (typeof next !== 'string' || next === '') return;
      if (seen.has(next)) throw new UpstreamLimitError(`listing of ${field} loops back to a page token it already gave`);
      seen.add(next);
      token = next;
    }
  }

  registeredModels(pageSize: number): AsyncGenerator<unknown[]> {
    return this.pages((t) => this.call('GET', '/api/2.0/mlflow/registered-models/search', { max_results: String(pageSize), page_token: t }), 'registered_models');
  }

  modelVersions(pageSize: number): AsyncGenerator<unknown[]> {
    return this.pages((t) => this.call('GET', '/api/2.0/mlflow/model-versions/search', { max_results: String(pageSize), page_token: t }), 'model_versions');
  }

  async run(runId: string): Promise<Json> {
    return this.call('GET', '/api/2.0/mlflow/runs/get', { run_id: runId });
  }

  /**
   * MLflow 3 answers `logged-models/search`; MLflow 2 has no such route. An answer refusing the request (400, 403, a
   * JSON 404 naming what does not exist) still shows the route exists; any other failure is thrown.
   */
  async hasLoggedModels(): Promise<boolean> {
    try {
      await this.call('POST', '/api/2.0/mlflow/logged-models/search', {}, { experiment_ids: ['0'], max_results: 1 });
      return true;
    } catch (err) {
      // Experiment 0 may be gone or unreadable for this account: the refusal still comes from the route.
      if (err instanceof MlflowApiError && (err.status === 400 || err.status === 403 || err.notFound || err.errorCode === 'INVALID_PARAMETER_VALUE')) return true;
      if (err instanceof MlflowApiError && err.noSuchRoute) return false;
      throw err;
    }
  }

  experiments(pageSize: number): AsyncGenerator<unknown[]> {
    return this.pages(
      (t) => this.call('POST', '/api/2.0/mlflow/experiments/search', {}, { max_results: pageSize, view_type: 'ACTIVE_ONLY', ...(t ? { page_token: t } : {}) }),
      'experiments',
    );
  }

  loggedModels(experimentIds: string[], pageSize: number): AsyncGenerator<unknown[]> {
    return this.pages(
      (t) => this.call('POST', '/api/2.0/mlflow/logged-models/search', {}, { experiment_ids: experimentIds, max_results: pageSize, ...(t ? { page_token: t } : {}) }),
      'models',
    );
  }

  async loggedModel(modelId: string): Promise<Json> {
    return this.call('GET', `/api/2.0/mlflow/logged-models/${encodeURIComponent(modelId)}`);
  }

  /** One directory of a model's artifacts (not recursive); paths relative to the root. */
  async listArtifacts(root: ArtifactRoot, dir: string): Promise<ArtifactEntry[]> {
    const out: ArtifactEntry[] = [];
    const fetchPage =
      root.kind === 'run'
        ? (t: string | undefined) => this.call('GET', '/api/2.0/mlflow/artifacts/list', { run_id: root.runId, path: joinPath(root.path, dir) || undefined, page_token: t })
        : (t: string | undefined) =>
            this.call('GET', `/api/2.0/mlflow/logged-models/${encodeURIComponent(root.modelId)}/artifacts/directories`, { artifact_directory_path: dir || undefined, page_token: t });
    const prefix = root.kind === 'run' && root.path ? `${root.path}/` : '';
    for await (const page of this.pages(fetchPage, 'files')) {
      for (const f of page) {
        if (!isObject(f) || typeof f.path !== 'string') throw new TypeError('an artifact listing entry has no path');
        // Run listings give paths from the run's root; make them relative to the model's.
        const rel = prefix && f.path.startsWith(prefix) ? f.path.slice(prefix.length) : f.path;
        const size = typeof f.file_size === 'number' ? f.file_size : typeof f.file_size === 'string' && /^\d+$/.test(f.file_size) ? Number(f.file_size) : undefined;
        out.push({ path: rel, isDir: f.is_dir === true, ...(size !== undefined ? { size } : {}) });
      }
    }
    return out;
  }

  private artifactUrl(root: ArtifactRoot, path: string): string {
    return root.kind === 'run'
      ? this.url('/get-artifact', { run_id: root.runId, path: joinPath(root.path, path) })
      : this.url(`/ajax-api/2.0/mlflow/logged-models/${encodeURIComponent(root.modelId)}/artifacts/files`, { artifact_file_path: path });
  }

  /** The whole of a small artifact (MLmodel, requirements.txt) as text; past `maxBytes` an UpstreamLimitError. */
  async artifactText(root: ArtifactRoot, path: string, maxBytes: number): Promise<string> {
    const res = limitBody(await this.rawFetch(this.artifactUrl(root, path)), maxBytes);
    if (!res.ok) throw await apiError(limitBody(res, 64 * 1024), path);
    return res.text();
  }

  /**
   * Range reads of one artifact (what the scanner asks for). The download routes serve files the way Flask's
   * `send_file` does, with `Range`; a server or proxy that ignores Range is answered from one whole download when
   * the file is within `maxWholeBytes`, and refused otherwise.
   */
  rangeReader(root: ArtifactRoot, path: string, size: number, maxWholeBytes: number): RangeReader {
    const url = this.artifactUrl(root, path);
    let whole: Promise<Uint8Array> | undefined;
    /** The whole file from an answer that ignored Range; a file longer than listed is refused. */
    const keep = async (res: Response): Promise<Uint8Array> => {
      if (size > maxWholeBytes) {
        await res.body?.cancel().catch(() => undefined);
        throw new UpstreamLimitError(`${safeUrl(url)} ignores Range and is over ${maxWholeBytes} bytes`);
      }
      return new Uint8Array(await limitBody(res, size).arrayBuffer());
    };
    return async (start, endInclusive) => {
      if (whole) return (await whole).subarray(start, endInclusive + 1);
      const res = await this.rawFetch(url, { headers: { range: `bytes=${start}-${endInclusive}` } });
      if (res.status === 206) {
        const from = /^bytes (\d+)-(\d+)/.exec(res.headers.get('content-range') ?? '');
        if (!from || Number(from[1]) !== start) {
          await res.body?.cancel().catch(() => undefined);
          throw new UpstreamLimitError(`${safeUrl(url)} answered bytes ${start}-${endInclusive} with another range`);
        }
        return new Uint8Array(await limitBody(res, endInclusive - start + 1, 'truncate').arrayBuffer());
      }
      if (!res.ok) throw await apiError(limitBody(res, 64 * 1024), path);
      whole = keep(res);
      return (await whole).subarray(start, endInclusive + 1);
    };
  }

  /** Databricks-compatible serving endpoints: the listing, then each endpoint in detail (routes are only there). */
  async servingEndpoints(): Promise<unknown[]> {
    const body = await this.call('GET', '/api/2.0/serving-endpoints');
    const list = body.endpoints ?? [];
    if (!Array.isArray(list)) throw new TypeError('field "endpoints" should be a list');
    return list;
  }

  async servingEndpoint(name: string): Promise<Json> {
    return this.call('GET', `/api/2.0/serving-endpoints/${encodeURIComponent(name)}`);
  }

  async servingEndpointPermissions(id: string): Promise<Json> {
    return this.call('GET', `/api/2.0/permissions/serving-endpoints/${encodeURIComponent(id)}`);
  }

  /** The MLflow deployments server (AI gateway): its endpoints, paged past 3,000. */
  deploymentEndpoints(): AsyncGenerator<unknown[]> {
    return this.pages((t) => this.call('GET', '/api/2.0/endpoints/', { page_token: t }), 'endpoints');
  }

  /** MLflow's basic-auth app: one user with their registered-model permissions. */
  async user(username: string): Promise<Json> {
    return this.call('GET', '/api/2.0/mlflow/users/get', { username });
  }

  /** Databricks: the registered model's id, which its permissions are filed under. */
  async databricksRegisteredModel(name: string): Promise<Json> {
    return this.call('GET', '/api/2.0/mlflow/databricks/registered-models/get', { name });
  }

  async registeredModelPermissions(id: string): Promise<Json> {
    return this.call('GET', `/api/2.0/permissions/registered-models/${encodeURIComponent(id)}`);
  }
}

export function joinPath(a: string, b: string): string {
  return [a, b].filter((p) => p !== '').join('/');
}

/** An error answer as MlflowApiError: MLflow's JSON body when it is one, else a short printable excerpt. */
async function apiError(res: Response, path: string): Promise<MlflowApiError> {
  let text = '';
  try {
    text = await res.text();
  } catch {
    // a body that fails mid-read says no more than the status
  }
  let code: string | undefined;
  let message = '';
  try {
    const body: unknown = JSON.parse(text);
    if (isObject(body)) {
      if (typeof body.error_code === 'string') code = body.error_code;
      if (typeof body.message === 'string') message = body.message;
      else if (typeof body.detail === 'string') message = body.detail;
    }
  } catch {
    // Plain text (the basic-auth app's "Permission denied") or an HTML error page: keep a short excerpt.
    message = /<html|<!doctype/i.test(text) ? '' : text;
  }
  return new MlflowApiError(res.status, code, printable(message.trim(), 200), path);
}
