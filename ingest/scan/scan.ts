/**
 * The scanner's entry points: one file, read through ranges (`scanRange`) or held in memory (`scanBytes`), gets a
 * verdict — dangerous, suspicious, safe or unscanned with the reason — saying which rule decided it, the globals
 * its pickles import, its format and how the bytes showed it, and findings (CRC, flag, name and directory
 * problems) that do not stop the scan.
 *
 * Containers are read the way their loaders read them, and bytes beat names both ways: compression by its magic,
 * then a zip (by its central directory), .npy, tar, 7z, GGUF (validated), HDF5; then anything that parses as a
 * pickle is scanned as one, whatever its name; then safetensors (validated) and ONNX. Nested content (zip and tar
 * members, decompressed streams) goes through the same dispatch, depth-limited. Every read counts against the
 * file's byte budget and a deadline; an error in one file is that file's `unscanned` reason, never an exception.
 */
import { classifyGlobals, SCANNER_VERSION } from './classify.ts';
import { decompress, LimitError, UnsupportedError, type Decompressible } from './decompress.ts';
import { declaresEmptyLzmaStream, detectCompression, detectContainer, isLzmaAloneHeader, detectFormatByName, innerName, type FileFormat } from './format.ts';
import { checkSafetensors, looksLikeSafetensors } from './safetensors.ts';
import { readGgufHeader, templateRisk } from './gguf.ts';
import { readRootAttributes, type Hdf5RootAttributes } from './hdf5.ts';
import { h5ConfigCandidates, kerasConfigRisk } from './keras.ts';
import { parseNpyHeader, readNpyPrelude } from './numpy-header.ts';
import { escapesModelDir, looksLikeOnnx, readOnnx } from './onnx.ts';
import { readZfileHeader } from './joblib-zfile.ts';
import { OPCODES } from './pickle-opcodes.ts';
import { PickleWalker, type PickleScanResult } from './pickle-scan.ts';
import { BudgetError, ByteSource, FormatError } from './source.ts';
import { listTar, type TarListing } from './tar.ts';
import { LEGACY_TORCH_MEMBERS, replayLegacyTorchMember, type LegacyMemberReplay } from './torch-legacy-tar.ts';
import { combine, judgement, listOf, printable, worse, type Judgement } from './verdict.ts';
import { localHeaderFindings, localSignaturesIn, readLocalHeader, readZipDirectory, readZipEntryLenient, RangeReadError, ZipFormatError, zipEntryStream, type RangeReader, type ZipDirectory, type ZipEntry } from './zip.ts';

export type { RangeReader } from './zip.ts';

export interface ScanOptions {
  /** The most bytes one file may make us read or decompress (pickles, headers, members). Default 256 MiB. */
  maxScanBytes?: number;
  /** Nested archives (a zip in a zip, a gzip'd torch zip) opened at most this deep. Default 3. */
  maxDepth?: number;
  /** Archive members classified by their bytes at most (each costs a read). Default 10,000. */
  maxMembers?: number;
  /** Time one file may take, in ms. Default 120,000. */
  timeoutMs?: number;
  maxOpcodes?: number;
}

export interface ScanResult extends Judgement {
  path: string;
  size: number;
  format: FileFormat;
  formatSource: 'name' | 'bytes';
  /** How the bytes were recognised (`pickle opcodes`, `zip central directory`, `gzip → pickle opcodes`, …). */
  recognisedBy: string;
  bytesRead: number;
  scanner: string;
}

export interface RangeFile {
  path: string;
  size: number;
  read: RangeReader;
}

interface Found {
  format: FileFormat;
  formatSource: 'name' | 'bytes';
  recognisedBy: string;
  j: Judgement;
}

interface Ctx {
  maxDepth: number;
  maxMembers: number;
  maxOpcodes?: number;
  deadline: number;
}

const HEAD = 64 * 1024;
const CHUNK = 1024 * 1024;
const MiB = 1024 * 1024;
/** The most of a decompressed stream or archive member that is not a pickle held in memory to be dispatched again. */
const MAX_HELD = 64 * MiB;

/** Scans one file through a range reader. Never throws. */
export async function scanRange(file: RangeFile, opts: ScanOptions = {}): Promise<ScanResult> {
  const maxScanBytes = opts.maxScanBytes ?? 256 * MiB;
  const byName = detectFormatByName(file.path);
  const src = new ByteSource(file.size, file.read, maxScanBytes);
  const ctx: Ctx = { maxDepth: opts.maxDepth ?? 3, maxMembers: opts.maxMembers ?? 10_000, maxOpcodes: opts.maxOpcodes, deadline: performance.now() + (opts.timeoutMs ?? 120_000) };
  const base = { path: file.path, size: file.size, bytesRead: 0, scanner: SCANNER_VERSION };
  if (!Number.isSafeInteger(file.size) || file.size < 0) {
    return { ...base, size: 0, format: byName, formatSource: 'name', recognisedBy: 'name', ...judgement('unscanned', 'error', `error: invalid file size ${String(file.size)}`) };
  }
  let found: Found;
  try {
    found = await scanSource(ctx, src, file.path, 0);
  } catch (err) {
    found = { format: byName, formatSource: 'name', recognisedBy: 'name', j: failure(err) };
  }
  return { ...base, format: found.format, formatSource: found.formatSource, recognisedBy: found.recognisedBy, ...found.j, bytesRead: src.bytesRead };
}

/** Scans bytes already in memory (a member, a download) as the file `path`. */
export function scanBytes(path: string, bytes: Uint8Array, opts: ScanOptions = {}): Promise<ScanResult> {
  return scanRange({ path, size: bytes.length, read: memoryReader(bytes) }, opts);
}

export function memoryReader(bytes: Uint8Array): RangeReader {
  return async (start, endInclusive) => bytes.subarray(start, endInclusive + 1);
}

/** What an exception inside one file's scan means for it. */
function failure(err: unknown): Judgement {
  const message = err instanceof Error ? err.message.split('\n')[0]! : String(err);
  if (err instanceof BudgetError) return judgement('unscanned', 'limit', `limit: ${message}`);
  if (err instanceof ZipFormatError) return judgement('unscanned', 'error', `error: corrupt zip: ${message}`);
  if (err instanceof FormatError) return judgement('unscanned', 'error', `error: ${message}`);
  if (err instanceof RangeReadError) return judgement('unscanned', 'error', `error: read failed: ${message}`);
  return judgement('unscanned', 'error', `error: read failed: ${message.slice(0, 300)}`);
}

async function scanSource(ctx: Ctx, src: ByteSource, path: string, depth: number): Promise<Found> {
  const byName = detectFormatByName(path);
  const bytes = (format: FileFormat, recognisedBy: string, j: Judgement): Found => ({ format, formatSource: 'bytes', recognisedBy, j });
  if (src.size === 0) return { format: byName, formatSource: 'name', recognisedBy: 'empty', j: judgement('safe', 'no-code', 'empty file') };
  if (performance.now() > ctx.deadline) return { format: byName, formatSource: 'name', recognisedBy: 'name', j: judgement('unscanned', 'limit', 'limit: the scan ran out of time') };
  const head = await src.read(0, Math.min(HEAD, src.size, Math.max(64, src.budget)), 'head');

  const zfile = depth < ctx.maxDepth ? readZfileHeader(head) : undefined;
  if (zfile) {
    const found = await scanCompressed(ctx, src, path, depth, 'zlib', { from: zfile.dataStart, label: 'joblib ZF' });
    return found.format === 'pickle' ? { ...found, format: 'joblib' } : found;
  }

  let compression = detectCompression(head);
  // Any lzma-alone header liblzma accepts is one Python's `lzma.open` decodes, so a file itself (not an archive
  // member: no loader decompresses those) with such a header is decompressed too. The header is a weak signal
  // (13 zero bytes are an empty stream; an int64 tensor can start like one): a file of zeros is lzma only when
  // its name says so, and data that does not decode is read as it is, as Python's lzma refuses it too.
  const weakLzma = !compression && depth === 0 && isLzmaAloneHeader(head) && (!declaresEmptyLzmaStream(head) || /\.(lzma|xz)$/i.test(path));
  if (weakLzma) compression = 'lzma';
  if (compression === 'lz4' && depth < ctx.maxDepth) {
    return {
      format: byName,
      formatSource: 'name',
      recognisedBy: `${compression} magic`,
      j: judgement('unscanned', 'unsupported', `unsupported: ${compression}-compressed; this scanner decompresses gzip, zlib, bz2, xz and lzma, so the contents were not scanned`),
    };
  }
  if (compression && compression !== 'lz4' && depth < ctx.maxDepth) {
    const found = await scanCompressed(ctx, src, path, depth, compression);
    if (!(weakLzma && found.j.verdict === 'unscanned' && found.j.decidedBy === 'error')) return alsoAsRawPickle(ctx, src, head, compression, found);
  }

  const container = detectContainer(head);
  if (container === 'zip') return scanZip(ctx, src, path, depth);
  if (container === 'npy') return bytes('numpy', 'npy magic', await scanNpy(ctx, src));
  if (container === '7z') return bytes('7z', '7z magic', judgement('unscanned', 'unsupported', 'unsupported: 7z archive; 7z is not unpacked, so its contents were not scanned (7z-packed checkpoints are a known scanner evasion)'));
  if (container === 'tar') return scanTar(ctx, src, depth, head);
  let ggufError: string | undefined;
  if (container === 'gguf') {
    try {
      const h = await readGgufHeader(src);
      const risky = h.templates.map((t) => ({ key: t.key, risk: templateRisk(t.text) })).filter((t) => t.risk);
      const worst = risky.find((t) => t.risk!.verdict === 'dangerous') ?? risky[0];
      if (worst) return bytes('gguf', 'gguf header', judgement(worst.risk!.verdict, 'format-check', `${worst.key} ${worst.risk!.why}`));
      return bytes('gguf', 'gguf header', judgement('safe', 'no-code', `GGUF v${h.version}, ${h.tensors} tensors, header validated; ${h.templates.length ? 'chat template reaches no Python internals' : 'no chat template'}`));
    } catch (err) {
      if (!(err instanceof FormatError)) throw err;
      ggufError = err.message;
    }
  }
  if (container === 'hdf5') return bytes('keras-h5', 'hdf5 signature', await scanH5(src));

  const pickle = await probeAndScanPickle(ctx, src, head);
  if (pickle) {
    // bytes the pickle walk did not account for may end in a zip (a pickle with an archive appended): a zip
    // reader opens that by its end record, so both are scanned
    const appended = pickle.wholeFile ? undefined : await zipByEndRecord(ctx, src, path, depth);
    return appended ?? bytes(byName === 'joblib' ? 'joblib' : pickle.legacy ? 'pytorch-legacy' : 'pickle', 'pickle opcodes', pickle.j);
  }
  if (ggufError) return bytes('gguf', 'gguf magic', judgement('suspicious', 'format-check', `GGUF magic but the header does not validate: ${ggufError}`));

  if (looksLikeSafetensors(head)) {
    const check = await checkSafetensors(src);
    if (check.ok) return bytes('safetensors', 'safetensors header', judgement('safe', 'no-code', `safetensors: ${check.tensors} tensors, header validated`));
    return bytes('safetensors', 'safetensors length prefix', judgement('suspicious', 'format-check', `safetensors header lies: ${check.lie}`));
  }
  if (looksLikeOnnx(head) || byName === 'onnx') {
    try {
      return bytes('onnx', 'onnx protobuf', onnxVerdict(await readOnnx(src)));
    } catch (err) {
      if (!(err instanceof FormatError) || byName === 'onnx') throw err;
    }
  }
  const appended = await zipByEndRecord(ctx, src, path, depth);
  if (appended) return appended;
  if (byName === 'other') return { format: 'other', formatSource: 'name', recognisedBy: 'name', j: judgement('safe', 'not-a-model', 'not a model file: no model format recognised in its bytes') };
  return {
    format: 'other',
    formatSource: 'bytes',
    recognisedBy: 'no signature',
    j: judgement('safe', 'not-a-model', `not a model file: named like ${byName} but its bytes match no format a loader reads`),
  };
}

/**
 * A file is a pickle when its bytes parse as one from the start: a PROTO header, or a head that shows a pickle
 * (`isPickleProbe`). A head whose opcodes all decode, the last one's argument running past it, is one the
 * unpickler reads on from (CPython has no limit on a line or a bytes argument), so that file is walked too, and
 * is a pickle when the walk shows one; otherwise the other formats have it.
 */
async function probeAndScanPickle(ctx: Ctx, src: ByteSource, head: Uint8Array): Promise<{ j: Judgement; legacy: boolean; wholeFile: boolean } | undefined> {
  const sure = (head[0] === 0x80 && head[1]! <= 5) || isPickleProbe(head, src.size);
  if (!sure && !readsOnAsPickle(head, src.size)) return undefined;
  const full = await scanPickleStream(ctx, src, 0);
  if (!sure && !full.note && !walkShowsPickle(full.result)) return undefined;
  const wholeFile = !full.result.broke && !full.result.limitReached && !full.note && full.result.consumed >= src.size;
  return { j: pickleVerdict(full.result, full.note), legacy: full.result.legacyTorch, wholeFile };
}

function probe(head: Uint8Array) {
  const w = new PickleWalker({ maxOpcodes: 100_000 });
  w.push(head);
  return w.end();
}

/** A dotted Python name a real module could have: random bytes that happen to decode as GLOBAL rarely are one. */
const NAMED = /^[A-Za-z_][\w]*(\.[A-Za-z_]\w*)+$/;

/**
 * A walk shows a pickle: a complete pickle; opcodes well-formed over enough bytes (or to their end); a callable
 * named before the stream breaks (a payload before a deliberate break); or text CPython itself refuses after a
 * valid start.
 */
function showsPickle(r: PickleScanResult, enoughBytes: boolean): boolean {
  if (r.broke?.refused) return true;
  if (r.completePickles > 0 && r.opcodes >= 2) return true;
  if (r.globals.some((g) => NAMED.test(g))) return true;
  if (!r.broke && r.opcodes >= 8 && enoughBytes) return true;
  return r.broke?.message.startsWith('truncated') === true && r.opcodes >= 8;
}

function isPickleProbe(head: Uint8Array, size = head.length): boolean {
  return showsPickle(probe(head), head.length >= Math.min(size, 4096));
}

/**
 * The head's opcodes all decode and the last one's argument runs past its end (the file goes on): the unpickler
 * would read on. A head a safetensors or ONNX reader claims is left to it.
 */
function readsOnAsPickle(head: Uint8Array, size: number): boolean {
  if (head.length >= size || looksLikeSafetensors(head) || looksLikeOnnx(head)) return false;
  return probe(head).broke?.message.startsWith('truncated') === true;
}

/** A whole walk shows a pickle, or could not tell within its limits (never then "not a model"). */
function walkShowsPickle(r: PickleScanResult): boolean {
  return showsPickle(r, true) || r.limitReached !== undefined;
}

/** Walks a pickle stream from `start`, in chunks, skipping long bytes arguments without reading them. */
async function scanPickleStream(ctx: Ctx, src: ByteSource, start: number): Promise<{ result: PickleScanResult; note?: string }> {
  const walker = new PickleWalker({ maxOpcodes: ctx.maxOpcodes, deadline: ctx.deadline });
  let pos = start;
  let note: string | undefined;
  try {
    while (!walker.done && pos < src.size) {
      if (walker.skipping > 0) {
        const k = Math.min(walker.skipping, src.size - pos);
        walker.skip(k);
        pos += k;
        continue;
      }
      const chunk = await src.read(pos, Math.min(CHUNK, src.size - pos), 'pickle stream');
      walker.push(chunk);
      pos += chunk.length;
    }
  } catch (err) {
    if (!(err instanceof BudgetError)) throw err;
    note = `limit: ${err.message}`;
  }
  return { result: walker.end(), note };
}

/** The file's bytes from `from` as a stream of chunks, each read counted against the budget. */
async function* chunksOf(src: ByteSource, what: string, from = 0): AsyncGenerator<Uint8Array> {
  for (let pos = from; pos < src.size; pos += CHUNK) yield await src.read(pos, Math.min(CHUNK, src.size - pos), what);
}

/**
 * A compressed file whose raw bytes are also a pickle (`BZh9` is BINBYTES with a length, a pickle may follow):
 * joblib decompresses it, torch.load and pickle.load unpickle the bytes as they are. Both readings are scanned and
 * the worst wins; one file that is two things is suspicious even when both are harmless.
 */
async function alsoAsRawPickle(ctx: Ctx, src: ByteSource, head: Uint8Array, kind: string, found: Found): Promise<Found> {
  const raw = await rawPickleReading(ctx, src, head);
  if (!raw) return found;
  const finding = `the bytes start as ${kind} data and are also a pickle: joblib reads them as ${kind}, torch.load and pickle.load unpickle them as they are`;
  let j = combine([{ label: `the ${kind} reading`, j: found.j }, { label: 'the raw bytes read as a pickle', j: raw.j }], found.j);
  if (j.verdict === 'safe') j = { ...judgement('suspicious', 'format-check', finding), globals: j.globals };
  j = { ...j, findings: [...new Set([...j.findings, finding])] };
  if (!worse(raw.j.verdict, found.j.verdict)) return { ...found, j };
  return { format: raw.legacy ? 'pytorch-legacy' : 'pickle', formatSource: 'bytes', recognisedBy: 'pickle opcodes', j };
}

/**
 * The whole file as pickle.load reads it, for bytes another reader takes for something else (a tar, a bz2
 * stream): a pickle when the walk from byte 0 completes one, or meets a callable before it breaks (the loader has
 * imported it by then). Tried only when the head already holds a complete pickle or starts with a length-prefixed
 * argument that ends inside the file (how such a file hides the other format's header from the unpickler).
 */
async function rawPickleReading(ctx: Ctx, src: ByteSource, head: Uint8Array): Promise<{ j: Judgement; legacy: boolean } | undefined> {
  const arg = OPCODES.get(head[0]!)?.arg;
  if (!arg) return undefined;
  if (arg.startsWith('bytes-')) {
    const width = arg === 'bytes-u1' ? 1 : arg === 'bytes-u8' ? 8 : 4;
    if (head.length < 1 + width) return undefined;
    const v = new DataView(head.buffer, head.byteOffset + 1, width);
    const length = width === 1 ? v.getUint8(0) : width === 4 ? v.getUint32(0, true) : Number(v.getBigUint64(0, true));
    if (!(1 + width + length < src.size)) return undefined;
  } else if (probe(head).completePickles === 0) return undefined;
  const full = await scanPickleStream(ctx, src, 0);
  const j = pickleVerdict(full.result, full.note);
  if (full.result.completePickles === 0 && j.verdict !== 'dangerous' && j.verdict !== 'suspicious') return undefined;
  return { j, legacy: full.result.legacyTorch };
}

/**
 * A compression wrapper: its output streams through `scanChunks`, bounded by the file's budget (decoders run only
 * as far as the consumer reads). A decoder's refusal is the file's unscanned reason: a feature it lacks
 * (`unsupported:`), a window past its memory bound (`limit:`), or corrupt data (`error:`).
 */
async function scanCompressed(ctx: Ctx, src: ByteSource, path: string, depth: number, kind: Decompressible, at: { from: number; label: string } = { from: 0, label: kind }): Promise<Found> {
  const inner = innerName(path);
  const what = `${at.label} data`;
  const limit = src.budget;
  try {
    const inside = await scanChunks(ctx, decompress(kind, chunksOf(src, what, at.from), { maxOutput: limit }), inner, depth, limit, what);
    return { ...inside, recognisedBy: `${at.label} → ${inside.recognisedBy}` };
  } catch (err) {
    if (err instanceof BudgetError || err instanceof FormatError || err instanceof RangeReadError) throw err;
    const message = (err as Error).message;
    const j =
      err instanceof LimitError
        ? judgement('unscanned', 'limit', `limit: ${message}`)
        : err instanceof UnsupportedError
          ? judgement('unscanned', 'unsupported', `unsupported: ${message}, so the contents were not scanned`)
          : judgement('unscanned', 'error', `error: ${what} is corrupt: ${message}`);
    return { format: detectFormatByName(inner), formatSource: 'bytes', recognisedBy: `${at.label} magic`, j };
  }
}

/**
 * Bytes that arrive as a stream (decompressed output, a zip member): a pickle streams straight into the walker, so
 * memory stays at a chunk however much it inflates to; anything else is held (at most `MAX_HELD`) and dispatched
 * again (a gzip'd torch zip, npy, a zip in a zip). Past `limit` or `MAX_HELD`, unscanned — unless the walk already
 * saw a dangerous or suspicious import, which decides however the stream goes on (a loader has run it by then).
 */
async function scanChunks(ctx: Ctx, chunks: AsyncIterable<Uint8Array>, name: string, depth: number, limit: number, what: string): Promise<Found> {
  let total = 0;
  let walker: PickleWalker | undefined;
  const held: Uint8Array[] = [];
  let heldBytes = 0;
  let notPickle = false;
  /** The walk began because the first bytes read on as opcodes: it may still show they are no pickle. */
  let mayBeNone = false;
  const maxHeld = Math.min(limit, MAX_HELD);
  const pickleFormat = (): FileFormat => (detectFormatByName(name) === 'joblib' ? 'joblib' : 'pickle');
  /** What the walk saw before the stream stopped: a dangerous or suspicious import still decides (a loader ran it). */
  const seenSoFar = (problem: string): Found | undefined => {
    if (!walker) return undefined;
    const r = walker.end();
    if (mayBeNone && !walkShowsPickle(r)) return undefined;
    const j = pickleVerdict(r);
    if (j.verdict !== 'dangerous' && j.verdict !== 'suspicious') return undefined;
    return { format: pickleFormat(), formatSource: 'bytes', recognisedBy: 'pickle opcodes', j: { ...j, findings: [...j.findings, printable(problem, 300)] } };
  };
  try {
    for await (const chunk of chunks) {
      if (performance.now() > ctx.deadline) {
        const reason = `limit: the scan ran out of time ${total} bytes into the ${what}`;
        return seenSoFar(reason) ?? { format: detectFormatByName(name), formatSource: 'bytes', recognisedBy: what, j: judgement('unscanned', 'limit', reason) };
      }
      total += chunk.length;
      if (total > limit) {
        const reason = `limit: ${what} decompresses to more than the scan limit of ${limit} bytes`;
        return seenSoFar(`${reason}; the rest was not scanned`) ?? { format: detectFormatByName(name), formatSource: 'bytes', recognisedBy: what, j: judgement('unscanned', 'limit', reason) };
      }
      if (walker) {
        walker.push(chunk);
        if (walker.done) break;
        continue;
      }
      held.push(chunk);
      heldBytes += chunk.length;
      if (notPickle) {
        if (heldBytes > maxHeld) {
          return { format: detectFormatByName(name), formatSource: 'bytes', recognisedBy: what, j: judgement('unscanned', 'limit', `limit: ${what} holds more than ${maxHeld} bytes that are not a pickle; the scanner keeps at most that much of a stream in memory to open it as an archive or model file`) };
        }
        continue;
      }
      if (heldBytes < HEAD) continue;
      // decided once, on the first 64 KiB (however the stream is cut into chunks): a pickle streams into the
      // walker, anything else is held whole
      const soFar = concat(held);
      held.length = 0;
      const first = soFar.subarray(0, HEAD);
      const sure = soFar[0] === 0x80 || isPickleProbe(first);
      if (!detectContainer(soFar) && !detectCompression(soFar) && (sure || readsOnAsPickle(first, Infinity))) {
        walker = new PickleWalker({ maxOpcodes: ctx.maxOpcodes, deadline: ctx.deadline });
        mayBeNone = !sure;
        walker.push(soFar);
      } else {
        held.push(soFar);
        notPickle = true;
      }
    }
  } catch (err) {
    // a stream that breaks before its first 64 KiB: what it gave so far is walked, as a loader reads it before the break
    if (!walker && !notPickle && heldBytes > 0) {
      const soFar = concat(held);
      if (!detectContainer(soFar) && !detectCompression(soFar) && (soFar[0] === 0x80 || isPickleProbe(soFar))) {
        walker = new PickleWalker({ maxOpcodes: ctx.maxOpcodes, deadline: ctx.deadline });
        walker.push(soFar);
      }
    }
    const found = seenSoFar(`${what} breaks after ${total} bytes: ${err instanceof Error ? err.message : String(err)}`);
    if (found) return found;
    throw err;
  }
  if (walker) {
    const r = walker.end();
    if (mayBeNone && !walkShowsPickle(r)) {
      return { format: 'other', formatSource: 'bytes', recognisedBy: 'no signature', j: judgement('safe', 'not-a-model', `not a model file: its first bytes read as pickle opcodes but the walk shows none (${r.broke?.message ?? 'no pickle'})`) };
    }
    return { format: pickleFormat(), formatSource: 'bytes', recognisedBy: 'pickle opcodes', j: pickleVerdict(r) };
  }
  const plain = concat(held);
  if (plain.length === 0) return { format: detectFormatByName(name), formatSource: 'bytes', recognisedBy: what, j: judgement('safe', 'no-code', `${what} decompresses to nothing`) };
  return scanSource(ctx, new ByteSource(plain.length, memoryReader(plain), Infinity), name, depth + 1);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The verdict policy for a pickle stream. A dangerous import wins over everything, even a broken stream (a
 * payload before a deliberate break is the nullifAI trick). Text CPython refuses is suspicious (a scanner reading
 * it differently is how memo-key bypasses work). A break inside a pickle, or a limit, leaves it unscanned unless
 * a suspicious import was already seen; a break at the first byte of a pickle after complete ones is trailing
 * data no loader unpickles, and so is what follows the fifth pickle of a legacy torch.save file.
 */
function pickleVerdict(r: PickleScanResult, note?: string): Judgement {
  const cls = classifyGlobals(r.globals);
  const g = { globals: r.globals };
  const broke = r.broke ? `; the stream breaks at offset ${r.broke.offset} (${r.broke.message})` : '';
  if (cls.verdict === 'dangerous') return judgement('dangerous', 'denylist', `imports ${listOf(cls.dangerous)}${broke}`, g);
  if (r.broke?.refused) return judgement('suspicious', 'format-check', `${r.broke.message}; a scanner and the loader could read this differently`, g);
  if (cls.verdict === 'suspicious') return judgement('suspicious', 'neither', `imports globals outside the allowlist: ${listOf(cls.suspicious)}${broke}`, g);
  if (note) return judgement('unscanned', 'limit', `${note}; nothing dangerous in the part read`, g);
  if (r.limitReached) return judgement('unscanned', 'limit', `limit: ${r.limitReached}; the rest was not scanned`, g);
  if (r.broke && !r.broke.atPickleStart) {
    return judgement('unscanned', 'error', `error: pickle could not be fully parsed: ${r.broke.message} (after ${r.completePickles} complete pickle(s))`, g);
  }
  const notes: string[] = [];
  if (r.legacyTorch && r.completePickles >= 5) notes.push('legacy torch.save file: five pickles, then raw storages that torch.load does not unpickle');
  else if (r.broke) notes.push(`data after ${r.completePickles} complete pickle(s) is not a pickle (${r.broke.message})`);
  const what = r.globals.length ? 'every global is on the allowlist' : 'imports no globals';
  return judgement('safe', r.globals.length ? 'allowlist' : 'no-code', [what, ...notes].join('; '), g);
}

async function scanNpy(ctx: Ctx, src: ByteSource): Promise<Judgement> {
  const pre = readNpyPrelude(await src.read(0, Math.min(12, src.size)));
  if (!pre.ok) return judgement('unscanned', 'error', `error: ${pre.error}`);
  if (pre.dataStart > src.size) return judgement('unscanned', 'error', 'error: truncated .npy header');
  const raw = await src.read(pre.headerStart, pre.dataStart - pre.headerStart, '.npy header');
  const text = pre.version === 3 ? new TextDecoder('utf-8').decode(raw) : new TextDecoder('latin1').decode(raw);
  const h = parseNpyHeader(text, pre.version);
  if ('error' in h) return judgement('unscanned', 'error', `error: ${h.error}`);
  if (h.kind === 'plain') return judgement('safe', 'no-code', `plain numpy array (dtype ${printable(h.descr)}): no pickle inside`);
  const stream = await scanPickleStream(ctx, src, pre.dataStart);
  const j = pickleVerdict(stream.result, stream.note);
  if (h.kind === 'object') return { ...j, reason: `object array: ${j.reason}` };
  // numpy may unpickle what follows an unrecognised dtype, so it is walked too: a dangerous import there decides
  const why = h.why ?? `numpy dtype ${printable(h.descr)} is not a plain numeric dtype; numpy may read it as objects`;
  if (j.verdict === 'dangerous') return { ...j, reason: `${why}; what follows the header is a pickle that ${j.reason}` };
  return judgement('suspicious', 'format-check', why, { globals: j.globals });
}

/** The root attributes Keras reads a model from (`load_model` takes `model_config`; `training_config` compiles it). */
const KERAS_H5_ATTRIBUTES = new Set(['model_config', 'training_config']);

/**
 * A Keras H5 model is judged by the config Keras rebuilds it from: the root group's `model_config` attribute, found
 * through the HDF5 structure (wherever its continuation block or heap lies). A file HDF5 itself would refuse is
 * unscanned, unless a byte search of its head already shows a Lambda layer.
 */
async function scanH5(src: ByteSource): Promise<Judgement> {
  let attrs: Hdf5RootAttributes;
  try {
    attrs = await readRootAttributes(src, KERAS_H5_ATTRIBUTES);
  } catch (err) {
    if (!(err instanceof FormatError)) throw err;
    const head = await src.read(0, Math.min(src.size, 16 * MiB, src.budget), 'HDF5 head');
    const seen = h5ConfigCandidates(head).map(kerasConfigVerdict).find((j) => j.verdict !== 'safe');
    return seen ?? judgement('unscanned', 'error', `error: HDF5 structure unreadable: ${err.message}`);
  }
  for (const [name, values] of attrs.strings) {
    for (const value of values) {
      let config: unknown;
      try {
        config = JSON.parse(new TextDecoder('utf-8').decode(value));
      } catch {
        return judgement('unscanned', 'error', `error: the root attribute ${name} is not JSON`);
      }
      const j = kerasConfigVerdict(config);
      if (j.verdict !== 'safe') return j;
    }
  }
  if (attrs.unreadable.length) return judgement('suspicious', 'format-check', `the root attribute ${attrs.unreadable[0]} is not a string this scanner reads (a shared or other datatype); Keras may still load it`);
  if (attrs.strings.size) return judgement('safe', 'no-code', 'Keras H5 model config with no Lambda layer or custom object');
  if (attrs.denseAttributes) return judgement('unscanned', 'unsupported', 'unsupported: the root group keeps attributes in dense storage (a fractal heap), which this scanner does not read; a model_config there was not checked');
  return judgement('safe', 'no-code', 'HDF5 with no Keras model config among its root attributes (weights only)');
}

function kerasConfigVerdict(config: unknown): Judgement {
  const risk = kerasConfigRisk(config);
  if (risk.lambdas.length) return judgement('dangerous', 'format-check', `Keras model config has Lambda layer(s) ${listOf(risk.lambdas)}: Python bytecode run on load`);
  if (risk.customObjects.length) return judgement('suspicious', 'format-check', `Keras model config names objects outside Keras: ${listOf(risk.customObjects)}`);
  return judgement('safe', 'no-code', 'Keras model config with no Lambda layer or custom object');
}

function onnxVerdict(f: { externalLocations: string[]; customDomains: string[] }): Judgement {
  const escaping = f.externalLocations.filter(escapesModelDir);
  if (escaping.length) return judgement('dangerous', 'format-check', `external data path(s) leave the model's folder: ${listOf(escaping)} (path traversal: the loader reads that file)`);
  if (f.customDomains.length) return judgement('suspicious', 'format-check', `operators from custom domain(s) ${listOf(f.customDomains)} need a native custom-op library to load`);
  const ext = f.externalLocations.length ? `; ${f.externalLocations.length} external data file(s) inside the model's folder` : '';
  return judgement('safe', 'no-code', `ONNX model with built-in operators only${ext}`);
}

async function scanTar(ctx: Ctx, src: ByteSource, depth: number, head: Uint8Array): Promise<Found> {
  let listing: TarListing;
  try {
    listing = await listTar(src);
  } catch (err) {
    // tarfile refuses the archive: torch.load unpickles the file itself instead
    if (!(err instanceof FormatError)) throw err;
    const pickle = await probeAndScanPickle(ctx, src, head);
    if (!pickle) throw err;
    const finding = printable(`Python's tarfile refuses the archive (${err.message}); torch.load unpickles the file instead`, 300);
    return { format: pickle.legacy ? 'pytorch-legacy' : 'pickle', formatSource: 'bytes', recognisedBy: 'pickle opcodes', j: { ...pickle.j, findings: [...pickle.j.findings, finding] } };
  }
  const { members } = listing;
  const findings = [...listing.findings];
  const torch = members.some((m) => m.name === 'pickle') && members.some((m) => m.name === 'sys_info');
  const parts: Array<{ label: string; j: Judgement }> = [];
  for (const m of members.slice(0, ctx.maxMembers)) {
    if (depth >= ctx.maxDepth) break;
    if (m.sparse) {
      parts.push({ label: m.name, j: judgement('unscanned', 'unsupported', 'unsupported: a GNU sparse member (tarfile rebuilds it from a map of data runs and holes), not read') });
      continue;
    }
    const member = src.slice(m.offset, m.size);
    // torch's legacy loader reads these as pickles between raw bytes: replayed as it reads them
    const replay = LEGACY_TORCH_MEMBERS.has(m.name) ? await replayLegacyTorchMember(m.name, member, { maxOpcodes: ctx.maxOpcodes, deadline: ctx.deadline }) : undefined;
    const j = replay && !replay.notPickle ? legacyMemberVerdict(replay) : (await scanSource(ctx, member, m.name, depth + 1)).j;
    parts.push({ label: m.name, j });
  }
  const asPickle = await rawPickleReading(ctx, src, head);
  if (asPickle) {
    parts.push({ label: 'the whole file read as a pickle', j: asPickle.j });
    findings.push('the bytes are both a tar archive and a pickle: tarfile lists members, pickle.load unpickles the file itself');
  }
  let j = combine(parts, judgement('safe', 'no-code', `tar of ${members.length} members, none holding code`));
  if (findings.length > 0 && j.verdict === 'safe') j = { ...judgement('suspicious', 'format-check', `readers take this tar differently: ${findings[0]}`), globals: j.globals };
  j = { ...j, findings: [...new Set([...j.findings, ...findings])].map((f) => printable(f, 300)) };
  return { format: torch ? 'pytorch-tar' : 'tar', formatSource: 'bytes', recognisedBy: 'tar headers', j };
}

/** A legacy torch member is judged by its pickles; if they are safe but the layout stopped being followable, unscanned. */
function legacyMemberVerdict(r: LegacyMemberReplay): Judgement {
  const j = pickleVerdict(r.result, r.note);
  if (j.verdict !== 'safe') return j;
  if (r.unfollowed) return judgement('unscanned', r.unfollowed.kind, `${r.unfollowed.kind}: ${r.unfollowed.message}; the member was not scanned past that point`, { globals: j.globals });
  return { ...j, reason: `${r.summary}; ${j.reason}` };
}

/**
 * A zip after other data, found as Python's zipfile finds one: by the end-of-central-directory record in the last
 * 64 KiB. Undefined when there is none, or when what looks like one does not lead to a sound directory (random
 * bytes may hold the signature).
 */
async function zipByEndRecord(ctx: Ctx, src: ByteSource, path: string, depth: number): Promise<Found | undefined> {
  if (src.size < 22 || depth >= ctx.maxDepth) return undefined;
  const tailLength = Math.min(src.size, 22 + 0xffff);
  if (src.budget < tailLength) return undefined;
  const tail = await src.read(src.size - tailLength, tailLength, 'zip end record');
  if (!hasEndRecordSignature(tail)) return undefined;
  try {
    return await scanZip(ctx, src, path, depth);
  } catch (err) {
    if (err instanceof ZipFormatError) return undefined;
    throw err;
  }
}

function hasEndRecordSignature(tail: Uint8Array): boolean {
  for (let i = tail.lastIndexOf(0x50); i >= 0; i = i > 0 ? tail.lastIndexOf(0x50, i - 1) : -1) {
    if (tail[i + 1] === 0x4b && tail[i + 2] === 5 && tail[i + 3] === 6) return true;
  }
  return false;
}

/** Members whose names say they hold code or structure (read even when their first bytes look like nothing). */
const CODE_NAMES = /\.(pkl|pickle|npy|json|joblib|pt|pth|bin|zip|npz|h5|keras|tar|gz)$|(^|\/)(data|constants)\.pkl$/i;

async function scanZip(ctx: Ctx, src: ByteSource, path: string, depth: number): Promise<Found> {
  const dir = await readZipDirectory(src.rangeReader, src.size);
  const findings = [...dir.findings];
  const names = [...dir.entries, ...dir.alternateEntries.map((a) => a.entry)].map((e) => e.name);
  const format: FileFormat = names.some((n) => /(^|\/)data\.pkl$/.test(n))
    ? 'pytorch-zip'
    : names.includes('config.json') && names.includes('metadata.json')
      ? 'keras'
      : names.length > 0 && names.every((n) => n.toLowerCase().endsWith('.npy'))
        ? 'numpy'
        : 'zip';
  const parts: Array<{ label: string; j: Judgement }> = [];
  const all: Array<{ e: ZipEntry; label: string }> = [
    ...dir.entries.map((e) => ({ e, label: e.name })),
    ...dir.shadowEntries.map((e) => ({ e, label: `${e.name} (in an earlier central directory)` })),
    ...dir.alternateEntries.map(({ entry: e, reader }) => ({ e, label: `${e.name} (as ${reader} lists the archive)` })),
  ];
  let classified = 0;
  let unread = 0;
  for (const { e, label } of all) {
    if (classified >= ctx.maxMembers && !CODE_NAMES.test(e.name)) {
      unread++;
      continue;
    }
    classified++;
    const local = await readLocalHeader(src.rangeReader, e);
    findings.push(...localHeaderFindings(e, local));
    // a stored member's first bytes say whether it is worth reading whole (tensor storages are not)
    if (e.method === 0 && !CODE_NAMES.test(e.name) && e.compressedSize > HEAD) {
      const first = await src.read(local.dataStart, Math.min(64, e.compressedSize), `member ${e.name}`);
      if (!detectContainer(first) && !detectCompression(first) && !isPickleProbe(first) && first[0] !== 0x80) continue;
    }
    if (depth >= ctx.maxDepth) {
      parts.push({ label, j: judgement('unscanned', 'limit', `limit: nested deeper than ${ctx.maxDepth} archives`) });
      continue;
    }
    if (format === 'keras' && e.name === 'config.json') {
      const { data, findings: f } = await readZipEntryLenient(src.rangeReader, e, local, { maxBytes: src.budget });
      findings.push(...f);
      parts.push({ label, j: kerasJsonVerdict(data) });
      continue;
    }
    const member = zipEntryStream(src.rangeReader, e, local, { maxBytes: src.budget });
    const inside = await scanChunks(ctx, member.chunks, e.name, depth, src.budget, `member ${e.name.slice(0, 200)}`);
    findings.push(...member.findings());
    if (inside.j.decidedBy !== 'not-a-model') parts.push({ label, j: inside.j });
  }
  const lead = await leadingNonZipBytes(src, dir);
  if (lead > 0) {
    // what precedes the archive is what torch.load and numpy.load read instead (they see no zip magic at byte 0)
    const before = await scanSource(ctx, src.slice(0, lead), path, depth + 1);
    if (before.j.decidedBy !== 'not-a-model') parts.push({ label: `the ${lead} bytes before the archive (${before.format})`, j: before.j });
    if (dir.prefix === 0) findings.push(`${lead} bytes of other data come before the first entry: Python's zipfile reads the archive, torch.load and numpy.load see no zip at byte 0 and read these bytes instead`);
  }
  findings.push(...(await ghostHeaders(src, dir.entries, dir.centralDirectoryOffset, dir.prefix)));
  if (unread > 0) findings.push(`${unread} members beyond the first ${ctx.maxMembers} were not read (their names say data)`);
  let j = combine(parts, judgement('safe', 'no-code', `zip of ${dir.entries.length} entries, none holding code`));
  if (dir.shadowEntries.length > 0 && j.verdict === 'safe') j = judgement('suspicious', 'format-check', `a second central directory lists ${dir.shadowEntries.length} other entries`, j);
  const problems = findings.filter((f) => !/members beyond the first/.test(f));
  if (problems.length > 0 && j.verdict === 'safe') j = { ...judgement('suspicious', 'format-check', `the archive is inconsistent: ${problems[0]}`), globals: j.globals };
  return { format, formatSource: 'bytes', recognisedBy: dir.prefix > 0 ? `zip end record, after ${dir.prefix} bytes of other data` : depth > 0 ? 'nested zip central directory' : 'zip central directory', j: { ...j, findings: [...new Set([...j.findings, ...findings])].map((f) => printable(f, 300)) } };
}

/**
 * Bytes in front of the archive that a loader checking the file's first bytes reads instead: data before a
 * prefixed archive, or before the first entry of one whose offsets count from the file's start (a zip appended to
 * a pickle by `zipfile.ZipFile(f, 'a')`). None when the file starts with a local header (torch.load and
 * numpy.load open it as a zip then).
 */
async function leadingNonZipBytes(src: ByteSource, dir: ZipDirectory): Promise<number> {
  if (dir.prefix > 0) return dir.prefix;
  const first = dir.entries.reduce((n, e) => Math.min(n, e.localHeaderOffset), dir.centralDirectoryOffset);
  if (first < 4) return 0;
  const magic = await src.read(0, 4, 'zip magic');
  return detectContainer(magic) === 'zip' ? 0 : first;
}

function kerasJsonVerdict(data: Uint8Array): Judgement {
  let config: unknown;
  try {
    config = JSON.parse(new TextDecoder('utf-8').decode(data));
  } catch {
    return judgement('unscanned', 'error', 'error: config.json is not JSON');
  }
  return kerasConfigVerdict(config);
}

/** Local headers in the gaps between listed entries: members a streaming reader sees that the directory hides. */
async function ghostHeaders(src: ByteSource, entries: readonly ZipEntry[], cdOffset: number, start: number): Promise<string[]> {
  const sorted = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  const out: string[] = [];
  let cursor = start;
  for (const next of [...sorted.map((e) => e.localHeaderOffset), cdOffset]) {
    if (next - cursor >= 30 && next - cursor <= MiB && src.budget >= next - cursor) {
      const gap = await src.read(cursor, next - cursor, 'gap between zip entries');
      for (const at of localSignaturesIn(gap)) out.push(`a local file header at offset ${cursor + at} is not in the central directory (a ghost entry)`);
    }
    const e = sorted.find((x) => x.localHeaderOffset === next);
    if (e) cursor = e.localHeaderOffset + 30 + new TextEncoder().encode(e.name).length + e.compressedSize;
  }
  return out;
}

