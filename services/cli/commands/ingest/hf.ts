/** `aispm ingest hf <ref…>`: the Hugging Face Hub. */
import { DEFAULT_HUB, formatSummary, HUB_RATE_LIMIT_WINDOW_S, ingestHub } from '../../../../ingest/huggingface/ingest.ts';
import { parseRef } from '../../../../ingest/huggingface/refs.ts';
import type { Seed } from '../../../../ingest/huggingface/crawl.ts';
import { UpstreamError, UsageError } from '../../../../schema/errors.ts';
import type { CommandContext } from '../../command.ts';
import { baseUrlOption, numOption, tokenOption } from './options.ts';

const MB = 1024 * 1024;

export async function ingestHf(ctx: CommandContext, refs: string[]): Promise<number> {
  const authors = (ctx.values.author as string[] | undefined) ?? [];
  const seeds: Seed[] = [...refs.map((r) => ({ ref: parseRef(r) })), ...authors.map((a) => ({ author: validAuthor(a) }))];
  if (seeds.length === 0) throw new UsageError('name at least one repo (owner/name, datasets/owner/name, spaces/owner/name) or --author <owner>');
  const token = tokenOption(ctx, 'HF_TOKEN');
  const endpoint = baseUrlOption(ctx, 'endpoint', 'HF_ENDPOINT', DEFAULT_HUB);
  const store = await ctx.store();
  const summary = await ingestHub(store, {
    seeds,
    endpoint,
    token,
    descendants: numOption(ctx, 'descendants', 1, 0, 10),
    scanPickles: Boolean(ctx.values['scan-pickles']),
    maxScanBytes: numOption(ctx, 'max-scan-bytes', 256 * MB, 1, 1e12),
    concurrency: numOption(ctx, 'concurrency', 8, 1, 256),
    ratePerSecond: numOption(ctx, 'rate', 10, 0.1, 10_000, true),
    maxRepos: numOption(ctx, 'max-repos', 5000, 1, 1_000_000),
    retryBaseMs: numOption(ctx, 'retry-base-ms', 500, 0, 60_000),
    timeoutMs: numOption(ctx, 'timeout-ms', 30_000, 100, 600_000),
    maxWaitSeconds: numOption(ctx, 'max-wait-s', HUB_RATE_LIMIT_WINDOW_S, 0, 86_400),
    allowOrigins: ((ctx.values['allow-origin'] as string[] | undefined) ?? []).map((u) => allowedOrigin(u)),
    progress: ctx.interactive ? process.stderr : undefined,
  });
  if (ctx.json) ctx.printJson(summary);
  else ctx.print(formatSummary(summary));
  if (summary.seedFailures.length) {
    throw new UpstreamError(`could not read ${summary.seedFailures.map((f) => `${f.repo} (${f.message})`).join('; ')}`);
  }
  return 0;
}

/** An extra origin requests may follow redirects and paging links to: `https://host[:port]` or `https://*.domain`. */
function allowedOrigin(value: string): string {
  if (/^https?:\/\/\*\.[A-Za-z0-9.-]+\/?$/.test(value)) return value;
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin;
  } catch {
    // reported below
  }
  throw new UsageError(`--allow-origin must be an http(s) origin or https://*.domain, got "${value.slice(0, 80)}"`);
}

function validAuthor(a: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/.test(a)) throw new UsageError(`--author "${a.slice(0, 60)}" is not a Hub user or organisation name`);
  return a;
}
