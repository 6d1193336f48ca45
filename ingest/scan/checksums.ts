/**
 * The checksums the compression formats carry, computed incrementally (a decoder feeds each output piece as it
 * goes): CRC-32 as xz (and zip, gzip) write it — the reflected IEEE polynomial —, CRC-32 as bzip2 writes it — the
 * same polynomial, most significant bit first —, and xz's CRC-64 (the ECMA-182 polynomial, reflected), kept as two
 * 32-bit halves so that no BigInt arithmetic runs per byte.
 */

function reflectedTable32(poly: number): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}

const CRC32_TABLE = reflectedTable32(0xedb88320);

/** CRC-32 (reflected, as xz, zip and gzip use it), continued from `crc` (0 to start). */
export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = CRC32_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

const BZIP2_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** bzip2's running CRC: start from 0xffffffff, feed bytes with `bzip2CrcUpdate`, finish with `~crc >>> 0`. */
export function bzip2CrcUpdate(crc: number, bytes: Uint8Array, from = 0, to = bytes.length): number {
  let c = crc;
  for (let i = from; i < to; i++) c = ((c << 8) ^ BZIP2_TABLE[((c >>> 24) ^ bytes[i]!) & 0xff]!) >>> 0;
  return c;
}

// CRC-64/XZ: polynomial 0x42F0E1EBA9EA3693, reflected 0xC96C5795D7870F42, as (hi, lo) 32-bit tables
const CRC64_HI = new Uint32Array(256);
const CRC64_LO = new Uint32Array(256);
(() => {
  const polyHi = 0xc96c5795;
  const polyLo = 0xd7870f42;
  for (let n = 0; n < 256; n++) {
    let hi = 0;
    let lo = n;
    for (let k = 0; k < 8; k++) {
      const low = lo & 1;
      lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
      hi = hi >>> 1;
      if (low) {
        hi = (hi ^ polyHi) >>> 0;
        lo = (lo ^ polyLo) >>> 0;
      }
    }
    CRC64_HI[n] = hi;
    CRC64_LO[n] = lo;
  }
})();

/** CRC-64 as xz writes it, incrementally: `update` pieces, then `digest()` gives the 8 bytes as xz stores them. */
export class Crc64 {
  private hi = 0xffffffff;
  private lo = 0xffffffff;

  update(bytes: Uint8Array): void {
    let hi = this.hi;
    let lo = this.lo;
    for (let i = 0; i < bytes.length; i++) {
      const idx = (lo ^ bytes[i]!) & 0xff;
      // shift the 64-bit value right by 8, then xor the table entry
      lo = (((lo >>> 8) | (hi << 24)) ^ CRC64_LO[idx]!) >>> 0;
      hi = ((hi >>> 8) ^ CRC64_HI[idx]!) >>> 0;
    }
    this.hi = hi;
    this.lo = lo;
  }

  /** Little-endian, as in the xz block's check field. */
  digest(): Uint8Array {
    const out = new Uint8Array(8);
    const v = new DataView(out.buffer);
    v.setUint32(0, ~this.lo >>> 0, true);
    v.setUint32(4, ~this.hi >>> 0, true);
    return out;
  }
}
