/**
 * Every GitHub REST call the crawler makes, through `octokit` with its paginate, throttling and retry plugins, and our
 * pipeline fetch (p-queue concurrency and rate, per-attempt timeout, the token sent only to the API's origin) under
 * it. Rate limits (403 or 429 with GitHub's secondary-limit message and `retry-after`, or `x-ratelimit-remaining: 0`
 * until `x-ratelimit-reset`) are the throttling plugin's alone, the same for either status; 5xx and network errors
 * are the retry plugin's; both are bounded here (attempts, longest wait).
 *
 * Conditional requests: a call may carry the ETag of its last answer; a 304 comes back as `notModified` (GitHub does
 * not count it against the rate limit). Bodies are bounded; messages are upstream text, cleaned and cut.
 */
import { Octokit, RequestError } from 'octokit';
import { limitBody, UpstreamLimitError } from '../pipeline/bounds.ts';
import { OriginRefusedError, safeUrl, type HttpClient } from '../pipeline/http.ts';
import { printable } from '../pipeline/warnings.ts';

export interface GitHubClientOptions {
  apiUrl: string;
  http: HttpClient;
  /** Retries of a 5xx / network failure (the retry plugin), and of a rate-limited request (the throttling plugin). */
  maxRetries: number;
  /** Unit of the retry plugin's backoff (attempt² × this), ms. */
  retryBaseMs: number;
  /** Longest rate-limit wait honoured, in seconds; a longer one ends the run (RateLimitExhausted). */
  maxWaitSeconds: number;
  /** Largest response body accepted. */
  maxBodyBytes: number;
  /** Pages of one listing at most (a `Link: rel="next"` chain that never ends is cut here). */
  maxPages?: number;
}

export interface ClientStats {
  /** Logical requests (each page, each probe), before retries. */
  calls: number;
  notModified: number;
  /** Answers that were a primary or secondary rate limit (403/429 with `retry-after` or no requests remaining). */
  rateLimited: number;
  rateLimitWaits: number;
}

/** An answer: 2xx with its body and ETag, a 304, or a status the caller said it handles (403, 404, …). */
export type Answer =
  | { kind: 'ok'; status: number; data: unknown; etag?: string; url: string }
  | { kind: 'not-modified'; status: 304; url: string }
  | { kind: 'error'; status: number; message: string; url: string };

export type ErrorAnswer = Extract<Answer, { kind: 'error' }>;

export interface Page {
  url: string;
  etag?: string;
  /** Items on the page; a full last page may grow a next one without its own ETag changing. */
  count: number;
  /** An error answer (403 without admin rights, a disabled SBOM): it has no ETag, so a probe asks again. */
  status?: number;
}

export type Listing = { kind: 'ok'; items: unknown[]; pages: Page[]; full: boolean } | ErrorAnswer;

/** The API answered with an error status the caller did not expect (after retries). */
export class GitHubApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'GitHubApiError';
  }
}

/** The rate limit asks for a longer wait than allowed: the run stops, what was written stays. */
export class RateLimitExhausted extends Error {
  constructor(
    message: string,
    readonly resetAt?: string,
  ) {
    super(message);
    this.name = 'RateLimitExhausted';
  }
}

const PER_PAGE = 100;
const NULL_BODY = new Set([101, 204, 205, 304]);
const SILENT = { debug() {}, info() {}, warn() {}, error() {} };
/**
 * Statuses the retry plugin leaves alone: its own default list (which replaces rather than extends) plus 429. GitHub
 * answers a primary or secondary rate limit with 403 or 429; the default list has 403 but not 429, so a 429 was
 * retried on the retry plugin's short backoff, ignoring `retry-after` and `x-ratelimit-reset`, before the throttling
 * plugin saw it. Now both go to the throttling plugin alone, which waits as the headers say (or ends the run).
 */
const NOT_RETRIED = [400, 401, 403, 404, 410, 422, 429, 451];

export class GitHubClient {
  readonly octokit: Octokit;
  readonly stats: ClientStats = { calls: 0, notModified: 0, rateLimited: 0, rateLimitWaits: 0 };
  private readonly maxPages: number;
  private exhausted?: RateLimitExhausted;

  constructor(private readonly o: GitHubClientOptions) {
    this.maxPages = o.maxPages ?? 1000;
    const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
      const res = await o.http.fetch(input, init);
      if ((res.status === 403 || res.status === 429) && (res.headers.has('retry-after') || res.headers.get('x-ratelimit-remaining') === '0')) this.stats.rateLimited++;
      // Read here, bounded: octokit turns a body that fails to read into an empty one, and an empty listing would
      // look like a repository that lost every collaborator.
      const body = NULL_BODY.has(res.status) ? null : new Uint8Array(await limitBody(res, o.maxBodyBytes).arrayBuffer());
      const copy = new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
      Object.defineProperty(copy, 'url', { value: res.url });
      return copy;
    }) as typeof fetch;
    const decide = (kind: string) => (retryAfter: number, options: { method?: string; url?: string }, _o: unknown, retryCount: number) => {
      if (retryCount >= o.maxRetries) return false;
      if (retryAfter > o.maxWaitSeconds) {
        const resetAt = new Date(Date.now() + retryAfter * 1000).toISOString();
        this.exhausted ??= new RateLimitExhausted(`GitHub ${kind} rate limit: the API asks to wait ${retryAfter} s (until ${resetAt}), longer than --max-wait-s ${o.maxWaitSeconds}`, resetAt);
        return false;
      }
      this.stats.rateLimitWaits++;
      void options;
      return true;
    };
    this.octokit = new Octokit({
      baseUrl: o.apiUrl,
      userAgent: 'aispm/0.1 (+ingest github)',
      request: { fetch: fetchImpl },
      log: SILENT,
      throttle: { onRateLimit: decide('primary'), onSecondaryRateLimit: decide('secondary') },
      retry: { retries: o.maxRetries, retryAfterBaseValue: o.retryBaseMs, doNotRetry: NOT_RETRIED },
    });
    // Registered after the plugins, so it wraps them: called once per logical request, whatever they retry.
    this.octokit.hook.wrap('request', async (request, options) => {
      this.stats.calls++;
      if (this.exhausted) throw this.exhausted;
      return request(options);
    });
  }

  /** `GET route` (or an absolute URL), conditional on `etag`; statuses in `allow` are answers, others throw. */
  async get(route: string, params: Record<string, unknown> = {}, opts: { etag?: string; allow?: readonly number[] } = {}): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (opts.etag) headers['if-none-match'] = opts.etag;
    try {
      const res = await this.octokit.request(asRoute(route), { ...params, headers });
      return { kind: 'ok', status: res.status, data: res.data, url: res.url, ...etagOf(res.headers) };
    } catch (err) {
      return this.failure(err, opts.allow ?? []);
    }
  }

  /**
   * Every page of a listing (octokit's paginate, 100 a page), with each page's URL and ETag for later probes. A
   * first page answered with a status in `allow` is returned as that status; later failures throw.
   */
  async list(route: string, params: Record<string, unknown> = {}, opts: { allow?: readonly number[]; maxItems?: number } = {}): Promise<Listing> {
    const items: unknown[] = [];
    const pages: Page[] = [];
    const seen = new Set<string>();
    try {
      const perPage = Math.max(1, Math.min(PER_PAGE, opts.maxItems ?? PER_PAGE));
      for await (const res of this.octokit.paginate.iterator(asRoute(route), { ...params, per_page: perPage })) {
        if (seen.has(res.url)) throw new UpstreamLimitError(`paged listing loops back to ${safeUrl(res.url)}`);
        seen.add(res.url);
        if (pages.length >= this.maxPages) throw new UpstreamLimitError(`paged listing runs past ${this.maxPages} pages`);
        const data = Array.isArray(res.data) ? (res.data as unknown[]) : [];
        pages.push({ url: res.url, count: data.length, ...etagOf(res.headers) });
        items.push(...data);
        // Cut on purpose (the newest deployments): what lies past the cut is not read, so it cannot grow unseen.
        if (opts.maxItems !== undefined && items.length >= opts.maxItems) return { kind: 'ok', items: items.slice(0, opts.maxItems), pages, full: false };
      }
    } catch (err) {
      if (pages.length === 0) {
        const answer = this.failure(err, opts.allow ?? []);
        if (answer.kind === 'error') return answer;
      }
      throw toFault(err);
    }
    const last = pages[pages.length - 1];
    return { kind: 'ok', items, pages, full: last !== undefined && last.count >= Math.min(PER_PAGE, opts.maxItems ?? PER_PAGE) };
  }

  /**
   * Whether every one of these earlier answers is unchanged: each is asked again with its ETag (a 304 means
   * unchanged) or, for an error answer, asked again as it was (the same status means unchanged), stopping at the
   * first that differs. A success without an ETag cannot be probed and counts as changed.
   */
  async unchanged(pages: readonly Page[]): Promise<boolean> {
    for (const p of pages) {
      if (p.status !== undefined) {
        const answer = await this.get(p.url, {}, { allow: [p.status] });
        if (answer.kind !== 'error' || answer.status !== p.status) return false;
        continue;
      }
      if (!p.etag) return false;
      const answer = await this.get(p.url, {}, { etag: p.etag, allow: [403, 404, 410, 451] });
      if (answer.kind !== 'not-modified') return false;
    }
    return true;
  }

  private failure(err: unknown, allow: readonly number[]): Answer {
    if (err instanceof RateLimitExhausted) throw err;
    if (err instanceof RequestError) {
      const url = err.response?.url ?? err.request.url;
      if (err.status === 304) {
        this.stats.notModified++;
        return { kind: 'not-modified', status: 304, url };
      }
      if (this.exhausted && (err.status === 403 || err.status === 429)) throw this.exhausted;
      if (allow.includes(err.status)) return { kind: 'error', status: err.status, message: messageOf(err), url };
    }
    throw toFault(err);
  }
}

/** `GET /path` for a path or an absolute URL (a page URL from a `Link` header). */
function asRoute(route: string): string {
  return route.startsWith('GET ') ? route : `GET ${route}`;
}

/** A thrown error as the crawler handles it: API errors with a clean message; limits and rate exhaustion as they are. */
export function toFault(err: unknown): Error {
  if (err instanceof RateLimitExhausted || err instanceof UpstreamLimitError || err instanceof GitHubApiError) return err;
  // octokit wraps what our fetch threw (a body over the limit, a refused origin) as a status-500 request error.
  const cause = (err as { cause?: unknown })?.cause;
  if (cause instanceof UpstreamLimitError) return cause;
  if (cause instanceof OriginRefusedError) return new UpstreamLimitError(cause.message);
  if (err instanceof RequestError) return new GitHubApiError(err.status, `HTTP ${err.status} from ${safeUrl(err.response?.url ?? err.request.url)}${err.status >= 400 ? `: ${messageOf(err)}` : ''}`);
  if (err instanceof Error && err.name === 'AbortError') return new GitHubApiError(0, 'request timed out');
  return err instanceof Error ? err : new Error(String(err));
}

/** GitHub's error `message`, or the status text; upstream text, so cleaned and cut. */
function messageOf(err: RequestError): string {
  const data = err.response?.data as { message?: unknown } | string | undefined;
  const raw = typeof data === 'object' && data && typeof data.message === 'string' ? data.message : err.status === 500 ? err.message : `HTTP ${err.status}`;
  return printable(raw.split('\n')[0]!, 200);
}

function etagOf(headers: Record<string, unknown>): { etag?: string } {
  const etag = headers.etag;
  return typeof etag === 'string' && etag && etag.length <= 200 ? { etag } : {};
}
