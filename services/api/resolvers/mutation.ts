/**
 * Writes through the API: analyst tags (`crown-jewel` makes a node an attack-path target, `compromised` an entry
 * point; the list is ANALYST_TAGS in schema/model.ts). Admin only. Writes are serialised per server so that two
 * concurrent tag changes on one node cannot lose one another.
 */
import type { AnalystTag } from '../../../schema/model.ts';
import type { GraphNode } from '../../../schema/records.ts';
import { checkAnalystTag } from '../../../schema/tags.ts';
import { setAnalystTag } from '../../analyst-tags.ts';
import type { ApiContext } from '../context.ts';
import { apiError } from '../errors.ts';
import { requireNode } from './args.ts';

let writes: Promise<unknown> = Promise.resolve();

function serialised<T>(work: () => Promise<T>): Promise<T> {
  const next = writes.then(work, work);
  writes = next.catch(() => undefined);
  return next;
}

function requireAdmin(ctx: ApiContext): void {
  if (ctx.caller.role !== 'admin') throw apiError('FORBIDDEN', 'this operation needs an admin token');
}

function validTag(tag: string): AnalystTag {
  try {
    return checkAnalystTag(tag);
  } catch (err) {
    throw apiError('BAD_INPUT', (err as Error).message);
  }
}

async function changeTags(ctx: ApiContext, key: string, tag: string, present: boolean): Promise<GraphNode> {
  requireAdmin(ctx);
  const wanted = validTag(tag);
  return serialised(async () => {
    ctx.loaders.node.clear(key);
    const node = await requireNode(ctx, key);
    await setAnalystTag(ctx.store, node, wanted, present);
    // Tags decide attack-path targets and findings; computed results are stale now.
    ctx.results.clear();
    ctx.loaders.node.clear(key);
    return (await ctx.loaders.node.load(key))!;
  });
}

export const mutationResolvers = {
  tag: (_: unknown, args: { key: string; tag: string }, ctx: ApiContext) => changeTags(ctx, args.key, args.tag, true),
  untag: (_: unknown, args: { key: string; tag: string }, ctx: ApiContext) => changeTags(ctx, args.key, args.tag, false),
};
