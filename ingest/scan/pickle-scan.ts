/**
 * A pickle disassembler that lists the globals a pickle would import, without unpickling anything.
 *
 * A pickle runs code by importing a callable (GLOBAL, INST, STACK_GLOBAL, EXT1/2/4) and calling it (REDUCE, INST,
 * OBJ, NEWOBJ, NEWOBJ_EX, BUILD). Every call needs an import first, so the set of imported globals decides whether
 * loading a file can do harm. STACK_GLOBAL takes its names from the stack, where they may have come through the
 * memo, so the stack and memo are modelled — only as "a known string" or "something else".
 *
 * The walk follows CPython's unpickler where a scanner could read differently: text arguments parse as Python's
 * int() parses them, lines have no length limit, a stack underflow, a missing MARK or memo key, PROTO above 5 and
 * a text argument CPython refuses all end the load there (as they end CPython's). Pickles concatenated in one
 * stream are walked one after another, each with a fresh stack and memo.
 *
 * The walker is push-based: bytes arrive in chunks (from ranges of a 10 GB file, or out of a decompressor) and
 * memory stays bounded: a long bytes argument is skipped rather than held, and the modelled stack, memo and the
 * strings they hold have caps whose excess ends the walk as a limit, never as an allocation. A long text line is
 * held as the chunks it arrives in and checked in one pass, so it costs in proportion to its length.
 */
import { Buffer } from 'node:buffer';
import { decodeOp, decodeUtf8Strict, latin1, OPCODES, strictUtf8At, utf8At, type DecodedOp } from './pickle-opcodes.ts';
import { endWithoutTrailingSpace, isFloatArgument, isValidBytesEscape, isValidRawUnicodeEscape } from './pickle-text-args.ts';
import { decodeBytesEscape, decodeRawUnicodeEscape, pickleIntArg, pickleLongArg, pythonInt } from './python-literals.ts';

export interface PickleScanOptions {
  /** Stop after this many opcodes (a limit, recorded). Default 10,000,000. */
  maxOpcodes?: number;
  /** Stop after this many bytes of pickle stream (a limit, recorded). Default: no limit beyond the data. */
  maxBytes?: number;
  /** Stop after this many milliseconds (a limit, recorded). Default: none. */
  deadline?: number;
  /** Stop after this many complete pickles: a reader that loads one pickle, then reads raw bytes after it. */
  maxPickles?: number;
  /** The stream offset of the first byte pushed (a pickle inside a file): offsets, `consumed` and `maxBytes` count from the stream's start. */
  startOffset?: number;
}

/** Why and where a walk ended before the data did. */
export interface PickleBreak {
  offset: number;
  message: string;
  /** The break is at the first byte of a new pickle after at least one complete one: nothing a loader runs. */
  atPickleStart: boolean;
  /** CPython refuses this text where a scanner could misread it (a bad memo key, an unquoted STRING): suspicious. */
  refused?: boolean;
}

export interface PickleScanResult {
  /** "module.name" for every global the pickle(s) import, unique, in first-seen order. */
  globals: string[];
  /** Pickles that reached STOP. */
  completePickles: number;
  opcodes: number;
  /** Bytes of stream consumed (the offset after the last opcode walked, or of the break). */
  consumed: number;
  /** A limit (opcodes, bytes, time, model size) stopped the walk: whatever follows was not looked at. */
  limitReached?: string;
  /** The stream broke (CPython's load would raise there). */
  broke?: PickleBreak;
  /** The first pickle is torch's legacy magic number: a legacy torch.save file (5 pickles, then raw storages). */
  legacyTorch: boolean;
}

export const DEFAULT_MAX_OPCODES = 10_000_000;

/** What STACK_GLOBAL or EXT resolve to when the name cannot be known from the file (picklescan's convention). */
export const UNRESOLVED_GLOBAL = 'unknown.unknown';

/** torch.serialization's MAGIC_NUMBER 0x1950a86a20f9469cfc6c, as the LONG1 payload (little-endian) it pickles to. */
const TORCH_LEGACY_MAGIC = [0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

/** Modelling caps. Past them the walk stops with a limit (unscanned), which keeps memory bounded. */
const MAX_STACK = 1_000_000;
const MAX_MEMO = 1_000_000;
const MAX_HELD_CHARS = 32 * 1024 * 1024;
const MAX_GLOBALS = 10_000;
/** GLOBAL/INST names remembered by their bytes (see `lineGlobal`). */
const RECENT_GLOBALS = 8;
const EMPTY = Buffer.alloc(0);

/**
 * Strings longer than this are data (a vocabulary, a config blob), not a module or attribute name; keeping them
 * unknown saves holding megabytes, and should one reach STACK_GLOBAL it resolves to unknown.unknown (dangerous).
 */
const MAX_NAME_BYTES = 1024;
/**
 * Escaped text longer than this decodes to more than MAX_NAME_BYTES (an escape is at most 4 characters a byte in
 * STRING, 10 characters a character in UNICODE): it can be no name, so it is only checked, never decoded.
 */
const MAX_ESCAPED_NAME_STRING = 4 * MAX_NAME_BYTES;
const MAX_ESCAPED_NAME_UNICODE = 10 * MAX_NAME_BYTES;

type Slot = { str: string } | typeof OTHER;
const OTHER = Object.freeze({ other: true as const });

const PUSH_OTHER = new Set([
  'BININT', 'BININT1', 'BININT2', 'LONG1', 'LONG4', 'BINFLOAT', 'NONE', 'NEWTRUE', 'NEWFALSE', 'BINBYTES',
  'SHORT_BINBYTES', 'BINBYTES8', 'BYTEARRAY8', 'EMPTY_DICT', 'EMPTY_LIST', 'EMPTY_TUPLE', 'EMPTY_SET', 'NEXT_BUFFER',
]);
const MARK_TO_ONE = new Set(['TUPLE', 'LIST', 'DICT', 'FROZENSET', 'OBJ', 'INST']);
const MARK_TO_NONE = new Set(['APPENDS', 'SETITEMS', 'ADDITEMS', 'POP_MARK']);
const POP_N_PUSH_ONE: Readonly<Record<string, number>> = {
  TUPLE1: 1, TUPLE2: 2, TUPLE3: 3, REDUCE: 2, NEWOBJ: 2, NEWOBJ_EX: 3, BINPERSID: 1, STACK_GLOBAL: 2,
  READONLY_BUFFER: 1,
};
const POP_N: Readonly<Record<string, number>> = { POP: 1, APPEND: 1, SETITEM: 2, BUILD: 1 };

/**
 * The groups above by opcode byte, with the count to pop: one table load per opcode instead of a chain of set and
 * property lookups by name (this runs for every opcode of a multi-megabyte pickle).
 */
const PUSH = 1;
const MARK_PUSH = 2;
const MARK_ONLY = 3;
const POP_PUSH = 4;
const POP_ONLY = 5;
const MOVE = new Uint8Array(256);
const MOVE_COUNT = new Uint8Array(256);
for (const [code, { name }] of OPCODES) {
  if (PUSH_OTHER.has(name)) MOVE[code] = PUSH;
  else if (MARK_TO_ONE.has(name)) MOVE[code] = MARK_PUSH;
  else if (MARK_TO_NONE.has(name)) MOVE[code] = MARK_ONLY;
  else if (POP_N_PUSH_ONE[name] !== undefined) [MOVE[code], MOVE_COUNT[code]] = [POP_PUSH, POP_N_PUSH_ONE[name]!];
  else if (POP_N[name] !== undefined) [MOVE[code], MOVE_COUNT[code]] = [POP_ONLY, POP_N[name]!];
}

/** Python 2 bytes → str the way torch.load (encoding="utf-8") and numpy (latin-1 fallback) decode them. */
function py2Text(bytes: Uint8Array): string {
  return decodeUtf8Strict(bytes) ?? latin1(bytes);
}

class Stop extends Error {
  constructor(readonly kind: 'break' | 'limit', message: string, readonly refused = false, readonly atPickleStart = false) {
    super(message);
  }
}

/** The per-pickle machine state: a new pickle after STOP starts with an empty stack and memo, as in CPython. */
class MachineState {
  stack: Slot[] = [];
  marks: number[] = [];
  memo = new Map<number, Slot>();
  proto = 0;
  ops = 0;
  /** This pickle is PROTO, LONG1 <torch's magic number>, STOP so far. */
  sawTorchMagic = false;

  private floor(): number {
    return this.marks.length > 0 ? this.marks[this.marks.length - 1]! : 0;
  }
  push(slot: Slot): void {
    if (this.stack.length >= MAX_STACK) throw new Stop('limit', `the modelled stack passed ${MAX_STACK} values`);
    this.stack.push(slot);
  }
  /** The slot `depth` below the top, if it is above the innermost MARK. */
  peek(depth: number): Slot | undefined {
    return depth < this.stack.length - this.floor() ? this.stack[this.stack.length - 1 - depth] : undefined;
  }
  drop(n: number, name: string, at: number): void {
    if (this.stack.length - this.floor() < n) throw new Stop('break', `unpickling stack underflow: ${name} at offset ${at}`);
    this.stack.length -= n;
  }
  popMark(name: string, at: number): void {
    const mark = this.marks.pop();
    if (mark === undefined) throw new Stop('break', `could not find MARK: ${name} at offset ${at}`);
    this.stack.length = mark;
  }
}

/**
 * The walker. `push` chunks of the stream in order, then `end`. Between pushes, `skipping` says how many bytes the
 * walker will discard next (a long bytes argument): a random-access driver may jump over them with `skip`.
 */
export class PickleWalker {
  private readonly maxOpcodes: number;
  private readonly maxBytes: number;
  private readonly deadline: number;
  private readonly maxPickles: number;
  private readonly globals: string[] = [];
  private readonly seen = new Set<string>();
  private readonly recentGlobals: Array<{ bytes: Buffer; global: string }> = [];
  private state = new MachineState();
  /** Unwalked bytes, as a Buffer view (its latin-1 slice makes ASCII names without a view per opcode). */
  private pending: Buffer = EMPTY;
  /**
   * Chunks that arrived while the opcode at pending[0] still lacked part of its argument, held apart and joined once
   * it is complete: joining every chunk to all those before it, or searching a long line for its newline from its
   * start at every chunk, would cost the square of the line's length.
   */
  private waiting: Uint8Array[] = [];
  private waitingBytes = 0;
  /** What that opcode still lacks: newlines (a line argument), or a length for pending and waiting together. */
  private newlinesLacking = 0;
  private bytesLacking = 0;
  /** Stream offset of pending[0]. */
  private base = 0;
  private skipLeft = 0;
  private heldChars = 0;
  private completePickles = 0;
  private opcodes = 0;
  private legacyTorch = false;
  private stopped: { limit?: string; broke?: PickleBreak } | undefined;
  /** The legacy torch loader reads exactly this many pickles; what follows is raw storage bytes. */
  private static readonly LEGACY_PICKLES = 5;

  constructor(options: PickleScanOptions = {}) {
    this.maxOpcodes = options.maxOpcodes ?? DEFAULT_MAX_OPCODES;
    this.maxBytes = options.maxBytes ?? Infinity;
    this.deadline = options.deadline ?? Infinity;
    this.maxPickles = options.maxPickles ?? Infinity;
    this.base = options.startOffset ?? 0;
  }

  /** True once the walk ended (a break, a limit, `maxPickles`, or the last pickle a legacy torch loader reads). */
  get done(): boolean {
    return this.stopped !== undefined || this.completePickles >= this.maxPickles || (this.legacyTorch && this.completePickles >= PickleWalker.LEGACY_PICKLES);
  }

  get skipping(): number {
    return this.skipLeft;
  }

  /** Jumps over `n` bytes the walker would discard anyway (n ≤ skipping). */
  skip(n: number): void {
    const k = Math.min(n, this.skipLeft);
    this.skipLeft -= k;
    this.base += k;
  }

  /** The stream offset the walker wants next. */
  get position(): number {
    return this.base + this.pending.length + this.waitingBytes;
  }

  push(chunk: Uint8Array): void {
    if (this.done || chunk.length === 0) return;
    if (this.skipLeft > 0) {
      const k = Math.min(this.skipLeft, chunk.length);
      this.skip(k);
      chunk = chunk.subarray(k);
      if (chunk.length === 0) return;
    }
    if (this.pending.length === 0) this.pending = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    else if (!this.hold(chunk)) return;
    this.run(false);
  }

  /**
   * Keeps a chunk that arrived while the opcode at pending[0] was incomplete, searching only the new bytes for the
   * newlines it lacks. True when the opcode is complete now and the held chunks are joined to pending.
   */
  private hold(chunk: Uint8Array): boolean {
    this.waiting.push(chunk);
    this.waitingBytes += chunk.length;
    for (let at = -1; this.newlinesLacking > 0 && (at = chunk.indexOf(0x0a, at + 1)) >= 0; ) this.newlinesLacking--;
    const held = this.pending.length + this.waitingBytes;
    if (this.newlinesLacking > 0 || held < this.bytesLacking) {
      if (held > this.maxBytes) this.stopped = { limit: `a text argument at offset ${this.base} runs past the byte limit of ${this.maxBytes}` };
      return false;
    }
    this.joinWaiting();
    return true;
  }

  private joinWaiting(): void {
    if (this.waiting.length === 0) return;
    this.pending = Buffer.concat([this.pending, ...this.waiting], this.pending.length + this.waitingBytes);
    this.waiting = [];
    this.waitingBytes = 0;
    this.newlinesLacking = 0;
    this.bytesLacking = 0;
  }

  end(): PickleScanResult {
    if (!this.done) {
      // an opcode still lacking its argument is truncated: pending alone shows that, the held chunks add nothing
      if (this.newlinesLacking > 0 || this.pending.length + this.waitingBytes < this.bytesLacking) [this.waiting, this.waitingBytes] = [[], 0];
      this.joinWaiting();
      this.run(true);
    }
    if (!this.done && this.state.ops > 0) {
      this.stopped = { broke: { offset: this.base, message: 'truncated: the data ends before STOP', atPickleStart: false } };
    }
    if (!this.done && this.skipLeft > 0) {
      this.stopped = { broke: { offset: this.base, message: 'truncated: a bytes argument runs past the end of the data', atPickleStart: false } };
    }
    return {
      globals: this.globals,
      completePickles: this.completePickles,
      opcodes: this.opcodes,
      consumed: this.stopped?.broke?.offset ?? this.base,
      legacyTorch: this.legacyTorch,
      ...(this.stopped?.limit ? { limitReached: this.stopped.limit } : {}),
      ...(this.stopped?.broke ? { broke: this.stopped.broke } : {}),
    };
  }

  private addGlobal(g: string): void {
    if (this.seen.has(g)) return;
    if (this.globals.length >= MAX_GLOBALS) throw new Stop('limit', `more than ${MAX_GLOBALS} distinct globals`);
    this.seen.add(g);
    this.globals.push(g);
  }

  private str(s: string): Slot {
    this.heldChars += s.length;
    return this.heldChars > MAX_HELD_CHARS ? OTHER : { str: s };
  }

  private nameSlot(bytes: Uint8Array, decode: (b: Uint8Array) => string): Slot {
    return bytes.length > MAX_NAME_BYTES ? OTHER : this.str(decode(bytes));
  }

  private run(final: boolean): void {
    const buf = this.pending;
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let pos = 0;
    try {
      while (pos < buf.length && !this.done) {
        const at = this.base + pos;
        if (this.opcodes >= this.maxOpcodes) throw new Stop('limit', `opcode limit of ${this.maxOpcodes} reached at offset ${at}`);
        if (at >= this.maxBytes) throw new Stop('limit', `byte limit of ${this.maxBytes} reached at offset ${at}`);
        if ((this.opcodes & 0xffff) === 0 && performance.now() > this.deadline) throw new Stop('limit', `time limit reached at offset ${at}`);
        const decoded = decodeOp(buf, pos, view);
        if (!decoded.ok) {
          if (decoded.kind === 'truncated' && decoded.need !== undefined && decoded.need - (buf.length - pos) > MAX_NAME_BYTES) {
            // A long bytes argument: its value never names anything, so skip it instead of holding it.
            this.opcodes++;
            this.state.ops++;
            this.simpleValue(decoded.name!);
            this.skipLeft = pos + decoded.need - buf.length;
            pos = buf.length;
            break;
          }
          if (decoded.kind === 'truncated' && !final) {
            this.newlinesLacking = decoded.newlinesLacking ?? 0;
            this.bytesLacking = decoded.need ?? 0;
            break;
          }
          const atPickleStart = this.state.ops === 0 && this.completePickles > 0;
          throw new Stop('break', decoded.message.replace(/offset \d+/, `offset ${at}`), false, atPickleStart);
        }
        const op = decoded;
        this.opcodes++;
        this.state.ops++;
        pos = op.next;
        if (op.name === 'STOP') {
          this.state.drop(1, 'STOP', at);
          if (this.completePickles === 0 && this.state.sawTorchMagic && this.state.ops === 3) this.legacyTorch = true;
          this.completePickles++;
          this.state = new MachineState();
          continue;
        }
        this.step(op, at, buf);
      }
    } catch (err) {
      if (!(err instanceof Stop)) throw err;
      const at = this.base + pos;
      if (err.kind === 'limit') this.stopped = { limit: err.message };
      else {
        const brokeAt = /offset (\d+)/.exec(err.message);
        this.stopped = {
          broke: {
            offset: brokeAt ? Number(brokeAt[1]) : at,
            message: err.message,
            atPickleStart: err.atPickleStart,
            ...(err.refused ? { refused: true } : {}),
          },
        };
      }
      this.pending = EMPTY;
      return;
    }
    this.base += pos;
    this.pending = pos >= buf.length ? EMPTY : buf.subarray(pos);
    if (!final && this.pending.length > 0 && this.pending.length > this.maxBytes) {
      this.stopped = { limit: `a text argument at offset ${this.base} runs past the byte limit of ${this.maxBytes}` };
    }
  }

  /** A value-pushing opcode whose payload was skipped. */
  private simpleValue(name: string): void {
    this.state.push(OTHER);
    if (!PUSH_OTHER.has(name) && !['BINSTRING', 'BINUNICODE', 'BINUNICODE8'].includes(name)) {
      throw new Stop('break', `unexpected skipped opcode ${name}`);
    }
  }

  private refuse(name: string, at: number, what: string): never {
    throw new Stop('break', `${name} at offset ${at}: ${what} (CPython refuses it)`, true);
  }

  private memoKey(op: DecodedOp, at: number): number {
    if (op.name !== 'GET' && op.name !== 'PUT') return op.num!;
    const text = latin1(op.line!);
    const key = pythonInt(text, 10);
    if (key === undefined) this.refuse(op.name, at, `memo key ${JSON.stringify(text.slice(0, 40))} is not an int`);
    if (key! < 0n) this.refuse(op.name, at, 'negative memo key');
    return key! > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(key!);
  }

  private step(op: DecodedOp, at: number, buf: Buffer): void {
    const { name } = op;
    const s = this.state;
    if (name === 'LONG1' && s.ops === 2 && op.bytes!.length === TORCH_LEGACY_MAGIC.length && TORCH_LEGACY_MAGIC.every((b, i) => op.bytes![i] === b)) {
      s.sawTorchMagic = true;
    }
    const move = MOVE[op.code]!;
    if (move === PUSH) return s.push(OTHER);
    if (move === MARK_PUSH) {
      if (name === 'INST') this.addGlobal(this.lineGlobal(op, at, buf));
      s.popMark(name, at);
      return s.push(OTHER);
    }
    if (move === MARK_ONLY) return s.popMark(name, at);
    if (move === POP_PUSH) {
      if (name === 'STACK_GLOBAL') {
        const module = s.peek(1);
        const attr = s.peek(0);
        this.addGlobal(module && attr && 'str' in module && 'str' in attr ? `${module.str}.${attr.str}` : UNRESOLVED_GLOBAL);
      }
      s.drop(MOVE_COUNT[op.code]!, name, at);
      return s.push(OTHER);
    }
    if (move === POP_ONLY) {
      // CPython's POP with nothing above the innermost MARK pops the MARK instead.
      if (name === 'POP' && s.peek(0) === undefined && s.marks.length > 0) return s.popMark(name, at);
      return s.drop(MOVE_COUNT[op.code]!, name, at);
    }
    switch (name) {
      case 'MARK':
        s.marks.push(s.stack.length);
        return;
      case 'DUP': {
        const top = s.peek(0);
        if (top === undefined) throw new Stop('break', `unpickling stack underflow: DUP at offset ${at}`);
        return s.push(top);
      }
      case 'GLOBAL':
        this.addGlobal(this.lineGlobal(op, at, buf));
        return s.push(OTHER);
      case 'INT':
        if (pickleIntArg(latin1(op.line!)) === undefined) this.refuse(name, at, 'invalid INT literal');
        return s.push(OTHER);
      case 'LONG':
        if (pickleLongArg(latin1(op.line!)) === undefined) this.refuse(name, at, 'invalid LONG literal');
        return s.push(OTHER);
      case 'FLOAT':
        if (!isFloatArgument(buf, op.argStart, op.argEnd)) this.refuse(name, at, 'invalid FLOAT literal');
        return s.push(OTHER);
      case 'PERSID':
        return s.push(OTHER);
      case 'STRING': {
        // load_string: strip the line, demand matching quotes, decode the escapes, then the loader's encoding.
        const end = endWithoutTrailingSpace(buf, op.argStart, op.argEnd);
        const q = buf[op.argStart];
        if (end - op.argStart < 2 || (q !== 0x27 && q !== 0x22) || buf[end - 1] !== q) this.refuse(name, at, 'the STRING argument must be quoted');
        const [from, to] = [op.argStart + 1, end - 1];
        if (to - from > MAX_ESCAPED_NAME_STRING) {
          if (!isValidBytesEscape(buf, from, to)) this.refuse(name, at, 'invalid escape in STRING');
          return s.push(OTHER);
        }
        const bytes = decodeBytesEscape(buf.toString('latin1', from, to));
        if (!bytes) this.refuse(name, at, 'invalid escape in STRING');
        return s.push(bytes!.length > MAX_NAME_BYTES ? OTHER : this.str(py2Text(bytes!)));
      }
      case 'UNICODE': {
        if (op.argEnd - op.argStart > MAX_ESCAPED_NAME_UNICODE) {
          if (!isValidRawUnicodeEscape(buf, op.argStart, op.argEnd)) this.refuse(name, at, 'invalid raw-unicode-escape in UNICODE');
          return s.push(OTHER);
        }
        const text = decodeRawUnicodeEscape(buf.toString('latin1', op.argStart, op.argEnd));
        if (text === undefined) this.refuse(name, at, 'invalid raw-unicode-escape in UNICODE');
        return s.push(text!.length > MAX_NAME_BYTES ? OTHER : this.str(text!));
      }
      case 'BINSTRING':
      case 'SHORT_BINSTRING':
        return s.push(this.nameSlot(op.bytes!, py2Text));
      case 'BINUNICODE':
      case 'SHORT_BINUNICODE':
      case 'BINUNICODE8':
        return s.push(op.num! > MAX_NAME_BYTES ? OTHER : this.str(utf8At(buf, op.argStart, op.argEnd)));
      case 'EXT1':
      case 'EXT2':
      case 'EXT4':
        // The copyreg extension registry maps a code to a global we cannot see from the file.
        this.addGlobal(UNRESOLVED_GLOBAL);
        return s.push(OTHER);
      case 'GET':
      case 'BINGET':
      case 'LONG_BINGET': {
        const slot = s.memo.get(this.memoKey(op, at));
        if (slot === undefined) throw new Stop('break', `memo value not found: ${name} at offset ${at}`);
        return s.push(slot);
      }
      case 'PUT':
      case 'BINPUT':
      case 'LONG_BINPUT':
      case 'MEMOIZE': {
        const key = name === 'MEMOIZE' ? s.memo.size : this.memoKey(op, at);
        const top = s.peek(0);
        if (top === undefined) throw new Stop('break', `unpickling stack underflow: ${name} at offset ${at}`);
        if (s.memo.size >= MAX_MEMO && !s.memo.has(key)) throw new Stop('limit', `the modelled memo passed ${MAX_MEMO} entries`);
        s.memo.set(key, top);
        return;
      }
      case 'PROTO':
        if (op.num! > 5) throw new Stop('break', `unsupported pickle protocol ${op.num} at offset ${at}`);
        s.proto = op.num!;
        return;
      case 'FRAME':
        return; // a length hint only; the framed bytes are ordinary opcodes
      default:
        throw new Stop('break', `unhandled opcode ${name} at offset ${at}`);
    }
  }

  /**
   * GLOBAL/INST: module and name lines, UTF-8 as CPython decodes them strictly. A state dict names the same few
   * callables thousands of times, so the last names are kept by their bytes: a repeat is a byte comparison, not a
   * decode and a concatenation.
   */
  private lineGlobal(op: DecodedOp, at: number, buf: Buffer): string {
    const start = op.argStart;
    const end = op.arg2End;
    for (const known of this.recentGlobals) {
      if (sameBytes(known.bytes, buf, start, end)) return known.global;
    }
    const module = strictUtf8At(buf, start, op.argEnd);
    const attr = strictUtf8At(buf, op.arg2Start, end);
    if (module === undefined || attr === undefined) this.refuse(op.name, at, 'module or name is not UTF-8');
    const global = `${module}.${attr}`;
    // module and name with the newline between them: the same bytes are the same pair
    if (end - start <= MAX_NAME_BYTES) {
      if (this.recentGlobals.length >= RECENT_GLOBALS) this.recentGlobals.shift();
      this.recentGlobals.push({ bytes: Buffer.from(buf.subarray(start, end)), global });
    }
    return global;
  }
}

/** `a` equals [start, end) of `b` (a loop: Buffer.compare's argument checks cost more than a name's bytes). */
function sameBytes(a: Uint8Array, b: Uint8Array, start: number, end: number): boolean {
  if (a.length !== end - start) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[start + i]) return false;
  return true;
}

/** Walks a whole in-memory stream. Never throws on bad input. */
export function scanPickle(buf: Uint8Array, options: PickleScanOptions = {}): PickleScanResult {
  const w = new PickleWalker(options);
  w.push(buf);
  return w.end();
}
