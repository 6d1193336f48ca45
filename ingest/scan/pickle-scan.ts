/**
 * A pickle disassembler that lists the globals a pickle would import, without unpickling anything.
 *
 * A pickle runs code by importing a callable (GLOBAL, INST, STACK_GLOBAL) and calling it (REDUCE, INST, OBJ,
 * NEWOBJ, BUILD). Every call needs an import first, so the set of imported globals is what decides whether loading
 * a file can do harm. GLOBAL and INST carry the names inline; STACK_GLOBAL takes them from the stack, where they
 * may have arrived from the memo (BINPUT/BINGET/MEMOIZE …). So we model the stack and the memo — but only as
 * "a known string" or "something else", which is all STACK_GLOBAL resolution needs.
 *
 * Bounds: at most `maxOpcodes` opcodes; every argument is a view into the input (decodeOp checks lengths before
 * slicing); the modelled stack and memo grow by at most one slot per opcode.
 */
import { decodeOp, decodeUtf8, type DecodedOp } from './pickle-opcodes.ts';

export interface PickleScanOptions {
  /** Stop after this many opcodes (an error is recorded). Default 10,000,000. */
  maxOpcodes?: number;
}

export interface PickleScanResult {
  /** "module.name" for every global the pickle(s) import, unique, in first-seen order. */
  globals: string[];
  /** Why the walk stopped early or what looked wrong; empty for a clean, complete pickle. */
  errors: string[];
  /** Pickles that reached STOP. Errors after at least one complete pickle usually mean trailing non-pickle data. */
  completePickles: number;
  opcodes: number;
  /** The walk stopped at `maxOpcodes`: whatever follows was not looked at. */
  limitReached: boolean;
}

export const DEFAULT_MAX_OPCODES = 10_000_000;

/** What STACK_GLOBAL resolves when its operands are not both known strings (picklescan's convention). */
export const UNRESOLVED_GLOBAL = 'unknown.unknown';

/** Errors beyond this many add nothing for a reader and only cost memory. */
const MAX_ERRORS = 50;

/** A modelled stack slot: a string whose value we know, or anything else. */
type Slot = { str: string } | typeof OTHER;
const OTHER = Object.freeze({ other: true as const });

/** Opcodes that push one value and pop nothing (their exact value never matters for resolution). */
const PUSH_OTHER = new Set([
  'INT', 'BININT', 'BININT1', 'BININT2', 'LONG', 'LONG1', 'LONG4', 'FLOAT', 'BINFLOAT', 'NONE', 'NEWTRUE',
  'NEWFALSE', 'BINBYTES', 'SHORT_BINBYTES', 'BINBYTES8', 'BYTEARRAY8', 'EMPTY_DICT', 'EMPTY_LIST', 'EMPTY_TUPLE',
  'EMPTY_SET', 'PERSID', 'NEXT_BUFFER',
]);
/** Opcodes that pop back to the last MARK and push one value. */
const MARK_TO_ONE = new Set(['TUPLE', 'LIST', 'DICT', 'FROZENSET', 'OBJ', 'INST']);
/** Opcodes that pop back to the last MARK and push nothing. */
const MARK_TO_NONE = new Set(['APPENDS', 'SETITEMS', 'ADDITEMS', 'POP_MARK']);
/** Opcodes that pop n values and push one. */
const POP_N_PUSH_ONE: Readonly<Record<string, number>> = {
  TUPLE1: 1, TUPLE2: 2, TUPLE3: 3, REDUCE: 2, NEWOBJ: 2, NEWOBJ_EX: 3, BINPERSID: 1, STACK_GLOBAL: 2,
  READONLY_BUFFER: 1,
};
/** Opcodes that pop n values and push nothing. */
const POP_N: Readonly<Record<string, number>> = { POP: 1, APPEND: 1, SETITEM: 2, BUILD: 1 };

/** Unquotes a protocol-0 STRING argument (a Python bytes repr); undefined when we cannot be sure of its value. */
function unquoteStringArg(text: string): string | undefined {
  const q = text[0];
  if (text.length < 2 || (q !== "'" && q !== '"') || text[text.length - 1] !== q) return undefined;
  return decodeEscapes(text.slice(1, -1), false);
}

/** Decodes a protocol-0 UNICODE argument (raw-unicode-escape: only \uXXXX and \UXXXXXXXX are escapes). */
function decodeRawUnicodeEscape(text: string): string | undefined {
  return decodeEscapes(text, true);
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\', "'": "'", '"': '"', n: '\n', r: '\r', t: '\t' };

/**
 * Decodes the escapes a name could plausibly use. An escape we do not model gives undefined: for STACK_GLOBAL an
 * unknown operand ("unknown.unknown", dangerous) is safer than a wrongly decoded name.
 */
function decodeEscapes(text: string, rawUnicode: boolean): string | undefined {
  if (!text.includes('\\')) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = text[i + 1] ?? '';
    const width = e === 'x' && !rawUnicode ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (width > 0) {
      const digits = text.slice(i + 2, i + 2 + width);
      const cp = /^[0-9a-fA-F]+$/.test(digits) && digits.length === width ? Number.parseInt(digits, 16) : NaN;
      if (!(cp <= 0x10ffff)) return undefined;
      out += String.fromCodePoint(cp);
      i += 1 + width;
    } else if (rawUnicode) {
      out += c; // raw-unicode-escape keeps other backslashes as they are
    } else if (SIMPLE_ESCAPES[e] !== undefined) {
      out += SIMPLE_ESCAPES[e];
      i += 1;
    } else {
      return undefined;
    }
  }
  return out;
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

/** The per-pickle machine state: a new pickle after STOP starts with an empty stack and memo, as in CPython. */
class MachineState {
  stack: Slot[] = [];
  /** Stack lengths at each open MARK. */
  marks: number[] = [];
  memo = new Map<number, Slot>();

  push(slot: Slot): void {
    this.stack.push(slot);
  }

  /** Slots above the innermost MARK (what an opcode may pop). */
  private available(): number {
    const floor = this.marks.length > 0 ? this.marks[this.marks.length - 1]! : 0;
    return this.stack.length - floor;
  }

  /** The slot `depth` below the top, if it is above the innermost MARK. */
  peek(depth: number): Slot | undefined {
    return depth < this.available() ? this.stack[this.stack.length - 1 - depth] : undefined;
  }

  /** Drops n slots; false when fewer were there (stack underflow). */
  drop(n: number): boolean {
    const take = Math.min(n, Math.max(0, this.available()));
    this.stack.length -= take;
    return take === n;
  }

  popMark(): boolean {
    const mark = this.marks.pop();
    if (mark === undefined) return false;
    this.stack.length = Math.min(this.stack.length, mark);
    return true;
  }

  top(): Slot | undefined {
    return this.stack[this.stack.length - 1];
  }
}

/**
 * Strings longer than this are data (a vocabulary, a config blob), not a module or attribute name; keeping them
 * unknown saves decoding megabytes, and should one reach STACK_GLOBAL it resolves to unknown.unknown (dangerous).
 */
const MAX_NAME_BYTES = 1024;

function nameSlot(bytes: Uint8Array | undefined, decode: (b: Uint8Array) => string): Slot {
  if (bytes === undefined || bytes.length > MAX_NAME_BYTES) return OTHER;
  return { str: decode(bytes) };
}

function asString(slot: Slot | undefined): string | undefined {
  return slot !== undefined && 'str' in slot ? slot.str : undefined;
}

/**
 * Walks every opcode of every pickle in `buf` (pickles may be concatenated: reading goes on after STOP while bytes
 * remain) and lists the globals they import. Never throws on bad input; problems land in `errors`.
 */
export function scanPickle(buf: Uint8Array, options: PickleScanOptions = {}): PickleScanResult {
  const maxOpcodes = options.maxOpcodes ?? DEFAULT_MAX_OPCODES;
  const globals: string[] = [];
  const seen = new Set<string>();
  const errors: string[] = [];
  let completePickles = 0;
  let opcodes = 0;
  let opsInCurrentPickle = 0;
  let stoppedEarly = false;
  let limitReached = false;
  let state = new MachineState();
  let pos = 0;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);

  const addGlobal = (g: string) => {
    if (seen.has(g)) return;
    seen.add(g);
    globals.push(g);
  };
  const addError = (e: string) => {
    if (errors.length < MAX_ERRORS) errors.push(e);
  };

  const step = (op: DecodedOp): void => {
    const { name } = op;
    if (PUSH_OTHER.has(name)) return state.push(OTHER);
    if (MARK_TO_ONE.has(name)) {
      if (name === 'INST') addGlobal(`${op.text}.${op.text2}`);
      if (!state.popMark()) addError(`no MARK for ${name} at offset ${op.offset}`);
      return state.push(OTHER);
    }
    if (MARK_TO_NONE.has(name)) {
      if (!state.popMark()) addError(`no MARK for ${name} at offset ${op.offset}`);
      return;
    }
    const popPush = POP_N_PUSH_ONE[name];
    if (popPush !== undefined) {
      if (name === 'STACK_GLOBAL') {
        const module = asString(state.peek(1));
        const attr = asString(state.peek(0));
        addGlobal(module !== undefined && attr !== undefined ? `${module}.${attr}` : UNRESOLVED_GLOBAL);
      }
      if (!state.drop(popPush)) addError(`stack underflow: ${name} at offset ${op.offset}`);
      return state.push(OTHER);
    }
    const popOnly = POP_N[name];
    if (popOnly !== undefined) {
      // CPython's POP on an empty frame pops the MARK instead.
      if (name === 'POP' && state.peek(0) === undefined && state.popMark()) return;
      if (!state.drop(popOnly)) addError(`stack underflow: ${name} at offset ${op.offset}`);
      return;
    }
    switch (name) {
      case 'MARK':
        state.marks.push(state.stack.length);
        return;
      case 'DUP': {
        const top = state.top();
        if (top === undefined) addError(`stack underflow: DUP at offset ${op.offset}`);
        return state.push(top ?? OTHER);
      }
      case 'GLOBAL':
        addGlobal(`${op.text}.${op.text2}`);
        return state.push(OTHER);
      case 'STRING': {
        const s = unquoteStringArg(op.text ?? '');
        return state.push(s === undefined ? OTHER : { str: s });
      }
      case 'UNICODE': {
        const s = decodeRawUnicodeEscape(op.text ?? '');
        return state.push(s === undefined ? OTHER : { str: s });
      }
      case 'BINSTRING':
      case 'SHORT_BINSTRING':
        // Python 3 decodes protocol-0/1 byte strings to str (encoding="ASCII" by default), so they can name globals.
        return state.push(nameSlot(op.bytes, latin1));
      case 'BINUNICODE':
      case 'SHORT_BINUNICODE':
      case 'BINUNICODE8':
        return state.push(nameSlot(op.bytes, decodeUtf8));
      case 'EXT1':
      case 'EXT2':
      case 'EXT4':
        // The copyreg extension registry maps a code to a global we cannot see from the file.
        addGlobal(UNRESOLVED_GLOBAL);
        return state.push(OTHER);
      case 'GET':
      case 'BINGET':
      case 'LONG_BINGET': {
        const key = name === 'GET' ? Number.parseInt(op.text ?? '', 10) : op.num!;
        const slot = state.memo.get(key);
        if (slot === undefined) addError(`memo key ${String(op.text ?? op.num)} not found: ${name} at offset ${op.offset}`);
        return state.push(slot ?? OTHER);
      }
      case 'PUT':
      case 'BINPUT':
      case 'LONG_BINPUT':
      case 'MEMOIZE': {
        const key =
          name === 'MEMOIZE' ? state.memo.size : name === 'PUT' ? Number.parseInt(op.text ?? '', 10) : op.num!;
        const top = state.top();
        if (top === undefined) addError(`stack underflow: ${name} at offset ${op.offset}`);
        if (Number.isFinite(key)) state.memo.set(key, top ?? OTHER);
        else addError(`bad memo key for ${name} at offset ${op.offset}`);
        return;
      }
      case 'PROTO':
        if ((op.num ?? 0) > 5) addError(`unsupported pickle protocol ${op.num} at offset ${op.offset}`);
        return;
      case 'FRAME':
        return; // a length hint only; the framed bytes are ordinary opcodes
      default:
        addError(`unhandled opcode ${name} at offset ${op.offset}`);
    }
  };

  while (pos < buf.length) {
    if (opcodes >= maxOpcodes) {
      addError(`opcode limit of ${maxOpcodes} reached at offset ${pos}; the rest was not scanned`);
      stoppedEarly = true;
      limitReached = true;
      break;
    }
    const decoded = decodeOp(buf, pos, view);
    if (!decoded.ok) {
      addError(decoded.message);
      stoppedEarly = true;
      break;
    }
    const op = decoded.op;
    opcodes++;
    opsInCurrentPickle++;
    pos = op.next;
    if (op.name === 'STOP') {
      completePickles++;
      opsInCurrentPickle = 0;
      state = new MachineState();
      continue;
    }
    step(op);
  }
  if (opsInCurrentPickle > 0 && !stoppedEarly) addError('truncated: the data ends before STOP');
  return { globals, errors, completePickles, opcodes, limitReached };
}
