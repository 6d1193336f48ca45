/**
 * Just enough of the Python and JavaScript/TypeScript lexers to read call arguments the way the interpreter does:
 * strings (prefixes, triple quotes, escapes, f-strings and template literals with substitutions), comments, names
 * and punctuation, each with its line. Text inside comments and strings is never mistaken for code, so a docstring
 * that shows `from_pretrained("x/y")` is not a load. Linear in the input (a 1 MB line is one pass); pure.
 */

export type TokenType = 'name' | 'string' | 'op' | 'other';

export interface Token {
  type: TokenType;
  /** The name, the operator character, or a string's decoded value. */
  value: string;
  /** 1-based line where the token starts. */
  line: number;
  /** For strings: the value is fully known (no f-string field or template substitution). */
  literal?: boolean;
}

export type Language = 'python' | 'javascript';

const NAME_START = /[A-Za-z_$\u00c0-\uffff]/;
const NAME_PART = /[A-Za-z0-9_$\u00c0-\uffff]/;
const PY_PREFIX = /^(?:[rRbBuUfF]|[rR][bBfF]|[bBfF][rR])$/;
/** After these, a `/` starts a regular expression in JavaScript rather than dividing. */
const REGEX_AFTER_OPS = new Set('(,=:[!&|?{};+-*%<>~^'.split(''));
const REGEX_AFTER_WORDS = new Set(['return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'new', 'delete', 'void', 'throw', 'yield', 'await']);

export function tokenize(text: string, language: Language): Token[] {
  const tokens: Token[] = [];
  const n = text.length;
  let i = 0;
  let line = 1;
  const py = language === 'python';

  /** Scans a quoted string body from `start` (just past the opening quote); returns [value, end, literal, lines]. */
  const scanString = (start: number, quote: string, triple: boolean, raw: boolean, formatted: boolean): { value: string; end: number; literal: boolean } => {
    let value = '';
    let literal = true;
    let j = start;
    while (j < n) {
      const c = text[j]!;
      if (c === '\\' && j + 1 < n) {
        const next = text[j + 1]!;
        if (next === '\n') line++;
        if (raw) value += c + next;
        else value += unescape(text, j);
        j += escapeLength(text, j, raw);
        continue;
      }
      if (triple ? text.startsWith(quote.repeat(3), j) : c === quote) return { value, end: j + (triple ? 3 : 1), literal };
      if (c === '\n') {
        // Unterminated: the line ends it, and code that does not parse loads nothing.
        if (!triple) return { value, end: j, literal: false };
        line++;
      }
      if (formatted && c === '{') {
        if (text[j + 1] === '{') {
          value += '{';
          j += 2;
          continue;
        }
        literal = false;
      }
      if (formatted && c === '}' && text[j + 1] === '}') {
        value += '}';
        j += 2;
        continue;
      }
      value += c;
      j++;
    }
    return { value, end: n, literal: false };
  };

  /** A JavaScript template literal; `${…}` makes it non-literal and its expression is skipped with brace depth. */
  const scanTemplate = (start: number): { value: string; end: number; literal: boolean } => {
    let value = '';
    let literal = true;
    let j = start;
    while (j < n) {
      const c = text[j]!;
      if (c === '\\' && j + 1 < n) {
        if (text[j + 1] === '\n') line++;
        value += unescape(text, j);
        j += escapeLength(text, j, false);
        continue;
      }
      if (c === '`') return { value, end: j + 1, literal };
      if (c === '$' && text[j + 1] === '{') {
        literal = false;
        let depth = 1;
        j += 2;
        while (j < n && depth > 0) {
          const d = text[j]!;
          if (d === '{') depth++;
          else if (d === '}') depth--;
          else if (d === '\n') line++;
          j++;
        }
        continue;
      }
      if (c === '\n') line++;
      value += c;
      j++;
    }
    return { value, end: n, literal: false };
  };

  const lastSignificant = () => tokens[tokens.length - 1];

  while (i < n) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    if (c === '\\' && text[i + 1] === '\n') {
      line++;
      i += 2;
      continue;
    }
    if (py && c === '#') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (!py && c === '/' && text[i + 1] === '/') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (!py && c === '/' && text[i + 1] === '*') {
      i += 2;
      while (i < n && !(text[i] === '*' && text[i + 1] === '/')) {
        if (text[i] === '\n') line++;
        i++;
      }
      i += 2;
      continue;
    }
    if (!py && c === '/' && startsRegex(lastSignificant())) {
      // A regular expression literal: to the closing `/` on this line, outside a character class.
      let j = i + 1;
      let inClass = false;
      while (j < n && text[j] !== '\n') {
        const d = text[j]!;
        if (d === '\\') j++;
        else if (d === '[') inClass = true;
        else if (d === ']') inClass = false;
        else if (d === '/' && !inClass) break;
        j++;
      }
      j++;
      while (j < n && NAME_PART.test(text[j]!)) j++;
      tokens.push({ type: 'other', value: 'regex', line });
      i = j;
      continue;
    }
    if (c === '"' || c === "'" || (!py && c === '`')) {
      const startLine = line;
      const s = c === '`' ? scanTemplate(i + 1) : py ? pyString(i, '') : scanString(i + 1, c, false, false, false);
      tokens.push({ type: 'string', value: s.value, line: startLine, literal: s.literal });
      i = s.end;
      continue;
    }
    if (NAME_START.test(c)) {
      let j = i + 1;
      while (j < n && NAME_PART.test(text[j]!)) j++;
      const word = text.slice(i, j);
      if (py && PY_PREFIX.test(word) && (text[j] === '"' || text[j] === "'")) {
        const startLine = line;
        const s = pyString(j, word);
        tokens.push({ type: 'string', value: s.value, line: startLine, literal: s.literal });
        i = s.end;
        continue;
      }
      tokens.push({ type: 'name', value: word, line });
      i = j;
      continue;
    }
    if (c >= '0' && c <= '9') {
      let j = i + 1;
      while (j < n && /[0-9A-Za-z_.]/.test(text[j]!)) j++;
      tokens.push({ type: 'other', value: text.slice(i, j), line });
      i = j;
      continue;
    }
    tokens.push({ type: 'op', value: c, line });
    i++;
  }
  return tokens;

  function pyString(at: number, prefix: string): { value: string; end: number; literal: boolean } {
    const quote = text[at]!;
    const triple = text.startsWith(quote.repeat(3), at);
    const lower = prefix.toLowerCase();
    return scanString(at + (triple ? 3 : 1), quote, triple, lower.includes('r'), lower.includes('f'));
  }
}

function startsRegex(prev: Token | undefined): boolean {
  if (!prev) return true;
  if (prev.type === 'op') return REGEX_AFTER_OPS.has(prev.value);
  return prev.type === 'name' && REGEX_AFTER_WORDS.has(prev.value);
}

/** The `}` closing a `\u{…}` escape at `at`, looked for only as far as the longest such escape reaches. */
function bracedEnd(text: string, at: number): number {
  const close = text.slice(at, at + 12).indexOf('}');
  return close > 0 ? at + close : -1;
}

function escapeLength(text: string, at: number, raw: boolean): number {
  if (raw) return 2;
  const next = text[at + 1];
  if (next === 'x') return 4;
  if (next === 'u') {
    if (text[at + 2] !== '{') return 6;
    const close = bracedEnd(text, at);
    return close > 0 ? close - at + 1 : 2;
  }
  return 2;
}

function unescape(text: string, at: number): string {
  const next = text[at + 1]!;
  const hex = (from: number, len: number) => {
    const code = Number.parseInt(text.slice(from, from + len), 16);
    return Number.isFinite(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
  };
  switch (next) {
    case 'n':
      return '\n';
    case 't':
      return '\t';
    case 'r':
      return '\r';
    case '\n':
      return '';
    case 'x':
      return hex(at + 2, 2);
    case 'u':
      if (text[at + 2] === '{') {
        const close = bracedEnd(text, at);
        return close > 0 ? hex(at + 3, close - at - 3) : '';
      }
      return hex(at + 2, 4);
    default:
      return next;
  }
}
