/**
 * The test reporter `npm test` uses. On a terminal (and not under CI=true) it is compact: one line per top-level
 * suite of each file with its count and time, every failure in full (a failing hook, a file that crashed with its
 * stderr, the runner's own warnings), the slowest files, then the runner's summary lines ("# tests N", "# pass N",
 * "# fail N", …) exactly as TAP prints them. Anywhere else — CI, a pipe, a log file — it is the runner's own TAP,
 * unchanged. AISPM_TEST_REPORTER=tap or =compact forces one. The exit code is the runner's either way.
 */
import { tap } from 'node:test/reporters';

const compact = process.env.AISPM_TEST_REPORTER ? process.env.AISPM_TEST_REPORTER === 'compact' : Boolean(process.stdout.isTTY) && process.env.CI !== 'true';
const SUMMARY = /^(tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) /;
/** How much of a crashed file's stderr is kept to show with its failure. */
const STDERR_LINES = 40;

export default async function* reporter(source) {
  if (!compact) {
    yield* tap(source);
    return;
  }
  /** file → { tests, failed, ms } over the whole file; `open` counts the tests of the top-level suite running now. */
  const files = new Map();
  const open = new Map();
  const stderr = new Map();
  const failures = [];
  const warnings = [];
  const summary = [];
  const fileOf = (data) => data.file ?? '(no file)';
  const entry = (map, file, init) => map.get(file) ?? map.set(file, init()).get(file);
  for await (const { type, data } of source) {
    if (type === 'test:pass' || type === 'test:fail') {
      const file = fileOf(data);
      const total = entry(files, file, () => ({ tests: 0, failed: 0, ms: 0 }));
      const suite = entry(open, file, () => ({ tests: 0, failed: 0 }));
      const isSuite = data.details?.type === 'suite';
      // A suite "fails" when a test in it failed (already reported) or when its own hook did (reported here).
      const failed = type === 'test:fail' && !data.todo && !(isSuite && data.details?.error?.failureType === 'subtestsFailed');
      if (!isSuite) {
        total.tests++;
        suite.tests++;
      }
      if (failed) {
        total.failed++;
        if (isSuite) suite.hookFailed = true;
        else suite.failed++;
        failures.push(describeFailure(data, stderr.get(file)));
        if (data.nesting > 0) yield `  ✗ ${data.name}\n`;
      }
      if (data.nesting === 0) {
        total.ms += data.details?.duration_ms ?? 0;
        open.delete(file);
        yield line(`${short(file)} › ${short(data.name)}`, suite, data.details?.duration_ms ?? 0);
      }
    } else if (type === 'test:diagnostic' && data.nesting === 0) {
      (SUMMARY.test(data.message) ? summary : warnings).push(`# ${data.message}`);
    } else if (type === 'test:stderr') {
      const lines = entry(stderr, fileOf(data), () => []);
      lines.push(...data.message.replace(/\n$/, '').split('\n'));
      lines.splice(0, Math.max(0, lines.length - STDERR_LINES));
      if (process.env.AISPM_TEST_VERBOSE) yield data.message;
    }
  }
  if (warnings.length) yield `\nwarnings from the runner (${warnings.length}):\n${warnings.join('\n')}\n`;
  if (failures.length) yield `\nfailures (${failures.length}):\n${failures.join('\n\n')}\n`;
  const slowest = [...files].sort(([, a], [, b]) => b.ms - a.ms).slice(0, 5);
  yield `\nslowest files:\n${slowest.map(([f, e]) => `  ${seconds(e.ms).padStart(7)}  ${short(f)}`).join('\n')}\n\n`;
  yield `${summary.join('\n')}\n`;
}

/** A failure as TAP would let a person find it: where, what (the cause's stack), and for a file that crashed or
 * exited early its exit code and the end of its stderr. */
function describeFailure(data, stderrLines) {
  const error = data.details?.error;
  const cause = error?.cause;
  const where = data.line ? ` (${short(data.file ?? '')}:${data.line}:${data.column})` : '';
  const what = cause instanceof Error ? withoutRunnerFrames(cause.stack ?? String(cause)) : String(cause ?? error ?? '');
  const parts = [`✗ ${short(data.file ?? '(no file)')} › ${short(data.name)}${where}`, indent(error?.failureType === 'hookFailed' ? `${error.message}: ${what}` : what)];
  const crashed = error?.exitCode != null || error?.signal != null;
  if (crashed) parts.push(indent(`exit code ${error.exitCode ?? '-'}${error.signal ? `, signal ${error.signal}` : ''}`));
  if (crashed && stderrLines?.length) parts.push(indent(`stderr (last ${stderrLines.length} lines):\n${stderrLines.join('\n')}`, 80));
  return parts.join('\n');
}

function line(label, o, ms) {
  const failed = `${o.failed ? `, ${o.failed} failed` : ''}${o.hookFailed ? ', a hook failed' : ''}`;
  return `${failed ? '✗' : '✓'} ${label}  ${o.tests} test${o.tests === 1 ? '' : 's'}${failed}  ${seconds(ms)}\n`;
}

/** The runner's own stack frames say nothing about the failing test. */
const withoutRunnerFrames = (stack) => stack.split('\n').filter((l) => !/^\s+at .*\((node:internal\/|node:async_hooks)|^\s+at node:internal\//.test(l)).join('\n');
const short = (file) => file.replaceAll(`${process.cwd()}/`, '');
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const indent = (text, max = 60) => text.split('\n').slice(0, max).map((l) => `    ${l}`).join('\n');
