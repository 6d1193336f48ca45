/**
 * An OSV record as records: the Vulnerability node (aliases, summary, severity scored from its CVSS vector,
 * published, modified, references, and its `affected` entries, which are what lets a later run evaluate it without
 * fetching it again), and AFFECTS edges to the package versions it covers, each naming the first fixed version for
 * that package. Pure; the same for a record from the API and from an export.
 */
import { tryKeyOf, urlOfKey, type Endpoints } from '../../schema/keys.ts';
import type { EdgeRecord, JsonValue, NodeRecord, Props } from '../../schema/records.ts';
import { evaluateAffected, isKnownEcosystem, normaliseName, type Evaluation } from './evaluate.ts';
import { severityOf } from './severity.ts';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);

/** A package version in the graph, as OSV names it. */
export interface QueriedPackage {
  key: string;
  /** OSV ecosystem (PyPI, npm, …). */
  ecosystem: string;
  /** The name as OSV writes it (`@scope/name` for npm). */
  name: string;
  version: string;
  /** The purl without version, as OSV's query takes it. */
  purl: string;
}

export function vulnKey(record: Json): string | undefined {
  return tryKeyOf('vuln', { id: str(record.id) });
}

export function mapVulnerability(record: Json, endpoints: Endpoints): NodeRecord | undefined {
  const key = vulnKey(record);
  if (!key) return undefined;
  const severity = severityOf(record);
  const details = str(record.details);
  const references = (Array.isArray(record.references) ? record.references.filter(isObject) : [])
    .filter((r) => typeof r.url === 'string')
    .slice(0, 100)
    .map((r) => ({ type: str(r.type) ?? 'WEB', url: r.url as string }));
  const props: Props = {
    name: record.id as string,
    aliases: (Array.isArray(record.aliases) ? record.aliases : []).filter((a): a is string => typeof a === 'string'),
    ...(str(record.summary) ?? details ? { summary: (str(record.summary) ?? details!.split('\n')[0]!).slice(0, 500) } : {}),
    ...(details ? { description: details } : {}),
    severity: severity.level,
    ...(severity.vector ? { cvss: severity.vector, cvssScore: severity.score!, cvssVersion: severity.cvssVersion! } : {}),
    ...(str(record.published) ? { published: str(record.published)! } : {}),
    ...(str(record.modified) ? { modified: str(record.modified)! } : {}),
    references,
    affected: (Array.isArray(record.affected) ? record.affected : []) as JsonValue,
    ...(urlOfKey(key, endpoints) ? { url: urlOfKey(key, endpoints)! } : {}),
  };
  return { kind: 'Vulnerability', key, props };
}

/** The record's `affected` entries for one package (name compared as the ecosystem compares it), or by its purl. */
export function entriesFor(record: Json, pkg: QueriedPackage): Json[] {
  return (Array.isArray(record.affected) ? record.affected.filter(isObject) : []).filter((a) => {
    const p = isObject(a.package) ? a.package : {};
    if (typeof p.ecosystem === 'string' && typeof p.name === 'string') {
      return p.ecosystem.split(':')[0] === pkg.ecosystem && normaliseName(pkg.ecosystem, p.name) === normaliseName(pkg.ecosystem, pkg.name);
    }
    return typeof p.purl === 'string' && p.purl.split('@')[0]!.toLowerCase() === pkg.purl.toLowerCase();
  });
}

/** Ecosystems a record names that the OSV schema does not define (reported against the package). */
export function unknownEcosystems(record: Json): string[] {
  const names = (Array.isArray(record.affected) ? record.affected.filter(isObject) : [])
    .map((a) => (isObject(a.package) ? a.package.ecosystem : undefined))
    .filter((e): e is string => typeof e === 'string' && !isKnownEcosystem(e));
  return [...new Set(names)];
}

export function evaluateFor(record: Json, pkg: QueriedPackage): Evaluation {
  return evaluateAffected(entriesFor(record, pkg), pkg.version);
}

export function affectsEdge(vuln: string, pkg: QueriedPackage, evaluation: Evaluation): EdgeRecord {
  return {
    kind: 'AFFECTS',
    from: vuln,
    to: pkg.key,
    source: 'osv',
    evidence: `affected ${pkg.ecosystem}/${pkg.name}@${pkg.version}`,
    confidence: 'declared',
    props: evaluation.fixed ? { fixed: evaluation.fixed } : {},
  };
}
