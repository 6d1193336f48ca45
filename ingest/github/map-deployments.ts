/**
 * What a repository deploys to: each environment (`GET …/environments`, with its protection rules) and each
 * environment its deployments name, as an Endpoint `gh:deployment/<owner>/<repo>/<environment>` with DEPLOYS from the
 * repository; the latest deployment's status gives the URL it answers at. Pure.
 */
import type { EdgeRecord, NodeRecord, RecordBatch } from '../../schema/records.ts';
import { bool, compact, deploymentKey, edge, httpUrl, num, obj, pageOf, str, type Json } from './map-common.ts';

/** The latest deployment to one environment, and its statuses (newest first). */
export interface LatestDeployment {
  deployment: Json;
  statuses: readonly unknown[];
}

const MAX_ENVIRONMENT_NAME = 255;

export function environmentName(value: unknown): string | undefined {
  const name = str(value, MAX_ENVIRONMENT_NAME + 1)?.trim();
  return name && name.length <= MAX_ENVIRONMENT_NAME && !/[\u0000-\u001f\u007f]/.test(name) ? name : undefined;
}

/** The newest deployment per environment from a deployments listing (newest first, as GitHub lists them). */
export function latestPerEnvironment(deployments: readonly unknown[]): Map<string, Json> {
  const latest = new Map<string, Json>();
  for (const raw of deployments) {
    const d = obj(raw);
    const env = environmentName(d?.environment);
    if (d && env && !latest.has(env)) latest.set(env, d);
  }
  return latest;
}

interface EnvironmentRules {
  requiredReviewers: number;
  waitTimer?: number;
  branchPolicy: 'any' | 'protected' | 'custom';
}

function rulesOf(env: Json | undefined): EnvironmentRules {
  let requiredReviewers = 0;
  let waitTimer: number | undefined;
  const rules = Array.isArray(env?.protection_rules) ? env.protection_rules : [];
  for (const raw of rules) {
    const r = obj(raw);
    if (r?.type === 'required_reviewers') requiredReviewers += Array.isArray(r.reviewers) ? r.reviewers.length : 1;
    if (r?.type === 'wait_timer') waitTimer = num(r.wait_timer);
  }
  const policy = obj(env?.deployment_branch_policy);
  const branchPolicy = !policy ? 'any' : policy.custom_branch_policies === true ? 'custom' : policy.protected_branches === true ? 'protected' : 'any';
  return { requiredReviewers, ...(waitTimer !== undefined ? { waitTimer } : {}), branchPolicy };
}

export interface MappedDeployments extends RecordBatch {
  warnings: string[];
}

/** Endpoints for every environment (configured or deployed to) with DEPLOYS from the repository. */
export function mapDeployments(owner: string, repo: string, repoKeyValue: string, environments: readonly unknown[], latest: ReadonlyMap<string, LatestDeployment>, web: string): MappedDeployments {
  const nodes: NodeRecord[] = [];
  const edges: EdgeRecord[] = [];
  const warnings: string[] = [];
  const configured = new Map<string, Json>();
  for (const raw of environments) {
    const e = obj(raw);
    const name = environmentName(e?.name);
    if (e && name) configured.set(name, e);
    else warnings.push(`environment without a usable name (${JSON.stringify(e?.name ?? null).slice(0, 60)}); skipped`);
  }
  const names = [...new Set([...configured.keys(), ...latest.keys()])].sort();
  for (const name of names) {
    const key = deploymentKey(owner, repo, name);
    const env = configured.get(name);
    const last = latest.get(name);
    const statuses = (last?.statuses ?? []).map(obj).filter((s): s is Json => s !== undefined);
    const endpointUrl = statuses.map((s) => httpUrl(s.environment_url)).find((u) => u !== undefined);
    const rules = rulesOf(env);
    nodes.push({
      kind: 'Endpoint',
      key,
      props: compact({
        name: `${owner}/${repo} ${name}`,
        url: pageOf(key, web),
        environment: name,
        endpointUrl,
        requiredReviewers: rules.requiredReviewers,
        waitTimer: rules.waitTimer,
        branchPolicy: rules.branchPolicy,
        production: last ? bool(last.deployment.production_environment) : undefined,
        deployedSha: last ? str(last.deployment.sha, 64) : undefined,
        deployedAt: last ? str(last.deployment.created_at, 40) : undefined,
        deploymentState: str(statuses[0]?.state, 40),
      }),
    });
    const evidence = last && num(last.deployment.id) !== undefined ? `deployments/${num(last.deployment.id)}` : 'environments';
    edges.push(edge('DEPLOYS', repoKeyValue, key, evidence));
  }
  return { nodes, edges, warnings };
}
