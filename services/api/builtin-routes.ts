/** The server's own HTTP routes besides /graphql: a health check and AIBOM downloads. */
import type { GraphQLError } from 'graphql';
import { LIMITS } from '../../schema/model.ts';
import { clip } from '../../schema/records.ts';
import { redact } from '../../schema/secrets.ts';
import { aibomFileName } from '../aibom/index.ts';
import { buildAibomFor, checkSpec } from './aibom.ts';
import { maskError } from './errors.ts';
import { sendError, sendJson, type Route } from './routes.ts';

// The key as the README writes it (`/aibom/hf:model/o/n.cdx.json`) or URL-encoded: keys hold slashes.
const AIBOM_PATH = /^\/aibom\/(.+)\.cdx\.json$/;

const ROUTE_STATUS: Record<string, number> = { BAD_INPUT: 400, NOT_FOUND: 404, TIMEOUT: 503 };

/** 200 when the store answers a real (cheap, indexed) query; 503 otherwise. */
export const healthRoute: Route = {
  path: '/healthz',
  auth: 'none',
  async handle(_req, res, ctx) {
    try {
      await ctx.store.find({ first: 1 });
      sendJson(res, 200, { status: 'ok', store: ctx.store.backend });
    } catch {
      sendJson(res, 503, { status: 'error', store: ctx.store.backend });
    }
  },
};

/**
 * GET /aibom/<model key, plain or URL-encoded>.cdx.json[?spec=1.7][&deterministic=true]: the model's CycloneDX ML-BOM, as the
 * exporter serialised it (so a deterministic BOM is byte-identical to the CLI's).
 */
export const aibomRoute: Route = {
  path: AIBOM_PATH,
  auth: 'read',
  async handle(_req, res, ctx) {
    let key: string;
    try {
      key = decodeURIComponent(AIBOM_PATH.exec(ctx.url.pathname)![1]!);
    } catch {
      return sendError(res, 400, 'BAD_INPUT', 'the model key is not valid URL encoding');
    }
    try {
      const [node] = key.length <= LIMITS.keyLength ? await ctx.store.getNodes([key]) : [];
      if (!node || node.kind !== 'Model') return sendError(res, 404, 'NOT_FOUND', `no model with key ${clip(redact(key))}`);
      const spec = checkSpec(ctx.url.searchParams.get('spec'));
      const out = await buildAibomFor(ctx.store, node.key, { spec, deterministic: ctx.url.searchParams.get('deterministic') === 'true' });
      res.writeHead(200, {
        'content-type': 'application/vnd.cyclonedx+json; charset=utf-8',
        'content-length': Buffer.byteLength(out.json),
        'content-disposition': `attachment; filename="${aibomFileName(node.key)}"`,
      });
      res.end(out.json);
    } catch (err) {
      const masked = maskError(err);
      const code = String((masked as GraphQLError).extensions?.code ?? 'INTERNAL');
      sendError(res, ROUTE_STATUS[code] ?? 500, code, masked.message);
    }
  },
};

export const BUILTIN_ROUTES: readonly Route[] = [healthRoute, aibomRoute];
