/**
 * The plumbing the registry and OSV replay servers share: a server on 127.0.0.1 that answers JSON, with injectable
 * faults (429 with Retry-After, 5xx, a body that is not JSON), a per-request delay, and a log of what was asked.
 * Used by the tests and the benches; no test reaches a public host.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReplayFault {
  /** Applies to requests whose path (with query) contains this text. */
  match: string;
  status: 429 | 500 | 502 | 503 | 504 | 'malformed';
  /** How many matching requests get the fault before it stops. */
  times: number;
  retryAfter?: string;
}

export interface ReplayBase {
  url: string;
  faults: ReplayFault[];
  log: string[];
  close(): Promise<void>;
}

export interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (req: IncomingMessage, url: URL, body: string) => Answer | Promise<Answer>;

export async function serveJson(handler: Handler, opts: { delayMs?: number; faults?: ReplayFault[]; port?: number } = {}): Promise<ReplayBase> {
  const faults = [...(opts.faults ?? [])];
  const log: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        log.push(`${req.method} ${url.pathname}${url.search}`);
        if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
        const fault = faults.find((f) => f.times > 0 && `${url.pathname}${url.search}`.includes(f.match));
        if (fault) {
          fault.times--;
          if (fault.status === 'malformed') {
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end('{"info": {"name": "truncated"');
            return;
          }
          res.writeHead(fault.status, { 'content-type': 'application/json', ...(fault.retryAfter ? { 'retry-after': fault.retryAfter } : {}) });
          res.end(JSON.stringify({ code: fault.status, message: 'injected fault' }));
          return;
        }
        const answer = await handler(req, url, Buffer.concat(chunks).toString('utf8'));
        res.writeHead(answer.status, { 'content-type': 'application/json', ...(answer.headers ?? {}) });
        res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
      })().catch((err: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    faults,
    log,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
