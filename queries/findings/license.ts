/**
 * License strictness, for license drift along lineage. A derivative should carry terms at least as strict as its
 * bases; a looser license on a derivative usually means the base's terms were dropped.
 *
 * Order (strictest first), as documented for users:
 *   4 restricted  — proprietary, other, non-commercial (cc-by-nc*), no-derivatives (cc-by-nd*), and any license
 *                   string we do not recognise (unknown terms must be read, so they count as strict)
 *   3 copyleft    — gpl, lgpl, agpl, cc-by-sa, mpl, eupl, osl, epl, gfdl, odbl
 *   2 responsible — openrail family (openrail, openrail++, *-openrail-m, bigscience-bloom-rail), llama, gemma
 *   1 permissive  — mit, apache, bsd, cc-by, cc0, isc, unlicense, zlib, bsl-1.0, wtfpl, afl, ecl, postgresql, pddl
 */

export type LicenseClass = 'restricted' | 'copyleft' | 'responsible' | 'permissive';

export const LICENSE_RANK: Readonly<Record<LicenseClass, number>> = { restricted: 4, copyleft: 3, responsible: 2, permissive: 1 };

const RULES: ReadonlyArray<readonly [RegExp, LicenseClass]> = [
  // Order matters: the more specific Creative Commons variants first.
  [/^cc-by-nc|^cc-by-nd|non-?commercial|^proprietary$|^other$|^unknown$/, 'restricted'],
  [/^cc-by-sa|^(a|l)?gpl|^mpl|^eupl|^osl|^epl|^gfdl|^odbl|^cc-by-sa/, 'copyleft'],
  [/openrail|^bigscience-bloom-rail|^llama|^gemma/, 'responsible'],
  [/^mit$|^mit-|^apache|^bsd|^cc-by-\d|^cc-by$|^cc0|^isc$|^unlicense$|^zlib$|^bsl-1\.0$|^wtfpl$|^afl|^ecl|^postgresql$|^pddl$|^odc-by/, 'permissive'],
];

/** The class of a license id; undefined when there is no license to judge (absent or empty). */
export function licenseClass(license: unknown): LicenseClass | undefined {
  if (typeof license !== 'string') return undefined;
  const id = license.trim().toLowerCase();
  if (!id) return undefined;
  for (const [re, cls] of RULES) if (re.test(id)) return cls;
  return 'restricted';
}

/** True when `derived` is strictly looser than `base`. */
export function isLooser(derived: LicenseClass, base: LicenseClass): boolean {
  return LICENSE_RANK[derived] < LICENSE_RANK[base];
}
