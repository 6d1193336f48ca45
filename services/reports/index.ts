/** Reports: build the model once, render it in the asked format. */
import type { GraphStore } from '../../schema/store.ts';
import { buildReport, type ReportOptions } from './build.ts';
import type { Report } from './model.ts';
import { renderHtml } from './render-html.ts';
import { renderMarkdown } from './render-markdown.ts';
import { renderSarif } from './render-sarif.ts';

export const REPORT_FORMATS = ['md', 'html', 'json', 'sarif'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function renderReport(report: Report, format: ReportFormat): string {
  switch (format) {
    case 'md':
      return renderMarkdown(report);
    case 'html':
      return renderHtml(report);
    case 'sarif':
      return renderSarif(report);
    case 'json':
      return JSON.stringify(report, null, 2) + '\n';
  }
}

export async function generateReport(store: GraphStore, format: ReportFormat, opts: ReportOptions = {}): Promise<{ report: Report; text: string }> {
  const report = await buildReport(store, opts);
  return { report, text: renderReport(report, format) };
}

export { buildReport, type ReportOptions, type Report };
