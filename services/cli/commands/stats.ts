import type { Command } from '../command.ts';

export const statsCommand: Command = {
  name: 'stats',
  summary: 'Count nodes and edges in the store, by kind',
  usage: 'stats [--store <spec>] [--json]',
  async run(ctx) {
    const store = await ctx.store();
    const stats = await store.stats();
    if (ctx.json) {
      ctx.printJson({ store: { backend: store.backend, location: store.location }, ...stats });
      return 0;
    }
    const lines = [`store: ${store.backend} ${store.location}`, `nodes: ${stats.nodes}`];
    for (const [k, n] of Object.entries(stats.nodesByKind)) lines.push(`  ${k.padEnd(14)} ${n}`);
    lines.push(`edges: ${stats.edges}`);
    for (const [k, n] of Object.entries(stats.edgesByKind)) lines.push(`  ${k.padEnd(14)} ${n}`);
    ctx.print(lines.join('\n'));
    return 0;
  },
};
