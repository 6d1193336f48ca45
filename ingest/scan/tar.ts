/**
 * Tar archives as Python's tarfile lists them (torch.load opens the oldest torch.save layout with
 * `tarfile.open(mode='r:')`, then unpickles its `pickle`, `storages` and `tensors` members). What tarfile does,
 * not what a tar writer intends:
 *
 * - a header is any 512-byte block whose checksum (unsigned or signed byte sum) and number fields parse — no
 *   `ustar` magic needed; numbers are octal text as `int(field.strip(), 8)` reads it, or base-256 after a 0x80
 *   (positive) or 0xff (negative) byte;
 * - extension headers apply to the member after them, the outermost last: PAX `x`/`X` records (`path=`, `size=`,
 *   the GNU.sparse keys) and GNU `L`/`K` long names and links; PAX `g` records to every later member; a PAX size
 *   replaces the ustar size both for the member's data and for where the next header starts;
 * - only regular files and types tarfile does not know (which it extracts as regular files) have data blocks;
 *   a directory, link or device header is followed directly by the next header, whatever its size field says;
 * - an invalid header after the first ends the archive quietly; anything else tarfile refuses is a FormatError
 *   (torch.load then unpickles the file itself, which the caller checks).
 *
 * PAX records are parsed as CPython 3.11 parses them; newer releases (3.12.6, 3.11.10 and later) refuse malformed
 * ones, so a malformed record is a finding: two Python versions read that archive differently.
 */
import { pythonIntOf } from './python-int.ts';
import { BudgetError, FormatError, type ByteSource } from './source.ts';

export interface TarMember {
  name: string;
  /** Where tarfile reads the member's data. */
  offset: number;
  size: number;
  /** A GNU sparse member: tarfile rebuilds it from a map of data runs and holes, which this reader does not. */
  sparse: boolean;
}

export interface TarListing {
  members: TarMember[];
  /** What a reviewer should see: headers that readers take differently, a listing that ends at an invalid header. */
  findings: string[];
}

const BLOCK = 512;
const MAX_MEMBERS = 100_000;
const MAX_FINDINGS = 10;
/** The most of one extension header (a PAX record block, a GNU long name) held in memory. */
const MAX_EXTENSION = 16 * 1024 * 1024;

const REGULAR = new Set(['0', '\0', '7', 'S']);
/** Types tarfile knows; any other is extracted as a regular file. Extension types never reach a member. */
const SUPPORTED = new Set(['0', '\0', '1', '2', '3', '4', '5', '6', '7', 'L', 'K', 'S']);
const GNU = new Set(['L', 'K', 'S']);
const PAX = new Set(['x', 'X', 'g']);

const utf8 = new TextDecoder('utf-8', { fatal: false });
const latin1 = new TextDecoder('latin1');

/** `nts`: the bytes up to the first NUL. */
function nts(b: Uint8Array): string {
  const nul = b.indexOf(0);
  return utf8.decode(nul >= 0 ? b.subarray(0, nul) : b);
}

/** Python's `str.strip()` on ASCII text: these are the characters `isspace()` says yes to. */
const STRIP = /^[\t\n\v\f\r\x1c-\x1f ]+|[\t\n\v\f\r\x1c-\x1f ]+$/g;

/** `nti`: a number field, or undefined where tarfile raises InvalidHeaderError. */
function nti(b: Uint8Array): bigint | undefined {
  if (b[0] === 0x80 || b[0] === 0xff) {
    let n = 0n;
    for (let i = 1; i < b.length; i++) n = n * 256n + BigInt(b[i]!);
    return b[0] === 0xff ? n - 256n ** BigInt(b.length - 1) : n;
  }
  const nul = b.indexOf(0);
  const text = b.subarray(0, nul >= 0 ? nul : b.length);
  if (text.some((x) => x >= 0x80)) return undefined;
  const s = String.fromCharCode(...text).replace(STRIP, '');
  return s === '' ? 0n : pythonIntOf(s, 8);
}

const asNumber = (n: bigint): number => (n > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : n < -BigInt(Number.MAX_SAFE_INTEGER) ? -Infinity : Number(n));

/** `_block`: a count rounded up to whole blocks (Python's divmod, so a negative count rounds toward zero). */
function blocks(n: number): number {
  return n >= 0 ? Math.ceil(n / BLOCK) * BLOCK : -Math.floor(-n / BLOCK) * BLOCK;
}

interface Header {
  name: string;
  type: string;
  size: number;
  /** For a GNU sparse header: whether extension blocks follow, and the size it expands to. */
  sparse?: { extended: boolean; realSize: number };
}

/** `frombuf`: one header block, 'eof' for a block of zeros, or why tarfile calls it invalid. */
function parseHeader(h: Uint8Array): Header | 'eof' | { invalid: string } {
  if (h.every((b) => b === 0)) return 'eof';
  const chksum = nti(h.subarray(148, 156));
  let unsigned = 256;
  let signed = 256;
  for (let i = 0; i < BLOCK; i++) {
    if (i >= 148 && i < 156) continue;
    unsigned += h[i]!;
    signed += h[i]! < 128 ? h[i]! : h[i]! - 256;
  }
  if (chksum === undefined || (chksum !== BigInt(unsigned) && chksum !== BigInt(signed))) return { invalid: 'bad checksum' };
  const numbers = [[100, 8], [108, 8], [116, 8], [124, 12], [136, 12], [329, 8], [337, 8]].map(([at, len]) => nti(h.subarray(at!, at! + len!)));
  if (numbers.some((n) => n === undefined)) return { invalid: 'a number field is not a number' };
  let type = String.fromCharCode(h[156]!);
  let name = nts(h.subarray(0, 100));
  const prefix = nts(h.subarray(345, 500));
  if (type === '\0' && name.endsWith('/')) type = '5';
  let sparse: Header['sparse'];
  if (type === 'S') {
    for (let at = 386; at < 386 + 4 * 24; at += 12) if (nti(h.subarray(at, at + 12)) === undefined) return { invalid: 'a sparse map number is not a number' };
    const real = nti(h.subarray(483, 495));
    if (real === undefined) return { invalid: 'the sparse size is not a number' };
    sparse = { extended: h[482] !== 0, realSize: asNumber(real) };
  }
  if (type === '5') name = name.replace(/\/+$/, '');
  if (prefix && !GNU.has(type)) name = `${prefix}/${name}`;
  return { name, type, size: asNumber(numbers[3]!), sparse };
}

const hasData = (type: string): boolean => REGULAR.has(type) || !SUPPORTED.has(type);

/** A 512-byte block tarfile would take as the first header of an archive (the magic is not needed). */
export function isTarHeader(block: Uint8Array): boolean {
  if (block.length < BLOCK) return false;
  const h = parseHeader(block.subarray(0, BLOCK));
  return h !== 'eof' && !('invalid' in h);
}

/** The PAX records of one extension header as CPython 3.11's `_proc_pax` reads them, and what newer ones refuse. */
function paxRecords(buf: Uint8Array, declared: number): { records: Array<[string, string]>; malformed?: string; pastDeclared: boolean } {
  const records: Array<[string, string]> = [];
  let pos = 0;
  let malformed: string | undefined;
  let end = 0;
  // where the last search found '=': records only move forward, so it stays the next one until passed (keeps a
  // header of overlapping records linear, where CPython 3.11's regex is quadratic)
  let eq = -1;
  for (;;) {
    // re.match(br"(\d+) ([^=]+)=", buf, pos)
    let p = pos;
    while (p < buf.length && p - pos <= 20 && buf[p]! >= 0x30 && buf[p]! <= 0x39) p++;
    if (p - pos > 20) {
      malformed = `a record length at offset ${pos} of more than 20 digits`;
      break;
    }
    if (p === pos || buf[p] !== 0x20) break;
    if (eq <= p) eq = buf.indexOf(0x3d, p + 1);
    if (eq < 0 || eq === p + 1) break;
    const length = Number(latin1.decode(buf.subarray(pos, p)));
    if (length === 0) throw new TarInvalidHeader('a PAX record of length 0');
    const recordEnd = pos + length;
    // only short keywords are ones tarfile acts on; a long one is kept as a placeholder
    const keyword = eq - p - 1 <= 64 ? utf8.decode(buf.subarray(p + 1, eq)) : '';
    const value = eq + 1 < recordEnd - 1 ? utf8.decode(buf.subarray(eq + 1, Math.min(buf.length, recordEnd - 1))) : '';
    if (!malformed && (length < 5 || recordEnd > buf.length || buf[recordEnd - 1] !== 0x0a)) malformed = `the record "${printableKey(keyword)}" does not end where its length says`;
    records.push([keyword, value]);
    end = Math.min(buf.length, recordEnd);
    pos = recordEnd;
  }
  if (!malformed && pos < buf.length && buf[pos] !== 0) malformed = `bytes at offset ${pos} of the PAX header are not a record`;
  return { records, malformed, pastDeclared: end > declared };
}

const printableKey = (k: string): string => k.slice(0, 40).replace(/[^\x20-\x7e]/g, '?');

/** tarfile's InvalidHeaderError: quietly the end of the archive, unless it is the first header or follows an extension. */
class TarInvalidHeader extends Error {}

interface Pending {
  kind: 'long-name' | 'long-link' | 'pax';
  text?: string;
  headers?: Map<string, string>;
}

interface Member extends TarMember {
  type: string;
}

/** `_apply_pax_info`: keys in the order the records first set them. */
function applyPax(m: Member, headers: ReadonlyMap<string, string>): void {
  for (const [key, value] of headers) {
    if (key === 'GNU.sparse.name') m.name = value;
    else if (key === 'GNU.sparse.size' || key === 'GNU.sparse.realsize') {
      const n = pythonIntOf(value, 10);
      // tarfile does not catch this ValueError: the archive cannot be opened
      if (n === undefined) throw new FormatError(`tar PAX record ${key}="${value.slice(0, 40)}" is not a number`);
      m.size = asNumber(n);
    } else if (key === 'path') m.name = value.replace(/\/+$/, '');
    else if (key === 'size') m.size = asNumber(pythonIntOf(value, 10) ?? 0n);
  }
}

const isSparsePax = (h: ReadonlyMap<string, string>): boolean =>
  h.has('GNU.sparse.map') || h.has('GNU.sparse.size') || (h.get('GNU.sparse.major') === '1' && h.get('GNU.sparse.minor') === '0');

export async function listTar(src: ByteSource): Promise<TarListing> {
  const members: TarMember[] = [];
  const findings: string[] = [];
  /** tarfile.pax_headers: what `g` headers set, for every later member. */
  const globals = new Map<string, string>();
  let pos = 0;
  const block = async (at: number, what: string): Promise<Uint8Array | undefined> => (at + BLOCK <= src.size ? src.read(at, BLOCK, what) : undefined);
  const extension = async (at: number, size: number, what: string): Promise<Uint8Array> => {
    const n = blocks(size);
    if (n < 0 || at + n > src.size) throw new FormatError(`tar ${what} at offset ${at - BLOCK} runs past the end of the file`);
    if (n > MAX_EXTENSION) throw new BudgetError(`a tar ${what} of ${n} bytes is over the ${MAX_EXTENSION} bytes this scanner holds`);
    return src.read(at, n, `tar ${what}`);
  };

  while (members.length < MAX_MEMBERS) {
    if (pos > src.size) throw new FormatError(`the tar member before offset ${pos} runs past the end of the file`);
    const first = await block(pos, 'tar header');
    // an empty or truncated last block ends the listing; at offset 0 it is no tar
    if (!first) {
      if (pos === 0) throw new FormatError('not a tar archive: shorter than one header');
      break;
    }
    const pending: Pending[] = [];
    let at = pos;
    let h = parseHeader(first);
    // an extension header is followed by another header, which tarfile must be able to read
    for (;;) {
      if (h === 'eof' || 'invalid' in h) break;
      if (h.type === 'L' || h.type === 'K') {
        const buf = await extension(at + BLOCK, h.size, 'GNU long name');
        pending.push({ kind: h.type === 'L' ? 'long-name' : 'long-link', text: nts(buf) });
        at += BLOCK + buf.length;
      } else if (PAX.has(h.type)) {
        const buf = await extension(at + BLOCK, h.size, 'PAX header');
        let parsed: ReturnType<typeof paxRecords>;
        try {
          parsed = paxRecords(buf, h.size);
        } catch (err) {
          if (!(err instanceof TarInvalidHeader)) throw err;
          if (pending.length > 0) throw new FormatError(`tar PAX header at offset ${at}: ${err.message}`);
          h = { invalid: err.message };
          break;
        }
        if (parsed.malformed) findings.push(`tar PAX header at offset ${at}: ${parsed.malformed}; Python 3.11 reads what it can, newer releases refuse the archive`);
        if (parsed.pastDeclared) findings.push(`tar PAX header at offset ${at} has records past its declared ${h.size} bytes: Python's tarfile reads them, other tar readers do not`);
        const target = h.type === 'g' ? globals : new Map(globals);
        for (const [k, v] of parsed.records) target.set(k, v);
        if (h.type !== 'g') pending.push({ kind: 'pax', headers: target });
        at += BLOCK + buf.length;
      } else break;
      const next = await block(at, 'tar header');
      if (!next) throw new FormatError(`a tar extension header at offset ${at - BLOCK} is not followed by a header`);
      h = parseHeader(next);
      if (h === 'eof' || 'invalid' in h) throw new FormatError(`the header after a tar extension header at offset ${at} is ${h === 'eof' ? 'empty' : `invalid (${h.invalid})`}`);
    }
    if (h === 'eof') break;
    if ('invalid' in h) {
      if (pos === 0) throw new FormatError(`not a tar archive: ${h.invalid} in the first header`);
      findings.push(`tar header at offset ${pos} is invalid (${h.invalid}): Python's tarfile ends the archive there, GNU tar reads on`);
      break;
    }

    const m: Member = { name: h.name, type: h.type, offset: at + BLOCK, size: h.size, sparse: false };
    let next: number;
    if (h.sparse) {
      // old GNU sparse: extension blocks of sparse map follow the header; the data after them
      let extended = h.sparse.extended;
      while (extended) {
        const ext = await block(m.offset, 'tar sparse map');
        if (!ext) throw new FormatError(`the sparse map of tar member "${m.name.slice(0, 100)}" runs past the end of the file`);
        extended = ext[504] !== 0;
        m.offset += BLOCK;
      }
      next = m.offset + blocks(h.size);
      m.size = h.sparse.realSize;
      m.sparse = true;
    } else {
      next = m.offset + (hasData(m.type) ? blocks(m.size) : 0);
      applyPax(m, globals);
      if (m.type === '5') m.name = m.name.replace(/\/+$/, '');
    }
    for (const p of pending.reverse()) {
      if (p.kind === 'long-name') {
        m.name = p.text!;
        if (m.type === '5' && m.name.endsWith('/')) m.name = m.name.slice(0, -1);
      } else if (p.kind === 'pax') {
        if (isSparsePax(p.headers!)) m.sparse = true;
        applyPax(m, p.headers!);
        if (p.headers!.has('size')) next = m.offset + (hasData(m.type) ? blocks(m.size) : 0);
      }
    }
    if (hasData(m.type)) {
      if (m.size < 0) throw new FormatError(`tar member "${m.name.slice(0, 100)}" has a negative size (${m.size}); tarfile cannot list the archive`);
      if (!(m.offset + m.size <= src.size)) throw new FormatError(`tar member "${m.name.slice(0, 100)}" runs past the end of the file`);
      members.push({ name: m.name, offset: m.offset, size: m.size, sparse: m.sparse });
    }
    if (next < pos + BLOCK) throw new FormatError(`tar member "${m.name.slice(0, 100)}" at offset ${pos} sends tarfile back to an earlier header`);
    pos = next;
  }
  const distinct = [...new Set(findings)];
  return { members, findings: distinct.length > MAX_FINDINGS ? [...distinct.slice(0, MAX_FINDINGS), `and ${distinct.length - MAX_FINDINGS} more findings`] : distinct };
}
