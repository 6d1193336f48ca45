/**
 * `aispm scan --into-graph <asset>`: the files of a local scan as File nodes (`local:file/<sha256>/<path>`) held
 * by the asset through CONTAINS, written through the shared scope writer with the asset as the scope of source
 * `local` — so a re-scan of the asset replaces what the previous one wrote (a file gone or changed is swept), and
 * no other source's records of that asset are touched. The mapping is pure; hashing and writing are at the edges.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { EDGE_SPECS, type NodeKind } from '../../schema/model.ts';
import { tryKeyOf } from '../../schema/keys.ts';
import type { EdgeRecord, NodeRecord, Props, RecordBatch } from '../../schema/records.ts';
import type { GraphStore } from '../../schema/store.ts';
import { createScopeWriter, type WriteTotals } from '../pipeline/sync.ts';
import { fileScanProps } from './props.ts';
import type { ScanResult } from './scan.ts';

export const LOCAL_SOURCE = 'local';

export interface HashedScan {
  result: ScanResult;
  /** The path under the scanned root, `/`-separated: the key's path part and the node's `path`. */
  relativePath: string;
  sha256: string;
}

/** Kinds a File can belong to (CONTAINS pairs in the model). */
export function canContainFiles(kind: NodeKind): boolean {
  return EDGE_SPECS.CONTAINS.pairs.some(([from, to]) => from === kind && to === 'File');
}

/** File nodes and CONTAINS edges from the asset; a path no key can hold is returned as skipped. Pure. */
export function localScanBatch(assetKey: string, files: readonly HashedScan[]): { batch: RecordBatch; unkeyed: string[] } {
  const nodes: NodeRecord[] = [];
  const edges: EdgeRecord[] = [];
  const unkeyed: string[] = [];
  const seen = new Set<string>();
  for (const f of files) {
    const key = tryKeyOf('local-file', { sha256: f.sha256, path: f.relativePath });
    if (!key) {
      unkeyed.push(f.relativePath);
      continue;
    }
    if (seen.has(key)) continue;
    seen.add(key);
    const props: Props = { name: f.relativePath.split('/').pop()!, path: f.relativePath, size: f.result.size, sha256: f.sha256, ...fileScanProps(f.result) };
    nodes.push({ kind: 'File', key, props });
    edges.push({ kind: 'CONTAINS', from: assetKey, to: key, source: LOCAL_SOURCE, evidence: 'aispm scan', confidence: 'declared', props: { size: f.result.size, sha256: f.sha256, format: f.result.format } });
  }
  return { batch: { nodes, edges }, unkeyed };
}

/** sha256 of a local file, streamed (a 10 GB checkpoint is never held). */
export function sha256OfFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path, { highWaterMark: 1024 * 1024 })
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** Writes one asset's local scan as one complete scope: what an earlier scan of it wrote and this one did not see goes. */
export async function writeLocalScan(store: GraphStore, assetKey: string, batch: RecordBatch): Promise<WriteTotals> {
  const writer = createScopeWriter(store, LOCAL_SOURCE);
  await writer.commitScope(assetKey, batch);
  return writer.totals;
}
