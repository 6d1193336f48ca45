/**
 * The attack-path report as data. Every renderer (Markdown, HTML, JSON, SARIF) is a pure function of this model,
 * so the formats cannot disagree. The JSON format is this model as it is (schema: report.schema.json).
 */
import type { Step } from '../../queries/attack-paths.ts';
import type { Finding, Severity } from '../../queries/findings/types.ts';

export { SEVERITIES, type Severity } from '../../queries/findings/types.ts';

/** A step as the analyses explain it (what the edge means, how it is abused, the evidence and the fix). */
export type ReportStep = Step;

export interface ReportPath {
  rank: number;
  from: string;
  to: string;
  nodes: string[];
  kinds: Record<string, string>;
  steps: ReportStep[];
  likelihood: number;
  risk: number;
  /** Who can write the target (and their orgs), else the owner its key names: who must act on this path. */
  owners: string[];
  /** Why the first node is an entry point (compromised, dangerous-file, …). */
  entryReasons: string[];
}

/** One edge kind's fix, and how many of the reported paths pass through a step of that kind. */
export interface ReportFix {
  edgeKind: string;
  remediation: string;
  pathsCut: number;
}

export interface ChokePoint {
  /** The step (as compromise moves) that the most of the reported paths pass through: cutting it breaks them all. */
  from: string;
  to: string;
  edgeKind: string;
  pathsCut: number;
  pathsTotal: number;
  remediation: string;
}

/** A finding as the rules produce it. */
export type ReportFinding = Finding;

export interface ReportBlastRadius {
  from: string;
  total: number;
  percentOfGraph: number;
  byKind: Record<string, number>;
  endpoints: { key: string; depth: number; owners: string[] }[];
}

export interface Report {
  schemaVersion: 1;
  title: string;
  generatedAt: string;
  store: string;
  scope: {
    mode: 'targets' | 'crown-jewels' | 'endpoints';
    targets: string[];
  };
  summary: {
    /** What is exposed, by what, the fixes that cut the most paths, who must act: one paragraph (see executive.ts). */
    executive: string;
    /** Each edge kind's fix once, most paths cut first. */
    fixes: ReportFix[];
    assets: { total: number; byKind: Record<string, number> };
    crownJewels: string[];
    findingsBySeverity: Record<Severity, number>;
    entryPoints: number;
    /**
     * Exposure, after BloodHound's (the share of principals with an attack path to Tier Zero): the share of entry
     * points from which compromise can reach at least one target within the depth limit.
     */
    exposure: { entriesReachingTargets: number; entries: number; percent: number };
    /**
     * Impact, after BloodHound's (how much of the environment a principal controls): of the top entry points (the
     * `entriesCompared` whose blast radius the report shows), the one whose compromise reaches the most nodes, and
     * that count as a share of every node in the graph (the entry itself not counted as reached).
     */
    impact: { entry: string | null; reached: number; total: number; percent: number; entriesCompared: number };
    /** A search was cut by the depth limit or node budget: paths, exposure and blast radii may be incomplete. */
    truncated: boolean;
  };
  attackPaths: ReportPath[];
  chokePoint: ChokePoint | null;
  findings: ReportFinding[];
  blastRadii: ReportBlastRadius[];
}

export function percent(part: number, whole: number): number {
  return whole > 0 ? Math.round((part / whole) * 1000) / 10 : 0;
}
