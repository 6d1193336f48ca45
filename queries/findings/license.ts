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

/**
 * The class of a license id or expression; undefined when there is no license to judge (absent or empty). In an
 * expression (`MIT OR Apache-2.0`, `(A AND B) OR C`, `GPL-2.0 WITH Classpath-exception-2.0`) a choice (OR) is as
 * strict as its loosest option, a combination (AND) as its strictest part, and an exception leaves its license's
 * class; a string that is not an expression is classed whole.
 */
export function licenseClass(license: unknown): LicenseClass | undefined {
  if (typeof license !== 'string') return undefined;
  const text = license.trim();
  if (!text) return undefined;
  return expressionClass(text) ?? idClass(text);
}

function idClass(license: string): LicenseClass {
  const id = license.toLowerCase().replace(/\+$/u, '');
  for (const [re, cls] of RULES) if (re.test(id)) return cls;
  return 'restricted';
}

const CLASS_BY_RANK = Object.fromEntries(Object.entries(LICENSE_RANK).map(([cls, rank]) => [rank, cls])) as Record<number, LicenseClass>;

/**
 * The class of an expression of at least one operator, or undefined when the text is not one. Tolerant where the
 * SPDX grammar is strict (ids need not be on the SPDX list, operators in any case): Hub cards name licenses that are
 * not SPDX ids (`openrail`, `llama2`), and the class is all that is asked of them here.
 */
function expressionClass(text: string): LicenseClass | undefined {
  const tokens = text.split(/(\(|\)|\s+)/u).filter((t) => t.trim() !== '');
  if (!tokens.some((t) => /^(and|or|with)$/iu.test(t))) return undefined;
  let at = 0;
  const peek = () => tokens[at]?.toUpperCase();
  const fail = (): never => {
    throw new SyntaxError('not a license expression');
  };
  const primary = (): number => {
    const t = tokens[at++] ?? fail();
    if (t === '(') {
      const inner = choice();
      if (tokens[at++] !== ')') fail();
      return inner;
    }
    if (t === ')' || /^(and|or|with)$/iu.test(t)) fail();
    return LICENSE_RANK[idClass(t)];
  };
  const withException = (): number => {
    const rank = primary();
    if (peek() === 'WITH') {
      at++;
      const exception = tokens[at++];
      if (!exception || exception === '(' || exception === ')') fail();
    }
    return rank;
  };
  const combination = (): number => {
    let rank = withException();
    while (peek() === 'AND') {
      at++;
      rank = Math.max(rank, withException());
    }
    return rank;
  };
  const choice = (): number => {
    let rank = combination();
    while (peek() === 'OR') {
      at++;
      rank = Math.min(rank, combination());
    }
    return rank;
  };
  try {
    const rank = choice();
    return at === tokens.length ? CLASS_BY_RANK[rank] : undefined;
  } catch {
    return undefined;
  }
}

/** True when `derived` is strictly looser than `base`. */
export function isLooser(derived: LicenseClass, base: LicenseClass): boolean {
  return LICENSE_RANK[derived] < LICENSE_RANK[base];
}
