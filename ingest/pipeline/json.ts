/**
 * One JSON API call through the pipeline fetch, for sources whose upstream has no client library of its own (PyPI,
 * npm, OSV): the body is bounded, a 404/410 is an answer ("not there") rather than an error, any other failure
 * status and a body that is not JSON are errors naming the URL (never its query). Generic.
 */
import { limitBody } from './bounds.ts';
import { safeUrl } from './http.ts';

export type JsonAnswer<T = unknown> = { status: 'ok'; body: T; url: string } | { status: 'missing'; httpStatus: number };

/** The upstream answered with a status that is neither success nor "not found" (after the pipeline's retries). */
export class UpstreamStatusError extends Error {
  constructor(readonly status: number, url: string, detail = '') {
    super(`${safeUrl(url)} answered HTTP ${status}${detail ? `: ${detail}` : ''}`);
    this.name = 'UpstreamStatusError';
  }
}

/** The upstream answered 2xx with a body that is not JSON. */
export class MalformedJsonError extends Error {
  constructor(url: string, cause: unknown) {
    super(`${safeUrl(url)} sent a body that is not JSON (${cause instanceof Error ? cause.message.slice(0, 120) : String(cause)})`);
    this.name = 'MalformedJsonError';
  }
}

export interface JsonRequest {
  accept?: string;
  maxBytes: number;
  /** A JSON body to POST. */
  post?: unknown;
}

export async function fetchJson<T = unknown>(fetchImpl: typeof fetch, url: string, req: JsonRequest): Promise<JsonAnswer<T>> {
  const headers: Record<string, string> = { accept: req.accept ?? 'application/json' };
  if (req.post !== undefined) headers['content-type'] = 'application/json';
  const res = limitBody(
    await fetchImpl(url, { method: req.post === undefined ? 'GET' : 'POST', headers, ...(req.post !== undefined ? { body: JSON.stringify(req.post) } : {}) }),
    req.maxBytes,
  );
  if (res.status === 404 || res.status === 410) {
    await res.body?.cancel().catch(() => undefined);
    return { status: 'missing', httpStatus: res.status };
  }
  if (!res.ok) {
    // A short excerpt of the error body helps (OSV's `{code, message}`); it is upstream text, cut and printed safely later.
    const detail = (await res.text().catch(() => '')).slice(0, 200).replace(/\s+/g, ' ').trim();
    throw new UpstreamStatusError(res.status, url, detail);
  }
  const text = await res.text();
  try {
    return { status: 'ok', body: JSON.parse(text) as T, url: res.url || url };
  } catch (err) {
    throw new MalformedJsonError(url, err);
  }
}
