/**
 * A local stand-in for an MLflow tracking server, in MLflow 2 or MLflow 3 mode, speaking the REST API on the paths
 * real clients call: registry search with opaque page tokens (and MLflow's INVALID_PARAMETER_VALUE for a bad one),
 * runs/get, artifacts/list, the `/get-artifact` and logged-model file downloads with Range/206 as Flask's
 * `send_file` serves them, experiments and logged-models search (MLflow 3 only: MLflow 2 answers an HTML 404, as a
 * Flask server does for a route it lacks), Databricks-compatible serving endpoints and permissions, the
 * deployments server's endpoint list, and the basic-auth app's users (401 with `WWW-Authenticate`, plain-text 403).
 * Faults (429 with Retry-After, 5xx) and a per-request delay are injectable. Binds 127.0.0.1 only. Used by the tests,
 * the bench and anyone trying the ingestor without a server.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { serveReplay, type ReplayHttp } from '../../pipeline/replay-server.ts';
import { ReplayRegistry, type FileContent, type Generation, type Json, type RegistryData } from './registry.ts';

export interface Fault {
  /** Applies to requests whose method, path and query (`GET /api/2.0/mlflow/runs/get?run_id=…`) contain this. */
  match: string;
  status: 403 | 404 | 429 | 500 | 502 | 503 | 504;
  times: number;
  retryAfter?: string;
  /** The `error_code` of the JSON body (default: REQUEST_LIMIT_EXCEEDED for 429, else TEMPORARILY_UNAVAILABLE). */
  errorCode?: string;
}

export interface ReplayOptions {
  generation: Generation;
  delayMs?: number;
  faults?: Fault[];
  port?: number;
  /**
   * HTTP Basic users (username → password) and bearer tokens accepted, and users who may sign in but read nothing
   * (the basic-auth app's plain-text 403); unset: no authentication.
   */
  auth?: { basic?: Record<string, string>; tokens?: string[]; forbidden?: string[] };
  /** Downloads ignore Range and send the whole file (some proxies do). */
  ignoreRange?: boolean;
}

export interface MlflowReplayServer extends ReplayHttp {
  registry: ReplayRegistry;
  faults: Fault[];
  /** Requests answered, in order (`GET /path?query`). */
  log: string[];
  /** Requests that carried credentials the server accepted. */
  authorized: number;
}

/** `max_results` as MLflow's handlers take it: the default when absent, and the most they accept (logged models: no cap). */
const MAX_RESULTS = {
  registeredModels: { byDefault: 100, max: 1000 },
  versions: { byDefault: 10_000, max: 200_000 },
  experiments: { byDefault: 1000, max: 50_000 },
  loggedModels: { byDefault: 100, max: Number.MAX_SAFE_INTEGER },
};

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startMlflowReplay(data: RegistryData, opts: ReplayOptions): Promise<MlflowReplayServer> {
  const state: MlflowReplayServer = await serveReplay<MlflowReplayServer>(
    { registry: new ReplayRegistry(data, opts.generation), faults: opts.faults ?? [], log: [], authorized: 0 },
    (req, res, body) => {
      try {
        handle(req, body, res, state, opts);
      } catch (err) {
        if (err instanceof ApiError) sendJson(res, err.status, { error_code: err.code, message: err.message });
        else sendJson(res, 500, { error_code: 'INTERNAL_ERROR', message: `replay server: ${(err as Error).message}` });
      }
    },
    opts,
  );
  return state;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** What Flask answers for a route the server does not have. */
function notFoundPage(res: ServerResponse): void {
  const html = '<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was not found on the server.</p>\n';
  res.writeHead(404, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) });
  res.end(html);
}

/**
 * MLflow's page tokens: base64 of `{"offset": n}`, and for logged models also the request the token continues
 * (`experiment_ids`, `filter_string`, `order_by`), which MLflow checks against the request it comes with. Anything
 * else is refused as MLflow refuses it.
 */
function offsetOf(token: string | undefined | null, bound: Json = {}): number {
  if (token === undefined || token === null || token === '') return 0;
  let decoded: Json;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as Json;
  } catch {
    throw new ApiError(400, 'INVALID_PARAMETER_VALUE', 'Invalid page token, could not base64-decode');
  }
  const offset = decoded?.offset;
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) throw new ApiError(400, 'INVALID_PARAMETER_VALUE', 'Invalid page token, decoded value=' + JSON.stringify(offset));
  for (const [field, value] of Object.entries(bound)) {
    if (JSON.stringify(decoded[field] ?? null) !== JSON.stringify(value ?? null)) {
      throw new ApiError(400, 'INVALID_PARAMETER_VALUE', `The ${field} in the page token do not match the ${field} of the request`);
    }
  }
  return offset;
}

function tokenAt(offset: number, bound: Json = {}): string {
  return Buffer.from(JSON.stringify({ ...bound, offset })).toString('base64');
}

function page(items: Json[], field: string, token: string | undefined | null, maxResults: unknown, limits: { byDefault: number; max: number }, pageSize: number, bound: Json = {}): Json {
  const requested = maxResults === undefined || maxResults === null || maxResults === '' ? limits.byDefault : Number(maxResults);
  if (!Number.isInteger(requested) || requested < 1 || requested > limits.max) {
    throw new ApiError(400, 'INVALID_PARAMETER_VALUE', `Invalid value for request parameter max_results. It must be at most ${limits.max}, but got value ${String(maxResults)}`);
  }
  const start = offsetOf(token, bound);
  const size = Math.min(requested, pageSize);
  const slice = items.slice(start, start + size);
  const body: Json = {};
  if (slice.length) body[field] = slice;
  if (start + size < items.length) body.next_page_token = tokenAt(start + size, bound);
  return body;
}

/** Who the credentials name, if the server accepts them. */
function signedIn(req: IncomingMessage, opts: ReplayOptions): string | undefined {
  if (!opts.auth) return '';
  const header = req.headers.authorization ?? '';
  const bearer = /^Bearer (.+)$/.exec(header);
  if (bearer) return opts.auth.tokens?.includes(bearer[1]!) ? 'token' : undefined;
  const basic = /^Basic (.+)$/.exec(header);
  if (!basic) return undefined;
  const [user, ...rest] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':');
  return opts.auth.basic?.[user!] !== undefined && opts.auth.basic[user!] === rest.join(':') ? user : undefined;
}

function handle(req: IncomingMessage, rawBody: string, res: ServerResponse, s: MlflowReplayServer, opts: ReplayOptions): void {
  const url = new URL(req.url ?? '/', s.url);
  const method = req.method ?? 'GET';
  const line = `${method} ${url.pathname}${url.search}`;
  s.log.push(line);
  const fault = s.faults.find((f) => f.times > 0 && line.includes(f.match));
  if (fault) {
    fault.times--;
    const headers: Record<string, string> = fault.retryAfter !== undefined ? { 'Retry-After': fault.retryAfter } : {};
    const errorCode = fault.errorCode ?? (fault.status === 429 ? 'REQUEST_LIMIT_EXCEEDED' : 'TEMPORARILY_UNAVAILABLE');
    return sendJson(res, fault.status, { error_code: errorCode, message: fault.status === 429 ? 'Too many requests' : `Fault injected: ${errorCode}` }, headers);
  }
  const user = signedIn(req, opts);
  if (user === undefined) {
    const text = 'You are not authenticated. Please see https://www.mlflow.org/docs/latest/auth/index.html#authenticating-to-mlflow on how to authenticate.';
    res.writeHead(401, { 'content-type': 'text/html; charset=utf-8', 'www-authenticate': 'Basic realm="mlflow"', 'content-length': Buffer.byteLength(text) });
    return void res.end(text);
  }
  if (opts.auth?.forbidden?.includes(user)) {
    res.writeHead(403, { 'content-type': 'text/html; charset=utf-8', 'content-length': 17 });
    return void res.end('Permission denied');
  }
  if (opts.auth) s.authorized++;
  const q = url.searchParams;
  let body: Json = {};
  if (method === 'POST' && rawBody) {
    try {
      body = JSON.parse(rawBody) as Json;
    } catch {
      throw new ApiError(400, 'MALFORMED_REQUEST', 'Malformed JSON body');
    }
  }
  const r = s.registry;
  const path = url.pathname;

  if (method === 'GET' && path === '/api/2.0/mlflow/registered-models/search') {
    return sendJson(res, 200, page(r.registeredModels(), 'registered_models', q.get('page_token'), q.get('max_results') ?? undefined, MAX_RESULTS.registeredModels, r.pageSize));
  }
  if (method === 'GET' && path === '/api/2.0/mlflow/model-versions/search') {
    const filter = q.get('filter');
    const name = filter ? /^name\s*=\s*'(.*)'$/.exec(filter)?.[1] : undefined;
    if (filter && name === undefined) throw new ApiError(400, 'INVALID_PARAMETER_VALUE', `Invalid filter '${filter}'`);
    const all = r.versions().filter((v) => name === undefined || v.name === name);
    return sendJson(res, 200, page(all, 'model_versions', q.get('page_token'), q.get('max_results') ?? undefined, MAX_RESULTS.versions, r.pageSize));
  }
  if (method === 'GET' && path === '/api/2.0/mlflow/runs/get') {
    const id = q.get('run_id') ?? q.get('run_uuid') ?? '';
    const run = r.runBody(id);
    if (!run) throw new ApiError(404, 'RESOURCE_DOES_NOT_EXIST', `Run with id=${id} not found`);
    return sendJson(res, 200, run);
  }
  if (method === 'GET' && path === '/api/2.0/mlflow/artifacts/list') {
    const files = r.files({ run: q.get('run_id') ?? '' });
    if (!files) throw new ApiError(404, 'RESOURCE_DOES_NOT_EXIST', `Run with id=${q.get('run_id')} not found`);
    return sendJson(res, 200, { root_uri: `mlflow-artifacts:/runs/${q.get('run_id')}/artifacts`, ...listing(files, q.get('path') ?? '', q.get('page_token'), r.pageSize, (p, c) => r.fileBytes(q.get('run_id') ?? '', p, c).length) });
  }
  if (method === 'GET' && path === '/get-artifact') return download(req, res, r, q.get('run_id') ?? '', { run: q.get('run_id') ?? '' }, q.get('path') ?? '', opts);

  if (r.generation === 3) {
    if (method === 'POST' && path === '/api/2.0/mlflow/experiments/search') {
      return sendJson(res, 200, page(r.experiments(), 'experiments', body.page_token as string | undefined, body.max_results, MAX_RESULTS.experiments, r.pageSize));
    }
    if (method === 'POST' && path === '/api/2.0/mlflow/logged-models/search') {
      const ids = body.experiment_ids;
      if (!Array.isArray(ids) || ids.length === 0) throw new ApiError(400, 'INVALID_PARAMETER_VALUE', 'experiment_ids must be a non-empty list');
      const bound = { experiment_ids: ids.map(String), filter_string: body.filter ?? null, order_by: body.order_by ?? null };
      return sendJson(res, 200, page(r.loggedModels(ids.map(String)), 'models', body.page_token as string | undefined, body.max_results, MAX_RESULTS.loggedModels, r.pageSize, bound));
    }
    const lm = /^\/api\/2\.0\/mlflow\/logged-models\/([^/]+)$/.exec(path);
    if (method === 'GET' && lm) {
      const m = r.model(decodeURIComponent(lm[1]!));
      if (!m || m.deleted) throw new ApiError(404, 'RESOURCE_DOES_NOT_EXIST', `Logged model with ID '${decodeURIComponent(lm[1]!)}' not found.`);
      return sendJson(res, 200, { model: r.loggedModelBody(m) });
    }
    const dirs = /^\/api\/2\.0\/mlflow\/logged-models\/([^/]+)\/artifacts\/directories$/.exec(path);
    if (method === 'GET' && dirs) {
      const id = decodeURIComponent(dirs[1]!);
      const files = r.files({ model: id });
      if (!files) throw new ApiError(404, 'RESOURCE_DOES_NOT_EXIST', `Logged model with ID '${id}' not found.`);
      return sendJson(res, 200, { root_uri: `mlflow-artifacts:/models/${id}/artifacts`, ...listing(files, q.get('artifact_directory_path') ?? '', q.get('page_token'), r.pageSize, (p, c) => r.fileBytes(id, p, c).length) });
    }
    const file = /^\/ajax-api\/2\.0\/mlflow\/logged-models\/([^/]+)\/artifacts\/files$/.exec(path);
    if (method === 'GET' && file) {
      const id = decodeURIComponent(file[1]!);
      return download(req, res, r, id, { model: id }, q.get('artifact_file_path') ?? '', opts);
    }
  }

  if (r.data.servingEndpoints && method === 'GET' && path === '/api/2.0/serving-endpoints') {
    // The list carries served entity specs only; routes are in the detailed GET.
    return sendJson(res, 200, { endpoints: r.data.servingEndpoints.map(summaryOf) });
  }
  const ep = /^\/api\/2\.0\/serving-endpoints\/([^/]+)$/.exec(path);
  if (r.data.servingEndpoints && method === 'GET' && ep) {
    const found = r.data.servingEndpoints.find((e) => e.name === decodeURIComponent(ep[1]!));
    if (!found) throw new ApiError(404, 'RESOURCE_DOES_NOT_EXIST', `Serving endpoint with name ${decodeURIComponent(ep[1]!)} does not exist`);
    return sendJson(res, 200, found);
  }
  const perm = /^\/api\/2\.0\/permissions\/((?:registered-models|serving-endpoints)\/[^/]+)$/.exec(path);
  if (r.data.permissions && method === 'GET' && perm) {
    const acl = r.data.permissions[decodeURIComponent(perm[1]!)];
    if (!acl) throw new ApiError(404, 'RESOURCE_DOES_NOT_EXIST', `No object ${perm[1]}`);
    return sendJson(res, 200, { object_id: `/${perm[1]}`, object_type: perm[1]!.split('/')[0]!.replace(/s$/, ''), ...acl });
  }
  if (r.data.permissions && method === 'GET' && path === '/api/2.0/mlflow/databricks/registered-models/get') {
    const m = r.data.registeredModels.find((x) => x.name === q.get('name'));
    if (!m?.id) throw new ApiError(404, 'RESOURCE_DOES_NOT_EXIST', `Registered Model with name=${q.get('name')} not found`);
    return sendJson(res, 200, { registered_model_databricks: { id: m.id, name: m.name, permission_level: 'CAN_MANAGE' } });
  }
  if (r.data.deploymentEndpoints && method === 'GET' && (path === '/api/2.0/endpoints/' || path === '/api/2.0/endpoints')) {
    return sendJson(res, 200, { endpoints: r.data.deploymentEndpoints });
  }
  if (r.data.users && method === 'GET' && path === '/api/2.0/mlflow/users/get') {
    const user = r.data.users[q.get('username') ?? ''];
    if (!user) throw new ApiError(404, 'RESOURCE_DOES_NOT_EXIST', `User with username=${q.get('username')} not found`);
    return sendJson(res, 200, { user });
  }
  return notFoundPage(res);
}

/** A ServingEndpoint as the list returns it: config summarised to served entity specs, no routes. */
function summaryOf(e: Json): Json {
  const config = (e.config ?? {}) as Json;
  const served = Array.isArray(config.served_entities) ? (config.served_entities as Json[]).map((x) => ({ name: x.name, entity_name: x.entity_name, entity_version: x.entity_version })) : [];
  const { pending_config: _p, ...rest } = e;
  return { ...rest, config: { served_entities: served } };
}

/** One directory of a tree, as artifacts/list answers: direct children only, paths from the root, paged. */
function listing(files: Map<string, FileContent>, dir: string, token: string | null, pageSize: number, sizeOf: (path: string, c: FileContent) => number): Json {
  const prefix = dir ? `${dir.replace(/\/+$/, '')}/` : '';
  const children = new Map<string, Json>();
  for (const [p, c] of files) {
    if (!p.startsWith(prefix)) continue;
    const rest = p.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash >= 0) children.set(prefix + rest.slice(0, slash), { path: prefix + rest.slice(0, slash), is_dir: true });
    else children.set(p, { path: p, is_dir: false, file_size: sizeOf(p, c) });
  }
  const all = [...children.values()].sort((a, b) => (String(a.path) < String(b.path) ? -1 : 1));
  const start = offsetOf(token);
  const body: Json = {};
  const slice = all.slice(start, start + pageSize);
  if (slice.length) body.files = slice;
  if (start + pageSize < all.length) body.next_page_token = tokenAt(start + pageSize);
  return body;
}

/** A file as Flask's send_file serves it: whole, or one `bytes=a-b` range as 206 with Content-Range. */
function download(req: IncomingMessage, res: ServerResponse, r: ReplayRegistry, rootId: string, root: { run: string } | { model: string }, path: string, opts: ReplayOptions): void {
  const files = r.files(root);
  const content = files?.get(path);
  if (!files || !content || path.split('/').includes('..')) throw new ApiError(404, 'RESOURCE_DOES_NOT_EXIST', `File ${path} not found`);
  const bytes = r.fileBytes(rootId, path, content);
  const type = /(^|\/)MLmodel$|\.(ya?ml|txt|json)$/i.test(path) ? 'text/plain; charset=utf-8' : 'application/octet-stream';
  const headers = { 'content-type': type, 'content-disposition': `attachment; filename=${path.split('/').pop()}`, 'accept-ranges': 'bytes' };
  const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
  if (range && !opts.ignoreRange) {
    const start = Number(range[1]);
    const end = Math.min(range[2] ? Number(range[2]) : bytes.length - 1, bytes.length - 1);
    if (start >= bytes.length || start > end) {
      res.writeHead(416, { 'content-range': `bytes */${bytes.length}` });
      return void res.end();
    }
    res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${bytes.length}`, 'content-length': end - start + 1 });
    return void res.end(Buffer.from(bytes.subarray(start, end + 1)));
  }
  res.writeHead(200, { ...headers, 'content-length': bytes.length });
  res.end(Buffer.from(bytes));
}
