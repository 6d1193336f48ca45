/**
 * How long a person waits for the CLI: whole processes, from spawn to exit, against plain Node start (`node -e 0`)
 * measured in the same run, each command alternating with that reference so the ratio is taken pair by pair and a
 * drift in the machine's speed moves both. Needs the build an installed CLI has (`npm run build`, which `npm install`
 * runs), then fills a demo store; the commands: `--version`, `stats` and `blast-radius` of the demo's poisoned
 * dataset, and `stats` once more from the sources through tsx (AISPM_FROM_SOURCE=1), for contrast.
 *
 *   node --import tsx bench/cli-start-bench.ts [--runs 15]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { POISONED_KEY } from '../services/demo/sample.ts';
import { parseNumericFlags } from './lib/args.ts';
import { fmtMs, fmtRatio } from './lib/format.ts';
import { median } from './lib/stats.ts';

const TARGET_RATIO = 5;
const CLI = join(import.meta.dirname, '../services/cli/aispm.js');

function run(args: readonly string[], env: NodeJS.ProcessEnv = process.env): number {
  const start = performance.now();
  const r = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const flags = parseNumericFlags(process.argv.slice(2), { runs: 15 });
if (!existsSync(join(import.meta.dirname, '../dist/sources.json'))) throw new Error('no build in dist/: run `npm run build` first');
const dir = mkdtempSync(join(tmpdir(), 'aispm-cli-bench-'));
const store = `sqlite:${join(dir, 'demo.db')}`;
try {
  run([CLI, 'demo', '--store', store]);
  const fromSource = { ...process.env, AISPM_FROM_SOURCE: '1' };
  const commands: [string, string[], NodeJS.ProcessEnv?][] = [
    ['aispm --version', ['--version']],
    ['aispm stats', ['stats', '--store', store]],
    ['aispm blast-radius <poisoned dataset>', ['blast-radius', POISONED_KEY, '--store', store]],
    ['aispm stats, sources through tsx (no build)', ['stats', '--store', store], fromSource],
  ];
  console.log(`cli start: ${flags.runs} pairs per command, one warm-up each; node ${process.version}; demo store`);
  for (const [name, args, env] of commands) {
    run(['-e', '0']);
    run([CLI, ...args], env);
    const ratios: number[] = [];
    const cli: number[] = [];
    const node: number[] = [];
    for (let i = 0; i < flags.runs; i++) {
      const b = run(['-e', '0']);
      const a = run([CLI, ...args], env);
      cli.push(a);
      node.push(b);
      ratios.push(a / b);
    }
    const ratio = median(ratios);
    const verdict = env ? '' : ` (target ≤ ${TARGET_RATIO}×: ${ratio <= TARGET_RATIO ? 'met' : 'MISSED'})`;
    console.log(`  ${name}: ${fmtMs(median(cli))}; node -e 0 ${fmtMs(median(node))}; ratio (median of pairs) ${fmtRatio(ratio)}${verdict}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
