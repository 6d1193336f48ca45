/**
 * What kind of serialized file is this? From the name (cheap, a guess) or from the first bytes (a fact, when a
 * signature matches). Bytes win over the name: a safetensors file renamed `.bin` is safetensors, and a pickle
 * renamed `.safetensors` is a pickle.
 */
import { decodeOp } from './pickle-opcodes.ts';

export const FILE_FORMATS = [
  'safetensors',
  'gguf',
  'onnx',
  'pytorch-zip',
  'pickle',
  'joblib',
  'keras-h5',
  'numpy',
  'other',
] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

/**
 * Extension → likeliest format. A name cannot tell a PyTorch zip from a legacy raw-pickle torch file, so
 * .bin/.pt/.pth/.ckpt say 'pytorch-zip' (what torch.save has written since 1.6); the bytes settle it. `.keras` (a
 * zip in Keras 3) and `.h5`/`.hdf5` are grouped as 'keras-h5'. `.npz` is a zip of `.npy` arrays: 'numpy'.
 */
const BY_EXTENSION: Readonly<Record<string, FileFormat>> = {
  safetensors: 'safetensors',
  gguf: 'gguf',
  onnx: 'onnx',
  bin: 'pytorch-zip',
  pt: 'pytorch-zip',
  pth: 'pytorch-zip',
  ckpt: 'pytorch-zip',
  pkl: 'pickle',
  pickle: 'pickle',
  joblib: 'joblib',
  h5: 'keras-h5',
  hdf5: 'keras-h5',
  keras: 'keras-h5',
  npy: 'numpy',
  npz: 'numpy',
};

function extensionOf(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot + 1).toLowerCase();
}

export function detectFormatByName(path: string): FileFormat {
  return BY_EXTENSION[extensionOf(path)] ?? 'other';
}

/**
 * Names worth reading the first bytes of: anything whose name implies a pickle-bearing format, plus the
 * extensions pickle scanners conventionally also check (.dat, .data, .zip, .7z) and extensionless files.
 */
export function isScanCandidateByName(path: string): boolean {
  const ext = extensionOf(path);
  return isPickleBearing(detectFormatByName(path)) || ['dat', 'data', 'zip', '7z', ''].includes(ext);
}

/**
 * Formats whose loading may unpickle: PyTorch files, pickles, joblib dumps (pickles, possibly compressed), and
 * NumPy files (an object-dtype array is stored as a pickle; plain arrays are not — the scan reads the header to
 * tell, see README).
 */
export function isPickleBearing(format: FileFormat): boolean {
  return format === 'pytorch-zip' || format === 'pickle' || format === 'joblib' || format === 'numpy';
}

const startsWith = (head: Uint8Array, sig: readonly number[], at = 0): boolean =>
  head.length >= at + sig.length && sig.every((b, i) => head[at + i] === b);

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

export const SIGNATURES = {
  gguf: ascii('GGUF'),
  hdf5: [0x89, ...ascii('HDF\r\n'), 0x1a, 0x0a],
  numpy: [0x93, ...ascii('NUMPY')],
  zipLocal: ascii('PK\u0003\u0004'),
  sevenZip: [...ascii('7z'), 0xbc, 0xaf, 0x27, 0x1c],
} as const;

/** The safetensors spec caps the JSON header at 100 MB; a smaller "length" followed by '{' is the signature. */
const SAFETENSORS_MAX_HEADER = 100_000_000;

function looksLikeSafetensors(head: Uint8Array): boolean {
  if (head.length < 9 || head[8] !== 0x7b) return false;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const hi = view.getUint32(4, true);
  const lo = view.getUint32(0, true);
  return hi === 0 && lo >= 2 && lo <= SAFETENSORS_MAX_HEADER;
}

/** ModelProto fields ONNX writers emit right after ir_version (field 1): producer, domain, graph, opset… */
const ONNX_SECOND_TAGS = new Set([0x12, 0x1a, 0x22, 0x28, 0x32, 0x3a, 0x42, 0x72]);

function looksLikeOnnx(head: Uint8Array): boolean {
  // tag 0x08 = field 1 (ir_version) as a varint; versions so far are 1..11, so one byte.
  return head.length >= 3 && head[0] === 0x08 && head[1]! >= 1 && head[1]! <= 0x7f && ONNX_SECOND_TAGS.has(head[2]!);
}

/** The name of the first entry of a zip, read from its local file header (it may be cut off by the head's end). */
export function zipFirstEntryName(head: Uint8Array): string | undefined {
  if (!startsWith(head, SIGNATURES.zipLocal) || head.length < 30) return undefined;
  const nameLen = head[26]! | (head[27]! << 8);
  return new TextDecoder('utf-8', { fatal: false }).decode(head.subarray(30, Math.min(head.length, 30 + nameLen)));
}

/** First opcodes a protocol 0/1 pickle starts with (protocol 2+ starts with PROTO). */
const PROTOCOL01_FIRST = new Set([...'(c}])NIFSVLKJMUTXGldti'].map((c) => c.charCodeAt(0)));
const IDENTIFIER_PATH = /^[\p{L}_][\p{L}\p{N}_]*(\.[\p{L}_][\p{L}\p{N}_]*)*$/u;
const INTEGER = /^-?\d+L?$|^0[01]$/;

/**
 * Protocol 0/1 have no magic number, so this is a heuristic: the head must start with a usual first opcode and
 * decode as opcodes with well-formed arguments to its end (or to STOP), with at least two opcodes. Text files
 * fail fast: spaces and most punctuation are not opcodes.
 */
function looksLikeProtocol01Pickle(head: Uint8Array): boolean {
  if (head.length < 2 || !PROTOCOL01_FIRST.has(head[0]!)) return false;
  let pos = 0;
  let ops = 0;
  for (let guard = 0; guard < head.length && pos < head.length; guard++) {
    const r = decodeOp(head, pos);
    if (!r.ok) return r.kind === 'truncated' && ops >= 2;
    const { op } = r;
    ops++;
    if (op.code >= 0x80) return false; // protocol 2+ opcodes without a PROTO header
    if ((op.name === 'GLOBAL' || op.name === 'INST') && !(IDENTIFIER_PATH.test(op.text!) && IDENTIFIER_PATH.test(op.text2!)))
      return false;
    if ((op.name === 'INT' || op.name === 'LONG') && !INTEGER.test(op.text!)) return false;
    if (op.name === 'STRING' && !/^(['"]).*\1$/s.test(op.text!)) return false;
    if (op.name === 'STOP') return ops >= 2;
    pos = op.next;
  }
  return ops >= 2;
}

/** Format from the first bytes, or undefined when no signature matches (the caller falls back to the name). */
export function detectFormatByBytes(head: Uint8Array): FileFormat | undefined {
  if (startsWith(head, SIGNATURES.gguf)) return 'gguf';
  if (startsWith(head, SIGNATURES.hdf5)) return 'keras-h5';
  if (startsWith(head, SIGNATURES.numpy)) return 'numpy';
  if (startsWith(head, SIGNATURES.zipLocal)) {
    // torch.save writes "<archive>/data.pkl" (first, in practice) and every entry under one folder.
    const first = zipFirstEntryName(head);
    if (first === undefined) return undefined;
    if (first.endsWith('data.pkl') || first.includes('/')) return 'pytorch-zip';
    if (first.toLowerCase().endsWith('.npy')) return 'numpy';
    return undefined; // some other zip (Keras 3, a plain archive): the name decides
  }
  if (looksLikeSafetensors(head)) return 'safetensors';
  if (head.length >= 2 && head[0] === 0x80 && head[1]! <= 5) return 'pickle';
  if (looksLikeOnnx(head)) return 'onnx';
  if (looksLikeProtocol01Pickle(head)) return 'pickle';
  return undefined;
}

/** Compression wrappers a joblib (or other pickle) dump may come in. */
export type Compression = 'gzip' | 'zlib' | 'bz2' | 'xz' | 'lz4' | 'joblib-zfile';

export function detectCompression(head: Uint8Array): Compression | undefined {
  if (startsWith(head, [0x1f, 0x8b])) return 'gzip';
  if (head.length >= 2 && head[0] === 0x78 && [0x01, 0x5e, 0x9c, 0xda].includes(head[1]!)) return 'zlib';
  if (startsWith(head, ascii('BZh'))) return 'bz2';
  if (startsWith(head, [0xfd, ...ascii('7zXZ'), 0x00])) return 'xz';
  if (startsWith(head, [0x04, 0x22, 0x4d, 0x18])) return 'lz4';
  if (startsWith(head, ascii('ZF'))) return 'joblib-zfile';
  return undefined;
}

/**
 * The format and where it came from. Bytes decide when a signature matches; one refinement: a pickle named
 * `.joblib` stays 'joblib' (joblib dumps are pickles, and the name carries the library).
 */
export function detectFormatOnly(path: string, head: Uint8Array): { format: FileFormat; formatSource: 'name' | 'bytes' } {
  const byName = detectFormatByName(path);
  const byBytes = detectFormatByBytes(head);
  if (byBytes === undefined) return { format: byName, formatSource: 'name' };
  if (byBytes === 'pickle' && byName === 'joblib') return { format: 'joblib', formatSource: 'bytes' };
  return { format: byBytes, formatSource: 'bytes' };
}
