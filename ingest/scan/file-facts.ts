/**
 * The format of each file of a listed repository (from its name, and from its bytes when --scan-pickles reads
 * them) and the scan verdict, for every source that lists remote files (the Hub, MLflow artifacts). Reading goes
 * through the source's own rate-limited range reads; a failed read leaves that file unscanned with an `error:`
 * reason, never a failed repo.
 */
import PQueue from 'p-queue';
import type { FileFormat, ScanVerdict } from '../../schema/model.ts';
import type { Props } from '../../schema/records.ts';
import { detectFormatByName, isScanCandidateByName } from './format.ts';
import type { RangeReader } from './zip.ts';

/** A file as a listing names it. */
export interface ListedFile {
  path: string;
  size: number;
}

/** What was learned about a file: its format (by name or by bytes) and, if scanned, the verdict. */
export interface FileFacts {
  format: FileFormat;
  formatSource: 'name' | 'bytes';
  scanStatus?: ScanVerdict;
  scanGlobals?: string[];
  scanner?: string;
  scanReason?: string;
  scanFindings?: string[];
}

export interface FactOptions {
  scanPickles: boolean;
  maxScanBytes: number;
  /** Opens range reads of one file of the repo (`size` as listed: a whole-file read may not exceed it). */
  open(path: string, size: number): Promise<RangeReader | undefined>;
}

/** A file's format and scan verdict as File node properties (see schema/model.ts), for every source that scans. */
export function factProps(fact: FileFacts): Props {
  const props: Props = { format: fact.format, formatSource: fact.formatSource };
  if (fact.scanStatus) props.scanStatus = fact.scanStatus;
  if (fact.scanGlobals) props.scanGlobals = fact.scanGlobals;
  if (fact.scanner) props.scanner = fact.scanner;
  if (fact.scanReason) props.scanReason = fact.scanReason;
  if (fact.scanFindings) props.scanFindings = fact.scanFindings;
  return props;
}

/** Files scanned at once within one repo (the HTTP layer bounds the total). */
const SCANS_PER_REPO = 4;

export async function fileFacts(files: readonly ListedFile[], opts: FactOptions): Promise<Map<string, FileFacts>> {
  const facts = new Map<string, FileFacts>();
  const toScan: ListedFile[] = [];
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

async function scanOne(f: ListedFile, opts: FactOptions): Promise<FileFacts> {
  const byName = detectFormatByName(f.path);
  try {
    const read = await opts.open(f.path, f.size);
    if (!read) return { format: byName, formatSource: 'name', scanStatus: 'unscanned', scanReason: 'error: file not found when read' };
    // Loaded only when scanning, so a crawl without --scan-pickles never loads the scanner. A Hub zip costs one
    // request per member read, so only members whose names say code are classified past the first 64.
    const { scanRange, fileScanProps } = await import('./index.ts');
    return fileScanProps(await scanRange({ path: f.path, size: f.size, read }, { maxScanBytes: opts.maxScanBytes, maxMembers: 64 }));
  } catch (err) {
    return { format: byName, formatSource: 'name', scanStatus: 'unscanned', scanReason: `error: read failed: ${(err as Error).message.split('\n')[0]!.slice(0, 200)}` };
  }
}
