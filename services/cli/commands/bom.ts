import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { aibomFileName, buildAibom, parseSpec } from '../../aibom/index.ts';
import { UsageError } from '../../../schema/errors.ts';
import { writeOutputFile } from '../../output-file.ts';
import type { Command, CommandContext } from '../command.ts';

/** Models read per page in `--all`: big enough to keep paging cheap, small enough to keep memory flat. */
const ALL_PAGE_SIZE = 500;

function writeFile(path: string, text: string): void {
  writeOutputFile(path, text.endsWith('\n') ? text : `${text}\n`);
}

async function exportAll(ctx: CommandContext, dir: string, spec: ReturnType<typeof parseSpec>, deterministic: boolean): Promise<number> {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new UsageError(`cannot create ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const store = await ctx.store();
  const started = performance.now();
  let count = 0;
  let scoreSum = 0;
  let lowest: { key: string; score: number } | undefined;
  let after: string | undefined;
  for (;;) {
    const page = await store.find({ kind: 'Model', first: ALL_PAGE_SIZE, after });
    for (const node of page.items) {
      const result = await buildAibom(store, node.key, { spec, deterministic });
      // The file name is derived from the key but sanitized: keys are untrusted text and never become paths.
      writeFile(join(dir, aibomFileName(node.key)), result.json);
      count++;
      scoreSum += result.score.total;
      if (!lowest || result.score.total < lowest.score) lowest = { key: node.key, score: result.score.total };
    }
    if (ctx.interactive) process.stderr.write(`\r${count} BOMs written…`);
    if (!page.hasNextPage || !page.endCursor) break;
    after = page.endCursor;
  }
  if (ctx.interactive) process.stderr.write('\n');
  const seconds = (performance.now() - started) / 1000;
  const averageScore = count ? Math.round((scoreSum / count) * 10) / 10 : 0;
  if (ctx.json) ctx.printJson({ spec, dir, count, averageScore, lowest: lowest ?? null, seconds: Math.round(seconds * 100) / 100 });
  else {
    ctx.print(
      `wrote ${count} CycloneDX ${spec} AIBOMs to ${dir} in ${seconds.toFixed(1)} s` +
        (lowest ? `; average completeness ${averageScore}, lowest ${lowest.score} (${lowest.key})` : ''),
    );
  }
  return 0;
}

export const bomCommand: Command = {
  name: 'bom',
  summary: 'CycloneDX ML-BOM (AIBOM) of a model, with completeness and lineage weakest-link scores',
  usage: [
    'bom <model-key> [--spec 1.6|1.7] [--out <file>] [--deterministic] [--json]',
    'bom --all --out <dir> [--spec 1.6|1.7] [--deterministic] [--json]',
  ].join('\n'),
  options: {
    spec: { type: 'string' },
    out: { type: 'string' },
    deterministic: { type: 'boolean', default: false },
    all: { type: 'boolean', default: false },
  },
  async run(ctx) {
    const spec = parseSpec(ctx.values.spec);
    const out = ctx.values.out as string | undefined;
    const deterministic = ctx.values.deterministic === true;
    if (ctx.values.all === true) {
      if (ctx.positionals.length) throw new UsageError('bom --all takes no model key');
      if (!out) throw new UsageError('bom --all needs --out <dir>: it writes one file per model');
      return exportAll(ctx, out, spec, deterministic);
    }
    const key = ctx.positionals[0];
    if (key === undefined || ctx.positionals.length > 1) throw new UsageError('usage: aispm bom <model-key> [--spec 1.6|1.7] [--out <file>]');
    const result = await buildAibom(await ctx.store(), key, { spec, deterministic });
    if (out) {
      writeFile(out, result.json);
      if (ctx.json) ctx.printJson({ key, spec, score: result.score, weakestLink: result.weakestLink, file: out });
      else ctx.print(`wrote the CycloneDX ${spec} AIBOM of ${key} to ${out} (completeness ${result.score.total}, lineage weakest link ${result.weakestLink.score})`);
      return 0;
    }
    // The BOM itself is the output; --json changes nothing since it is JSON already.
    ctx.print(result.json);
    return 0;
  },
};
