import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { UsageError } from '../../../schema/errors.ts';
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
    const sink: Writable = out ? await openOutput(out) : process.stdout;
    const write = async (text: string) => {
      if (!sink.write(text)) await once(sink, 'drain');
    };
    const asJson = out !== undefined && formatOf(out) === 'json';
    let nodes = 0;
    let edges = 0;
    if (asJson) await write('{"nodes":[');
    let inEdges = false;
    for await (const item of store.exportAll()) {
      if (item.type === 'node') {
        const rec = nodeToRecord(item.node);
        await write(asJson ? `${nodes ? ',' : ''}\n${JSON.stringify(rec)}` : `${JSON.stringify({ type: 'node', ...rec })}\n`);
        nodes++;
      } else {
        if (asJson && !inEdges) await write('\n],"edges":[');
        inEdges = true;
        const rec = edgeToRecord(item.edge);
        await write(asJson ? `${edges ? ',' : ''}\n${JSON.stringify(rec)}` : `${JSON.stringify({ type: 'edge', ...rec })}\n`);
        edges++;
      }
    }
    if (asJson) await write(inEdges ? '\n]}\n' : '\n],"edges":[]}\n');
    if (out) {
      sink.end();
      await once(sink, 'finish');
      if (ctx.json) ctx.printJson({ exported: { nodes, edges }, file: out });
      else ctx.print(`exported ${nodes} nodes and ${edges} edges to ${out}`);
    }
    return 0;
  },
};

/** The output file, opened before anything is read: a path that cannot be written is the user's to fix (exit 2). */
async function openOutput(path: string): Promise<Writable> {
  const stream = createWriteStream(path);
  try {
    await once(stream, 'open');
  } catch (err) {
    throw new UsageError(`cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return stream;
}
