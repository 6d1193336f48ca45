import { blastRadius } from '../../../queries/blast-radius.ts';
import { MAX_DEPTH_LIMIT, NODE_BUDGET_LIMIT } from '../../../queries/limits.ts';
import { UsageError } from '../../../schema/errors.ts';
import type { Command } from '../command.ts';
import { positiveInt } from '../options.ts';

export const blastRadiusCommand: Command = {
  name: 'blast-radius',
  summary: 'What compromise of one node reaches: endpoints and their owners, then every node by depth',
  usage: 'blast-radius <key> [--max-depth N] [--node-budget N]',
  options: { 'max-depth': { type: 'string' }, 'node-budget': { type: 'string' } },
  async run(ctx) {
    const [key, ...extra] = ctx.positionals;
    if (!key || extra.length) throw new UsageError('give exactly one node key: aispm blast-radius <key>');
    const maxDepth = positiveInt(ctx.values['max-depth'], '--max-depth', MAX_DEPTH_LIMIT);
    const nodeBudget = positiveInt(ctx.values['node-budget'], '--node-budget', NODE_BUDGET_LIMIT);
    const store = await ctx.store();
    const r = await blastRadius(store, key, { maxDepth, nodeBudget });
    if (ctx.json) {
      ctx.printJson({
        from: r.from,
        total: r.total,
        byKind: r.byKind,
        nodes: r.nodes.map((n) => ({ key: n.key, kind: n.kind, depth: n.depth, path: n.path })),
        endpoints: r.endpoints,
        truncated: r.truncated,
        ...(r.reason ? { reason: r.reason } : {}),
      });
      return 0;
    }
    const lines = [`blast radius of ${r.from}: ${r.total} node${r.total === 1 ? '' : 's'} reached`];
    if (r.truncated) lines.push(`  (partial: stopped at the ${r.reason === 'budget' ? 'node budget' : 'depth limit'}; raise --${r.reason === 'budget' ? 'node-budget' : 'max-depth'})`);
    lines.push('', `endpoints (${r.endpoints.length}):`);
    for (const e of r.endpoints) {
      lines.push(`  ${e.key}  depth ${e.depth}  owners: ${e.owners.length ? e.owners.join(', ') : '(none recorded)'}`);
      lines.push(`    via ${e.path.join(' → ')}`);
    }
    if (!r.endpoints.length) lines.push('  (none)');
    lines.push('', 'by kind:');
    for (const [kind, n] of Object.entries(r.byKind).sort()) lines.push(`  ${kind.padEnd(14)} ${n}`);
    let depth = -1;
    for (const n of r.nodes) {
      if (n.depth !== depth) {
        depth = n.depth;
        lines.push('', `depth ${depth}:`);
      }
      lines.push(`  ${n.key}  (${n.kind})`);
    }
    ctx.print(lines.join('\n'));
    return 0;
  },
};
