/**
 * What a repository installs, as DEPENDS_ON edges to versioned Package keys (`pkg:pypi/torch@2.1.0`, the keys the
 * registries ingestor writes, so `aispm ingest packages` and `ingest osv` enrich them): from GitHub's dependency-graph
 * SBOM (SPDX 2.3, read by the SBOM room's reader), or, where that is disabled or forbidden, from the manifests and
 * lockfiles in the tree (read by `ingest/manifests`, as pip and npm read them). A dependency that names only a range
 * has no package version to point at: it is counted and listed, never guessed. Pure.
 */
import { formatPurl, keyOfPurl, kindOfKey, parsePurl } from '../../schema/keys.ts';
import type { EdgeRecord, Props } from '../../schema/records.ts';
import { declaredPackageKey, parseManifest, registryPackageKey, type DeclaredDependency } from '../manifests/index.ts';
import { canonicalRelationship, readSpdx2, Spdx2ReadError, type Spdx2Package } from '../sbom/spdx2.ts';
import { edge } from './map-common.ts';

export interface DependencyMapping {
  edges: EdgeRecord[];
  /** `name range` of dependencies that name no single version (resolve them with `aispm ingest packages`). */
  unpinned: string[];
  warnings: string[];
}

export const SBOM_EVIDENCE = 'dependency-graph/sbom';
const MAX_LISTED = 20;

/**
 * A version that names one release. GitHub's SBOM writes the declared requirement where it could not resolve one
 * (`>= 2.0`, `^4.17`, `4.*.*` for an action): those are ranges.
 */
function isExactVersion(v: string | undefined): v is string {
  return v !== undefined && v.length <= 200 && !/[\s<>=^~|,*!]/.test(v) && !/(?:^|\.)[xX](?:\.|$)/.test(v) && v !== 'latest';
}

/** The Package key of an SBOM package: its purl's version when exact, else its `versionInfo` when exact. */
function sbomPackageKey(p: Spdx2Package): { key?: string; range?: string; name?: string } {
  for (const text of p.purls) {
    const purl = parsePurl(text);
    if (!purl) continue;
    const version = isExactVersion(purl.version) ? purl.version : isExactVersion(p.version) ? p.version : undefined;
    const name = `${purl.type}:${[...purl.namespace, purl.name].join('/')}`;
    if (!version) return { name, range: purl.version ?? p.version ?? '*' };
    const found = keyOfPurl(formatPurl({ ...purl, version, qualifiers: {}, subpath: undefined }));
    if (found && kindOfKey(found.key) === 'Package') return { key: found.key, name };
    return { name };
  }
  return {};
}

/**
 * The dependency-graph SBOM (`{ sbom: { … } }` as the API answers) → DEPENDS_ON from the repository. Every package
 * but the described root is one the repository installs; a relationship from the root that names a scope (`B
 * DEV_DEPENDENCY_OF A`) gives it, else `runtime`. Throws Spdx2ReadError only for a body that is no SPDX 2 document.
 */
export function mapDependencySbom(repo: string, body: unknown): DependencyMapping {
  const doc = readSpdx2(body);
  const roots = new Set(doc.describes);
  const scopes = new Map<string, string>();
  for (const r of doc.relationships) {
    const c = canonicalRelationship(r);
    if (c.meaning === 'depends-on' && c.scope && !scopes.has(c.to)) scopes.set(c.to, c.scope);
    // The root is whatever the document says depends on everything (GitHub: the repository's own package).
    if (c.meaning === 'describes') roots.add(c.to);
  }
  const byKey = new Map<string, EdgeRecord>();
  const unpinned = new Set<string>();
  let noPurl = 0;
  let otherKinds = 0;
  for (const p of doc.packages) {
    if (roots.has(p.spdxId)) continue;
    const found = sbomPackageKey(p);
    if (!found.name) {
      noPurl++;
      continue;
    }
    if (found.range !== undefined) {
      unpinned.add(`${found.name} ${found.range}`);
      continue;
    }
    if (!found.key) {
      otherKinds++;
      continue;
    }
    if (byKey.has(found.key)) continue;
    const props: Props = { scope: scopes.get(p.spdxId) ?? 'runtime' };
    if (p.version && p.version !== parsePurl(found.key)?.version) props.versionRange = p.version;
    byKey.set(found.key, edge('DEPENDS_ON', repo, found.key, SBOM_EVIDENCE, { props }));
  }
  const warnings = doc.warnings.slice(0, MAX_LISTED).map((w) => `dependency-graph SBOM: ${w}`);
  if (noPurl) warnings.push(`dependency-graph SBOM: ${noPurl} packages without a purl; not recorded`);
  if (otherKinds) warnings.push(`dependency-graph SBOM: ${otherKinds} packages whose purl names no registry package (a repository, a Hub model); not recorded as dependencies`);
  return { edges: sorted(byKey), unpinned: [...unpinned].sort(), warnings };
}

export { Spdx2ReadError };

export interface ManifestText {
  path: string;
  text: string;
}

/**
 * Manifests and lockfiles in the tree → DEPENDS_ON every registry package they pin (a lockfile pins what it
 * installs, direct or not). Where two files name one package version, a direct declaration's evidence and scope
 * win over a lockfile entry's.
 */
export function mapManifestDependencies(repo: string, manifests: readonly ManifestText[]): DependencyMapping {
  const chosen = new Map<string, DeclaredDependency>();
  /** Declarations with a range by package (any version): a lockfile's pin of one takes its range, scope and place. */
  const declared = new Map<string, DeclaredDependency>();
  const ranges = new Map<string, string>();
  const warnings: string[] = [];
  for (const m of [...manifests].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    const parsed = parseManifest(m.path, m.text);
    if (!parsed) continue;
    warnings.push(...parsed.warnings.slice(0, MAX_LISTED));
    for (const dep of parsed.dependencies) {
      if (dep.ecosystem === 'conda' || dep.source !== 'registry') continue; // conda's own packages, URL and path installs
      const name = anyVersion(dep);
      if (!name) continue;
      if (dep.direct && dep.versionRange !== undefined && !declared.has(name)) declared.set(name, dep);
      const key = declaredPackageKey(dep);
      if (!key) {
        if (!ranges.has(name)) ranges.set(name, `${dep.ecosystem}:${dep.name} ${dep.versionRange ?? '*'}`);
        continue;
      }
      const before = chosen.get(key);
      if (!before || (!before.direct && dep.direct)) chosen.set(key, dep);
    }
  }
  const pinned = new Set<string>();
  const byKey = new Map<string, EdgeRecord>();
  for (const [key, dep] of chosen) {
    const name = anyVersion(dep)!;
    pinned.add(name);
    const direct = dep.versionRange !== undefined ? dep : (declared.get(name) ?? dep);
    const props: Props = { scope: direct.scope };
    if (direct.versionRange) props.versionRange = direct.versionRange;
    byKey.set(key, edge('DEPENDS_ON', repo, key, direct === dep ? dep.evidence : `${direct.evidence}, ${dep.evidence}`, { props }));
  }
  return { edges: sorted(byKey), unpinned: [...ranges].filter(([name]) => !pinned.has(name)).map(([, text]) => text).sort(), warnings };
}

/** A package whatever its version, compared as its registry names it (the key's canonical name). */
function anyVersion(dep: DeclaredDependency): string | undefined {
  return registryPackageKey(dep.ecosystem, dep.name, '0');
}

function sorted(byKey: Map<string, EdgeRecord>): EdgeRecord[] {
  return [...byKey.values()].sort((a, b) => (a.to < b.to ? -1 : a.to > b.to ? 1 : 0));
}

/** A short line naming what could not be pinned, for the repository's warnings. */
export function unpinnedNote(unpinned: readonly string[]): string | undefined {
  if (!unpinned.length) return undefined;
  const shown = unpinned.slice(0, 5).join(', ');
  return `${unpinned.length} dependencies name only a version range (${shown}${unpinned.length > 5 ? ', …' : ''}); no package version recorded for them`;
}
