/**
 * Who can write a repository, as GitHub answers it: collaborators (`affiliation=all`, with `role_name` and
 * `permissions`; `affiliation=outside` marks those outside the organisation), the teams with access and their
 * permission, team members and maintainers, and organisation members with their role. Pure.
 *
 * Only roles that can push become CAN_WRITE edges (admin, maintain, write, or a custom role whose `permissions` say
 * push): read and triage access carries no compromise, so it is not written as write access.
 */
import type { EdgeRecord, NodeRecord, RecordBatch } from '../../schema/records.ts';
import { compact, edge, isLogin, obj, orgKey, pageOf, str, teamKey, userKey, type Json } from './map-common.ts';

/** Legacy permission names (teams, old collaborator bodies) as today's role names. */
const LEGACY_ROLE: Readonly<Record<string, string>> = { pull: 'read', push: 'write', triage: 'triage', maintain: 'maintain', admin: 'admin' };
const WRITE_ROLES = new Set(['admin', 'maintain', 'write']);

export interface Grant {
  role: string;
  canWrite: boolean;
}

/** The role and whether it can push, from `role_name` / `permission` and the `permissions` flags. */
export function grantOf(entry: Json): Grant | undefined {
  const perms = obj(entry.permissions);
  const raw = str(entry.role_name, 100) ?? str(entry.permission, 100);
  const named = raw ? (LEGACY_ROLE[raw.toLowerCase()] ?? raw.toLowerCase()) : undefined;
  const fromFlags = perms ? (perms.admin === true ? 'admin' : perms.maintain === true ? 'maintain' : perms.push === true ? 'write' : perms.triage === true ? 'triage' : perms.pull === true ? 'read' : undefined) : undefined;
  const role = named ?? fromFlags;
  if (!role) return undefined;
  // Flags are the effective access (a custom role inherits from a base role); the name alone decides without them.
  const canWrite = perms ? perms.admin === true || perms.maintain === true || perms.push === true : WRITE_ROLES.has(role);
  return { role, canWrite };
}

function userNode(login: string, entry: Json | undefined, web: string): NodeRecord {
  const key = userKey(login);
  return { kind: 'Identity', key, props: compact({ name: login, type: entry?.type === 'Bot' ? 'bot' : 'user', url: pageOf(key, web) }) };
}

export interface MappedAccess extends RecordBatch {
  warnings: string[];
}

/**
 * CAN_WRITE{role, outside} from each collaborator who can push. `owner` (a user who owns the repository) is left
 * to the repository's own scope.
 */
export function mapCollaborators(repo: string, all: readonly unknown[], outside: ReadonlySet<string>, web: string, owner?: string): MappedAccess {
  const nodes: NodeRecord[] = [];
  const edges: EdgeRecord[] = [];
  const warnings: string[] = [];
  for (const raw of all) {
    const entry = obj(raw);
    const login = entry?.login;
    if (!entry || !isLogin(login)) {
      warnings.push(`collaborator entry without a valid login (${JSON.stringify(entry?.login ?? null).slice(0, 60)}); skipped`);
      continue;
    }
    const grant = grantOf(entry);
    if (!grant) {
      warnings.push(`collaborator ${login} has no role or permissions; skipped`);
      continue;
    }
    if (!grant.canWrite || login.toLowerCase() === owner?.toLowerCase()) continue;
    const isOutside = outside.has(login.toLowerCase());
    nodes.push(userNode(login, entry, web));
    edges.push(edge('CAN_WRITE', userKey(login), repo, isOutside ? 'collaborators?affiliation=outside' : 'collaborators?affiliation=all', { props: { role: grant.role, ...(isOutside ? { outside: true } : {}) } }));
  }
  return { nodes, edges, warnings };
}

/** Logins of an `affiliation=outside` listing, lower-cased. */
export function loginsOf(list: readonly unknown[]): Set<string> {
  const out = new Set<string>();
  for (const raw of list) {
    const login = obj(raw)?.login;
    if (isLogin(login)) out.add(login.toLowerCase());
  }
  return out;
}

export interface RepoTeam {
  slug: string;
  name: string;
}

/** CAN_WRITE{role} from each team whose permission can push; every team seen is returned so its members can be read. */
export function mapRepoTeams(repo: string, org: string, teams: readonly unknown[], web: string): MappedAccess & { teams: RepoTeam[] } {
  const nodes: NodeRecord[] = [];
  const edges: EdgeRecord[] = [];
  const warnings: string[] = [];
  const seen: RepoTeam[] = [];
  for (const raw of teams) {
    const entry = obj(raw);
    const slug = entry?.slug;
    if (!entry || !isLogin(slug)) {
      warnings.push(`team entry without a valid slug (${JSON.stringify(entry?.slug ?? null).slice(0, 60)}); skipped`);
      continue;
    }
    const grant = grantOf(entry);
    const key = teamKey(org, slug);
    nodes.push(teamNode(org, slug, entry, web));
    seen.push({ slug, name: str(entry.name, 200) ?? slug });
    if (grant?.canWrite) edges.push(edge('CAN_WRITE', key, repo, `repos/teams:${slug}`, { props: { role: grant.role } }));
  }
  return { nodes, edges, warnings, teams: seen };
}

function teamNode(org: string, slug: string, entry: Json | undefined, web: string): NodeRecord {
  const key = teamKey(org, slug);
  return { kind: 'Identity', key, props: compact({ name: str(entry?.name, 200) ?? slug, type: 'team', org: org.toLowerCase(), url: pageOf(key, web) }) };
}

/**
 * A team: its node, MEMBER_OF{role: maintainer|member} from each member, and MEMBER_OF{role: member} to its parent
 * team (a child team's members get the parent's access).
 */
export function mapTeam(org: string, slug: string, body: unknown, maintainers: readonly unknown[], members: readonly unknown[], web: string): MappedAccess {
  const key = teamKey(org, slug);
  const entry = obj(body);
  const nodes: NodeRecord[] = [teamNode(org, slug, entry, web)];
  const edges: EdgeRecord[] = [];
  const warnings: string[] = [];
  for (const { login, role, entry: m } of byRole([['member', members], ['maintainer', maintainers]], () => warnings.push(`team ${slug}: member entry without a valid login; skipped`))) {
    nodes.push(userNode(login, m, web));
    edges.push(edge('MEMBER_OF', userKey(login), key, `teams/${slug}/members?role=${role}`, { props: { role } }));
  }
  const parent = obj(entry?.parent)?.slug;
  if (isLogin(parent)) {
    nodes.push(teamNode(org, parent, obj(entry?.parent), web));
    edges.push(edge('MEMBER_OF', key, teamKey(org, parent), `teams/${slug}.parent`, { props: { role: 'member' } }));
  }
  return { nodes, edges, warnings };
}

/**
 * Members listed once per role (`?role=maintainer`, `?role=member`), later lists winning (the stronger role is
 * listed last), sorted by login; an entry without a valid login is reported through `bad`.
 */
function byRole(lists: ReadonlyArray<readonly [string, readonly unknown[]]>, bad: () => void): { login: string; role: string; entry: Json }[] {
  const roles = new Map<string, { login: string; role: string; entry: Json }>();
  for (const [role, list] of lists) {
    for (const raw of list) {
      const m = obj(raw);
      if (m && isLogin(m.login)) roles.set(m.login, { login: m.login, role, entry: m });
      else bad();
    }
  }
  return [...roles.values()].sort((a, b) => a.login.localeCompare(b.login));
}

/** The organisation and MEMBER_OF{role: admin|member} from each member. */
export function mapOrg(org: string, body: unknown, admins: readonly unknown[], members: readonly unknown[], web: string): MappedAccess {
  const key = orgKey(org);
  const b = obj(body);
  const nodes: NodeRecord[] = [{ kind: 'Identity', key, props: compact({ name: str(b?.name, 200) ?? org, type: 'org', url: pageOf(key, web), description: str(b?.description, 1000) }) }];
  const edges: EdgeRecord[] = [];
  const warnings: string[] = [];
  for (const { login, role, entry: m } of byRole([['member', members], ['admin', admins]], () => warnings.push('member entry without a valid login; skipped'))) {
    nodes.push(userNode(login, m, web));
    edges.push(edge('MEMBER_OF', userKey(login), key, `orgs/members?role=${role}`, { props: { role } }));
  }
  return { nodes, edges, warnings };
}
