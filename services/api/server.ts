/**
 * The HTTP server behind `aispm serve`: node:http in front, routing /graphql to graphql-yoga and everything else to
 * a small route table. Authentication happens here, before yoga, so a refused request never reaches GraphQL.
 *
 * Without tokens the server only binds to loopback, only answers requests addressed to a loopback name (DNS
 * rebinding), grants read access, and sends no CORS headers, so web pages in a local browser cannot read the graph.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createYoga } from 'graphql-yoga';
import { UsageError } from '../../schema/errors.ts';
import { redact } from '../../schema/secrets.ts';
import type { GraphStore } from '../../schema/store.ts';
import { createAuthenticator, isLoopbackAddress, isLoopbackHostHeader, type ApiToken, type Caller, type Role } from './auth.ts';
import { BUILTIN_ROUTES } from './builtin-routes.ts';
import type { ApiContext, ServerContext } from './context.ts';
import { maskError } from './errors.ts';
import { guardedStore } from './guarded-store.ts';
import { DEFAULT_LIMITS, type ApiLimits } from './limits.ts';
import { createLoaders } from './loader.ts';
import { errorCodesPlugin, limitsPlugin, timeoutPlugin } from './plugins.ts';
import { ResultCache } from './result-cache.ts';
import { matches, pathKnown, sendError, type Route } from './routes.ts';
import { apiSchema } from './executable-schema.ts';

export interface ServerOptions {
  store: GraphStore;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** No tokens: loopback only, read only. */
  tokens?: readonly ApiToken[];
  limits?: Partial<ApiLimits>;
  /** Extra routes, matched before the built-in ones (so a module may replace one). */
  routes?: readonly Route[];
  /** How long computed analyses are kept for paging (default 60 s; 0 recomputes every request, for benchmarks). */
  resultCacheTtlMs?: number;
}

export interface RunningServer {
  url: string;
  /** Stops accepting, ends open connections, and resolves when the server is closed. The store stays open. */
  close(): Promise<void>;
}

const GRAPHQL_PATH = '/graphql';

const DEFAULT_QUERY = `# aispm GraphQL. Send an API token as "Authorization: Bearer <token>" (Headers tab) if the server has tokens.
{
  stats { backend nodes edges nodesByKind { kind count } }
  search(kind: Model, first: 5) { edges { node { key name tags } } pageInfo { endCursor hasNextPage } }
}
`;

let graphiqlHtml: Promise<string> | undefined;

/** The bundled GraphiQL (no CDN, so it works offline), loaded on first use: the module is 9 MB. */
async function sendGraphiql(res: ServerResponse): Promise<void> {
  graphiqlHtml ??= import('@graphql-yoga/render-graphiql').then((m) =>
    m.renderGraphiQL({ title: 'aispm GraphQL', endpoint: GRAPHQL_PATH, defaultQuery: DEFAULT_QUERY, isHeadersEditorEnabled: true }),
  );
  const html = await graphiqlHtml;
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    // GraphiQL's bundle needs its inline scripts, styles and workers; the one rule it gets is never to be framed.
    'content-security-policy': "frame-ancestors 'none'",
  });
  res.end(html);
}

const ROLE_RANK: Record<Role, number> = { read: 1, admin: 2 };

/** `application/json` or `application/graphql-response+json`, with any parameters (charset). */
function isJsonContentType(value: string | undefined): boolean {
  const type = (value ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || type === 'application/graphql-response+json';
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const tokens = opts.tokens ?? [];
  const localOnly = tokens.length === 0;
  if (localOnly && !isLoopbackAddress(host)) {
    throw new UsageError(
      `refusing to listen on ${host} without API tokens: anyone who can reach it could read the graph. ` +
        'Set AISPM_TOKENS (role:token,…) or --token-file, or listen on 127.0.0.1 or ::1.',
    );
  }
  const limits: ApiLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  const authenticate = createAuthenticator(tokens);
  const results = new ResultCache({ ttlMs: opts.resultCacheTtlMs });
  const routes = [...(opts.routes ?? []), ...BUILTIN_ROUTES];

  const yoga = createYoga<ServerContext>({
    schema: apiSchema(),
    graphqlEndpoint: GRAPHQL_PATH,
    landingPage: false,
    logging: false,
    cors: false,
    maxRequestBodySize: limits.maxBodyBytes,
    // Parsed and validated documents are cached (yoga's default); the cost rule, which reads each request's
    // variables, runs apart from validation (limitsPlugin).
    maskedErrors: { maskError: (error) => maskError(error) },
    // GraphiQL is served below, before authentication; yoga itself only ever executes queries.
    graphiql: false,
    plugins: [limitsPlugin(limits), timeoutPlugin(limits), errorCodesPlugin()],
    context: async ({ caller }): Promise<Omit<ApiContext, 'caller'> & { abort: AbortController }> => {
      // Before any resolver runs: nothing cached before a write committed since (by any process) is served.
      results.atGeneration(await opts.store.writeGeneration());
      const abort = new AbortController();
      const store = guardedStore(opts.store, abort.signal, Date.now() + limits.timeoutMs);
      return { store, loaders: createLoaders(store), results, limits, signal: abort.signal, abort };
    },
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return sendError(res, 400, 'BAD_INPUT', 'bad request target');
    }
    const method = req.method ?? 'GET';
    // Every answer: no MIME sniffing, never framed (the view and GraphiQL set a CSP of their own that says so too).
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('x-frame-options', 'DENY');
    res.setHeader('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
    if (localOnly && !isLoopbackHostHeader(req.headers.host)) {
      return sendError(res, 403, 'FORBIDDEN', 'this server answers only requests to 127.0.0.1, ::1 or localhost');
    }
    const identify = (): Caller | undefined => authenticate(req.headers.authorization);
    const refuse = () =>
      sendError(res, 401, 'UNAUTHENTICATED', 'a valid API token is required: send it in the Authorization header with the Bearer scheme', { 'www-authenticate': 'Bearer' });

    if (url.pathname === GRAPHQL_PATH || url.pathname === `${GRAPHQL_PATH}/`) {
      // GraphiQL is a static page, served to a browser without a token (a browser cannot send one on navigation);
      // the queries it then sends carry the token like any other request.
      if (method === 'GET' && String(req.headers.accept ?? '').includes('text/html')) return sendGraphiql(res);
      // Only a JSON POST executes: a GET or a form-encoded POST is what any web page can send blind (no preflight),
      // so accepting them would let every page a user visits spend this server's time.
      if (method !== 'POST') return sendError(res, 405, 'BAD_INPUT', 'send GraphQL requests as POST with content-type application/json', { allow: 'POST' });
      if (!isJsonContentType(req.headers['content-type'])) {
        return sendError(res, 415, 'BAD_INPUT', 'GraphQL requests must have content-type application/json');
      }
      const caller = identify();
      if (!caller) return refuse();
      await yoga.handle(req, res, { caller });
      return;
    }

    const route = routes.find((r) => matches(r, method, url.pathname));
    if (!route) {
      if (pathKnown(routes, url.pathname)) return sendError(res, 405, 'BAD_INPUT', `${method} is not allowed here`);
      return sendError(res, 404, 'NOT_FOUND', 'no such path');
    }
    let caller: Caller | undefined;
    if (route.auth !== 'none') {
      caller = identify();
      if (!caller) return refuse();
      if (ROLE_RANK[caller.role] < ROLE_RANK[route.auth]) return sendError(res, 403, 'FORBIDDEN', `this needs the ${route.auth} role`);
    }
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), limits.timeoutMs);
    try {
      const store = guardedStore(opts.store, abort.signal, Date.now() + limits.timeoutMs);
      await route.handle(req, res, { store, caller, url, signal: abort.signal });
    } finally {
      clearTimeout(timer);
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      process.stderr.write(`aispm serve: internal error: ${redact(String((err as Error)?.stack ?? err))}\n`);
      if (!res.headersSent) sendError(res, 500, 'INTERNAL', 'internal error');
      else res.destroy();
    });
  });
  // Slow-loris and idle connections must not pin the server's sockets forever.
  server.headersTimeout = 15_000;
  server.requestTimeout = limits.timeoutMs + 20_000;
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE' || err.code === 'EACCES' || err.code === 'EADDRNOTAVAIL'
          ? new UsageError(`cannot listen on ${host}:${opts.port ?? 4000}: ${err.code}`)
          : err,
      );
    };
    server.once('error', onError);
    server.listen(opts.port ?? 4000, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
