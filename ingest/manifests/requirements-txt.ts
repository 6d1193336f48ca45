/**
 * pip requirements files, read the way pip's `req_file.py` reads them: lines ending in `\` are joined, a `#`
 * at the start or after whitespace starts a comment, a line is split into requirement and options at the first
 * token that starts with `-`, then the requirement is a URL or path (name from `#egg=` or a wheel's file name,
 * marker after `; `) or a PEP 508 string. `-r`/`-c` includes are reported, not followed (the caller may hold the
 * other file); index options are kept, as they decide where names resolve (dependency confusion).
 */
import { declaredFromRequirement, readRequirement } from './pep508.ts';
import type { DeclaredDependency, DependencyScope, ManifestInclude, ManifestResult } from './types.ts';

/** One logical line: text after joining continuations, and the line number it starts on (1-based). */
export interface LogicalLine {
  text: string;
  line: number;
}

const COMMENT = /(^|\s+)#.*$/;

/** pip's `join_lines` then `ignore_comments`: continuations joined, comments and blank lines dropped. */
export function logicalLines(text: string): LogicalLine[] {
  const out: LogicalLine[] = [];
  let pending: string[] = [];
  let start = 0;
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const emit = (raw: string, line: number) => {
    const stripped = raw.replace(COMMENT, '').trim();
    if (stripped) out.push({ text: stripped, line });
  };
  lines.forEach((raw, i) => {
    const isComment = /^\s*#/.test(raw);
    if (!raw.endsWith('\\') || isComment) {
      if (pending.length) {
        // A comment line ends a continuation without contributing to it (pip prefixes it with a space).
        emit(pending.join('') + (isComment ? '' : raw), start);
        pending = [];
      } else emit(raw, i + 1);
      return;
    }
    if (!pending.length) start = i + 1;
    pending.push(raw.replace(/\\+$/, ''));
  });
  if (pending.length) emit(pending.join(''), start);
  return out;
}

/** pip's `break_args_options`: the requirement is the tokens before the first one starting with `-`. */
function breakArgsOptions(line: string): { args: string; options: string[] } {
  const tokens = line.split(' ');
  const at = tokens.findIndex((t) => t.startsWith('-'));
  const args = at < 0 ? tokens : tokens.slice(0, at);
  const options = at < 0 ? [] : tokens.slice(at).join(' ').trim().split(/\s+/).filter(Boolean);
  return { args: args.join(' ').trim(), options };
}

/** Options that take a value, by every spelling pip accepts, and what they are. */
const VALUE_OPTIONS: Record<string, string> = {
  '-r': 'requirement', '--requirement': 'requirement',
  '-c': 'constraint', '--constraint': 'constraint',
  '-e': 'editable', '--editable': 'editable',
  '-i': 'index-url', '--index-url': 'index-url',
  '--extra-index-url': 'extra-index-url',
  '-f': 'find-links', '--find-links': 'find-links',
  '--trusted-host': 'trusted-host',
  '--no-binary': 'no-binary', '--only-binary': 'only-binary',
  '--use-feature': 'use-feature',
  '--hash': 'hash', '--config-settings': 'config-settings', '--global-option': 'global-option',
};
const FLAG_OPTIONS = new Set(['--no-index', '--pre', '--prefer-binary', '--require-hashes']);

interface ParsedOption {
  name: string;
  value?: string;
}

/** optparse's reading of option tokens: `--name=value`, `--name value`, `-Xvalue`, `-X value`. */
function parseOptions(tokens: string[]): { options: ParsedOption[]; unknown: string[] } {
  const options: ParsedOption[] = [];
  const unknown: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const eq = token.startsWith('--') ? token.indexOf('=') : -1;
    const flag = eq > 0 ? token.slice(0, eq) : token.startsWith('--') ? token : token.slice(0, 2);
    if (FLAG_OPTIONS.has(flag)) {
      options.push({ name: flag.slice(2) });
      continue;
    }
    const name = VALUE_OPTIONS[flag];
    if (!name) {
      unknown.push(token);
      continue;
    }
    let value: string | undefined;
    if (eq > 0) value = token.slice(eq + 1);
    else if (!token.startsWith('--') && token.length > 2) value = token.slice(2);
    else value = tokens[++i];
    options.push({ name, ...(value !== undefined ? { value } : {}) });
  }
  return { options, unknown };
}

const URL_SCHEME = /^(?:https?|file|ftp|(?:git|hg|svn|bzr)\+[a-z]+):/i;
const VCS_SCHEME = /^(?:git|hg|svn|bzr)\+/i;

/** The name (and version) a direct reference carries: `#egg=name`, or a wheel file name `name-version-…whl`. */
function nameOfReference(ref: string): { name?: string; version?: string } {
  const egg = /[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(ref);
  if (egg) return { name: egg[1]! };
  const file = ref.split(/[?#]/)[0]!.split('/').pop() ?? '';
  const wheel = /^([A-Za-z0-9](?:[A-Za-z0-9._]*[A-Za-z0-9])?)-([^-]+)(?:-[^-]+)?-[^-]+-[^-]+-[^-]+\.whl$/i.exec(file);
  if (wheel) return { name: wheel[1]!, version: wheel[2]! };
  return {};
}

function sourceOf(ref: string): DeclaredDependency['source'] {
  if (VCS_SCHEME.test(ref)) return 'git';
  if (URL_SCHEME.test(ref) && !/^file:/i.test(ref)) return 'url';
  return 'path';
}

/** pip's `_looks_like_path` on POSIX, and its archive suffixes. */
const looksLikePath = (s: string) => s.includes('/') || s.startsWith('.');
const isArchive = (s: string) => /\.(whl|zip|tar\.gz|tgz|tar\.bz2|tbz|tar\.xz|txz|tar|tar\.lz|tlz)$/i.test(s);

/**
 * pip's `_get_url_from_path` without the file system: a path-like or archive argument is a local reference, unless
 * it holds an `@` after something that is not a path (`name @ https://…/x.tar.gz` is a PEP 508 URL requirement).
 */
function isLocalReference(arg: string): boolean {
  const path = arg.split(';')[0]!.trim().replace(/\[[^\]]*\]$/, '');
  if (!looksLikePath(path) && !isArchive(path)) return false;
  const at = path.indexOf('@');
  return at < 0 || looksLikePath(path.slice(0, at));
}

export interface RequirementLineContext {
  path: string;
  scope: DependencyScope;
}

/** What the lines of a requirements file (or a YAML list of them) give, appended to `into`. */
export function readRequirementLines(lines: LogicalLine[], ctx: RequirementLineContext, into: ManifestResult): void {
  for (const { text, line } of lines) {
    const where = `${ctx.path}:${line}`;
    const { args, options: tokens } = breakArgsOptions(text);
    const { options, unknown } = parseOptions(tokens);
    if (unknown.length) into.warnings.push(`${where}: unknown option ${unknown.slice(0, 3).join(' ').slice(0, 80)} ignored`);
    const hashes = options.filter((o) => o.name === 'hash' && o.value).map((o) => o.value!);
    for (const o of options) {
      if (o.name === 'requirement' || o.name === 'constraint') {
        if (!o.value) into.warnings.push(`${where}: -${o.name[0]} without a file`);
        else {
          const include: ManifestInclude = { kind: o.name === 'requirement' ? 'requirements' : 'constraints', path: o.value, evidence: where };
          into.includes.push(include);
          into.warnings.push(`${where}: ${include.kind} file ${o.value} is not followed`);
        }
      } else if ((o.name === 'index-url' || o.name === 'extra-index-url' || o.name === 'find-links') && o.value) {
        into.indexes.push(o.value);
      } else if (o.name === 'editable') {
        if (!o.value) into.warnings.push(`${where}: -e without a path or URL`);
        else addReference(o.value, where, ctx, into, { editable: true });
      }
    }
    if (!args) continue;
    if (URL_SCHEME.test(args) || isLocalReference(args)) {
      // pip splits a URL's marker at "; " (a bare ';' can be part of a URL), a path's at ';'.
      const sep = URL_SCHEME.test(args) ? '; ' : ';';
      const cut = args.indexOf(sep);
      const ref = (cut < 0 ? args : args.slice(0, cut)).trim();
      const marker = cut < 0 ? undefined : args.slice(cut + sep.length).trim();
      addReference(ref, where, ctx, into, { hashes, ...(marker ? { marker } : {}) });
      continue;
    }
    const req = readRequirement(args, where, into.warnings);
    if (!req) continue;
    into.dependencies.push(declaredFromRequirement(req, where, ctx.scope, { hashes, pinnedOfUrl: (url) => nameOfReference(url).version, sourceOfUrl: sourceOf }));
  }
}

function addReference(ref: string, where: string, ctx: RequirementLineContext, into: ManifestResult, extra: { editable?: boolean; hashes?: string[]; marker?: string }): void {
  const { name, version } = nameOfReference(ref);
  if (!name) {
    into.warnings.push(`${where}: ${extra.editable ? 'editable ' : ''}reference ${ref.slice(0, 120)} names no package (no #egg= and not a wheel); not recorded`);
    return;
  }
  into.dependencies.push({
    ecosystem: 'pypi',
    name,
    ...(version ? { pinnedVersion: version } : {}),
    scope: ctx.scope,
    evidence: where,
    direct: true,
    source: sourceOf(ref),
    reference: ref,
    ...(extra.marker ? { marker: extra.marker } : {}),
    ...(extra.hashes?.length ? { hashes: extra.hashes } : {}),
  });
}

export function emptyResult(format: ManifestResult['format']): ManifestResult {
  return { format, dependencies: [], warnings: [], includes: [], indexes: [] };
}

export function parseRequirementsTxt(text: string, path: string, scope: DependencyScope = 'runtime'): ManifestResult {
  const result = emptyResult('requirements.txt');
  readRequirementLines(logicalLines(text), { path, scope }, result);
  return result;
}
