/**
 * A local stand-in for the Hub that speaks its API shape on the paths `@huggingface/hub` calls: repo info
 * (`/api/{type}s/{id}/revision/{rev}?expand=…`, only the expanded fields, as the Hub does), list endpoints with
 * `filter`/`search`/`author` and absolute `Link: <…>; rel="next"` paging, `/tree/{rev}`, `/resolve/{rev}/{path}`
 * with Range/206/Content-Range/ETag, owner overviews, 307 renames and 404s. Faults (429 with Retry-After, 5xx)
 * and a per-request delay are injectable. Binds 127.0.0.1 only. Used by the tests, the demo and the bench.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { serveReplay, type ReplayHttp } from '../../pipeline/replay-server.ts';
import { createHash } from 'node:crypto';
import { typeDir, type Json, type ReplayRepoType, type Universe } from './universe.ts';

export interface Fault {
  /** Applies to requests whose path (with query) contains this text. */
  match: string;
  status: 429 | 500 | 502 | 503 | 504;
  /** How many matching requests get the fault before it stops. */
  times: number;
  retryAfter?: string;
  /** An IETF `RateLimit` header value, e.g. `limit=10, remaining=0, reset=1`. */
  rateLimit?: string;
}

export interface ReplayOptions {
  delayMs?: number;
  faults?: Fault[];
  port?: number;
  /**
   * Answers a request itself instead of the universe when it returns true: how tests make a hostile look-alike
   * (bodies that drip, echoed headers, links and redirects to other origins) out of an otherwise normal Hub.
   */
  intercept?: (req: IncomingMessage, res: ServerResponse, url: URL) => boolean;
}

export interface ReplayServer extends ReplayHttp {
  universe: Universe;
  faults: Fault[];
  /** Requests answered so far are `served`; their paths, in order, are here. */
  log: string[];
  /** Requests that carried an Authorization header (the value is never kept). */
  authorized: number;
}

const TYPES: Record<string, ReplayRepoType> = { models: 'model', datasets: 'dataset', spaces: 'space' };
const ID = '([^/]+(?:/[^/]+)?)';
const INFO = new RegExp(`^/api/(models|datasets|spaces)/${ID}/revision/([^/]+)$`);
const BARE_INFO = new RegExp(`^/api/(models|datasets|spaces)/${ID}$`);
const TREE = new RegExp(`^/api/(models|datasets|spaces)/${ID}/tree/([^/]+)(?:/(.*))?$`);
const RESOLVE = new RegExp(`^/(?:(datasets|spaces)/)?${ID}/resolve/([^/]+)/(.+)$`);
const LIST = /^\/api\/(models|datasets|spaces)$/;
const OVERVIEW = /^\/api\/(organizations|users)\/([^/]+)\/overview$/;

/** Fields the Hub's list endpoints return when no `expand` is given. */
const LIST_DEFAULT = ['_id', 'id', 'likes', 'downloads', 'private', 'tags', 'pipeline_tag', 'library_name', 'createdAt', 'sdk', 'lastModified', 'gated'];

export async function startReplayServer(universe: Universe, opts: ReplayOptions = {}): Promise<ReplayServer> {
  const state: ReplayServer = await serveReplay<ReplayServer>(
    { universe, faults: opts.faults ?? [], log: [], authorized: 0 },
    (req, res) => {
      try {
        if (opts.intercept?.(req, res, new URL(req.url ?? '/', state.url))) return;
        handle(req, res, state);
      } catch (err) {
        send(res, 500, { error: `replay server: ${(err as Error).message}` });
      }
    },
    opts,
  );
  return state;
}

function handle(req: IncomingMessage, res: ServerResponse, s: ReplayServer): void {
  const url = new URL(req.url ?? '/', s.url);
  const path = decodeURIComponent(url.pathname);
  s.log.push(`${req.method} ${url.pathname}${url.search}`);
  if (req.headers.authorization) s.authorized++;
  const fault = s.faults.find((f) => f.times > 0 && `${url.pathname}${url.search}`.includes(f.match));
  if (fault) {
    fault.times--;
    const headers: Record<string, string> = {};
    if (fault.retryAfter !== undefined) headers['Retry-After'] = fault.retryAfter;
    if (fault.rateLimit !== undefined) headers['RateLimit'] = fault.rateLimit;
    return send(res, fault.status, { error: fault.status === 429 ? 'You have been rate-limited' : 'Service unavailable' }, headers);
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'method not allowed' });
  const u = s.universe;
  let m: RegExpExecArray | null;

  if ((m = OVERVIEW.exec(path))) {
    const want = m[1] === 'organizations' ? 'org' : 'user';
    if (u.owners[m[2]!] !== want) return notFound(res, want === 'org' ? 'Organization not found' : 'User not found');
    return send(res, 200, { name: m[2], fullname: m[2], type: want === 'org' ? 'org' : 'user' });
  }
  if ((m = LIST.exec(path))) return list(res, url, TYPES[m[1]!]!, s);
  if ((m = INFO.exec(path)) || (m = BARE_INFO.exec(path))) {
    const type = TYPES[m[1]!]!;
    const id = m[2]!;
    const rev = m[3] ?? 'main';
    if (redirect(res, url, type, id, s)) return;
    const body = u.repo(type, id);
    if (!body) return notFound(res, 'Repository not found');
    if (!revisionOk(body, rev)) return notFound(res, `Invalid rev id: ${rev}`, 'RevisionNotFound');
    const expand = url.searchParams.getAll('expand');
    return send(res, 200, expand.length ? pick(body, ['_id', 'id', ...expand]) : body);
  }
  if ((m = TREE.exec(path))) {
    const type = TYPES[m[1]!]!;
    const id = m[2]!;
    if (redirect(res, url, type, id, s)) return;
    const body = u.repo(type, id);
    if (!body) return notFound(res, 'Repository not found');
    if (!revisionOk(body, m[3]!)) return notFound(res, `Invalid rev id: ${m[3]}`, 'RevisionNotFound');
    const prefix = m[4] ? `${m[4].replace(/\/$/, '')}/` : '';
    const entries = u.tree(type, id).filter((e) => e.path.startsWith(prefix));
    return page(res, url, entries, s, u.pageSize);
  }
  if ((m = RESOLVE.exec(path))) {
    const type: ReplayRepoType = m[1] === 'datasets' ? 'dataset' : m[1] === 'spaces' ? 'space' : 'model';
    const id = m[2]!;
    if (redirect(res, url, type, id, s, true)) return;
    const body = u.repo(type, id);
    if (!body) return notFound(res, 'Repository not found');
    if (!revisionOk(body, decodeURIComponent(m[3]!))) return notFound(res, 'Invalid rev id', 'RevisionNotFound');
    const bytes = u.fileBytes(type, id, m[4]!);
    if (!bytes) return notFound(res, 'Entry not found', 'EntryNotFound');
    return serveBytes(req, res, bytes, String(body.sha ?? ''));
  }
  return notFound(res, 'Not found');
}

function revisionOk(body: Json, rev: string): boolean {
  return rev === 'main' || rev === 'HEAD' || rev === body.sha;
}

/** A 307 to the new name, relative like the Hub's (`Location: /api/models/new-owner/name…`), query kept. */
function redirect(res: ServerResponse, url: URL, type: ReplayRepoType, id: string, s: ReplayServer, resolve = false): boolean {
  const to = s.universe.renamed(type, id);
  if (!to) return false;
  const oldPrefix = resolve ? `${type === 'model' ? '' : `/${typeDir(type)}`}/${id}/` : `/api/${typeDir(type)}/${id}`;
  const newPrefix = resolve ? `${type === 'model' ? '' : `/${typeDir(type)}`}/${to}/` : `/api/${typeDir(type)}/${to}`;
  const location = `${newPrefix}${url.pathname.slice(oldPrefix.length)}${url.search}`;
  const text = `Temporary Redirect. Redirecting to ${location}`;
  res.writeHead(307, { Location: location, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
  return true;
}

function list(res: ServerResponse, url: URL, type: ReplayRepoType, s: ReplayServer): void {
  const q = url.searchParams;
  const filters = q.getAll('filter');
  const search = q.get('search')?.toLowerCase();
  const author = q.get('author');
  const items = s.universe.list(type).filter((b) => {
    const id = String(b.id);
    const tags = Array.isArray(b.tags) ? (b.tags as unknown[]) : [];
    if (filters.some((f) => !tags.includes(f))) return false;
    if (search && !id.toLowerCase().includes(search)) return false;
    if (author && id.split('/')[0] !== author) return false;
    return true;
  });
  const expand = q.getAll('expand');
  const shaped = items.map((b) => pick(b, expand.length ? ['_id', 'id', ...expand] : LIST_DEFAULT));
  const limit = Number(q.get('limit') ?? s.universe.pageSize);
  page(res, url, shaped, s, Math.max(1, Math.min(limit || s.universe.pageSize, s.universe.pageSize)));
}

/** One page of a list with an absolute `Link: <…>; rel="next"` to the next, as the Hub pages. */
function page(res: ServerResponse, url: URL, items: unknown[], s: ReplayServer, size: number): void {
  const cursor = Number(url.searchParams.get('cursor') ?? '0') || 0;
  const slice = items.slice(cursor, cursor + size);
  const headers: Record<string, string> = {};
  if (cursor + size < items.length) {
    const next = new URL(`${url.pathname}${url.search}`, s.url);
    next.searchParams.set('cursor', String(cursor + size));
    headers.Link = `<${next.href}>; rel="next"`;
  }
  send(res, 200, slice, headers);
}

function serveBytes(req: IncomingMessage, res: ServerResponse, bytes: Uint8Array, commit: string): void {
  const etag = `"${createHash('sha256').update(bytes).digest('hex')}"`;
  const common = { ETag: etag, 'Accept-Ranges': 'bytes', 'X-Repo-Commit': commit, 'Content-Type': 'application/octet-stream' };
  const range = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? ''));
  if (!range) {
    res.writeHead(200, { ...common, 'Content-Length': bytes.length });
    return void res.end(req.method === 'HEAD' ? undefined : Buffer.from(bytes));
  }
  const start = Number(range[1]);
  const end = Math.min(range[2] ? Number(range[2]) : bytes.length - 1, bytes.length - 1);
  if (start >= bytes.length || end < start) {
    res.writeHead(416, { 'Content-Range': `bytes */${bytes.length}` });
    return void res.end();
  }
  const part = bytes.subarray(start, end + 1);
  res.writeHead(206, { ...common, 'Content-Range': `bytes ${start}-${end}/${bytes.length}`, 'Content-Length': part.length });
  res.end(req.method === 'HEAD' ? undefined : Buffer.from(part));
}

function pick(body: Json, fields: string[]): Json {
  const out: Json = {};
  for (const f of fields) if (body[f] !== undefined) out[f] = body[f];
  return out;
}

function notFound(res: ServerResponse, message: string, code = 'RepoNotFound'): void {
  send(res, 404, { error: message }, { 'X-Error-Code': code, 'X-Error-Message': message });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
