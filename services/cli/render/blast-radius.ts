/**
 * The blast radius for people: endpoints first with who must act and how compromise reached each, then the
 * affected models with their owners, every other node by depth, and the fixes that cut the most endpoint chains.
 */
import type { BlastRadius, Hop } from '../../../queries/blast-radius.ts';
import { EDGE_SPECS } from '../../../schema/model.ts';
import { RUN } from '../help.ts';
import { chainSentence, hopEvidence, hopSentence, listOf, plural, shortKey } from '../../words.ts';

export function formatBlastRadius(r: BlastRadius, opts: { nextHints?: string[] } = {}): string {
  const lines: string[] = [];
  const kinds = Object.entries(r.byKind).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, n]) => `${n} ${k}`).join(', ');
  lines.push(`blast radius of ${shortKey(r.from)}: ${plural(r.total, 'node')} reached${kinds ? ` (${kinds})` : ''}`);
  if (r.truncated) lines.push(`  (partial: stopped at the ${r.reason === 'budget' ? 'node budget' : 'depth limit'}; raise --${r.reason === 'budget' ? 'node-budget' : 'max-depth'})`);

  lines.push('', `endpoints (${r.endpoints.length}) — who must act, and how compromise gets there:`);
  for (const e of r.endpoints) {
    lines.push(`  ${shortKey(e.key)}  depth ${e.depth}  owners: ${listOf(e.owners)}`);
    lines.push(`    ${chainSentence(e.hops)}`);
  }
  if (!r.endpoints.length) lines.push('  (none)');

  const models = r.nodes.filter((n) => n.kind === 'Model');
  if (models.length) {
    lines.push('', `models (${models.length}) and their owners:`);
    for (const m of models) {
      lines.push(`  depth ${m.depth}  ${shortKey(m.key)}  owners: ${listOf(m.owners ?? [])}`);
      if (m.via) lines.push(`    ${hopLine(m.via)}`);
    }
  }
  const others = r.nodes.filter((n) => n.kind !== 'Model' && n.kind !== 'Endpoint');
  if (others.length) {
    lines.push('', `other nodes (${others.length}):`);
    for (const n of others) {
      lines.push(`  depth ${n.depth}  ${shortKey(n.key)}  (${n.kind})`);
      if (n.via) lines.push(`    ${hopLine(n.via)}`);
    }
  }

  const fixes = fixesFor(r.endpoints.map((e) => e.hops));
  if (fixes.length) {
    lines.push('', 'what to do next:');
    fixes.slice(0, 3).forEach((f, i) => lines.push(`  ${i + 1}. ${f.text}  [${f.kind}: on ${plural(f.count, 'endpoint chain')}]`));
    const owners = [...new Set(r.endpoints.flatMap((e) => e.owners))].sort();
    if (owners.length) lines.push(`  ${Math.min(fixes.length, 3) + 1}. Tell the endpoint owners: ${listOf(owners, 6)}.`);
  }
  if (opts.nextHints?.length) lines.push('', `next: ${opts.nextHints.map((h) => `${RUN} ${h}`).join('   ')}`);
  return lines.join('\n');
}

function hopLine(h: Hop): string {
  const why = hopEvidence(h);
  return `${hopSentence(h)}${why ? `  (${why})` : ''}`;
}

/** Each edge kind's fix once, ranked by how many endpoint chains pass through a hop of that kind. */
export function fixesFor(chains: readonly (readonly Hop[])[]): { kind: string; text: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const hops of chains) for (const kind of new Set(hops.map((h) => h.edgeKind))) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return [...counts]
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
    .map(([kind, count]) => ({ kind, count, text: EDGE_SPECS[kind as keyof typeof EDGE_SPECS].remediation }));
}
