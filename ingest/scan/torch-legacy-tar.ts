/**
 * The `storages` and `tensors` members of the oldest torch.save layout (a tar), read the way torch's legacy loader
 * (`torch.serialization._legacy_load`, its inner `legacy_load`) reads them: pickles and raw bytes in turn, each
 * pickle loaded by a plain `pickle.load` on the member's file, which stops right after STOP.
 *
 * - `storages`: a pickle holding the count; per storage a pickle `(key, location, storage type)`, then the raw
 *   storage (`_new_with_file`: an int64 little-endian element count, then count × the type's element size); then
 *   one pickle, the storage views.
 * - `tensors`: a pickle holding the count; per tensor a pickle `(key, storage key, tensor type)`, then ndim
 *   (int32 and 4 unused bytes), ndim int64 sizes, ndim int64 strides and an int64 storage offset.
 *
 * Replaying that layout reaches every pickle torch unpickles there, wherever raw bytes put it. Where the layout
 * cannot be followed (a count that is not a plain int, a storage type whose element size is not known, sizes past
 * the member), what follows is reported as not followed, so the caller never calls it safe.
 */
import { decodeOp, latin1, type DecodedOp } from './pickle-opcodes.ts';
import { PickleWalker, type PickleBreak, type PickleScanResult } from './pickle-scan.ts';
import { pickleIntArg, pickleLongArg } from './python-literals.ts';
import { BudgetError, type ByteSource } from './source.ts';

/** The members legacy_load reads as pickles interleaved with raw bytes (the `pickle` member is one plain pickle). */
export const LEGACY_TORCH_MEMBERS: ReadonlySet<string> = new Set(['storages', 'tensors']);

/** Element sizes of the storage classes legacy_load accepts (`torch.X` and the CUDA `torch.cuda.X`), by class name. */
const ELEMENT_SIZES: ReadonlyMap<string, number> = new Map(Object.entries({
  DoubleStorage: 8, FloatStorage: 4, HalfStorage: 2, BFloat16Storage: 2, LongStorage: 8, IntStorage: 4,
  ShortStorage: 2, CharStorage: 1, ByteStorage: 1, BoolStorage: 1, ComplexDoubleStorage: 16,
  ComplexFloatStorage: 8, QInt8Storage: 1, QUInt8Storage: 1, QInt32Storage: 4, QUInt4x2Storage: 1, QUInt2x4Storage: 1,
}));
const STORAGE_MODULES = new Set(['torch', 'torch.cuda']);

/** Pieces a pickle is read in: most descriptions are tens of bytes and the raw bytes after them are never read. */
const FIRST_PIECE = 256;
const MAX_PIECE = 1024 * 1024;

export interface LegacyMemberReplay {
  /** The member's pickles as one walk: every global in first-seen order, the break or limit that stopped it. */
  result: PickleScanResult;
  /** The scan budget ran out (a `limit:` note). */
  note?: string;
  /** Why the layout could not be followed from some point on: nothing after it was walked. */
  unfollowed?: { kind: 'error' | 'unsupported'; message: string };
  /** What the replay read, for the verdict's reason. */
  summary: string;
  /**
   * Not even the count pickle is complete: torch's loader fails on the member before anything else, and the member
   * is better read for what it is (text, a compressed file, a broken pickle).
   */
  notPickle: boolean;
}

class NotFollowed extends Error {
  constructor(readonly kind: 'error' | 'unsupported', message: string) {
    super(message);
  }
}

/** One member's replay: the pickles walked so far and where the next byte is. */
class Replay {
  pos = 0;
  private readonly globals: string[] = [];
  private readonly seen = new Set<string>();
  private completePickles = 0;
  private opcodes = 0;
  private stop?: { broke?: PickleBreak; limit?: string };
  /** The last bytes read, kept so that small fields after a pickle cost no second read. */
  private window: { at: number; bytes: Uint8Array } = { at: 0, bytes: new Uint8Array(0) };

  constructor(
    private readonly src: ByteSource,
    private readonly options: { maxOpcodes?: number; deadline: number },
  ) {}

  /** [at, at + n) of the member, from the last read when it holds them. */
  async bytes(at: number, n: number, what: string): Promise<Uint8Array> {
    const w = this.window;
    if (at >= w.at && at + n <= w.at + w.bytes.length) return w.bytes.subarray(at - w.at, at - w.at + n);
    if (at + n > this.src.size) throw new NotFollowed('error', `${what} at offset ${at} runs past the end of the ${this.src.size}-byte member (torch.load fails there)`);
    const bytes = await this.src.read(at, Math.max(n, Math.min(FIRST_PIECE, this.src.size - at)), what);
    this.window = { at, bytes };
    return bytes.subarray(0, n);
  }

  /**
   * Walks the one pickle at `pos` and moves past it; its result, or undefined when it broke or hit a limit (the
   * replay ends there: the loader stops at a break, and after a limit nothing is known).
   */
  async pickle(what: string): Promise<PickleScanResult | undefined> {
    if (this.pos >= this.src.size) throw new NotFollowed('error', `the member ends before ${what} (torch.load fails there)`);
    const walker = new PickleWalker({ ...this.options, maxPickles: 1, startOffset: this.pos });
    let at = this.pos;
    for (let piece = FIRST_PIECE; !walker.done && at < this.src.size; piece = Math.min(2 * piece, MAX_PIECE)) {
      if (walker.skipping > 0) {
        const k = Math.min(walker.skipping, this.src.size - at);
        walker.skip(k);
        at += k;
        continue;
      }
      const chunk = await this.bytes(at, Math.min(piece, this.src.size - at), what);
      walker.push(chunk);
      at += chunk.length;
    }
    const r = walker.end();
    for (const g of r.globals) {
      if (!this.seen.has(g)) this.globals.push(g);
      this.seen.add(g);
    }
    this.completePickles += r.completePickles;
    this.opcodes += r.opcodes;
    if (r.broke || r.limitReached) {
      this.stop = { ...(r.broke ? { broke: r.broke } : {}), ...(r.limitReached ? { limit: r.limitReached } : {}) };
      return undefined;
    }
    this.pos = r.consumed;
    return r;
  }

  /** The count pickle at `pos`: the int it holds, past it. */
  async count(what: string): Promise<bigint | undefined> {
    const start = this.pos;
    const r = await this.pickle(what);
    if (!r) return undefined;
    const n = this.pos - start <= FIRST_PIECE ? pickledInt(await this.bytes(start, this.pos - start, what)) : undefined;
    if (n === undefined) throw new NotFollowed('error', `${what} at offset ${start} is not a plain int pickle (torch's range() needs an int)`);
    return n;
  }

  /** A little-endian signed integer of `width` bytes at `pos`, past it. */
  async int(width: 4 | 8, what: string): Promise<bigint> {
    const b = await this.bytes(this.pos, width, what);
    const v = new DataView(b.buffer, b.byteOffset, width);
    this.pos += width;
    return width === 4 ? BigInt(v.getInt32(0, true)) : v.getBigInt64(0, true);
  }

  /** Moves past `n` raw bytes that must lie inside the member. */
  skip(n: bigint, what: string): void {
    if (BigInt(this.pos) + n > BigInt(this.src.size)) throw new NotFollowed('error', `${what} (${n} bytes at offset ${this.pos}) run past the end of the ${this.src.size}-byte member (torch.load fails there)`);
    this.pos += Number(n);
  }

  result(): PickleScanResult {
    return {
      globals: this.globals,
      completePickles: this.completePickles,
      opcodes: this.opcodes,
      consumed: this.pos,
      legacyTorch: false,
      ...(this.stop?.limit ? { limitReached: this.stop.limit } : {}),
      ...(this.stop?.broke ? { broke: this.stop.broke } : {}),
    };
  }
}

/**
 * The element size of the storage class a description imports. Only a description importing exactly one global, a
 * known storage class, is followed: with a second global (even an allowlisted dtype) the pickle could have changed
 * what the class's `_dtype` says.
 */
function elementSize(globals: readonly string[], which: string): number {
  if (globals.length === 0) throw new NotFollowed('error', `${which}'s description names no storage type (torch.load fails there)`);
  if (globals.length > 1) throw new NotFollowed('unsupported', `${which}'s description imports ${globals.length} globals, so which storage type sizes its raw bytes is not known`);
  const [type] = globals as [string];
  const dot = type.lastIndexOf('.');
  const size = STORAGE_MODULES.has(type.slice(0, dot)) ? ELEMENT_SIZES.get(type.slice(dot + 1)) : undefined;
  if (size === undefined) throw new NotFollowed('unsupported', `${which}'s storage type ${type} has no element size this scanner knows, so where its raw bytes end is not known`);
  return size;
}

/** The `storages` member; what it read, or '' when a pickle broke or hit a limit (the replay's result says which). */
async function replayStorages(r: Replay): Promise<string> {
  const count = await r.count('the storage count');
  if (count === undefined) return '';
  for (let i = 1n; i <= count; i++) {
    const which = `storage ${i} of ${count}`;
    const description = await r.pickle(`${which}'s description`);
    if (!description) return '';
    const size = elementSize(description.globals, which);
    const numel = await r.int(8, `${which}'s element count`);
    if (numel < 0n) throw new NotFollowed('error', `${which} has a negative element count (torch.load fails there)`);
    r.skip(numel * BigInt(size), `${which}'s ${numel} elements`);
  }
  if (!(await r.pickle('the storage views'))) return '';
  return `${count} storage(s) and their raw bytes, then the storage views`;
}

/** The `tensors` member, as `replayStorages`. */
async function replayTensors(r: Replay): Promise<string> {
  const count = await r.count('the tensor count');
  if (count === undefined) return '';
  for (let i = 1n; i <= count; i++) {
    const which = `tensor ${i} of ${count}`;
    if (!(await r.pickle(`${which}'s description`))) return '';
    const ndim = await r.int(4, `${which}'s ndim`);
    if (ndim < 0n) throw new NotFollowed('error', `${which} has a negative ndim (torch.load fails there)`);
    r.skip(4n + 16n * ndim + 8n, `${which}'s sizes, strides and offset`);
  }
  return `${count} tensor(s) and their sizes`;
}

/** Replays one legacy member (`storages` or `tensors`) of `src`. Throws only what reading `src` throws. */
export async function replayLegacyTorchMember(name: string, src: ByteSource, options: { maxOpcodes?: number; deadline: number }): Promise<LegacyMemberReplay> {
  const r = new Replay(src, options);
  let summary = '';
  let unfollowed: LegacyMemberReplay['unfollowed'];
  let note: string | undefined;
  try {
    summary = name === 'storages' ? await replayStorages(r) : await replayTensors(r);
    if (summary && r.pos < src.size) summary += `; the ${src.size - r.pos} bytes after them are never read by torch.load`;
  } catch (err) {
    if (err instanceof NotFollowed) unfollowed = { kind: err.kind, message: err.message };
    else if (err instanceof BudgetError) note = `limit: ${err.message}`;
    else throw err;
  }
  const result = r.result();
  return { result, ...(note ? { note } : {}), ...(unfollowed ? { unfollowed } : {}), summary: summary && `torch legacy ${name}: ${summary}`, notPickle: result.completePickles === 0 && !note };
}

/** The int a small pickle holds: one int opcode with PROTO, FRAME and memo opcodes around it; else undefined. */
function pickledInt(bytes: Uint8Array): bigint | undefined {
  let value: bigint | undefined;
  for (let pos = 0; pos < bytes.length; ) {
    const op = decodeOp(bytes, pos);
    if (!op.ok) return undefined;
    pos = op.next;
    if (op.name === 'STOP') return pos === bytes.length ? value : undefined;
    if (['PROTO', 'FRAME'].includes(op.name)) continue;
    if (['PUT', 'BINPUT', 'LONG_BINPUT', 'MEMOIZE'].includes(op.name) && value !== undefined) continue;
    if (value !== undefined) return undefined;
    value = intValue(op);
    if (value === undefined) return undefined;
  }
  return undefined;
}

function intValue(op: DecodedOp): bigint | undefined {
  switch (op.name) {
    case 'BININT':
    case 'BININT1':
    case 'BININT2':
      return BigInt(op.num!);
    case 'NEWTRUE':
      return 1n;
    case 'NEWFALSE':
      return 0n;
    case 'INT':
      return pickleIntArg(latin1(op.line!));
    case 'LONG':
      return pickleLongArg(latin1(op.line!));
    case 'LONG1':
    case 'LONG4':
      return littleEndianSigned(op.bytes!);
    default:
      return undefined;
  }
}

/** LONG1/LONG4's payload: a little-endian two's-complement integer (empty is 0). */
function littleEndianSigned(b: Uint8Array): bigint {
  let n = 0n;
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]!);
  return b.length > 0 && b[b.length - 1]! >= 0x80 ? n - (1n << BigInt(8 * b.length)) : n;
}
