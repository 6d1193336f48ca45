/**
 * Non-GraphQL HTTP routes. The server has a few of its own (/healthz, /aibom/…); other modules mount theirs (a graph
 * view at `/`, …) by passing `routes` to startServer. Each route says which role it needs; the server checks it
 * before the handler runs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GraphStore } from '../../schema/store.ts';
import { redact } from '../../schema/secrets.ts';
import type { Caller, Role } from './auth.ts';

export interface RouteContext {
  store: GraphStore;
  /** The authenticated caller; undefined for routes with `auth: 'none'`. */
  caller?: Caller;
  url: URL;
  /** Aborted when the request's time limit passes. */
  signal: AbortSignal;
}

export interface Route {
  /** Allowed methods; GET and HEAD when omitted. */
  methods?: readonly string[];
  /** An exact path, or a pattern over the path (e.g. /^\/aibom\/(.+)\.cdx\.json$/). */
  path: string | RegExp;
  /** The role a caller needs; `none` for public routes (health checks). */
  auth: Role | 'none';
  handle(req: IncomingMessage, res: ServerResponse, ctx: RouteContext): Promise<void> | void;
}

export function matches(route: Route, method: string, path: string): boolean {
  const pathOk = typeof route.path === 'string' ? route.path === path : route.path.test(path);
  return pathOk && (route.methods ?? ['GET', 'HEAD']).includes(method);
}

/** A route that exists for the path, with another method: answer 405 rather than 404. */
export function pathKnown(routes: readonly Route[], path: string): boolean {
  return routes.some((r) => (typeof r.path === 'string' ? r.path === path : r.path.test(path)));
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/**
 * An error in the same shape GraphQL errors have, so clients parse one format. Redacted like GraphQL errors: route
 * messages name what the client asked for (a key in the path), which may be a token pasted in the wrong place.
 */
export function sendError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { errors: [{ message: redact(message), extensions: { code } }] }, headers);
}
