/** The plain look-ups: node, nodes, search, stats. */
import { isNodeKind, type NodeKind } from '../../../schema/model.ts';
import type { GraphNode } from '../../../schema/records.ts';
import { MAX_FIRST, checkFirst } from '../connection.ts';
import type { ApiContext } from '../context.ts';
import { apiError } from '../errors.ts';
import { encodeCursor as storeCursor } from '../../store/common.ts';
import { redact } from '../../../schema/secrets.ts';
import { checkKey } from './args.ts';

function whereOf(value: unknown): Record<string, string | number | boolean> | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw apiError('BAD_INPUT', 'where must be an object of property: value');
  // No prototype: a `__proto__` property name stays a plain (harmless) name instead of reaching Object.prototype.
  const out: Record<string, string | number | boolean> = Object.create(null) as Record<string, string | number | boolean>;
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      throw apiError('BAD_INPUT', `where.${redact(k).slice(0, 60)} must be a string, number or boolean`);
    }
    out[k] = v;
  }
  return out;
}

const counts = (byKind: Partial<Record<string, number>>) => Object.entries(byKind).map(([kind, count]) => ({ kind, count: count ?? 0 }));

export const queryResolvers = {
  async node(_: unknown, args: { key: string }, ctx: ApiContext) {
    return ctx.loaders.node.load(checkKey(args.key));
  },
  async nodes(_: unknown, args: { keys: string[] }, ctx: ApiContext) {
    if (args.keys.length > MAX_FIRST) throw apiError('BAD_INPUT', `keys may name at most ${MAX_FIRST} nodes`);
    return ctx.loaders.node.loadMany(args.keys.map((k) => checkKey(k, 'keys')));
  },
  async search(_: unknown, args: { text?: string | null; kind?: NodeKind | null; where?: unknown; first?: number | null; after?: string | null }, ctx: ApiContext) {
    const first = checkFirst(args.first, 50);
    if (args.kind && !isNodeKind(args.kind)) throw apiError('BAD_INPUT', 'unknown kind');
    if (args.text && args.text.length > 1000) throw apiError('BAD_INPUT', 'text is longer than 1000 characters');
    const where = whereOf(args.where);
    if (first === 0) return { edges: [], pageInfo: { hasNextPage: false, endCursor: null } };
    const page = await ctx.store.find({ kind: args.kind ?? undefined, text: args.text ?? undefined, where, first, after: args.after ?? undefined });
    for (const n of page.items) ctx.loaders.node.prime(n.key, n);
    // Stores page by key, so each item's cursor is the one the store would return for a page ending there.
    return {
      edges: page.items.map((node: GraphNode) => ({ cursor: storeCursor(node.key), node })),
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
    };
  },
  async stats(_: unknown, __: unknown, ctx: ApiContext) {
    const s = await ctx.store.stats();
    return { backend: ctx.store.backend, nodes: s.nodes, edges: s.edges, nodesByKind: counts(s.nodesByKind), edgesByKind: counts(s.edgesByKind) };
  },
};
