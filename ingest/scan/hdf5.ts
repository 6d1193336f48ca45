/**
 * The root group's attributes of an HDF5 file, read as the HDF5 library reads them: the superblock (versions 0–3)
 * names the root object header; its messages (object header version 1, or version 2 `OHDR`), followed through
 * every continuation block wherever it lies in the file, hold the attribute messages (versions 1–3). A string
 * value is read inline (fixed length) or from its global heap collection (variable length, what h5py writes for
 * `str` and `bytes`). Keras keeps a model's config in the root attribute `model_config`, so this is how a scan
 * finds it in a 10 GB file with a few small reads. Attributes in dense storage (a fractal heap: `libver='latest'`
 * with many attributes) are not read; the caller is told they exist. Every read goes through the file's budget.
 */
import { FormatError, type ByteSource } from './source.ts';

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
const MSG_CONTINUATION = 0x10;
const MSG_ATTRIBUTE = 0x0c;
const MSG_ATTRIBUTE_INFO = 0x15;
/** Continuation blocks followed at most (a loop of blocks, or a header spread over thousands, ends here). */
const MAX_BLOCKS = 1024;
const MAX_BLOCK_BYTES = 16 * 1024 * 1024;

export interface Hdf5RootAttributes {
  /** Values of the wanted attributes that are strings, as bytes (trailing NULs removed as h5py removes them). */
  strings: Map<string, Uint8Array[]>;
  /** Wanted attributes whose value is not a string this reader decodes (shared or other datatypes). */
  unreadable: string[];
  /** The root group keeps (some) attributes in dense storage, which is not read. */
  denseAttributes: boolean;
}

interface Layout {
  base: number;
  offsetSize: number;
  lengthSize: number;
}

function uint(b: Uint8Array, at: number, size: number): number {
  if (at + size > b.length) throw new FormatError('HDF5 field runs past its block');
  let v = 0;
  for (let i = size - 1; i >= 0; i--) v = v * 256 + b[at + i]!;
  return v;
}

const isUndefinedAddress = (b: Uint8Array, at: number, size: number): boolean => b.subarray(at, at + size).every((x) => x === 0xff);

export function isHdf5(head: Uint8Array): boolean {
  return SIGNATURE.every((b, i) => head[i] === b);
}

/** Reads the root group's attributes named in `wanted`. Throws FormatError on a structure HDF5 would refuse. */
export async function readRootAttributes(src: ByteSource, wanted: ReadonlySet<string>): Promise<Hdf5RootAttributes> {
  const sb = await src.read(0, Math.min(src.size, 128), 'HDF5 superblock');
  if (!isHdf5(sb)) throw new FormatError('no HDF5 signature');
  const version = sb[8];
  let layout: Layout;
  let rootAt: number;
  if (version === 0 || version === 1) {
    layout = { base: 0, offsetSize: sb[13]!, lengthSize: sb[14]! };
    checkSizes(layout);
    const O = layout.offsetSize;
    const fields = 24 + (version === 1 ? 4 : 0);
    layout.base = uint(sb, fields, O);
    // base, free-space, end-of-file and driver addresses, then the root symbol table entry: link name, header
    rootAt = uint(sb, fields + 4 * O + O, O);
  } else if (version === 2 || version === 3) {
    layout = { base: 0, offsetSize: sb[9]!, lengthSize: sb[10]! };
    checkSizes(layout);
    layout.base = uint(sb, 12, layout.offsetSize);
    rootAt = uint(sb, 12 + 3 * layout.offsetSize, layout.offsetSize);
  } else {
    throw new FormatError(`HDF5 superblock version ${String(version)} is not one the HDF5 library writes`);
  }
  const out: Hdf5RootAttributes = { strings: new Map(), unreadable: [], denseAttributes: false };
  for (const msg of await rootMessages(src, layout, layout.base + rootAt)) {
    if (msg.type === MSG_ATTRIBUTE_INFO) {
      const flags = msg.data[1]!;
      if (!isUndefinedAddress(msg.data, 2 + (flags & 1 ? 2 : 0), layout.offsetSize)) out.denseAttributes = true;
    } else if (msg.type === MSG_ATTRIBUTE) {
      await readAttribute(src, layout, msg.data, wanted, out);
    }
  }
  return out;
}

function checkSizes(l: Layout): void {
  for (const s of [l.offsetSize, l.lengthSize]) if (![2, 4, 8].includes(s)) throw new FormatError(`HDF5 field size ${s} is not 2, 4 or 8`);
}

interface Message {
  type: number;
  data: Uint8Array;
}

async function readBlock(src: ByteSource, at: number, length: number, what: string): Promise<Uint8Array> {
  if (!(length > 0 && length <= MAX_BLOCK_BYTES)) throw new FormatError(`${what} of ${length} bytes`);
  return src.read(at, length, what);
}

/** Every message of the root object header, through its continuation blocks (each visited once). */
async function rootMessages(src: ByteSource, l: Layout, at: number): Promise<Message[]> {
  const head = await src.read(at, Math.min(16, src.size - at), 'HDF5 object header');
  const v2 = head[0] === 0x4f && head[1] === 0x48 && head[2] === 0x44 && head[3] === 0x52; // OHDR
  const messages: Message[] = [];
  const pending: Array<{ at: number; length: number }> = [];
  const seen = new Set<number>();
  let ohdrFlags = 0;
  if (v2) {
    const prefix = await src.read(at, Math.min(src.size - at, 4 + 2 + 16 + 4 + 8), 'HDF5 object header');
    if (prefix[4] !== 2) throw new FormatError(`HDF5 object header version ${prefix[4]} is not 2`);
    ohdrFlags = prefix[5]!;
    let p = 6 + (ohdrFlags & 0x20 ? 16 : 0) + (ohdrFlags & 0x10 ? 4 : 0);
    const sizeBytes = 1 << (ohdrFlags & 3);
    const chunk0 = uint(prefix, p, sizeBytes);
    p += sizeBytes;
    const block = await readBlock(src, at + p, chunk0, 'HDF5 object header chunk');
    parseV2Messages(block, ohdrFlags, messages, pending);
  } else {
    if (head[0] !== 1) throw new FormatError(`HDF5 object header version ${head[0]} is not 1 or 2`);
    const size = uint(head, 8, 4);
    const block = await readBlock(src, at + 16, size, 'HDF5 object header');
    parseV1Messages(block, messages, pending);
  }
  let blocks = 0;
  while (pending.length > 0) {
    const next = pending.shift()!;
    if (seen.has(next.at)) continue;
    seen.add(next.at);
    if (++blocks > MAX_BLOCKS) throw new FormatError(`the root object header has more than ${MAX_BLOCKS} continuation blocks`);
    const block = await readBlock(src, l.base + next.at, next.length, 'HDF5 continuation block');
    if (v2) {
      if (!(block[0] === 0x4f && block[1] === 0x43 && block[2] === 0x48 && block[3] === 0x4b)) throw new FormatError('HDF5 continuation block without its OCHK signature');
      parseV2Messages(block.subarray(4, block.length - 4), ohdrFlags, messages, pending);
    } else {
      parseV1Messages(block, messages, pending);
    }
  }
  return messages;

  function continuation(data: Uint8Array, into: typeof pending): void {
    into.push({ at: uint(data, 0, l.offsetSize), length: uint(data, l.offsetSize, l.lengthSize) });
  }
  function parseV1Messages(block: Uint8Array, into: Message[], more: typeof pending): void {
    for (let p = 0; p + 8 <= block.length; ) {
      const type = uint(block, p, 2);
      const size = uint(block, p + 2, 2);
      const data = block.subarray(p + 8, p + 8 + size);
      if (data.length < size) throw new FormatError('HDF5 header message runs past its block');
      if (type === MSG_CONTINUATION) continuation(data, more);
      else into.push({ type, data });
      p += 8 + size + ((8 - (size % 8)) % 8);
    }
  }
  function parseV2Messages(block: Uint8Array, flags: number, into: Message[], more: typeof pending): void {
    const headerSize = 4 + (flags & 0x04 ? 2 : 0);
    for (let p = 0; p + headerSize <= block.length; ) {
      const type = block[p]!;
      const size = uint(block, p + 1, 2);
      const data = block.subarray(p + headerSize, p + headerSize + size);
      if (data.length < size) throw new FormatError('HDF5 header message runs past its block');
      if (type === MSG_CONTINUATION) continuation(data, more);
      else into.push({ type, data });
      p += headerSize + size;
    }
  }
}

/** One attribute message (versions 1–3): its name, and for a wanted one, its string value(s). */
async function readAttribute(src: ByteSource, l: Layout, d: Uint8Array, wanted: ReadonlySet<string>, out: Hdf5RootAttributes): Promise<void> {
  const version = d[0];
  const flags = version === 1 ? 0 : d[1]!;
  const nameSize = uint(d, 2, 2);
  const typeSize = uint(d, 4, 2);
  const spaceSize = uint(d, 6, 2);
  const pad = (n: number) => (version === 1 ? n + ((8 - (n % 8)) % 8) : n);
  let p = version === 3 ? 9 : 8;
  if (version !== 1 && version !== 2 && version !== 3) throw new FormatError(`HDF5 attribute message version ${String(version)}`);
  const name = new TextDecoder('utf-8').decode(d.subarray(p, p + nameSize)).replace(/\0+$/, '');
  if (!wanted.has(name)) return;
  p += pad(nameSize);
  const type = d.subarray(p, p + typeSize);
  p += pad(typeSize);
  const space = d.subarray(p, p + spaceSize);
  p += pad(spaceSize);
  const data = d.subarray(p);
  const count = elements(space, l);
  const cls = type[0]! & 0x0f;
  const values: Uint8Array[] = [];
  if (flags & 3 || count === undefined) {
    out.unreadable.push(name);
    return;
  }
  if (cls === 3) {
    const width = uint(type, 4, 4);
    for (let i = 0; i < count; i++) values.push(stripNuls(data.subarray(i * width, (i + 1) * width)));
  } else if (cls === 9 && (type[1]! & 0x0f) === 1) {
    const width = 4 + l.offsetSize + 4;
    for (let i = 0; i < count; i++) {
      const at = i * width;
      const length = uint(data, at, 4);
      const collection = uint(data, at + 4, l.offsetSize);
      const index = uint(data, at + 4 + l.offsetSize, 4);
      values.push(stripNuls((await globalHeapObject(src, l, collection, index)).subarray(0, length)));
    }
  } else {
    out.unreadable.push(name);
    return;
  }
  out.strings.set(name, [...(out.strings.get(name) ?? []), ...values]);
}

/** Elements in a dataspace message (versions 1 and 2): 1 for a scalar, 0 for null, undefined past a bound. */
function elements(space: Uint8Array, l: Layout): number | undefined {
  const version = space[0];
  const rank = space[1]!;
  if (version === 2 && space[3] === 2) return 0;
  let p = version === 1 ? 8 : 4;
  let n = 1;
  for (let i = 0; i < rank; i++, p += l.lengthSize) n *= uint(space, p, l.lengthSize);
  return n <= 4096 ? n : undefined;
}

function stripNuls(b: Uint8Array): Uint8Array {
  let end = b.length;
  while (end > 0 && b[end - 1] === 0) end--;
  return b.subarray(0, end);
}

/** Object `index` of the global heap collection at `address` (what a variable-length string points to). */
async function globalHeapObject(src: ByteSource, l: Layout, address: number, index: number): Promise<Uint8Array> {
  const at = l.base + address;
  const head = await src.read(at, 8 + l.lengthSize, 'HDF5 global heap');
  if (!(head[0] === 0x47 && head[1] === 0x43 && head[2] === 0x4f && head[3] === 0x4c)) throw new FormatError('HDF5 global heap collection without its GCOL signature');
  const size = uint(head, 8, l.lengthSize);
  const heap = await readBlock(src, at, size, 'HDF5 global heap collection');
  for (let p = 8 + l.lengthSize; p + 8 + l.lengthSize <= heap.length; ) {
    const id = uint(heap, p, 2);
    const objectSize = uint(heap, p + 8, l.lengthSize);
    const start = p + 8 + l.lengthSize;
    if (id === index && id !== 0) {
      if (start + objectSize > heap.length) throw new FormatError('HDF5 global heap object runs past its collection');
      return heap.subarray(start, start + objectSize);
    }
    if (id === 0) break;
    p = start + objectSize + ((8 - (objectSize % 8)) % 8);
  }
  throw new FormatError(`HDF5 global heap object ${index} not found`);
}
