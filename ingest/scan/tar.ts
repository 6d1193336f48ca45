/**
 * Tar archives as Python's tarfile lists them (the oldest torch.save layout is a tar whose `pickle`, `storages`
 * and `tensors` members are pickles): 512-byte headers with checksums, octal or base-256 sizes, ustar prefixes.
 * Only regular files are returned; reading stops at the end-of-archive blocks.
 */
import { FormatError, type ByteSource } from './source.ts';

export interface TarMember {
  name: string;
  offset: number;
  size: number;
}

const MAX_MEMBERS = 100_000;

function field(h: Uint8Array, at: number, len: number): string {
  const b = h.subarray(at, at + len);
  const nul = b.indexOf(0);
  return new TextDecoder('utf-8', { fatal: false }).decode(nul >= 0 ? b.subarray(0, nul) : b);
}

function number(h: Uint8Array, at: number, len: number): number {
  if (h[at]! & 0x80) {
    let n = 0;
    for (let i = 1; i < len; i++) n = n * 256 + h[at + i]!;
    return n;
  }
  const t = field(h, at, len).trim();
  if (!/^[0-7]*$/.test(t)) throw new FormatError(`bad octal number "${t.slice(0, 20)}" in a tar header`);
  return t === '' ? 0 : Number.parseInt(t, 8);
}

export async function listTar(src: ByteSource): Promise<TarMember[]> {
  const out: TarMember[] = [];
  let pos = 0;
  while (pos + 512 <= src.size && out.length < MAX_MEMBERS) {
    const h = await src.read(pos, 512, 'tar header');
    if (h.every((b) => b === 0)) break;
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
    if (number(h, 148, 8) !== sum) throw new FormatError(`tar header checksum mismatch at offset ${pos}`);
    const size = number(h, 124, 12);
    const type = String.fromCharCode(h[156]!);
    const prefix = field(h, 257, 6) === 'ustar' ? field(h, 345, 155) : '';
    const name = (prefix ? `${prefix}/` : '') + field(h, 0, 100);
    if (!(pos + 512 + size <= src.size)) throw new FormatError(`tar member "${name.slice(0, 100)}" runs past the end of the file`);
    if (type === '0' || type === '\0' || type === '7') out.push({ name, offset: pos + 512, size });
    pos += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}
