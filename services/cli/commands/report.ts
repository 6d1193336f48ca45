import { redact } from '../../../schema/secrets.ts';
import { writeOutputFile } from '../../output-file.ts';
import { UsageError } from '../../../schema/errors.ts';
import { REPORT_FORMATS, generateReport, type ReportFormat } from '../../reports/index.ts';
import type { Command } from '../command.ts';
import { positiveInt } from '../options.ts';

export const reportCommand: Command = {
  name: 'report',
  summary: 'Write an attack-path report for a risk review (Markdown, self-contained HTML, JSON or SARIF)',
  usage: 'report [--target <key>… | --crown-jewels] [--format md|html|json|sarif] [--out file] [--k N] [--max-depth N] [--title text]',
  options: {
    target: { type: 'string', multiple: true },
    'crown-jewels': { type: 'boolean', default: false },
    format: { type: 'string' },
    out: { type: 'string' },
    k: { type: 'string' },
    'max-depth': { type: 'string' },
    title: { type: 'string' },
  },
  async run(ctx) {
    const targets = (ctx.values.target as string[] | undefined) ?? [];
    const crownJewels = Boolean(ctx.values['crown-jewels']);
    if (targets.length && crownJewels) throw new UsageError('give --target or --crown-jewels, not both');
    const out = ctx.values.out as string | undefined;
    const format = ((ctx.values.format as string | undefined) ?? (out ? formatFromName(out) : ctx.json ? 'json' : 'md')) as ReportFormat;
    if (!REPORT_FORMATS.includes(format)) throw new UsageError(`--format must be one of ${REPORT_FORMATS.join(', ')}, got "${String(format).slice(0, 40)}"`);
    // Every option is checked before the store is opened, so a typo never creates or touches a store.
    const k = positiveInt(ctx.values.k, '--k', 100);
    const maxDepth = positiveInt(ctx.values['max-depth'], '--max-depth', 100);
    const store = await ctx.store();
    const { report, text } = await generateReport(store, format, { targets, crownJewels, k, maxDepth, title: ctx.values.title as string | undefined });
    if (out) {
      writeOutputFile(out, text);
      if (ctx.json) ctx.printJson({ file: out, format, summary: report.summary, attackPaths: report.attackPaths.length, findings: report.findings.length });
      else ctx.print(`wrote ${format} report to ${out}: ${report.attackPaths.length} attack paths, ${report.findings.length} findings`);
    } else {
      process.stdout.write(redact(text));
    }
    return 0;
  },
};

function formatFromName(path: string): ReportFormat {
  if (/\.html?$/i.test(path)) return 'html';
  if (/\.sarif(\.json)?$/i.test(path)) return 'sarif';
  if (/\.json$/i.test(path)) return 'json';
  return 'md';
}
