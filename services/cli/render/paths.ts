/**
 * Attack paths for people: each path as hops in the compromise direction with the evidence that decides each,
 * why its first node is an entry point and who owns its target; each edge kind's abuse and fix said once at the
 * end (steps refer to it by kind), then the fixes that cut the most paths.
 */
import type { AttackPathsResult } from '../../../queries/attack-paths.ts';
import { EDGE_SPECS, type EdgeKind } from '../../../schema/model.ts';
import type { GraphNode } from '../../../schema/records.ts';
import { RUN } from '../help.ts';
import { hopEvidence, hopSentence, listOf, nodeEvidence, plural, shortKey } from '../../words.ts';

export interface PathsContext {
  /** entry key → why it is one (entryPointReasons). */
  reasons: ReadonlyMap<string, readonly string[]>;
  /** target key → owners. */
  owners: ReadonlyMap<string, readonly string[]>;
  /** The nodes on the paths (for a pickle's verdict and imports). */
  nodes: ReadonlyMap<string, GraphNode>;
}

export function formatPaths(r: AttackPathsResult, c: PathsContext): string {
  const lines = [`${plural(r.paths.length, 'attack path')} from ${plural(r.entries.length, 'entry point')} to ${plural(r.targets.length, 'target')}`];
  if (r.paths.length) lines.push('risk = 10 × the path likelihood (0–10); each step shows its edge kind and likelihood');
  if (r.paths.some((p) => c.reasons.get(p.from)?.includes('compromised'))) {
    lines.push('paths from entry points tagged compromised (assumed breach) come first, then the others by risk');
  }
  if (r.truncated) lines.push('  (partial: the region behind the targets was cut by --max-depth or --node-budget)');
  r.paths.forEach((p, i) => {
    lines.push('', `#${i + 1}  risk ${p.risk.toFixed(2)}  ${shortKey(p.from)} ⇒ ${shortKey(p.to)}`);
    const why = [...(c.reasons.get(p.from) ?? [])].join(', ');
    const facts = nodeEvidence(c.nodes.get(p.from));
    lines.push(`    entry:  ${why || 'given with --from'}${facts ? ` (${facts})` : ''}`);
    lines.push(`    owners of the target: ${listOf([...(c.owners.get(p.to) ?? [])])}`);
    p.steps.forEach((s, j) => {
      const evidence = hopEvidence(s);
      lines.push(`    ${j + 1}. ${hopSentence(s)}  [${s.edgeKind} ${s.likelihood.toFixed(2)}]${evidence ? `  evidence: ${evidence}${s.source ? ` (${s.source})` : ''}` : ''}`);
    });
  });
  if (!r.paths.length) {
    lines.push(
      r.targets.length
        ? r.entries.length
          ? 'no entry point reaches a target'
          : `no entry points found (assume one breached with \`${RUN} tag <key> compromised\`)`
        : `no targets found (tag one with \`${RUN} tag <key> crown-jewel\`)`,
    );
    return lines.join('\n');
  }

  const kinds = [...new Set(r.paths.flatMap((p) => p.steps.map((s) => s.edgeKind as EdgeKind)))];
  lines.push('', 'what each kind of step means (said once):');
  for (const kind of kinds) {
    const spec = EDGE_SPECS[kind];
    lines.push(`  ${kind}`, `    abuse: ${spec.abuse}`, `    fix:   ${spec.remediation}`);
  }
  lines.push('', 'fixes that cut the most paths:');
  const cut = new Map<EdgeKind, number>();
  for (const p of r.paths) for (const k of new Set(p.steps.map((s) => s.edgeKind as EdgeKind))) cut.set(k, (cut.get(k) ?? 0) + 1);
  [...cut]
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
    .slice(0, 3)
    .forEach(([kind, n], i) => lines.push(`  ${i + 1}. ${EDGE_SPECS[kind].remediation}  [${kind}: on ${n} of ${r.paths.length} paths]`));
  return lines.join('\n');
}
