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

/** The protocol-0 FLOAT argument: `PyOS_string_to_double`, which must end exactly at the newline. */
export function isPickleFloatArg(text: string): boolean {
  return /^[ \t\n\v\f\r]*[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|inf(inity)?|nan)$/i.test(text);
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

/** A Python literal value as `ast.literal_eval` gives it, for the shapes a `.npy` header holds. */
export type PyValue = string | number | bigint | boolean | null | PyValue[] | { tuple: PyValue[] } | Map<string, PyValue>;

export class LiteralError extends Error {}

/**
 * `ast.literal_eval` of a `.npy` header: a dict of str keys, with str (any quoting, escapes, implicit
 * concatenation), int, float, True/False/None, tuples and lists as values; `#` comments and line continuations
 * are dropped, and a repeated key keeps its last value, as in Python. Anything else throws LiteralError.
 */
export function parsePythonLiteral(src: string): PyValue {
  let i = 0;
  const fail = (why: string): never => {
    throw new LiteralError(`${why} at character ${i}`);
  };
  const skip = () => {
    for (;;) {
      while (i < src.length && ' \t\n\r\f\v'.includes(src[i]!)) i++;
      if (src[i] === '#') while (i < src.length && src[i] !== '\n') i++;
      else if (src[i] === '\\' && src[i + 1] === '\n') i += 2;
      else return;
    }
  };
  const stringLit = (): string => {
    let s = '';
    while (/^[rRbBuU]{0,2}['"]/.test(src.slice(i, i + 3))) {
      let raw = false;
      while (src[i] !== "'" && src[i] !== '"') {
        if (src[i] === 'r' || src[i] === 'R') raw = true;
        i++;
      }
      const q = src.startsWith(src[i]!.repeat(3), i) ? src[i]!.repeat(3) : src[i]!;
      i += q.length;
      let body = '';
      while (!src.startsWith(q, i)) {
        if (i >= src.length || (q.length === 1 && src[i] === '\n')) fail('unterminated string');
        if (src[i] === '\\' && i + 1 < src.length) {
          body += src.slice(i, i + 2);
          i += 2;
        } else body += src[i++];
      }
      i += q.length;
      if (raw) s += body;
      else {
        const bytes = decodeBytesEscape(body.replace(/\\N\{[^}]*\}/g, '?'));
        if (!bytes) fail('bad escape in string');
        s += body.includes('\\u') || body.includes('\\U') ? decodeRawUnicodeEscape(body) ?? fail('bad \\u escape') : String.fromCharCode(...bytes!);
      }
      skip();
    }
    return s;
  };
  const value = (): PyValue => {
    skip();
    const c = src[i];
    if (c === undefined) fail('unexpected end');
    if (c === '{') {
      i++;
      const m = new Map<string, PyValue>();
      for (;;) {
        skip();
        if (src[i] === '}') { i++; return m; }
        const k = value();
        if (typeof k !== 'string') fail('dict key is not a str');
        skip();
        if (src[i++] !== ':') fail('expected ":"');
        m.set(k as string, value());
        skip();
        if (src[i] === ',') i++;
        else if (src[i] !== '}') fail('expected "," or "}"');
      }
    }
    if (c === '(' || c === '[') {
      const close = c === '(' ? ')' : ']';
      i++;
      const items: PyValue[] = [];
      let comma = false;
      for (;;) {
        skip();
        if (src[i] === close) { i++; break; }
        items.push(value());
        skip();
        if (src[i] === ',') { i++; comma = true; }
        else if (src[i] !== close) fail(`expected "," or "${close}"`);
      }
      if (c === '[') return items;
      return items.length === 1 && !comma ? items[0]! : { tuple: items };
    }
    if (/['"rRbBuU]/.test(c!) && /^[rRbBuU]{0,2}['"]/.test(src.slice(i, i + 3))) return stringLit();
    const word = /^(True|False|None)\b/.exec(src.slice(i));
    if (word) {
      i += word[1]!.length;
      return word[1] === 'True' ? true : word[1] === 'False' ? false : null;
    }
    const num = /^[+-]?(0[xXoObB][0-9a-fA-F_]+|[0-9][0-9_]*(\.[0-9_]*)?([eE][+-]?[0-9]+)?|\.[0-9]+([eE][+-]?[0-9]+)?)/.exec(src.slice(i));
    if (num) {
      i += num[0].length;
      const asInt = pythonInt(num[0], 0);
      return asInt !== undefined ? asInt : Number(num[0].replaceAll('_', ''));
    }
    return fail('not a literal');
  };
  const v = value();
  skip();
  if (i !== src.length) fail('trailing text after the literal');
  return v;
}
