import { SEVERITIES, isSeverity, runFindings, severityAtLeast, type Severity } from '../../../queries/findings/index.ts';
import { EXIT, UsageError } from '../../../schema/errors.ts';
import type { Command } from '../command.ts';

const GATE_LEVELS = SEVERITIES.filter((s) => s !== 'info');

function severityOption(value: unknown, name: string, allowed: readonly Severity[]): Severity | undefined {
  if (value === undefined) return undefined;
  if (!isSeverity(value) || !allowed.includes(value)) {
    throw new UsageError(`${name} must be one of ${allowed.join(', ')}, got "${String(value).slice(0, 40)}"`);
  }
  return value;
}

export const findingsCommand: Command = {
  name: 'findings',
  summary: 'Posture findings (unsafe pickles, outside writers, vulnerable deps, license drift, unpinned revisions, …); a CI gate with --fail-on',
  usage: 'findings [--min-severity critical|high|medium|low|info] [--fail-on critical|high|medium|low]',
  options: { 'min-severity': { type: 'string' }, 'fail-on': { type: 'string' } },
  async run(ctx) {
    const minSeverity = severityOption(ctx.values['min-severity'], '--min-severity', SEVERITIES);
    const failOn = severityOption(ctx.values['fail-on'], '--fail-on', GATE_LEVELS);
    const store = await ctx.store();
    const findings = await runFindings(store, { minSeverity });
    const failing = failOn ? findings.filter((f) => severityAtLeast(f.severity, failOn)).length : 0;
    if (ctx.json) {
      ctx.printJson({ findings, total: findings.length, ...(failOn ? { failOn, failing } : {}) });
    } else {
      const lines = [`${findings.length} finding${findings.length === 1 ? '' : 's'}`];
      for (const f of findings) {
        lines.push('', `[${f.severity.toUpperCase()}] ${f.title}  (${f.id})`);
        for (const e of f.evidence) lines.push(`  - ${e}`);
        lines.push(`  fix: ${f.remediation}`);
      }
      if (failOn) lines.push('', `${failing} finding(s) at or above ${failOn}${failing ? ': failing' : ''}`);
      ctx.print(lines.join('\n'));
    }
    return failing > 0 ? EXIT.findings : EXIT.ok;
  },
};
