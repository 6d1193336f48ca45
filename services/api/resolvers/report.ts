/** `report(...)`: the attack-path report for automation; the same model and renderers as `aispm report`. */
import { REPORT_FORMATS, buildReport, renderReport, type ReportFormat } from '../../reports/index.ts';
import type { ApiContext } from '../context.ts';
import { apiError } from '../errors.ts';

interface ReportArgs {
  targets?: string[] | null;
  crownJewels?: boolean | null;
  format?: ReportFormat | null;
  k?: number | null;
  maxDepth?: number | null;
}

function bounded(value: number | null | undefined, name: string, max: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 1 || value > max) throw apiError('BAD_INPUT', `${name} must be a whole number from 1 to ${max}`);
  return value;
}

export const reportResolvers = {
  async report(_: unknown, args: ReportArgs, ctx: ApiContext) {
    const format = args.format ?? 'json';
    if (!REPORT_FORMATS.includes(format)) throw apiError('BAD_INPUT', `format must be one of ${REPORT_FORMATS.join(', ')}`);
    const targets = args.targets ?? [];
    if (targets.length > 1000) throw apiError('BAD_INPUT', 'at most 1000 targets');
    if (targets.length && args.crownJewels) throw apiError('BAD_INPUT', 'give targets or crownJewels, not both');
    const report = await buildReport(ctx.store, {
      targets,
      crownJewels: Boolean(args.crownJewels),
      k: bounded(args.k, 'k', 100),
      maxDepth: bounded(args.maxDepth, 'maxDepth', 100),
    });
    return { format, text: renderReport(report, format), document: report };
  },
};
