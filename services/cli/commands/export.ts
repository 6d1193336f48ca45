import { once } from 'node:events';
import type { GraphStore } from '../../../schema/store.ts';
import { redact } from '../../../schema/secrets.ts';
import { openOutputStream } from '../../output-file.ts';
import { edgeToRecord, formatOf, nodeToRecord } from '../../records-file.ts';
import type { Command } from '../command.ts';

export const exportCommand: Command = {
  name: 'export',
  summary: 'Write every node and edge as records (the inverse of import): NDJSON to stdout, or --out file',
  usage: 'export [--out <records.json|records.ndjson>]',
  options: { out: { type: 'string' } },
  async run(ctx) {
    const out = ctx.values.out as string | undefined;
    const store = await ctx.store();
    if (!out) {
      await writeRecords(store, false, async (text) => {
        if (!process.stdout.write(redact(text))) await once(process.stdout, 'drain');
      });
      return 0;
    }
    // Opened before anything is read: a path that cannot be written is the user's to fix (exit 2). The file
    // appears under its name only once complete.
    const file = await openOutputStream(out);
    let counts: { nodes: number; edges: number };
    try {
      counts = await writeRecords(store, formatOf(out) === 'json', (text) => file.write(text));
    } catch (err) {
      file.abort();
      throw err;
    }
    await file.commit();
    if (ctx.json) ctx.printJson({ exported: counts, file: out });
    else ctx.print(`exported ${counts.nodes} nodes and ${counts.edges} edges to ${out}`);
    return 0;
  },
};

/** Every node then every edge, as NDJSON lines or one JSON document. */
async function writeRecords(store: GraphStore, asJson: boolean, write: (text: string) => Promise<void>): Promise<{ nodes: number; edges: number }> {
  let nodes = 0;
  let edges = 0;
  if (asJson) await write('{"nodes":[');
  let inEdges = false;
  for await (const item of store.exportAll()) {
    if (item.type === 'node') {
      const rec = nodeToRecord(item.node, item.owner);
      await write(asJson ? `${nodes ? ',' : ''}\n${JSON.stringify(rec)}` : `${JSON.stringify({ type: 'node', ...rec })}\n`);
      nodes++;
    } else {
      if (asJson && !inEdges) await write('\n],"edges":[');
      inEdges = true;
      const rec = edgeToRecord(item.edge, item.owner);
      await write(asJson ? `${edges ? ',' : ''}\n${JSON.stringify(rec)}` : `${JSON.stringify({ type: 'edge', ...rec })}\n`);
      edges++;
    }
  }
  if (asJson) await write(inEdges ? '\n]}\n' : '\n],"edges":[]}\n');
  return { nodes, edges };
}
