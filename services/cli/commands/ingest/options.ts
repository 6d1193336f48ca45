/** Options every `ingest <source>` shares the parsing of: bounded numbers, base URLs, tokens. */
import { existsSync } from 'node:fs';
import { UsageError } from '../../../../schema/errors.ts';
import { loadToken } from '../../../tokens.ts';
import type { CommandContext } from '../../command.ts';

/** A numeric option; whole numbers only unless `fraction` (a rate), since 1.5 levels or repos means nothing. */
export function numOption(ctx: CommandContext, name: string, fallback: number, min: number, max: number, fraction = false): number {
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

/**
 * A base URL from the option, else the environment variable, else the default: http(s) only, without a trailing
 * slash, query or fragment, and without credentials (they belong in a token, never in a URL that is printed).
 */
export function baseUrlOption(ctx: CommandContext, option: string, env: string | undefined, fallback: string | undefined): string {
  const value = ctx.values[option];
  const raw = (typeof value === 'string' && value) || (env ? process.env[env] : undefined) || fallback;
  if (!raw) throw new UsageError(`name the server with --${option}${env ? ` or ${env}` : ''}`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--${option} must be an http(s) URL, got "${raw.slice(0, 80)}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--${option} must be an http(s) URL`);
  if (url.username || url.password) throw new UsageError(`--${option} must not carry credentials; use a token file or the environment`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** A token from `--token-file` (which must exist) or the environment variable; registered for redaction. */
export function tokenOption(ctx: CommandContext, env: string): string | undefined {
  const tokenFile = ctx.values['token-file'] as string | undefined;
  if (tokenFile && !existsSync(tokenFile)) throw new UsageError(`--token-file ${tokenFile} does not exist`);
  return loadToken(tokenFile ? { file: tokenFile } : { env });
}

/** The HTTP pipeline options every network source takes (`--concurrency`, `--rate`, `--retry-base-ms`, `--timeout-ms`), with its defaults. */
export function httpOptions(
  ctx: CommandContext,
  defaults: { concurrency: number; rate: number; timeoutMs: number },
): { concurrency: number; ratePerSecond: number; retryBaseMs: number; timeoutMs: number; progress: NodeJS.WriteStream | undefined } {
  return {
    concurrency: numOption(ctx, 'concurrency', defaults.concurrency, 1, 256),
    ratePerSecond: numOption(ctx, 'rate', defaults.rate, 0.1, 10_000, true),
    retryBaseMs: numOption(ctx, 'retry-base-ms', 500, 0, 60_000),
    timeoutMs: numOption(ctx, 'timeout-ms', defaults.timeoutMs, 100, 600_000),
    progress: ctx.interactive ? process.stderr : undefined,
  };
}
