/**
 * The one entry point the crawler calls: what format is this remote file, and if loading it may unpickle, what does
 * the pickle import? Reads through a range reader, so only the bytes needed are fetched: the first 64 bytes, then
 * for a PyTorch zip its central directory and `*.pkl` entries, for a raw pickle the whole file (when small enough).
 *
 * Never throws: read failures and corrupt data become `scanStatus: 'error'` with a reason; a file too big to scan
 * becomes `'unscanned'` with a reason, never a silent skip.
 */
import { gunzipSync, inflateSync } from 'node:zlib';
import { classifyGlobals, SCANNER_VERSION } from './classify.ts';
import { detectCompression, detectFormatByName, detectFormatOnly, isPickleBearing, SIGNATURES, type FileFormat } from './format.ts';
import { npyHeaderHasObjects, readNpyPrelude } from './numpy-header.ts';
import { scanPickle, type PickleScanResult } from './pickle-scan.ts';
import { readExact, readZipDirectory, readZipEntry, ZipFormatError, type RangeReader, type ZipLimits } from './zip.ts';

export type { RangeReader } from './zip.ts';

export type ScanStatus = 'safe' | 'suspicious' | 'dangerous' | 'unscanned' | 'error';

export interface FileScanResult {
  format: FileFormat;
  formatSource: 'name' | 'bytes';
  /** undefined = not applicable (the format never unpickles). */
  scanStatus: ScanStatus | undefined;
  scanGlobals?: string[];
  scanner?: string;
  /** Why unscanned or error; for dangerous/suspicious, which globals decided it; for safe, any note. */
  scanReason?: string;
  bytesRead: number;
}

export interface RemoteFile {
  path: string;
  size: number;
  read: RangeReader;
}

export interface ScanOptions {
  /** The most pickle bytes one file may make us read (raw pickle, or the sum of a zip's pickle entries). */
  maxScanBytes: number;
  maxOpcodes?: number;
  zipLimits?: ZipLimits;
  /** Each zip entry costs two range reads; more pickle-bearing entries than this is unscanned. Default 64. */
  maxZipPickleEntries?: number;
}

export const HEAD_BYTES = 64;

/** What a scan route concludes, before the common fields are added. */
type Outcome = Pick<FileScanResult, 'scanStatus' | 'scanGlobals' | 'scanReason'>;

/** Hostile names must not carry control characters into logs and reports; long ones are cut. */
function printable(s: string, max = 200): string {
  const clean = s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

const listOf = (xs: readonly string[], max = 5) =>
  xs.slice(0, max).map((x) => printable(x)).join(', ') + (xs.length > max ? ` and ${xs.length - max} more` : '');

function unscanned(reason: string): Outcome {
  return { scanStatus: 'unscanned', scanReason: reason };
}

function failed(reason: string, globals?: string[]): Outcome {
  return { scanStatus: 'error', scanReason: printable(reason, 500), ...(globals ? { scanGlobals: globals } : {}) };
}

/** A pickle scan (possibly of several parts, e.g. zip entries) and its verdict. */
interface PartScan {
  label: string;
  result: PickleScanResult;
}

/**
 * The verdict policy. A dangerous import wins over everything, even a broken stream (a payload before a deliberate
 * break is the nullifAI trick). Otherwise a stream that broke before its first STOP, or hit the opcode limit, is an
 * error: we cannot vouch for what we did not read. Bytes that fail to parse after a complete pickle are trailing
 * data (legacy torch files keep raw tensor bytes there) and only earn a note.
 */
function verdictOf(parts: readonly PartScan[]): Outcome {
  const globals: string[] = [];
  const seen = new Set<string>();
  for (const p of parts) {
    for (const g of p.result.globals) {
      if (seen.has(g)) continue;
      seen.add(g);
      globals.push(g);
    }
  }
  const cls = classifyGlobals(globals);
  const fatal = parts.filter((p) => p.result.limitReached || (p.result.errors.length > 0 && p.result.completePickles === 0));
  const trailing = parts.filter((p) => !fatal.includes(p) && p.result.errors.length > 0);
  const where = (p: PartScan) => (p.label ? `${p.label}: ` : '');
  if (cls.verdict === 'dangerous') {
    const broken = fatal.length > 0 ? `; the stream is also malformed (${where(fatal[0]!)}${fatal[0]!.result.errors[0]})` : '';
    return { scanStatus: 'dangerous', scanGlobals: globals, scanReason: printable(`imports ${listOf(cls.dangerous)}${broken}`, 1000) };
  }
  if (fatal.length > 0) {
    const f = fatal[0]!;
    return failed(`pickle could not be fully parsed: ${where(f)}${f.result.errors[0]}`, globals);
  }
  const notes: string[] = [];
  if (cls.verdict === 'suspicious') notes.push(`imports globals outside the allowlist: ${listOf(cls.suspicious)}`);
  if (trailing.length > 0) {
    const t = trailing[0]!;
    notes.push(`data after ${t.result.completePickles} complete pickle(s) was not parsed (${where(t)}${t.result.errors[0]})`);
  }
  return { scanStatus: cls.verdict, scanGlobals: globals, ...(notes.length ? { scanReason: printable(notes.join('; '), 1000) } : {}) };
}

interface Ctx {
  path: string;
  size: number;
  read: RangeReader;
  head: Uint8Array;
  format: FileFormat;
  opts: ScanOptions;
}

const overLimit = (what: string, bytes: number, limit: number) =>
  `${what} is ${bytes} bytes, over the scan limit of ${limit} bytes (maxScanBytes)`;

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** The whole file, reusing the head we already have. */
async function readWhole(ctx: Ctx): Promise<Uint8Array> {
  if (ctx.size <= ctx.head.length) return ctx.head.subarray(0, ctx.size);
  return concatBytes(ctx.head, await readExact(ctx.read, ctx.head.length, ctx.size - 1));
}

async function scanRawPickle(ctx: Ctx): Promise<Outcome> {
  if (ctx.size > ctx.opts.maxScanBytes) return unscanned(overLimit('the file', ctx.size, ctx.opts.maxScanBytes));
  const bytes = await readWhole(ctx);
  return verdictOf([{ label: '', result: scanPickle(bytes, { maxOpcodes: ctx.opts.maxOpcodes }) }]);
}

async function scanCompressedPickle(ctx: Ctx, compression: string): Promise<Outcome> {
  if (compression !== 'gzip' && compression !== 'zlib') {
    return unscanned(`compressed with ${compression}; only gzip and zlib are decompressed for scanning`);
  }
  if (ctx.size > ctx.opts.maxScanBytes) return unscanned(overLimit('the compressed file', ctx.size, ctx.opts.maxScanBytes));
  const bytes = await readWhole(ctx);
  let plain: Uint8Array;
  try {
    const bound = { maxOutputLength: Math.max(1, ctx.opts.maxScanBytes) };
    plain = compression === 'gzip' ? gunzipSync(bytes, bound) : inflateSync(bytes, bound);
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      return unscanned(`${compression} data decompresses to more than the scan limit of ${ctx.opts.maxScanBytes} bytes`);
    }
    return failed(`${compression} data is corrupt: ${(err as Error).message}`);
  }
  return verdictOf([{ label: '', result: scanPickle(plain, { maxOpcodes: ctx.opts.maxOpcodes }) }]);
}

/** An object-dtype .npy holds a pickle after its header; any other dtype holds numbers only. */
function scanNpyBytes(label: string, bytes: Uint8Array, opts: ScanOptions): PartScan | string | undefined {
  const prelude = readNpyPrelude(bytes);
  if (!prelude.ok) return `${label}${prelude.error}`;
  if (prelude.dataStart > bytes.length) return `${label}truncated .npy header`;
  const header = npyHeaderHasObjects(new TextDecoder('latin1').decode(bytes.subarray(prelude.headerStart, prelude.dataStart)));
  if ('error' in header) return `${label}${header.error}`;
  if (!header.objects) return undefined;
  return { label: label.replace(/: $/, ''), result: scanPickle(bytes.subarray(prelude.dataStart), { maxOpcodes: opts.maxOpcodes }) };
}

async function scanNpyFile(ctx: Ctx): Promise<Outcome> {
  const prelude = readNpyPrelude(ctx.head);
  if (!prelude.ok) return failed(prelude.error);
  if (prelude.dataStart > ctx.size) return failed('truncated .npy header');
  const prefix =
    prelude.dataStart <= ctx.head.length
      ? ctx.head
      : concatBytes(ctx.head, await readExact(ctx.read, ctx.head.length, prelude.dataStart - 1));
  const headerBytes = prefix.subarray(prelude.headerStart, prelude.dataStart);
  const header = npyHeaderHasObjects(new TextDecoder('latin1').decode(headerBytes));
  if ('error' in header) return failed(header.error);
  if (!header.objects) {
    return { scanStatus: 'safe', scanGlobals: [], scanReason: printable(`plain numpy array (dtype ${header.descr}): no pickle inside`) };
  }
  const pickleSize = ctx.size - prelude.dataStart;
  if (pickleSize > ctx.opts.maxScanBytes) return unscanned(overLimit('the object array pickle', pickleSize, ctx.opts.maxScanBytes));
  const bytes = pickleSize === 0 ? new Uint8Array() : await readExact(ctx.read, prelude.dataStart, ctx.size - 1);
  return verdictOf([{ label: '', result: scanPickle(bytes, { maxOpcodes: ctx.opts.maxOpcodes }) }]);
}

/** A zip (PyTorch checkpoint, .npz): list it, then read only the entries that can hold a pickle. */
async function scanZip(ctx: Ctx): Promise<Outcome> {
  const dir = await readZipDirectory(ctx.read, ctx.size, ctx.opts.zipLimits);
  const lower = (n: string) => n.toLowerCase();
  const targets = dir.entries.filter((e) => lower(e.name).endsWith('.pkl') || lower(e.name).endsWith('.npy'));
  if (targets.length === 0) {
    return { scanStatus: 'safe', scanGlobals: [], scanReason: `zip of ${dir.entries.length} entries holds no .pkl or .npy entry` };
  }
  const maxEntries = ctx.opts.maxZipPickleEntries ?? 64;
  if (targets.length > maxEntries) {
    return unscanned(`zip holds ${targets.length} pickle-bearing entries, over the limit of ${maxEntries}`);
  }
  const total = targets.reduce((n, e) => n + e.uncompressedSize, 0);
  if (total > ctx.opts.maxScanBytes) {
    return unscanned(overLimit(`the ${targets.length} pickle-bearing zip entries`, total, ctx.opts.maxScanBytes));
  }
  const parts: PartScan[] = [];
  for (const entry of targets) {
    const data = await readZipEntry(ctx.read, entry, { maxBytes: ctx.opts.maxScanBytes });
    if (lower(entry.name).endsWith('.pkl')) {
      parts.push({ label: entry.name, result: scanPickle(data, { maxOpcodes: ctx.opts.maxOpcodes }) });
      continue;
    }
    const npy = scanNpyBytes(`${entry.name}: `, data, ctx.opts);
    if (typeof npy === 'string') return failed(npy);
    if (npy) parts.push(npy);
  }
  return verdictOf(parts);
}

const startsWith = (head: Uint8Array, sig: readonly number[]) => head.length >= sig.length && sig.every((b, i) => head[i] === b);

/** Chooses how to read the file from its first bytes (the container), not from the format label. */
async function scanPickleBearing(ctx: Ctx): Promise<Outcome> {
  const { head } = ctx;
  // 'PK' + a zip record type (local header, empty-archive EOCD, spanning marker); 'P' alone is also a pickle opcode
  const zipRecord = head[0] === 0x50 && head[1] === 0x4b && [0x0304, 0x0506, 0x0708].includes((head[2]! << 8) | head[3]!);
  if (zipRecord) return scanZip(ctx);
  if (startsWith(head, SIGNATURES.numpy)) return scanNpyFile(ctx);
  if (startsWith(head, SIGNATURES.sevenZip)) {
    return failed('7z archive where a zip or pickle was expected (7z-packed PyTorch files are a known scanner evasion)');
  }
  const compression = detectCompression(head);
  if (compression && (ctx.format === 'joblib' || ctx.format === 'pickle')) return scanCompressedPickle(ctx, compression);
  return scanRawPickle(ctx);
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Detects the format of a remote file and, for formats that may unpickle, scans what it would import. */
export async function scanRemoteFile(file: RemoteFile, opts: ScanOptions): Promise<FileScanResult> {
  let bytesRead = 0;
  const read: RangeReader = async (start, endInclusive) => {
    const bytes = await file.read(start, endInclusive);
    bytesRead += bytes.length;
    return bytes;
  };
  const byName = detectFormatByName(file.path);
  const base = { format: byName, formatSource: 'name' as const };
  const finish = (r: Omit<FileScanResult, 'bytesRead' | 'scanner'>): FileScanResult => ({
    ...r,
    ...(r.scanStatus !== undefined ? { scanner: SCANNER_VERSION } : {}),
    bytesRead,
  });

  if (!Number.isSafeInteger(file.size) || file.size < 0) {
    return finish({ ...base, scanStatus: isPickleBearing(byName) ? 'error' : undefined, scanReason: `invalid file size ${String(file.size)}` });
  }
  if (!(opts.maxScanBytes >= 0)) {
    return finish({ ...base, scanStatus: isPickleBearing(byName) ? 'error' : undefined, scanReason: 'invalid maxScanBytes' });
  }
  if (file.size === 0) {
    return finish({ ...base, scanStatus: isPickleBearing(byName) ? 'safe' : undefined, ...(isPickleBearing(byName) ? { scanGlobals: [], scanReason: 'empty file' } : {}) });
  }

  let detected: { format: FileFormat; formatSource: 'name' | 'bytes' } = base;
  try {
    const head = await readExact(read, 0, Math.min(HEAD_BYTES, file.size) - 1);
    detected = detectFormatOnly(file.path, head);
    if (!isPickleBearing(detected.format)) return finish({ ...detected, scanStatus: undefined });
    const outcome = await scanPickleBearing({ path: file.path, size: file.size, read, head, format: detected.format, opts });
    return finish({ ...detected, ...outcome });
  } catch (err) {
    const reason = err instanceof ZipFormatError ? `corrupt zip: ${err.message}` : `read failed: ${errorMessage(err)}`;
    // A file we could not even classify by bytes is reported by name; only pickle-bearing ones get a scan status.
    return finish({ ...detected, scanStatus: isPickleBearing(detected.format) ? 'error' : undefined, scanReason: printable(reason, 500) });
  }
}
