/**
 * Protocol-0 text arguments checked in one pass over their bytes, as CPython's unpickler would accept or refuse
 * them, without building their value. A line has no length limit in CPython, so an argument may be hundreds of
 * megabytes: building it as a string, or matching a backtracking regex against it, costs time and memory that grow
 * faster than its length. Arguments too long to be a module or attribute name are only ever checked here; short
 * ones are decoded by `python-literals.ts`, which also gives their value.
 */

const BACKSLASH = 0x5c;

function isSpace(b: number): boolean {
  return b === 0x20 || (b >= 0x09 && b <= 0x0d);
}

function isDigit(b: number): boolean {
  return b >= 0x30 && b <= 0x39;
}

function isHex(b: number): boolean {
  return isDigit(b) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66);
}

/** Where [start, end) ends once trailing ASCII whitespace is dropped. */
export function endWithoutTrailingSpace(buf: Uint8Array, start: number, end: number): number {
  while (end > start && isSpace(buf[end - 1]!)) end--;
  return end;
}

/**
 * `PyBytes_DecodeEscape` would accept [start, end): the only escapes it refuses are a backslash at the very end and
 * `\x` without two hex digits (octal, simple and unknown escapes always decode).
 */
export function isValidBytesEscape(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    if (buf[i] !== BACKSLASH) continue;
    if (i + 1 >= end) return false;
    i++;
    if (buf[i] !== 0x78) continue; // x
    if (!(i + 2 < end && isHex(buf[i + 1]!) && isHex(buf[i + 2]!))) return false;
    i += 2;
  }
  return true;
}

/**
 * The `raw-unicode-escape` codec would accept [start, end): after an odd run of backslashes, `u` must be followed
 * by 4 hex digits and `U` by 8 naming at most U+10FFFF; nothing else is an escape.
 */
export function isValidRawUnicodeEscape(buf: Uint8Array, start: number, end: number): boolean {
  let run = 0;
  for (let i = start; i < end; i++) {
    const b = buf[i]!;
    if (b === BACKSLASH) {
      run++;
      continue;
    }
    const escape = run % 2 === 1 && (b === 0x75 || b === 0x55); // u, U
    run = 0;
    if (!escape) continue;
    const width = b === 0x75 ? 4 : 8;
    if (i + width >= end) return false;
    let cp = 0;
    for (let k = 1; k <= width; k++) {
      const h = buf[i + k]!;
      if (!isHex(h)) return false;
      cp = cp * 16 + (isDigit(h) ? h - 0x30 : (h | 0x20) - 0x57);
    }
    if (cp > 0x10ffff) return false;
    i += width;
  }
  return true;
}

const FLOAT_WORDS = new Set(['inf', 'infinity', 'nan']);

/**
 * The FLOAT argument [start, end) reads as a float literal: optional leading whitespace and sign, then digits with
 * an optional fraction and exponent, or `inf`/`infinity`/`nan` in any case, and nothing after.
 */
export function isFloatArgument(buf: Uint8Array, start: number, end: number): boolean {
  let i = start;
  while (i < end && isSpace(buf[i]!)) i++;
  if (i < end && (buf[i] === 0x2b || buf[i] === 0x2d)) i++; // + -
  if (end - i <= 8 && FLOAT_WORDS.has(String.fromCharCode(...buf.subarray(i, end)).toLowerCase())) return true;
  const digitsFrom = (k: number): number => {
    while (k < end && isDigit(buf[k]!)) k++;
    return k;
  };
  let j = digitsFrom(i);
  if (j > i) {
    if (j < end && buf[j] === 0x2e) j = digitsFrom(j + 1); // .
  } else {
    if (!(i < end && buf[i] === 0x2e)) return false;
    j = digitsFrom(i + 1);
    if (j === i + 1) return false;
  }
  if (j < end && (buf[j] === 0x65 || buf[j] === 0x45)) { // e E
    let k = j + 1;
    if (k < end && (buf[k] === 0x2b || buf[k] === 0x2d)) k++;
    j = digitsFrom(k);
    if (j === k) return false;
  }
  return j === end;
}
