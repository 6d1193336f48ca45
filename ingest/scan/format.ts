/**
 * What kind of file is this? From the name (a guess; it picks what to read) and from the bytes (the fact). The
 * scanner (`scan.ts`) trusts bytes over names both ways: a pickle named `.safetensors` is scanned as a pickle, and
 * a safetensors file named `.bin` is safetensors — but only after its header validates.
 */

import { UNPICKLING_FORMATS, type FileFormat } from '../../schema/model.ts';
import { isTarHeader } from './tar.ts';

export { FILE_FORMATS, type FileFormat } from '../../schema/model.ts';

/**
 * Extension → likeliest format. A name cannot tell a PyTorch zip from a legacy raw-pickle torch file, so
 * .bin/.pt/.pth/.ckpt say 'pytorch-zip' (what torch.save has written since 1.6); the bytes settle it. `.npz` is a
 * zip of `.npy` arrays: 'numpy'. `.sav`, `.dill`, `.pdparams`/`.pdopt` (PaddlePaddle) are pickles under other names.
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
  sav: 'pickle',
  dill: 'pickle',
  pdparams: 'pickle',
  pdopt: 'pickle',
  joblib: 'joblib',
  h5: 'keras-h5',
  hdf5: 'keras-h5',
  keras: 'keras',
  npy: 'numpy',
  npz: 'numpy',
  zip: 'zip',
  tar: 'tar',
  '7z': '7z',
};

/** Suffixes of a compression wrapper around another name (`model.pkl.gz`, `clf.joblib.xz`). */
const COMPRESSION_SUFFIXES = new Set(['gz', 'bz2', 'xz', 'lzma', 'z', 'zlib']);

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot + 1).toLowerCase();
}

/** The name without compression suffixes (`a.pkl.gz` → `a.pkl`). */
export function innerName(path: string): string {
  let name = baseName(path);
  while (COMPRESSION_SUFFIXES.has(extensionOf(name))) name = name.slice(0, name.lastIndexOf('.'));
  return name;
}

export function detectFormatByName(path: string): FileFormat {
  const name = innerName(path);
  if (/\.pth\.tar$/i.test(name)) return 'pytorch-zip'; // torch.save's classic name for a checkpoint
  return BY_EXTENSION[extensionOf(name)] ?? 'other';
}

/**
 * Names a pickle loader may open, so worth reading when a source scans only what may unpickle (the Hub's
 * `--scan-pickles`, where each read is a request): torch, pickle and joblib names (`.pth.tar`, `.sav`, `.dill`,
 * `.pdparams`, …), NumPy (object arrays), archives (`.zip`, `.tar`, `.7z`), the names pickle scanners conventionally
 * also check (`.dat`, `.data`), compressed names (`model.pkl.gz`, `clf.joblib.xz`) and extensionless files. No
 * loader unpickles a `.safetensors`, `.gguf` or `.onnx`; `aispm scan` reads every file whatever its name.
 */
export function isScanCandidateByName(path: string): boolean {
  const name = innerName(path);
  const format = detectFormatByName(path);
  return (
    UNPICKLING_FORMATS.includes(format) ||
    ['numpy', 'zip', 'tar', '7z'].includes(format) ||
    ['dat', 'data', ''].includes(extensionOf(name)) ||
    name !== baseName(path)
  );
}

const startsWith = (head: Uint8Array, sig: readonly number[], at = 0): boolean =>
  head.length >= at + sig.length && sig.every((b, i) => head[at + i] === b);

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

export const SIGNATURES = {
  gguf: ascii('GGUF'),
  hdf5: [0x89, ...ascii('HDF\r\n'), 0x1a, 0x0a],
  numpy: [0x93, ...ascii('NUMPY')],
  zipLocal: ascii('PK\u0003\u0004'),
  zipEmpty: ascii('PK\u0005\u0006'),
  zipSpanned: ascii('PK\u0007\u0008'),
  sevenZip: [...ascii('7z'), 0xbc, 0xaf, 0x27, 0x1c],
  gzip: [0x1f, 0x8b],
  bz2: ascii('BZh'),
  xz: [0xfd, ...ascii('7zXZ'), 0x00],
  lz4: [0x04, 0x22, 0x4d, 0x18],
  ustar: ascii('ustar'),
} as const;

/** Compression wrappers a pickle (joblib dump, `.pkl.gz`, a gzip'd torch zip) may come in. */
export type Compression = 'gzip' | 'zlib' | 'bz2' | 'xz' | 'lzma' | 'lz4';

/** The compression wrapper the first bytes announce, if any. */
export function detectCompression(head: Uint8Array): Compression | undefined {
  if (startsWith(head, SIGNATURES.gzip)) return 'gzip';
  // zlib as every writer emits it (deflate, 32 KiB window: 0x78) with the header checksum (CMF·256 + FLG) % 31 = 0;
  // smaller windows would also match '(' and other protocol-0 opcodes
  if (head.length >= 2 && head[0] === 0x78 && ((head[0]! << 8) | head[1]!) % 31 === 0) return 'zlib';
  if (startsWith(head, SIGNATURES.bz2) && head[3]! >= 0x31 && head[3]! <= 0x39) return 'bz2';
  if (startsWith(head, SIGNATURES.xz)) return 'xz';
  if (startsWith(head, SIGNATURES.lz4)) return 'lz4';
  // lzma-alone as every encoder writes it by default (lc=3, lp=0, pb=2: properties byte 0x5d, the prefix joblib
  // recognises); other properties are a weaker signal, which `scan.ts` follows only for a file itself
  if (head[0] === 0x5d && isLzmaAloneHeader(head)) return 'lzma';
  return undefined;
}

/**
 * An lzma-alone header (what Python's lzma.FORMAT_ALONE and joblib's 'lzma' write) as liblzma accepts one when it
 * guesses the format — Python's FORMAT_AUTO, which `lzma.open` and joblib use: a properties byte with lc + lp ≤ 4,
 * a dictionary size of 2^n or 2^n + 2^(n-1) (or all ones), then an uncompressed size below 2^38 or -1 (unknown).
 * Exactly liblzma's rule, no narrower: a header it decodes and this rejected would be a way past the scanner.
 */
export function isLzmaAloneHeader(b: Uint8Array, at = 0): boolean {
  if (b.length - at < 13) return false;
  const props = b[at]!;
  if (props > 224) return false;
  const lc = props % 9;
  const lp = Math.floor(props / 9) % 5;
  if (lc + lp > 4) return false;
  const v = new DataView(b.buffer, b.byteOffset + at, 13);
  const dict = v.getUint32(1, true);
  if (dict !== 0xffffffff) {
    // round up to the next 2^n or 2^n + 2^(n-1); a size that changes is not one
    let d = (dict - 1) >>> 0;
    d |= d >>> 2;
    d |= d >>> 3;
    d |= d >>> 4;
    d |= d >>> 8;
    d |= d >>> 16;
    if (((d + 1) >>> 0) !== dict) return false;
  }
  const unknownSize = b.subarray(at + 5, at + 13).every((x) => x === 0xff);
  return unknownSize || (v.getUint32(9, true) < 0x40);
}

/** An lzma-alone header whose stream holds no bytes (13 zero bytes are one). */
export function declaresEmptyLzmaStream(head: Uint8Array): boolean {
  return isLzmaAloneHeader(head) && head.subarray(5, 13).every((x) => x === 0);
}

/** Containers the first bytes announce (the container decides how the scanner reads the file). */
export type Container = 'zip' | 'npy' | '7z' | 'tar' | 'gguf' | 'hdf5';

export function detectContainer(head: Uint8Array): Container | undefined {
  if (startsWith(head, SIGNATURES.zipLocal) || startsWith(head, SIGNATURES.zipEmpty) || startsWith(head, SIGNATURES.zipSpanned)) return 'zip';
  if (startsWith(head, SIGNATURES.numpy)) return 'npy';
  if (startsWith(head, SIGNATURES.sevenZip)) return '7z';
  if (startsWith(head, SIGNATURES.ustar, 257)) return 'tar';
  if (startsWith(head, SIGNATURES.gguf)) return 'gguf';
  if (startsWith(head, SIGNATURES.hdf5)) return 'hdf5';
  // tarfile needs no magic: a first block whose checksum and numbers parse opens as an archive, and torch.load tries that
  if (isTarHeader(head)) return 'tar';
  return undefined;
}
