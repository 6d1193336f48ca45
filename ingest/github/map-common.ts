/**
 * Shared pieces of the GitHub mapping: the keys (built with `schema/keys.ts`, so every source writes the same key for
 * one repository, user, team or deployment), names as GitHub allows them, the web origin of an API base URL, and
 * readers for fields of upstream JSON that may be of any type.
 */
import type { Confidence, EdgeKind } from '../../schema/model.ts';
import { keyOf, urlOfKey } from '../../schema/keys.ts';
import type { EdgeRecord, Props } from '../../schema/records.ts';

export const SOURCE = 'github';

export type Json = Record<string, unknown>;

/** Logins: letters, digits, `-`, `_` and `.` (enterprise-managed users), optionally a `[bot]` suffix. */
const LOGIN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}(?:\[bot\])?$/;
/** Repository names: letters, digits, `.`, `_`, `-`; never `.` or `..`. */
const REPO_NAME = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,100}$/;

export function isLogin(value: unknown): value is string {
  return typeof value === 'string' && LOGIN.test(value);
}

export function isRepoName(value: unknown): value is string {
  return typeof value === 'string' && REPO_NAME.test(value);
}

export function repoKey(owner: string, name: string): string {
  return keyOf('gh-repo', { owner, name });
}

export function userKey(login: string): string {
  return keyOf('gh-user', { name: login });
}

export function orgKey(login: string): string {
  return keyOf('gh-org', { name: login });
}

export function teamKey(org: string, slug: string): string {
  return keyOf('gh-team', { org, slug });
}

export function deploymentKey(owner: string, repo: string, environment: string): string {
  return keyOf('gh-deployment', { owner, repo, environment });
}

export function fileKey(owner: string, repo: string, path: string, sha: string): string {
  return keyOf('gh-file', { owner, repo, path, sha });
}

/**
 * The web origin people open for an API base URL: `https://api.github.com` → `https://github.com`, a GitHub
 * Enterprise Server `https://host/api/v3` → `https://host`; anything else (a replay server) is its own origin.
 */
export function webOrigin(apiUrl: string): string {
  const url = new URL(apiUrl);
  if (url.hostname === 'api.github.com') return 'https://github.com';
  if (url.hostname.startsWith('api.') && url.hostname.endsWith('.ghe.com')) return `${url.protocol}//${url.hostname.slice(4)}`;
  const path = url.pathname.replace(/\/+$/, '').replace(/\/api\/v3$/, '');
  return `${url.origin}${path}`;
}

/** The page of a key on the GitHub that was read. */
export function pageOf(key: string, web: string): string | undefined {
  return urlOfKey(key, { gh: web });
}

export function edge(kind: EdgeKind, from: string, to: string, evidence: string, opts: { props?: Props; confidence?: Confidence } = {}): EdgeRecord {
  return { kind, from, to, source: SOURCE, evidence, confidence: opts.confidence ?? 'declared', ...(opts.props ? { props: opts.props } : {}) };
}

export function str(value: unknown, max = 1000): string | undefined {
  return typeof value === 'string' && value !== '' ? value.slice(0, max) : undefined;
}

export function bool(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function obj(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

/** An http(s) URL from upstream data (a deployment's environment_url), or undefined for anything else. */
export function httpUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 2000) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** Props without undefined values (records hold JSON only). */
export function compact(props: Record<string, unknown>): Props {
  const out: Props = {};
  for (const [k, v] of Object.entries(props)) if (v !== undefined) out[k] = v as Props[string];
  return out;
}
