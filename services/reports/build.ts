/**
 * Gathers a report from the analyses: scope and targets, top attack paths with every step explained, the choke
 * point, findings, exposure and impact (as BloodHound defines them), and the blast radius of the top entry points.
 * Only reads through the analyses and the store contract, so it answers alike on every store.
 */
import { kindOfKey } from '../../schema/keys.ts';
import { attackPaths, entryPointReasons, findCrownJewels, findEndpoints } from '../../queries/attack-paths.ts';
import { blastRadius } from '../../queries/blast-radius.ts';
import { runFindings } from '../../queries/findings/index.ts';
import { requireNodes } from '../../queries/nodes.ts';
import { loadWriteAccess, ownersOf } from '../../queries/ownership.ts';
import { ownerOfKey } from '../../schema/keys.ts';
import { executiveSummary, fixesOf } from './executive.ts';
import { UsageError } from '../../schema/errors.ts';
import type { GraphStore } from '../../schema/store.ts';
import { chokePoint } from './choke-point.ts';
import { SEVERITIES, percent, type Report, type ReportPath, type Severity } from './model.ts';
import { nodesThatReach } from './reach-back.ts';

export interface ReportOptions {
  /** Explicit targets; otherwise crown jewels (when `crownJewels` or when any are tagged), else endpoints. */
  targets?: string[];
  crownJewels?: boolean;
  /** How many attack paths to report (default 10). */
  k?: number;
  maxDepth?: number;
  /** How many top entry points get a blast-radius section (default 3). */
  topEntries?: number;
  title?: string;
  now?: Date;
}

export async function buildReport(store: GraphStore, opts: ReportOptions = {}): Promise<Report> {
  const stats = await store.stats();
  const crownJewels = await findCrownJewels(store);
  let mode: Report['scope']['mode'];
  let targets: string[];
  if (opts.targets?.length) {
    // Names the unknown keys, clipped, so a hostile key cannot flood the terminal.
    await requireNodes(store, opts.targets);
    mode = 'targets';
    targets = [...new Set(opts.targets)].sort();
  } else if (opts.crownJewels) {
    if (!crownJewels.length) throw new UsageError('no node is tagged crown-jewel: tag one with `aispm tag <key> crown-jewel`');
    mode = 'crown-jewels';
    targets = crownJewels;
  } else {
    // The same rule as findTargets, without scanning every node for tags a second time.
    targets = crownJewels.length ? crownJewels : await findEndpoints(store);
    mode = crownJewels.length ? 'crown-jewels' : 'endpoints';
  }

  const reasons = await entryPointReasons(store);
  const entries = [...reasons.keys()].sort();
  const result = targets.length && entries.length ? await attackPaths(store, { to: targets, k: opts.k ?? 10, maxDepth: opts.maxDepth }) : { paths: [], truncated: false };
  const access = await loadWriteAccess(store, [...new Set(result.paths.map((p) => p.to))], { grantProps: false });
  const ownersOfTarget = (key: string) => {
    const owners = ownersOf(access, key);
    const fallback = ownerOfKey(key);
    return owners.length ? owners : fallback ? [fallback] : [];
  };
  const paths: ReportPath[] = result.paths.map((p, i) => ({
    rank: i + 1,
    from: p.from,
    to: p.to,
    nodes: p.nodes,
    kinds: Object.fromEntries(p.nodes.map((k) => [k, kindOfKey(k) ?? 'Unknown'])),
    steps: p.steps.map((st) => ({
      from: st.from,
      to: st.to,
      edgeKind: st.edgeKind,
      ...(st.relation ? { relation: st.relation } : {}),
      verb: st.verb,
      likelihood: st.likelihood,
      meaning: st.meaning,
      abuse: st.abuse,
      remediation: st.remediation,
      evidence: st.evidence ?? '',
      source: st.source ?? '',
      ...(st.revision ? { revision: st.revision } : {}),
    })),
    likelihood: p.likelihood,
    risk: p.risk,
    owners: ownersOfTarget(p.to),
    entryReasons: [...(reasons.get(p.from) ?? [])],
  }));
  const fixes = fixesOf(paths);

  const findings = (await runFindings(store)).map((f) => ({ ...f, severity: f.severity as Severity }));
  const findingsBySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, findings.filter((f) => f.severity === s).length])) as Record<Severity, number>;

  const reaching = targets.length ? await nodesThatReach(store, targets, { maxDepth: opts.maxDepth }) : { nodes: new Set<string>(), truncated: false };
  const exposed = entries.filter((e) => reaching.nodes.has(e)).length;

  // Top entry points: those that start the best-ranked paths, then the rest, up to topEntries.
  const topEntries = [...new Set([...paths.map((p) => p.from), ...entries])].slice(0, opts.topEntries ?? 3);
  const blastRadii = [];
  let blastTruncated = false;
  for (const from of topEntries) {
    const b = await blastRadius(store, from, { maxDepth: opts.maxDepth });
    blastRadii.push({
      from,
      total: b.total,
      percentOfGraph: percent(b.total, stats.nodes),
      byKind: b.byKind,
      endpoints: b.endpoints.map((e) => ({ key: e.key, depth: e.depth, owners: e.owners })),
    });
    blastTruncated ||= b.truncated;
  }
  // Impact is measured on the top entry points only (one traversal each); ties go to the better-ranked entry.
  const widest = blastRadii.reduce<(typeof blastRadii)[number] | undefined>((best, b) => (!best || b.total > best.total ? b : best), undefined);

  const scope = { mode, targets };
  const partial = result.truncated || reaching.truncated || blastTruncated;
  return {
    schemaVersion: 1,
    title: opts.title ?? 'AI supply-chain attack-path report',
    generatedAt: (opts.now ?? new Date()).toISOString(),
    store: `${store.backend} ${store.location}`,
    scope,
    summary: {
      executive: executiveSummary({ attackPaths: paths, scope, summary: { entryPoints: entries.length, truncated: partial } as Report['summary'] }, fixes),
      fixes,
      assets: { total: stats.nodes, byKind: stats.nodesByKind as Record<string, number> },
      crownJewels,
      findingsBySeverity,
      entryPoints: entries.length,
      exposure: { entriesReachingTargets: exposed, entries: entries.length, percent: percent(exposed, entries.length) },
      impact: { entry: widest?.from ?? null, reached: widest?.total ?? 0, total: stats.nodes, percent: percent(widest?.total ?? 0, stats.nodes), entriesCompared: blastRadii.length },
      truncated: partial,
    },
    attackPaths: paths,
    chokePoint: chokePoint(paths),
    findings,
    blastRadii,
  };
}
