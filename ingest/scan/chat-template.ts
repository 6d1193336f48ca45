/**
 * Whether a chat template can reach Python internals when a renderer runs it in a plain (unsandboxed) jinja2
 * Environment, as llama-cpp-python did before CVE-2024-34359. Every route from a template to an attribute is
 * checked, in the direction of safety:
 *
 * - a name, attribute or string that spells a dunder (`__class__`, escapes decoded as jinja2 decodes them), and an
 *   attribute a sandbox refuses (a leading `_`, frames, code, generators, `mro`);
 * - a subscript `x[key]` (jinja2 falls back to `getattr` for a str key) whose key is not a literal and could be a
 *   str: `''[u ~ 'class' ~ u]`, `x[k]` with `{% set k = '_' * 2 %}`; numbers, slices and arithmetic are fine;
 * - filters that look attributes up by name (`attr`, the `attribute=` of `map`, `selectattr`, `sort`, … and
 *   `map('attr', …)`) with anything but a plain literal name, and `str.format`, which reads `{0.attr}` fields;
 * - the Jinja globals sandbox escapes start from (`lipsum`, `cycler`, `joiner`, Flask's `config`, `request`).
 *
 * Ordinary chat templates (message loops, role checks, `raise_exception`, `namespace()`, literal keys like
 * `message['content']`, `messages[0]`, `messages[1:]`, `loop.index0 + 1`) pass. A template the scanner cannot
 * parse as Jinja is not vouched for.
 */
import { JinjaSyntaxError, lexJinja, type JinjaToken } from './jinja-lexer.ts';
import { parseJinjaTemplate, type JinjaArgs, type JinjaBindings, type JinjaExpr } from './jinja-parser.ts';

export interface TemplateRisk {
  verdict: 'dangerous' | 'suspicious';
  why: string;
}

const DUNDER = /__[A-Za-z_]\w*__|_TemplateReference__context/;
/** Attributes jinja2's sandbox refuses besides `_`-names: function, method, frame, code and generator internals. */
const INTERNAL_ATTRIBUTE = /^_|^(func|im|gi|cr|ag|f|tb|co)_|^mro$/;
const ESCAPE_GLOBALS = new Set(['lipsum', 'cycler', 'joiner', 'url_for', 'get_flashed_messages']);
const ESCAPE_OBJECTS = new Set(['config', 'request']);
/** Filters whose attribute argument is a dotted path of `getattr`/`getitem` lookups, and where that argument sits. */
const ATTRIBUTE_FILTERS: Readonly<Record<string, number>> = {
  map: -1, selectattr: 0, rejectattr: 0, groupby: 0, sum: 0, sort: 2, unique: 1, min: 1, max: 1, join: 1,
};
/** Filters and loop attributes that always give a number (a number never becomes an attribute name). */
const NUMERIC_FILTERS = new Set(['length', 'count', 'int', 'float', 'abs', 'round', 'wordcount']);
const NUMERIC_LOOP_ATTRIBUTES = new Set(['index', 'index0', 'revindex', 'revindex0', 'length', 'depth', 'depth0', 'first', 'last']);

const CVE = 'the CVE-2024-34359 route to code execution';

/**
 * Expression trees deeper than this are not walked: jinja2 compiles a template by recursing through the tree and
 * gives up (RecursionError) far earlier, so such a template never renders.
 */
const MAX_DEPTH = 1000;

/** Why a template can reach Python internals (dangerous), or cannot be read (suspicious); undefined when neither. */
export function templateRisk(template: string): TemplateRisk | undefined {
  try {
    const tokens = lexJinja(template);
    const literal = tokenRisk(tokens);
    if (literal) return { verdict: 'dangerous', why: literal };
    const { expressions, bindings } = parseJinjaTemplate(tokens);
    let doubtful: TemplateRisk | undefined;
    for (const e of expressions) {
      const risk = exprRisk(e, 0, bindings);
      if (risk?.verdict === 'dangerous') return risk;
      doubtful ??= risk;
    }
    return doubtful;
  } catch (err) {
    if (!(err instanceof JinjaSyntaxError)) throw err;
    const dunder = DUNDER.exec(template);
    if (dunder) return { verdict: 'dangerous', why: `uses ${dunder[0]} (Python internals, ${CVE})` };
    return { verdict: 'suspicious', why: `is not Jinja the scanner can parse (${err.message}); what a renderer makes of it is not vouched for` };
  }
}

/** Names and strings anywhere in the code: a dunder, however it is spelled, or a Jinja sandbox-escape global. */
function tokenRisk(tokens: JinjaToken[]): string | undefined {
  for (const t of tokens) {
    if (t.type !== 'name' && t.type !== 'string') continue;
    const dunder = DUNDER.exec(t.value);
    if (dunder) return `uses ${dunder[0]} (Python internals, ${CVE})`;
    if (t.type === 'name' && ESCAPE_GLOBALS.has(t.value)) return `uses ${t.value} (a known Jinja sandbox-escape object)`;
  }
  return undefined;
}

const tooDeep = (depth: number) => {
  if (depth > MAX_DEPTH) throw new JinjaSyntaxError(`an expression nested more than ${MAX_DEPTH} deep`);
};

const isStringConst = (e: JinjaExpr): e is { k: 'const'; value: string; namedEscapes?: string[] } => e.k === 'const' && typeof e.value === 'string';
const resolved = (e: { namedEscapes?: string[] }) => (e.namedEscapes ?? []).length === 0;

/** Why reading attribute `name` (by `.name`, a literal key or a filter's path) is risky, or undefined. */
function attributeNameRisk(name: string): string | undefined {
  if (INTERNAL_ATTRIBUTE.test(name)) return `reads the internal attribute "${name.slice(0, 60)}" (${CVE})`;
  return undefined;
}

/** `str.format` reads attributes and items named inside its fields: only a literal without such fields is plain. */
function formatRisk(receiver: JinjaExpr): string | undefined {
  if (isStringConst(receiver) && resolved(receiver) && !/\{[^{}]*[.[]/.test(receiver.value)) return undefined;
  return `calls str.format on ${isStringConst(receiver) ? 'a format string whose fields read attributes' : 'a string built at render time'}, which reads attributes by name (${CVE})`;
}

/** Whether an expression may evaluate to a str: only numbers, booleans, containers and arithmetic are known not to. */
function mayBeString(e: JinjaExpr, depth = 0): boolean {
  tooDeep(depth);
  const may = (x: JinjaExpr) => mayBeString(x, depth + 1);
  switch (e.k) {
    case 'const':
      return typeof e.value === 'string';
    case 'list':
    case 'tuple':
    case 'dict':
    case 'slice':
    case 'compare':
      return false;
    case 'unary':
      return false; // -x, +x and not x are never a str
    case 'binary':
      if (e.op === '-' || e.op === '/' || e.op === '//' || e.op === '**') return false;
      if (e.op === '+') return may(e.left) && may(e.right); // str + int raises
      if (e.op === '%') return may(e.left);
      return may(e.left) || may(e.right); // *, and, or
    case 'cond':
      return may(e.then) || (e.otherwise !== undefined && may(e.otherwise));
    case 'filter':
      return !NUMERIC_FILTERS.has(e.name);
    case 'test':
      return false;
    case 'getattr':
      return !(e.obj.k === 'name' && e.obj.name === 'loop' && NUMERIC_LOOP_ATTRIBUTES.has(e.attr));
    default:
      return true; // names, lookups, calls, concatenation
  }
}

function subscriptRisk(obj: JinjaExpr, key: JinjaExpr, bindings: JinjaBindings): TemplateRisk | undefined {
  if (key.k === 'slice' || key.k === 'tuple') return undefined; // never a str, so never an attribute
  // x['a' if c else 'b'], x[a or b]: the key is one of the branches
  if (key.k === 'cond') return worse(subscriptRisk(obj, key.then, bindings), key.otherwise && subscriptRisk(obj, key.otherwise, bindings));
  if (key.k === 'binary' && (key.op === 'and' || key.op === 'or')) return worse(subscriptRisk(obj, key.left, bindings), subscriptRisk(obj, key.right, bindings));
  if (isStringConst(key)) {
    if (!resolved(key)) return dangerous(`looks up a key spelled with \\N{…} escapes the scanner cannot resolve (${CVE})`);
    if (key.value === 'format' || key.value === 'format_map') return dangerous(formatRisk(obj));
    return dangerous(attributeNameRisk(key.value));
  }
  if (!mayBeString(key)) return undefined;
  // A key the template spells itself can be a dunder it assembles; a key taken from what the renderer passes
  // (`basic_type_map[json_spec.type]` in tool-use templates) is only as hostile as that input, so it is doubted,
  // not condemned.
  if (builtByTemplate(key, bindings, new Set())) return dangerous(`looks up an attribute or item by a name the template builds at render time (jinja2 falls back to getattr for a str key; ${CVE})`);
  return { verdict: 'suspicious', why: 'looks up an item by a key taken from render-time input; jinja2 falls back to getattr for a str key, so such input could reach Python internals' };
}

const dangerous = (why: string | undefined): TemplateRisk | undefined => (why ? { verdict: 'dangerous', why } : undefined);
const worse = (a: TemplateRisk | undefined, b: TemplateRisk | undefined) => (a?.verdict === 'dangerous' ? a : b?.verdict === 'dangerous' ? b : (a ?? b));

/**
 * Whether an expression's value is made by the template: it holds a string literal, directly or through the names
 * the template binds (`{% set k = '_' * 2 %}`, a loop over a literal list), rather than coming only from what the
 * renderer passes (messages, tools, a macro's arguments).
 */
function builtByTemplate(e: JinjaExpr, bindings: JinjaBindings, seen: Set<string>, depth = 0): boolean {
  tooDeep(depth);
  const built = (x: JinjaExpr | undefined) => x !== undefined && builtByTemplate(x, bindings, seen, depth + 1);
  switch (e.k) {
    case 'const':
      return typeof e.value === 'string';
    case 'name': {
      if (seen.has(e.name)) return false;
      seen.add(e.name);
      return (bindings.get(e.name) ?? []).some((b) => built(b.value));
    }
    case 'getattr':
      return built(e.obj);
    case 'getitem':
      return built(e.obj) || built(e.key);
    case 'list':
    case 'tuple':
    case 'concat':
    case 'compare':
      return e.items.some(built);
    case 'dict':
      return e.pairs.flat().some(built);
    case 'slice':
      return e.parts.some(built);
    case 'call':
      return [e.fn, ...e.args, ...e.kwargs.map(([, v]) => v), ...e.dynamic].some(built);
    case 'filter':
    case 'test':
      return [e.node, ...e.args, ...e.kwargs.map(([, v]) => v), ...e.dynamic].some(built);
    case 'unary':
      return built(e.node);
    case 'binary':
      return built(e.left) || built(e.right);
    case 'cond':
      return built(e.then) || built(e.otherwise);
  }
}

/** An attribute path as the attribute filters take it: a literal, each dotted part a plain name or an index. */
function attributePathRisk(filter: string, arg: JinjaExpr | undefined): string | undefined {
  if (arg === undefined) return undefined;
  if (arg.k === 'const' && typeof arg.value !== 'string') return undefined;
  if (!isStringConst(arg) || !resolved(arg)) return `passes ${filter} an attribute name computed at render time (${CVE})`;
  for (const part of arg.value.split('.')) {
    const why = /^\d+$/.test(part) ? undefined : attributeNameRisk(part);
    if (why) return `${filter} ${why}`;
  }
  return undefined;
}

function filterRisk(name: string, a: JinjaArgs): string | undefined {
  if (name === 'attr') return 'uses the attr filter (attribute access by a computed name)';
  const slot = ATTRIBUTE_FILTERS[name];
  if (slot === undefined) return undefined;
  if (a.dynamic.length > 0) return `passes ${name} arguments unpacked at render time (${CVE})`;
  const byKeyword = a.kwargs.find(([k]) => k === 'attribute')?.[1];
  if (byKeyword) return attributePathRisk(name, byKeyword);
  if (slot >= 0) return attributePathRisk(name, a.args[slot]);
  // map without attribute= applies the filter named by its first argument
  const applied = a.args[0];
  if (applied === undefined) return undefined;
  if (!isStringConst(applied) || !resolved(applied)) return `map applies a filter named at render time (${CVE})`;
  if (applied.value === 'attr' || ATTRIBUTE_FILTERS[applied.value] !== undefined) return `map applies the ${applied.value} filter, which reads attributes by name (${CVE})`;
  return undefined;
}

/** The first risk found in the expression tree, depth first: a dangerous one before any doubtful one. */
function exprRisk(e: JinjaExpr, depth: number, bindings: JinjaBindings): TemplateRisk | undefined {
  tooDeep(depth);
  let own: TemplateRisk | undefined;
  let children: Array<JinjaExpr | undefined> = [];
  switch (e.k) {
    case 'name':
      return undefined;
    case 'const': {
      // adjacent literals are one string: '__cla' 'ss__'
      const dunder = typeof e.value === 'string' ? DUNDER.exec(e.value) : null;
      return dunder ? { verdict: 'dangerous', why: `uses ${dunder[0]} (Python internals, ${CVE})` } : undefined;
    }
    case 'list':
    case 'tuple':
    case 'concat':
    case 'compare':
      children = e.items;
      break;
    case 'dict':
      children = e.pairs.flat();
      break;
    case 'slice':
      children = e.parts;
      break;
    case 'getattr':
      if (e.obj.k === 'name' && ESCAPE_OBJECTS.has(e.obj.name)) own = dangerous(`uses ${e.obj.name}.${e.attr} (a known Jinja sandbox-escape object)`);
      else own = dangerous(e.attr === 'format' || e.attr === 'format_map' ? formatRisk(e.obj) : attributeNameRisk(e.attr));
      children = [e.obj];
      break;
    case 'getitem':
      if (e.obj.k === 'name' && ESCAPE_OBJECTS.has(e.obj.name)) own = dangerous(`uses ${e.obj.name}[…] (a known Jinja sandbox-escape object)`);
      else own = subscriptRisk(e.obj, e.key, bindings);
      children = [e.obj, e.key];
      break;
    case 'call':
      children = [e.fn, ...e.args, ...e.kwargs.map(([, v]) => v), ...e.dynamic];
      break;
    case 'filter':
      own = dangerous(filterRisk(e.name, e));
      children = [e.node, ...e.args, ...e.kwargs.map(([, v]) => v), ...e.dynamic];
      break;
    case 'test':
      children = [e.node, ...e.args, ...e.kwargs.map(([, v]) => v), ...e.dynamic];
      break;
    case 'unary':
      children = [e.node];
      break;
    case 'binary':
      children = [e.left, e.right];
      break;
    case 'cond':
      children = [e.test, e.then, e.otherwise];
      break;
  }
  if (own?.verdict === 'dangerous') return own;
  for (const c of children) {
    const risk = c && exprRisk(c, depth + 1, bindings);
    if (risk?.verdict === 'dangerous') return risk;
    own ??= risk;
  }
  return own;
}
