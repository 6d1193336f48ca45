/** The posture rules, and running them. Add a rule: one module exporting a FindingRule, one line in RULES. */
import type { GraphStore } from '../../schema/store.ts';
import { UsageError } from '../../schema/errors.ts';
import { createContext } from './context.ts';
import { customCode } from './custom-code.ts';
import { gatedDataInPublicModel } from './gated-data-in-public-model.ts';
import { licenseDrift } from './license-drift.ts';
import { missingBase } from './missing-base.ts';
import { outsideWriter } from './outside-writer.ts';
import { pickleDangerous } from './pickle-dangerous.ts';
import { pickleUnscanned } from './pickle-unscanned.ts';
import { pullRequestTargetCheckout } from './pull-request-target-checkout.ts';
import { unpinnedAction } from './unpinned-action.ts';
import { workflowWriteAll } from './workflow-write-all.ts';
import { unpinnedRevision } from './unpinned-revision.ts';
import { SEVERITIES, isSeverity, severityAtLeast, type Finding, type FindingRule, type Severity } from './types.ts';
import { vulnerableDependency } from './vulnerable-dependency.ts';

export { SEVERITIES, isSeverity, severityAtLeast, type Finding, type FindingRule, type Severity };

export const RULES: readonly FindingRule[] = [
  pickleDangerous, pickleUnscanned, outsideWriter, vulnerableDependency, missingBase, licenseDrift, customCode, unpinnedRevision, gatedDataInPublicModel,
  unpinnedAction, pullRequestTargetCheckout, workflowWriteAll,
];

export interface FindingOptions {
  /** Keep findings at least this severe. */
  minSeverity?: Severity;
  /** Run only these rule ids. */
  rules?: string[];
}

/** Every rule's findings, most severe first, then by rule and id. */
export async function runFindings(store: GraphStore, opts: FindingOptions = {}): Promise<Finding[]> {
  if (opts.minSeverity !== undefined && !isSeverity(opts.minSeverity)) {
    throw new UsageError(`minSeverity must be one of ${SEVERITIES.join(', ')}, got "${String(opts.minSeverity).slice(0, 40)}"`);
  }
  const unknown = (opts.rules ?? []).filter((id) => !RULES.some((r) => r.id === id));
  if (unknown.length) throw new UsageError(`unknown rule ${unknown.slice(0, 3).join(', ')}; rules: ${RULES.map((r) => r.id).join(', ')}`);
  const rules = opts.rules ? RULES.filter((r) => opts.rules!.includes(r.id)) : RULES;
  const ctx = createContext(store);
  const findings: Finding[] = [];
  // Sequential on purpose: rules share memoised loads, and a store connection serves one query at a time anyway.
  for (const rule of rules) findings.push(...(await rule.run(ctx)));
  const min = opts.minSeverity;
  return findings
    .filter((f) => !min || severityAtLeast(f.severity, min))
    .sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || cmp(a.rule, b.rule) || cmp(a.id, b.id));
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
