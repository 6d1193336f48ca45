/** What a posture finding and a rule are, and the severity order. */
import { createHash } from 'node:crypto';
import type { GraphStore } from '../../schema/store.ts';
import type { FindingContext } from './context.ts';

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
/** Most severe first. */
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value);
}

/** True when `a` is as severe as `b` or more. */
export function severityAtLeast(a: Severity, b: Severity): boolean {
  return SEVERITIES.indexOf(a) <= SEVERITIES.indexOf(b);
}

export interface Finding {
  /** Stable across runs: rule id + a hash of the node keys. */
  id: string;
  rule: string;
  severity: Severity;
  title: string;
  /** The nodes involved, the most specific first (e.g. the file, then the model holding it). */
  nodes: string[];
  /** One line per fact that makes the finding true. */
  evidence: string[];
  remediation: string;
}

export interface FindingRule {
  id: string;
  title: string;
  /** The rule's default severity (a rule may grade a finding from data, e.g. an advisory's own severity). */
  severity: Severity;
  description: string;
  remediation: string;
  /** CWE ids of the weakness the rule finds, for exports that classify (CycloneDX `cwes`, SARIF tags). */
  cwes?: readonly number[];
  run(ctx: FindingContext): Promise<Finding[]>;
}

export type { GraphStore };

/** A finding of `rule` about `nodes`; the id depends only on the rule and the set of nodes. */
export function makeFinding(rule: FindingRule, nodes: string[], evidence: string[], severity: Severity = rule.severity): Finding {
  const hash = createHash('sha256').update([...new Set(nodes)].sort().join('\n')).digest('hex').slice(0, 16);
  return { id: `${rule.id}:${hash}`, rule: rule.id, severity, title: rule.title, nodes, evidence, remediation: rule.remediation };
}
