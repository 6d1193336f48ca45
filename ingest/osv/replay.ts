/**
 * A local stand-in for the OSV.dev API in its real shapes: `POST /v1/querybatch` (`{queries: [{package: {purl} |
 * {name, ecosystem}, version, page_token?}]}` → `{results: [{vulns: [{id, modified}], next_page_token?} | {}]}`
 * in query order, at most 1,000 queries, each result paged on its own), `GET /v1/vulns/<id>` (404 with a Google
 * RPC status for an unknown id), and 400 for a malformed query. Which records match a query is the caller's
 * table (as OSV's own evaluation would give it), so a test can compare our offline evaluation against it.
 */
import { serveJson, type ReplayBase, type ReplayFault } from '../registries/replay/serve.ts';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface OsvReplayOptions {
  /** `<purl without version>@<version>` → ids of the records that affect it. */
  matches: ReadonlyMap<string, readonly string[]>;
  /** Vulnerabilities per result page; a longer list gets a `next_page_token`. */
  pageSize?: number;
  delayMs?: number;
  faults?: ReplayFault[];
}

export interface OsvReplay extends ReplayBase {
  records: Map<string, Json>;
}

export async function startOsvReplay(records: Json[], opts: OsvReplayOptions): Promise<OsvReplay> {
  const byId = new Map(records.map((r) => [r.id as string, r]));
  const pageSize = opts.pageSize ?? 1000;
  const base = await serveJson(
    (req, url, body) => {
      if (req.method === 'POST' && url.pathname === '/v1/querybatch') {
        let parsed: unknown;
        try {
          parsed = JSON.parse(body);
        } catch {
          return { status: 400, body: { code: 3, message: 'Invalid JSON payload received.', details: [] } };
        }
        const queries = isObject(parsed) && Array.isArray(parsed.queries) ? parsed.queries : undefined;
        if (!queries || queries.length > 1000) return { status: 400, body: { code: 3, message: 'Too many queries.', details: [] } };
        const results = queries.map((q) => {
          const purl = isObject(q) && isObject(q.package) && typeof q.package.purl === 'string' ? q.package.purl : undefined;
          const version = isObject(q) && typeof q.version === 'string' ? q.version : undefined;
          const ids = purl && version ? opts.matches.get(`${purl}@${version}`) ?? [] : [];
          const start = isObject(q) && typeof q.page_token === 'string' ? Number(q.page_token) : 0;
          const page = ids.slice(start, start + pageSize).filter((id) => byId.has(id));
          if (!page.length) return {};
          const more = start + pageSize < ids.length;
          return { vulns: page.map((id) => ({ id, modified: byId.get(id)!.modified })), ...(more ? { next_page_token: String(start + pageSize) } : {}) };
        });
        return { status: 200, body: { results } };
      }
      const vuln = /^\/v1\/vulns\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'GET' && vuln) {
        const record = byId.get(decodeURIComponent(vuln[1]!));
        return record ? { status: 200, body: record } : { status: 404, body: { code: 5, message: 'Bug not found.', details: [] } };
      }
      return { status: 404, body: { code: 5, message: 'Not Found', details: [] } };
    },
    { ...(opts.delayMs ? { delayMs: opts.delayMs } : {}), ...(opts.faults ? { faults: opts.faults } : {}) },
  );
  return { ...base, records: byId };
}
