/**
 * The local HTTP server every source's replay (a Hub or MLflow look-alike for tests, the demo and benchmarks) runs
 * on: 127.0.0.1 only, an optional delay before each answer, the requests counted as they finish so a test can wait
 * for the n-th (and kill a client mid-run), and sockets destroyed on close. The source's handler answers; it gets
 * the request body read whole.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReplayHttp {
  url: string;
  /** Requests answered so far. */
  served: number;
  /** Resolves once `n` requests have been answered. */
  waitForRequests(n: number): Promise<void>;
  close(): Promise<void>;
}

export interface ReplayHttpOptions {
  delayMs?: number;
  port?: number;
}

export type ReplayHandler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** `state` is filled in and returned, so a source's own replay state (its log, its faults) can extend it. */
export async function serveReplay<T extends ReplayHttp>(state: Omit<T, keyof ReplayHttp>, handler: ReplayHandler, opts: ReplayHttpOptions = {}): Promise<T> {
  const waiters: { n: number; resolve: () => void }[] = [];
  const served = state as unknown as T;
  const server = createServer((req, res) => {
    let counted = false;
    const finish = () => {
      if (counted) return;
      counted = true;
      served.served++;
      for (const w of waiters.splice(0)) (served.served >= w.n ? w.resolve : () => waiters.push(w))();
    };
    res.on('finish', finish);
    res.on('close', finish);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const go = () => handler(req, res, Buffer.concat(chunks).toString('utf8'));
      if (opts.delayMs) setTimeout(go, opts.delayMs);
      else go();
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  Object.assign(served, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    served: 0,
    waitForRequests(n: number) {
      if (served.served >= n) return Promise.resolve();
      return new Promise<void>((resolve) => waiters.push({ n, resolve }));
    },
    // Let a process exit even if a test forgets to close: open sockets are destroyed.
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return served;
}
