/**
 * Python's own readings of text the loaders parse: `int()` of a pickle's text argument (GET/PUT keys, INT, LONG),
 * the escapes of a protocol-0 STRING (`PyBytes_DecodeEscape`) and UNICODE (raw-unicode-escape), and the Python
 * literal a `.npy` header is (`ast.literal_eval` of a dict). Each follows CPython's rules, not the common case:
 * `int(' +1_0\n')` is 10, so a scanner that reads "1" puts the string in another memo slot than the unpickler.
 */

/** ASCII whitespace as CPython's `Py_ISSPACE` sees it (what `PyLong_FromString` skips). */
const PY_SPACE = new Set([0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d]);

/**
 * `int(text, base)` as `PyLong_FromString` parses it: surrounding whitespace, an optional sign, then digits with
 * single underscores between them (PEP 515); base 0 takes a 0x/0o/0b prefix and refuses other leading zeros.
 * Returns a bigint, or undefined where CPython raises ValueError.
 */
export function pythonInt(text: string, base: 0 | 10): bigint | undefined {
  let s = 0;
  let e = text.length;
  while (s < e && PY_SPACE.has(text.charCodeAt(s))) s++;
  while (e > s && PY_SPACE.has(text.charCodeAt(e - 1))) e--;
  let body = text.slice(s, e);
  let negative = false;
  if (body[0] === '+' || body[0] === '-') {
    negative = body[0] === '-';
    body = body.slice(1);
  }
  let radix = 10;
  if (base === 0 && /^0[xXoObB]/.test(body)) {
    radix = { x: 16, o: 8, b: 2 }[body[1]!.toLowerCase() as 'x' | 'o' | 'b'];
    body = body.slice(2);
    if (body.startsWith('_')) body = body.slice(1); // 0x_1f is legal
  }
  const digit = radix === 16 ? '[0-9a-fA-F]' : radix === 8 ? '[0-7]' : radix === 2 ? '[01]' : '[0-9]';
  if (!new RegExp(`^${digit}+(_${digit}+)*$`).test(body)) return undefined;
  const digits = body.replaceAll('_', '');
  if (base === 0 && radix === 10 && /^0+[1-9]/.test(digits)) return undefined; // int('010', 0) is an error
  const prefix = radix === 16 ? '0x' : radix === 8 ? '0o' : radix === 2 ? '0b' : '';
  const n = BigInt(prefix + digits);
  return negative ? -n : n;
}

/**
 * The protocol-0 INT argument as `_pickle.c` load_int reads it: C `strtol(s, &end, 0)` when it consumes everything
 * up to the newline (so "010" is octal 8 there), else `PyLong_FromString(s, NULL, 0)`. "00"/"01" are the booleans.
 */
export function pickleIntArg(text: string): bigint | undefined {
  if (text === '00' || text === '01') return BigInt(text === '01' ? 1 : 0);
  const c = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (c) {
    const t = c[2]!;
    const n = /^0[xX]/.test(t) ? BigInt(t) : t.length > 1 && t[0] === '0' ? BigInt(`0o${t.slice(1)}`) : BigInt(t);
    return c[1] === '-' ? -n : n;
  }
  return pythonInt(text, 0);
}

/** The protocol-0 LONG argument: a trailing "L" is dropped, then `PyLong_FromString(s, NULL, 10)`. */
export function pickleLongArg(text: string): bigint | undefined {
  return pythonInt(text.endsWith('L') ? text.slice(0, -1) : text, 10);
}

const SIMPLE: Readonly<Record<string, number>> = { '\\': 0x5c, "'": 0x27, '"': 0x22, a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11 };

/**
 * `PyBytes_DecodeEscape` over the text between a STRING argument's quotes (given as latin-1, one char a byte):
 * simple escapes, `\ooo` octal, `\xhh` (exactly two hex digits, else an error), a backslash-newline dropped, and
 * an unknown escape kept as it is (Python only warns). Returns the bytes, or undefined where Python raises.
 */
export function decodeBytesEscape(text: string): Uint8Array | undefined {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x5c) {
      out.push(c & 0xff);
      continue;
    }
    if (i + 1 >= text.length) return undefined; // "Trailing \ in string"
    const e = text[++i]!;
    if (SIMPLE[e] !== undefined) out.push(SIMPLE[e]);
    else if (e === '\n') continue;
    else if (e >= '0' && e <= '7') {
      let v = Number(e);
      for (let k = 0; k < 2 && i + 1 < text.length && text[i + 1]! >= '0' && text[i + 1]! <= '7'; k++) v = v * 8 + Number(text[++i]);
      out.push(v & 0xff);
    } else if (e === 'x') {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
      out.push(Number.parseInt(hex, 16));
      i += 2;
    } else out.push(0x5c, e.charCodeAt(0) & 0xff);
  }
  return Uint8Array.from(out);
}

/**
 * The `raw-unicode-escape` codec over a UNICODE argument's bytes (as latin-1 text): only `\uXXXX` and
 * `\UXXXXXXXX` are escapes, and only after an odd run of backslashes; every other byte is its latin-1 character.
 */
export function decodeRawUnicodeEscape(text: string): string | undefined {
  let out = '';
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') {
      run++;
      out += c;
      continue;
    }
    const odd = run % 2 === 1;
    run = 0;
    if (odd && (c === 'u' || c === 'U')) {
      const width = c === 'u' ? 4 : 8;
      const hex = text.slice(i + 1, i + 1 + width);
      if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) return undefined; // truncated \uXXXX escape
      const cp = Number.parseInt(hex, 16);
      if (cp > 0x10ffff) return undefined;
      out = out.slice(0, -1) + String.fromCodePoint(cp);
      i += width;
      continue;
    }
    out += c;
  }
  return out;
}

/** Stands for the character of a `\N{name}` escape, which only Python's Unicode name table resolves. */
export const UNRESOLVED_CHAR = '\ufffd';

export interface DecodedText {
  text: string;
  /** The names of `\N{…}` escapes, left as UNRESOLVED_CHAR in `text`: their characters are not known here. */
  namedEscapes: string[];
}

/**
 * The `unicode-escape` codec, which is also how CPython decodes the escapes of a non-raw str literal: the simple
 * escapes, `\ooo` octal (up to three digits, values up to 0o777), `\xhh`, `\uXXXX`, `\UXXXXXXXX` (exact widths, at
 * most U+10FFFF), `\N{name}`, a backslash-newline dropped, and any other escape kept as it is. Returns undefined
 * where Python raises (a truncated escape, a malformed `\N`, a trailing backslash).
 */
export function decodeUnicodeEscape(text: string): DecodedText | undefined {
  let out = '';
  const namedEscapes: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    if (i + 1 >= text.length) return undefined; // "\ at end of string"
    const e = text[++i]!;
    if (SIMPLE[e] !== undefined) out += String.fromCharCode(SIMPLE[e]);
    else if (e === '\n') continue;
    else if (e >= '0' && e <= '7') {
      let v = Number(e);
      for (let k = 0; k < 2 && i + 1 < text.length && text[i + 1]! >= '0' && text[i + 1]! <= '7'; k++) v = v * 8 + Number(text[++i]);
      out += String.fromCodePoint(v);
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const width = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = text.slice(i + 1, i + 1 + width);
      if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) return undefined;
      const cp = Number.parseInt(hex, 16);
      if (cp > 0x10ffff) return undefined;
      out += String.fromCodePoint(cp);
      i += width;
    } else if (e === 'N') {
      const close = text.indexOf('}', i + 2);
      if (text[i + 1] !== '{' || close < 0 || close === i + 2) return undefined; // "malformed \N character escape"
      namedEscapes.push(text.slice(i + 2, close));
      out += UNRESOLVED_CHAR;
      i = close;
    } else out += `\\${e}`;
  }
  return { text: out, namedEscapes };
}

/**
 * A Python literal value as `ast.literal_eval` gives it. A dict with only str keys is a Map (the last duplicate
 * wins, in the first one's place, as in Python); values a `.npy` header never needs to look into (complex numbers,
 * sets, Ellipsis, dicts with other keys) are only named.
 */
export type PyValue =
  | string
  | { bytes: Uint8Array }
  | number
  | bigint
  | boolean
  | null
  | PyValue[]
  | { tuple: PyValue[] }
  | Map<string, PyValue>
  | { opaque: 'complex' | 'set' | 'ellipsis' | 'dict' };

export class LiteralError extends Error {}

export interface LiteralOptions {
  /**
   * Drop a Python 2 `L` after a number, as numpy's `_filter_header` does for version 1.0 and 2.0 headers (a NAME
   * token `L` right after a NUMBER token; what separates them may be spaces, never a newline or a comment).
   */
  python2Longs?: boolean;
}

export interface ParsedLiteral {
  value: PyValue;
  /** Names of `\N{…}` escapes in str literals: where there are any, a decoded string is not known exactly. */
  namedEscapes: string[];
}

const isIdentifierChar = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}\p{M}\p{Pc}]/u.test(c);
const DIGITS = '[0-9](?:_?[0-9])*';
/** Python 3's numeric literals: a float or an imaginary part is tried before an integer, which may not be 07. */
const NUMBER = new RegExp(
  `(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+)` +
    `|(?:(?:${DIGITS})?\\.${DIGITS}|${DIGITS}\\.?)(?:[eE][+-]?${DIGITS})?[jJ]?`,
  'y',
);
const STRING_PREFIX = /(?:[rRuUbB]|[bB][rR]|[rR][bB])?(?=['"])/y;

/** Whether Python can hash the value (a dict key, a set element): lists, dicts and sets are not hashable. */
function hashable(v: PyValue): boolean {
  if (Array.isArray(v) || v instanceof Map) return false;
  if (v !== null && typeof v === 'object') {
    if ('tuple' in v) return v.tuple.every(hashable);
    if ('opaque' in v) return v.opaque === 'complex' || v.opaque === 'ellipsis';
  }
  return true;
}

/**
 * `ast.literal_eval` of a `.npy` header, following CPython's tokenizer and `literal_eval`: str and bytes literals
 * with every prefix Python accepts (r, u, b, br, rb in any case), their escapes, and implicit concatenation (never
 * of str with bytes); Python 3 numbers (underscores, no leading zeros), a sign before a number, complex numbers;
 * True/False/None, Ellipsis, tuples, lists, dicts, sets and `set()`; comments and line continuations. Newlines
 * are read as Python reads source text (`\r\n` and `\r` are newlines). Anything else throws LiteralError.
 */
export function parsePythonLiteral(source: string, opts: LiteralOptions = {}): ParsedLiteral {
  const namedEscapes: string[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new LiteralError(`${why} at character ${i}`);
  };
  if (source.includes('\0')) fail('null byte in the source');
  const src = source.replace(/^[ \t]+/, '').replace(/\r\n?/g, '\n');
  const skip = () => {
    for (;;) {
      while (i < src.length && ' \t\f\n'.includes(src[i]!)) i++;
      if (src[i] === '#') while (i < src.length && src[i] !== '\n') i++;
      else if (src[i] === '\\' && src[i + 1] === '\n') i += 2;
      else return;
    }
  };
  /** One str or bytes literal token from its prefix; its value, decoded. */
  const stringToken = (): { bytes: boolean; text: string } => {
    STRING_PREFIX.lastIndex = i;
    const prefix = STRING_PREFIX.exec(src)![0].toLowerCase();
    i += prefix.length;
    const raw = prefix.includes('r');
    const isBytes = prefix.includes('b');
    const q = src.startsWith(src[i]!.repeat(3), i) ? src[i]!.repeat(3) : src[i]!;
    i += q.length;
    const start = i;
    while (!src.startsWith(q, i)) {
      if (i >= src.length || (q.length === 1 && src[i] === '\n')) fail('unterminated string');
      i += src[i] === '\\' && i + 1 < src.length ? 2 : 1; // a backslash escapes the next character, even in a raw string
    }
    const body = src.slice(start, i);
    i += q.length;
    if (isBytes && /[^\x00-\x7f]/.test(body)) fail('bytes can only contain ASCII literal characters');
    if (raw) return { bytes: isBytes, text: body };
    if (isBytes) {
      const b = decodeBytesEscape(body) ?? fail('bad escape in bytes');
      return { bytes: true, text: String.fromCharCode(...b) };
    }
    const d = decodeUnicodeEscape(body) ?? fail('bad escape in string');
    namedEscapes.push(...d.namedEscapes);
    return { bytes: false, text: d.text };
  };
  const atString = () => {
    STRING_PREFIX.lastIndex = i;
    return STRING_PREFIX.test(src);
  };
  const stringLiteral = (): PyValue => {
    const first = stringToken();
    let text = first.text;
    for (skip(); atString(); skip()) {
      const next = stringToken();
      if (next.bytes !== first.bytes) fail('cannot mix bytes and nonbytes literals');
      text += next.text;
    }
    return first.bytes ? { bytes: Uint8Array.from(text, (c) => c.charCodeAt(0)) } : text;
  };
  /** An unsigned number token (and a Python 2 `L` after it, where numpy filters those out). */
  const numberToken = (): { value: number | bigint; imaginary: boolean } | undefined => {
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(src);
    if (!m) return undefined;
    const text = m[0];
    i += text.length;
    if (opts.python2Longs) {
      let j = i;
      for (;;) {
        while (' \t\f'.includes(src[j] ?? 'x')) j++;
        if (src[j] === '\\' && src[j + 1] === '\n') j += 2;
        else break;
      }
      if (src[j] === 'L' && !isIdentifierChar(src[j + 1])) i = j + 1;
    }
    if (isIdentifierChar(src[i]) || (src[i] === '.' && /^[0-9]/.test(src.slice(i + 1)))) fail('invalid number literal');
    const digits = text.replaceAll('_', '');
    if (/[jJ]$/.test(digits)) return { value: Number(digits.slice(0, -1)), imaginary: true };
    if (/^0[xXoObB]/.test(digits)) return { value: BigInt(digits), imaginary: false };
    if (/[.eE]/.test(digits)) return { value: Number(digits), imaginary: false };
    if (/^0+[1-9]/.test(digits)) fail('leading zeros in a decimal integer literal');
    return { value: BigInt(digits), imaginary: false };
  };
  /** `ast.literal_eval` takes a sign before a number (in parentheses too), and real ± imaginary as a complex. */
  const numeric = (): PyValue | undefined => {
    const start = i;
    let sign = '';
    if (src[i] === '+' || src[i] === '-') {
      sign = src[i++]!;
      skip();
    }
    /** A number token, in parentheses if `parenthesised` (they make no node in Python's tree). */
    const operand = (parenthesised: boolean) => {
      let parens = 0;
      if (parenthesised) for (; src[i] === '('; skip()) { i++; parens++; }
      const n = numberToken();
      if (n) {
        for (; parens > 0; parens--) {
          skip();
          if (src[i++] !== ')') fail('expected ")"');
        }
      }
      return n;
    };
    const n = operand(sign !== '');
    if (!n) {
      if (sign) fail('a sign before something that is not a number');
      i = start;
      return undefined;
    }
    if (n.imaginary) return { opaque: 'complex' };
    const save = i;
    skip();
    if (src[i] === '+' || src[i] === '-') {
      i++;
      skip();
      if (operand(true)?.imaginary) return { opaque: 'complex' };
      fail('only real ± imaginary is a literal');
    }
    i = save;
    if (sign === '-') return typeof n.value === 'bigint' ? -n.value : -n.value;
    return n.value;
  };
  const sequence = (close: string): { items: PyValue[]; comma: boolean } => {
    const items: PyValue[] = [];
    let comma = false;
    for (;;) {
      skip();
      if (src[i] === close) { i++; return { items, comma }; }
      items.push(value());
      skip();
      if (src[i] === ',') { i++; comma = true; }
      else if (src[i] !== close) fail(`expected "," or "${close}"`);
    }
  };
  const braces = (): PyValue => {
    i++;
    skip();
    if (src[i] === '}') { i++; return new Map(); }
    const first = value();
    skip();
    if (src[i] !== ':') {
      // a set display: {a, b}
      const elements = [first];
      for (;;) {
        skip();
        if (src[i] === ',') { i++; skip(); }
        else if (src[i] !== '}') fail('expected "," or "}"');
        if (src[i] === '}') { i++; break; }
        elements.push(value());
      }
      if (!elements.every(hashable)) fail('unhashable set element');
      return { opaque: 'set' };
    }
    const pairs: Array<[PyValue, PyValue]> = [];
    let key: PyValue = first;
    for (;;) {
      skip();
      if (src[i++] !== ':') fail('expected ":"');
      pairs.push([key, value()]);
      skip();
      if (src[i] === ',') i++;
      else if (src[i] !== '}') fail('expected "," or "}"');
      skip();
      if (src[i] === '}') { i++; break; }
      key = value();
    }
    if (!pairs.every(([k]) => hashable(k))) fail('unhashable dict key');
    if (!pairs.every(([k]) => typeof k === 'string')) return { opaque: 'dict' };
    return new Map(pairs as Array<[string, PyValue]>);
  };
  const value = (): PyValue => {
    skip();
    const c = src[i];
    if (c === undefined) fail('unexpected end');
    if (c === '{') return braces();
    if (c === '[') {
      i++;
      return sequence(']').items;
    }
    if (c === '(') {
      i++;
      const { items, comma } = sequence(')');
      return items.length === 1 && !comma ? items[0]! : { tuple: items };
    }
    if (atString()) return stringLiteral();
    if (src.startsWith('...', i)) {
      i += 3;
      return { opaque: 'ellipsis' };
    }
    const word = /(?:True|False|None|set)/y;
    word.lastIndex = i;
    const w = word.exec(src)?.[0];
    if (w && !isIdentifierChar(src[i + w.length])) {
      i += w.length;
      if (w !== 'set') return w === 'True' ? true : w === 'False' ? false : null;
      skip();
      if (src[i++] !== '(') fail('set is only a literal as set()');
      skip();
      if (src[i++] !== ')') fail('set() takes no arguments in a literal');
      return { opaque: 'set' };
    }
    const n = numeric();
    if (n !== undefined) return n;
    return fail('not a literal');
  };
  const v = value();
  skip();
  if (i !== src.length) fail('trailing text after the literal');
  return { value: v, namedEscapes };
}
