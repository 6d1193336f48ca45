/**
 * Local stand-ins for PyPI and the npm registry, built from a small description of packages and answering in the
 * real shapes: PyPI's `/pypi/<project>/json` (info of the latest release, `releases` with files, digests and
 * per-file yanked, `urls`, `ownership`, `vulnerabilities`) and `/pypi/<project>/<version>/json`, a 301 from a
 * non-normalised project name to the PEP 503 one, the Integrity API's PEP 740 provenance; npm's full packument
 * (`dist-tags`, `versions` with `dist.integrity`/`dist.attestations`, `time`, `maintainers`, scoped names as
 * `@scope%2fname`) and `/-/npm/v1/attestations/<name>@<version>` with an in-toto SLSA v1 statement in a DSSE
 * envelope. Faults and delays come from serve.ts.
 */
import { createHash } from 'node:crypto';
import { serveJson, type Answer, type ReplayBase, type ReplayFault } from './serve.ts';

export interface ReplayProvenance {
  repository: string;
  workflow: string;
  commit: string;
}

export interface PypiReleaseSpec {
  requires_dist?: string[];
  /** The reason, on every file of the release. */
  yanked?: string;
  license?: string;
  license_expression?: string;
  classifiers?: string[];
  project_urls?: Record<string, string>;
  /** No files at all (a release whose files were deleted). */
  noFiles?: boolean;
  provenance?: ReplayProvenance;
  summary?: string;
}

export interface PypiProjectSpec {
  name: string;
  releases: Record<string, PypiReleaseSpec>;
  roles?: Array<{ role: 'Owner' | 'Maintainer'; user: string }>;
  organization?: string;
}

export interface NpmVersionSpec {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  devDependencies?: Record<string, string>;
  deprecated?: string;
  license?: string;
  repository?: unknown;
  provenance?: ReplayProvenance;
}

export interface NpmPackageSpec {
  name: string;
  versions: Record<string, NpmVersionSpec>;
  distTags?: Record<string, string>;
  maintainers?: string[];
}

const sha = (text: string, alg = 'sha256') => createHash(alg).update(text).digest('hex');
const pep503 = (name: string) => name.toLowerCase().replace(/[-_.]+/g, '-');
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');

function pypiFiles(base: string, project: PypiProjectSpec, version: string, spec: PypiReleaseSpec) {
  if (spec.noFiles) return [];
  const stem = `${project.name.replace(/-/g, '_')}-${version}`;
  return [`${stem}-py3-none-any.whl`, `${stem}.tar.gz`].map((filename, i) => ({
    comment_text: '',
    digests: { blake2b_256: sha(filename, 'sha512').slice(0, 64), md5: sha(filename, 'md5'), sha256: sha(filename) },
    downloads: -1,
    filename,
    has_sig: false,
    md5_digest: sha(filename, 'md5'),
    packagetype: i === 0 ? 'bdist_wheel' : 'sdist',
    python_version: i === 0 ? 'py3' : 'source',
    requires_python: '>=3.8',
    size: 1000 + i,
    upload_time: '2024-01-02T03:04:05',
    upload_time_iso_8601: '2024-01-02T03:04:05.000000Z',
    url: `${base}/packages/${filename}`,
    yanked: spec.yanked !== undefined,
    yanked_reason: spec.yanked ?? null,
  }));
}

function pypiInfo(base: string, project: PypiProjectSpec, version: string, spec: PypiReleaseSpec) {
  return {
    author: '', author_email: '', bugtrack_url: null, classifiers: spec.classifiers ?? [], description: '', description_content_type: null,
    docs_url: null, download_url: '', downloads: { last_day: -1, last_month: -1, last_week: -1 }, dynamic: null, home_page: '', keywords: '',
    license: spec.license ?? null, license_expression: spec.license_expression ?? null, license_files: null, maintainer: '', maintainer_email: '',
    name: project.name, package_url: `${base}/project/${project.name}/`, platform: null, project_url: `${base}/project/${project.name}/`,
    project_urls: spec.project_urls ?? null, provides_extra: null, release_url: `${base}/project/${project.name}/${version}/`,
    requires_dist: spec.requires_dist ?? null, requires_python: '>=3.8', summary: spec.summary ?? `${project.name} for tests`, version,
    yanked: spec.yanked !== undefined, yanked_reason: spec.yanked ?? null,
  };
}

/** The latest release PyPI reports in `info`: the highest non-yanked, non-pre-release one (last listed here). */
function latestOf(project: PypiProjectSpec): string {
  const versions = Object.keys(project.releases).filter((v) => project.releases[v]!.yanked === undefined && !/[a-z]/i.test(v));
  return versions[versions.length - 1] ?? Object.keys(project.releases).at(-1)!;
}

export interface RegistryReplay {
  pypi: ReplayBase;
  npm: ReplayBase;
  projects: Map<string, PypiProjectSpec>;
  packages: Map<string, NpmPackageSpec>;
  close(): Promise<void>;
}

export interface RegistryReplayOptions {
  delayMs?: number;
  pypiFaults?: ReplayFault[];
  npmFaults?: ReplayFault[];
}

function pypiHandler(projects: Map<string, PypiProjectSpec>, baseOf: () => string) {
  return (_req: unknown, url: URL): Answer => {
    const base = baseOf();
    const project = /^\/pypi\/([^/]+)\/json$/.exec(url.pathname);
    const release = /^\/pypi\/([^/]+)\/([^/]+)\/json$/.exec(url.pathname);
    const integrity = /^\/integrity\/([^/]+)\/([^/]+)\/([^/]+)\/provenance$/.exec(url.pathname);
    const name = decodeURIComponent((project ?? release ?? integrity)?.[1] ?? '');
    const spec = projects.get(pep503(name));
    if (!spec) return { status: 404, body: { message: 'Not Found' } };
    if ((project || release) && name !== pep503(name)) {
      return { status: 301, headers: { location: url.pathname.replace(`/pypi/${encodeURIComponent(name)}/`, `/pypi/${pep503(name)}/`) } };
    }
    const ownership = { organization: spec.organization ?? null, roles: spec.roles ?? [] };
    if (project) {
      const latest = latestOf(spec);
      const releases = Object.fromEntries(Object.entries(spec.releases).map(([v, r]) => [v, pypiFiles(base, spec, v, r)]));
      return { status: 200, body: { info: pypiInfo(base, spec, latest, spec.releases[latest]!), last_serial: 1, ownership, releases, urls: releases[latest], vulnerabilities: [] } };
    }
    if (release) {
      const version = decodeURIComponent(release[2]!);
      const r = spec.releases[version];
      if (!r) return { status: 404, body: { message: 'Not Found' } };
      return { status: 200, body: { info: pypiInfo(base, spec, version, r), last_serial: 1, ownership, urls: pypiFiles(base, spec, version, r), vulnerabilities: [] } };
    }
    const version = decodeURIComponent(integrity![2]!);
    const p = spec.releases[version]?.provenance;
    if (!p) return { status: 404, body: { message: 'Not Found' } };
    const filename = decodeURIComponent(integrity![3]!);
    const statement = {
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: filename, digest: { sha256: sha(filename) } }],
      predicateType: 'https://slsa.dev/provenance/v1',
      predicate: { buildDefinition: { externalParameters: { workflow: { ref: `refs/tags/v${version}`, repository: `https://github.com/${p.repository}`, path: `.github/workflows/${p.workflow}` } }, resolvedDependencies: [{ uri: `git+https://github.com/${p.repository}@refs/tags/v${version}`, digest: { gitCommit: p.commit } }] } },
    };
    return {
      status: 200,
      body: { version: 1, attestation_bundles: [{ publisher: { kind: 'GitHub', repository: p.repository, workflow: p.workflow, environment: null }, attestations: [{ version: 1, verification_material: { certificate: '', transparency_entries: [] }, envelope: { statement: b64(statement), signature: '' } }] }] },
    };
  };
}

function npmHandler(packages: Map<string, NpmPackageSpec>, baseOf: () => string) {
  return (_req: unknown, url: URL): Answer => {
    const base = baseOf();
    const attest = /^\/-\/npm\/v1\/attestations\/(.+)@([^@/]+)$/.exec(url.pathname);
    const name = decodeURIComponent(attest ? attest[1]! : url.pathname.slice(1));
    const spec = packages.get(name);
    if (!spec) return { status: 404, body: { error: 'Not found' } };
    if (attest) {
      const version = decodeURIComponent(attest[2]!);
      const p = spec.versions[version]?.provenance;
      if (!p) return { status: 404, body: { error: 'Not found' } };
      const statement = {
        _type: 'https://in-toto.io/Statement/v1',
        subject: [{ name: `pkg:npm/${name}@${version}`, digest: { sha512: sha(`${name}@${version}`, 'sha512') } }],
        predicateType: 'https://slsa.dev/provenance/v1',
        predicate: { buildDefinition: { externalParameters: { workflow: { ref: `refs/tags/v${version}`, repository: `https://github.com/${p.repository}`, path: `.github/workflows/${p.workflow}` } }, resolvedDependencies: [{ uri: `git+https://github.com/${p.repository}@refs/tags/v${version}`, digest: { gitCommit: p.commit } }] } },
      };
      return {
        status: 200,
        body: { attestations: [{ predicateType: 'https://slsa.dev/provenance/v1', bundle: { mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json', verificationMaterial: { certificate: { rawBytes: '' }, tlogEntries: [] }, dsseEnvelope: { payload: b64(statement), payloadType: 'application/vnd.in-toto+json', signatures: [{ sig: '', keyid: '' }] } } }] },
      };
    }
    const versions = Object.keys(spec.versions);
    const escaped = name.startsWith('@') ? `@${encodeURIComponent(name.slice(1))}` : name;
    const manifests = Object.fromEntries(
      versions.map((v) => {
        const s = spec.versions[v]!;
        const integrity = `sha512-${Buffer.from(sha(`${name}@${v}`, 'sha512'), 'hex').toString('base64')}`;
        return [v, {
          name, version: v, description: `${name} for tests`, license: s.license ?? 'MIT',
          ...(s.repository !== undefined ? { repository: s.repository } : {}),
          ...(s.dependencies ? { dependencies: s.dependencies } : {}),
          ...(s.optionalDependencies ? { optionalDependencies: s.optionalDependencies } : {}),
          ...(s.peerDependencies ? { peerDependencies: s.peerDependencies } : {}),
          ...(s.peerDependenciesMeta ? { peerDependenciesMeta: s.peerDependenciesMeta } : {}),
          ...(s.devDependencies ? { devDependencies: s.devDependencies } : {}),
          ...(s.deprecated ? { deprecated: s.deprecated } : {}),
          _id: `${name}@${v}`, _npmUser: { name: spec.maintainers?.[0] ?? 'publisher', email: 'publisher@example.invalid' },
          dist: {
            integrity, shasum: sha(`${name}@${v}`, 'sha1'), tarball: `${base}/${escaped}/-/${name.split('/').pop()}-${v}.tgz`,
            ...(s.provenance ? { attestations: { url: `${base}/-/npm/v1/attestations/${escaped}@${v}`, provenance: { predicateType: 'https://slsa.dev/provenance/v1' } } } : {}),
          },
        }];
      }),
    );
    const latest = spec.distTags?.latest ?? versions.filter((v) => !v.includes('-')).at(-1) ?? versions.at(-1)!;
    return {
      status: 200,
      body: {
        _id: name, _rev: '1-0', name, description: `${name} for tests`, 'dist-tags': { latest, ...(spec.distTags ?? {}) }, versions: manifests,
        time: { created: '2020-01-01T00:00:00.000Z', modified: '2024-01-01T00:00:00.000Z', ...Object.fromEntries(versions.map((v, i) => [v, new Date(Date.UTC(2021, 0, 1 + i)).toISOString()])) },
        maintainers: (spec.maintainers ?? []).map((m) => ({ name: m, email: `${m}@example.invalid` })), license: 'MIT', readme: '',
      },
    };
  };
}

export async function startRegistryReplay(projects: PypiProjectSpec[], packages: NpmPackageSpec[], opts: RegistryReplayOptions = {}): Promise<RegistryReplay> {
  const p = new Map(projects.map((x) => [pep503(x.name), x]));
  const n = new Map(packages.map((x) => [x.name, x]));
  let pypiUrl = '';
  let npmUrl = '';
  const pypi = await serveJson(pypiHandler(p, () => pypiUrl), { ...(opts.delayMs ? { delayMs: opts.delayMs } : {}), ...(opts.pypiFaults ? { faults: opts.pypiFaults } : {}) });
  const npm = await serveJson(npmHandler(n, () => npmUrl), { ...(opts.delayMs ? { delayMs: opts.delayMs } : {}), ...(opts.npmFaults ? { faults: opts.npmFaults } : {}) });
  pypiUrl = pypi.url;
  npmUrl = npm.url;
  return { pypi, npm, projects: p, packages: n, close: async () => void (await Promise.all([pypi.close(), npm.close()])) };
}
