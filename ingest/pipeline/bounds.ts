/**
 * Limits on what an upstream may make us hold or do: a response body over a size, a paged listing that never
 * ends (a `Link: rel="next"` that loops or serves empty pages forever), a Range request answered with other bytes.
 * Each breach is an UpstreamLimitError, which an ingestor reports against the item it was reading. Generic.
 */
import { safeUrl } from './http.ts';

export class UpstreamLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UpstreamLimitError';
  }
}

/**
 * The response with a body that yields at most `maxBytes`: past that it errors (`over: 'error'`) or simply ends
 * (`over: 'truncate'`, for a Range answer that sent more than asked). A declared Content-Length over the limit is
 * refused before a byte is read.
 */
export function limitBody(res: Response, maxBytes: number, over: 'error' | 'truncate' = 'error'): Response {
  const tooBig = () => new UpstreamLimitError(`response from ${safeUrl(res.url)} is over the ${maxBytes}-byte limit`);
  const declared = Number(res.headers.get('content-length'));
  if (over === 'error' && Number.isFinite(declared) && declared > maxBytes) {
    void res.body?.cancel().catch(() => undefined);
    throw tooBig();
  }
  if (!res.body) return res;
  const reader = res.body.getReader();
  let seen = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) return controller.close();
      const room = maxBytes - seen;
      seen += value.length;
      if (value.length <= room) return controller.enqueue(value);
      await reader.cancel().catch(() => undefined);
      if (over === 'error') return controller.error(tooBig());
      if (room > 0) controller.enqueue(value.subarray(0, room));
      controller.close();
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  const headers = new Headers(res.headers);
  headers.delete('content-length');
  const limited = new Response(body, { status: res.status, statusText: res.statusText, headers });
  // `url` is read by clients for error messages; a constructed Response has none of its own.
  Object.defineProperty(limited, 'url', { value: res.url });
  return limited;
}

/**
 * A fetch for one paged listing: refuses a page URL it has already fetched (a `Link` loop) and more than
 * `maxPages` pages (empty pages chained forever), so a listing always ends.
 */
export function boundedPages(fetchImpl: typeof fetch, maxPages: number): typeof fetch {
  const seen = new Set<string>();
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (seen.has(url)) throw new UpstreamLimitError(`paged listing loops back to ${safeUrl(url)}`);
    if (seen.size >= maxPages) throw new UpstreamLimitError(`paged listing runs past ${maxPages} pages`);
    seen.add(url);
    return fetchImpl(input, init);
  }) as typeof fetch;
}

/** `bytes=a-b` of a request, or undefined when it asks for the whole resource. */
function requestedRange(init: RequestInit | undefined): { start: number; end: number } | undefined {
  const m = /^bytes=(\d+)-(\d+)$/.exec(new Headers(init?.headers).get('range')?.trim() ?? '');
  return m ? { start: Number(m[1]), end: Number(m[2]) } : undefined;
}

/**
 * A fetch for file downloads: a Range request yields exactly the bytes asked for or fails (a server that ignores
 * Range is only usable from byte 0; one that answers another range is refused), and a whole-file request yields at
 * most `maxWholeBytes`.
 */
export function boundedDownloads(fetchImpl: typeof fetch, maxWholeBytes: number): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const res = await fetchImpl(input, init);
    if (!res.ok) return limitBody(res, 1024 * 1024);
    const range = requestedRange(init);
    if (!range) return limitBody(res, maxWholeBytes);
    const want = range.end - range.start + 1;
    if (res.status === 206) {
      const from = /^bytes (\d+)-/.exec(res.headers.get('content-range') ?? '');
      if (!from || Number(from[1]) !== range.start) {
        void res.body?.cancel().catch(() => undefined);
        throw new UpstreamLimitError(`${safeUrl(res.url)} answered bytes ${range.start}-${range.end} with another range`);
      }
      return limitBody(res, want, 'truncate');
    }
    if (range.start === 0) return limitBody(res, want, 'truncate');
    void res.body?.cancel().catch(() => undefined);
    throw new UpstreamLimitError(`${safeUrl(res.url)} ignored a Range request for bytes ${range.start}-${range.end}`);
  }) as typeof fetch;
}
