/**
 * The shared HTTP layer every ingestor hands to its upstream client as a custom `fetch`: p-queue bounds concurrency
 * and request rate; a 429 waits as `Retry-After` / `RateLimit` / `RateLimit-Reset` say, and holds every other
 * request of the client while it does; 5xx, network errors and timeouts are retried with exponential backoff and
 * full jitter (or a 5xx's own `Retry-After`), a bounded number of times; no wait is longer than the configured cap;
 * a token is added only for the configured origin and never appears in messages. Generic: nothing here knows about
 * Hugging Face.
 */
import PQueue from 'p-queue';
import { registerSecret } from '../../schema/secrets.ts';

export interface HttpOptions {
  /** Requests in flight at once. */
  concurrency: number;
  /** Requests started per second (0 or Infinity: unlimited). */
  ratePerSecond: number;
  /** Attempts per request, the first included. */
  maxAttempts?: number;
  /** First backoff delay for 5xx/network retries; doubles each time, with full jitter. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /**
   * Longest wait an upstream may impose (default 120 s). A 429 asking for longer is answered as it is, at once (the
   * caller fails that read); a 5xx's `Retry-After` longer than this is ignored for the normal backoff.
   */
  maxRetryAfterMs?: number;
  /** How waits are slept; tests pass one that notes the wait and returns at once, so minutes take none. */
  sleep?: (ms: number) => Promise<void>;
  /** Per-attempt timeout until response headers arrive. */
  timeoutMs?: number;
  /** Bearer token, sent only to `tokenOrigin`. */
  token?: string;
  /**
   * A whole `Authorization` value for schemes other than a bearer token (HTTP Basic), sent only to `tokenOrigin`
   * and, like the token, never in a message. Used when `token` is unset.
   */
  authorization?: string;
  tokenOrigin?: string;
  /** Extra headers on every request (User-Agent, …). */
  headers?: Record<string, string>;
  /**
   * Where requests may go: a URL whose origin this refuses (a `Link: rel="next"` or a redirect to another host) is
   * never fetched — an upstream must not make us GET internal addresses. Redirects are followed here, within it.
   * Unset: any origin (tests of the layer itself).
   */
  allowOrigin?: (origin: string) => boolean;
  /** Redirects followed for one request. */
  maxRedirects?: number;
}

/** The pipeline settings every source's run options carry (the CLI's `--concurrency`, `--rate`, `--retry-base-ms`, `--timeout-ms`). */
export interface PipelineSettings {
  concurrency: number;
  ratePerSecond: number;
  retryBaseMs?: number;
  maxAttempts?: number;
  timeoutMs?: number;
}

/** Those settings as HTTP options, with the defaults every source shares (a source may wait longer by default). */
export function httpSettings(s: PipelineSettings, defaultTimeoutMs = 30_000): Pick<HttpOptions, 'concurrency' | 'ratePerSecond' | 'baseDelayMs' | 'maxAttempts' | 'timeoutMs'> {
  return { concurrency: s.concurrency, ratePerSecond: s.ratePerSecond, baseDelayMs: s.retryBaseMs ?? 500, maxAttempts: s.maxAttempts ?? 6, timeoutMs: s.timeoutMs ?? defaultTimeoutMs };
}

/** A request or redirect to an origin outside the configured endpoint's, refused. */
export class OriginRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OriginRefusedError';
  }
}

/**
 * An origin check from the endpoint (its origin) and extra allowed hosts: exact origins (`https://blobs.example`)
 * or `https://*.example.com` for every subdomain (a Hub's blob or CDN hosts).
 */
export function originPolicy(endpoint: string, extra: readonly string[] = []): (origin: string) => boolean {
  const exact = new Set([new URL(endpoint).origin]);
  const suffixes: { protocol: string; suffix: string }[] = [];
  for (const e of extra) {
    const wild = /^(https?:)\/\/\*\.([^/]+)\/?$/i.exec(e);
    if (wild) suffixes.push({ protocol: wild[1]!.toLowerCase(), suffix: `.${wild[2]!.toLowerCase()}` });
    else exact.add(new URL(e).origin);
  }
  return (origin) => {
    if (exact.has(origin)) return true;
    try {
      const u = new URL(origin);
      return suffixes.some((s) => u.protocol === s.protocol && u.hostname.endsWith(s.suffix));
    } catch {
      return false;
    }
  };
}

export interface HttpStats {
  requests: number;
  retries: number;
  rateLimited: number;
  failures: number;
}

export interface HttpClient {
  fetch: typeof fetch;
  stats: HttpStats;
}

/** A network-level failure (refused, reset, timed out) after every retry. */
export class HttpNetworkError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HttpNetworkError';
  }
}

const RETRYABLE_STATUS = new Set([500, 502, 503, 504, 520, 522, 524]);

/** Spread `rate` per second over short windows so a rate is honoured without bursts of a whole second. */
export function rateWindow(ratePerSecond: number): { intervalCap: number; interval: number } | undefined {
  if (!Number.isFinite(ratePerSecond) || ratePerSecond <= 0) return undefined;
  const intervalCap = Math.max(1, Math.round(ratePerSecond / 10));
  return { intervalCap, interval: Math.max(1, Math.round((intervalCap * 1000) / ratePerSecond)) };
}

/** `Retry-After` alone (seconds or an HTTP date), in ms; undefined if absent or unreadable. */
export function retryAfterHeaderMs(headers: Headers, now = Date.now()): number | undefined {
  const ra = headers.get('retry-after')?.trim();
  if (!ra) return undefined;
  if (/^\d+(\.\d+)?$/.test(ra)) return Math.round(Number(ra) * 1000);
  const at = Date.parse(ra);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * How long a 429 asks us to wait, in ms: `Retry-After` (seconds or an HTTP date), else the IETF `RateLimit`
 * header's `t=` (draft-8 structured form) or `reset=` / a bare `RateLimit-Reset` seconds value. Undefined if none.
 * Only for a 429: the reset headers say when a quota renews, and hosts (GitHub) send them on every answer, with
 * quota left or not.
 */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const ra = retryAfterHeaderMs(headers, now);
  if (ra !== undefined) return ra;
  const rl = headers.get('ratelimit');
  if (rl) {
    const m = /(?:^|[;,\s])(?:t|reset)=(\d+(?:\.\d+)?)/.exec(rl);
    if (m) return Math.round(Number(m[1]) * 1000);
  }
  const reset = headers.get('ratelimit-reset') ?? headers.get('x-ratelimit-reset');
  if (reset && /^\d+(\.\d+)?$/.test(reset.trim())) {
    const n = Number(reset);
    // Some hosts send an epoch second instead of a delta; a value past 2001 in seconds is an epoch.
    return n > 1e9 ? Math.max(0, n * 1000 - now) : Math.round(n * 1000);
  }
  return undefined;
}

/** Exponential backoff with full jitter: uniform in [0, min(max, base·2^attempt)]. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  return Math.round(random() * Math.min(maxMs, baseMs * 2 ** attempt));
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function createHttpClient(opts: HttpOptions): HttpClient {
  const maxAttempts = opts.maxAttempts ?? 6;
  const baseDelayMs = opts.baseDelayMs ?? 500;
  const maxDelayMs = opts.maxDelayMs ?? 30_000;
  const maxRetryAfterMs = opts.maxRetryAfterMs ?? 120_000;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const sleep = opts.sleep ?? realSleep;
  registerSecret(opts.token);
  registerSecret(opts.authorization);
  const credential = opts.token ? `Bearer ${opts.token}` : opts.authorization;
  const window = rateWindow(opts.ratePerSecond);
  const queue = new PQueue({ concurrency: Math.max(1, opts.concurrency), ...(window ?? {}) });
  const stats: HttpStats = { requests: 0, retries: 0, rateLimited: 0, failures: 0 };
  const tokenOrigin = opts.tokenOrigin ? new URL(opts.tokenOrigin).origin : undefined;

  // A 429 speaks for the whole quota, not one request: while one waits, nothing else of this client is started, so
  // the others do not spend the rest of the window on 429s of their own. A later, longer wait extends the hold.
  let heldUntil = 0;
  let holds = 0;
  const holdQueue = (ms: number) => {
    const until = Date.now() + ms;
    if (ms <= 0 || until <= heldUntil) return;
    heldUntil = until;
    const hold = ++holds;
    queue.pause();
    void sleep(ms).then(() => {
      if (hold === holds) queue.start();
    });
  };

  const prepare = (url: string, init: RequestInit | undefined): RequestInit => {
    const headers = new Headers(init?.headers);
    for (const [k, v] of Object.entries(opts.headers ?? {})) if (!headers.has(k)) headers.set(k, v);
    if (credential && tokenOrigin && new URL(url).origin === tokenOrigin) headers.set('authorization', credential);
    return { ...init, headers };
  };

  const maxRedirects = opts.maxRedirects ?? 5;
  const checkOrigin = (url: string, why: string) => {
    const origin = new URL(url).origin;
    if (opts.allowOrigin && !opts.allowOrigin(origin)) throw new OriginRefusedError(`refused ${why} ${safeUrl(url)}: outside the configured endpoint`);
  };

  /** One request with redirects followed by hand, each hop checked against the origin policy. */
  const send = async (url: string, init: RequestInit): Promise<Response> => {
    let current = url;
    let headers = new Headers(init.headers);
    for (let hop = 0; ; hop++) {
      const res = await fetch(current, { ...init, headers, redirect: 'manual' });
      const location = res.headers.get('location');
      if (res.status < 300 || res.status > 399 || res.status === 304 || !location) return res;
      await res.body?.cancel().catch(() => undefined);
      if (hop >= maxRedirects) throw new OriginRefusedError(`more than ${maxRedirects} redirects from ${safeUrl(url)}`);
      const next = new URL(location, current).href;
      checkOrigin(next, 'a redirect to');
      // As browsers do: credentials never follow a redirect to another origin.
      if (new URL(next).origin !== new URL(current).origin) {
        headers = new Headers(headers);
        headers.delete('authorization');
      }
      current = next;
    }
  };

  /** How long the n-th attempt's 429 is waited for; undefined when it is not (the last attempt, or past the cap). */
  const rateLimitWait = (res: Response, n: number): number | undefined => {
    if (n + 1 >= maxAttempts) return undefined;
    const wait = retryAfterMs(res.headers) ?? backoffMs(n, baseDelayMs, maxDelayMs);
    return wait > maxRetryAfterMs ? undefined : wait;
  };

  const attempt = (url: string, init: RequestInit, n: number): Promise<{ res: Response; wait?: number }> =>
    queue.add(async () => {
        stats.requests++;
        const timeout = AbortSignal.timeout(timeoutMs);
        const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
        const res = await send(url, { ...init, signal });
        // Decided before this task ends: the queue starts the next request as soon as it does.
        const wait = res.status === 429 ? rateLimitWait(res, n) : undefined;
        if (wait !== undefined) holdQueue(wait);
        return { res, wait };
    }) as Promise<{ res: Response; wait?: number }>;

  const wrapped = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    checkOrigin(url, 'a request to');
    const prepared = prepare(url, init);
    for (let n = 0; ; n++) {
      const last = n + 1 >= maxAttempts;
      let res: Response;
      let wait: number | undefined;
      try {
        ({ res, wait } = await attempt(url, prepared, n));
      } catch (err) {
        if (init?.signal?.aborted || err instanceof OriginRefusedError) throw err;
        if (last) {
          stats.failures++;
          throw new HttpNetworkError(`request to ${safeUrl(url)} failed after ${n + 1} attempts: ${describe(err)}`, { cause: err });
        }
        stats.retries++;
        await sleep(backoffMs(n, baseDelayMs, maxDelayMs));
        continue;
      }
      if (res.status === 429) {
        stats.rateLimited++;
        if (wait === undefined) {
          stats.failures++;
          return res;
        }
        await res.body?.cancel().catch(() => undefined);
        stats.retries++;
        // A little jitter so that many waiting requests do not all return in the same millisecond.
        await sleep(wait + Math.round(Math.random() * Math.min(250, baseDelayMs)));
        continue;
      }
      if (RETRYABLE_STATUS.has(res.status)) {
        if (last) {
          stats.failures++;
          return res;
        }
        await res.body?.cancel().catch(() => undefined);
        stats.retries++;
        // A failing server may say when to come back, but only by `Retry-After`, and only within the cap: longer (a
        // maintenance window of an hour) would hold the run for hours over a few attempts, so it gets the usual
        // backoff and, if it is still down, the 5xx. Quota headers say nothing about a 5xx.
        const asked = retryAfterHeaderMs(res.headers);
        await sleep(asked !== undefined && asked <= maxRetryAfterMs ? asked : backoffMs(n, baseDelayMs, maxDelayMs));
        continue;
      }
      return res;
    }
  };

  return { fetch: wrapped as typeof fetch, stats };
}

/** A URL for messages: no userinfo, no query (query strings can carry signed tokens). */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '<invalid url>';
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    const code = cause && typeof cause === 'object' && 'code' in cause ? ` (${String((cause as { code: unknown }).code)})` : '';
    return `${err.name === 'TimeoutError' ? 'timed out' : err.message}${code}`;
  }
  return String(err);
}
