/**
 * An npm release as records, from the packument and the version npm would install: the Package node (license,
 * `dist.integrity`, deprecated, publish time, latest), the package's maintainers (who can publish its next version)
 * as `npm:user/<name>` identities with CAN_WRITE, the repository that builds it (a provenance attestation, else the
 * GitHub repository its `repository` field names, read by hosted-git-info as npm reads it), and the dependencies
 * an install pulls in (dependencies, optional, non-optional peers) as requirements. Pure.
 */
import hostedGitInfo from 'hosted-git-info';
import { tryKeyOf, urlOfKey, type Endpoints } from '../../schema/keys.ts';
import type { EdgeRecord, NodeRecord, Props } from '../../schema/records.ts';
import { npmDependency, type DependencyScope } from '../manifests/index.ts';
import { buildsEdge, type Provenance } from './provenance.ts';
import type { Packument } from './resolve.ts';
import type { PackageMapping, Requirement } from './types.ts';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);

/** The repository URL a manifest's `repository` names (`"user/repo"`, `"github:user/repo"`, `{type, url}`). */
export function npmRepositoryUrl(repository: unknown): string | undefined {
  const raw = typeof repository === 'string' ? repository : isObject(repository) ? str(repository.url) : undefined;
  if (!raw) return undefined;
  const hosted = hostedGitInfo.fromUrl(raw);
  return hosted?.browse() ?? raw;
}

function npmLicense(manifest: Json): string | undefined {
  const l = manifest.license;
  if (typeof l === 'string') return str(l);
  if (isObject(l)) return str(l.type);
  if (Array.isArray(manifest.licenses)) return manifest.licenses.map((x) => (isObject(x) ? str(x.type) : str(x))).filter(Boolean).join(' OR ') || undefined;
  return undefined;
}

/** Sections an install of this package pulls in, in npm's order (optional wins over dependencies for a name). */
const INSTALLED: ReadonlyArray<readonly [string, DependencyScope]> = [
  ['dependencies', 'runtime'],
  ['peerDependencies', 'peer'],
  ['optionalDependencies', 'optional'],
];

export interface NpmMapInput {
  packument: Packument;
  manifest: Json;
  provenance?: Provenance;
  endpoints: Endpoints;
  key: string;
}

export function mapNpmRelease(input: NpmMapInput): PackageMapping {
  const { packument, manifest } = input;
  const version = str(manifest.version) ?? '';
  const dist = isObject(manifest.dist) ? manifest.dist : {};
  const repositoryUrl = input.provenance?.repository ?? npmRepositoryUrl(manifest.repository ?? packument.repository);
  const published = isObject(packument.time) ? str(packument.time[version]) : undefined;
  const latest = isObject(packument['dist-tags']) ? str(packument['dist-tags'].latest) : undefined;
  const license = npmLicense(manifest);
  const props: Props = {
    name: str(manifest.name) ?? str(packument.name) ?? '',
    ecosystem: 'npm',
    version,
    ...(license ? { license, licenseRaw: license } : {}),
    ...(str(manifest.description) ? { description: str(manifest.description)! } : {}),
    ...(urlOfKey(input.key, input.endpoints) ? { url: urlOfKey(input.key, input.endpoints)! } : {}),
    ...(str(dist.integrity) ? { integrity: str(dist.integrity)! } : {}),
    ...(str(dist.shasum) ? { shasum: str(dist.shasum)! } : {}),
    ...(str(manifest.deprecated) ? { deprecated: str(manifest.deprecated)! } : {}),
    ...(published ? { publishedAt: published } : {}),
    ...(latest ? { latestVersion: latest } : {}),
    ...(repositoryUrl ? { repositoryUrl } : {}),
    ...(isObject(manifest._npmUser) && str(manifest._npmUser.name) ? { publishedBy: str(manifest._npmUser.name)! } : {}),
  };
  const nodes: NodeRecord[] = [{ kind: 'Package', key: input.key, props }];
  const edges: EdgeRecord[] = [];
  const maintainers = Array.isArray(packument.maintainers) ? packument.maintainers : [];
  for (const m of maintainers) {
    const name = isObject(m) ? str(m.name) : typeof m === 'string' ? str(m.split(' <')[0]) : undefined;
    const key = name && tryKeyOf('npm-user', { name });
    if (!key) continue;
    nodes.push({ kind: 'Identity', key, props: { name: name!, type: 'user', ...(urlOfKey(key, input.endpoints) ? { url: urlOfKey(key, input.endpoints)! } : {}) } });
    edges.push({ kind: 'CAN_WRITE', from: key, to: input.key, source: 'npm', evidence: 'maintainers', confidence: 'declared', props: { role: 'maintainer' } });
  }
  const builds = buildsEdge(input.key, 'npm', input.provenance, repositoryUrl, 'repository');
  if (builds) edges.push(builds);
  const warnings: string[] = [];
  const byName = new Map<string, Requirement>();
  const peersMeta = isObject(manifest.peerDependenciesMeta) ? manifest.peerDependenciesMeta : {};
  for (const [section, scope] of INSTALLED) {
    const deps = manifest[section];
    if (!isObject(deps)) continue;
    for (const [name, spec] of Object.entries(deps)) {
      // npm 7+ installs peers unless they are marked optional.
      if (section === 'peerDependencies' && isObject(peersMeta[name]) && peersMeta[name].optional === true) continue;
      const dep = npmDependency(name, spec, scope, `${section}.${name}`, warnings);
      if (!dep || dep.source !== 'registry') continue;
      byName.set(name, { ecosystem: 'npm', name: dep.name, range: dep.versionRange ?? '*', scope, extras: [], evidence: `${section}.${name}: ${String(spec).slice(0, 200)}` });
    }
  }
  return { nodes, edges, requirements: [...byName.values()], warnings };
}
