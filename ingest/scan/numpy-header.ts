/**
 * The `.npy` header: magic, version, a length, then a Python dict literal such as
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }`. numpy reads it with `ast.literal_eval`, so it is
 * parsed here as a Python literal too (escapes decoded, comments dropped, the last duplicate key wins). A dtype
 * that is or contains an object means a pickle follows the header, which `numpy.load(allow_pickle=True)`
 * unpickles; a dtype not recognised as plain numbers or fixed-size text is suspicious, not safe.
 */
import { SIGNATURES } from './format.ts';
import { LiteralError, parsePythonLiteral, type PyValue } from './python-literals.ts';

/** numpy refuses headers over 10,000 bytes unless `max_header_size` is raised; we read up to 1 MiB. */
export const MAX_NPY_HEADER_BYTES = 1024 * 1024;

export type NpyPrelude =
  | { ok: true; version: number; headerStart: number; dataStart: number }
  | { ok: false; error: string };

/** Reads the fixed prelude (the first 12 bytes) to learn where the header text and the data begin. */
export function readNpyPrelude(head: Uint8Array): NpyPrelude {
  const magic = SIGNATURES.numpy;
  if (head.length < 10 || !magic.every((b, i) => head[i] === b)) return { ok: false, error: 'not a .npy file (bad magic)' };
  const version = head[6]!;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (version === 1) return { ok: true, version, headerStart: 10, dataStart: 10 + view.getUint16(8, true) };
  if (version === 2 || version === 3) {
    if (head.length < 12) return { ok: false, error: 'truncated .npy prelude' };
    const len = view.getUint32(8, true);
    if (len > MAX_NPY_HEADER_BYTES) return { ok: false, error: `.npy header of ${len} bytes is over the ${MAX_NPY_HEADER_BYTES}-byte limit` };
    return { ok: true, version, headerStart: 12, dataStart: 12 + len };
  }
  return { ok: false, error: `unsupported .npy version ${version}` };
}

/** Type strings numpy reads as plain numbers, booleans, dates or fixed-size bytes/text (no Python objects). */
const PLAIN_DTYPE = /^[<>|=]?(b1|[iu][1248]|f[248]|f16|c(8|16|32)|[?bBhHiIlLqQpPefdgFDG]|[SUVa]\d*|[Mm]8(\[\d*\w+\])?)$/;
const PLAIN_NAMES = new Set([
  'bool', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'float16', 'float32', 'float64',
  'complex64', 'complex128', 'bytes', 'str', 'float', 'int', 'complex', 'longlong', 'ulonglong', 'half', 'single', 'double',
]);
const OBJECT_DTYPE = /^[<>|=]?O\d*$|^object$/;

export type DtypeKind = 'plain' | 'object' | 'unknown';

/** What a descr holds: plain data, Python objects (a pickle follows), or something not recognised. */
export function dtypeKind(descr: PyValue): DtypeKind {
  if (typeof descr === 'string') return OBJECT_DTYPE.test(descr) ? 'object' : PLAIN_DTYPE.test(descr) || PLAIN_NAMES.has(descr) ? 'plain' : 'unknown';
  if (Array.isArray(descr)) {
    // a structured dtype: [(name, dtype) or (name, dtype, shape), ...]; the worst field decides
    let kind: DtypeKind = 'plain';
    for (const field of descr) {
      const parts = typeof field === 'object' && field !== null && 'tuple' in field ? field.tuple : Array.isArray(field) ? field : undefined;
      if (!parts || parts.length < 2) return 'unknown';
      const k = dtypeKind(parts[1]!);
      if (k === 'object') return 'object';
      if (k === 'unknown') kind = 'unknown';
    }
    return kind;
  }
  return 'unknown';
}

export type NpyHeader = { descr: string; kind: DtypeKind } | { error: string };

/** numpy's `_read_array_header`: a literal dict with exactly descr, fortran_order and shape. */
export function parseNpyHeader(text: string): NpyHeader {
  let value: PyValue;
  try {
    value = parsePythonLiteral(text);
  } catch (err) {
    if (err instanceof LiteralError) return { error: `.npy header is not a Python literal (${err.message})` };
    throw err;
  }
  if (!(value instanceof Map)) return { error: '.npy header is not a dict' };
  const keys = [...value.keys()].sort().join(',');
  if (keys !== 'descr,fortran_order,shape') return { error: `.npy header keys are ${keys.slice(0, 100)}, not descr, fortran_order and shape` };
  const descr = value.get('descr')!;
  return { descr: JSON.stringify(descr, (_, v) => (typeof v === 'bigint' ? Number(v) : v instanceof Map ? Object.fromEntries(v) : v)), kind: dtypeKind(descr) };
}
