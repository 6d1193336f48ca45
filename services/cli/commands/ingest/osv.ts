/** `aispm ingest osv [--osv-url URL | --from <dir|zip>]`: advisories for every package version in the graph. */
import { DEFAULT_OSV, formatOsvSummary, ingestOsv } from '../../../../ingest/osv/ingest.ts';
import { UpstreamError, UsageError } from '../../../../schema/errors.ts';
import type { CommandContext } from '../../command.ts';
import { baseUrlOption, httpOptions, numOption } from './options.ts';

export async function ingestOsvCommand(ctx: CommandContext, args: string[]): Promise<number> {
  if (args.length) throw new UsageError('ingest osv takes no names: it asks about every package version in the graph');
  const from = ctx.values.from as string | undefined;
  if (from !== undefined && ctx.values['osv-url'] !== undefined) throw new UsageError('--from reads an export instead of the API; give one of --from and --osv-url');
  const summary = await ingestOsv(await ctx.store(), {
    osvUrl: baseUrlOption(ctx, 'osv-url', undefined, DEFAULT_OSV),
    ...(from !== undefined ? { from } : {}),
    batchSize: numOption(ctx, 'batch-size', 1000, 1, 1000),
    ...httpOptions(ctx, { concurrency: 4, rate: 10, timeoutMs: 60_000 }),
  });
  if (ctx.json) ctx.printJson(summary);
  else ctx.print(formatOsvSummary(summary));
  if (summary.failure) {
    // An export that cannot be read is the user's input; an API that cannot be reached is upstream.
    if (from !== undefined) throw new UsageError(summary.failure);
    throw new UpstreamError(`could not read advisories: ${summary.failure}`);
  }
  return 0;
}
