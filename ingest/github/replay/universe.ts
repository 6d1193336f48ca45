/**
 * A replayable GitHub organisation, written by the project: organisations with members and teams, repositories with
 * files, collaborators, teams, protection, environments and deployments. What GitHub derives from git is computed
 * here the way git computes it — blob ids (SHA-1 of `blob <size>\0<bytes>`), tree objects and their ids, a commit
 * id per tree — so that trees, blobs and the head commit agree with each other, never hand-written.
 */
import { createHash } from 'node:crypto';
import { fillerBytes, gitObjectId } from '../../pipeline/replay.ts';

export type Json = Record<string, unknown>;

/** A file: literal text, base64 bytes, a Git LFS pointer to an object of a size, a named builder, or filler bytes. */
export type FileContent = { text: string } | { base64: string } | { lfs: { size: number } } | { build: string; args?: unknown[] } | { size: number };

export interface ReplayMember {
  login: string;
  role: string;
  type?: 'User' | 'Bot';
}

export interface ReplayTeam {
  slug: string;
  name?: string;
  parent?: string;
  members: ReplayMember[];
}

export interface ReplayOrg {
  login: string;
  name?: string;
  members: ReplayMember[];
  teams?: ReplayTeam[];
}

export interface ReplayCollaborator {
  login: string;
  /** admin, maintain, write, triage, read, or a custom role (then `base` says what it inherits). */
  role_name: string;
  base?: 'read' | 'triage' | 'write' | 'maintain' | 'admin';
  outside?: boolean;
  type?: 'User' | 'Bot';
}

export interface ReplayDeployment {
  id: number;
  environment: string;
  sha?: string;
  ref?: string;
  created_at: string;
  production_environment?: boolean;
  /** Newest first. */
  statuses: { state: string; environment_url?: string; created_at?: string }[];
}

export interface ReplayRepo {
  full_name: string;
  id: number;
  private?: boolean;
  visibility?: 'public' | 'private' | 'internal';
  archived?: boolean;
  fork?: boolean;
  description?: string;
  default_branch?: string;
  /** Path → content. */
  files: Record<string, FileContent>;
  collaborators?: ReplayCollaborator[];
  teams?: { slug: string; permission: 'pull' | 'triage' | 'push' | 'maintain' | 'admin' }[];
  /** The default branch's protection, or absent/null when unprotected. */
  protection?: { required_approving_review_count?: number; require_code_owner_reviews?: boolean; enforce_admins?: boolean } | null;
  /** Active rulesets on the default branch: each a `pull_request` rule with these parameters (and a `deletion` rule). */
  rulesets?: { required_approving_review_count: number; require_code_owner_review?: boolean }[];
  environments?: { name: string; protection_rules?: unknown[]; deployment_branch_policy?: { protected_branches: boolean; custom_branch_policies: boolean } | null }[];
  deployments?: ReplayDeployment[];
  /** The token is not an admin here: collaborators and branch protection answer 403. */
  noAdmin?: boolean;
  /** A recursive tree listing of more entries than this is truncated (as GitHub truncates past 100,000). */
  truncateTreeAt?: number;
  /** Entries added to the root tree's recursive listing as they are (hostile paths, wrong types). */
  extraTreeEntries?: unknown[];
  /** The dependency-graph SBOM: a document (SPDX 2.3 JSON), or how it fails. */
  sbom?: Json | 'disabled' | 'forbidden';
}

export interface UniverseData {
  orgs?: ReplayOrg[];
  repos: ReplayRepo[];
  renames?: { from: string; to: string }[];
  /** Whether a request with a token is a member of every organisation (`/user/memberships/orgs/{org}`). */
  tokenIsMember?: boolean;
}

export type Builders = Record<string, (...args: never[]) => Uint8Array>;

export interface TreeEntry {
  path: string;
  mode: string;
  type: 'blob' | 'tree';
  sha: string;
  size?: number;
}

interface GitRepo {
  blobs: Map<string, Uint8Array>;
  /** Tree id → its direct entries (paths relative to it). */
  trees: Map<string, TreeEntry[]>;
  /** Tree id → every entry below it (paths relative to it), for recursive listings. */
  recursive: Map<string, TreeEntry[]>;
  rootTree: string;
  commit: string;
}

export class Universe {
  private readonly repos = new Map<string, ReplayRepo>();
  private readonly git = new Map<string, GitRepo>();

  constructor(
    private data: UniverseData,
    private readonly builders: Builders = {},
  ) {
    for (const r of data.repos) this.repos.set(r.full_name.toLowerCase(), r);
  }

  get orgs(): ReplayOrg[] {
    return this.data.orgs ?? [];
  }

  get tokenIsMember(): boolean {
    return this.data.tokenIsMember ?? true;
  }

  org(login: string): ReplayOrg | undefined {
    return this.orgs.find((o) => o.login.toLowerCase() === login.toLowerCase());
  }

  repo(fullName: string): ReplayRepo | undefined {
    return this.repos.get(fullName.toLowerCase());
  }

  repoById(id: number): ReplayRepo | undefined {
    return [...this.repos.values()].find((r) => r.id === id);
  }

  reposOf(owner: string): ReplayRepo[] {
    return [...this.repos.values()].filter((r) => r.full_name.split('/')[0]!.toLowerCase() === owner.toLowerCase()).sort((a, b) => a.full_name.localeCompare(b.full_name));
  }

  renamedTo(fullName: string): ReplayRepo | undefined {
    const to = this.data.renames?.find((r) => r.from.toLowerCase() === fullName.toLowerCase())?.to;
    return to ? this.repo(to) : undefined;
  }

  /** Replace or add a repository (tests push commits or change access between runs). */
  setRepo(repo: ReplayRepo): void {
    this.repos.set(repo.full_name.toLowerCase(), repo);
    this.git.delete(repo.full_name.toLowerCase());
  }

  /**
   * Rename or transfer a repository (tests change it between runs): from now on it is listed and served under `to`,
   * and the old name answers 301 to it, as GitHub answers for a moved repository.
   */
  renameRepo(from: string, to: string): void {
    const repo = this.repo(from);
    if (!repo) throw new Error(`no repository ${from} to rename`);
    this.deleteRepo(from);
    this.setRepo({ ...repo, full_name: to });
    this.data = { ...this.data, renames: [...(this.data.renames ?? []).filter((r) => r.from.toLowerCase() !== from.toLowerCase()), { from, to }] };
  }

  /** Delete a repository: from now on its name answers 404. */
  deleteRepo(fullName: string): void {
    this.repos.delete(fullName.toLowerCase());
    this.git.delete(fullName.toLowerCase());
  }

  /** Change an organisation (members, teams). */
  setOrg(org: ReplayOrg): void {
    this.data = { ...this.data, orgs: [...this.orgs.filter((o) => o.login !== org.login), org] };
  }

  /** The repository's git objects, computed once. */
  gitOf(repo: ReplayRepo): GitRepo {
    const k = repo.full_name.toLowerCase();
    let g = this.git.get(k);
    if (!g) {
      g = this.buildGit(repo);
      this.git.set(k, g);
    }
    return g;
  }

  private buildGit(repo: ReplayRepo): GitRepo {
    const blobs = new Map<string, Uint8Array>();
    const trees = new Map<string, TreeEntry[]>();
    const recursive = new Map<string, TreeEntry[]>();
    interface Dir {
      dirs: Map<string, Dir>;
      files: Map<string, { sha: string; size: number }>;
    }
    const root: Dir = { dirs: new Map(), files: new Map() };
    for (const [path, content] of Object.entries(repo.files)) {
      const bytes = this.materialise(content, `${repo.full_name}/${path}`);
      const sha = gitObjectId('blob', bytes);
      blobs.set(sha, bytes);
      const segments = path.split('/');
      let dir = root;
      for (const seg of segments.slice(0, -1)) {
        let next = dir.dirs.get(seg);
        if (!next) {
          next = { dirs: new Map(), files: new Map() };
          dir.dirs.set(seg, next);
        }
        dir = next;
      }
      dir.files.set(segments[segments.length - 1]!, { sha, size: bytes.length });
    }
    // Tree objects bottom-up: `<mode> <name>\0<20-byte id>` per entry, sorted as git sorts (directories as `name/`).
    const write = (dir: Dir): string => {
      const direct: TreeEntry[] = [];
      for (const [name, f] of dir.files) direct.push({ path: name, mode: '100644', type: 'blob', sha: f.sha, size: f.size });
      const below: TreeEntry[] = [];
      for (const [name, sub] of dir.dirs) {
        const sha = write(sub);
        direct.push({ path: name, mode: '040000', type: 'tree', sha });
        below.push({ path: name, mode: '040000', type: 'tree', sha }, ...recursive.get(sha)!.map((e) => ({ ...e, path: `${name}/${e.path}` })));
      }
      const sortKey = (e: TreeEntry) => (e.type === 'tree' ? `${e.path}/` : e.path);
      direct.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));
      const body = Buffer.concat(direct.map((e) => Buffer.concat([Buffer.from(`${e.mode === '040000' ? '40000' : e.mode} ${e.path}\0`), Buffer.from(e.sha, 'hex')])));
      const sha = gitObjectId('tree', body);
      trees.set(sha, direct);
      const all = [...direct.filter((e) => e.type === 'blob'), ...below].sort((a, b) => (a.path < b.path ? -1 : 1));
      recursive.set(sha, all);
      return sha;
    };
    const rootTree = write(root);
    const commit = gitObjectId('commit', Buffer.from(`tree ${rootTree}\nauthor replay <replay@example.invalid> 0 +0000\n\n${repo.full_name}\n`));
    return { blobs, trees, recursive, rootTree, commit };
  }

  private materialise(content: FileContent, seed: string): Uint8Array {
    if ('text' in content) return new TextEncoder().encode(content.text);
    if ('base64' in content) return new Uint8Array(Buffer.from(content.base64, 'base64'));
    if ('size' in content) return fillerBytes(seed, content.size);
    if ('lfs' in content) {
      const sha256 = createHash('sha256').update(fillerBytes(seed, Math.min(content.lfs.size, 1 << 20))).digest('hex');
      return new TextEncoder().encode(`version https://git-lfs.github.com/spec/v1\noid sha256:${sha256}\nsize ${content.lfs.size}\n`);
    }
    const build = this.builders[content.build];
    if (!build) throw new Error(`replay universe: no builder "${content.build}" for ${seed}`);
    return (build as (...a: unknown[]) => Uint8Array)(...(content.args ?? []));
  }
}
