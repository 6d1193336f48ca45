import { LINEAGE_DIRECTIONS, lineage, type LineageDirection } from '../../../queries/lineage.ts';
import { MAX_DEPTH_LIMIT } from '../../../queries/limits.ts';
import { UsageError } from '../../../schema/errors.ts';
import type { Command } from '../command.ts';
import { positiveInt } from '../options.ts';

export const lineageCommand: Command = {
  name: 'lineage',
  summary: 'Ancestors (bases) and descendants (derivatives) of a model or dataset, with the relation of each step',
  usage: 'lineage <key> [--direction up|down|both] [--max-depth N]',
  options: { direction: { type: 'string' }, 'max-depth': { type: 'string' } },
  async run(ctx) {
    const [key, ...extra] = ctx.positionals;
    if (!key || extra.length) throw new UsageError('give exactly one node key: aispm lineage <key>');
    const direction = (ctx.values.direction as string | undefined) ?? 'both';
    if (!(LINEAGE_DIRECTIONS as readonly string[]).includes(direction)) {
      throw new UsageError(`--direction must be one of ${LINEAGE_DIRECTIONS.join(', ')}, got "${direction.slice(0, 40)}"`);
    }
    const maxDepth = positiveInt(ctx.values['max-depth'], '--max-depth', MAX_DEPTH_LIMIT);
    const store = await ctx.store();
    const r = await lineage(store, key, { direction: direction as LineageDirection, maxDepth });
    if (ctx.json) {
      ctx.printJson(r);
      return 0;
    }
    const lines = [`lineage of ${r.key}${r.truncated ? ' (partial: depth limit or node budget reached)' : ''}`];
    const section = (title: string, entries: typeof r.up, arrow: string) => {
      lines.push('', `${title} (${entries.length}):`);
      for (const e of entries) lines.push(`  ${'  '.repeat(e.depth - 1)}${e.key}  ${arrow} ${e.relation} of ${e.parent}`);
      if (!entries.length) lines.push('  (none)');
    };
    if (direction !== 'down') section('ancestors', r.up, 'base, via');
    if (direction !== 'up') section('descendants', r.down, 'derived, via');
    ctx.print(lines.join('\n'));
    return 0;
  },
};
