/**
 * Loading a token is I/O at the edge (an environment variable or a file), so it lives with the commands that read
 * it; the registration it feeds is the ground floor's (`schema/secrets.ts`).
 */
import { readFileSync } from 'node:fs';
import { registerSecret } from '../schema/secrets.ts';

/** A token from an environment variable or a file (first line, trimmed); registered for redaction. */
export function loadToken(opts: { env?: string; file?: string }): string | undefined {
  let token: string | undefined;
  if (opts.file) token = readFileSync(opts.file, 'utf8').split(/\r?\n/)[0]?.trim() || undefined;
  else if (opts.env) token = process.env[opts.env]?.trim() || undefined;
  registerSecret(token);
  return token;
}
