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
  tuple3: () => Uint8Array.of(0x87),
  emptyTuple: () => code(')'),
  emptyDict: () => code('}'),
  emptyList: () => code(']'),
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
  /** Bytes already deflated (method 8), with the CRC-32 and size of what they inflate to; `data` is then unused. */
  deflated?: { raw: Uint8Array; crc32: number; size: number };
}

/** A real zip archive. `zip64` writes ZIP64 records and per-entry ZIP64 extra fields even where not needed. */
export function buildZip(entries: readonly ZipEntryInput[], opts: { zip64?: boolean } = {}): Uint8Array {
  const zip64 = opts.zip64 ?? false;
  const DOS_DATE_1980_01_01 = (1 << 5) | 1;
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const method = e.deflated ? 8 : (e.method ?? 0);
    const name = enc.encode(e.name);
    const stored = e.deflated?.raw ?? (method === 8 ? deflateRawSync(e.data) : e.data);
    const crc = e.deflated?.crc32 ?? crc32(e.data) >>> 0;
    const size = e.deflated?.size ?? e.data.length;
    const version = zip64 ? 45 : 20;
    const size32 = (n: number) => (zip64 ? 0xffffffff : n);
    const localExtra = zip64 ? new Bytes().u16(0x0001).u16(16).u64(size).u64(stored.length).done() : new Uint8Array();
    const local = new Bytes()
      .u32(0x04034b50).u16(version).u16(0x0800).u16(method).u16(0).u16(DOS_DATE_1980_01_01)
      .u32(crc).u32(size32(stored.length)).u32(size32(size)).u16(name.length).u16(localExtra.length)
      .bytes(name).bytes(localExtra)
      .done();
    const centralExtra = zip64
      ? new Bytes().u16(0x0001).u16(24).u64(size).u64(stored.length).u64(offset).done()
      : new Uint8Array();
    central.push(
      new Bytes()
        .u32(0x02014b50).u16(version).u16(version).u16(0x0800).u16(method).u16(0).u16(DOS_DATE_1980_01_01)
        .u32(crc).u32(size32(stored.length)).u32(size32(size)).u16(name.length).u16(centralExtra.length)
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
  return npyWithHeader(`{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`, body);
}

/**
 * A `.npy` file around any header text (written as it is: a Python literal, or not), padded with spaces and a
 * newline as NumPy pads it; version 1 and 2 headers are latin-1, version 3 UTF-8.
 */
export function npyWithHeader(header: string, body: Uint8Array, version: 1 | 2 | 3 = 1): Uint8Array {
  const encode = (text: string) => (version === 3 ? enc.encode(text) : Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff));
  const prelude = version === 1 ? 10 : 12;
  let text = header;
  while ((prelude + encode(text).length + 1) % 64 !== 0) text += ' ';
  const h = encode(`${text}\n`);
  const length = version === 1 ? new Bytes().u16(h.length).done() : new Bytes().u32(h.length).done();
  return concat([Uint8Array.of(0x93), enc.encode('NUMPY'), Uint8Array.of(version, 0), length, h, body]);
}

/** GGUF metadata value types (gguf.h `gguf_type`). */
export const GGUF_TYPE = { u8: 0, i8: 1, u16: 2, i16: 3, u32: 4, i32: 5, f32: 6, bool: 7, string: 8, array: 9, u64: 10, i64: 11, f64: 12 } as const;

export type GgufValue =
  | { type: 'string'; value: string }
  | { type: 'u32' | 'i32' | 'u64' | 'f32' | 'bool' | 'u8'; value: number | boolean }
  | { type: 'array-string'; value: readonly string[] }
  | { type: 'array-i32'; value: readonly number[] };

export interface GgufTensorInput {
  name: string;
  dims: readonly number[];
  /** ggml type id: 0 = F32 (4 bytes an element), 1 = F16 (2). */
  ggmlType: 0 | 1;
}

function ggufString(w: Bytes, s: string): void {
  const b = enc.encode(s);
  w.u64(b.length).bytes(b);
}

/**
 * A real GGUF file (version 3 unless told): header, metadata key/values, tensor infos, padding to
 * `general.alignment` (32), then the tensor data (zeros).
 */
export function ggufBytes(kv: ReadonlyArray<readonly [string, GgufValue]>, tensors: readonly GgufTensorInput[] = [], opts: { version?: number } = {}): Uint8Array {
  const w = new Bytes().bytes(enc.encode('GGUF')).u32(opts.version ?? 3).u64(tensors.length).u64(kv.length);
  for (const [key, v] of kv) {
    ggufString(w, key);
    switch (v.type) {
      case 'string': w.u32(GGUF_TYPE.string); ggufString(w, v.value); break;
      case 'u8': w.u32(GGUF_TYPE.u8).u8(Number(v.value)); break;
      case 'u32': w.u32(GGUF_TYPE.u32).u32(Number(v.value)); break;
      case 'i32': w.u32(GGUF_TYPE.i32).u32(Number(v.value) >>> 0); break;
      case 'u64': w.u32(GGUF_TYPE.u64).u64(Number(v.value)); break;
      case 'bool': w.u32(GGUF_TYPE.bool).u8(v.value ? 1 : 0); break;
      case 'f32': {
        const b = new Uint8Array(4);
        new DataView(b.buffer).setFloat32(0, Number(v.value), true);
        w.u32(GGUF_TYPE.f32).bytes(b);
        break;
      }
      case 'array-string': w.u32(GGUF_TYPE.array).u32(GGUF_TYPE.string).u64(v.value.length); for (const s of v.value) ggufString(w, s); break;
      case 'array-i32': w.u32(GGUF_TYPE.array).u32(GGUF_TYPE.i32).u64(v.value.length); for (const n of v.value) w.u32(n >>> 0); break;
    }
  }
  let offset = 0;
  const sizes: number[] = [];
  for (const t of tensors) {
    ggufString(w, t.name);
    w.u32(t.dims.length);
    for (const d of t.dims) w.u64(d);
    w.u32(t.ggmlType).u64(offset);
    const size = t.dims.reduce((n, d) => n * d, 1) * (t.ggmlType === 0 ? 4 : 2);
    sizes.push(size);
    offset += Math.ceil(size / 32) * 32;
  }
  const head = w.done();
  const pad = (32 - (head.length % 32)) % 32;
  return concat([head, new Uint8Array(pad), new Uint8Array(offset)]);
}

/** Protobuf wire-format writer: enough of it for ONNX ModelProto messages. */
export const pb = {
  varint(n: number | bigint): Uint8Array {
    let v = BigInt(n);
    if (v < 0n) v += 1n << 64n;
    const out: number[] = [];
    do {
      let b = Number(v & 0x7fn);
      v >>= 7n;
      if (v > 0n) b |= 0x80;
      out.push(b);
    } while (v > 0n);
    return Uint8Array.from(out);
  },
  /** A varint field (wire type 0). */
  int(field: number, n: number | bigint): Uint8Array {
    return concat([pb.varint(field << 3), pb.varint(n)]);
  },
  /** A length-delimited field (wire type 2): bytes, a string or an embedded message. */
  bytes(field: number, body: Uint8Array | string): Uint8Array {
    const b = typeof body === 'string' ? enc.encode(body) : body;
    return concat([pb.varint((field << 3) | 2), pb.varint(b.length), b]);
  },
};

export interface OnnxInitializer {
  name: string;
  dims: readonly number[];
  /** Inline bytes (raw_data) … */
  raw?: Uint8Array;
  /** … or an external data file named by path (data_location = EXTERNAL). */
  externalLocation?: string;
}

export interface OnnxModelInput {
  opsets?: ReadonlyArray<{ domain: string; version: number }>;
  nodes?: ReadonlyArray<{ opType: string; domain?: string; inputs?: readonly string[]; outputs?: readonly string[] }>;
  initializers?: readonly OnnxInitializer[];
}

/** A real ONNX ModelProto (onnx.proto3 field numbers), fields in the order the exporters write them. */
export function onnxModelBytes(m: OnnxModelInput = {}): Uint8Array {
  const nodes = (m.nodes ?? [{ opType: 'Relu', inputs: ['x'], outputs: ['y'] }]).map((n, i) =>
    pb.bytes(1, concat([
      ...(n.inputs ?? []).map((s) => pb.bytes(1, s)),
      ...(n.outputs ?? []).map((s) => pb.bytes(2, s)),
      pb.bytes(3, `node_${i}`),
      pb.bytes(4, n.opType),
      ...(n.domain !== undefined ? [pb.bytes(7, n.domain)] : []),
    ])),
  );
  const inits = (m.initializers ?? []).map((t) =>
    pb.bytes(5, concat([
      ...t.dims.map((d) => pb.int(1, d)),
      pb.int(2, 1), // FLOAT
      pb.bytes(8, t.name),
      ...(t.raw ? [pb.bytes(9, t.raw)] : []),
      ...(t.externalLocation !== undefined ? [pb.bytes(13, concat([pb.bytes(1, 'location'), pb.bytes(2, t.externalLocation)])), pb.int(14, 1)] : []),
    ])),
  );
  const graph = concat([...nodes, pb.bytes(2, 'main_graph'), ...inits]);
  const opsets = (m.opsets ?? [{ domain: '', version: 17 }]).map((o) => pb.bytes(8, concat([pb.bytes(1, o.domain), pb.int(2, o.version)])));
  return concat([pb.int(1, 8), pb.bytes(2, 'pytorch'), pb.bytes(3, '2.1.0'), pb.bytes(7, graph), ...opsets]);
}

/** A ustar archive (what Python's tarfile reads), each member a regular file. */
export function tarBytes(members: ReadonlyArray<{ name: string; data: Uint8Array }>): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const m of members) {
    const h = new Uint8Array(512);
    const put = (s: string, at: number) => h.set(enc.encode(s), at);
    put(m.name, 0);
    put('0000644\0', 100);
    put('0000000\0', 108);
    put('0000000\0', 116);
    put(`${m.data.length.toString(8).padStart(11, '0')}\0`, 124);
    put('00000000000\0', 136);
    put('        ', 148); // checksum field counts as spaces while summing
    put('0', 156);
    put('ustar\0', 257);
    put('00', 263);
    const sum = h.reduce((n, b) => n + b, 0);
    put(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    parts.push(h, m.data, new Uint8Array((512 - (m.data.length % 512)) % 512));
  }
  parts.push(new Uint8Array(1024));
  return concat(parts);
}

/**
 * The oldest torch.save layout (a tar, before PyTorch 0.4; torch.load still opens it): members `sys_info`,
 * `pickle` (the object), `storages` and `tensors`, laid out as torch's legacy_load reads them (by default no
 * storages and no tensors: `legacyStorages()` and `legacyTensors()` write others).
 */
export function legacyTorchTar(pickleBytes: Uint8Array, members: { storages?: Uint8Array; tensors?: Uint8Array } = {}): Uint8Array {
  return tarBytes([
    { name: 'sys_info', data: pickleOf(op.emptyDict()) },
    { name: 'pickle', data: pickleBytes },
    { name: 'storages', data: members.storages ?? legacyStorages([]) },
    { name: 'tensors', data: members.tensors ?? legacyTensors([]) },
  ]);
}

/** One value as a protocol-2 pickle (what torch's legacy writer dumps each count and description as). */
function pickleOf(...value: Uint8Array[]): Uint8Array {
  return buildPickle([op.proto(2), ...value, op.stop()]);
}

function int64(n: number): Uint8Array {
  return new Bytes().u64(n).done();
}

/** A count as torch's legacy writer pickles it. */
export const legacyCount = (n: number): Uint8Array => pickleOf(op.binint1(n));

export interface LegacyStorageInput {
  key: string;
  /** The storage class under `torch` (`FloatStorage`), as torch's legacy writer names it. */
  type: string;
  numel: number;
  elementSize: number;
  /** Replaces the (key, location, type) pickle: a hostile one. */
  description?: Uint8Array;
}

/**
 * One storage of a legacy `storages` member: its (key, location, type) pickle, an int64 element count, the elements
 * (0xff bytes: no pickle opcode, so only a reader that follows the layout gets past them).
 */
export function legacyStorage(s: LegacyStorageInput): Uint8Array {
  const description = s.description ?? pickleOf(op.binunicode(s.key), op.binunicode('cpu'), op.global('torch', s.type), op.tuple3());
  return concat([description, int64(s.numel), new Uint8Array(s.numel * s.elementSize).fill(0xff)]);
}

/** A legacy `storages` member: the count, each storage, then the storage views (`views`, else an empty list). */
export function legacyStorages(storages: readonly LegacyStorageInput[], views?: Uint8Array): Uint8Array {
  return concat([legacyCount(storages.length), ...storages.map(legacyStorage), views ?? pickleOf(op.emptyList())]);
}

export interface LegacyTensorInput {
  key: string;
  storage: string;
  shape: readonly number[];
  /** Replaces the (key, storage key, tensor type) pickle: a hostile one. */
  description?: Uint8Array;
}

/**
 * One tensor of a legacy `tensors` member: its (key, storage key, tensor type) pickle, then ndim (int32 and 4
 * unused bytes), ndim int64 sizes, ndim int64 strides and an int64 storage offset.
 */
export function legacyTensor(t: LegacyTensorInput): Uint8Array {
  const description = t.description ?? pickleOf(op.binunicode(t.key), op.binunicode(t.storage), op.global('torch', 'Tensor'), op.tuple3());
  return concat([description, new Bytes().u32(t.shape.length).u32(0).done(), ...t.shape.map(int64), ...t.shape.map(() => int64(1)), int64(0)]);
}

/** A legacy `tensors` member: the count, then each tensor. */
export function legacyTensors(tensors: readonly LegacyTensorInput[]): Uint8Array {
  return concat([legacyCount(tensors.length), ...tensors.map(legacyTensor)]);
}

/** A Keras 3 `.keras` archive: `metadata.json`, `config.json` (the model config), `model.weights.h5`. */
export function kerasArchive(config: unknown): Uint8Array {
  return buildZip([
    { name: 'metadata.json', data: enc.encode(JSON.stringify({ keras_version: '3.3.3', date_saved: '2024-05-01@12:00:00' })) },
    { name: 'config.json', data: enc.encode(JSON.stringify(config)), method: 8 },
    { name: 'model.weights.h5', data: hdf5Bytes([]) },
  ]);
}

/** A Keras functional-model config with the given layers (`{class_name, config}` objects). */
export function kerasModelConfig(layers: ReadonlyArray<{ class_name: string; config: Record<string, unknown>; module?: string }>): unknown {
  return { module: 'keras', class_name: 'Sequential', config: { name: 'sequential', layers }, registered_name: null };
}

export interface Hdf5AttributeInput {
  name: string;
  value: string;
  /** `vlen`: a variable-length string in a global heap collection (what h5py writes for str and bytes); `fixed`: inline. */
  storage?: 'vlen' | 'fixed';
}

/**
 * An HDF5 file as the HDF5 library writes one (superblock version 0, a version-1 root object header with its
 * symbol table, B-tree and local heap, so h5py opens it) whose root group has string attributes — a Keras H5
 * model keeps its config in `model_config`. `farAfter` puts the attributes in a continuation block after that
 * many bytes of dataset-like filler, where the library follows the header and a byte search of the head does not.
 */
export function hdf5Bytes(attributes: readonly Hdf5AttributeInput[], opts: { farAfter?: number } = {}): Uint8Array {
  const UNDEF = new Uint8Array(8).fill(0xff);
  const u64 = (n: number) => new Bytes().u64(n).done();
  const pad8 = (b: Uint8Array) => concat([b, new Uint8Array((8 - (b.length % 8)) % 8)]);
  const message = (type: number, data: Uint8Array) => concat([new Bytes().u16(type).u16(pad8(data).length).u8(0).u8(0).u8(0).u8(0).done(), pad8(data)]);
  const SUPERBLOCK = 96;
  const HEADER_PREFIX = 16;
  // the global heap collection (variable-length values) goes right after the header; its size is known up front
  const heapObjects = attributes.filter((a) => a.storage !== 'fixed').map((a, i) => ({ index: i + 1, data: enc.encode(a.value) }));
  const heapBody = concat(heapObjects.map((o) => concat([new Bytes().u16(o.index).u16(1).u32(0).u64(o.data.length).done(), pad8(o.data)])));
  const heapSize = Math.max(4096, heapBody.length + 16 + 16 + 8);
  const attributeMessages = (heapAt: number) => {
    let next = 1;
    return attributes.map((a) => {
      const value = enc.encode(a.value);
      const vlen = a.storage !== 'fixed';
      const type = vlen
        ? new Bytes().u8(0x19).u8(0x01).u8(0).u8(0).u32(16).u8(0x10).u8(0).u8(0).u8(0).u32(1).u16(0).u16(8).done()
        : new Bytes().u8(0x13).u8(0).u8(0).u8(0).u32(Math.max(1, value.length)).done();
      const space = new Bytes().u8(1).u8(0).u8(0).u8(0).u32(0).done();
      const data = vlen ? new Bytes().u32(value.length).u64(heapAt).u32(next++).done() : value;
      const name = enc.encode(`${a.name}\0`);
      return message(0x0c, concat([new Bytes().u8(1).u8(0).u16(name.length).u16(type.length).u16(space.length).done(), pad8(name), pad8(type), pad8(space), data]));
    });
  };
  const symbolTableSize = 8 + 16;
  const continuationSize = 8 + 16;
  const near = opts.farAfter === undefined;
  // sizes do not depend on addresses, so lay out once with placeholder addresses to measure
  const attrBlockSize = concat(attributeMessages(0)).length;
  const headerSize = symbolTableSize + (near ? attrBlockSize : continuationSize);
  const btreeAt = SUPERBLOCK + HEADER_PREFIX + headerSize;
  const btreeSize = 24 + 33 * 8 + 32 * 8;
  const localHeapAt = btreeAt + btreeSize;
  const localHeapSize = 32 + 8;
  const globalHeapAt = localHeapAt + localHeapSize;
  const fillerAt = globalHeapAt + heapSize;
  const continuationAt = fillerAt + (opts.farAfter ?? 0);
  const total = near ? fillerAt : continuationAt + attrBlockSize;
  const attrs = concat(attributeMessages(globalHeapAt));
  const symbolTable = message(0x11, concat([u64(btreeAt), u64(localHeapAt)]));
  const headerMessages = near ? concat([symbolTable, attrs]) : concat([symbolTable, message(0x10, concat([u64(continuationAt), u64(attrBlockSize)]))]);
  const superblock = concat([
    Uint8Array.of(0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0, 0, 8, 8, 0),
    new Bytes().u16(4).u16(16).u32(0).u64(0).done(),
    UNDEF,
    u64(total),
    UNDEF,
    // root symbol table entry: link name offset, object header, cache type 1 (B-tree and heap in the scratch pad)
    new Bytes().u64(0).u64(SUPERBLOCK).u32(1).u32(0).u64(btreeAt).u64(localHeapAt).done(),
  ]);
  const header = concat([new Bytes().u8(1).u8(0).u16(1 + attributes.length + (near ? 0 : 1)).u32(1).u32(headerSize).u32(0).done(), headerMessages]);
  const btree = concat([enc.encode('TREE'), Uint8Array.of(0, 0, 0, 0), UNDEF, UNDEF, new Uint8Array(btreeSize - 24)]);
  const localHeap = concat([enc.encode('HEAP'), new Uint8Array(4), new Bytes().u64(8).u64(1).u64(localHeapAt + 32).done(), new Uint8Array(8)]);
  const freeSize = heapSize - 16 - heapBody.length; // the free-space object counts its own header
  const globalHeap = concat([enc.encode('GCOL'), Uint8Array.of(1, 0, 0, 0), u64(heapSize), heapBody, new Bytes().u16(0).u16(0).u32(0).u64(freeSize).done(), new Uint8Array(heapSize - 16 - heapBody.length - 16)]);
  const parts = [superblock, header, btree, localHeap, globalHeap];
  if (!near) parts.push(new Uint8Array(opts.farAfter!), attrs);
  return concat(parts);
}
