/**
 * `aispm serve`: the GraphQL API (and GraphiQL, /healthz, AIBOM downloads) until SIGINT or SIGTERM, then a clean
 * shutdown (the CLI closes the store after the command returns).
 */
import { UsageError } from '../../../schema/errors.ts';
import { loadApiTokens } from '../../api/auth.ts';
import { startServer } from '../../api/server.ts';
import { graphViewRoutes } from '../../ui/route.ts';
import type { Command } from '../command.ts';

function portOf(value: unknown): number {
  if (value === undefined) return 4000;
  const text = String(value);
  const n = Number(text);
  if (!/^\d{1,5}$/.test(text) || n > 65_535) throw new UsageError(`--port must be a whole number from 0 to 65535 (0 picks a free port), got "${text.slice(0, 20)}"`);
  return n;
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Serve the graph view (/), the GraphQL API with GraphiQL (/graphql), AIBOM downloads and /healthz over HTTP',
  usage: 'serve [--host 127.0.0.1] [--port 4000] [--token-file <file>] [--store <spec>]\n(tokens: AISPM_TOKENS="read:<token>,admin:<token>" or --token-file; without tokens: loopback only, read only)',
  options: {
    host: { type: 'string' },
    port: { type: 'string' },
    'token-file': { type: 'string' },
  },
  async run(ctx) {
    const host = (ctx.values.host as string | undefined) ?? '127.0.0.1';
    const port = portOf(ctx.values.port);
    const tokens = loadApiTokens({ file: ctx.values['token-file'] as string | undefined, env: process.env.AISPM_TOKENS });
    const store = await ctx.store();
    const server = await startServer({ store, host, port, tokens, routes: graphViewRoutes });
    const graphql = `${server.url}/graphql`;
    if (ctx.json) ctx.printJson({ url: server.url, graphql, auth: tokens.length ? 'tokens' : 'local-read-only' });
    else ctx.print(`aispm serve: graph view at ${server.url}/, GraphQL at ${graphql} (GraphiQL in a browser), health at ${server.url}/healthz`);
    if (!tokens.length) ctx.log('aispm serve: no API tokens configured: loopback only, read-only access');

    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    ctx.log(`aispm serve: ${signal}, shutting down`);
    await server.close();
    return 0;
  },
};
