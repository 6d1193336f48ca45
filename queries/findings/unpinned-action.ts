/**
 * A workflow runs a third-party action (or reusable workflow, or container image) by a tag or branch rather than a
 * full commit sha: whoever controls that tag runs code in the workflow, with its token and secrets. Worse when the
 * workflow deploys.
 */
import { makeFinding, type Finding, type FindingRule } from './types.ts';
import { describeWorkflow, stringList, workflowFiles } from './workflow-files.ts';

export const unpinnedAction: FindingRule = {
  id: 'unpinned-action',
  title: 'Workflow runs a third-party action not pinned to a commit',
  severity: 'medium',
  description:
    'A CI workflow uses a third-party action, reusable workflow or image by a tag or branch (v4, main) instead of a full commit sha or digest. A moved or hijacked tag runs new code in the workflow with its token and secrets; high when the workflow deploys.',
  remediation: 'Pin every third-party action to a full commit sha (uses: owner/action@<40-hex sha> # v4) and let a bot such as Dependabot move the pins after review.',
  async run(ctx) {
    const findings: Finding[] = [];
    for (const w of await workflowFiles(ctx.store)) {
      const actions = stringList(w.file, 'unpinnedActions');
      if (!actions.length) continue;
      const deploys = stringList(w.file, 'deploysTo');
      const evidence = [`${describeWorkflow(w)} runs ${actions.map((a) => a.slice(0, 200)).join(', ')} without a commit pin`];
      if (deploys.length) evidence.push(`it deploys to ${deploys.join(', ')}`);
      findings.push(makeFinding(unpinnedAction, [w.file.key, ...w.holders], evidence, deploys.length ? 'high' : 'medium'));
    }
    return findings;
  },
};
