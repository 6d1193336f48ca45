/**
 * Golden outputs: a command's human output compared with a file under test/golden/, exactly. After a deliberate
 * change of wording, regenerate with `AISPM_UPDATE_GOLDEN=1 node --import tsx --test <file>` and review the diff.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './cli.ts';

export function assertGolden(name: string, actual: string): void {
  const file = join(ROOT, 'test/golden', name);
  if (process.env.AISPM_UPDATE_GOLDEN === '1') writeFileSync(file, actual);
  assert.ok(existsSync(file), `no golden file test/golden/${name} (create it with AISPM_UPDATE_GOLDEN=1)`);
  assert.equal(actual, readFileSync(file, 'utf8'), `output differs from test/golden/${name}`);
}
