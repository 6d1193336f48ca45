/**
 * The `.npy` header: magic, version, a length, then a Python dict literal such as
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }`. An array whose dtype holds Python objects ('O') is
 * stored as a pickle right after the header, and `numpy.load(allow_pickle=True)` unpickles it; any other dtype is
 * raw numbers. That is all we need from the header.
 */
import { SIGNATURES } from './format.ts';

/** NumPy itself refuses headers above this size unless told otherwise; we refuse them outright. */
export const MAX_NPY_HEADER_BYTES = 1024 * 1024;

export type NpyPrelude =
  | { ok: true; version: number; headerStart: number; dataStart: number }
  | { ok: false; error: string };

/** Reads the fixed prelude (needs the first 12 bytes) to learn where the header text and the data begin. */
export function readNpyPrelude(head: Uint8Array): NpyPrelude {
  const magic = SIGNATURES.numpy;
  if (head.length < 10 || !magic.every((b, i) => head[i] === b)) return { ok: false, error: 'not a .npy file (bad magic)' };
  const version = head[6]!;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (version === 1) {
    const len = view.getUint16(8, true);
    return { ok: true, version, headerStart: 10, dataStart: 10 + len };
  }
  if (version === 2 || version === 3) {
    if (head.length < 12) return { ok: false, error: 'truncated .npy prelude' };
    const len = view.getUint32(8, true);
    if (len > MAX_NPY_HEADER_BYTES) return { ok: false, error: `.npy header of ${len} bytes is over the ${MAX_NPY_HEADER_BYTES}-byte limit` };
    return { ok: true, version, headerStart: 12, dataStart: 12 + len };
  }
  return { ok: false, error: `unsupported .npy version ${version}` };
}

/**
 * Whether the header's dtype holds Python objects. We look for a quoted type code 'O' (optionally with a byte-order
 * mark) anywhere in the descr, which also catches object fields inside a structured dtype.
 */
export function npyHeaderHasObjects(headerText: string): { descr: string; objects: boolean } | { error: string } {
  const m = /['"]descr['"]\s*:\s*(\[.*\]|'[^']*'|"[^"]*")/s.exec(headerText);
  if (!m) return { error: '.npy header has no descr' };
  const descr = m[1]!;
  return { descr, objects: /['"][|<>=]?O\d*['"]/.test(descr) };
}
