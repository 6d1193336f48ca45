/**
 * The BOM's vulnerabilities: advisories from the graph (OSV records, an imported SBOM's) with their ratings,
 * references, fixes, the versions they affect and the VEX analysis an SBOM states; and the risks aispm's own rules
 * find (a dangerous pickle, remote code, a vanished base), rated by those rules. Pure.
 */
import { Enums, Models, Types } from '@cyclonedx/cyclonedx-library';
import { labelOfKey, parseKey } from '../../schema/keys.ts';
import type { GraphNode } from '../../schema/records.ts';
import { propStr, safeUrl } from './identity.ts';
import type { Risk } from './risks.ts';

const SEVERITIES = new Set(['critical', 'high', 'medium', 'low', 'info', 'none', 'unknown']);

function ratingMethod(vector: string): Enums.Vulnerability.RatingMethod {
  if (vector.startsWith('CVSS:4.')) return Enums.Vulnerability.RatingMethod.CVSSv4;
  if (vector.startsWith('CVSS:3.1')) return Enums.Vulnerability.RatingMethod.CVSSv31;
  if (vector.startsWith('CVSS:3.')) return Enums.Vulnerability.RatingMethod.CVSSv3;
  if (vector.startsWith('AV:')) return Enums.Vulnerability.RatingMethod.CVSSv2;
  return Enums.Vulnerability.RatingMethod.Other;
}

function validDate(v: unknown): Date | undefined {
  if (typeof v !== 'string') return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** One library an advisory affects, as the BOM refers to it, with the VEX analysis an SBOM states for it. */
export interface Affected {
  ref: Models.BomRef;
  version?: string;
  vex?: string;
  vexJustification?: string;
}

const ANALYSIS_STATES = new Set<string>(Object.values(Enums.Vulnerability.AnalysisState));
const ANALYSIS_JUSTIFICATIONS = new Set<string>(Object.values(Enums.Vulnerability.AnalysisJustification));
/** VEX states under which the library is not affected (the AFFECTS edge carries no compromise; see its flowWhen). */
export const UNAFFECTED = new Set(['not_affected', 'false_positive']);

/**
 * The advisory's analysis when every library it affects in this BOM has the same VEX state (CycloneDX gives one per
 * vulnerability; each library's own state is in its `affects` entry either way).
 */
function analysisOf(affected: readonly Affected[]): Models.Vulnerability.Analysis | undefined {
  const states = new Set(affected.map((a) => a.vex));
  const state = states.size === 1 ? [...states][0] : undefined;
  if (!state || !ANALYSIS_STATES.has(state)) return undefined;
  const justifications = new Set(affected.map((a) => a.vexJustification));
  const justification = justifications.size === 1 ? [...justifications][0] : undefined;
  return new Models.Vulnerability.Analysis({
    state: state as Enums.Vulnerability.AnalysisState,
    ...(justification && ANALYSIS_JUSTIFICATIONS.has(justification) ? { justification: justification as Enums.Vulnerability.AnalysisJustification } : {}),
  });
}

/** The advisory's references (OSV `references[]`: advisory, fix, report pages) as CycloneDX advisories. */
function advisoriesOf(node: GraphNode): Models.Vulnerability.AdvisoryRepository {
  const out = new Models.Vulnerability.AdvisoryRepository();
  const refs = Array.isArray(node.props.references) ? node.props.references : [];
  for (const r of refs.slice(0, 100)) {
    if (typeof r !== 'object' || r === null || Array.isArray(r)) continue;
    const url = safeUrl(r.url);
    if (url) out.add(new Models.Vulnerability.Advisory(url, typeof r.type === 'string' && r.type ? { title: r.type } : {}));
  }
  return out;
}

export function vulnerabilityOf(node: GraphNode, affected: readonly Affected[], fixes: string[]): Models.Vulnerability.Vulnerability {
  const id = parseKey(node.key)?.parts.id ?? node.key;
  const V = Models.Vulnerability;
  const ratings = new V.RatingRepository();
  const severity = propStr(node, 'severity')?.toLowerCase();
  const vector = propStr(node, 'cvss');
  const score = typeof node.props.cvssScore === 'number' && Number.isFinite(node.props.cvssScore) ? node.props.cvssScore : undefined;
  if (severity || vector) {
    ratings.add(
      new V.Rating({
        severity: severity && SEVERITIES.has(severity) ? (severity as Enums.Vulnerability.Severity) : undefined,
        method: vector ? ratingMethod(vector) : undefined,
        vector,
        ...(vector && score !== undefined ? { score } : {}),
      }),
    );
  }
  const references = new V.ReferenceRepository();
  const aliases = node.props.aliases;
  if (Array.isArray(aliases)) {
    for (const alias of aliases) {
      if (typeof alias !== 'string' || !alias) continue;
      const source = alias.startsWith('CVE-')
        ? new V.Source({ name: 'NVD', url: new URL(`https://nvd.nist.gov/vuln/detail/${encodeURIComponent(alias)}`) })
        : new V.Source({ name: alias.startsWith('GHSA-') ? 'GitHub' : 'OSV' });
      references.add(new V.Reference(alias, source));
    }
  }
  const page = safeUrl(node.props.url);
  return new V.Vulnerability({
    bomRef: node.key,
    id,
    source: new V.Source({ name: 'OSV', url: new URL(page ?? `https://osv.dev/vulnerability/${encodeURIComponent(id)}`) }),
    ratings,
    references,
    // Every vulnerability has a description, which the model card's risk entries are named by.
    description: propStr(node, 'summary') ?? `${id} affects ${affected.map((a) => labelOfKey(a.ref.value ?? '')).join(', ') || 'a library of this model'}.`,
    // OSV's details, where they say more than the summary the description already gives.
    detail: propStr(node, 'description') === propStr(node, 'summary') ? undefined : propStr(node, 'description')?.slice(0, 20_000),
    recommendation: fixes.length ? `Upgrade to a fixed version: ${[...new Set(fixes)].sort().join(', ')}` : undefined,
    advisories: advisoriesOf(node),
    published: validDate(node.props.published),
    updated: validDate(node.props.modified),
    analysis: analysisOf(affected),
    affects: new V.AffectRepository(
      affected.map(
        (a) =>
          new V.Affect(a.ref, {
            versions: new V.AffectedVersionRepository(
              a.version === undefined
                ? []
                : [new V.AffectedSingleVersion(a.version, { status: a.vex && UNAFFECTED.has(a.vex) ? Enums.Vulnerability.AffectStatus.Unaffected : Enums.Vulnerability.AffectStatus.Affected })],
            ),
          }),
      ),
    ),
  });
}

/** A risk aispm found (not an advisory) as a CycloneDX vulnerability, rated by the rule that found it. */
export function riskVulnerability(r: Risk, refOf: ReadonlyMap<string, Models.BomRef>): Models.Vulnerability.Vulnerability {
  const V = Models.Vulnerability;
  const affects = r.affects.map((key) => refOf.get(key)).filter((ref): ref is Models.BomRef => ref !== undefined);
  return new V.Vulnerability({
    // `aispm:risk:` is no key format, so these refs cannot collide with a node's.
    bomRef: `aispm:risk:${r.finding.id}`,
    id: r.finding.id,
    source: new V.Source({ name: 'aispm' }),
    ratings: new V.RatingRepository([new V.Rating({ severity: r.finding.severity as Enums.Vulnerability.Severity, method: Enums.Vulnerability.RatingMethod.Other })]),
    cwes: new Types.CweRepository(r.cwes),
    description: r.description,
    detail: r.finding.evidence.join('\n'),
    recommendation: r.finding.remediation,
    affects: new V.AffectRepository(affects.map((ref) => new V.Affect(ref))),
  });
}
