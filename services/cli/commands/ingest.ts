/**
 * `aispm ingest <source> …`. Sources: `hf` (Hugging Face Hub). Exit 0 even with warnings on some repos; 2 for a
 * malformed ref or option; 3 when a seed could not be read from the upstream after retries.
 */
import { existsSync } from 'node:fs';
import { DEFAULT_HUB, formatSummary, ingestHub } from '../../../ingest/huggingface/ingest.ts';
import { parseRef } from '../../../ingest/huggingface/refs.ts';
import type { Seed } from '../../../ingest/huggingface/crawl.ts';
import { UpstreamError, UsageError } from '../../../schema/errors.ts';
import { loadToken } from '../../tokens.ts';
import type { Command, CommandContext } from '../command.ts';

const MB = 1024 * 1024;

/** A numeric option; whole numbers only unless `fraction` (a rate), since 1.5 levels or repos means nothing. */
function numOption(ctx: CommandContext, name: string, fallback: number, min: number, max: number, fraction = false): number {
  const v = ctx.values[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  const shape = fraction ? /^\d+(\.\d+)?$/ : /^\d+$/;
  if (typeof v !== 'string' || !shape.test(v) || !Number.isFinite(n) || n < min || n > max) {
    const what = fraction ? 'a number' : 'a whole number';
    throw new UsageError(`--${name} must be ${what} from ${min} to ${max}, got "${String(v).slice(0, 40)}"`);
  }
  return n;
}

function endpointOf(value: unknown): string {
  const raw = (typeof value === 'string' && value) || process.env.HF_ENDPOINT || DEFAULT_HUB;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--endpoint must be an http(s) URL, got "${raw.slice(0, 80)}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--endpoint must be an http(s) URL`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

export const ingestCommand: Command = {
  name: 'ingest',
  summary: 'Ingest a source into the graph: hf <owner/name | datasets/owner/name | spaces/owner/name …> [--author org]',
  usage:
    'ingest hf <ref…> [--author <owner>] [--descendants N] [--endpoint URL] [--token-file F] [--scan-pickles] [--max-scan-bytes N] [--concurrency N] [--rate N] [--max-repos N] [--json]',
  options: {
    author: { type: 'string', multiple: true },
    descendants: { type: 'string' },
    endpoint: { type: 'string' },
    'token-file': { type: 'string' },
    'scan-pickles': { type: 'boolean', default: false },
    'max-scan-bytes': { type: 'string' },
    concurrency: { type: 'string' },
    rate: { type: 'string' },
    'max-repos': { type: 'string' },
    'retry-base-ms': { type: 'string' },
  },
  async run(ctx) {
    const [source, ...refs] = ctx.positionals;
    if (source !== 'hf') throw new UsageError(source ? `unknown source "${source.slice(0, 40)}" (available: hf)` : 'name a source: aispm ingest hf <ref…>');
    const authors = (ctx.values.author as string[] | undefined) ?? [];
    const seeds: Seed[] = [...refs.map((r) => ({ ref: parseRef(r) })), ...authors.map((a) => ({ author: validAuthor(a) }))];
    if (seeds.length === 0) throw new UsageError('name at least one repo (owner/name, datasets/owner/name, spaces/owner/name) or --author <owner>');
    const tokenFile = ctx.values['token-file'] as string | undefined;
    if (tokenFile && !existsSync(tokenFile)) throw new UsageError(`--token-file ${tokenFile} does not exist`);
    const token = loadToken(tokenFile ? { file: tokenFile } : { env: 'HF_TOKEN' });
    const endpoint = endpointOf(ctx.values.endpoint);
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
      progress: ctx.interactive ? process.stderr : undefined,
    });
    if (ctx.json) ctx.printJson(summary);
    else ctx.print(formatSummary(summary));
    if (summary.seedFailures.length) {
      throw new UpstreamError(`could not read ${summary.seedFailures.map((f) => `${f.repo} (${f.message})`).join('; ')}`);
    }
    return 0;
  },
};

function validAuthor(a: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/.test(a)) throw new UsageError(`--author "${a.slice(0, 60)}" is not a Hub user or organisation name`);
  return a;
}
