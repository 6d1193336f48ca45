/**
 * What a repository's code says at one commit, as records: USES{revision} to each Hub model or dataset it loads (one
 * edge per target, its evidence every `path:line` that loads it), workflow files with their posture, and committed
 * model files with what is known of their content. Pure.
 */
import { repoKey as hubRepoKey } from '../huggingface/refs.ts';
import type { EdgeRecord, NodeRecord, Props, RecordBatch } from '../../schema/records.ts';
import type { HubReference } from './hub-refs.ts';
import { compact, edge, fileKey, pageOf } from './map-common.ts';
import type { FileScanProps } from '../scan/index.ts';
import type { WorkflowPosture } from './workflows.ts';

export interface FoundReference {
  path: string;
  ref: HubReference;
}

const COMMIT = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;
const MAX_EVIDENCE = 5;

/**
 * One USES edge per Hub repo: the occurrence that matters most decides its revision and confidence — a declared load
 * before an inferred config value, a floating revision before a pinned one (the consumer is as exposed as its
 * loosest load) — and the evidence lists where it is loaded.
 */
export function mapHubUses(repo: string, found: readonly FoundReference[]): EdgeRecord[] {
  const byTarget = new Map<string, FoundReference[]>();
  for (const f of found) {
    const key = hubRepoKey({ type: f.ref.type, id: f.ref.id });
    byTarget.set(key, [...(byTarget.get(key) ?? []), f]);
  }
  const score = (f: FoundReference) => (f.ref.confidence === 'declared' ? 0 : 2) + (f.ref.revision && COMMIT.test(f.ref.revision) ? 1 : 0);
  const edges: EdgeRecord[] = [];
  for (const [target, list] of [...byTarget].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const sorted = [...list].sort((a, b) => score(a) - score(b) || (a.path < b.path ? -1 : a.path > b.path ? 1 : a.ref.line - b.ref.line));
    const chosen = sorted[0]!;
    // The occurrence that decided the revision first, then the others in file order.
    const inOrder = [...list].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.ref.line - b.ref.line));
    const places = [...new Set([chosen, ...inOrder].map((f) => `${f.path}:${f.ref.line}`))];
    const evidence = places.slice(0, MAX_EVIDENCE).join(', ') + (places.length > MAX_EVIDENCE ? ` (+${places.length - MAX_EVIDENCE} more)` : '');
    const confidence = list.some((f) => f.ref.confidence === 'declared') ? 'declared' : 'inferred';
    edges.push(edge('USES', repo, target, evidence, { confidence, ...(chosen.ref.revision ? { props: { revision: chosen.ref.revision } } : {}) }));
  }
  return edges;
}

export interface CodeFile {
  path: string;
  size: number;
}

function fileNode(owner: string, name: string, sha: string, f: CodeFile, props: Props, web: string): NodeRecord {
  const key = fileKey(owner, name, f.path, sha);
  return { kind: 'File', key, props: { name: f.path.split('/').pop()!, path: f.path, size: f.size, ...compact({ url: pageOf(key, web) }), ...props } };
}

/** A workflow file with its posture, held by the repository. */
export function mapWorkflow(owner: string, name: string, repo: string, sha: string, f: CodeFile, posture: WorkflowPosture, web: string): RecordBatch {
  const node = fileNode(owner, name, sha, f, {
    workflow: true,
    workflowTriggers: posture.triggers,
    deploysTo: posture.deploysTo,
    unpinnedActions: [...new Set(posture.unpinned.map((u) => u.uses))],
    prTargetCheckout: posture.prTargetCheckout,
    writeAll: posture.writeAll,
  }, web);
  return { nodes: [node], edges: [edge('CONTAINS', repo, node.key, `tree:${f.path}`, { props: { size: f.size } })] };
}

/** What is known of a committed model file: the scan's File properties (format, verdict, …), and its LFS object. */
export type ModelFileFacts = FileScanProps & { lfs?: { sha256: string; size: number } };

export function mapModelFile(owner: string, name: string, repo: string, sha: string, f: CodeFile, facts: ModelFileFacts, web: string): RecordBatch {
  const size = facts.lfs?.size ?? f.size;
  const { lfs, ...scan } = facts;
  const props = compact({ size, sha256: lfs?.sha256, lfs: lfs ? true : undefined, ...scan });
  const node = fileNode(owner, name, sha, { path: f.path, size }, props, web);
  const eprops = compact({ size, sha256: facts.lfs?.sha256, format: facts.format });
  return { nodes: [node], edges: [edge('CONTAINS', repo, node.key, `tree:${f.path}`, { props: eprops })] };
}

/** Git LFS pointer text (`version https://git-lfs.github.com/spec/v1`, `oid sha256:…`, `size …`), parsed as git-lfs does. */
export function parseLfsPointer(bytes: Uint8Array): { sha256: string; size: number } | undefined {
  if (bytes.length > 1024) return undefined;
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  const lines = text.split('\n');
  if (!/^version https:\/\/(?:git-lfs\.github\.com\/spec\/v1|hawser\.github\.com\/spec\/v1)$/.test(lines[0] ?? '')) return undefined;
  const oid = /^oid sha256:([0-9a-f]{64})$/m.exec(text)?.[1];
  const size = /^size (\d{1,15})$/m.exec(text)?.[1];
  return oid && size ? { sha256: oid, size: Number(size) } : undefined;
}
