/**
 * PEP 508 dependency specifiers (`name[extra] (>=1.0,<2); python_version < "3.11"`, `name @ url ; marker`), read the
 * way pip reads them: the grammar and the order of its checks follow `packaging`'s tokenizer and parser (what pip
 * vendors), so a string pip refuses is refused here and one it accepts gives the same name, extras, specifier, URL
 * and marker. The version specifier itself is validated by the PEP 440 library, not by a pattern of our own.
 */
import { validRange } from '@renovatebot/pep440';
import type { DeclaredDependency, DependencyScope } from './types.ts';

export interface Pep508Requirement {
  name: string;
  extras: string[];
  /** The specifier set without whitespace, specifiers in the order written (`>=1.0,<2`); '' for none. */
  specifier: string;
  /** The direct reference after `@`. */
  url?: string;
  /** The environment marker as written (after `;`), trimmed. */
  marker?: string;
  /** Extras the marker names (`extra == "security"`), normalised as PEP 685 says: such a requirement is optional. */
  markerExtras: string[];
}

export class RequirementSyntaxError extends Error {
  constructor(message: string, readonly position: number) {
    super(message);
    this.name = 'RequirementSyntaxError';
  }
}

/** The marker variables PEP 508 defines (with the legacy dotted spellings packaging still accepts). */
const VARIABLE = /(?:python_version|python_full_version|os[._]name|sys[._]platform|platform_(?:release|system)|platform[._](?:version|machine|python_implementation)|python_implementation|implementation_(?:name|version)|extra|dependency_groups)\b/y;

const RULES = {
  LEFT_PARENTHESIS: /\(/y,
  RIGHT_PARENTHESIS: /\)/y,
  LEFT_BRACKET: /\[/y,
  RIGHT_BRACKET: /\]/y,
  SEMICOLON: /;/y,
  COMMA: /,/y,
  QUOTED_STRING: /'[^']*'|"[^"]*"/y,
  OP: /===|==|~=|!=|<=|>=|<|>/y,
  BOOLOP: /(?:or|and)\b/y,
  IN: /in\b/y,
  NOT: /not\b/y,
  VARIABLE,
  // An operator and the run of characters a version may hold; whether that run is a valid PEP 440 specifier is
  // the PEP 440 library's decision (below).
  SPECIFIER: /(?:===|==|~=|!=|<=|>=|<|>)\s*[^\s,;)]+/y,
  AT: /@/y,
  URL: /[^ \t]+/y,
  IDENTIFIER: /[a-zA-Z0-9](?:[a-zA-Z0-9._-]*[a-zA-Z0-9])?/y,
  WS: /[ \t]+/y,
} as const;
type Rule = keyof typeof RULES | 'END';

class Tokenizer {
  position = 0;
  private next: { rule: Rule; text: string } | undefined;
  constructor(readonly source: string) {}

  /** Whether the next token is `rule`; unless `peek`, it is then held for `read`. */
  check(rule: Rule, peek = false): boolean {
    if (rule === 'END') {
      const end = this.position >= this.source.length;
      if (end && !peek) this.next = { rule, text: '' };
      return end;
    }
    const re = RULES[rule];
    re.lastIndex = this.position;
    const m = re.exec(this.source);
    if (!m) return false;
    // An identifier must end at a word boundary (packaging's `\b…\b`): `foo-` is not a name followed by `-`.
    if (rule === 'IDENTIFIER' && /[A-Za-z0-9_]/.test(this.source[this.position + m[0].length] ?? '')) return false;
    if (!peek) this.next = { rule, text: m[0] };
    return true;
  }

  read(): string {
    const token = this.next;
    if (!token) throw new Error('read() without a successful check()');
    this.position += token.text.length;
    this.next = undefined;
    return token.text;
  }

  consume(rule: Rule): void {
    if (this.check(rule)) this.read();
  }

  expect(rule: Rule, expected: string): string {
    if (!this.check(rule)) this.fail(`Expected ${expected}`);
    return this.read();
  }

  fail(message: string, at = this.position): never {
    throw new RequirementSyntaxError(`${message} at column ${at + 1}`, at);
  }

  /** `open … close` around `body` when the next token is `open`; the body alone otherwise. */
  enclosed<T>(open: Rule, close: Rule, around: string, body: () => T): T {
    if (!this.check(open)) return body();
    const at = this.position;
    this.read();
    const value = body();
    if (!this.check(close)) this.fail(`Expected matching ${close === 'RIGHT_PARENTHESIS' ? ')' : ']'} for ${open === 'LEFT_PARENTHESIS' ? '(' : '['}, after ${around}`, at);
    this.read();
    return value;
  }
}

/** PEP 685: extras compare as lower-case with runs of `-_.` as one `-`. */
export function normaliseExtra(extra: string): string {
  return extra.toLowerCase().replace(/[-_.]+/g, '-');
}

/** Parses one PEP 508 dependency specifier; throws RequirementSyntaxError naming the column where it fails. */
export function parseRequirement(text: string): Pep508Requirement {
  const t = new Tokenizer(text);
  t.consume('WS');
  const name = t.expect('IDENTIFIER', 'package name at the start of dependency specifier');
  t.consume('WS');
  const extras = parseExtras(t);
  t.consume('WS');
  const details = parseDetails(t);
  t.expect('END', 'end of dependency specifier');
  return { name, extras, ...details };
}

function parseExtras(t: Tokenizer): string[] {
  if (!t.check('LEFT_BRACKET', true)) return [];
  return t.enclosed('LEFT_BRACKET', 'RIGHT_BRACKET', 'extras', () => {
    t.consume('WS');
    const extras: string[] = [];
    if (t.check('IDENTIFIER')) {
      extras.push(t.read());
      for (;;) {
        t.consume('WS');
        if (t.check('IDENTIFIER', true)) t.fail('Expected comma between extra names');
        if (!t.check('COMMA')) break;
        t.read();
        t.consume('WS');
        extras.push(t.expect('IDENTIFIER', 'extra name after comma'));
      }
    }
    t.consume('WS');
    return extras;
  });
}

type Details = Pick<Pep508Requirement, 'specifier' | 'url' | 'marker' | 'markerExtras'>;

function parseDetails(t: Tokenizer): Details {
  if (t.check('AT')) {
    t.read();
    t.consume('WS');
    const start = t.position;
    const url = t.expect('URL', 'URL after @');
    if (t.check('END', true)) return { specifier: '', url, markerExtras: [] };
    t.expect('WS', 'whitespace after URL');
    if (t.check('END', true)) return { specifier: '', url, markerExtras: [] };
    return { specifier: '', url, ...parseRequirementMarker(t, start, 'URL and whitespace') };
  }
  const start = t.position;
  const specifier = t.enclosed('LEFT_PARENTHESIS', 'RIGHT_PARENTHESIS', 'version specifier', () => {
    t.consume('WS');
    const parsed = parseVersionMany(t);
    t.consume('WS');
    return parsed;
  });
  t.consume('WS');
  if (t.check('END', true)) return { specifier, markerExtras: [] };
  return { specifier, ...parseRequirementMarker(t, start, specifier ? 'version specifier' : 'name and no valid version specifier') };
}

function parseVersionMany(t: Tokenizer): string {
  const specifiers: string[] = [];
  while (t.check('SPECIFIER')) {
    const at = t.position;
    const spec = t.read().replace(/\s+/g, '');
    if (!validRange(spec)) t.fail(`Invalid version specifier "${spec}"`, at);
    specifiers.push(spec);
    t.consume('WS');
    if (!t.check('COMMA')) break;
    t.read();
    t.consume('WS');
  }
  return specifiers.join(',');
}

function parseRequirementMarker(t: Tokenizer, start: number, after: string): Pick<Pep508Requirement, 'marker' | 'markerExtras'> {
  if (!t.check('SEMICOLON')) t.fail(`Expected end or semicolon (after ${after})`, start);
  t.read();
  const markerStart = t.position;
  const extras: string[] = [];
  parseMarker(t, extras);
  t.consume('WS');
  return { marker: t.source.slice(markerStart, t.position).trim(), markerExtras: [...new Set(extras)] };
}

/** marker = atom (BOOLOP atom)*; collects the extras `extra == "x"` items name. */
function parseMarker(t: Tokenizer, extras: string[]): void {
  parseMarkerAtom(t, extras);
  while (t.check('BOOLOP')) {
    t.read();
    parseMarkerAtom(t, extras);
  }
}

function parseMarkerAtom(t: Tokenizer, extras: string[]): void {
  t.consume('WS');
  if (t.check('LEFT_PARENTHESIS', true)) {
    t.enclosed('LEFT_PARENTHESIS', 'RIGHT_PARENTHESIS', 'marker expression', () => {
      t.consume('WS');
      parseMarker(t, extras);
      t.consume('WS');
    });
  } else {
    t.consume('WS');
    const left = parseMarkerVar(t);
    t.consume('WS');
    const op = parseMarkerOp(t);
    t.consume('WS');
    const right = parseMarkerVar(t);
    if (op === '==') {
      if (left.variable === 'extra' && right.string !== undefined) extras.push(normaliseExtra(right.string));
      if (right.variable === 'extra' && left.string !== undefined) extras.push(normaliseExtra(left.string));
    }
  }
  t.consume('WS');
}

function parseMarkerVar(t: Tokenizer): { variable?: string; string?: string } {
  if (t.check('VARIABLE')) return { variable: t.read().replace('.', '_') };
  if (t.check('QUOTED_STRING')) return { string: t.read().slice(1, -1) };
  return t.fail('Expected a marker variable or quoted string');
}

function parseMarkerOp(t: Tokenizer): string {
  if (t.check('IN')) return t.read();
  if (t.check('NOT')) {
    t.read();
    t.expect('WS', "whitespace after 'not'");
    t.expect('IN', "'in' after 'not'");
    return 'not in';
  }
  if (t.check('OP')) return t.read();
  return t.fail('Expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in');
}

/** `parseRequirement`, or undefined with a warning `<where>: not a valid requirement (…)` for bad input. */
export function readRequirement(text: string, where: string, warnings: string[]): Pep508Requirement | undefined {
  try {
    return parseRequirement(text);
  } catch (err) {
    if (!(err instanceof RequirementSyntaxError)) throw err;
    warnings.push(`${where}: not a valid requirement (${err.message}): ${text.slice(0, 120)}`);
    return undefined;
  }
}

/**
 * The one version a specifier set fixes: an `==` without a wildcard, or an `===`. Undefined when it allows a range.
 * (`>=1,==1.4` fixes 1.4 too: every specifier must hold, and `==` admits one version.)
 */
export function pinnedVersionOf(specifier: string): string | undefined {
  for (const spec of specifier.split(',')) {
    const m = /^(===|==)(.+)$/.exec(spec);
    if (m && !m[2]!.endsWith('.*')) return m[2]!;
  }
  return undefined;
}

/**
 * A parsed requirement as a declared PyPI dependency: an extra-only requirement of a runtime section is optional; a
 * direct reference is installed from its URL, pinned when the URL names a wheel (`pinnedOfUrl`).
 */
export function declaredFromRequirement(req: Pep508Requirement, where: string, scope: DependencyScope, extra: { hashes?: string[]; pinnedOfUrl?: (url: string) => string | undefined; sourceOfUrl?: (url: string) => DeclaredDependency['source'] } = {}): DeclaredDependency {
  const pinned = req.url ? extra.pinnedOfUrl?.(req.url) : pinnedVersionOf(req.specifier);
  return {
    ecosystem: 'pypi',
    name: req.name,
    ...(req.specifier ? { versionRange: req.specifier } : {}),
    ...(pinned ? { pinnedVersion: pinned } : {}),
    scope: req.markerExtras.length && scope === 'runtime' ? 'optional' : scope,
    evidence: where,
    direct: true,
    source: req.url ? (extra.sourceOfUrl?.(req.url) ?? 'url') : 'registry',
    ...(req.url ? { reference: req.url } : {}),
    ...(req.extras.length ? { extras: req.extras.map(normaliseExtra) } : {}),
    ...(req.marker ? { marker: req.marker } : {}),
    ...(extra.hashes?.length ? { hashes: extra.hashes } : {}),
  };
}
