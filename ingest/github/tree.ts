/**
 * A repository's files at one commit: the recursive git tree (`GET …/git/trees/{sha}?recursive=1`), and when GitHub
 * truncates it (over 100,000 entries or 7 MB), each subtree on its own, recursively again, splitting further only
 * where a subtree is still truncated. Then which files are worth reading (pure): candidates for Hub references,
 * workflows, dependency manifests and model files, each bounded.
 */
import { isRepoPath } from '../pipeline/repo-path.ts';
import { manifestFormatOf } from '../manifests/index.ts';
import { detectFormatByName, isScanCandidateByName } from '../scan/index.ts';
import type { GitHubClient } from './client.ts';
import { isWorkflowPath } from './workflows.ts';
import { num, obj, str } from './map-common.ts';

export interface TreeBlob {
  path: string;
  /** Git blob sha. */
  sha: string;
  size: number;
}

export interface Tree {
  blobs: TreeBlob[];
  dirs: Set<string>;
  /** The walk stopped at a bound; the files listed are a prefix. */
  incomplete: boolean;
  /** Subtrees fetched because the recursive answer was truncated. */
  subtreeRequests: number;
  badEntries: number;
}

export interface TreeBounds {
  maxEntries: number;
  maxRequests: number;
}

const GIT_SHA = /^[0-9a-f]{40}$|^[0-9a-f]{64}$/;

/** Every blob of the tree `treeSha`, walking subtrees where GitHub truncates the recursive answer. */
export async function readTree(client: GitHubClient, owner: string, repo: string, treeSha: string, bounds: TreeBounds): Promise<Tree> {
  const tree: Tree = { blobs: [], dirs: new Set(), incomplete: false, subtreeRequests: 0, badEntries: 0 };
  let requests = 0;
  const route = 'GET /repos/{owner}/{repo}/git/trees/{tree_sha}';
  const fetchTree = async (sha: string, recursive: boolean): Promise<{ entries: unknown[]; truncated: boolean }> => {
    requests++;
    const answer = await client.get(route, { owner, repo, tree_sha: sha, ...(recursive ? { recursive: '1' } : {}) });
    const body = answer.kind === 'ok' ? obj(answer.data) : undefined;
    return { entries: Array.isArray(body?.tree) ? body.tree : [], truncated: body?.truncated === true };
  };
  const add = (prefix: string, raw: unknown): { type: 'tree'; path: string; sha: string } | undefined => {
    const e = obj(raw);
    const rel = str(e?.path, 4096);
    const path = rel === undefined ? undefined : `${prefix}${rel}`;
    const sha = str(e?.sha, 64);
    if (!e || path === undefined || !isRepoPath(path) || !sha || !GIT_SHA.test(sha)) {
      tree.badEntries++;
      return undefined;
    }
    if (e.type === 'tree') {
      tree.dirs.add(path);
      return { type: 'tree', path, sha };
    }
    if (e.type !== 'blob') return undefined; // a submodule (`commit`) holds no files of this repository
    const size = num(e.size);
    if (size === undefined || size < 0) {
      tree.badEntries++;
      return undefined;
    }
    if (tree.blobs.length >= bounds.maxEntries) {
      tree.incomplete = true;
      return undefined;
    }
    tree.blobs.push({ path, sha, size });
    return undefined;
  };
  const walk = async (sha: string, prefix: string): Promise<void> => {
    if (tree.incomplete) return;
    if (requests >= bounds.maxRequests) {
      tree.incomplete = true;
      return;
    }
    const whole = await fetchTree(sha, true);
    if (!whole.truncated) {
      for (const e of whole.entries) add(prefix, e);
      return;
    }
    // Truncated: list this level alone, then each subtree (recursively, so most need one request).
    tree.subtreeRequests++;
    const level = await fetchTree(sha, false);
    const subtrees: { path: string; sha: string }[] = [];
    for (const e of level.entries) {
      const sub = add(prefix, e);
      if (sub) subtrees.push(sub);
    }
    for (const sub of subtrees) await walk(sub.sha, `${sub.path}/`);
  };
  await walk(treeSha, '');
  tree.blobs.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return tree;
}

export interface Selection {
  /** Files read for Hub references, best first. */
  candidates: TreeBlob[];
  /** Candidates left out by the count bound. */
  skippedByCount: number;
  /** Candidates left out by the size bound. */
  skippedBySize: number;
  workflows: TreeBlob[];
  manifests: TreeBlob[];
  modelFiles: TreeBlob[];
  /** Files whose name says nothing (extensionless, `.dat`) but that a loader may open: read to see what their bytes are. */
  byteProbes: TreeBlob[];
}

export interface SelectOptions {
  maxFiles: number;
  maxFileBytes: number;
}

/** Directories of vendored or generated code: what they load is someone else's. */
const VENDORED = /(?:^|\/)(?:node_modules|vendor|third_party|site-packages|\.venv|venv|\.tox|__pycache__|\.git)\//;
const LOCKFILE = /(?:^|\/)(?:package-lock|npm-shrinkwrap)\.json$/;
const MAX_WORKFLOWS = 200;
const MAX_MANIFESTS = 100;
const MAX_MODEL_FILES = 1000;
const MAX_BYTE_PROBES = 50;

/** Which kind of candidate a path is, lower first: code, then container builds, then configuration. */
function candidateRank(path: string): number | undefined {
  const name = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  if (name.endsWith('.py') || name.endsWith('.ipynb')) return 0;
  if (name === 'dockerfile' || name.endsWith('.dockerfile') || name.startsWith('dockerfile.')) return 1;
  if (/\.(?:ya?ml|toml|cfg)$/.test(name) || name.endsWith('.env.example')) return 2;
  if (name.endsWith('.json') && !LOCKFILE.test(path)) return 3;
  if (/\.(?:js|ts)$/.test(name) && !name.endsWith('.d.ts') && !name.endsWith('.min.js')) return 4;
  return undefined;
}

const depth = (path: string) => path.split('/').length;

export function selectFiles(blobs: readonly TreeBlob[], o: SelectOptions): Selection {
  const ranked: { blob: TreeBlob; rank: number }[] = [];
  let skippedBySize = 0;
  const workflows: TreeBlob[] = [];
  const manifests: TreeBlob[] = [];
  const modelFiles: TreeBlob[] = [];
  const byteProbes: TreeBlob[] = [];
  for (const b of blobs) {
    // A workflow is also a candidate: its `run:` steps are shell that may download from the Hub.
    if (isWorkflowPath(b.path) && workflows.length < MAX_WORKFLOWS && b.size <= o.maxFileBytes) workflows.push(b);
    if (VENDORED.test(b.path)) continue;
    if (manifestFormatOf(b.path) && manifests.length < MAX_MANIFESTS) manifests.push(b);
    if (detectFormatByName(b.path) !== 'other') {
      if (modelFiles.length < MAX_MODEL_FILES) modelFiles.push(b);
    } else if (isScanCandidateByName(b.path) && b.size > 0 && b.size <= o.maxFileBytes && byteProbes.length < MAX_BYTE_PROBES) {
      byteProbes.push(b);
    }
    const rank = candidateRank(b.path);
    if (rank === undefined) continue;
    if (b.size > o.maxFileBytes) {
      skippedBySize++;
      continue;
    }
    ranked.push({ blob: b, rank });
  }
  ranked.sort((a, b) => a.rank - b.rank || depth(a.blob.path) - depth(b.blob.path) || (a.blob.path < b.blob.path ? -1 : 1));
  return {
    candidates: ranked.slice(0, o.maxFiles).map((r) => r.blob),
    skippedByCount: Math.max(0, ranked.length - o.maxFiles),
    skippedBySize,
    workflows,
    manifests,
    modelFiles,
    byteProbes,
  };
}
