/**
 * Hub license identifiers (the `license:` metadata the Hub accepts) to SPDX ids. Hub ids are lower-case SPDX ids
 * for most licenses; the rest (openrail++, llama3, other, …) have no SPDX equivalent and stay raw only.
 */
const SPDX_IDS = [
  'AFL-3.0', 'Apache-2.0', 'Artistic-2.0', 'BSL-1.0', 'BSD-2-Clause', 'BSD-3-Clause', 'BSD-3-Clause-Clear',
  'CC0-1.0', 'CC-BY-2.0', 'CC-BY-2.5', 'CC-BY-3.0', 'CC-BY-4.0', 'CC-BY-SA-3.0', 'CC-BY-SA-4.0', 'CC-BY-NC-2.0',
  'CC-BY-NC-3.0', 'CC-BY-NC-4.0', 'CC-BY-ND-4.0', 'CC-BY-NC-ND-3.0', 'CC-BY-NC-ND-4.0', 'CC-BY-NC-SA-2.0',
  'CC-BY-NC-SA-3.0', 'CC-BY-NC-SA-4.0', 'CDLA-Sharing-1.0', 'CDLA-Permissive-1.0', 'CDLA-Permissive-2.0', 'WTFPL',
  'ECL-2.0', 'EPL-1.0', 'EPL-2.0', 'EUPL-1.1', 'EUPL-1.2', 'ISC', 'LPPL-1.3c', 'MS-PL', 'MIT', 'MPL-2.0', 'ODC-By-1.0',
  'ODbL-1.0', 'OFL-1.1', 'PostgreSQL', 'NCSA', 'Unlicense', 'Zlib', 'PDDL-1.0', 'OSL-3.0', 'GPL-2.0-only',
  'GPL-3.0-only', 'LGPL-2.1-only', 'LGPL-3.0-only', 'AGPL-3.0-only', 'GFDL-1.3-only',
] as const;

/** Hub spellings that differ from the SPDX id (the GNU family drops `-only`; ODC/ODbL/PDDL drop the version). */
const HUB_ALIASES: Record<string, string> = {
  'gpl-2.0': 'GPL-2.0-only',
  'gpl-3.0': 'GPL-3.0-only',
  'lgpl-2.1': 'LGPL-2.1-only',
  'lgpl-3.0': 'LGPL-3.0-only',
  'agpl-3.0': 'AGPL-3.0-only',
  'lgpl-lr': 'LGPL-2.1-only',
  gfdl: 'GFDL-1.3-only',
  'odc-by': 'ODC-By-1.0',
  odbl: 'ODbL-1.0',
  pddl: 'PDDL-1.0',
};

const BY_LOWER = new Map<string, string>(SPDX_IDS.map((id) => [id.toLowerCase(), id]));

/** The SPDX id for a Hub license value, or undefined when none matches (openrail++, other, llama2, …). */
export function spdxFor(raw: string): string | undefined {
  const v = raw.trim().toLowerCase();
  return HUB_ALIASES[v] ?? BY_LOWER.get(v);
}
