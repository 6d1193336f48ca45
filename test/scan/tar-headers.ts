/**
 * Tar headers written field by field, for archives `build.ts`'s `tarBytes` does not make: PAX and GNU extension
 * headers, other type flags, number fields in the spellings Python's tarfile accepts, no ustar magic.
 */
import { concat } from '../../ingest/scan/build.ts';

const enc = new TextEncoder();

export interface HeaderInput {
  /** The name field's bytes (a string is written as UTF-8). */
  name: string | Uint8Array;
  /** The ustar size field's value (what follows is up to the caller). */
  size: number;
  /** Type flag; '0' by default. */
  type?: string;
  /** The 12-byte size field written as given instead of as octal (base-256, `0o` prefixes, spaces). */
  sizeField?: Uint8Array;
  /** The ustar prefix field (offset 345). */
  prefix?: string;
  /** Write the `ustar\0` magic (default true). */
  magic?: boolean;
}

/** One 512-byte header with a valid checksum. */
export function tarHeader(h: HeaderInput): Uint8Array {
  const b = new Uint8Array(512);
  const put = (s: string | Uint8Array, at: number) => b.set(typeof s === 'string' ? enc.encode(s) : s, at);
  put(h.name, 0);
  put('0000644\0', 100);
  put('0000000\0', 108);
  put('0000000\0', 116);
  put(h.sizeField ?? `${h.size.toString(8).padStart(11, '0')}\0`, 124);
  put('00000000000\0', 136);
  put(h.type ?? '0', 156);
  if (h.magic ?? true) put('ustar\u000000', 257);
  if (h.prefix) put(h.prefix, 345);
  put('        ', 148);
  const sum = b.reduce((n, x) => n + x, 0);
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return b;
}

/** Data padded to whole blocks. */
export function padded(data: Uint8Array): Uint8Array {
  return concat([data, new Uint8Array((512 - (data.length % 512)) % 512)]);
}

/** A regular member: header and padded data. */
export function tarMember(name: string | Uint8Array, data: Uint8Array, h: Partial<HeaderInput> = {}): Uint8Array {
  return concat([tarHeader({ name, size: data.length, ...h }), padded(data)]);
}

/** One PAX record, `"<length> <key>=<value>\n"`, its length counting itself. */
export function paxRecord(key: string, value: string): Uint8Array {
  const body = enc.encode(` ${key}=${value}\n`);
  let n = body.length + 1;
  while (String(n).length + body.length !== n) n++;
  return concat([enc.encode(String(n)), body]);
}

/** An extension header (`x`, `g`, `L`, `K`) and its padded payload. */
export function extensionHeader(type: 'x' | 'g' | 'L' | 'K', payload: Uint8Array): Uint8Array {
  return concat([tarHeader({ name: type === 'L' || type === 'K' ? '././@LongLink' : '././@PaxHeader', size: payload.length, type }), padded(payload)]);
}

/** The end-of-archive blocks. */
export const tarEnd = (): Uint8Array => new Uint8Array(1024);

/** A 12-byte base-256 number field (0x80 then big-endian bytes), as GNU tar writes sizes past 8 GiB. */
export function base256(n: number): Uint8Array {
  const f = new Uint8Array(12);
  f[0] = 0x80;
  let v = BigInt(n);
  for (let i = 11; i > 0; i--) {
    f[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return f;
}
