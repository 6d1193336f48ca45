/**
 * A node's license as its source states it: an SPDX id or expression where the declaration is one, else the license
 * by the name the source gives it (a Hub card's `license: other` comes with `license_name`, e.g. `merge-community`),
 * with the link the source gives (`license_link`, which a Hub card may write relative to the repository). Pure.
 */
import { Models, SPDX } from '@cyclonedx/cyclonedx-library';
import parseSpdxExpression from 'spdx-expression-parse';
import type { GraphNode } from '../../schema/records.ts';
import { propStr, repoPageUrl, safeUrl } from './identity.ts';

/** `license_link` as a URL: absolute as written, or a path inside the repository at the revision read. */
function licenseUrl(node: GraphNode): URL | undefined {
  const link = propStr(node, 'licenseLink');
  if (link === undefined) return undefined;
  const absolute = safeUrl(link);
  if (absolute) return new URL(absolute);
  const page = repoPageUrl(node);
  if (page === undefined || /^[a-z][a-z0-9+.-]*:/iu.test(link) || link.startsWith('/')) return undefined;
  const base = new URL(`${page}/blob/${encodeURIComponent(propStr(node, 'sha') ?? 'main')}/`);
  const resolved = new URL(link, base);
  // A path that climbs out of the repository (`../../x`) names no file in it.
  return resolved.origin === base.origin && resolved.pathname.startsWith(base.pathname) ? resolved : undefined;
}

export function licensesOf(node: GraphNode): Models.LicenseRepository {
  const repo = new Models.LicenseRepository();
  const declared = propStr(node, 'license');
  if (!declared) return repo;
  const url = licenseUrl(node);
  const spdx = SPDX.fixupSpdxId(declared);
  if (spdx) {
    repo.add(new Models.SpdxLicense(spdx, url ? { url } : {}));
    return repo;
  }
  // Several licenses (the Hub's `license: [a, b]` is written `a OR b`), an exception (`WITH`), a `LicenseRef-`:
  // CycloneDX's `expression` holds a valid SPDX expression, as npm's own parser reads one; anything else is a name.
  if (isSpdxExpression(declared)) {
    repo.add(new Models.LicenseExpression(declared));
    return repo;
  }
  const name = propStr(node, 'licenseName') ?? propStr(node, 'licenseRaw') ?? declared;
  repo.add(new Models.NamedLicense(name, url ? { url } : {}));
  return repo;
}

function isSpdxExpression(text: string): boolean {
  try {
    parseSpdxExpression(text);
    return true;
  } catch {
    return false;
  }
}
