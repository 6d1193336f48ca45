/**
 * joblib's format before 0.10, still loaded by every joblib (`numpy_pickle_compat.read_zfile`): `ZF`, the pickle's
 * length written as `'{:#x}'` and padded with spaces to 19 bytes, then the pickle zlib-compressed. `joblib.load`
 * looks for this prefix before any compression magic, whatever the file is named, and unpickles what inflates.
 */
import { pythonIntOf } from './python-int.ts';

/** `ZF` plus the 19-byte length field (the width of `hex(2**64)`). */
const HEADER = 21;

export interface ZfileHeader {
  /** Where the zlib stream starts: joblib ≤ 0.8.4 under Python 2 wrote one more space, which read_zfile skips. */
  dataStart: number;
  /** The length the header declares for the pickle (joblib asserts the inflated size matches). */
  length: bigint;
}

/** The header as read_zfile reads it, or undefined when joblib would not take the file for one (or fail on it). */
export function readZfileHeader(head: Uint8Array): ZfileHeader | undefined {
  if (head.length <= HEADER || head[0] !== 0x5a || head[1] !== 0x46) return undefined;
  // int(field, 16) of the raw bytes: spaces around it, a 0x prefix, underscores; anything else raises
  const length = pythonIntOf(String.fromCharCode(...head.subarray(2, HEADER)), 16, { bytes: true });
  if (length === undefined || length < 0n) return undefined;
  return { dataStart: head[HEADER] === 0x20 ? HEADER + 1 : HEADER, length };
}
