/** `aispm ingest github <org | owner/repo …>`: GitHub or GitHub Enterprise Server, through octokit. */
import { existsSync } from 'node:fs';
import { DEFAULT_HUB } from '../../../../ingest/huggingface/ingest.ts';
import { DEFAULT_API_URL, formatSummary, ingestGitHub } from '../../../../ingest/github/ingest.ts';
import { parseSeed } from '../../../../ingest/github/seeds.ts';
import { UpstreamError, UsageError } from '../../../../schema/errors.ts';
import { loadToken } from '../../../tokens.ts';
import type { CommandContext } from '../../command.ts';
import { baseUrlOption, numOption, tokenOption } from './options.ts';

const MB = 1024 * 1024;

export async function ingestGithub(ctx: CommandContext, args: string[]): Promise<number> {
  if (args.length === 0) throw new UsageError('name at least one organisation (or user) or owner/repo: aispm ingest github <org | owner/repo …>');
  const seeds = args.map(parseSeed);
  const follow = ctx.values.follow as string | undefined;
  if (follow !== undefined && follow !== 'hf') throw new UsageError(`--follow takes "hf" (the Hugging Face Hub), got "${follow.slice(0, 40)}"`);
  const token = tokenOption(ctx, 'GITHUB_TOKEN');
  const apiUrl = baseUrlOption(ctx, 'api-url', 'GITHUB_API_URL', DEFAULT_API_URL);
  const concurrency = numOption(ctx, 'concurrency', 8, 1, 100);
  const ratePerSecond = numOption(ctx, 'rate', 10, 0.1, 10_000, true);
  const retryBaseMs = numOption(ctx, 'retry-base-ms', 1000, 0, 60_000);
  const store = await ctx.store();
  const summary = await ingestGitHub(store, {
    seeds,
    apiUrl,
    token,
    concurrency,
    ratePerSecond,
    retryBaseMs,
    maxRepos: numOption(ctx, 'max-repos', 5000, 1, 1_000_000),
    maxFiles: numOption(ctx, 'max-files', 200, 0, 100_000),
    maxFileBytes: numOption(ctx, 'max-file-bytes', MB, 1, 100 * MB),
    // GitHub refuses files over 100 MB, and its blob API serves up to that: the default reads every committed one.
    maxScanBytes: Math.min(numOption(ctx, 'max-scan-bytes', 100 * MB, 1, 1e12), 100 * MB),
    maxRetries: numOption(ctx, 'max-retries', 4, 0, 20),
    maxWaitSeconds: numOption(ctx, 'max-wait-s', 3600, 0, 86_400),
    timeoutMs: numOption(ctx, 'timeout-ms', 30_000, 100, 600_000),
    ...(follow === 'hf' ? { followHub: hubOptions(ctx, concurrency, ratePerSecond, retryBaseMs) } : {}),
    progress: ctx.interactive ? process.stderr : undefined,
  });
  if (ctx.json) ctx.printJson(summary);
  else ctx.print(formatSummary(summary));
  if (summary.stopped) throw new UpstreamError(summary.stopped);
  if (summary.seedFailures.length && summary.seedFailures.length >= summary.seeds) {
    throw new UpstreamError(`could not read ${summary.seedFailures.map((f) => `${f.seed} (${f.message})`).join('; ')}`);
  }
  return 0;
}

/** The Hub side of `--follow hf`: its endpoint and token are the Hub's own (`--hf-endpoint`, `HF_TOKEN`). */
function hubOptions(ctx: CommandContext, concurrency: number, ratePerSecond: number, retryBaseMs: number) {
  const tokenFile = ctx.values['hf-token-file'] as string | undefined;
  if (tokenFile && !existsSync(tokenFile)) throw new UsageError(`--hf-token-file ${tokenFile} does not exist`);
  return {
    endpoint: baseUrlOption(ctx, 'hf-endpoint', 'HF_ENDPOINT', DEFAULT_HUB),
    token: loadToken(tokenFile ? { file: tokenFile } : { env: 'HF_TOKEN' }),
    descendants: 0,
    scanPickles: Boolean(ctx.values['scan-pickles']),
    maxScanBytes: numOption(ctx, 'max-scan-bytes', 256 * MB, 1, 1e12),
    concurrency,
    ratePerSecond,
    maxRepos: numOption(ctx, 'max-repos', 5000, 1, 1_000_000),
    retryBaseMs: Math.min(retryBaseMs, 500),
    progress: ctx.interactive ? process.stderr : undefined,
  };
}
