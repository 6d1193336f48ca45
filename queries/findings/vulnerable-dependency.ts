/** A served model depends directly on a package version with a known vulnerability. */
import { labelOfKey } from '../../schema/keys.ts';
import type { EdgeKind } from '../../schema/model.ts';
import type { GraphNode, Props } from '../../schema/records.ts';
import { advisoryGroups } from './advisory-groups.ts';
import { isSeverity, makeFinding, severityAtLeast, type Finding, type FindingRule, type Severity } from './types.ts';

const DEPENDENCY: EdgeKind = 'DEPENDS_ON';
const ADVISORY: EdgeKind = 'AFFECTS';
/** Dependency chains longer than this are not followed (a cycle or a pathological tree). */
const MAX_DEPENDENCY_DEPTH = 16;

export const vulnerableDependency: FindingRule = {
  id: 'vulnerable-dependency',
  title: 'Served model depends on a vulnerable package',
  severity: 'high',
  description:
    "A served model depends, directly or through other packages, on a package version named by a known advisory. Advisories of one flaw from several databases (a GHSA, a PYSEC and a CVE naming each other as aliases) make one finding. The finding takes the most severe severity its advisories give (critical, high, medium, low), else high.",
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
    // One finding per flaw and package: advisories of one flaw from several databases (aliases) are one group.
    const byPackage = new Map<string, Map<string, (typeof advisories)[number]>>();
    for (const e of advisories) {
      const edges = byPackage.get(e.to) ?? new Map();
      if (!edges.has(e.from)) edges.set(e.from, e);
      byPackage.set(e.to, edges);
    }
    const flaws: { pkg: string; members: (typeof advisories)[number][] }[] = [];
    for (const [pkg, edges] of byPackage) {
      for (const group of advisoryGroups([...edges.keys()], vulns)) flaws.push({ pkg, members: group.map((k) => edges.get(k)!) });
    }
    flaws.sort((a, b) => compare(a.members[0]!.from, b.members[0]!.from) || compare(a.pkg, b.pkg));
    const findings: Finding[] = [];
    for (const { pkg, members } of flaws) {
      const models = [...(usersOf.get(pkg) ?? [])].sort();
      const advisoryLines = members.map((e) => {
        const summary = typeof vulns.get(e.from)?.props.summary === 'string' ? `: ${vulns.get(e.from)!.props.summary}` : '';
        const fixed = typeof e.props.fixed === 'string' ? ` (fixed in ${e.props.fixed})` : '';
        return `${e.from} affects ${pkg}${fixed}${summary}`;
      });
      const finding = makeFinding(
        vulnerableDependency,
        [...members.map((e) => e.from), pkg, ...models],
        [...advisoryLines, ...models.map((m) => `${m} depends on ${pkg}${dependsOn.get(m)?.includes(pkg) ? '' : ' through other packages'} and is served by ${(served.get(m) ?? []).join(', ')}`)],
        severityOf(members.map((e) => vulns.get(e.from))),
      );
      // The advisories' own fix, when they name one, is the remediation.
      const remediation = fixRemediation(pkg, members);
      if (remediation) finding.remediation = remediation;
      findings.push(finding);
    }
    return findings;
  },
};

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The most severe severity the advisories declare (critical, high, medium, low); the rule's own when none does. */
function severityOf(advisories: readonly (GraphNode | undefined)[]): Severity {
  const declared = advisories
    .map((v) => (typeof v?.props.severity === 'string' ? v.props.severity.toLowerCase() : undefined))
    .filter((s): s is Severity => isSeverity(s) && s !== 'info');
  return declared.length ? declared.reduce((a, b) => (severityAtLeast(a, b) ? a : b)) : vulnerableDependency.severity;
}

/** Upgrade advice from the fixed versions the advisories name, or undefined when none names one. */
function fixRemediation(pkg: string, advisories: readonly { from: string; props: Props }[]): string | undefined {
  const fixes = new Map<string, string[]>();
  for (const e of advisories) if (typeof e.props.fixed === 'string') fixes.set(e.props.fixed, [...(fixes.get(e.props.fixed) ?? []), labelOfKey(e.from)]);
  if (fixes.size === 0) return undefined;
  const tail = 're-resolve the dependants and pin with hashes.';
  if (fixes.size === 1) {
    const [fixed, by] = [...fixes][0]!;
    return `Upgrade ${labelOfKey(pkg)} to ${fixed} or later (the first version ${by.join(' and ')} ${by.length === 1 ? 'names' : 'name'} as fixed), ${tail}`;
  }
  const each = [...fixes].map(([fixed, by]) => `${fixed} in ${by.join(' and ')}`).join('; ');
  return `Upgrade ${labelOfKey(pkg)} to a version at or above every fix its advisories name (${each}), ${tail}`;
}
