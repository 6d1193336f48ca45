import { DEFAULT_K, MAX_K, attackPaths, entryPointReasons } from '../../../queries/attack-paths.ts';
import { DEFAULT_MAX_DEPTH, DEFAULT_NODE_BUDGET, MAX_DEPTH_LIMIT, NODE_BUDGET_LIMIT } from '../../../queries/limits.ts';
import { loadWriteAccess, ownersOf } from '../../../queries/ownership.ts';
import { ownerOfKey } from '../../../schema/keys.ts';
import type { Command } from '../command.ts';
import { positiveInt } from '../options.ts';
import { formatPaths } from '../render/paths.ts';
import { resolveNodeKey } from '../resolve-key.ts';

export const pathsCommand: Command = {
  name: 'paths',
  summary: 'Rank attack paths from entry points to targets (crown jewels, else endpoints), each hop said in words',
  usage: 'paths [--from <key>…] [--to <key>…] [--k N] [--max-depth N] [--node-budget N]',
  help: 'Entry points: nodes tagged compromised, outside or public writers, dangerous pickles, vulnerable packages, models\nloaded at a floating revision. Targets: nodes tagged crown-jewel, else every endpoint.',
  options: {
    from: { type: 'string', multiple: true, arg: '<key>', description: 'start only from these nodes', defaultText: 'every entry point' },
    to: { type: 'string', multiple: true, arg: '<key>', description: 'aim only at these nodes', defaultText: 'crown jewels, else endpoints' },
    k: { type: 'string', arg: 'N', description: 'how many paths', defaultText: String(DEFAULT_K) },
    'max-depth': { type: 'string', arg: 'N', description: 'longest path, in hops', defaultText: String(DEFAULT_MAX_DEPTH) },
    'node-budget': { type: 'string', arg: 'N', description: 'nodes loaded behind the targets', defaultText: String(DEFAULT_NODE_BUDGET) },
  },
  examples: ['paths --k 5', 'paths --from hf:dataset/openweb-collective/crawl-2024', 'paths --to spaces/lena-ops/support-bot --json'],
  async run(ctx) {
    const k = positiveInt(ctx.values.k, '--k', MAX_K);
    const maxDepth = positiveInt(ctx.values['max-depth'], '--max-depth', MAX_DEPTH_LIMIT);
    const nodeBudget = positiveInt(ctx.values['node-budget'], '--node-budget', NODE_BUDGET_LIMIT);
    const store = await ctx.store();
    const resolveAll = async (keys: string[] | undefined) => (keys ? Promise.all(keys.map((x) => resolveNodeKey(store, x))) : undefined);
    const from = await resolveAll(ctx.values.from as string[] | undefined);
    const to = await resolveAll(ctx.values.to as string[] | undefined);
    const r = await attackPaths(store, { from, to, k, maxDepth, nodeBudget });
    if (ctx.json) {
      ctx.printJson(r);
      return 0;
    }
    const [reasons, access, nodes] = await Promise.all([
      entryPointReasons(store),
      loadWriteAccess(store, [...new Set(r.paths.map((p) => p.to))], { grantProps: false }),
      store.getNodes([...new Set(r.paths.map((p) => p.from))]),
    ]);
    const owners = new Map(r.paths.map((p) => [p.to, ownersOf(access, p.to).length ? ownersOf(access, p.to) : [ownerOfKey(p.to)].filter((o): o is string => Boolean(o))]));
    ctx.print(formatPaths(r, { reasons, owners, nodes: new Map(nodes.map((n) => [n.key, n])) }));
    return 0;
  },
};
