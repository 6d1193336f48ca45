/** A served model depends directly on a package version with a known vulnerability. */
import { labelOfKey } from '../../schema/keys.ts';
import type { EdgeKind } from '../../schema/model.ts';
import { isSeverity, makeFinding, type Finding, type FindingRule } from './types.ts';

const DEPENDENCY: EdgeKind = 'DEPENDS_ON';
const ADVISORY: EdgeKind = 'AFFECTS';
/** Dependency chains longer than this are not followed (a cycle or a pathological tree). */
const MAX_DEPENDENCY_DEPTH = 16;

export const vulnerableDependency: FindingRule = {
  id: 'vulnerable-dependency',
  title: 'Served model depends on a vulnerable package',
  severity: 'high',
  description:
    "A served model depends, directly or through other packages, on a package version named by a known advisory. The finding takes the advisory's own severity when it gives one (critical, high, medium, low), else high.",
  remediation: 'Upgrade the package to a fixed version named in the advisory and pin it with hashes.',
  async run(ctx) {
    const served = await ctx.servedModels();
    if (!served.size) return [];
    // Packages the served models depend on, directly or through other packages: a vulnerable transitive
    // dependency runs inside the model's process just the same. The dependency region is loaded level by level
    // (each node expanded once), then each served model's closure is walked in memory.
    const dependsOn = new Map<string, string[]>();
    const expanded = new Set<string>(served.keys());
    let frontier = [...served.keys()];
    for (let depth = 0; frontier.length && depth < MAX_DEPENDENCY_DEPTH; depth++) {
      const deps = await ctx.store.expand({ keys: frontier, direction: 'out', edgeKinds: [DEPENDENCY] });
      const next: string[] = [];
      for (const e of deps) {
        dependsOn.set(e.from, [...(dependsOn.get(e.from) ?? []), e.to]);
        if (!expanded.has(e.to)) {
          expanded.add(e.to);
          next.push(e.to);
        }
      }
      frontier = next;
    }
    const usersOf = new Map<string, Set<string>>();
    for (const m of served.keys()) {
      const seen = new Set<string>([m]);
      for (let level = dependsOn.get(m) ?? []; level.length; ) {
        const next: string[] = [];
        for (const pkg of level) {
          if (seen.has(pkg)) continue;
          seen.add(pkg);
          usersOf.set(pkg, (usersOf.get(pkg) ?? new Set()).add(m));
          next.push(...(dependsOn.get(pkg) ?? []));
        }
        level = next;
      }
    }
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
      const finding = makeFinding(
        vulnerableDependency,
        [e.from, e.to, ...models],
        [`${e.from} affects ${e.to}${fixed}${summary}`, ...models.map((m) => `${m} depends on ${e.to}${dependsOn.get(m)?.includes(e.to) ? '' : ' through other packages'} and is served by ${(served.get(m) ?? []).join(', ')}`)],
        severity,
      );
      // The advisory's own fix, when it names one, is the remediation.
      if (typeof e.props.fixed === 'string') finding.remediation = `Upgrade ${labelOfKey(e.to)} to ${e.props.fixed} or later (the first version ${labelOfKey(e.from)} names as fixed), re-resolve the dependants and pin with hashes.`;
      findings.push(finding);
    }
    return findings;
  },
};
