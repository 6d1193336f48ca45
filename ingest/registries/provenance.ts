/**
 * Publish provenance: which repository and workflow built a release, from the attestations the registry keeps.
 * PyPI's Integrity API (PEP 740) names a Trusted Publisher per bundle (`publisher.kind/repository/workflow`) and may
 * carry a SLSA statement with the commit; npm's attestations endpoint holds sigstore bundles whose DSSE payload is an
 * in-toto statement (SLSA provenance v1: `externalParameters.workflow`, v0.2: `invocation.configSource`). The
 * registries verify these at upload; we read them as the registry serves them (signatures are not re-verified here).
 */
import { keyOfUrl, kindOfKey } from '../../schema/keys.ts';
import type { EdgeRecord } from '../../schema/records.ts';

export interface Provenance {
  /** `gh:repo/<owner>/<name>` when the publisher is a GitHub repository. */
  repositoryKey?: string;
  /** The repository as the attestation names it (any forge). */
  repository: string;
  workflow?: string;
  commit?: string;
  /** What it was read from, for the edge's evidence. */
  evidence: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const HEX_COMMIT = /^[0-9a-f]{40}$|^[0-9a-f]{64}$/;

function decodeStatement(base64: unknown): Json | undefined {
  if (typeof base64 !== 'string' || base64.length > 4 * 1024 * 1024) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(base64, 'base64').toString('utf8')) as unknown;
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

const dig = (v: unknown, ...path: string[]): unknown => path.reduce<unknown>((at, p) => (isObject(at) ? at[p] : undefined), v);

/** Repository, workflow and commit from an in-toto statement's SLSA predicate (v1 or v0.2). */
function fromSlsa(statement: Json): { repository?: string; workflow?: string; commit?: string } {
  const predicate = statement.predicate;
  const v1 = dig(predicate, 'buildDefinition', 'externalParameters', 'workflow');
  if (isObject(v1)) {
    const deps = dig(predicate, 'buildDefinition', 'resolvedDependencies');
    const commit = Array.isArray(deps) ? str(dig(deps[0], 'digest', 'gitCommit')) : undefined;
    return { repository: str(v1.repository), workflow: str(v1.path), commit };
  }
  const source = dig(predicate, 'invocation', 'configSource');
  if (isObject(source)) {
    const uri = str(source.uri)?.replace(/^git\+/, '').replace(/@[^@]*$/, '');
    const entry = str(source.entryPoint);
    return { repository: uri, workflow: entry?.split('@')[0]?.split('/').slice(2).join('/') || entry, commit: str(dig(source, 'digest', 'sha1')) };
  }
  return {};
}

function finish(p: { repository?: string; workflow?: string; commit?: string }, evidence: string): Provenance | undefined {
  if (!p.repository) return undefined;
  const url = /^[a-z][a-z0-9+.-]*:/i.test(p.repository) ? p.repository : `https://github.com/${p.repository}`;
  const repositoryKey = githubRepoKeyOfUrl(url);
  return {
    repository: p.repository,
    ...(repositoryKey ? { repositoryKey } : {}),
    ...(p.workflow ? { workflow: p.workflow } : {}),
    ...(p.commit && HEX_COMMIT.test(p.commit.toLowerCase()) ? { commit: p.commit.toLowerCase() } : {}),
    evidence,
  };
}

/** A PEP 740 provenance object (`{version, attestation_bundles: [{publisher, attestations}]}`). */
export function pypiProvenance(body: unknown): Provenance | undefined {
  const bundles = dig(body, 'attestation_bundles');
  if (!Array.isArray(bundles)) return undefined;
  for (const bundle of bundles) {
    const publisher = dig(bundle, 'publisher');
    if (!isObject(publisher)) continue;
    const kind = str(publisher.kind);
    let repository = str(publisher.repository);
    // Only a GitHub publisher's `repository` is owner/name on github.com; others are kept as the forge names them.
    if (repository && kind && kind.toLowerCase() !== 'github' && !/^[a-z]+:/i.test(repository)) repository = `${kind.toLowerCase()}:${repository}`;
    const attestations = dig(bundle, 'attestations');
    let commit: string | undefined;
    for (const a of Array.isArray(attestations) ? attestations : []) {
      const statement = decodeStatement(dig(a, 'envelope', 'statement'));
      if (statement) commit ??= fromSlsa(statement).commit;
    }
    const workflow = str(publisher.workflow);
    const found = finish({ repository, workflow, commit }, `PEP 740 provenance: ${kind ?? 'unknown'} publisher`);
    if (found) {
      if (kind?.toLowerCase() !== 'github') delete found.repositoryKey;
      return found;
    }
  }
  return undefined;
}

/** npm's `/-/npm/v1/attestations/<name>@<version>` body: the SLSA provenance bundle's statement. */
export function npmProvenance(body: unknown): Provenance | undefined {
  const attestations = dig(body, 'attestations');
  if (!Array.isArray(attestations)) return undefined;
  for (const a of attestations) {
    const type = str(dig(a, 'predicateType'));
    if (!type?.startsWith('https://slsa.dev/provenance/')) continue;
    const statement = decodeStatement(dig(a, 'bundle', 'dsseEnvelope', 'payload'));
    if (!statement) continue;
    const found = finish(fromSlsa(statement), `npm provenance attestation (${type})`);
    if (found) return found;
  }
  return undefined;
}

/** The GitHub repository a declared source URL names (`project_urls`, npm `repository`), or undefined. */
export function githubRepoKeyOfUrl(url: string): string | undefined {
  const key = keyOfUrl(url);
  return key !== undefined && kindOfKey(key) === 'Repository' ? key : undefined;
}

/**
 * The BUILDS edge into a release: from the repository its provenance names (declared, with workflow and commit),
 * else from a GitHub repository its metadata names (inferred, with `inferredEvidence`); undefined with neither.
 */
export function buildsEdge(release: string, source: 'pypi' | 'npm', provenance: Provenance | undefined, declaredUrl: string | undefined, inferredEvidence: string): EdgeRecord | undefined {
  const builder = provenance?.repositoryKey ?? (provenance || !declaredUrl ? undefined : githubRepoKeyOfUrl(declaredUrl));
  if (!builder) return undefined;
  return {
    kind: 'BUILDS',
    from: builder,
    to: release,
    source,
    evidence: provenance ? provenance.evidence : inferredEvidence,
    confidence: provenance ? 'declared' : 'inferred',
    props: { ...(provenance?.workflow ? { workflow: provenance.workflow } : {}), ...(provenance?.commit ? { commit: provenance.commit } : {}) },
  };
}
