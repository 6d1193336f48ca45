import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { aibomFileName, buildAibom, parseSpec, SCALE } from '../../aibom/index.ts';
import { EstateCompleteness, type EstateSummary } from '../../aibom/estate.ts';
import { UsageError } from '../../../schema/errors.ts';
import { writeOutputFile } from '../../output-file.ts';
import type { Command, CommandContext } from '../command.ts';

/** Models read per page in `--all`: big enough to keep paging cheap, small enough to keep memory flat. */
const ALL_PAGE_SIZE = 500;
/** Missing fields listed in the `--all` summary (all of them in --json). */
const MISSING_SHOWN = 8;

function writeFile(path: string, text: string): void {
  writeOutputFile(path, text.endsWith('\n') ? text : `${text}\n`);
}

/** The estate summary in words: the scale named, the spread, the weakest models, what is most often missing and who could fill it. */
function formatEstate(e: EstateSummary): string[] {
  if (!e.count) return [];
  const lines = [
    `completeness on the ${e.scale} scale (0–100; not the OWASP AIBOM generator's, see services/aibom/SCORING.md):`,
    `  median ${e.median.toFixed(1)}, mean ${e.mean.toFixed(1)}, from ${e.min.toFixed(1)} to ${e.max.toFixed(1)}`,
    '  least complete:',
    ...e.lowest.map((l) => `    ${l.score.toFixed(1).padStart(5)}  ${l.key}`),
  ];
  const missing = e.missing.slice(0, MISSING_SHOWN);
  if (missing.length) {
    const width = Math.max(...missing.map((m) => m.field.length));
    lines.push('  most often missing (BOMs without it · which source could fill it):');
    for (const m of missing) lines.push(`    ${m.field.padEnd(width)}  ${String(m.count).padStart(String(e.count).length)}/${e.count}  ${m.filledBy}`);
  }
  return lines;
}

async function exportAll(ctx: CommandContext, dir: string, spec: ReturnType<typeof parseSpec>, deterministic: boolean): Promise<number> {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new UsageError(`cannot create ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const store = await ctx.store();
  const started = performance.now();
  const estate = new EstateCompleteness();
  let after: string | undefined;
  for (;;) {
    const page = await store.find({ kind: 'Model', first: ALL_PAGE_SIZE, after });
    for (const node of page.items) {
      const result = await buildAibom(store, node.key, { spec, deterministic });
      // The file name is derived from the key but sanitized: keys are untrusted text and never become paths.
      writeFile(join(dir, aibomFileName(node.key)), result.json);
      estate.add(node.key, result.score);
    }
    if (ctx.interactive) process.stderr.write(`\r${estate.summary().count} BOMs written…`);
    if (!page.hasNextPage || !page.endCursor) break;
    after = page.endCursor;
  }
  if (ctx.interactive) process.stderr.write('\n');
  const seconds = (performance.now() - started) / 1000;
  const summary = estate.summary();
  if (ctx.json) ctx.printJson({ spec, dir, count: summary.count, seconds: Math.round(seconds * 100) / 100, completeness: summary });
  else ctx.print([`wrote ${summary.count} CycloneDX ${spec} AIBOMs to ${dir} in ${seconds.toFixed(1)} s`, ...formatEstate(summary)].join('\n'));
  return 0;
}

export const bomCommand: Command = {
  name: 'bom',
  summary: 'CycloneDX ML-BOM (AIBOM) of a model: parts, lineage, data, risks as vulnerabilities; completeness on the aispm scale',
  usage: [
    'bom <model-key> [--spec 1.6|1.7] [--out <file>] [--deterministic] [--json]',
    'bom --all --out <dir> [--spec 1.6|1.7] [--deterministic] [--json]',
  ].join('\n'),
  help: [
    'The BOM holds the model (metadata.component) with its files, bases, datasets, libraries, serving endpoints and',
    'risks (dangerous or unscanned pickles, remote code, vanished bases, library advisories) as CycloneDX vulnerabilities.',
    `Its completeness is on aispm's own scale (${SCALE}), not the OWASP AIBOM generator's: services/aibom/SCORING.md.`,
  ].join('\n'),
  options: {
    spec: { type: 'string', arg: '1.6|1.7', defaultText: '1.6', description: 'CycloneDX spec version of the document' },
    out: { type: 'string', arg: '<file|dir>', description: 'write the BOM to a file (with --all: one file per model in this folder) and print a summary' },
    deterministic: { type: 'boolean', default: false, description: 'same graph, same bytes: the graph\'s time as timestamp, a serial derived from the content' },
    all: { type: 'boolean', default: false, description: 'every model in the store, with completeness across them (median, least complete, most often missing)' },
  },
  examples: [
    'bom hf:model/northwind-ai/nw-chat-7b --out nw-chat-7b.cdx.json',
    'bom hf:model/northwind-ai/nw-chat-7b --spec 1.7 --deterministic',
    'bom --all --out boms',
  ],
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
      else {
        const weakest = result.weakestLink;
        ctx.print(
          [
            `wrote the CycloneDX ${spec} AIBOM of ${key} to ${out}`,
            `completeness ${result.score.total.toFixed(1)}/100 on the ${result.score.scale} scale (not the OWASP AIBOM generator's; see services/aibom/SCORING.md)`,
            `lineage weakest link ${weakest.score.toFixed(1)}${weakest.key === key ? ' (the model itself)' : ` (${weakest.key})`}`,
            ...(result.score.missingCritical.length || result.score.missingImportant.length
              ? [`missing: ${[...result.score.missingCritical, ...result.score.missingImportant].join(', ')}`]
              : []),
          ].join('\n'),
        );
      }
      return 0;
    }
    // The BOM itself is the output; --json changes nothing since it is JSON already.
    ctx.print(result.json);
    return 0;
  },
};
