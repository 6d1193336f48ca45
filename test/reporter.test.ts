/** The `npm test` reporter: compact on a terminal (forced here), the runner's TAP otherwise, summary lines alike. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from './helpers/cli.ts';

function run(mode: 'compact' | 'tap'): { code: number | null; out: string } {
  // A runner inside a runner would report to its parent (NODE_TEST_CONTEXT) instead of through the reporter.
  const env: Record<string, string | undefined> = { ...process.env, AISPM_TEST_REPORTER: mode, NODE_OPTIONS: '' };
  delete env.NODE_TEST_CONTEXT;
  const r = spawnSync(process.execPath, ['--test', '--test-reporter=./test/reporter.mjs', '--test-reporter-destination=stdout', join('test/fixtures/reporter/sample.mjs')], {
    cwd: ROOT,
    encoding: 'utf8',
    env,
  });
  return { code: r.status, out: r.stdout };
}

const summaryOf = (out: string) => out.split('\n').filter((l) => /^# (tests|suites|pass|fail|cancelled|skipped|todo) /.test(l));

describe('npm test reporter', () => {
  it('compact: a line per suite, the failure in full, the slowest files, then the TAP summary lines', () => {
    const { code, out } = run('compact');
    assert.equal(code, 1, 'a failing test still fails the run');
    assert.match(out, /^✓ test\/fixtures\/reporter\/sample\.mjs › a suite {2}2 tests {2}\d+\.\d s$/m);
    assert.match(out, /^✗ test\/fixtures\/reporter\/sample\.mjs › fails on purpose {2}1 test, 1 failed {2}\d+\.\d s$/m);
    assert.match(out, /^failures \(1\):\n✗ test\/fixtures\/reporter\/sample\.mjs › fails on purpose\n {4}AssertionError/m);
    assert.match(out, /^slowest files:\n +\d+\.\d s {2}test\/fixtures\/reporter\/sample\.mjs$/m);
    assert.doesNotMatch(out, /^ok \d|^not ok \d/m, 'no TAP test lines');
    assert.deepEqual(summaryOf(out), summaryOf(run('tap').out));
  });

  it('elsewhere: the runner\'s own TAP, with its summary lines', () => {
    const { code, out } = run('tap');
    assert.equal(code, 1);
    assert.match(out, /^TAP version 13$/m);
    assert.match(out, /^not ok 2 - fails on purpose$/m);
    assert.deepEqual(summaryOf(out), ['# tests 3', '# suites 1', '# pass 2', '# fail 1', '# cancelled 0', '# skipped 0', '# todo 0']);
  });
});
