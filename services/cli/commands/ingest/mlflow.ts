/** `aispm ingest mlflow`: an MLflow tracking server and model registry (MLflow 2 or 3). */
import { PUBLIC_HUB_URL } from '../../../../ingest/huggingface/map-common.ts';
import { formatSummary, ingestMlflow } from '../../../../ingest/mlflow/ingest.ts';
import { UsageError } from '../../../../schema/errors.ts';
import { registerSecret } from '../../../../schema/secrets.ts';
import type { CommandContext } from '../../command.ts';
import { baseUrlOption, httpOptions, numOption, tokenOption } from './options.ts';

const MB = 1024 * 1024;

export async function ingestMlflowCommand(ctx: CommandContext, args: string[]): Promise<number> {
  if (args.length) throw new UsageError(`aispm ingest mlflow takes no positional arguments (got "${args[0]!.slice(0, 60)}"); name the server with --tracking-uri`);
  const raw = (ctx.values['tracking-uri'] as string | undefined) || process.env.MLFLOW_TRACKING_URI;
  if (raw && !/^https?:\/\//i.test(raw)) {
    throw new UsageError(`the tracking URI must be the server's http(s) URL, got "${raw.slice(0, 80)}" (file:, sqlite: and profile URIs such as "databricks" name no REST server)`);
  }
  const trackingUri = baseUrlOption(ctx, 'tracking-uri', 'MLFLOW_TRACKING_URI', undefined);
  // As MLflow clients do: a bearer token (from --token-file or MLFLOW_TRACKING_TOKEN), else HTTP Basic.
  const token = tokenOption(ctx, 'MLFLOW_TRACKING_TOKEN');
  const username = process.env.MLFLOW_TRACKING_USERNAME?.trim();
  const password = process.env.MLFLOW_TRACKING_PASSWORD;
  registerSecret(password);
  if (!token && Boolean(username) !== Boolean(password)) throw new UsageError('set both MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, or neither');
  const store = await ctx.store();
  const summary = await ingestMlflow(store, {
    trackingUri,
    ...(token ? { token } : {}),
    ...(!token && username && password ? { basic: { username, password } } : {}),
    hubUrl: baseUrlOption(ctx, 'hub-url', 'HF_ENDPOINT', PUBLIC_HUB_URL),
    ...(ctx.values['github-url'] ? { githubUrl: baseUrlOption(ctx, 'github-url', undefined, undefined) } : {}),
    scan: !ctx.values['no-scan'],
    maxScanBytes: numOption(ctx, 'max-scan-bytes', 256 * MB, 1, 1e12),
    full: Boolean(ctx.values.full),
    ...httpOptions(ctx, { concurrency: 8, rate: 20, timeoutMs: 30_000 }),
  });
  if (ctx.json) ctx.printJson(summary);
  else ctx.print(formatSummary(summary));
  return 0;
}
