/**
 * The "pwn request": a workflow triggered by `pull_request_target` (which runs with the base repository's token and
 * secrets) checks out and runs the pull request's own code, so anyone who opens a pull request runs code as the
 * repository.
 */
import { makeFinding, type Finding, type FindingRule } from './types.ts';
import { describeWorkflow, workflowFiles } from './workflow-files.ts';

export const pullRequestTargetCheckout: FindingRule = {
  id: 'pull-request-target-checkout',
  title: 'pull_request_target workflow checks out the pull request head',
  severity: 'critical',
  description:
    "A workflow started by pull_request_target runs with the base repository's write token and secrets; checking out the pull request's head and running it lets anyone who opens a pull request execute code as the repository.",
  remediation: 'Use the pull_request trigger for untrusted code, or keep pull_request_target jobs to the base ref and pass results between workflows as artifacts; never build or run the head with secrets in reach.',
  async run(ctx) {
    const findings: Finding[] = [];
    for (const w of await workflowFiles(ctx.store)) {
      if (w.file.props.prTargetCheckout !== true) continue;
      findings.push(makeFinding(pullRequestTargetCheckout, [w.file.key, ...w.holders], [`${describeWorkflow(w)} runs on pull_request_target and checks out the pull request's head`]));
    }
    return findings;
  },
};
