/** What the scanner says about one file: the verdict, who decided it, and why. */

import { SCAN_VERDICTS, type ScanVerdict } from '../../schema/model.ts';

export type Verdict = ScanVerdict;
export const VERDICTS: readonly Verdict[] = SCAN_VERDICTS;

/**
 * Which rule decided: the pickle denylist or allowlist, neither list (a callable on none: suspicious), a format
 * check (a Lambda layer, a template, a lying header, a path), no code at all, or why it was not scanned.
 */
export type DecidedBy = 'denylist' | 'allowlist' | 'neither' | 'format-check' | 'no-code' | 'limit' | 'unsupported' | 'error' | 'not-a-model';

export interface Judgement {
  verdict: Verdict;
  decidedBy: DecidedBy;
  reason: string;
  globals: string[];
  findings: string[];
}

const RANK: Readonly<Record<Verdict, number>> = { dangerous: 3, suspicious: 2, unscanned: 1, safe: 0 };

export function worse(a: Verdict, b: Verdict): boolean {
  return RANK[a] > RANK[b];
}

/** Hostile names must not carry control characters into logs and reports; long ones are cut. */
export function printable(s: string, max = 200): string {
  const clean = s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

export const listOf = (xs: readonly string[], max = 5): string =>
  xs.slice(0, max).map((x) => printable(x)).join(', ') + (xs.length > max ? ` and ${xs.length - max} more` : '');

export function judgement(verdict: Verdict, decidedBy: DecidedBy, reason: string, extra: Partial<Pick<Judgement, 'globals' | 'findings'>> = {}): Judgement {
  return { verdict, decidedBy, reason: printable(reason, 1000), globals: extra.globals ?? [], findings: extra.findings ?? [] };
}

/** The worst of several parts (zip members, tar members, pickles): its verdict and reason, all globals and findings. */
export function combine(parts: ReadonlyArray<{ label: string; j: Judgement }>, empty: Judgement): Judgement {
  if (parts.length === 0) return empty;
  let worst = parts[0]!;
  for (const p of parts) if (worse(p.j.verdict, worst.j.verdict)) worst = p;
  const globals = [...new Set(parts.flatMap((p) => p.j.globals))];
  const findings = [...new Set(parts.flatMap((p) => p.j.findings))];
  const reason = worst.label ? `${printable(worst.label)}: ${worst.j.reason}` : worst.j.reason;
  return { verdict: worst.j.verdict, decidedBy: worst.j.decidedBy, reason: printable(reason, 1000), globals, findings };
}
