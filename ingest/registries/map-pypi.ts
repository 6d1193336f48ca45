/**
 * A PyPI release as records: the Package node (license as SPDX from `license_expression` or the classifiers, the
 * raw value kept; files and their sha256; yanked; the latest version), the project's owners and maintainers
 * (`ownership.roles`) as identities that can publish it, the repository that builds it (PEP 740 provenance,
 * else a GitHub source URL in `project_urls`), and its `requires_dist` as requirements to resolve. Pure.
 */
import { tryKeyOf, urlOfKey, type Endpoints } from '../../schema/keys.ts';
import type { EdgeRecord, NodeRecord, Props } from '../../schema/records.ts';
import { normaliseExtra, readRequirement } from '../manifests/index.ts';
import { buildsEdge, githubRepoKeyOfUrl, type Provenance } from './provenance.ts';
import type { PypiRelease } from './resolve.ts';
import type { PackageMapping, Requirement } from './types.ts';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);

/** Trove license classifiers that name exactly one SPDX license (ambiguous ones such as "BSD License" do not). */
const CLASSIFIER_SPDX: Record<string, string> = {
  'MIT License': 'MIT',
  'MIT No Attribution License (MIT-0)': 'MIT-0',
  'Apache Software License': 'Apache-2.0',
  'ISC License (ISCL)': 'ISC',
  'Mozilla Public License 2.0 (MPL 2.0)': 'MPL-2.0',
  'Python Software Foundation License': 'PSF-2.0',
  'GNU General Public License v2 (GPLv2)': 'GPL-2.0-only',
  'GNU General Public License v2 or later (GPLv2+)': 'GPL-2.0-or-later',
  'GNU General Public License v3 (GPLv3)': 'GPL-3.0-only',
  'GNU General Public License v3 or later (GPLv3+)': 'GPL-3.0-or-later',
  'GNU Lesser General Public License v2 (LGPLv2)': 'LGPL-2.0-only',
  'GNU Lesser General Public License v2 or later (LGPLv2+)': 'LGPL-2.0-or-later',
  'GNU Lesser General Public License v3 (LGPLv3)': 'LGPL-3.0-only',
  'GNU Lesser General Public License v3 or later (LGPLv3+)': 'LGPL-3.0-or-later',
  'GNU Affero General Public License v3': 'AGPL-3.0-only',
  'GNU Affero General Public License v3 or later (AGPLv3+)': 'AGPL-3.0-or-later',
  'Eclipse Public License 2.0 (EPL-2.0)': 'EPL-2.0',
  'The Unlicense (Unlicense)': 'Unlicense',
  'Boost Software License 1.0 (BSL-1.0)': 'BSL-1.0',
  'zlib/libpng License': 'Zlib',
};

export function pypiLicense(info: Json): { license?: string; licenseRaw?: string } {
  const expression = str(info.license_expression);
  const raw = str(info.license);
  const classifiers = Array.isArray(info.classifiers) ? info.classifiers.filter((c): c is string => typeof c === 'string') : [];
  const fromClassifiers = classifiers
    .filter((c) => c.startsWith('License :: '))
    .map((c) => CLASSIFIER_SPDX[c.split(' :: ').pop()!])
    .filter((s): s is string => s !== undefined);
  const license = expression ?? (fromClassifiers.length ? [...new Set(fromClassifiers)].join(' OR ') : undefined);
  // A whole license text pasted into the field is not a name; the first line is what a person needs.
  const licenseRaw = expression ?? raw?.split('\n')[0]?.slice(0, 200) ?? classifiers.find((c) => c.startsWith('License :: '));
  return { ...(license ? { license } : {}), ...(licenseRaw ? { licenseRaw } : {}) };
}

/** Releases from `/pypi/<name>/json`'s `releases` map: a release is yanked when every file is (PEP 592). */
export function pypiReleases(project: Json): PypiRelease[] | undefined {
  const releases = project.releases;
  if (!isObject(releases)) return undefined;
  return Object.entries(releases).map(([version, files]) => {
    const list = Array.isArray(files) ? files.filter(isObject) : [];
    const yanked = list.length > 0 && list.every((f) => f.yanked === true);
    const reason = yanked ? list.map((f) => str(f.yanked_reason)).find(Boolean) : undefined;
    return { version, yanked, files: list.length, ...(reason ? { yankedReason: reason } : {}) };
  });
}

/** Where the source lives, as `project_urls` and `home_page` say: a GitHub URL under a source-like label first. */
export function pypiSourceUrl(info: Json): string | undefined {
  const urls = isObject(info.project_urls) ? Object.entries(info.project_urls).filter((e): e is [string, string] => typeof e[1] === 'string') : [];
  const home = str(info.home_page);
  const ordered = [
    ...urls.filter(([label]) => /source|repository|code|github/i.test(label)),
    ...urls.filter(([label]) => /home/i.test(label)),
    ...(home ? [['home_page', home] as [string, string]] : []),
    ...urls,
  ];
  return ordered.find(([, url]) => githubRepoKeyOfUrl(url))?.[1];
}

export interface PypiMapInput {
  /** `/pypi/<name>/<version>/json` (or the project document when the version is the latest). */
  release: Json;
  latestVersion?: string;
  yanked?: { reason?: string };
  provenance?: Provenance;
  /** Extras the dependant asked for: requirements behind `extra == …` markers are followed only for these. */
  extras: readonly string[];
  endpoints: Endpoints;
  key: string;
}

export function mapPypiRelease(input: PypiMapInput): PackageMapping {
  const info = isObject(input.release.info) ? input.release.info : {};
  const version = str(info.version) ?? '';
  const files = (Array.isArray(input.release.urls) ? input.release.urls.filter(isObject) : []).map((f) => ({
    filename: str(f.filename) ?? '',
    sha256: str(isObject(f.digests) ? f.digests.sha256 : undefined) ?? '',
    packagetype: str(f.packagetype) ?? '',
  }));
  const uploaded = (Array.isArray(input.release.urls) ? input.release.urls.filter(isObject) : []).map((f) => str(f.upload_time_iso_8601)).filter((t): t is string => t !== undefined).sort();
  const sourceUrl = input.provenance ? undefined : pypiSourceUrl(info);
  const props: Props = {
    name: str(info.name) ?? '',
    ecosystem: 'pypi',
    version,
    ...pypiLicense(info),
    ...(str(info.summary) ? { description: str(info.summary)! } : {}),
    ...(urlOfKey(input.key, input.endpoints) ? { url: urlOfKey(input.key, input.endpoints)! } : {}),
    ...(str(info.requires_python) ? { requiresPython: str(info.requires_python)! } : {}),
    yanked: Boolean(input.yanked),
    ...(input.yanked?.reason ? { yankedReason: input.yanked.reason } : {}),
    ...(files.length ? { files } : {}),
    ...(uploaded.length ? { publishedAt: uploaded[0]! } : {}),
    ...(input.latestVersion ? { latestVersion: input.latestVersion } : {}),
    ...(input.provenance ? { repositoryUrl: input.provenance.repository } : sourceUrl ? { repositoryUrl: sourceUrl } : {}),
  };
  const nodes: NodeRecord[] = [{ kind: 'Package', key: input.key, props }];
  const edges: EdgeRecord[] = [];
  const ownership = isObject(input.release.ownership) ? input.release.ownership : {};
  for (const role of Array.isArray(ownership.roles) ? ownership.roles.filter(isObject) : []) {
    const user = str(role.user);
    const key = user && tryKeyOf('pypi-user', { name: user });
    if (!key) continue;
    nodes.push({ kind: 'Identity', key, props: { name: user, type: 'user', ...(urlOfKey(key, input.endpoints) ? { url: urlOfKey(key, input.endpoints)! } : {}) } });
    edges.push({ kind: 'CAN_WRITE', from: key, to: input.key, source: 'pypi', evidence: 'ownership.roles', confidence: 'declared', props: { role: (str(role.role) ?? 'maintainer').toLowerCase() } });
  }
  const org = str(ownership.organization);
  const orgKey = org && tryKeyOf('pypi-org', { name: org });
  if (orgKey) {
    nodes.push({ kind: 'Identity', key: orgKey, props: { name: org!, type: 'org' } });
    edges.push({ kind: 'CAN_WRITE', from: orgKey, to: input.key, source: 'pypi', evidence: 'ownership.organization', confidence: 'declared', props: { role: 'owner' } });
  }
  const builds = buildsEdge(input.key, 'pypi', input.provenance, sourceUrl, 'info.project_urls');
  if (builds) edges.push(builds);
  const requirements: Requirement[] = [];
  const warnings: string[] = [];
  const wanted = new Set(input.extras.map(normaliseExtra));
  (Array.isArray(info.requires_dist) ? info.requires_dist : []).forEach((text, i) => {
    if (typeof text !== 'string') return;
    const req = readRequirement(text, `requires_dist[${i}]`, warnings);
    if (!req) return;
    // pip installs an extra's requirements only when the extra is asked for.
    if (req.markerExtras.length && !req.markerExtras.some((e) => wanted.has(e))) return;
    if (req.url) return; // a direct reference is not resolved from the index
    requirements.push({
      ecosystem: 'pypi',
      name: req.name,
      range: req.specifier,
      scope: req.markerExtras.length ? 'optional' : 'runtime',
      extras: req.extras,
      evidence: `requires_dist: ${text.slice(0, 200)}`,
    });
  });
  return { nodes, edges, requirements, warnings };
}
