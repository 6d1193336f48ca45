/**
 * Python's `int(x, base)` for the fields tarfile and joblib hand it: a PAX `size=` value (a str), a ustar number
 * field after `.strip()`, joblib's ZF length (bytes). A reader that parses these more narrowly than CPython reads
 * another size than the loader does: `int('0o17', 8)` is 15, `int('1_024')` is 1024, and for a str
 * `int('\u0661\u0660\u0662\u0664')` is 1024 too (CPython maps every Unicode decimal digit and space first).
 */

/** ASCII whitespace `PyLong_FromString` skips around the number. */
const ASCII_SPACE = /^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g;
/** Non-ASCII characters CPython's `int()` of a str reads as a space (`Py_UNICODE_ISSPACE`). */
const UNICODE_SPACE = /[\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/u;
const DECIMAL = /\p{Nd}/u;

/** A Unicode decimal digit's value: decimal digits come in runs of ten starting at zero. */
function decimalValue(cp: number): number {
  let start = cp;
  while (start > 0 && DECIMAL.test(String.fromCodePoint(start - 1))) start--;
  return (cp - start) % 10;
}

/** What CPython does to a str before parsing it: other scripts' digits become ASCII digits, their spaces spaces. */
function asciiOf(text: string): string | undefined {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) out += ch;
    else if (UNICODE_SPACE.test(ch)) out += ' ';
    else if (DECIMAL.test(ch)) out += String(decimalValue(cp));
    else return undefined;
  }
  return out;
}

const PREFIX: Readonly<Record<number, RegExp>> = { 8: /^0[oO]_?/, 10: /^$/, 16: /^0[xX]_?/ };
const DIGITS: Readonly<Record<number, string>> = { 8: '[0-7]', 10: '[0-9]', 16: '[0-9a-fA-F]' };

/**
 * `int(text, base)`: surrounding whitespace, a sign, for base 8 and 16 an optional `0o`/`0x` prefix, digits with
 * single underscores between them. `text` is a str (Unicode digits and spaces count) unless `bytes` says it came
 * from bytes (then only ASCII does). Undefined where CPython raises ValueError.
 */
export function pythonIntOf(text: string, base: 8 | 10 | 16, opts: { bytes?: boolean } = {}): bigint | undefined {
  const ascii = opts.bytes ? (/^[\x00-\x7f]*$/.test(text) ? text : undefined) : asciiOf(text);
  if (ascii === undefined) return undefined;
  let body = ascii.replace(ASCII_SPACE, '');
  let negative = false;
  if (body[0] === '+' || body[0] === '-') {
    negative = body[0] === '-';
    body = body.slice(1);
  }
  if (base !== 10) body = body.replace(PREFIX[base]!, '');
  const d = DIGITS[base]!;
  if (!new RegExp(`^${d}+(_${d}+)*$`).test(body)) return undefined;
  const n = BigInt((base === 16 ? '0x' : base === 8 ? '0o' : '') + body.replaceAll('_', ''));
  return negative ? -n : n;
}
