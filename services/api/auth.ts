/**
 * API tokens and roles. Tokens come from AISPM_TOKENS (`role:token,role:token`) or a token file (a JSON array of
 * `{name, role, token}` or lines of `role:token`). Each is registered for redaction. A request's bearer token is
 * compared with every configured token in constant time, so timing does not reveal how much of a guess was right.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { UsageError } from '../../schema/errors.ts';
import { registerSecret } from '../../schema/secrets.ts';

export const ROLES = ['read', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface ApiToken {
  name: string;
  role: Role;
  token: string;
}

/** Who is calling: the role and, for token holders, the token's name (for logs; never the token). */
export interface Caller {
  role: Role;
  name: string;
}

/** Shorter tokens are guessable and would also be skipped by redaction. */
const MIN_TOKEN_LENGTH = 16;

function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

function checkedToken(role: unknown, token: unknown, name: string, where: string): ApiToken {
  if (!isRole(role)) throw new UsageError(`${where}: role must be read or admin, got "${String(role).slice(0, 20)}"`);
  if (typeof token !== 'string' || token.length < MIN_TOKEN_LENGTH || /\s/.test(token)) {
    throw new UsageError(`${where}: a token must be at least ${MIN_TOKEN_LENGTH} characters without spaces`);
  }
  registerSecret(token);
  return { name, role, token };
}

/** `role:token` pairs separated by commas or newlines. */
export function parseTokenPairs(text: string, where: string): ApiToken[] {
  const pairs = text.split(/[,\n]/).map((s) => s.trim()).filter((s) => s && !s.startsWith('#'));
  return pairs.map((pair, i) => {
    const colon = pair.indexOf(':');
    if (colon < 0) throw new UsageError(`${where}: entry ${i + 1} is not role:token`);
    return checkedToken(pair.slice(0, colon), pair.slice(colon + 1), `${pair.slice(0, colon)}-${i + 1}`, `${where} entry ${i + 1}`);
  });
}

export function readTokenFile(path: string): ApiToken[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read token file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const where = `token file ${path}`;
  if (!text.trimStart().startsWith('[')) return parseTokenPairs(text, where);
  let entries: unknown;
  try {
    entries = JSON.parse(text);
  } catch {
    // Never echo the parser's message: it may quote a token.
    throw new UsageError(`${where} is not valid JSON`);
  }
  if (!Array.isArray(entries)) throw new UsageError(`${where} must hold a JSON array of {name, role, token}`);
  return entries.map((e, i) => {
    const entry = (e ?? {}) as Record<string, unknown>;
    const name = typeof entry.name === 'string' && entry.name ? entry.name : `token-${i + 1}`;
    return checkedToken(entry.role, entry.token, name, `${where} entry ${i + 1}`);
  });
}

/** Tokens from a file when given, else from AISPM_TOKENS; empty when neither is set. */
export function loadApiTokens(opts: { file?: string; env?: string | undefined }): ApiToken[] {
  if (opts.file) return readTokenFile(opts.file);
  if (opts.env?.trim()) return parseTokenPairs(opts.env, 'AISPM_TOKENS');
  return [];
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

export type Authenticator = (authorization: string | undefined) => Caller | undefined;

/**
 * Without tokens every caller may read (the server then only listens on loopback). With tokens a caller needs a
 * valid bearer token. Digests make the compared buffers equal in length, as timingSafeEqual requires.
 */
export function createAuthenticator(tokens: readonly ApiToken[]): Authenticator {
  if (tokens.length === 0) return () => ({ role: 'read', name: 'local' });
  const known = tokens.map((t) => ({ ...t, digest: digest(t.token) }));
  return (authorization) => {
    const m = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization ?? '');
    if (!m) return undefined;
    const offered = digest(m[1]!);
    let match: (typeof known)[number] | undefined;
    // Compare with all tokens, not stopping at the first match, so timing does not depend on which one matched.
    for (const t of known) if (timingSafeEqual(offered, t.digest) && !match) match = t;
    return match ? { role: match.role, name: match.name } : undefined;
  };
}

const stripBrackets = (host: string) => host.replace(/^\[(.*)\]$/, '$1').toLowerCase();

/** Addresses an unauthenticated server may bind to: the loopback interface only. */
export function isLoopbackAddress(host: string): boolean {
  return ['127.0.0.1', '::1'].includes(stripBrackets(host));
}

/**
 * The Host header of a request to a token-less server. A web page that rebinds its own DNS name to 127.0.0.1 sends
 * its own name here, so accepting only loopback names keeps such pages from reading the graph.
 */
export function isLoopbackHostHeader(hostHeader: string | undefined): boolean {
  if (!hostHeader) return false;
  const host = hostHeader.replace(/:\d+$/, '');
  return ['127.0.0.1', '::1', 'localhost'].includes(stripBrackets(host));
}
