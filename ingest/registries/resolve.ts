/**
 * Version resolution as the installers do it. PyPI: the highest release satisfying the PEP 440 specifier set (the
 * PEP 440 library, which follows `packaging`: pre-releases only when the specifier names one or nothing else
 * matches, as pip installs them), releases with no files or an invalid version left out, yanked releases excluded
 * unless the specifier pins that exact version (PEP 592). npm: `npm-pick-manifest`, the npm CLI's own picker
 * (dist-tag `latest` when it satisfies, else the highest match, non-deprecated preferred, pre-releases only when the
 * range names one). The range stays on the edge; the resolved version names the target.
 */
import { compare as pep440Compare, maxSatisfying, valid as pep440Valid } from '@renovatebot/pep440';
import pickManifest from 'npm-pick-manifest';
import { pinnedVersionOf } from '../manifests/index.ts';

export interface PypiRelease {
  version: string;
  /** Every file of the release is yanked (PEP 592: a release is yanked when all its files are). */
  yanked: boolean;
  yankedReason?: string;
  files: number;
}

export type Resolved = { ok: true; version: string; yanked?: boolean; yankedReason?: string } | { ok: false; reason: string };

/** The release a PEP 440 specifier set (alternatives joined by `||`, as manifests write Poetry's) resolves to. */
export function resolvePypi(releases: readonly PypiRelease[], range: string | undefined): Resolved {
  const installable = releases.filter((r) => r.files > 0 && pep440Valid(r.version) !== null);
  if (!installable.length) return { ok: false, reason: 'the project has no installable release' };
  const byVersion = new Map(installable.map((r) => [r.version, r]));
  const live = installable.filter((r) => !r.yanked).map((r) => r.version);
  let best: string | undefined;
  for (const alternative of (range ?? '').split('||').map((a) => a.trim())) {
    let found = maxSatisfying(live, alternative);
    // PEP 592: an exact pin may still select a yanked release.
    if (found === null && pinnedVersionOf(alternative.replace(/\s+/g, ''))) found = maxSatisfying(installable.map((r) => r.version), alternative);
    if (found !== null && (best === undefined || pep440Compare(found, best) > 0)) best = found;
  }
  if (best === undefined) {
    const onlyYanked = (range ?? '').split('||').some((a) => maxSatisfying(installable.map((r) => r.version), a.trim()) !== null);
    return { ok: false, reason: `no release satisfies "${range ?? ''}"${onlyYanked ? ' (only yanked releases do)' : ''}` };
  }
  const release = byVersion.get(best)!;
  return { ok: true, version: best, ...(release.yanked ? { yanked: true, ...(release.yankedReason ? { yankedReason: release.yankedReason } : {}) } : {}) };
}

export interface Packument {
  name?: unknown;
  'dist-tags'?: Record<string, string>;
  versions?: Record<string, Record<string, unknown>>;
  time?: Record<string, string>;
  [field: string]: unknown;
}

/** The manifest npm installs for `range` (a semver range, an exact version or a dist-tag; '' or '*' for any). */
export function resolveNpm(packument: Packument, range: string | undefined): Resolved & { manifest?: Record<string, unknown> } {
  try {
    const manifest = pickManifest(packument, range && range.trim() ? range : '*');
    return { ok: true, version: manifest.version, manifest };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ETARGET' || code === 'ENOVERSIONS' || code === 'E403') return { ok: false, reason: `no version satisfies "${range ?? '*'}" (${String(code)})` };
    if (err instanceof TypeError) return { ok: false, reason: `"${range}" is not a version range npm accepts` };
    throw err;
  }
}
