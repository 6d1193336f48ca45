/**
 * A findings baseline: the findings a team has seen and accepted, so a CI gate fails only on new ones. The file is
 * JSON — `{"baseline": 1, "findings": [{"id", "rule", "severity", "title", "nodes"}]}` — written by
 * `aispm findings --baseline f.json --update-baseline` and meant to be committed and reviewed like code. Findings
 * match by id (the rule plus a hash of its nodes: stable across runs and stores), so a finding whose nodes change
 * is new again.
 */
import { readFileSync } from 'node:fs';
import type { Finding } from '../queries/findings/index.ts';
import { UsageError } from '../schema/errors.ts';
import { printable } from '../schema/text.ts';
import { writeOutputFile } from './output-file.ts';

export const BASELINE_VERSION = 1;

export interface BaselineEntry {
  id: string;
  rule: string;
  severity: string;
  title: string;
  nodes: string[];
}

export interface Baseline {
  baseline: typeof BASELINE_VERSION;
  findings: BaselineEntry[];
}

export function readBaseline(path: string): Baseline {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read baseline ${path}: ${code ?? (err as Error).message}${code === 'ENOENT' ? ' (create it with --update-baseline)' : ''}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`baseline ${path} is not JSON: ${printable((err as Error).message, 200)}`);
  }
  const d = doc as Partial<Baseline> | null;
  if (!d || typeof d !== 'object' || d.baseline !== BASELINE_VERSION || !Array.isArray(d.findings)) {
    throw new UsageError(`baseline ${path} is not an aispm findings baseline (expected {"baseline": ${BASELINE_VERSION}, "findings": [...]})`);
  }
  d.findings.forEach((f, i) => {
    if (!f || typeof f !== 'object' || typeof f.id !== 'string' || !f.id) throw new UsageError(`baseline ${path}: findings[${i}] has no id`);
  });
  return d as Baseline;
}

export function baselineOf(findings: readonly Finding[]): Baseline {
  const entries = findings.map((f) => ({ id: f.id, rule: f.rule, severity: f.severity, title: f.title, nodes: f.nodes }));
  return { baseline: BASELINE_VERSION, findings: entries.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)) };
}

export function writeBaseline(path: string, findings: readonly Finding[]): void {
  writeOutputFile(path, JSON.stringify(baselineOf(findings), null, 2) + '\n');
}

/** Which findings are in the baseline (known) and which are not (new); and baseline entries no longer found (fixed). */
export function compareToBaseline(findings: readonly Finding[], baseline: Baseline): { known: Finding[]; fresh: Finding[]; gone: BaselineEntry[] } {
  const ids = new Set(baseline.findings.map((f) => f.id));
  const current = new Set(findings.map((f) => f.id));
  return {
    known: findings.filter((f) => ids.has(f.id)),
    fresh: findings.filter((f) => !ids.has(f.id)),
    gone: baseline.findings.filter((f) => !current.has(f.id)),
  };
}
