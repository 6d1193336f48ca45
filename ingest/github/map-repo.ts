/**
 * A repository's own node from `GET /repos/{owner}/{repo}`, its default branch (`GET …/branches/{branch}`) and that
 * branch's protection (`GET …/branches/{branch}/protection` and the rulesets' `GET …/rules/branches/{branch}`), as the
 * schema's Repository properties. Pure.
 */
import type { NodeRecord, RecordBatch } from '../../schema/records.ts';
import { bool, compact, edge, isLogin, isRepoName, num, obj, pageOf, repoKey, str, userKey, type Json } from './map-common.ts';

export interface RepoIdentity {
  owner: string;
  name: string;
  /** `Organization` or `User`. */
  ownerType: 'org' | 'user';
  defaultBranch: string;
  key: string;
}

/** Who and what a repository body names, or a problem when it names nothing usable. */
export function repoIdentity(body: unknown): RepoIdentity | { problem: string } {
  const b = obj(body);
  const full = str(b?.full_name, 300);
  const [owner, name, ...rest] = full?.split('/') ?? [];
  if (!b || rest.length || !isLogin(owner) || !isRepoName(name)) return { problem: `repository body has no usable full_name (${JSON.stringify(full ?? null)})` };
  const ownerType = obj(b.owner)?.type === 'Organization' ? 'org' : 'user';
  const defaultBranch = str(b.default_branch, 255) ?? 'main';
  return { owner, name, ownerType, defaultBranch, key: repoKey(owner, name) };
}

/** The protection properties: what a push to the default branch must pass. */
export type Protection = { known: false } | { known: true; protected: boolean; requiredReviews: number; codeOwnerReviews: boolean; enforceAdmins: boolean };

/**
 * From the branch's `protected` flag, the classic protection body (when the branch is protected that way and the
 * token may read it) and the active ruleset rules for the branch (`GET …/rules/branches/{branch}`, readable by
 * anyone who can read the repository). A branch GitHub calls protected with no classic protection (a 404 "Branch not
 * protected") is protected by rulesets: its requirements are the rules', and unknown when they could not be read —
 * never "unprotected". Both apply where both exist, so the stricter requirement counts.
 */
export function protectionOf(branchProtected: boolean, classic: unknown | undefined, rules?: unknown): Protection {
  const fromRules = rulesProtection(rules);
  const p = obj(classic);
  if (!p && !fromRules) return branchProtected ? { known: false } : { known: true, protected: false, requiredReviews: 0, codeOwnerReviews: false, enforceAdmins: false };
  if (!p) return branchProtected || fromRules!.protected ? { ...fromRules!, protected: true } : fromRules!;
  const reviews = obj(p.required_pull_request_reviews);
  const count = num(reviews?.required_approving_review_count);
  const own = {
    // A review rule with no count still makes every change go through a pull request; GitHub's default is one approval.
    requiredReviews: reviews ? Math.max(0, Math.min(10, Math.trunc(count ?? 1))) : 0,
    codeOwnerReviews: bool(reviews?.require_code_owner_reviews) ?? false,
    enforceAdmins: bool(obj(p.enforce_admins)?.enabled) ?? false,
  };
  return {
    known: true,
    protected: true,
    requiredReviews: Math.max(own.requiredReviews, fromRules?.requiredReviews ?? 0),
    codeOwnerReviews: own.codeOwnerReviews || (fromRules?.codeOwnerReviews ?? false),
    enforceAdmins: own.enforceAdmins,
  };
}

/**
 * What the active rules for a branch require of a push, or undefined when there is no readable list. Any rule
 * protects the branch; a `pull_request` rule sets reviews. Rulesets name their bypass actors elsewhere (readable by
 * admins only), so `enforceAdmins` is not claimed from them.
 */
function rulesProtection(rules: unknown): Extract<Protection, { known: true }> | undefined {
  if (!Array.isArray(rules)) return undefined;
  const list = rules.map(obj).filter((r) => r !== undefined && typeof r.type === 'string');
  let requiredReviews = 0;
  let codeOwnerReviews = false;
  for (const rule of list) {
    if (rule!.type !== 'pull_request') continue;
    const params = obj(rule!.parameters);
    requiredReviews = Math.max(requiredReviews, Math.max(0, Math.min(10, Math.trunc(num(params?.required_approving_review_count) ?? 0))));
    codeOwnerReviews ||= bool(params?.require_code_owner_review) ?? false;
  }
  return { known: true, protected: list.length > 0, requiredReviews, codeOwnerReviews, enforceAdmins: false };
}

/** The head commit and protected flag of a branch body, when it has them. */
export function branchFacts(body: unknown): { sha?: string; treeSha?: string; protected: boolean } {
  const b = obj(body);
  const commit = obj(b?.commit);
  const sha = str(commit?.sha, 64);
  const treeSha = str(obj(obj(commit?.commit)?.tree)?.sha, 64);
  const valid = (s: string | undefined) => (s && /^[0-9a-f]{40}$|^[0-9a-f]{64}$/.test(s) ? s : undefined);
  return { ...(valid(sha) ? { sha: valid(sha)! } : {}), ...(valid(treeSha) ? { treeSha: valid(treeSha)! } : {}), protected: bool(b?.protected) ?? false };
}

/**
 * The Repository node (and, for a user's repository, its owner with CAN_WRITE: a user owns what it holds). Protection
 * not known (no admin rights) leaves those properties out, so what an earlier read found is kept.
 */
export function mapRepository(id: RepoIdentity, body: unknown, sha: string | undefined, protection: Protection, web: string): RecordBatch {
  const b = obj(body) ?? {};
  const visibility = str(b.visibility, 20) ?? (b.private === true ? 'private' : b.private === false ? 'public' : undefined);
  const props = compact({
    name: `${id.owner}/${id.name}`,
    url: pageOf(id.key, web),
    description: str(b.description, 1000),
    visibility,
    archived: bool(b.archived),
    fork: bool(b.fork),
    defaultBranch: id.defaultBranch,
    sha,
    author: id.owner.toLowerCase(),
    ...(protection.known
      ? { defaultBranchProtected: protection.protected, requiredReviews: protection.requiredReviews, codeOwnerReviews: protection.codeOwnerReviews, enforceAdmins: protection.enforceAdmins }
      : {}),
  });
  const nodes: NodeRecord[] = [{ kind: 'Repository', key: id.key, props }];
  const edges = [];
  if (id.ownerType === 'user') {
    const owner = userKey(id.owner);
    nodes.push({ kind: 'Identity', key: owner, props: compact({ name: id.owner, type: 'user', url: pageOf(owner, web) }) });
    edges.push(edge('CAN_WRITE', owner, id.key, 'repos.owner', { props: { role: 'owner' } }));
  }
  return { nodes, edges };
}

/** The old name of a renamed repository: a node that names where it went. */
export function mapRename(oldOwner: string, oldName: string, to: RepoIdentity, web: string): RecordBatch {
  const key = repoKey(oldOwner, oldName);
  return { nodes: [{ kind: 'Repository', key, props: compact({ name: `${oldOwner}/${oldName}`, url: pageOf(key, web), canonicalId: `${to.owner}/${to.name}` }) }], edges: [] };
}

/** A deleted repository that other records still point at: its node, marked missing upstream. */
export function mapMissing(owner: string, name: string, web: string): RecordBatch {
  const key = repoKey(owner, name);
  return { nodes: [{ kind: 'Repository', key, props: compact({ name: `${owner}/${name}`, url: pageOf(key, web), missing: true }) }], edges: [] };
}

export type { Json };
