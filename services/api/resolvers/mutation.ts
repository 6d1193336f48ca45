/**
 * Writes through the API: tagging nodes (e.g. `crown-jewel`, which makes a node an attack-path target). Admin only.
 * Writes are serialised per server so that two concurrent tag changes on one node cannot lose one another.
 */
import type { GraphNode, Props } from '../../../schema/records.ts';
import type { ApiContext } from '../context.ts';
import { apiError } from '../errors.ts';
import { requireNode } from './args.ts';

const TAG = /^[^\u0000-\u001f\u007f]{1,100}$/u;

let writes: Promise<unknown> = Promise.resolve();

function serialised<T>(work: () => Promise<T>): Promise<T> {
  const next = writes.then(work, work);
  writes = next.catch(() => undefined);
  return next;
}

function requireAdmin(ctx: ApiContext): void {
  if (ctx.caller.role !== 'admin') throw apiError('FORBIDDEN', 'this operation needs an admin token');
}

async function changeTags(ctx: ApiContext, key: string, tag: string, change: (tags: string[]) => string[]): Promise<GraphNode> {
  requireAdmin(ctx);
  if (typeof tag !== 'string' || !TAG.test(tag)) throw apiError('BAD_INPUT', 'tag must be 1 to 100 printable characters');
  return serialised(async () => {
    ctx.loaders.node.clear(key);
    const node = await requireNode(ctx, key);
    const current = Array.isArray(node.props.tags) ? node.props.tags.filter((t): t is string => typeof t === 'string') : [];
    const tags = change(current);
    // A written record counts as a full one unless it says otherwise; tagging must not turn a stub into one.
    const props: Props = node.props.stub === true ? { tags, stub: true } : { tags };
    await ctx.store.upsert({ nodes: [{ kind: node.kind, key: node.key, props }], edges: [] });
    // Tags decide attack-path targets and findings; computed results are stale now.
    ctx.results.clear();
    ctx.loaders.node.clear(key);
    return (await ctx.loaders.node.load(key))!;
  });
}

export const mutationResolvers = {
  tag: (_: unknown, args: { key: string; tag: string }, ctx: ApiContext) =>
    changeTags(ctx, args.key, args.tag, (tags) => (tags.includes(args.tag) ? tags : [...tags, args.tag])),
  untag: (_: unknown, args: { key: string; tag: string }, ctx: ApiContext) =>
    changeTags(ctx, args.key, args.tag, (tags) => tags.filter((t) => t !== args.tag)),
};
