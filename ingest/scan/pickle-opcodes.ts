/**
 * The pickle opcode table (protocols 0–5) and a decoder for one opcode at a time. Decoding only reads bytes: an
 * argument is a slice of the input (or a number parsed from it), so a claimed length can never make us allocate
 * more than the input already holds. Nothing here builds Python objects or calls anything.
 */
import { Buffer } from 'node:buffer';

/** How an opcode's argument is laid out right after the opcode byte. */
export type ArgKind =
  | 'none'
  | 'u1'
  | 'u2'
  | 'u4'
  | 'i4'
  | 'f8'
  /** u8 little-endian number; FRAME's length hint. */
  | 'u8'
  /** One text line ending in '\n' (protocol 0 INT, LONG, FLOAT, STRING, UNICODE, PERSID, GET, PUT). */
  | 'line'
  /** Two text lines: module then name (GLOBAL, INST). */
  | 'two-lines'
  /** Bytes preceded by a length of 1, 4 (signed or unsigned) or 8 bytes. */
  | 'bytes-u1'
  | 'bytes-i4'
  | 'bytes-u4'
  | 'bytes-u8';

export interface OpcodeSpec {
  name: string;
  arg: ArgKind;
}

/** Opcode byte → spec. Names follow CPython's pickletools so a reader can compare with `pickletools.dis`. */
export const OPCODES: ReadonlyMap<number, OpcodeSpec> = new Map<number, OpcodeSpec>(
  (
    [
      // protocol 0 and 1
      ['(', 'MARK', 'none'],
      ['.', 'STOP', 'none'],
      ['0', 'POP', 'none'],
      ['1', 'POP_MARK', 'none'],
      ['2', 'DUP', 'none'],
      ['F', 'FLOAT', 'line'],
      ['I', 'INT', 'line'],
      ['J', 'BININT', 'i4'],
      ['K', 'BININT1', 'u1'],
      ['L', 'LONG', 'line'],
      ['M', 'BININT2', 'u2'],
      ['N', 'NONE', 'none'],
      ['P', 'PERSID', 'line'],
      ['Q', 'BINPERSID', 'none'],
      ['R', 'REDUCE', 'none'],
      ['S', 'STRING', 'line'],
      ['T', 'BINSTRING', 'bytes-i4'],
      ['U', 'SHORT_BINSTRING', 'bytes-u1'],
      ['V', 'UNICODE', 'line'],
      ['X', 'BINUNICODE', 'bytes-u4'],
      ['a', 'APPEND', 'none'],
      ['b', 'BUILD', 'none'],
      ['c', 'GLOBAL', 'two-lines'],
      ['d', 'DICT', 'none'],
      ['}', 'EMPTY_DICT', 'none'],
      ['e', 'APPENDS', 'none'],
      ['g', 'GET', 'line'],
      ['h', 'BINGET', 'u1'],
      ['i', 'INST', 'two-lines'],
      ['j', 'LONG_BINGET', 'u4'],
      ['l', 'LIST', 'none'],
      [']', 'EMPTY_LIST', 'none'],
      ['o', 'OBJ', 'none'],
      ['p', 'PUT', 'line'],
      ['q', 'BINPUT', 'u1'],
      ['r', 'LONG_BINPUT', 'u4'],
      ['s', 'SETITEM', 'none'],
      ['t', 'TUPLE', 'none'],
      [')', 'EMPTY_TUPLE', 'none'],
      ['u', 'SETITEMS', 'none'],
      ['G', 'BINFLOAT', 'f8'],
      // protocol 2
      [0x80, 'PROTO', 'u1'],
      [0x81, 'NEWOBJ', 'none'],
      [0x82, 'EXT1', 'u1'],
      [0x83, 'EXT2', 'u2'],
      [0x84, 'EXT4', 'i4'],
      [0x85, 'TUPLE1', 'none'],
      [0x86, 'TUPLE2', 'none'],
      [0x87, 'TUPLE3', 'none'],
      [0x88, 'NEWTRUE', 'none'],
      [0x89, 'NEWFALSE', 'none'],
      [0x8a, 'LONG1', 'bytes-u1'],
      [0x8b, 'LONG4', 'bytes-i4'],
      // protocol 3
      ['B', 'BINBYTES', 'bytes-u4'],
      ['C', 'SHORT_BINBYTES', 'bytes-u1'],
      // protocol 4
      [0x8c, 'SHORT_BINUNICODE', 'bytes-u1'],
      [0x8d, 'BINUNICODE8', 'bytes-u8'],
      [0x8e, 'BINBYTES8', 'bytes-u8'],
      [0x8f, 'EMPTY_SET', 'none'],
      [0x90, 'ADDITEMS', 'none'],
      [0x91, 'FROZENSET', 'none'],
      [0x92, 'NEWOBJ_EX', 'none'],
      [0x93, 'STACK_GLOBAL', 'none'],
      [0x94, 'MEMOIZE', 'none'],
      [0x95, 'FRAME', 'u8'],
      // protocol 5
      [0x96, 'BYTEARRAY8', 'bytes-u8'],
      [0x97, 'NEXT_BUFFER', 'none'],
      [0x98, 'READONLY_BUFFER', 'none'],
    ] as const
  ).map(([code, name, arg]) => [typeof code === 'string' ? code.charCodeAt(0) : code, { name, arg }] as const),
);

/**
 * One decoded opcode. A line argument (without its newline) lies at [argStart, argEnd) of the buffer decoded, the
 * second line of GLOBAL/INST at [arg2Start, arg2End), a length-prefixed payload at [argStart, argEnd): positions,
 * not views, because a view costs an object for every opcode of a multi-megabyte pickle and most are never looked
 * at. `line`, `line2` and `bytes` make the view when it is wanted.
 */
export class DecodedOp {
  readonly ok = true;
  constructor(
    private readonly buf: Uint8Array,
    readonly offset: number,
    readonly code: number,
    readonly name: string,
    readonly arg: ArgKind,
    /** Offset of the next opcode. */
    readonly next: number,
    /** Numeric argument (u1/u2/u4/i4/u8, or the length of a bytes argument). */
    readonly num: number | undefined = undefined,
    readonly argStart = 0,
    readonly argEnd = 0,
    readonly arg2Start = 0,
    readonly arg2End = 0,
  ) {}

  get line(): Uint8Array | undefined {
    return this.arg === 'line' || this.arg === 'two-lines' ? this.buf.subarray(this.argStart, this.argEnd) : undefined;
  }
  get line2(): Uint8Array | undefined {
    return this.arg === 'two-lines' ? this.buf.subarray(this.arg2Start, this.arg2End) : undefined;
  }
  get bytes(): Uint8Array | undefined {
    return this.arg.startsWith('bytes-') ? this.buf.subarray(this.argStart, this.argEnd) : undefined;
  }
}

export interface DecodeFailure {
  ok: false;
  kind: 'truncated' | 'unknown-opcode' | 'bad-argument';
  message: string;
  /**
   * For a truncated fixed-width or length-prefixed argument: the bytes the opcode needs from its offset (for a
   * length-prefixed one whose length is not complete yet, enough to read the length).
   */
  need?: number;
  /** For a truncated line argument: the newlines still missing (1, or 2 for GLOBAL/INST with no newline yet). */
  newlinesLacking?: number;
  /** For a truncated length-prefixed argument: the opcode's name and where its payload starts. */
  name?: string;
  payloadAt?: number;
}

export type DecodeResult = DecodedOp | DecodeFailure;

function hex(n: number): string {
  return `0x${n.toString(16).padStart(2, '0')}`;
}

/**
 * Reads a little-endian u64 as a JS number, or Infinity when it cannot be a real length (beyond 2^53): callers
 * compare it with the bytes left, so an absurd claim reads as "truncated" rather than as an allocation.
 */
function readU64(view: DataView, at: number): number {
  const lo = view.getUint32(at, true);
  const hi = view.getUint32(at + 4, true);
  if (hi > 0x1fffff) return Infinity;
  return hi * 0x1_0000_0000 + lo;
}

const FIXED_WIDTH: Partial<Record<ArgKind, number>> = { u1: 1, u2: 2, u4: 4, i4: 4, f8: 8, u8: 8 };
const LENGTH_WIDTH: Partial<Record<ArgKind, number>> = { 'bytes-u1': 1, 'bytes-i4': 4, 'bytes-u4': 4, 'bytes-u8': 8 };
/** Opcode byte → spec, as an array: this runs once per opcode. */
const BY_CODE: ReadonlyArray<OpcodeSpec | undefined> = Array.from({ length: 256 }, (_, code) => OPCODES.get(code));

function truncatedAt(name: string, pos: number, lacking: { need: number } | { newlinesLacking: number }): DecodeFailure {
  return { ok: false, kind: 'truncated', message: `truncated: ${name} at offset ${pos} runs past the end of the data`, ...lacking };
}

/**
 * Decodes the opcode at `pos`. Never reads past `buf.length`; never throws. Callers decoding many opcodes pass
 * one DataView over `buf` (this runs once per opcode, millions of times for a big pickle). A line argument ends at
 * the first newline, however far (CPython's readline has no line limit; the caller's byte budget bounds what we
 * hold); undefined when the data ends first.
 */
export function decodeOp(buf: Uint8Array, pos: number, view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)): DecodeResult {
  if (pos >= buf.length) return { ok: false, kind: 'truncated', message: `truncated: no opcode at offset ${pos}` };
  const code = buf[pos]!;
  const spec = BY_CODE[code];
  if (!spec) return { ok: false, kind: 'unknown-opcode', message: `unknown opcode ${hex(code)} at offset ${pos}` };
  const argAt = pos + 1;
  const { name, arg } = spec;
  if (arg === 'none') return new DecodedOp(buf, pos, code, name, arg, argAt);

  const fixed = FIXED_WIDTH[arg];
  if (fixed !== undefined) {
    if (argAt + fixed > buf.length) return truncatedAt(name, pos, { need: 1 + fixed });
    let num: number;
    switch (arg) {
      case 'u1': num = buf[argAt]!; break;
      case 'u2': num = view.getUint16(argAt, true); break;
      case 'u4': num = view.getUint32(argAt, true); break;
      case 'i4': num = view.getInt32(argAt, true); break;
      case 'f8': num = view.getFloat64(argAt, true); break;
      default: num = readU64(view, argAt);
    }
    return new DecodedOp(buf, pos, code, name, arg, argAt + fixed, num);
  }

  const width = LENGTH_WIDTH[arg];
  if (width !== undefined) {
    if (argAt + width > buf.length) return truncatedAt(name, pos, { need: 1 + width });
    let len: number;
    switch (arg) {
      case 'bytes-u1': len = buf[argAt]!; break;
      case 'bytes-i4': len = view.getInt32(argAt, true); break;
      case 'bytes-u4': len = view.getUint32(argAt, true); break;
      default: len = readU64(view, argAt);
    }
    if (len < 0) return { ok: false, kind: 'bad-argument', message: `${name} at offset ${pos} has a negative length` };
    const start = argAt + width;
    if (len > buf.length - start) return { ...truncatedAt(name, pos, { need: 1 + width + len }), name, payloadAt: start };
    return new DecodedOp(buf, pos, code, name, arg, start + len, len, start, start + len);
  }

  const nl = buf.indexOf(0x0a, argAt);
  if (nl < 0) return truncatedAt(name, pos, { newlinesLacking: arg === 'line' ? 1 : 2 });
  if (arg === 'line') return new DecodedOp(buf, pos, code, name, arg, nl + 1, undefined, argAt, nl);
  const nl2 = buf.indexOf(0x0a, nl + 1);
  if (nl2 < 0) return truncatedAt(name, pos, { newlinesLacking: 1 });
  return new DecodedOp(buf, pos, code, name, arg, nl2 + 1, undefined, argAt, nl, nl + 1, nl2);
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Bytes as text the way Python 3 reads protocol 2+ unicode opcodes (UTF-8; invalid sequences replaced). */
export function decodeUtf8(bytes: Uint8Array): string {
  return shortAscii(bytes) ?? utf8.decode(bytes);
}

/** UTF-8 where CPython's strict decoder would accept it, else undefined (the load fails there). */
export function decodeUtf8Strict(bytes: Uint8Array): string | undefined {
  const ascii = shortAscii(bytes);
  if (ascii !== undefined) return ascii;
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Module and attribute names are short ASCII: built directly, they skip a TextDecoder call per opcode (the
 * decoder's fixed cost dominates for a dozen bytes). Undefined for anything else, which the decoder then reads.
 */
function shortAscii(bytes: Uint8Array): string | undefined {
  if (bytes.length > 64) return undefined;
  let s = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b >= 0x80) return undefined;
    s += String.fromCharCode(b);
  }
  return s;
}

/**
 * [start, end) of `buf` as text when every byte is ASCII, which UTF-8, strict or not, and latin-1 all read the
 * same; undefined otherwise. One string made by Buffer's latin-1 slice: no view and no per-character strings.
 */
export function asciiAt(buf: Buffer, start: number, end: number): string | undefined {
  for (let i = start; i < end; i++) if (buf[i]! >= 0x80) return undefined;
  return buf.toString('latin1', start, end);
}

/** `decodeUtf8` of [start, end) of `buf`. */
export function utf8At(buf: Buffer, start: number, end: number): string {
  return asciiAt(buf, start, end) ?? utf8.decode(buf.subarray(start, end));
}

/** `decodeUtf8Strict` of [start, end) of `buf`. */
export function strictUtf8At(buf: Buffer, start: number, end: number): string | undefined {
  return asciiAt(buf, start, end) ?? decodeUtf8Strict(buf.subarray(start, end));
}

/** One char per byte: how the text arguments of protocol 0 are held before their own decoding. */
export function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return s;
}
