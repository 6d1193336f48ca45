/**
 * The OSV.dev API through the pipeline fetch: `POST /v1/querybatch` (at most 1,000 queries a batch; each result
 * pages on its own with `next_page_token`, and only the queries that returned one are sent again, each with its
 * `page_token`), and `GET /v1/vulns/<id>` for the full record.
 */
import { fetchJson, MalformedJsonError, type JsonAnswer } from '../pipeline/json.ts';

export const MAX_BATCH = 1000;
const MAX_BATCH_BYTES = 64 * 1024 * 1024;
const MAX_RECORD_BYTES = 16 * 1024 * 1024;
/** Pages of one query's results; OSV pages past 1,000 vulnerabilities, so a real package needs one or two. */
const MAX_PAGES = 100;

export interface OsvQuery {
  package: { purl: string };
  version: string;
}

export interface BatchHit {
  id: string;
  modified?: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export class OsvClient {
  constructor(
    readonly baseUrl: string,
    private readonly fetchImpl: typeof fetch,
  ) {}

  /** The vulnerabilities of each query (in query order), every page followed. */
  async queryBatch(queries: readonly OsvQuery[]): Promise<BatchHit[][]> {
    if (queries.length > MAX_BATCH) throw new RangeError(`a querybatch holds at most ${MAX_BATCH} queries`);
    const hits: BatchHit[][] = queries.map(() => []);
    let pending = queries.map((q, i) => ({ i, query: q as OsvQuery & { page_token?: string } }));
    for (let page = 0; pending.length; page++) {
      if (page >= MAX_PAGES) throw new MalformedJsonError(`${this.baseUrl}/v1/querybatch`, new Error(`results page past ${MAX_PAGES} pages`));
      const url = `${this.baseUrl}/v1/querybatch`;
      const answer = await fetchJson(this.fetchImpl, url, { post: { queries: pending.map((p) => p.query) }, maxBytes: MAX_BATCH_BYTES });
      if (answer.status !== 'ok') throw new MalformedJsonError(url, new Error(`HTTP ${answer.httpStatus}`));
      const results = isObject(answer.body) && Array.isArray(answer.body.results) ? answer.body.results : undefined;
      if (!results || results.length !== pending.length) throw new MalformedJsonError(url, new Error(`expected ${pending.length} results, got ${results?.length ?? 'none'}`));
      const next: typeof pending = [];
      results.forEach((r, j) => {
        const p = pending[j]!;
        const vulns = isObject(r) && Array.isArray(r.vulns) ? r.vulns : [];
        for (const v of vulns) if (isObject(v) && typeof v.id === 'string') hits[p.i]!.push({ id: v.id, ...(typeof v.modified === 'string' ? { modified: v.modified } : {}) });
        const token = isObject(r) && typeof r.next_page_token === 'string' && r.next_page_token ? r.next_page_token : undefined;
        if (token) next.push({ i: p.i, query: { ...p.query, page_token: token } });
      });
      pending = next;
    }
    return hits;
  }

  vuln(id: string): Promise<JsonAnswer> {
    return fetchJson(this.fetchImpl, `${this.baseUrl}/v1/vulns/${encodeURIComponent(id)}`, { maxBytes: MAX_RECORD_BYTES });
  }
}
