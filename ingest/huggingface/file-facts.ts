/**
 * The format of each file (from its name, and from its first bytes when --scan-pickles reads them) and the pickle
 * scan verdict, through the serialization module. Reading goes through the same rate-limited fetch as everything
 * else; a failed read leaves that file unscanned with an `error:` reason, never a failed repo.
 */
import PQueue from 'p-queue';
import { detectFormatByName, isScanCandidateByName } from '../scan/format.ts';
import type { RangeReader } from './client.ts';
import type { FileFacts, TreeFile } from './map-files.ts';

export interface FactOptions {
  scanPickles: boolean;
  maxScanBytes: number;
  /** Opens range reads of one file of the repo (`size` as listed: a whole-file read may not exceed it). */
  open(path: string, size: number): Promise<RangeReader | undefined>;
}

/** Files scanned at once within one repo (the HTTP layer bounds the total). */
const SCANS_PER_REPO = 4;

export async function fileFacts(files: TreeFile[], opts: FactOptions): Promise<Map<string, FileFacts>> {
  const facts = new Map<string, FileFacts>();
  const toScan: TreeFile[] = [];
  for (const f of files) {
    const format = detectFormatByName(f.path);
    facts.set(f.path, { format, formatSource: 'name' });
    if (opts.scanPickles && f.size > 0 && isScanCandidateByName(f.path)) toScan.push(f);
  }
  const queue = new PQueue({ concurrency: SCANS_PER_REPO });
  await Promise.all(
    toScan.map((f) =>
      queue.add(async () => {
        facts.set(f.path, await scanOne(f, opts));
      }),
    ),
  );
  return facts;
}

async function scanOne(f: TreeFile, opts: FactOptions): Promise<FileFacts> {
  const byName = detectFormatByName(f.path);
  try {
    const read = await opts.open(f.path, f.size);
    if (!read) return { format: byName, formatSource: 'name', scanStatus: 'unscanned', scanReason: 'error: file not found when read' };
    // Loaded only when scanning, so a crawl without --scan-pickles never loads the scanner. A Hub zip costs one
    // request per member read, so only members whose names say code are classified past the first 64.
    const { scanRange, fileScanProps } = await import('../scan/index.ts');
    return fileScanProps(await scanRange({ path: f.path, size: f.size, read }, { maxScanBytes: opts.maxScanBytes, maxMembers: 64 }));
  } catch (err) {
    return { format: byName, formatSource: 'name', scanStatus: 'unscanned', scanReason: `error: read failed: ${(err as Error).message.split('\n')[0]!.slice(0, 200)}` };
  }
}
