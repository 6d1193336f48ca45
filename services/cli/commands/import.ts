import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { UsageError } from '../../../schema/errors.ts';
import { decodeRecordsText, formatOf, parseRecords } from '../../records-file.ts';
import type { Command } from '../command.ts';

/** A records file larger than this is refused before it is read into memory. */
const MAX_IMPORT_BYTES = 512 * 1024 * 1024;

export const importCommand: Command = {
  name: 'import',
  createsStore: true,
  summary: 'Load records (nodes and edges) from a .json or .ndjson file, all or nothing',
  usage: 'import <records.json|records.ndjson> [--source <name>] [--json]',
  options: { source: { type: 'string' } },
  async run(ctx) {
    const path = ctx.positionals[0];
    if (!path || ctx.positionals.length > 1) throw new UsageError('usage: aispm import <records.json|records.ndjson>');
    let bytes: Buffer;
    try {
      const size = statSync(path).size;
      if (size > MAX_IMPORT_BYTES) throw new UsageError(`${path} is ${size} bytes, over the import limit of ${MAX_IMPORT_BYTES}`);
      bytes = readFileSync(path);
    } catch (err) {
      if (err instanceof UsageError) throw err;
      throw new UsageError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    const text = decodeRecordsText(bytes);
    const source = (ctx.values.source as string | undefined) ?? `import:${basename(path)}`;
    const batch = parseRecords(text, formatOf(path), source);
    const store = await ctx.store();
    // Said before the write starts: a big import is silent for a while otherwise (and tests time kills by it).
    ctx.log(`writing ${batch.nodes.length} nodes and ${batch.edges.length} edges to ${store.backend} ${store.location} (all or nothing)…`);
    const result = await store.upsert(batch);
    if (ctx.json) ctx.printJson({ imported: result, file: path });
    else ctx.print(`imported ${result.nodes} nodes and ${result.edges} edges from ${path}`);
    return 0;
  },
};
