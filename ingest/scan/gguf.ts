/**
 * GGUF: the header is validated as llama.cpp's gguf reader validates it (magic, version 1–3, bounded counts,
 * every key/value and tensor info inside the file, dims ≤ 4, aligned offsets), and the chat templates in its
 * metadata are checked for Jinja that reaches Python internals — what the llama-cpp-python template CVE
 * (CVE-2024-34359) used to run code when a template was rendered outside a sandbox.
 */
import { FormatError, type ByteSource, type Cursor } from './source.ts';

/** The templates this reader collects are judged by `chat-template.ts`. */
export { templateRisk, type TemplateRisk } from './chat-template.ts';

const MAX_KV = 1_000_000;
const MAX_TENSORS = 10_000_000;
const MAX_ARRAY = 100_000_000;
const MAX_STRING = 64 * 1024 * 1024;
/** Fixed widths of GGUF value types 0–12 (string and array are variable: -1). */
const WIDTH = [1, 1, 2, 2, 4, 4, 4, 1, -1, -1, 8, 8, 8];

export interface GgufHeader {
  version: number;
  tensors: number;
  templates: Array<{ key: string; text: string }>;
}

async function ggufString(c: Cursor, v1: boolean): Promise<string> {
  const n = v1 ? await c.u32() : await c.u64();
  if (!(n <= MAX_STRING)) throw new FormatError(`a string of ${n} bytes at offset ${c.pos}`);
  return c.text(n);
}

/** Reads and validates the header; throws FormatError where llama.cpp would refuse the file. */
export async function readGgufHeader(src: ByteSource): Promise<GgufHeader> {
  const c = src.cursor(0);
  if ((await c.text(4)) !== 'GGUF') throw new FormatError('no GGUF magic');
  const version = await c.u32();
  if (version < 1 || version > 3) throw new FormatError(`unsupported GGUF version ${version}`);
  const v1 = version === 1;
  const tensors = v1 ? await c.u32() : await c.u64();
  const kvs = v1 ? await c.u32() : await c.u64();
  if (!(tensors <= MAX_TENSORS) || !(kvs <= MAX_KV)) throw new FormatError(`implausible counts: ${tensors} tensors, ${kvs} key/values`);
  const templates: GgufHeader['templates'] = [];
  let alignment = 32;
  for (let i = 0; i < kvs; i++) {
    const key = await ggufString(c, v1);
    const type = await c.u32();
    if (type > 12) throw new FormatError(`key "${key.slice(0, 80)}" has unknown type ${type}`);
    if (type === 8) {
      const value = await ggufString(c, v1);
      if (key === 'tokenizer.chat_template' || key.startsWith('tokenizer.chat_template.')) templates.push({ key, text: value });
    } else if (type === 9) {
      const elem = await c.u32();
      const n = v1 ? await c.u32() : await c.u64();
      if (elem > 12 || elem === 9 || !(n <= MAX_ARRAY)) throw new FormatError(`key "${key.slice(0, 80)}": array of type ${elem} × ${n}`);
      if (elem === 8) for (let k = 0; k < n; k++) await ggufString(c, v1);
      else c.skip(n * WIDTH[elem]!);
    } else {
      if (key === 'general.alignment' && type === 4) {
        alignment = await c.u32();
        if (alignment === 0 || (alignment & (alignment - 1)) !== 0) throw new FormatError(`general.alignment ${alignment} is not a power of two`);
      } else c.skip(WIDTH[type]!);
    }
  }
  const infos: Array<{ name: string; offset: number }> = [];
  for (let i = 0; i < tensors; i++) {
    const name = await ggufString(c, v1);
    const dims = await c.u32();
    if (dims > 4) throw new FormatError(`tensor "${name.slice(0, 80)}" has ${dims} dimensions (at most 4)`);
    for (let d = 0; d < dims; d++) if (!((v1 ? await c.u32() : await c.u64()) < 2 ** 53)) throw new FormatError(`tensor "${name.slice(0, 80)}" has an absurd dimension`);
    const type = await c.u32();
    if (type > 64) throw new FormatError(`tensor "${name.slice(0, 80)}" has unknown ggml type ${type}`);
    infos.push({ name, offset: await c.u64() });
  }
  const dataStart = Math.ceil(c.pos / alignment) * alignment;
  for (const t of infos) {
    if (t.offset % alignment !== 0 || !(dataStart + t.offset <= src.size)) {
      throw new FormatError(`tensor "${t.name.slice(0, 80)}" data offset ${t.offset} is unaligned or past the end of the file`);
    }
  }
  return { version, tensors, templates };
}
