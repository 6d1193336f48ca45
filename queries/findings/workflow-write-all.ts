/** A workflow grants its token `permissions: write-all`: any step it runs can push code, releases and packages. */
import { makeFinding, type Finding, type FindingRule } from './types.ts';
import { describeWorkflow, workflowFiles } from './workflow-files.ts';

export const workflowWriteAll: FindingRule = {
  id: 'workflow-write-all',
  title: 'Workflow token has write-all permissions',
  severity: 'medium',
  description: 'A CI workflow (or one of its jobs) sets permissions: write-all, so every step, third-party actions included, can write to the repository, its releases and its packages.',
  remediation: 'Set permissions: {} (or contents: read) at the top and grant each job only the scopes it needs.',
  async run(ctx) {
    const findings: Finding[] = [];
    for (const w of await workflowFiles(ctx.store)) {
      if (w.file.props.writeAll !== true) continue;
      findings.push(makeFinding(workflowWriteAll, [w.file.key, ...w.holders], [`${describeWorkflow(w)} grants permissions: write-all`]));
    }
    return findings;
  },
};
