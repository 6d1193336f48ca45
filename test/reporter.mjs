/**
 * The test reporter `npm test` uses. On a terminal (and not under CI=true) it is compact: one line per top-level
 * suite of each file with its count and time, every failure in full, the slowest files, then the runner's summary lines ("# tests N",
 * "# pass N", "# fail N", …) exactly as TAP prints them. Anywhere else — CI, a pipe, a log file — it is the
 * runner's own TAP, unchanged. AISPM_TEST_REPORTER=tap or =compact forces one.
 */
import { tap } from 'node:test/reporters';

const compact = process.env.AISPM_TEST_REPORTER ? process.env.AISPM_TEST_REPORTER === 'compact' : Boolean(process.stdout.isTTY) && process.env.CI !== 'true';

export default async function* reporter(source) {
  if (!compact) {
    yield* tap(source);
    return;
  }
  /** file → { tests, failed, ms } over the whole file; `open` counts the tests of the suite running now. */
  const files = new Map();
  const open = new Map();
  const failures = [];
  const summary = [];
  const fileOf = (data) => data.file ?? '(no file)';
  const entry = (file) => files.get(file) ?? files.set(file, { tests: 0, failed: 0, ms: 0 }).get(file);
  for await (const event of source) {
    const { type, data } = event;
    if (type === 'test:pass' || type === 'test:fail') {
      const e = entry(fileOf(data));
      const o = open.get(fileOf(data)) ?? { tests: 0, failed: 0 };
      open.set(fileOf(data), o);
      if (data.details?.type !== 'suite') {
        e.tests++;
        o.tests++;
        if (type === 'test:fail') o.failed++;
      }
      if (type === 'test:fail' && data.details?.type !== 'suite') {
        e.failed++;
        failures.push(`✗ ${short(fileOf(data))} › ${data.name}\n${indent(String(data.details?.error?.cause ?? data.details?.error ?? ''))}`);
        if (data.nesting > 0) yield `  ✗ ${data.name}\n`;
      }
      if (data.nesting === 0) {
        const ms = data.details?.duration_ms ?? 0;
        e.ms += ms;
        open.delete(fileOf(data));
        yield line(`${short(fileOf(data))} › ${data.name}`, o, ms);
      }
    } else if (type === 'test:diagnostic' && data.nesting === 0 && /^(tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) /.test(data.message)) {
      summary.push(`# ${data.message}`);
    } else if (type === 'test:stderr' && failures.length === 0 && process.env.AISPM_TEST_VERBOSE) {
      yield data.message;
    }
  }
  if (failures.length) yield `\nfailures (${failures.length}):\n${failures.join('\n\n')}\n`;
  const slowest = [...files].sort(([, a], [, b]) => b.ms - a.ms).slice(0, 5);
  yield `\nslowest files:\n${slowest.map(([f, e]) => `  ${seconds(e.ms).padStart(7)}  ${short(f)}`).join('\n')}\n\n`;
  yield `${summary.join('\n')}\n`;
}

function line(label, o, ms) {
  return `${o.failed ? '✗' : '✓'} ${label}  ${o.tests} test${o.tests === 1 ? '' : 's'}${o.failed ? `, ${o.failed} failed` : ''}  ${seconds(ms)}\n`;
}

const short = (file) => file.replace(`${process.cwd()}/`, '');
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const indent = (text) => text.split('\n').slice(0, 30).map((l) => `    ${l}`).join('\n');
