/**
 * A local stand-in for the GitHub REST API on the paths the ingestor calls, in GitHub's shapes and behaviour:
 * `Link` pagination (`per_page`, `page`, absolute `next`/`last`/`prev`/`first`), weak ETags with `If-None-Match` →
 * 304 (not counted against the limit), `x-ratelimit-*` headers, a 301 from a renamed repository to
 * `/repositories/{id}`, 404 bodies, 403 "Must have admin rights" for a token without admin rights, truncated
 * recursive trees, base64 blobs, the dependency-graph SBOM (or its absence). Faults — secondary and primary rate
 * limits, 5xx — and a per-request delay are injectable. An optional base path serves the GitHub Enterprise Server
 * layout (`/api/v3`). Binds 127.0.0.1 only. Used by the tests, the demo and the bench.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { serveReplay, type ReplayHttp } from '../../pipeline/replay-server.ts';
import type { Json, ReplayCollaborator, ReplayRepo, Universe } from './universe.ts';

export interface Fault {
  /** Applies to requests whose path (with query) contains this text. */
  match: string;
  /**
   * `secondary`: retry-after and GitHub's secondary-limit message; `primary`: no requests remaining until the reset.
   * Both are 403 unless `status` says 429 (GitHub answers a rate limit with either).
   */
  kind: 'secondary' | 'primary' | 'status';
  status?: number;
  times: number;
  /** Seconds, for `secondary` (retry-after) and `primary` (reset from now). */
  wait?: number;
}

export interface ReplayOptions {
  delayMs?: number;
  faults?: Fault[];
  /** `/api/v3` to serve the GitHub Enterprise Server layout. */
  basePath?: string;
  port?: number;
  /** Requests a token may make per hour before the primary limit answers 403 (default 5000). */
  rateLimit?: number;
}

export interface LoggedRequest {
  method: string;
  path: string;
  status: number;
  conditional: boolean;
  /** When it was answered (ms since the epoch), so a test can see how long a client waited between attempts. */
  at: number;
}

export interface ReplayServer extends ReplayHttp {
  /** The API base URL (with the base path); `origin` is the web origin (html_url). */
  url: string;
  origin: string;
  universe: Universe;
  faults: Fault[];
  log: LoggedRequest[];
  /** Requests that carried an Authorization header (the value is never kept). */
  authorized: number;
}

const DOCS = 'https://docs.github.com/rest';

export async function startReplayServer(universe: Universe, opts: ReplayOptions = {}): Promise<ReplayServer> {
  const basePath = (opts.basePath ?? '').replace(/\/+$/, '');
  let remaining = opts.rateLimit ?? 5000;
  const reset = Math.floor(Date.now() / 1000) + 3600;
  const state: ReplayServer = await serveReplay<ReplayServer>(
    { universe, faults: opts.faults ?? [], log: [], authorized: 0, origin: '' },
    (req, res) => {
      const ctx: Ctx = { req, res, u: universe, api: state.url, web: state.origin, state, rate: () => ({ remaining, reset }), spend: () => (remaining = Math.max(0, remaining - 1)) };
      try {
        handle(ctx, basePath);
      } catch (err) {
        send(ctx, 500, { message: `replay server: ${(err as Error).message}` });
      }
    },
    opts,
  );
  state.origin = state.url;
  state.url = `${state.origin}${basePath}`;
  return state;
}

interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  u: Universe;
  /** API base URL (absolute, with the base path). */
  api: string;
  /** Web origin (html_url). */
  web: string;
  state: ReplayServer;
  rate(): { remaining: number; reset: number };
  spend(): void;
  url?: URL;
}

function handle(ctx: Ctx, basePath: string): void {
  const { req } = ctx;
  const url = new URL(req.url ?? '/', 'http://replay');
  ctx.url = url;
  if (req.headers.authorization) ctx.state.authorized++;
  const full = `${url.pathname}${url.search}`;
  const fault = ctx.state.faults.find((f) => f.times > 0 && full.includes(f.match));
  if (fault) {
    fault.times--;
    return sendFault(ctx, fault);
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(ctx, 404, { message: 'Not Found', documentation_url: DOCS });
  if (!url.pathname.startsWith(`${basePath}/`)) return notFound(ctx);
  const path = url.pathname.slice(basePath.length).split('/').map(decodeURIComponent);
  const [, a, b, c, ...rest] = path;
  const u = ctx.u;

  if (a === 'orgs' && b) {
    const org = u.org(b);
    if (!org) return notFound(ctx);
    if (c === undefined) return json(ctx, { login: org.login, id: idOf(org.login), node_id: `O_${org.login}`, url: `${ctx.api}/orgs/${org.login}`, html_url: `${ctx.web}/${org.login}`, name: org.name ?? org.login, type: 'Organization' });
    if (c === 'repos' && !rest.length) return page(ctx, u.reposOf(org.login).map((r) => repoBody(ctx, r)));
    if (c === 'members' && !rest.length) {
      const role = url.searchParams.get('role') ?? 'all';
      return page(ctx, org.members.filter((m) => role === 'all' || m.role === role).map((m) => userBody(ctx, m.login, m.type)));
    }
    if (c === 'teams' && rest[0]) {
      const team = org.teams?.find((t) => t.slug === rest[0]);
      if (!team) return notFound(ctx);
      const body = teamBody(ctx, org.login, team.slug, team.name, team.parent);
      if (rest.length === 1) return json(ctx, body);
      if (rest[1] === 'members' && rest.length === 2) {
        const role = url.searchParams.get('role') ?? 'all';
        return page(ctx, team.members.filter((m) => role === 'all' || m.role === role).map((m) => userBody(ctx, m.login, m.type)));
      }
    }
    return notFound(ctx);
  }
  if (a === 'users' && b && c === 'repos' && !rest.length) {
    const repos = u.reposOf(b);
    if (!repos.length) return notFound(ctx);
    return page(ctx, repos.map((r) => repoBody(ctx, r)));
  }
  if (a === 'user' && b === 'memberships' && c === 'orgs' && rest.length === 1) {
    const org = u.org(rest[0]!);
    if (!org || !req.headers.authorization || !u.tokenIsMember) return notFound(ctx);
    return json(ctx, { state: 'active', role: 'member', organization_url: `${ctx.api}/orgs/${org.login}` });
  }
  if (a === 'repositories' && b) {
    const repo = u.repoById(Number(b));
    if (!repo) return notFound(ctx);
    return repoRoute(ctx, repo, [c, ...rest].filter((x): x is string => x !== undefined));
  }
  if (a === 'repos' && b && c) {
    const repo = u.repo(`${b}/${c}`);
    if (!repo) {
      const moved = u.renamedTo(`${b}/${c}`);
      if (moved) return redirect(ctx, `${ctx.api}/repositories/${moved.id}${rest.length ? `/${rest.map(encodeURIComponent).join('/')}` : ''}${url.search}`);
      return notFound(ctx);
    }
    return repoRoute(ctx, repo, rest);
  }
  return notFound(ctx);
}

function repoRoute(ctx: Ctx, repo: ReplayRepo, rest: string[]): void {
  const [what, x, y, ...more] = rest;
  const q = ctx.url!.searchParams;
  const branch = repo.default_branch ?? 'main';
  const git = ctx.u.gitOf(repo);
  if (what === undefined) return json(ctx, repoBody(ctx, repo));
  if (what === 'branches' && x) {
    if (x !== branch) return send(ctx, 404, { message: 'Branch not found', documentation_url: DOCS });
    if (y === undefined) {
      return json(ctx, {
        name: branch,
        commit: { sha: git.commit, url: `${ctx.api}/repos/${repo.full_name}/commits/${git.commit}`, commit: { tree: { sha: git.rootTree, url: `${ctx.api}/repos/${repo.full_name}/git/trees/${git.rootTree}` } } },
        protected: Boolean(repo.protection) || Boolean(repo.rulesets?.length),
        protection_url: `${ctx.api}/repos/${repo.full_name}/branches/${branch}/protection`,
      });
    }
    if (y === 'protection' && !more.length) {
      if (repo.noAdmin) return adminOnly(ctx);
      if (!repo.protection) return send(ctx, 404, { message: 'Branch not protected', documentation_url: DOCS });
      const p = repo.protection;
      const base = `${ctx.api}/repos/${repo.full_name}/branches/${branch}/protection`;
      return json(ctx, {
        url: base,
        ...(p.required_approving_review_count !== undefined || p.require_code_owner_reviews
          ? { required_pull_request_reviews: { url: `${base}/required_pull_request_reviews`, dismiss_stale_reviews: false, require_code_owner_reviews: p.require_code_owner_reviews ?? false, require_last_push_approval: false, required_approving_review_count: p.required_approving_review_count ?? 1 } }
          : {}),
        required_signatures: { url: `${base}/required_signatures`, enabled: false },
        enforce_admins: { url: `${base}/enforce_admins`, enabled: p.enforce_admins ?? false },
        required_linear_history: { enabled: false },
        allow_force_pushes: { enabled: false },
        allow_deletions: { enabled: false },
      });
    }
  }
  if (what === 'rules' && x === 'branches' && y && !more.length) {
    // Any branch name, existing or not: the rules that would apply to it. Readable without admin rights.
    const rules = (repo.rulesets ?? []).flatMap((r, i) => {
      const source = { ruleset_source_type: 'Repository', ruleset_source: repo.full_name, ruleset_id: 100 + i };
      const params = { required_approving_review_count: r.required_approving_review_count, require_code_owner_review: r.require_code_owner_review ?? false, dismiss_stale_reviews_on_push: false, require_last_push_approval: false, required_review_thread_resolution: false };
      return [{ type: 'deletion', ...source }, { type: 'pull_request', ...source, parameters: params }];
    });
    return page(ctx, rules);
  }
  if (what === 'collaborators' && x === undefined) {
    if (repo.noAdmin) return adminOnly(ctx);
    const affiliation = q.get('affiliation') ?? 'all';
    const list = (repo.collaborators ?? []).filter((c) => affiliation !== 'outside' || c.outside);
    return page(ctx, list.map((c) => collaboratorBody(ctx, c)));
  }
  if (what === 'teams' && x === undefined) {
    const owner = repo.full_name.split('/')[0]!;
    const org = ctx.u.org(owner);
    if (!org) return notFound(ctx);
    return page(
      ctx,
      (repo.teams ?? []).map((t) => {
        const team = org.teams?.find((tt) => tt.slug === t.slug);
        return { ...teamBody(ctx, owner, t.slug, team?.name, team?.parent), permission: t.permission, permissions: flags(t.permission === 'push' ? 'write' : t.permission === 'pull' ? 'read' : t.permission) };
      }),
    );
  }
  if (what === 'environments' && x === undefined) {
    const envs = (repo.environments ?? []).map((e, i) => ({
      id: 1000 + i,
      node_id: `EN_${i}`,
      name: e.name,
      url: `${ctx.api}/repos/${repo.full_name}/environments/${encodeURIComponent(e.name)}`,
      html_url: `${ctx.web}/${repo.full_name}/deployments/activity_log?environments_filter=${encodeURIComponent(e.name)}`,
      created_at: '2024-01-01T00:00:00Z',
      updated_at: '2024-01-01T00:00:00Z',
      protection_rules: e.protection_rules ?? [],
      deployment_branch_policy: e.deployment_branch_policy ?? null,
    }));
    return page(ctx, envs, (items) => ({ total_count: envs.length, environments: items }));
  }
  if (what === 'deployments') {
    const all = [...(repo.deployments ?? [])].sort((p, r) => r.created_at.localeCompare(p.created_at) || r.id - p.id);
    if (x === undefined) {
      const env = q.get('environment');
      return page(ctx, all.filter((d) => env === null || d.environment === env).map((d) => deploymentBody(ctx, repo, d)));
    }
    const d = all.find((dd) => String(dd.id) === x);
    if (!d) return notFound(ctx);
    if (y === undefined) return json(ctx, deploymentBody(ctx, repo, d));
    if (y === 'statuses' && !more.length) {
      return page(
        ctx,
        d.statuses.map((s, i) => ({
          url: `${ctx.api}/repos/${repo.full_name}/deployments/${d.id}/statuses/${d.id * 100 + d.statuses.length - i}`,
          id: d.id * 100 + d.statuses.length - i,
          state: s.state,
          environment: d.environment,
          created_at: s.created_at ?? d.created_at,
          updated_at: s.created_at ?? d.created_at,
          deployment_url: `${ctx.api}/repos/${repo.full_name}/deployments/${d.id}`,
          repository_url: `${ctx.api}/repos/${repo.full_name}`,
          environment_url: s.environment_url ?? '',
          log_url: '',
        })),
      );
    }
  }
  if (what === 'git' && x === 'trees' && y && !more.length) {
    const sha = y === branch || y === git.commit ? git.rootTree : y;
    const recursive = ctx.url!.searchParams.has('recursive');
    const entries = recursive ? git.recursive.get(sha) : git.trees.get(sha);
    if (!entries) return send(ctx, 404, { message: 'Not Found', documentation_url: DOCS });
    const limit = repo.truncateTreeAt;
    let list = entries.map((e) => ({ path: e.path, mode: e.mode, type: e.type, sha: e.sha, ...(e.size !== undefined ? { size: e.size } : {}), url: `${ctx.api}/repos/${repo.full_name}/git/${e.type === 'tree' ? 'trees' : 'blobs'}/${e.sha}` })) as unknown[];
    if (recursive && sha === git.rootTree && repo.extraTreeEntries) list = [...list, ...repo.extraTreeEntries];
    const truncated = recursive && limit !== undefined && list.length > limit;
    if (truncated) list = list.slice(0, limit);
    return json(ctx, { sha, url: `${ctx.api}/repos/${repo.full_name}/git/trees/${sha}`, tree: list, truncated });
  }
  if (what === 'git' && x === 'blobs' && y && !more.length) {
    const bytes = git.blobs.get(y);
    if (!bytes) return send(ctx, 404, { message: 'Not Found', documentation_url: DOCS });
    const b64 = Buffer.from(bytes).toString('base64').replace(/(.{60})/g, '$1\n');
    return json(ctx, { sha: y, node_id: `B_${y.slice(0, 8)}`, size: bytes.length, url: `${ctx.api}/repos/${repo.full_name}/git/blobs/${y}`, content: `${b64}\n`, encoding: 'base64' });
  }
  if (what === 'dependency-graph' && x === 'sbom' && y === undefined) {
    if (repo.sbom === undefined || repo.sbom === 'disabled') return send(ctx, 404, { message: 'Not Found', documentation_url: DOCS });
    if (repo.sbom === 'forbidden') return send(ctx, 403, { message: 'Resource not accessible by personal access token', documentation_url: DOCS });
    return json(ctx, { sbom: repo.sbom });
  }
  return notFound(ctx);
}

// ---- bodies ---------------------------------------------------------------------------------------------------

function idOf(text: string): number {
  return createHash('sha256').update(text.toLowerCase()).digest().readUInt32BE(0) % 100_000_000;
}

function userBody(ctx: Ctx, login: string, type: 'User' | 'Bot' = 'User'): Json {
  return { login, id: idOf(login), node_id: `U_${login}`, avatar_url: '', url: `${ctx.api}/users/${login}`, html_url: `${ctx.web}/${login}`, type, site_admin: false };
}

function flags(role: string): Json {
  const order = ['read', 'triage', 'write', 'maintain', 'admin'];
  const at = order.indexOf(role);
  return { pull: at >= 0, triage: at >= 1, push: at >= 2, maintain: at >= 3, admin: at >= 4 };
}

function collaboratorBody(ctx: Ctx, c: ReplayCollaborator): Json {
  return { ...userBody(ctx, c.login, c.type), permissions: flags(c.base ?? c.role_name), role_name: c.role_name };
}

function teamBody(ctx: Ctx, org: string, slug: string, name?: string, parent?: string): Json {
  return {
    id: idOf(`${org}/${slug}`),
    node_id: `T_${slug}`,
    url: `${ctx.api}/orgs/${org}/teams/${slug}`,
    html_url: `${ctx.web}/orgs/${org}/teams/${slug}`,
    name: name ?? slug,
    slug,
    privacy: 'closed',
    parent: parent ? { id: idOf(`${org}/${parent}`), slug: parent, name: parent, url: `${ctx.api}/orgs/${org}/teams/${parent}` } : null,
  };
}

function repoBody(ctx: Ctx, r: ReplayRepo): Json {
  const [owner, name] = r.full_name.split('/') as [string, string];
  const isOrg = Boolean(ctx.u.org(owner));
  return {
    id: r.id,
    node_id: `R_${r.id}`,
    name,
    full_name: r.full_name,
    private: r.private ?? false,
    owner: { ...userBody(ctx, owner), type: isOrg ? 'Organization' : 'User' },
    html_url: `${ctx.web}/${r.full_name}`,
    description: r.description ?? null,
    fork: r.fork ?? false,
    url: `${ctx.api}/repos/${r.full_name}`,
    created_at: '2023-01-01T00:00:00Z',
    updated_at: '2024-06-01T00:00:00Z',
    pushed_at: '2024-06-01T00:00:00Z',
    default_branch: r.default_branch ?? 'main',
    visibility: r.visibility ?? (r.private ? 'private' : 'public'),
    archived: r.archived ?? false,
    permissions: r.noAdmin ? { admin: false, maintain: false, push: true, triage: true, pull: true } : { admin: true, maintain: true, push: true, triage: true, pull: true },
  };
}

function deploymentBody(ctx: Ctx, repo: ReplayRepo, d: NonNullable<ReplayRepo['deployments']>[number]): Json {
  return {
    url: `${ctx.api}/repos/${repo.full_name}/deployments/${d.id}`,
    id: d.id,
    node_id: `DE_${d.id}`,
    sha: d.sha ?? ctx.u.gitOf(repo).commit,
    ref: d.ref ?? repo.default_branch ?? 'main',
    task: 'deploy',
    payload: {},
    original_environment: d.environment,
    environment: d.environment,
    description: null,
    creator: userBody(ctx, 'deploy-bot[bot]', 'Bot'),
    created_at: d.created_at,
    updated_at: d.created_at,
    statuses_url: `${ctx.api}/repos/${repo.full_name}/deployments/${d.id}/statuses`,
    repository_url: `${ctx.api}/repos/${repo.full_name}`,
    transient_environment: false,
    production_environment: d.production_environment ?? false,
  };
}

// ---- responses --------------------------------------------------------------------------------------------------

function rateHeaders(ctx: Ctx): Record<string, string> {
  const { remaining, reset } = ctx.rate();
  return { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': String(remaining), 'x-ratelimit-reset': String(reset), 'x-ratelimit-resource': 'core', 'x-ratelimit-used': String(5000 - remaining) };
}

/** A 200 with a weak ETag; `If-None-Match` with that ETag gives a 304 that does not count against the limit. */
function json(ctx: Ctx, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  const etag = `W/"${createHash('sha256').update(text).digest('hex')}"`;
  const conditional = ctx.req.headers['if-none-match'] !== undefined;
  if (conditional && String(ctx.req.headers['if-none-match']).split(/\s*,\s*/).includes(etag)) {
    log(ctx, 304, true);
    ctx.res.writeHead(304, { ETag: etag, ...rateHeaders(ctx), ...headers });
    return void ctx.res.end();
  }
  ctx.spend();
  log(ctx, 200, conditional);
  ctx.res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ETag: etag, 'Cache-Control': 'private, max-age=60, s-maxage=60', ...rateHeaders(ctx), ...headers });
  ctx.res.end(ctx.req.method === 'HEAD' ? undefined : text);
}

function send(ctx: Ctx, status: number, body: unknown, headers: Record<string, string> = {}): void {
  ctx.spend();
  log(ctx, status, ctx.req.headers['if-none-match'] !== undefined);
  const text = JSON.stringify(body);
  ctx.res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...rateHeaders(ctx), ...headers });
  ctx.res.end(text);
}

function log(ctx: Ctx, status: number, conditional: boolean): void {
  ctx.state.log.push({ method: ctx.req.method ?? 'GET', path: `${ctx.url!.pathname}${ctx.url!.search}`, status, conditional, at: Date.now() });
}

function notFound(ctx: Ctx): void {
  send(ctx, 404, { message: 'Not Found', documentation_url: DOCS });
}

function adminOnly(ctx: Ctx): void {
  send(ctx, 403, { message: 'Must have admin rights to Repository.', documentation_url: DOCS });
}

function redirect(ctx: Ctx, location: string): void {
  log(ctx, 301, false);
  const text = JSON.stringify({ message: 'Moved Permanently', url: location, documentation_url: 'https://docs.github.com/v3/#http-redirects' });
  ctx.res.writeHead(301, { Location: location, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...rateHeaders(ctx) });
  ctx.res.end(text);
}

function sendFault(ctx: Ctx, f: Fault): void {
  if (f.kind === 'secondary') {
    return send(ctx, f.status ?? 403, { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' }, { 'retry-after': String(f.wait ?? 1) });
  }
  if (f.kind === 'primary') {
    const reset = Math.floor(Date.now() / 1000) + (f.wait ?? 1);
    log(ctx, f.status ?? 403, false);
    const text = JSON.stringify({ message: 'API rate limit exceeded for user ID 1.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' });
    ctx.res.writeHead(f.status ?? 403, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset), 'x-ratelimit-resource': 'core' });
    return void ctx.res.end(text);
  }
  send(ctx, f.status ?? 502, { message: 'Server Error' });
}

/**
 * One page of a list, as GitHub pages: `per_page` (default 30, at most 100) and `page`, with absolute `Link` URLs
 * that carry the query on. `wrap` shapes the page body (environments come as `{total_count, environments}`).
 */
function page(ctx: Ctx, items: unknown[], wrap: (items: unknown[]) => unknown = (x) => x): void {
  const url = ctx.url!;
  const perPage = Math.max(1, Math.min(100, Number(url.searchParams.get('per_page')) || 30));
  const at = Math.max(1, Number(url.searchParams.get('page')) || 1);
  const pages = Math.max(1, Math.ceil(items.length / perPage));
  const link = (n: number) => {
    const next = new URL(`${ctx.web}${url.pathname}${url.search}`);
    next.searchParams.set('page', String(n));
    return next.href;
  };
  const rels: string[] = [];
  if (at > 1) rels.push(`<${link(at - 1)}>; rel="prev"`);
  if (at < pages) rels.push(`<${link(at + 1)}>; rel="next"`, `<${link(pages)}>; rel="last"`);
  if (at > 1) rels.push(`<${link(1)}>; rel="first"`);
  json(ctx, wrap(items.slice((at - 1) * perPage, at * perPage)), rels.length ? { Link: rels.join(', ') } : {});
}
