/**
 * The executive summary: one paragraph a board can act on — what is exposed, by what, the fixes that cut the most
 * paths, and who must act. Generated from the report model only, so every format says the same thing.
 */
import { listOf, chainSentence, shortLabel } from '../words.ts';
import type { Report, ReportFix, ReportPath } from './model.ts';
import { plural } from './text.ts';

/** Each edge kind's fix once, ranked by how many paths pass through a step of that kind. */
export function fixesOf(paths: readonly ReportPath[]): ReportFix[] {
  const fixes = new Map<string, ReportFix>();
  for (const p of paths) {
    for (const kind of new Set(p.steps.map((s) => s.edgeKind))) {
      const step = p.steps.find((s) => s.edgeKind === kind)!;
      const f = fixes.get(kind) ?? { edgeKind: kind, remediation: step.remediation, pathsCut: 0 };
      f.pathsCut++;
      fixes.set(kind, f);
    }
  }
  return [...fixes.values()].sort((a, b) => b.pathsCut - a.pathsCut || (a.edgeKind < b.edgeKind ? -1 : 1));
}

const REASON_WORDS: Record<string, string> = {
  compromised: 'assumed breached',
  'dangerous-file': 'a file that runs code when loaded',
  'public-write': 'writable by anyone',
  'outside-writer': 'an account outside the owning organisation',
  'vulnerable-package': 'a package with a known vulnerability',
  'floating-revision': 'loaded at a floating revision',
};

export function executiveSummary(r: Pick<Report, 'attackPaths' | 'scope' | 'summary'>, fixes: readonly ReportFix[]): string {
  const paths = r.attackPaths;
  const targets = r.scope.mode === 'crown-jewels' ? 'crown jewel' : r.scope.mode === 'endpoints' ? 'endpoint' : 'target';
  if (!paths.length) {
    return `No attack path was found from the ${plural(r.summary.entryPoints, 'entry point')} to the ${plural(r.scope.targets.length, targets)} in scope${r.summary.truncated ? ' within the search limits (the search was cut short; re-run with a larger --max-depth)' : ''}.`;
  }
  const reached = new Set(paths.map((p) => p.to));
  const entries = new Set(paths.map((p) => p.from));
  const top = paths[0]!;
  const why = top.entryReasons.map((x) => REASON_WORDS[x] ?? x).join(', ');
  const sentences = [
    `${plural(reached.size, targets)} of ${r.scope.targets.length} can be reached from ${plural(entries.size, 'entry point')} along the ${plural(paths.length, 'path')} reported.`,
    `The top path (risk ${top.risk.toFixed(1)} of 10) starts at ${shortLabel(top.from)}${why ? ` (${why})` : ''}: ${chainSentence(top.steps)}.`,
  ];
  const best = fixes.slice(0, 2);
  if (best.length) {
    sentences.push(
      `${best.length === 1 ? 'One fix cuts' : 'Two fixes cut'} the most paths: ${best.map((f, i) => `(${i + 1}) ${lowerFirst(f.remediation.replace(/\.$/, ''))} — on ${f.pathsCut} of ${paths.length}`).join('; ')}.`,
    );
  }
  const owners = [...new Set(paths.flatMap((p) => p.owners))].sort();
  if (owners.length) sentences.push(`Who must act: ${listOf(owners, 6)}.`);
  return sentences.join(' ');
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
