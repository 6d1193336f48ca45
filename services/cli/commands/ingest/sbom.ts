/** `aispm ingest sbom <file…> [--subject <key>]`: CycloneDX and SPDX documents from any tool. */
import { importSbomFile, type SbomImportResult } from '../../../../ingest/sbom/ingest.ts';
import { UsageError } from '../../../../schema/errors.ts';
import type { CommandContext } from '../../command.ts';

function summary(r: SbomImportResult): string {
  const t = r.totals;
  const lines = [
    `${r.file}: ${r.format} of ${r.subject}: ${r.items} items; wrote ${t.nodes} nodes and ${t.edges} edges, removed ${t.edgesRemoved} edges and ${t.nodesRemoved} nodes an earlier version of this document had`,
  ];
  if (r.warningCount) {
    lines.push(`  ${r.warningCount} warning${r.warningCount === 1 ? '' : 's'}${r.warningCount > r.warnings.length ? ` (first ${r.warnings.length})` : ''}:`);
    for (const w of r.warnings.slice(0, 20)) lines.push(`    ${w}`);
    if (r.warnings.length > 20) lines.push(`    … (--json lists ${r.warnings.length})`);
  }
  return lines.join('\n');
}

export async function ingestSbom(ctx: CommandContext, files: string[]): Promise<number> {
  if (files.length === 0) throw new UsageError('name at least one SBOM file (CycloneDX JSON 1.2–1.7, SPDX 2.2/2.3 JSON, SPDX 3.0 JSON-LD)');
  const subject = ctx.values.subject as string | undefined;
  if (subject !== undefined && files.length > 1) throw new UsageError('--subject names what one document describes: import one file with it');
  const store = await ctx.store();
  const results: SbomImportResult[] = [];
  // One file at a time, each validated whole before anything of it is written.
  for (const file of files) results.push(await importSbomFile(store, file, { ...(subject !== undefined ? { subject } : {}) }));
  if (ctx.json) ctx.printJson({ documents: results });
  else ctx.print(results.map(summary).join('\n'));
  return 0;
}
