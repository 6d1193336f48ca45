/**
 * ONNX: the ModelProto is walked as protobuf (onnx.proto field numbers), never loaded. What matters for safety:
 * external data files named by path — onnx and onnxruntime open `location` relative to the model, so an absolute
 * path or a `..` segment reads any file the loader can (the ONNX external-data path traversal) — and operators
 * from custom domains, which need a custom-op library (native code) registered to run. Tensor bytes are skipped,
 * never read.
 */
import { FormatError, type ByteSource, type Cursor } from './source.ts';

/** Operator domains onnx and onnxruntime implement themselves. */
const BUILTIN_DOMAINS = new Set(['', 'ai.onnx', 'ai.onnx.ml', 'ai.onnx.training', 'ai.onnx.preview.training', 'com.microsoft', 'com.microsoft.nchwc', 'com.microsoft.experimental', 'com.ms.internal.nhwc']);

const MAX_DEPTH = 16;
const MAX_FIELDS = 5_000_000;

export interface OnnxFacts {
  externalLocations: string[];
  customDomains: string[];
}

async function varint(c: Cursor): Promise<number> {
  let n = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    const b = await c.u8();
    n += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) return n;
    mul *= 128;
  }
  throw new FormatError(`varint longer than 10 bytes at offset ${c.pos}`);
}

/** Message kinds whose fields we descend into: field number → the kind of the embedded message. */
const CHILDREN: Readonly<Record<string, Readonly<Record<number, string>>>> = {
  model: { 7: 'graph', 8: 'opset', 25: 'function' },
  graph: { 1: 'node', 5: 'tensor', 15: 'sparse' },
  node: { 5: 'attribute' },
  attribute: { 5: 'tensor', 6: 'graph', 10: 'tensor', 11: 'graph' },
  function: { 7: 'node', 9: 'opset' },
  sparse: { 1: 'tensor', 2: 'tensor' },
  tensor: { 13: 'entry' },
  opset: {},
  entry: {},
};
/** String fields we read: (kind, field) → what it is. */
const STRINGS: Readonly<Record<string, string>> = { 'opset:1': 'domain', 'node:7': 'domain', 'entry:1': 'key', 'entry:2': 'value', 'function:10': 'domain' };

export async function readOnnx(src: ByteSource): Promise<OnnxFacts> {
  const facts: OnnxFacts = { externalLocations: [], customDomains: [] };
  let fields = 0;
  const walk = async (c: Cursor, end: number, kind: string, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH) throw new FormatError('messages nested too deep');
    let entry: { key?: string; value?: string } = {};
    while (c.pos < end) {
      if (++fields > MAX_FIELDS) throw new FormatError(`more than ${MAX_FIELDS} protobuf fields`);
      const tag = await varint(c);
      const field = Math.floor(tag / 8);
      const wire = tag % 8;
      if (field === 0) throw new FormatError(`field number 0 at offset ${c.pos}`);
      if (wire === 0) await varint(c);
      else if (wire === 1) c.skip(8);
      else if (wire === 5) c.skip(4);
      else if (wire === 2) {
        const len = await varint(c);
        if (!(c.pos + len <= end)) throw new FormatError(`a field of ${len} bytes runs past its message at offset ${c.pos}`);
        const child = CHILDREN[kind]?.[field];
        const str = STRINGS[`${kind}:${field}`];
        if (child) {
          const stop = c.pos + len;
          await walk(c, stop, child, depth + 1);
          c.pos = stop;
        } else if (str && len <= 65536) {
          const text = await c.text(len);
          if (str === 'domain' && !BUILTIN_DOMAINS.has(text) && !facts.customDomains.includes(text)) facts.customDomains.push(text);
          if (str === 'key') entry.key = text;
          if (str === 'value') entry.value = text;
        } else c.skip(len);
      } else throw new FormatError(`wire type ${wire} at offset ${c.pos} (not protobuf)`);
    }
    if (c.pos !== end) throw new FormatError('a field runs past its message');
    if (kind === 'entry' && entry.key === 'location' && entry.value !== undefined) facts.externalLocations.push(entry.value);
    entry = {};
  };
  await walk(src.cursor(0), src.size, 'model', 0);
  return facts;
}

/** Whether an external-data location leaves the model's folder (absolute, a drive, or a `..` segment). */
export function escapesModelDir(location: string): boolean {
  return /^([\\/]|[A-Za-z]:|~)/.test(location) || location.split(/[\\/]/).includes('..') || location.includes('\0');
}

/** The cheap first look: ir_version as field 1, then another ModelProto field. */
export function looksLikeOnnx(head: Uint8Array): boolean {
  return head.length >= 3 && head[0] === 0x08 && head[1]! >= 1 && head[1]! <= 0x7f && [0x12, 0x1a, 0x22, 0x28, 0x32, 0x3a, 0x42, 0x72].includes(head[2]!);
}
