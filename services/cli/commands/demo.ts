/**
 * `aispm demo`: no network needed. Serves the bundled Hub sample on 127.0.0.1, ingests it with the real
 * `ingest hf` code into the store (default .aispm/graph.db), tags its poisoned dataset `compromised` (the story:
 * the crawl is known to be poisoned) and prints that dataset's blast radius.
 */
import { formatSummary } from '../../../ingest/huggingface/ingest.ts';
import { runDemo } from '../../demo/run.ts';
import { POISONED_DATASET, POISONED_KEY } from '../../demo/sample.ts';
import type { Command } from '../command.ts';
import { formatBlastRadius } from '../render/blast-radius.ts';

export const demoCommand: Command = {
  name: 'demo',
  createsStore: true,
  summary: "Offline demo: ingest a bundled Hub sample from a local replay server, tag its poisoned dataset compromised, show its blast radius",
  usage: 'demo [--store <spec>] [--json]',
  examples: ['demo', 'demo --store sqlite:/tmp/demo.db'],
  async run(ctx) {
    const store = await ctx.store();
    if (!ctx.json) ctx.log(`serving the bundled Hub sample locally and ingesting ${POISONED_DATASET} (--descendants 2 --scan-pickles) into ${store.location} …`);
    const r = await runDemo(store, { progress: ctx.interactive ? process.stderr : undefined });
    if (ctx.json) {
      ctx.printJson({ seed: r.seed, ingest: r.ingest, compromised: POISONED_KEY, blastRadius: r.blastRadius });
      return 0;
    }
    const stats = await store.stats();
    const lines = [formatSummary(r.ingest).replace(/^ingested from \S+/, 'ingested the bundled sample').replace(/^nothing new from \S+/, 'nothing new from the bundled sample'), `  the store now holds ${stats.nodes} nodes and ${stats.edges} edges`, ''];
    lines.push(`tagged ${POISONED_KEY} compromised (assumed breach: attack paths start from it)`, '');
    lines.push(formatBlastRadius(r.blastRadius, { nextHints: ['paths --k 5', 'findings --fail-on high', 'report --format html --out report.html', 'serve'] }));
    ctx.print(lines.join('\n'));
    return 0;
  },
};
