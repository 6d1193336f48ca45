/**
 * Writers for real serialized files: pickles opcode by opcode, zips (stored or deflated, optionally ZIP64),
 * PyTorch-style zip checkpoints, safetensors and .npy files. The tests use them to make fixtures, and the bundled
 * offline demo uses them to make sample repos, so they live here rather than under test/.
 *
 * The "malicious" pickles carry harmless text as their payload; they are never unpickled by aispm, and the
 * payload only has to exist for the import to be visible.
 */
import { crc32, deflateRawSync } from 'node:zlib';

const enc = new TextEncoder();

/** The parts, one after another, in a new array. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Little-endian byte writer for headers. */
class Bytes {
  private parts: Uint8Array[] = [];
  u8(n: number): this {
    this.parts.push(Uint8Array.of(n & 0xff));
    return this;
  }
  u16(n: number): this {
    const b = new Uint8Array(2);
    new DataView(b.buffer).setUint16(0, n, true);
    this.parts.push(b);
    return this;
  }
  u32(n: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, n >>> 0, true);
    this.parts.push(b);
    return this;
  }
  u64(n: number): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
    this.parts.push(b);
    return this;
  }
  bytes(b: Uint8Array): this {
    this.parts.push(b);
    return this;
  }
  done(): Uint8Array {
    return concat(this.parts);
  }
}

const code = (c: string) => Uint8Array.of(c.charCodeAt(0));

/** One function per pickle opcode we need; each returns that opcode's bytes. */
export const op = {
  proto: (n: number) => Uint8Array.of(0x80, n),
  /** FRAME with the length of the bytes that follow it (protocol 4+). */
  frame: (length: number) => new Bytes().u8(0x95).u64(length).done(),
  global: (module: string, name: string) => concat([code('c'), enc.encode(`${module}\n${name}\n`)]),
  inst: (module: string, name: string) => concat([code('i'), enc.encode(`${module}\n${name}\n`)]),
  stackGlobal: () => Uint8Array.of(0x93),
  /** A str: SHORT_BINUNICODE when it fits in 255 bytes, else BINUNICODE. */
  unicode: (s: string) => {
    const b = enc.encode(s);
    return b.length <= 0xff ? concat([Uint8Array.of(0x8c, b.length), b]) : new Bytes().u8(0x58).u32(b.length).bytes(b).done();
  },
  /** BINUNICODE: a str in protocols 1–3 (SHORT_BINUNICODE needs protocol 4). */
  binunicode: (s: string) => {
    const b = enc.encode(s);
    return new Bytes().u8(0x58).u32(b.length).bytes(b).done();
  },
  /** Protocol 0 STRING with a plain quoted argument (no escapes needed for the texts we write). */
  string0: (s: string) => concat([code('S'), enc.encode(`'${s}'\n`)]),
  memoize: () => Uint8Array.of(0x94),
  binput: (i: number) => Uint8Array.of(0x71, i),
  binget: (i: number) => Uint8Array.of(0x68, i),
  binint1: (n: number) => Uint8Array.of(0x4b, n),
  mark: () => code('('),
  tuple: () => code('t'),
  tuple1: () => Uint8Array.of(0x85),
  tuple2: () => Uint8Array.of(0x86),
  emptyTuple: () => code(')'),
  emptyDict: () => code('}'),
  reduce: () => code('R'),
  setitem: () => code('s'),
  binpersid: () => code('Q'),
  newFalse: () => Uint8Array.of(0x89),
  pop: () => code('0'),
  stop: () => code('.'),
};

export function buildPickle(ops: readonly Uint8Array[]): Uint8Array {
  return concat(ops);
}

/**
 * A protocol-2 state dict shaped like torch.save's data.pkl: an OrderedDict of tensors rebuilt by
 * torch._utils._rebuild_tensor_v2 from persistent-id storages (torch.FloatStorage). Benign: only allowlisted globals.
 */
export function benignStateDictPickle(tensorNames: readonly string[] = ['weight']): Uint8Array {
  const ops: Uint8Array[] = [op.proto(2), op.global('collections', 'OrderedDict'), op.emptyTuple(), op.reduce()];
  tensorNames.forEach((name, i) => {
    ops.push(
      op.binunicode(name),
      op.global('torch._utils', '_rebuild_tensor_v2'),
      op.mark(),
      // persistent id ('storage', torch.FloatStorage, key, 'cpu', numel)
      op.mark(), op.binunicode('storage'), op.global('torch', 'FloatStorage'), op.binunicode(String(i)), op.binunicode('cpu'),
      op.binint1(4), op.tuple(), op.binpersid(),
      op.binint1(0), // storage offset
      op.binint1(2), op.binint1(2), op.tuple2(), // size
      op.binint1(2), op.binint1(1), op.tuple2(), // stride
      op.newFalse(), // requires_grad
      op.global('collections', 'OrderedDict'), op.emptyTuple(), op.reduce(), // backward hooks
      op.tuple(),
      op.reduce(),
      op.setitem(),
    );
  });
  ops.push(op.stop());
  return buildPickle(ops);
}

/**
 * Protocol 4 reaching os.system through STACK_GLOBAL whose operands come from the memo, not from the stack they
 * were first pushed on: the pattern that defeats scanners reading only GLOBAL.
 */
export function maliciousPickleStackGlobal(command: string): Uint8Array {
  const body = buildPickle([
    op.unicode('os'), op.memoize(), op.pop(),
    op.unicode('system'), op.memoize(), op.pop(),
    op.binget(0), op.binget(1), op.stackGlobal(), op.memoize(),
    op.unicode(command), op.memoize(), op.tuple1(), op.memoize(),
    op.reduce(), op.memoize(),
    op.stop(),
  ]);
  return buildPickle([op.proto(4), op.frame(body.length), body]);
}

/** Protocol 0: GLOBAL 'builtins exec' called with a string of Python source. */
export function maliciousPickleGlobal(source = "print('aispm demo payload')"): Uint8Array {
  return buildPickle([op.global('builtins', 'exec'), op.mark(), op.string0(source), op.tuple(), op.reduce(), op.stop()]);
}

export interface ZipEntryInput {
  name: string;
  data: Uint8Array;
  /** 0 stored (default, what PyTorch writes) or 8 deflate. */
  method?: 0 | 8;
}

/** A real zip archive. `zip64` writes ZIP64 records and per-entry ZIP64 extra fields even where not needed. */
export function buildZip(entries: readonly ZipEntryInput[], opts: { zip64?: boolean } = {}): Uint8Array {
  const zip64 = opts.zip64 ?? false;
  const DOS_DATE_1980_01_01 = (1 << 5) | 1;
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const method = e.method ?? 0;
    const name = enc.encode(e.name);
    const stored = method === 8 ? deflateRawSync(e.data) : e.data;
    const crc = crc32(e.data) >>> 0;
    const version = zip64 ? 45 : 20;
    const size32 = (n: number) => (zip64 ? 0xffffffff : n);
    const localExtra = zip64 ? new Bytes().u16(0x0001).u16(16).u64(e.data.length).u64(stored.length).done() : new Uint8Array();
    const local = new Bytes()
      .u32(0x04034b50).u16(version).u16(0x0800).u16(method).u16(0).u16(DOS_DATE_1980_01_01)
      .u32(crc).u32(size32(stored.length)).u32(size32(e.data.length)).u16(name.length).u16(localExtra.length)
      .bytes(name).bytes(localExtra)
      .done();
    const centralExtra = zip64
      ? new Bytes().u16(0x0001).u16(24).u64(e.data.length).u64(stored.length).u64(offset).done()
      : new Uint8Array();
    central.push(
      new Bytes()
        .u32(0x02014b50).u16(version).u16(version).u16(0x0800).u16(method).u16(0).u16(DOS_DATE_1980_01_01)
        .u32(crc).u32(size32(stored.length)).u32(size32(e.data.length)).u16(name.length).u16(centralExtra.length)
        .u16(0).u16(0).u16(0).u32(0).u32(size32(offset))
        .bytes(name).bytes(centralExtra)
        .done(),
    );
    parts.push(local, stored);
    offset += local.length + stored.length;
  }
  const cd = concat(central);
  const cdOffset = offset;
  parts.push(cd);
  if (zip64) {
    const eocd64Offset = cdOffset + cd.length;
    parts.push(
      new Bytes()
        .u32(0x06064b50).u64(44).u16(45).u16(45).u32(0).u32(0)
        .u64(entries.length).u64(entries.length).u64(cd.length).u64(cdOffset)
        .done(),
      new Bytes().u32(0x07064b50).u32(0).u64(eocd64Offset).u32(1).done(),
      new Bytes().u32(0x06054b50).u16(0).u16(0).u16(0xffff).u16(0xffff).u32(0xffffffff).u32(0xffffffff).u16(0).done(),
    );
  } else {
    parts.push(
      new Bytes().u32(0x06054b50).u16(0).u16(0).u16(entries.length).u16(entries.length).u32(cd.length).u32(cdOffset).u16(0).done(),
    );
  }
  return concat(parts);
}

/** A zip whose entries are all stored (method 0), as PyTorch writes them. */
export function buildStoredZip(entries: ReadonlyArray<{ name: string; data: Uint8Array }>, opts: { zip64?: boolean } = {}): Uint8Array {
  return buildZip(entries.map((e) => ({ ...e, method: 0 as const })), opts);
}

/**
 * A torch.save-style checkpoint: `archive/data.pkl` first, then `archive/byteorder`, `archive/data/0` (the tensor
 * bytes; pass a large size to model a big checkpoint) and `archive/version`.
 */
export function pytorchZip(pickleBytes: Uint8Array, opts: { tensorBytes?: number; zip64?: boolean } = {}): Uint8Array {
  const tensor = new Uint8Array(opts.tensorBytes ?? 16);
  for (let i = 0; i < tensor.length; i += 4096) tensor[i] = i & 0xff; // not all zeros, so CRC checks mean something
  return buildStoredZip(
    [
      { name: 'archive/data.pkl', data: pickleBytes },
      { name: 'archive/byteorder', data: enc.encode('little') },
      { name: 'archive/data/0', data: tensor },
      { name: 'archive/version', data: enc.encode('3\n') },
    ],
    { zip64: opts.zip64 },
  );
}

export interface SafetensorInput {
  name: string;
  dtype: string;
  shape: readonly number[];
  data: Uint8Array;
}

/** A real safetensors file: u64 LE header length, JSON header (space-padded to 8 bytes), then the tensor bytes. */
export function safetensorsBytes(tensors: readonly SafetensorInput[], metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  let at = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [at, at + t.data.length] };
    at += t.data.length;
  }
  let json = JSON.stringify(header);
  while ((8 + enc.encode(json).length) % 8 !== 0) json += ' ';
  const headerBytes = enc.encode(json);
  return concat([new Bytes().u64(headerBytes.length).done(), headerBytes, ...tensors.map((t) => t.data)]);
}

/**
 * A version-1 `.npy` file. With `descr: '|O'` pass a pickle as `body` (that is how NumPy stores object arrays);
 * otherwise `body` is the raw array data.
 */
export function npyBytes(descr: string, shape: readonly number[], body: Uint8Array): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  while ((10 + header.length + 1) % 64 !== 0) header += ' ';
  header += '\n';
  const h = enc.encode(header);
  return concat([Uint8Array.of(0x93), enc.encode('NUMPY'), Uint8Array.of(1, 0), new Bytes().u16(h.length).done(), h, body]);
}
