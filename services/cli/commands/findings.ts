import { SEVERITIES, isSeverity, runFindings, severityAtLeast, type Finding, type Severity } from '../../../queries/findings/index.ts';
import { EXIT, UsageError } from '../../../schema/errors.ts';
import { compareToBaseline, readBaseline, writeBaseline } from '../../findings-baseline.ts';
import { plural, shortKeysIn } from '../../words.ts';
import type { Command } from '../command.ts';
import { RUN } from '../help.ts';

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
  usage: 'findings [--min-severity critical|high|medium|low|info] [--fail-on critical|high|medium|low] [--baseline f.json [--update-baseline]]',
  help: `With --baseline, findings already in the file are shown as known and do not fail the gate: a CI job fails only
on new findings. --update-baseline writes every current finding to the file (review and commit it).`,
  options: {
    'min-severity': { type: 'string', arg: 'LEVEL', description: 'list findings at least this severe', defaultText: 'low in text (info counted), info in --json' },
    'fail-on': { type: 'string', arg: 'LEVEL', description: 'exit 1 when a (new) finding is at least this severe' },
    baseline: { type: 'string', arg: 'f.json', description: 'known findings: only others are new and fail the gate' },
    'update-baseline': { type: 'boolean', default: false, description: 'write the current findings to the --baseline file' },
  },
  examples: ['findings', 'findings --fail-on high', 'findings --baseline aispm-baseline.json --update-baseline', 'findings --baseline aispm-baseline.json --fail-on high'],
  async run(ctx) {
    const minSeverity = severityOption(ctx.values['min-severity'], '--min-severity', SEVERITIES);
    const failOn = severityOption(ctx.values['fail-on'], '--fail-on', GATE_LEVELS);
    const baselinePath = ctx.values.baseline as string | undefined;
    const update = Boolean(ctx.values['update-baseline']);
    if (update && !baselinePath) throw new UsageError('--update-baseline needs --baseline <file> to write');
    // Read the baseline before the store: a wrong path is an input error whatever the graph holds.
    const baseline = baselinePath && !update ? readBaseline(baselinePath) : undefined;
    const store = await ctx.store();
    const findings = await runFindings(store, { minSeverity });
    if (update) {
      writeBaseline(baselinePath!, findings);
      if (ctx.json) ctx.printJson({ baseline: baselinePath, written: findings.length });
      else ctx.print(`wrote ${plural(findings.length, 'finding')} to the baseline ${baselinePath}; gate new ones with \`${RUN} findings --baseline ${baselinePath} --fail-on high\``);
      return EXIT.ok;
    }
    const cmp = baseline ? compareToBaseline(findings, baseline) : undefined;
    const gated = cmp ? cmp.fresh : findings;
    const failing = failOn ? gated.filter((f) => severityAtLeast(f.severity, failOn)).length : 0;
    const knownIds = new Set(cmp?.known.map((f) => f.id));
    if (ctx.json) {
      ctx.printJson({
        findings: findings.map((f) => (cmp ? { ...f, baseline: knownIds.has(f.id) ? 'known' : 'new' } : f)),
        total: findings.length,
        bySeverity: tally(findings),
        ...(cmp ? { baseline: { file: baselinePath, known: cmp.known.length, new: cmp.fresh.length, fixed: cmp.gone.map((g) => g.id) } } : {}),
        ...(failOn ? { failOn, failing } : {}),
      });
    } else {
      ctx.print(formatFindings(findings, { minSeverity, knownIds: cmp ? knownIds : undefined, fixed: cmp?.gone.length ?? 0, baselinePath, failOn, failing }));
    }
    return failing > 0 ? EXIT.findings : EXIT.ok;
  },
};

function tally(findings: readonly Finding[]): Record<Severity, number> {
  return Object.fromEntries(SEVERITIES.map((s) => [s, findings.filter((f) => f.severity === s).length])) as Record<Severity, number>;
}

interface FormatOptions {
  minSeverity?: Severity;
  knownIds?: ReadonlySet<string>;
  fixed: number;
  baselinePath?: string;
  failOn?: Severity;
  failing: number;
}

/** A tally first, then each finding (info hidden unless asked for), then each rule's fix once. */
function formatFindings(findings: readonly Finding[], o: FormatOptions): string {
  const counts = tally(findings);
  const lines = [`${plural(findings.length, 'finding')}: ${SEVERITIES.map((s) => `${counts[s]} ${s}`).join(', ')}`];
  if (o.knownIds) lines.push(`baseline ${o.baselinePath}: ${o.knownIds.size} known, ${findings.length - o.knownIds.size} new${o.fixed ? `, ${o.fixed} no longer found` : ''}`);
  const shown = o.minSeverity ? findings : findings.filter((f) => f.severity !== 'info');
  for (const f of shown) {
    const mark = o.knownIds ? (o.knownIds.has(f.id) ? ' (known)' : ' (new)') : '';
    lines.push('', `[${f.severity.toUpperCase()}]${mark} ${f.title}  (${f.id})`);
    for (const e of f.evidence) lines.push(`  - ${shortKeysIn(e)}`);
  }
  if (shown.length < findings.length) lines.push('', `${plural(findings.length - shown.length, 'info finding')} not listed (the normal supply chain); --min-severity info lists them`);
  const rules = [...new Map(shown.map((f) => [f.rule, f.remediation])).entries()];
  if (rules.length) {
    lines.push('', 'fixes (each rule once):');
    for (const [rule, fix] of rules) lines.push(`  ${rule}: ${fix}`);
  }
  if (o.failOn) lines.push('', `${plural(o.failing, o.knownIds ? 'new finding' : 'finding')} at or above ${o.failOn}${o.failing ? ': failing' : ''}`);
  return lines.join('\n');
}
