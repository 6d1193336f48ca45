import { MAX_K, attackPaths } from '../../../queries/attack-paths.ts';
import { MAX_DEPTH_LIMIT, NODE_BUDGET_LIMIT } from '../../../queries/limits.ts';
import type { Command } from '../command.ts';
import { positiveInt } from '../options.ts';

export const pathsCommand: Command = {
  name: 'paths',
  summary: 'Rank attack paths from entry points to targets (crown jewels, else endpoints), each step explained',
  usage: 'paths [--from <key>…] [--to <key>…] [--k N] [--max-depth N] [--node-budget N]',
  options: {
    from: { type: 'string', multiple: true },
    to: { type: 'string', multiple: true },
    k: { type: 'string' },
    'max-depth': { type: 'string' },
    'node-budget': { type: 'string' },
  },
  async run(ctx) {
    const from = ctx.values.from as string[] | undefined;
    const to = ctx.values.to as string[] | undefined;
    const k = positiveInt(ctx.values.k, '--k', MAX_K);
    const maxDepth = positiveInt(ctx.values['max-depth'], '--max-depth', MAX_DEPTH_LIMIT);
    const nodeBudget = positiveInt(ctx.values['node-budget'], '--node-budget', NODE_BUDGET_LIMIT);
    const store = await ctx.store();
    const r = await attackPaths(store, { from, to, k, maxDepth, nodeBudget });
    if (ctx.json) {
      ctx.printJson(r);
      return 0;
    }
    const lines = [`${r.paths.length} attack path${r.paths.length === 1 ? '' : 's'} from ${r.entries.length} entry point(s) to ${r.targets.length} target(s)`];
    if (r.truncated) lines.push('  (partial: the region behind the targets was cut by --max-depth or --node-budget)');
    r.paths.forEach((p, i) => {
      lines.push('', `#${i + 1}  risk ${p.risk.toFixed(2)}  likelihood ${p.likelihood.toFixed(3)}  ${p.from} ⇒ ${p.to}`);
      for (const s of p.steps) {
        lines.push(`  ${s.from} → ${s.to}  [${s.edgeKind}${s.relation ? ` ${s.relation}` : ''}, ${s.likelihood}]`);
        lines.push(`      abuse: ${s.abuse}`);
        lines.push(`      fix:   ${s.remediation}`);
        if (s.evidence) lines.push(`      evidence: ${s.evidence} (${s.source})`);
      }
    });
    if (!r.paths.length) lines.push(r.targets.length ? (r.entries.length ? 'no entry point reaches a target' : 'no entry points found') : 'no targets found (tag one with `aispm tag <key> crown-jewel`)');
    ctx.print(lines.join('\n'));
    return 0;
  },
};
