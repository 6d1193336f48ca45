/**
 * `aispm demo`: no network needed. Serves the bundled Hub sample on 127.0.0.1, ingests it with the real
 * `ingest hf` code into the store (default .aispm/graph.db), and prints the blast radius of its poisoned dataset.
 */
import { formatSummary } from '../../../ingest/huggingface/ingest.ts';
import { runDemo } from '../../demo/run.ts';
import { POISONED_DATASET } from '../../demo/sample.ts';
import type { Command } from '../command.ts';

export const demoCommand: Command = {
  name: 'demo',
  summary: 'Offline demo: ingest a bundled Hub sample from a local replay server, then show a poisoned dataset\'s blast radius',
  usage: 'demo [--store <spec>] [--json]',
  async run(ctx) {
    const store = await ctx.store();
    if (!ctx.json) ctx.log(`serving the bundled Hub sample locally and ingesting ${POISONED_DATASET} (--descendants 2 --scan-pickles) into ${store.location} …`);
    const r = await runDemo(store, { progress: ctx.interactive ? process.stderr : undefined });
    if (ctx.json) {
      ctx.printJson({ seed: r.seed, ingest: r.ingest, blastRadius: r.blastRadius });
      return 0;
    }
    const b = r.blastRadius;
    const lines = [formatSummary(r.ingest).replace(/^ingested from \S+/, 'ingested the bundled sample'), ''];
    lines.push(`blast radius of ${b.from}: ${b.total} nodes reached`);
    lines.push('', `endpoints serving affected models (${b.endpoints.length}):`);
    for (const e of b.endpoints) {
      lines.push(`  ${e.key}  owners: ${e.owners.length ? e.owners.join(', ') : '(none recorded)'}`);
      lines.push(`    via ${e.path.join(' → ')}`);
    }
    lines.push('', 'affected, by kind:');
    for (const [kind, n] of Object.entries(b.byKind).sort()) lines.push(`  ${kind.padEnd(10)} ${n}`);
    const models = b.nodes.filter((n) => n.kind === 'Model');
    if (models.length) {
      lines.push('', 'models:');
      for (const m of models) lines.push(`  depth ${m.depth}  ${m.key}`);
    }
    lines.push('', 'next: aispm blast-radius hf:dataset/openweb-collective/crawl-2024 · aispm export · aispm stats');
    ctx.print(lines.join('\n'));
    return 0;
  },
};
