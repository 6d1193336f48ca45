/** Loads the project's own Hub-shaped fixtures (test/fixtures/hf). */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/hf');

export function body(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(FIXTURES, 'bodies', `${name}.json`), 'utf8')) as Record<string, unknown>;
}

export function json<T>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as T;
}
