/**
 * A repo's file listing (GET /api/{type}s/{id}/tree/{sha}?recursive=true, in the Hub's shape) plus what was
 * learned about each file's format → File nodes and CONTAINS edges with size, LFS sha256 and format. Pure.
 */
import type { EdgeRecord, NodeRecord, Props, RecordBatch } from '../../schema/records.ts';
import { isObject } from '../pipeline/fields.ts';
import { isRepoPath } from '../pipeline/repo-path.ts';
import { factProps, type FileFacts } from '../scan/file-facts.ts';
import { edge } from './map-common.ts';
import { fileKey, type RepoRef } from './refs.ts';

export interface TreeFile {
  path: string;
  size: number;
  /** LFS sha256 when the file is stored in LFS. */
  sha256?: string;
  /** Git blob id. */
  oid?: string;
}


/** Tree entries → files; directories and malformed entries are dropped (malformed ones reported). */
export function treeFiles(entries: unknown[], warn: (m: string) => void): TreeFile[] {
  const out: TreeFile[] = [];
  let bad = 0;
  for (const e of entries) {
    if (!isObject(e) || typeof e.path !== 'string' || !isRepoPath(e.path)) {
      bad++;
      continue;
    }
    if (e.type === 'directory') continue;
    const size = typeof e.size === 'number' && Number.isFinite(e.size) && e.size >= 0 ? e.size : undefined;
    if (size === undefined) {
      bad++;
      continue;
    }
    const lfs = isObject(e.lfs) ? e.lfs : undefined;
    const sha256 = lfs && typeof lfs.oid === 'string' && /^[0-9a-f]{64}$/.test(lfs.oid) ? lfs.oid : undefined;
    out.push({ path: e.path, size, ...(sha256 ? { sha256 } : {}), ...(typeof e.oid === 'string' ? { oid: e.oid } : {}) });
  }
  if (bad) warn(`file listing has ${bad} entries of the wrong shape; skipped`);
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export function mapFiles(repo: RepoRef, repoKeyValue: string, sha: string, files: TreeFile[], facts: Map<string, FileFacts>): RecordBatch {
  const nodes: NodeRecord[] = [];
  const edges: EdgeRecord[] = [];
  for (const f of files) {
    const key = fileKey(repo, f.path, sha);
    const fact = facts.get(f.path);
    const props: Props = { name: f.path.split('/').pop()!, path: f.path, size: f.size };
    if (f.sha256) props.sha256 = f.sha256;
    if (f.oid) props.gitOid = f.oid;
    if (fact) Object.assign(props, factProps(fact));
    nodes.push({ kind: 'File', key, props });
    const eprops: Props = { size: f.size };
    if (f.sha256) eprops.sha256 = f.sha256;
    if (fact) eprops.format = fact.format;
    edges.push(edge('CONTAINS', repoKeyValue, key, 'tree', { props: eprops }));
  }
  return { nodes, edges };
}
