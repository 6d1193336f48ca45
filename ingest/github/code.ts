/**
 * Reading a repository's code at its head commit: the tree, then the blobs worth reading (candidate files for Hub
 * references, workflows, small model files that may be Git LFS pointers, files whose name says nothing), bounded by
 * size and count, then the pure extraction and mapping; committed model files are scanned by `../scan/`. A blob that cannot be read is a warning on that file; the rest of the code is still read.
 */
import PQueue from 'p-queue';
import type { RecordBatch } from '../../schema/records.ts';
import { detectFormatByName, fileScanProps, scanBytes, SCANNER_VERSION } from '../scan/index.ts';
import { UpstreamLimitError } from '../pipeline/bounds.ts';
import { GitHubApiError, type GitHubClient } from './client.ts';
import { extractHubReferences } from './hub-refs.ts';
import { mapHubUses, mapModelFile, mapWorkflow, parseLfsPointer, type FoundReference, type ModelFileFacts } from './map-code.ts';
import { obj, str } from './map-common.ts';
import type { RepoIdentity } from './map-repo.ts';
import { readTree, selectFiles, type Tree, type TreeBlob } from './tree.ts';
import { analyseWorkflow } from './workflows.ts';

export interface CodeOptions {
  maxFiles: number;
  maxFileBytes: number;
  /** Largest committed model file read and scanned (the blob API serves up to 100 MB). */
  maxScanBytes: number;
  maxTreeEntries: number;
  web: string;
}

export interface CodeRead {
  batch: RecordBatch;
  warnings: string[];
  tree: Tree;
  /** Blobs read, by path (manifests among them are reused by the dependency fallback). */
  blobs: Map<string, Uint8Array>;
  manifests: TreeBlob[];
  references: number;
  filesRead: number;
}

/** An LFS pointer is about 130 bytes; a model file this small is worth one read to find out. */
const POINTER_MAX = 1024;
const BLOBS_AT_ONCE = 8;
const MAX_TREE_REQUESTS = 2000;

export async function readCode(client: GitHubClient, id: RepoIdentity, sha: string, treeSha: string, o: CodeOptions): Promise<CodeRead> {
  const warnings: string[] = [];
  const tree = await readTree(client, id.owner, id.name, treeSha, { maxEntries: o.maxTreeEntries, maxRequests: MAX_TREE_REQUESTS });
  if (tree.incomplete) warnings.push(`the tree has more than ${o.maxTreeEntries} files (or needs more than ${MAX_TREE_REQUESTS} requests); files past that are not read`);
  if (tree.badEntries) warnings.push(`the tree has ${tree.badEntries} entries of the wrong shape (bad path or sha); skipped`);
  const sel = selectFiles(tree.blobs, { maxFiles: o.maxFiles, maxFileBytes: o.maxFileBytes });
  if (sel.skippedByCount) warnings.push(`${sel.skippedByCount} candidate files past --max-files ${o.maxFiles} were not read for Hub references`);
  if (sel.skippedBySize) warnings.push(`${sel.skippedBySize} candidate files over --max-file-bytes ${o.maxFileBytes} were not read for Hub references`);

  const pointers = sel.modelFiles.filter((f) => f.size <= POINTER_MAX);
  const wanted = new Map<string, TreeBlob>();
  for (const b of [...sel.candidates, ...sel.workflows, ...pointers, ...sel.byteProbes]) wanted.set(b.path, b);
  const blobs = new Map<string, Uint8Array>();
  const queue = new PQueue({ concurrency: BLOBS_AT_ONCE });
  await Promise.all(
    [...wanted.values()].map((b) =>
      queue.add(async () => {
        const bytes = await readBlob(client, id, b);
        if (typeof bytes === 'string') warnings.push(`${b.path}: ${bytes}`);
        else blobs.set(b.path, bytes);
      }),
    ),
  );

  const found: FoundReference[] = [];
  for (const c of sel.candidates) {
    const bytes = blobs.get(c.path);
    if (!bytes) continue;
    if (isBinary(bytes)) continue;
    const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    for (const ref of extractHubReferences(c.path, text, { localDirs: tree.dirs })) found.push({ path: c.path, ref });
  }
  const batch: RecordBatch = { nodes: [], edges: mapHubUses(id.key, found) };
  const add = (b: RecordBatch) => {
    batch.nodes.push(...b.nodes);
    batch.edges.push(...b.edges);
  };
  for (const w of sel.workflows) {
    const bytes = blobs.get(w.path);
    if (!bytes) continue;
    const posture = analyseWorkflow(new TextDecoder('utf-8', { fatal: false }).decode(bytes), id.owner);
    for (const p of posture.problems) warnings.push(`${w.path}: ${p}`);
    add(mapWorkflow(id.owner, id.name, id.key, sha, w, posture, o.web));
  }
  // Committed model files: a Git LFS pointer is recorded as such; other content is read (one at a time, these can
  // be large) and scanned by the scanner every source shares. Files whose name says nothing are kept only when their
  // bytes are a model format.
  const scanQueue = new PQueue({ concurrency: 1 });
  const scanned = await Promise.all([
    ...sel.modelFiles.map((m) => scanQueue.add(() => modelFileFacts(client, id, m, blobs.get(m.path), o, warnings))),
    ...sel.byteProbes.map((m) => scanQueue.add(() => modelFileFacts(client, id, m, blobs.get(m.path), o, warnings, true))),
  ]);
  for (const [i, facts] of scanned.entries()) {
    const m = i < sel.modelFiles.length ? sel.modelFiles[i]! : sel.byteProbes[i - sel.modelFiles.length]!;
    if (facts) add(mapModelFile(id.owner, id.name, id.key, sha, m, facts, o.web));
  }
  return { batch, warnings, tree, blobs, manifests: sel.manifests, references: found.length, filesRead: blobs.size };
}

/**
 * What is known of one committed model file: its LFS pointer, or its scan; for a probe (a name that says nothing),
 * undefined unless the bytes are a model format.
 */
async function modelFileFacts(client: GitHubClient, id: RepoIdentity, m: TreeBlob, known: Uint8Array | undefined, o: CodeOptions, warnings: string[], probe = false): Promise<ModelFileFacts | undefined> {
  const byName = detectFormatByName(m.path);
  const unscanned = (reason: string): ModelFileFacts => ({ format: byName, formatSource: 'name', scanStatus: 'unscanned', scanner: SCANNER_VERSION, scanReason: reason });
  if (!known && m.size > o.maxScanBytes) return probe ? undefined : unscanned(`limit: ${m.size} bytes is over --max-scan-bytes ${o.maxScanBytes}; not read`);
  const bytes = known ?? (await readBlob(client, id, m));
  if (typeof bytes === 'string') {
    if (probe) return undefined;
    warnings.push(`${m.path}: ${bytes}`);
    return unscanned(`error: ${bytes}`);
  }
  const lfs = parseLfsPointer(bytes);
  if (lfs) return { format: byName, formatSource: 'name', lfs, scanStatus: 'unscanned', scanner: SCANNER_VERSION, scanReason: 'unsupported: stored in Git LFS: the repository holds only the pointer, and the REST API does not serve the object' };
  const result = await scanBytes(m.path, bytes, { maxScanBytes: o.maxScanBytes });
  if (probe && result.format === 'other') return undefined;
  return fileScanProps(result);
}

/** A blob's bytes (`GET …/git/blobs/{sha}`, base64), or why it could not be read. */
export async function readBlob(client: GitHubClient, id: RepoIdentity, b: TreeBlob): Promise<Uint8Array | string> {
  let answer;
  try {
    answer = await client.get('GET /repos/{owner}/{repo}/git/blobs/{file_sha}', { owner: id.owner, repo: id.name, file_sha: b.sha }, { allow: [403, 404, 409, 422] });
  } catch (err) {
    if (err instanceof GitHubApiError || err instanceof UpstreamLimitError) return `${err.message}; not read`;
    throw err;
  }
  if (answer.kind !== 'ok') return `blob not readable (${answer.kind === 'error' ? `HTTP ${answer.status}: ${answer.message}` : 'no body'}); not read`;
  const body = obj(answer.data);
  const content = str(body?.content, Number.MAX_SAFE_INTEGER);
  if (content === undefined) return body && body.content === '' ? new Uint8Array(0) : 'blob body has no content; not read';
  const bytes = body?.encoding === 'base64' ? new Uint8Array(Buffer.from(content, 'base64')) : new TextEncoder().encode(content);
  return bytes;
}

/** Git's own test: a NUL in the first 8000 bytes means binary. */
export function isBinary(bytes: Uint8Array): boolean {
  const end = Math.min(bytes.length, 8000);
  for (let i = 0; i < end; i++) if (bytes[i] === 0) return true;
  return false;
}
