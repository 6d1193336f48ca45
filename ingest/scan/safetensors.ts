/**
 * A safetensors header, validated the way the `safetensors` crate validates it before trusting it: the length
 * fits the file and the 100 MB cap, the header is a JSON object starting with '{', every tensor has a known dtype,
 * a shape whose element count times the dtype width is exactly its byte range, and the ranges tile the data
 * section from 0 to its end with no gap or overlap. A header that lies is reported, never called safe.
 */
import { FormatError, type ByteSource } from './source.ts';

export const SAFETENSORS_MAX_HEADER = 100_000_000;

const DTYPE_BYTES: Readonly<Record<string, number>> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, F8_E8M0: 1, I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4,
  F64: 8, I64: 8, U64: 8,
};

/** A cheap look at the first bytes: a plausible length followed by '{'. */
export function looksLikeSafetensors(head: Uint8Array): boolean {
  if (head.length < 9 || head[8] !== 0x7b) return false;
  const v = new DataView(head.buffer, head.byteOffset, head.byteLength);
  return v.getUint32(4, true) === 0 && v.getUint32(0, true) >= 2;
}

export type SafetensorsCheck = { ok: true; tensors: number } | { ok: false; lie: string };

export async function checkSafetensors(src: ByteSource): Promise<SafetensorsCheck> {
  if (src.size < 8) return { ok: false, lie: 'file shorter than the 8-byte header length' };
  const lenBytes = await src.read(0, 8, 'header length');
  const v = new DataView(lenBytes.buffer, lenBytes.byteOffset, 8);
  const n = v.getUint32(4, true) * 0x1_0000_0000 + v.getUint32(0, true);
  if (n > SAFETENSORS_MAX_HEADER) return { ok: false, lie: `header length ${n} is over the 100 MB cap` };
  if (8 + n > src.size) return { ok: false, lie: `header length ${n} runs past the end of the ${src.size}-byte file` };
  let header: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(await src.read(8, n, 'safetensors header'));
    if (!text.startsWith('{')) return { ok: false, lie: 'header does not start with "{"' };
    header = JSON.parse(text);
  } catch (err) {
    if (!(err instanceof SyntaxError || err instanceof TypeError)) throw err;
    return { ok: false, lie: `header is not UTF-8 JSON (${(err as Error).message.slice(0, 120)})` };
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return { ok: false, lie: 'header is not a JSON object' };
  const dataLen = src.size - 8 - n;
  const ranges: Array<[number, number, string]> = [];
  for (const [name, t] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof t !== 'object' || t === null || Object.values(t).some((x) => typeof x !== 'string')) return { ok: false, lie: '__metadata__ is not a map of strings' };
      continue;
    }
    const info = t as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const width = typeof info?.dtype === 'string' ? DTYPE_BYTES[info.dtype] : undefined;
    if (width === undefined) return { ok: false, lie: `tensor "${name.slice(0, 100)}" has an unknown dtype ${JSON.stringify(info?.dtype)?.slice(0, 40)}` };
    const shape = info.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) return { ok: false, lie: `tensor "${name.slice(0, 100)}" has a malformed shape` };
    const offs = info.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isSafeInteger(o) && o >= 0) || offs[0] > offs[1]) {
      return { ok: false, lie: `tensor "${name.slice(0, 100)}" has malformed data_offsets` };
    }
    const elements = shape.reduce((a: number, d: number) => a * d, 1);
    if (elements * width !== offs[1] - offs[0]) {
      return { ok: false, lie: `tensor "${name.slice(0, 100)}": shape ${JSON.stringify(shape)} of ${info.dtype} is ${elements * width} bytes, its offsets span ${offs[1] - offs[0]}` };
    }
    ranges.push([offs[0], offs[1], name]);
  }
  ranges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let end = 0;
  for (const [s, e, name] of ranges) {
    if (s < end) return { ok: false, lie: `tensor "${name.slice(0, 100)}" overlaps another (offset ${s} < ${end})` };
    if (s > end) return { ok: false, lie: `a gap of ${s - end} bytes before tensor "${name.slice(0, 100)}"` };
    end = e;
  }
  if (end !== dataLen) return { ok: false, lie: `tensors end at ${end} but the data section is ${dataLen} bytes` };
  return { ok: true, tensors: ranges.length };
}

export { FormatError };
