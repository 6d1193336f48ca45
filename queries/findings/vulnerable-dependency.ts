/** A served model depends directly on a package version with a known vulnerability. */
import type { EdgeKind } from '../../schema/model.ts';
import { isSeverity, makeFinding, type Finding, type FindingRule } from './types.ts';

const DEPENDENCY: EdgeKind = 'DEPENDS_ON';
const ADVISORY: EdgeKind = 'AFFECTS';

export const vulnerableDependency: FindingRule = {
  id: 'vulnerable-dependency',
  title: 'Served model depends on a vulnerable package',
  severity: 'high',
  description:
    "A served model depends on a package version named by a known advisory. The finding takes the advisory's own severity when it gives one (critical, high, medium, low), else high.",
  remediation: 'Upgrade the package to a fixed version named in the advisory and pin it with hashes.',
  async run(ctx) {
    const served = await ctx.servedModels();
    if (!served.size) return [];
    const deps = await ctx.store.expand({ keys: [...served.keys()], direction: 'out', edgeKinds: [DEPENDENCY] });
    const usersOf = new Map<string, Set<string>>();
    for (const e of deps) usersOf.set(e.to, (usersOf.get(e.to) ?? new Set()).add(e.from));
    const advisories = await ctx.store.expand({ keys: [...usersOf.keys()], direction: 'in', edgeKinds: [ADVISORY] });
    const vulns = new Map((await ctx.store.getNodes([...new Set(advisories.map((e) => e.from))])).map((n) => [n.key, n]));
    const findings: Finding[] = [];
    const sorted = [...advisories].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : a.to < b.to ? -1 : a.to > b.to ? 1 : 0));
    const seen = new Set<string>();
    for (const e of sorted) {
      const pair = `${e.from}\u0000${e.to}`;
      if (seen.has(pair)) continue;
      seen.add(pair);
      const vuln = vulns.get(e.from);
      const declared = typeof vuln?.props.severity === 'string' ? vuln.props.severity.toLowerCase() : undefined;
      const severity = isSeverity(declared) && declared !== 'info' ? declared : vulnerableDependency.severity;
      const models = [...(usersOf.get(e.to) ?? [])].sort();
      const summary = typeof vuln?.props.summary === 'string' ? `: ${vuln.props.summary}` : '';
      const fixed = typeof e.props.fixed === 'string' ? ` (fixed in ${e.props.fixed})` : '';
      findings.push(
        makeFinding(
          vulnerableDependency,
          [e.from, e.to, ...models],
          [`${e.from} affects ${e.to}${fixed}${summary}`, ...models.map((m) => `${m} depends on ${e.to} and is served by ${(served.get(m) ?? []).join(', ')}`)],
          severity,
        ),
      );
    }
    return findings;
  },
};
