/**
 * Poetry's version constraints (`^1.2`, `~1.2.3`, `1.2.*`, `>=1,<2`, `1.0 || 2.0`) as PEP 440 specifier sets, by
 * the rules Poetry documents ("Dependency specification"): caret keeps the left-most non-zero component, tilde the
 * minor (or the major when only that is given), a bare version is exact. Version components come from the PEP 440
 * library. Alternatives (`||`) stay alternatives, joined with ` || `: the resolver takes the best of them.
 */
import { explain } from '@renovatebot/pep440';

export class ConstraintError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConstraintError';
  }
}

function upperBound(release: number[], bumpAt: number): string {
  const parts = release.slice(0, bumpAt + 1);
  parts[bumpAt] = (parts[bumpAt] ?? 0) + 1;
  return parts.join('.');
}

function single(constraint: string): string {
  const c = constraint.trim();
  if (c === '' || c === '*') return '';
  const m = /^(\^|~=|~|===|==|!=|<=|>=|<|>)?\s*(.+)$/.exec(c)!;
  const op = m[1];
  const version = m[2]!.trim();
  if (op === '^' || op === '~') {
    const v = explain(version);
    if (!v) throw new ConstraintError(`"${c}" is not a version constraint`);
    const n = v.release.length;
    let bumpAt: number;
    if (op === '^') {
      const firstNonZero = v.release.findIndex((x) => x !== 0);
      bumpAt = firstNonZero < 0 ? n - 1 : firstNonZero;
    } else bumpAt = n === 1 ? 0 : 1;
    const epoch = v.epoch ? `${v.epoch}!` : '';
    return `>=${version},<${epoch}${upperBound(v.release, bumpAt)}`;
  }
  if (!op) {
    if (version.endsWith('.*')) return `==${version}`;
    if (!explain(version)) throw new ConstraintError(`"${c}" is not a version constraint`);
    return `==${version}`;
  }
  return `${op}${version}`;
}

/** `>=1.2,<1.5` and `>=1.2 <1.5` are both "and" in Poetry. */
function conjunction(text: string): string {
  const parts = text
    .split(',')
    .flatMap((p) => p.trim().split(/\s+(?=[<>=!~^])/))
    .map((p) => p.trim())
    .filter((p) => p !== '');
  return parts.map(single).filter((s) => s !== '').join(',');
}

/** A Poetry constraint as PEP 440 (alternatives joined with ` || `); '' for any version. */
export function poetryToPep440(constraint: string): string {
  const alternatives = constraint.split(/\|\|?/).map(conjunction);
  if (alternatives.some((a) => a === '')) return '';
  return alternatives.join(' || ');
}
