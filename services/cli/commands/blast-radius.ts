import { blastRadius } from '../../../queries/blast-radius.ts';
import { DEFAULT_MAX_DEPTH, DEFAULT_NODE_BUDGET, MAX_DEPTH_LIMIT, NODE_BUDGET_LIMIT } from '../../../queries/limits.ts';
import { UsageError } from '../../../schema/errors.ts';
import type { Command } from '../command.ts';
import { positiveInt } from '../options.ts';
import { formatBlastRadius } from '../render/blast-radius.ts';
import { resolveNodeKey } from '../resolve-key.ts';

export const blastRadiusCommand: Command = {
  name: 'blast-radius',
  summary: 'What compromise of one node reaches: endpoints and their owners, how each hop happened, then every node by depth',
  usage: 'blast-radius <key> [--max-depth N] [--node-budget N]',
  help: 'Follows compromise the way it travels (data → models trained on it → derivatives → endpoints serving them). A key may\nalso be written as `ingest hf` takes it: owner/name, datasets/owner/name, spaces/owner/name.',
  options: {
    'max-depth': { type: 'string', arg: 'N', description: 'stop after N hops', defaultText: String(DEFAULT_MAX_DEPTH) },
    'node-budget': { type: 'string', arg: 'N', description: 'stop after reaching N nodes', defaultText: String(DEFAULT_NODE_BUDGET) },
  },
  examples: ['blast-radius hf:dataset/openweb-collective/crawl-2024', 'blast-radius datasets/openweb-collective/crawl-2024 --max-depth 2', 'blast-radius hf:model/helios-labs/helios-3b --json'],
  async run(ctx) {
    const [given, ...extra] = ctx.positionals;
    if (!given || extra.length) throw new UsageError('give exactly one node key: aispm blast-radius <key>');
    const maxDepth = positiveInt(ctx.values['max-depth'], '--max-depth', MAX_DEPTH_LIMIT);
    const nodeBudget = positiveInt(ctx.values['node-budget'], '--node-budget', NODE_BUDGET_LIMIT);
    const store = await ctx.store();
    const key = await resolveNodeKey(store, given);
    const r = await blastRadius(store, key, { maxDepth, nodeBudget });
    if (ctx.json) {
      ctx.printJson(r);
      return 0;
    }
    ctx.print(formatBlastRadius(r, { nextHints: [`paths --from ${key}`, `report --format html --out report.html`] }));
    return 0;
  },
};
