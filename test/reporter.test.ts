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
  const files = ['sample.mjs', 'crash.mjs'].map((f) => join('test/fixtures/reporter', f));
  const r = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=./test/reporter.mjs', '--test-reporter-destination=stdout', ...files], {
    cwd: ROOT,
    encoding: 'utf8',
    env,
  });
  return { code: r.status, out: r.stdout };
}

const summaryOf = (out: string) => out.split('\n').filter((l) => /^# (tests|suites|pass|fail|cancelled|skipped|todo) /.test(l));

describe('npm test reporter', () => {
  it('compact: a line per suite, every failure in full (a test, a hook, a crashed file with its stderr), the slowest files, then the TAP summary lines', () => {
    const { code, out } = run('compact');
    assert.equal(code, 1, 'a failing test still fails the run');
    assert.match(out, /^✓ test\/fixtures\/reporter\/sample\.mjs › a suite {2}2 tests {2}\d+\.\d s$/m);
    assert.match(out, /^✗ test\/fixtures\/reporter\/sample\.mjs › fails on purpose {2}1 test, 1 failed {2}\d+\.\d s$/m);
    assert.match(out, /^✗ test\/fixtures\/reporter\/sample\.mjs › a suite whose hook fails {2}1 test, a hook failed {2}\d+\.\d s$/m);
    assert.match(out, /^failures \(3\):$/m);
    assert.match(out, /^✗ test\/fixtures\/reporter\/sample\.mjs › fails on purpose \(test\/fixtures\/reporter\/sample\.mjs:10:1\)\n {4}AssertionError/m);
    assert.match(out, /^✗ test\/fixtures\/reporter\/sample\.mjs › a suite whose hook fails .*\n {4}failed running after hook: Error: cleanup failed on purpose$/m);
    assert.match(out, /^✗ test\/fixtures\/reporter\/crash\.mjs › test\/fixtures\/reporter\/crash\.mjs .*\n {4}test failed\n {4}exit code 1\n {4}stderr \(last \d+ lines\):\n {4}about to crash on purpose$/m);
    assert.match(out, /^ {4}Error: crashed while loading on purpose$/m);
    assert.match(out, /^slowest files:\n( +\d+\.\d s {2}test\/fixtures\/reporter\/(sample|crash)\.mjs\n){2}/m);
    assert.doesNotMatch(out, /^ok \d|^not ok \d/m, 'no TAP test lines');
    assert.deepEqual(summaryOf(out), summaryOf(run('tap').out));
  });

  it('elsewhere: the runner\'s own TAP, with its summary lines', () => {
    const { code, out } = run('tap');
    assert.equal(code, 1);
    assert.match(out, /^TAP version 13$/m);
    assert.match(out, /^not ok \d - fails on purpose$/m);
    assert.match(out, /^not ok \d - a suite whose hook fails$/m);
    assert.match(out, /^not ok \d - .*test\/fixtures\/reporter\/crash\.mjs$/m);
    assert.deepEqual(summaryOf(out), ['# tests 5', '# suites 2', '# pass 3', '# fail 2', '# cancelled 0', '# skipped 0', '# todo 0']);
  });
});
