/**
 * An advisory's severity: the CVSS vectors in `severity[]` (record-level, else per affected package) scored by the
 * {metæffekt} CVSS calculator (CVSS 2.0, 3.0, 3.1 and 4.0 as FIRST specifies them), the newest CVSS version given
 * preferred, rated by FIRST's qualitative scale (v3/v4: none, low 0.1–3.9, medium 4.0–6.9, high 7.0–8.9, critical
 * 9.0–10; v2 as NVD rates it: low, medium, high). Without a usable vector, a GitHub-reviewed record's
 * `database_specific.severity` (MODERATE is medium) is used; otherwise the severity is unknown.
 */
import cvssLib from 'ae-cvss-calculator';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export type SeverityLevel = 'critical' | 'high' | 'medium' | 'low' | 'none' | 'unknown';

export interface Severity {
  level: SeverityLevel;
  /** The vector scored, as the record gives it. */
  vector?: string;
  score?: number;
  cvssVersion?: string;
}

const PREFERENCE = ['CVSS_V4', 'CVSS_V3', 'CVSS_V2'];

export function levelOf(score: number, version: string): SeverityLevel {
  if (version.startsWith('2')) return score >= 7 ? 'high' : score >= 4 ? 'medium' : 'low';
  if (score === 0) return 'none';
  return score >= 9 ? 'critical' : score >= 7 ? 'high' : score >= 4 ? 'medium' : 'low';
}

/** Scores one vector, or undefined when it is not a complete base vector of a known CVSS version. */
export function scoreVector(vector: string): Severity | undefined {
  if (vector.length > 512) return undefined;
  let parsed: ReturnType<typeof cvssLib.fromVector>;
  try {
    parsed = cvssLib.fromVector(vector.trim());
  } catch {
    return undefined;
  }
  if (!parsed) return undefined;
  const scores = parsed.calculateScores() as { base?: number };
  const version = parsed.getVectorName().replace(/^CVSS:/, '');
  if (typeof scores.base !== 'number' || !Number.isFinite(scores.base)) return undefined;
  return { level: levelOf(scores.base, version), vector: vector.trim(), score: scores.base, cvssVersion: version };
}

function fromList(list: unknown): Severity | undefined {
  if (!Array.isArray(list)) return undefined;
  const entries = list.filter(isObject).filter((s) => typeof s.type === 'string' && typeof s.score === 'string');
  for (const type of PREFERENCE) {
    for (const entry of entries.filter((s) => s.type === type)) {
      const scored = scoreVector(entry.score as string);
      if (scored) return scored;
    }
  }
  return undefined;
}

const GHSA_LEVELS: Record<string, SeverityLevel> = { CRITICAL: 'critical', HIGH: 'high', MODERATE: 'medium', MEDIUM: 'medium', LOW: 'low' };

export function severityOf(record: Json): Severity {
  const top = fromList(record.severity);
  if (top) return top;
  for (const a of Array.isArray(record.affected) ? record.affected.filter(isObject) : []) {
    const own = fromList(a.severity);
    if (own) return own;
  }
  const declared = isObject(record.database_specific) && typeof record.database_specific.severity === 'string' ? GHSA_LEVELS[record.database_specific.severity.toUpperCase()] : undefined;
  return { level: declared ?? 'unknown' };
}
