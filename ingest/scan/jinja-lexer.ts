/**
 * The code of a Jinja template as jinja2's lexer reads it with the default delimiters (what llama-cpp-python and
 * transformers render chat templates with): text, `{# comments #}` and `{% raw %}` blocks are skipped; inside
 * `{{ … }}` and `{% … %}` come names, numbers, strings and operators. A block ends only where its end marker
 * stands outside brackets, so `{{ '}}' ~ x }}` is one expression, as jinja2 reads it. String values are decoded as
 * jinja2 decodes them (newlines normalised, non-ASCII turned into escapes, then Python's `unicode-escape`).
 */
import { decodeUnicodeEscape } from './python-literals.ts';

export type JinjaToken =
  | { type: 'name' | 'integer' | 'float' | 'operator'; value: string; pos: number }
  | { type: 'string'; value: string; pos: number; namedEscapes: string[] }
  | { type: 'block_begin' | 'block_end' | 'variable_begin' | 'variable_end'; value: string; pos: number };

export class JinjaSyntaxError extends Error {}

const ROOT = /\{%[-+]?\s*raw\s*(?:-%\}|%\})|\{#|\{%|\{\{/g;
const RAW_END = /\{%[-+]?\s*endraw\s*(?:[-+]?%\})/g;
const COMMENT_END = /[-+]?#\}/g;
const BLOCK_END = /[-+]?%\}/y;
const VARIABLE_END = /-?\}\}/y;
const WHITESPACE = /\s+/y;
const FLOAT = /(?<!\.)(?:\d+_)*\d+(?:(?:\.(?:\d+_)*\d+)?[eE][+-]?(?:\d+_)*\d+|\.(?:\d+_)*\d+)/y;
const INTEGER = /0[bB](?:_?[01])+|0[oO](?:_?[0-7])+|0[xX](?:_?[0-9a-fA-F])+|[1-9](?:_?\d)*|0(?:_?0)*/y;
const NAME = /[\p{L}\p{N}\p{M}\p{Pc}\u00b7]+/uy;
const IDENTIFIER = /^[\p{L}\p{Nl}_][\p{L}\p{N}\p{M}\p{Pc}\u00b7]*$/u;
const STRING = /'([^'\\]*(?:\\.[^'\\]*)*)'|"([^"\\]*(?:\\.[^"\\]*)*)"/sy;
const OPERATOR = /\/\/|\*\*|==|!=|>=|<=|[+\-/*%~[\](){}>=<.:|,;]/y;
const CLOSING: Readonly<Record<string, string>> = { '(': ')', '[': ']', '{': '}' };

const at = (re: RegExp, src: string, pos: number): string | undefined => {
  re.lastIndex = pos;
  return re.exec(src)?.[0];
};

/** jinja2's string value: `\r\n` and `\r` become `\n`, non-ASCII becomes `\x`/`\u`/`\U` escapes, then `unicode-escape`. */
function jinjaStringValue(body: string): { text: string; namedEscapes: string[] } | undefined {
  let ascii = '';
  for (const ch of body.replace(/\r\n?/g, '\n')) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) ascii += ch;
    else if (cp <= 0xff) ascii += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp <= 0xffff) ascii += `\\u${cp.toString(16).padStart(4, '0')}`;
    else ascii += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return decodeUnicodeEscape(ascii);
}

/** The tokens inside the template's blocks, in order; throws JinjaSyntaxError where jinja2's lexer refuses. */
export function lexJinja(src: string): JinjaToken[] {
  const out: JinjaToken[] = [];
  let pos = 0;
  for (;;) {
    ROOT.lastIndex = pos;
    const m = ROOT.exec(src);
    if (!m) return out;
    const start = m.index;
    pos = start + m[0].length;
    if (m[0] === '{#' || m[0].length > 2) {
      const end = m[0] === '{#' ? COMMENT_END : RAW_END;
      end.lastIndex = pos;
      const e = end.exec(src);
      if (!e) throw new JinjaSyntaxError(m[0] === '{#' ? 'missing end of comment tag' : 'missing end of raw directive');
      pos = e.index + e[0].length;
      continue;
    }
    const block = m[0] === '{%';
    if (src[pos] === '-' || src[pos] === '+') pos++;
    out.push({ type: block ? 'block_begin' : 'variable_begin', value: m[0], pos: start });
    pos = lexBlock(src, pos, block, out);
  }
}

/** One `{% %}` or `{{ }}` body from `pos`; returns where the text after it begins. */
function lexBlock(src: string, pos: number, block: boolean, out: JinjaToken[]): number {
  const brackets: string[] = [];
  for (;;) {
    if (pos >= src.length) throw new JinjaSyntaxError(`unexpected end of template inside ${block ? '{% %}' : '{{ }}'}`);
    const end = brackets.length === 0 ? at(block ? BLOCK_END : VARIABLE_END, src, pos) : undefined;
    if (end) {
      out.push({ type: block ? 'block_end' : 'variable_end', value: end, pos });
      return pos + end.length;
    }
    const space = at(WHITESPACE, src, pos);
    if (space) {
      pos += space.length;
      continue;
    }
    const number = at(FLOAT, src, pos) ?? at(INTEGER, src, pos);
    if (number) {
      out.push({ type: /^\d[\d_]*$|^0[bBoOxX]/.test(number) ? 'integer' : 'float', value: number, pos });
      pos += number.length;
      continue;
    }
    const name = at(NAME, src, pos);
    if (name) {
      if (!IDENTIFIER.test(name)) throw new JinjaSyntaxError(`invalid character in identifier "${name.slice(0, 40)}"`);
      out.push({ type: 'name', value: name, pos });
      pos += name.length;
      continue;
    }
    STRING.lastIndex = pos;
    const s = STRING.exec(src);
    if (s) {
      const decoded = jinjaStringValue(s[1] ?? s[2] ?? '');
      if (!decoded) throw new JinjaSyntaxError(`a string with a malformed escape at ${pos}`);
      out.push({ type: 'string', value: decoded.text, pos, namedEscapes: decoded.namedEscapes });
      pos += s[0].length;
      continue;
    }
    const op = at(OPERATOR, src, pos);
    if (!op) throw new JinjaSyntaxError(`unexpected character ${JSON.stringify(src[pos])} at ${pos}`);
    if (CLOSING[op]) brackets.push(CLOSING[op]);
    else if (op === ')' || op === ']' || op === '}') {
      if (brackets.pop() !== op) throw new JinjaSyntaxError(`unexpected "${op}" at ${pos}`);
    }
    out.push({ type: 'operator', value: op, pos });
    pos += op.length;
  }
}
