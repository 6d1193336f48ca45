/**
 * The `.npy` header: magic, version, a length, then a Python dict literal such as
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }`. numpy reads it with `ast.literal_eval`, so it is
 * parsed here as a Python literal too (escapes decoded, comments dropped, the last duplicate key wins). A dtype
 * that is or contains an object (`numpy-descr.ts`) means a pickle follows the header, which
 * `numpy.load(allow_pickle=True)` unpickles; a dtype not recognised as plain numbers or fixed-size text is
 * suspicious, not safe.
 */
import { SIGNATURES } from './format.ts';
import { dtypeKind, type DtypeKind } from './numpy-descr.ts';
import { LiteralError, parsePythonLiteral, type ParsedLiteral, type PyValue } from './python-literals.ts';

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

export type NpyHeader = { descr: string; kind: DtypeKind; why?: string } | { error: string };

const describe = (v: PyValue) =>
  JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? Number(x) : x instanceof Map ? Object.fromEntries(x) : x instanceof Uint8Array ? `b'${String.fromCharCode(...x)}'` : x));

/**
 * numpy's `_read_array_header`: a literal dict with exactly descr, fortran_order and shape. A version 1.0 or 2.0
 * header that Python 3 cannot parse is parsed again without Python 2's `L` suffixes (`_filter_header`), so
 * `(2L,)` is read as numpy reads it; a 3.0 header is not.
 */
export function parseNpyHeader(text: string, version: number): NpyHeader {
  let parsed: ParsedLiteral;
  try {
    parsed = parsePythonLiteral(text, { python2Longs: version <= 2 });
  } catch (err) {
    if (err instanceof LiteralError) return { error: `.npy header is not a Python literal (${err.message})` };
    throw err;
  }
  if (parsed.namedEscapes.length > 0) {
    // \N{...} needs Python's Unicode name table: what the header says (its keys, its dtype) is not known here
    const names = parsed.namedEscapes.slice(0, 3).map((n) => `\\N{${n.slice(0, 60)}}`).join(', ');
    return { descr: 'unknown', kind: 'unknown', why: `.npy header spells text with ${names}, a named escape only Python's Unicode name table resolves; numpy may read the array as objects` };
  }
  const value = parsed.value;
  if (!(value instanceof Map)) return { error: '.npy header is not a dict' };
  const keys = [...value.keys()].sort().join(',');
  if (keys !== 'descr,fortran_order,shape') return { error: `.npy header keys are ${keys.slice(0, 100)}, not descr, fortran_order and shape` };
  const descr = value.get('descr')!;
  return { descr: describe(descr), kind: dtypeKind(descr) };
}
