/**
 * What a graph key means, read from the key-format table in `model.ts`: parse a key, build one, its kind, its
 * owner, a short label, the page it stands for, its purl, and the key of a purl or a page URL. This is the one
 * place that takes keys apart; ingestors build keys here so that every source writes the same key for one thing.
 * Pure string work. Keys may be hostile, so every piece that goes into a URL or a purl is encoded.
 */
import {
  KEY_FORMATS,
  PURL_TYPES,
  SOURCE_SPECS,
  type KeyFormatSpec,
  type NodeKind,
  type PurlMapping,
  type SourceId,
} from './model.ts';

/** One segment: anything but '/', control characters and NUL. Hostile text is data, not syntax. */
const ONE_SEGMENT = String.raw`[^/\u0000-\u001f\u007f]+`;
/** A part that may hold '/' (a path inside a repository). */
const MANY_SEGMENTS = String.raw`[^\u0000-\u001f\u007f]+`;

type Token = { literal: string } | { part: string; many: boolean };

interface CompiledFormat {
  spec: KeyFormatSpec;
  tokens: Token[];
  /** Literal text before the first part: a cheap test before the pattern. */
  prefix: string;
  pattern: RegExp;
  /** The same pattern with match indices (`d`), for the callers that cut a key where a part starts. */
  indexed: RegExp;
  /**
   * For a format that names an owner: the same language with the owner as its only (numbered) group — no groups
   * object per match, for ownerOfKey, which analyses call once per edge.
   */
  ownerPattern: RegExp | undefined;
  ownerMany: boolean;
  /**
   * The owner is the first part, right after the prefix, of the default one-segment pattern, and a literal '/'
   * follows it: it ends at the first '/' after the prefix, so a key the pattern accepts gives its owner by a cut,
   * with no match object (`hf:model/<owner>/<name>`, `gh:repo/<owner>/<name>`).
   */
  ownerCut: boolean;
  /** Where a label starts when the first part after the literal prefix is the first one a label keeps. */
  labelStart: number | undefined;
  parts: { name: string; many: boolean }[];
}

export interface ParsedKey {
  format: KeyFormatSpec;
  /** Part values, decoded (one-segment parts have `%2F` / `%25` turned back into `/` / `%`). */
  parts: Readonly<Record<string, string>>;
}

/** Endpoints configured per source (web origins, optionally with a base path); defaults come from `SOURCE_SPECS`. */
export type Endpoints = Partial<Record<SourceId, string>>;

export class KeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyError';
  }
}

function tokenize(template: string): Token[] {
  const tokens: Token[] = [];
  const re = /<([a-z0-9]+)(…)?>/giu;
  let at = 0;
  for (let m = re.exec(template); m; m = re.exec(template)) {
    if (m.index > at) tokens.push({ literal: template.slice(at, m.index) });
    tokens.push({ part: m[1]!, many: m[2] !== undefined });
    at = m.index + m[0].length;
  }
  if (at < template.length) tokens.push({ literal: template.slice(at) });
  return tokens;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/gu, '\\$&');

function compile(spec: KeyFormatSpec): CompiledFormat {
  const tokens = tokenize(spec.template);
  const first = tokens[0];
  const prefix = first && 'literal' in first ? first.literal : '';
  const partPattern = (t: { part: string; many: boolean }) => spec.partPatterns?.[t.part] ?? (t.many ? MANY_SEGMENTS : ONE_SEGMENT);
  // ownerPattern finds the owner as group 1: a part pattern must not capture (a model error, caught at load).
  for (const [part, re] of Object.entries(spec.partPatterns ?? {})) {
    if (/\((?!\?)/u.test(re.replace(/\\./gu, ''))) throw new Error(`key format ${spec.id}: the pattern of <${part}> has a capturing group; use (?:…)`);
  }
  const body = (group: (t: { part: string; many: boolean }) => string) => tokens.map((t) => ('literal' in t ? escapeRegExp(t.literal) : group(t))).join('');
  const parts = tokens.filter((t): t is { part: string; many: boolean } => 'part' in t).map((t) => ({ name: t.part, many: t.many }));
  // Match indices (`d`) make every match about twice as slow, and most callers (kindOfKey, ownerOfKey: once per
  // edge of an analysis) want only the parts; labels and short keys use the indexed twin.
  const source = `^(?:${body((t) => `(?<${t.part}>${partPattern(t)})`)})$`;
  const owner = spec.owner ? parts.find((p) => p.name === spec.owner) : undefined;
  const second = tokens[1];
  const ownerSource = owner ? `^(?:${body((t) => (t.part === owner.name ? `(${partPattern(t)})` : `(?:${partPattern(t)})`))})$` : undefined;
  const afterOwner = tokens[2];
  const ownerCut =
    owner !== undefined && !owner.many && !spec.partPatterns?.[owner.name] && second !== undefined && 'part' in second && second.part === owner.name &&
    afterOwner !== undefined && 'literal' in afterOwner && afterOwner.literal.startsWith('/');
  const firstLabelled = parts.find((p) => p.name !== 'type');
  const labelStart = prefix && firstLabelled && second && 'part' in second && second.part === firstLabelled.name ? prefix.length : undefined;
  return {
    spec,
    tokens,
    prefix,
    pattern: new RegExp(source, 'u'),
    indexed: new RegExp(source, 'du'),
    ownerPattern: ownerSource ? new RegExp(ownerSource, 'u') : undefined,
    ownerMany: owner?.many ?? false,
    ownerCut,
    labelStart,
    parts,
  };
}

const COMPILED: readonly CompiledFormat[] = KEY_FORMATS.map(compile);
const BY_ID = new Map(COMPILED.map((c) => [c.spec.id, c]));
// formatsOf narrows by the scheme: every template starts with one, then ':'. Table order decides between
// overlapping templates.
for (const c of COMPILED) {
  if (c.prefix.indexOf(':') <= 0) throw new Error(`key format ${c.spec.id}: its template must start with a scheme and ':' (${c.spec.template})`);
}
const NO_FORMATS: readonly CompiledFormat[] = [];
/** Candidate lists by the code formatsOf computes, filled as keys of each shape arrive (only lists that hold a format, so keys of no format add nothing). */
const CANDIDATES = new Map<number, readonly CompiledFormat[]>();

/**
 * The formats a key may be, in table order: those whose scheme is as long as the key's and starts with the same
 * character, and whose prefix continues with the key's character after the ':' (or ends at the ':'). Looked up by
 * a number made of those three, so no string is cut out of the key and hashed: analyses call this once per edge,
 * and walking every format of a scheme with startsWith was most of what kindOfKey cost. The caller still tests
 * each candidate's prefix and pattern; this only narrows the list.
 */
function formatsOf(key: string): readonly CompiledFormat[] {
  if (typeof key !== 'string') return NO_FORMATS;
  const colon = key.indexOf(':');
  if (colon <= 0) return NO_FORMATS;
  const first = key.charCodeAt(0);
  const next = key.charCodeAt(colon + 1); // NaN at the end of the key
  if (colon >= 16 || first >= 128 || !(next < 65536)) return candidatesFor(colon, first, next);
  const code = (colon << 23) | (first << 16) | next;
  let list = CANDIDATES.get(code);
  if (!list) {
    list = candidatesFor(colon, first, next);
    if (list.length) CANDIDATES.set(code, list);
  }
  return list;
}

function candidatesFor(colon: number, first: number, next: number): readonly CompiledFormat[] {
  return COMPILED.filter((c) => c.prefix.indexOf(':') === colon && c.prefix.charCodeAt(0) === first && (c.prefix.length === colon + 1 || c.prefix.charCodeAt(colon + 1) === next));
}

/** The format a key is, or undefined: a test per candidate, no match object (kindOfKey runs once per node). */
function formatOf(key: string): CompiledFormat | undefined {
  for (const compiled of formatsOf(key)) if (key.startsWith(compiled.prefix) && compiled.pattern.test(key)) return compiled;
  return undefined;
}

function compiledOf(key: string, withIndices = false): { compiled: CompiledFormat; match: RegExpExecArray } | undefined {
  for (const compiled of formatsOf(key)) {
    if (!key.startsWith(compiled.prefix)) continue;
    const match = (withIndices ? compiled.indexed : compiled.pattern).exec(key);
    if (match) return { compiled, match };
  }
  return undefined;
}

const encodeOneSegment = (value: string) => value.replace(/%/gu, '%25').replace(/\//gu, '%2F');
const decodeOneSegment = (value: string) => (value.includes('%') ? value.replace(/%2F/giu, '/').replace(/%25/gu, '%') : value);

/** The format and decoded parts of a key, or undefined when it matches no format. */
export function parseKey(key: string): ParsedKey | undefined {
  const found = compiledOf(key);
  if (!found) return undefined;
  const parts: Record<string, string> = {};
  for (const p of found.compiled.parts) {
    const raw = found.match.groups![p.name]!;
    parts[p.name] = p.many ? raw : decodeOneSegment(raw);
  }
  return { format: found.compiled.spec, parts };
}

/** The node kind a key belongs to, or undefined. Key formats are disjoint (table order decides overlaps). */
export function kindOfKey(key: string): NodeKind | undefined {
  return formatOf(key)?.spec.kind;
}

/** The key formats of a node kind, as people read them (for messages and docs). */
export function keyFormatsOf(kind: NodeKind): string[] {
  return KEY_FORMATS.filter((f) => f.kind === kind).map((f) => f.template);
}

export function keyFormat(id: string): KeyFormatSpec {
  const compiled = BY_ID.get(id);
  if (!compiled) throw new KeyError(`unknown key format "${id}"`);
  return compiled.spec;
}

/**
 * Builds the key of format `id` from its parts; throws KeyError when a part is missing or would not parse back
 * (an empty name, a control character, a sha that is not one). Case-insensitive formats are written lower-case.
 */
export function keyOf(id: string, parts: Readonly<Record<string, string>>): string {
  const compiled = BY_ID.get(id);
  if (!compiled) throw new KeyError(`unknown key format "${id}"`);
  const fold = compiled.spec.caseInsensitive ? (v: string) => v.toLowerCase() : (v: string) => v;
  const key = compiled.tokens
    .map((t) => {
      if ('literal' in t) return t.literal;
      const value = parts[t.part];
      if (typeof value !== 'string' || value === '') throw new KeyError(`${compiled.spec.template}: <${t.part}> is missing`);
      return fold(t.many ? value : encodeOneSegment(value));
    })
    .join('');
  // The key must read back as the same format and the same parts: a part that holds the template's own
  // separators (an `@` where `@<digest>` follows) would otherwise make a key that means something else.
  const parsed = parseKey(key);
  const same = parsed?.format === compiled.spec && compiled.parts.every((p) => parsed.parts[p.name] === fold(parts[p.name]!));
  if (!same) throw new KeyError(`${compiled.spec.template}: ${JSON.stringify(key.slice(0, 200))} is not a valid key`);
  return key;
}

/** `keyOf`, or undefined instead of an error: for parts read from upstream data that may be malformed. */
export function tryKeyOf(id: string, parts: Readonly<Record<string, string | undefined>>): string | undefined {
  try {
    return keyOf(id, parts as Record<string, string>);
  } catch (err) {
    if (err instanceof KeyError) return undefined;
    throw err;
  }
}

/** Whether the key names one immutable revision of its asset (a registry version): consuming it is pinned. */
export function keyPinsRevision(key: string): boolean {
  return parseKey(key)?.format.pinsRevision === true;
}

/** The owning user or organisation a key names (as written), or undefined (packages, legacy ids, MLflow). */
export function ownerOfKey(key: string): string | undefined {
  // compiledOf's walk, with the owner-only twin of each pattern (it matches the same keys).
  for (const c of formatsOf(key)) {
    if (!key.startsWith(c.prefix)) continue;
    if (!c.ownerPattern || c.ownerCut) {
      if (!c.pattern.test(key)) continue;
      return c.ownerPattern ? decodeOneSegment(key.slice(c.prefix.length, key.indexOf('/', c.prefix.length))) : undefined;
    }
    const m = c.ownerPattern.exec(key);
    if (m) return c.ownerMany ? m[1]! : decodeOneSegment(m[1]!);
  }
  return undefined;
}

/**
 * The owner a key names as owners are compared — lower-cased, since Hub and GitHub names are case-insensitive
 * (`hf:model/Acme/x` and an `org: "acme"` mean one organisation) — or undefined.
 */
export function ownerNameOfKey(key: string): string | undefined {
  return ownerOfKey(key)?.toLowerCase();
}

/**
 * A short name for people: the key without its format prefix (`hf:model/acme/x` → `acme/x`, `pkg:pypi/torch@2.1.0`
 * → `torch@2.1.0`, `vuln:GHSA-…` → `GHSA-…`). A part named `type` counts as prefix. Unknown keys are returned whole.
 */
export function labelOfKey(key: string): string {
  const found = compiledOf(key, true);
  return found ? labelOf(key, found) : key;
}

function labelOf(key: string, found: { compiled: CompiledFormat; match: RegExpExecArray }): string {
  if (found.compiled.labelStart !== undefined) return key.slice(found.compiled.labelStart);
  const firstNamed = found.compiled.parts.find((p) => p.name !== 'type');
  if (!firstNamed) return key;
  return key.slice(found.match.indices!.groups![firstNamed.name]![0]);
}

/** Key parts that hold a commit or content hash: shortened when a key is shown to a person. */
const HASH_PARTS = ['sha', 'sha256', 'digest'];

/**
 * The key as a person reads it: a full commit or content hash in it (`…/pytorch_model.bin@<40 hex>`) cut to its
 * first `hexChars` characters. For display only — the result may not be a key; `--json` keeps full keys.
 */
export function shortKey(key: string, hexChars = 12): string {
  const found = compiledOf(key, true);
  if (!found) return key;
  const spans = found.compiled.parts
    .filter((p) => HASH_PARTS.includes(p.name))
    .map((p) => found.match.indices!.groups![p.name]!)
    .filter(([start, end]) => end - start > hexChars && /^[0-9a-f]+$/i.test(key.slice(start, end)))
    .sort((a, b) => b[0] - a[0]);
  let out = key;
  for (const [start, end] of spans) out = out.slice(0, start + hexChars) + out.slice(end);
  return out;
}

/** labelOfKey, with hashes shortened (see shortKey). Hash parts come after the label's start, so one cut serves both. */
export function shortLabel(key: string, hexChars = 12): string {
  return shortKey(key, hexChars).slice(key.length - labelOfKey(key).length);
}

/** The bare, lower-cased name of an identity key (`hf:org/Acme` → `acme`, `gh:team/acme/ml` → `acme/ml`), or of a plain name. */
export function identityName(value: string): string {
  const format = formatOf(value);
  if (format?.spec.kind !== 'Identity') return value.toLowerCase();
  if (format.labelStart !== undefined) return value.slice(format.labelStart).toLowerCase();
  return labelOf(value, compiledOf(value, true)!).toLowerCase();
}

/** Where a source's pages are: the configured endpoint, else the public default, else undefined. */
export function webEndpoint(source: SourceId, endpoints: Endpoints = {}): string | undefined {
  const configured = endpoints[source] ?? SOURCE_SPECS[source].defaultWebUrl;
  return configured?.replace(/\/+$/u, '');
}

/** A part as it goes into a URL: each path segment URL-encoded; dot segments have no safe URL and give none. */
function urlPart(value: string, many: boolean): string | undefined {
  const segments = many ? value.split('/') : [value];
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return undefined;
  return segments.map(encodeURIComponent).join('/');
}

function fillUrl(template: string, endpoint: string, values: Record<string, { value: string; many: boolean } | undefined>): string | undefined {
  let ok = true;
  const url = template.replace(/\{([a-z0-9]+)(\/?)\}/giu, (_, name: string, slash: string) => {
    if (name === 'endpoint') return endpoint;
    const v = values[name];
    if (v === undefined) {
      if (slash) return ''; // an optional part (an npm namespace) that this key has not
      ok = false;
      return '';
    }
    const encoded = urlPart(v.value, v.many);
    if (encoded === undefined) ok = false;
    return `${encoded ?? ''}${slash}`;
  });
  return ok ? url : undefined;
}

/**
 * The page a person opens for a key, on the configured endpoint of its source (or the public default); undefined
 * when the format has no page or the source no known endpoint (an MLflow server nobody configured).
 */
export function urlOfKey(key: string, endpoints: Endpoints = {}): string | undefined {
  const found = compiledOf(key);
  if (!found) return undefined;
  const spec = found.compiled.spec;
  if (spec.id === 'package') {
    const purl = parsePurl(key);
    const type = purl && PURL_TYPES[purl.type];
    const endpoint = type?.source && webEndpoint(type.source, endpoints);
    if (!purl || !type?.url || !endpoint || purl.version === undefined) return undefined;
    const namespace = purl.namespace.length ? { value: purl.namespace.join('/'), many: true } : undefined;
    return fillUrl(type.url, endpoint, {
      namespace,
      name: { value: purl.name, many: false },
      version: { value: purl.version, many: false },
    });
  }
  const endpoint = webEndpoint(spec.source, endpoints);
  if (!spec.url || !endpoint) return undefined;
  const parsed = parseKey(key)!;
  const values = Object.fromEntries(found.compiled.parts.map((p) => [p.name, { value: parsed.parts[p.name]!, many: p.many }]));
  return fillUrl(spec.url, endpoint, values);
}

// ---- purls --------------------------------------------------------------------------------------------------

export interface Purl {
  type: string;
  namespace: string[];
  name: string;
  version?: string;
  qualifiers: Record<string, string>;
  subpath?: string;
}

/** purl percent-encoding: everything but the unreserved characters is encoded (so '/' and '@' never split a part). */
export function purlSegment(text: string): string {
  // Most segments need no encoding: answered without building one string per byte.
  if (UNRESERVED.test(text)) return text;
  let out = '';
  for (const b of new TextEncoder().encode(text)) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9._~-]/u.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const UNRESERVED = /^[A-Za-z0-9._~-]*$/u;

/** A commit sha as the purl spec writes a version: 40 or 64 hex digits lower-cased; anything else (a tag) as is. */
export function purlVersion(version: string): string {
  return /^[0-9a-f]{40}$|^[0-9a-f]{64}$/iu.test(version) ? version.toLowerCase() : version;
}

function decodePercent(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/**
 * Parses a purl as the purl specification's "how to parse" reads it (subpath after '#', qualifiers after '?', type,
 * version after the last '@', name, namespace), then applies its type's canonical rules (case, PEP 503 names,
 * lower-case commit shas). Undefined for anything that is not a purl.
 */
export function parsePurl(text: string): Purl | undefined {
  if (typeof text !== 'string' || text.length > 4096) return undefined;
  let rest = text.trim();
  let subpath: string | undefined;
  const hash = rest.lastIndexOf('#');
  if (hash >= 0) {
    const segments = rest.slice(hash + 1).split('/').filter((s) => s !== '' && s !== '.' && s !== '..');
    const decoded = segments.map(decodePercent);
    if (decoded.some((s) => s === undefined)) return undefined;
    subpath = decoded.length ? decoded.join('/') : undefined;
    rest = rest.slice(0, hash);
  }
  const qualifiers: Record<string, string> = {};
  const question = rest.lastIndexOf('?');
  if (question >= 0) {
    for (const pair of rest.slice(question + 1).split('&')) {
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const value = decodePercent(pair.slice(eq + 1));
      if (value === undefined) return undefined;
      if (value !== '') qualifiers[pair.slice(0, eq).toLowerCase()] = value;
    }
    rest = rest.slice(0, question);
  }
  const colon = rest.indexOf(':');
  if (colon < 0 || rest.slice(0, colon).toLowerCase() !== 'pkg') return undefined;
  rest = rest.slice(colon + 1).replace(/^\/+/u, '');
  const slash = rest.indexOf('/');
  if (slash <= 0) return undefined;
  const type = rest.slice(0, slash).toLowerCase();
  if (!/^[a-z][a-z0-9.+-]*$/u.test(type)) return undefined;
  rest = rest.slice(slash + 1);
  let version: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    version = decodePercent(rest.slice(at + 1));
    if (version === undefined) return undefined;
    if (version === '') version = undefined;
    rest = rest.slice(0, at);
  }
  const segments = rest.replace(/\/+$/u, '').split('/').filter((s) => s !== '');
  const decoded = segments.map(decodePercent);
  if (decoded.length === 0 || decoded.some((s) => s === undefined || s === '')) return undefined;
  const name = decoded.pop()!;
  return canonicalPurl({ type, namespace: decoded as string[], name, ...(version !== undefined ? { version } : {}), qualifiers, ...(subpath ? { subpath } : {}) });
}

/** The purl spec's canonical rules for a type: lower-case names where the ecosystem ignores case, PEP 503 names, hex shas. */
export function canonicalPurl(purl: Purl): Purl {
  const rules = PURL_TYPES[purl.type];
  let { name, namespace, version } = purl;
  if (rules?.lowerCase) {
    name = name.toLowerCase();
    namespace = namespace.map((s) => s.toLowerCase());
  }
  if (rules?.pep503) name = name.replace(/[-_.]+/gu, '-');
  // MLflow names are case-insensitive (lower-cased) on Azure Databricks registries, case-kept elsewhere.
  if (purl.type === 'mlflow' && /azuredatabricks\.net/iu.test(purl.qualifiers.repository_url ?? '')) name = name.toLowerCase();
  if (version !== undefined && purl.type === 'huggingface') version = purlVersion(version);
  return { ...purl, name, namespace, ...(version !== undefined ? { version } : {}) };
}

/**
 * The Package key of a package at one version, as every source must write it: the canonical purl without
 * qualifiers (`packageKey('pypi', 'Torch_Audio', '2.1.0')` → `pkg:pypi/torch-audio@2.1.0`). Throws KeyError when the
 * parts make no valid key.
 */
export function packageKey(type: string, name: string, version: string, namespace: readonly string[] = []): string {
  if (!name || !version) throw new KeyError('a package key needs a name and a version');
  const key = formatPurl(canonicalPurl({ type: type.toLowerCase(), namespace: [...namespace], name, version, qualifiers: {} }));
  if (kindOfKey(key) !== 'Package') throw new KeyError(`${JSON.stringify(key.slice(0, 200))} is not a valid package key`);
  return key;
}

/**
 * The key a Package key must be written as — what `packageKey` makes of its parts — or undefined when it names no
 * package. Sources join on keys, so `pkg:pypi/Foo_Bar@1.0` beside `pkg:pypi/foo-bar@1.0` would be two nodes for one
 * package, with an advisory on one and the dependants on the other.
 */
export function canonicalPackageKey(key: string): string | undefined {
  const purl = parsePurl(key);
  if (!purl || purl.version === undefined || !purl.name) return undefined;
  // packageKey's own steps without its format check: the caller has matched the key to the Package format, and
  // validation runs this for every package key of every write.
  return formatPurl(canonicalPurl({ type: purl.type.toLowerCase(), namespace: purl.namespace, name: purl.name, version: purl.version, qualifiers: {} }));
}

/** A purl written canonically (parts encoded by `purlSegment`, qualifiers sorted). */
export function formatPurl(purl: Purl): string {
  const path = [...purl.namespace, purl.name].map(purlSegment).join('/');
  const version = purl.version !== undefined ? `@${purlSegment(purl.version)}` : '';
  const qualifiers = Object.keys(purl.qualifiers)
    .sort()
    .map((k) => `${k}=${purlSegment(purl.qualifiers[k]!)}`)
    .join('&');
  return `pkg:${purl.type}/${path}${version}${qualifiers ? `?${qualifiers}` : ''}${purl.subpath ? `#${purl.subpath.split('/').map(purlSegment).join('/')}` : ''}`;
}

/**
 * The purl a key stands for: a package key is its own purl; a Hub repo, GitHub repository or MLflow version maps as
 * its format says, with `version` (the commit read) where the key holds none. Undefined where there is no purl.
 */
export function purlOfKey(key: string, version?: string): string | undefined {
  const parsed = parseKey(key);
  if (!parsed) return undefined;
  if (parsed.format.id === 'package') return key;
  const mapping = parsed.format.purl;
  if (!mapping) return undefined;
  const lower = PURL_TYPES[mapping.type]?.lowerCase ? (v: string) => v.toLowerCase() : (v: string) => v;
  const path = [...(mapping.namespace ?? []), mapping.name].map((p) => purlSegment(lower(parsed.parts[p]!))).join('/');
  const v = mapping.version !== undefined ? parsed.parts[mapping.version] : version;
  const qualifiers = Object.entries(mapping.qualifiers ?? {})
    .map(([k, q]) => `${k}=${purlSegment(q)}`)
    .join('&');
  return `pkg:${mapping.type}/${path}${v ? `@${purlSegment(purlVersion(v))}` : ''}${qualifiers ? `?${qualifiers}` : ''}`;
}

export interface KeyOfPurl {
  key: string;
  /** The purl's version where the key does not hold it (the Hub commit, the repository commit). */
  version?: string;
}

function mappingMatches(mapping: PurlMapping, purl: Purl): boolean {
  if (mapping.type !== purl.type || (mapping.namespace?.length ?? 0) !== purl.namespace.length) return false;
  // Qualifiers the mapping writes must be there; others it names may be absent or one of the values it reads.
  const names = new Set([...Object.keys(mapping.qualifiers ?? {}), ...Object.keys(mapping.readQualifiers ?? {})]);
  for (const name of names) {
    const given = purl.qualifiers[name];
    const written = mapping.qualifiers?.[name];
    if (written !== undefined ? given !== written : given !== undefined && !(mapping.readQualifiers?.[name] ?? []).includes(given)) return false;
  }
  return true;
}

/**
 * The key a purl names, as the owning source writes it: `pkg:huggingface/o/n@sha` → `hf:model/o/n` (version sha),
 * `?type=dataset` → `hf:dataset/…`, `pkg:github/o/r` → `gh:repo/o/r`, `pkg:mlflow/n@3` → `mlflow:model/n/3`; any
 * other purl with a version → the Package key (canonical, without qualifiers or subpath). Undefined otherwise.
 */
export function keyOfPurl(text: string): KeyOfPurl | undefined {
  const purl = parsePurl(text);
  if (!purl) return undefined;
  for (const format of KEY_FORMATS) {
    const mapping = format.purl;
    if (!mapping || !mappingMatches(mapping, purl)) continue;
    const parts: Record<string, string> = {};
    (mapping.namespace ?? []).forEach((p, i) => (parts[p] = purl.namespace[i]!));
    parts[mapping.name] = purl.name;
    if (mapping.version !== undefined) {
      if (purl.version === undefined) return undefined;
      parts[mapping.version] = purl.version;
    }
    const key = tryKeyOf(format.id, parts);
    if (key === undefined) return undefined;
    return mapping.version === undefined && purl.version !== undefined ? { key, version: purl.version } : { key };
  }
  if (purl.version === undefined) return undefined;
  try {
    return { key: packageKey(purl.type, purl.name, purl.version, purl.namespace) };
  } catch (err) {
    if (err instanceof KeyError) return undefined;
    throw err;
  }
}

// ---- page and VCS URLs --------------------------------------------------------------------------------------

/** Formats a URL can name: those with a page template, identities aside (a Hub page `/acme` is a user, an org or a legacy model). */
const URL_FORMATS = COMPILED.filter((c) => c.spec.url !== undefined && c.spec.kind !== 'Identity')
  // The more literal text a template has, the more specific it is (`/datasets/{owner}/{name}` before `/{owner}/{name}`).
  .sort((a, b) => literalLength(b.spec.url!) - literalLength(a.spec.url!));

function literalLength(template: string): number {
  return template.replace(/\{[^}]*\}/gu, '').length;
}

/** `git+https://…`, `git@host:o/r.git`, `ssh://git@host/o/r.git` → an https URL without `.git` or a trailing slash. */
function normaliseVcsUrl(text: string): URL | undefined {
  let t = text.trim().replace(/^git\+/iu, '');
  const scp = /^[A-Za-z0-9._-]+@([A-Za-z0-9.-]+):(?!\/\/)(.+)$/u.exec(t);
  if (scp) t = `https://${scp[1]}/${scp[2]}`;
  let url: URL;
  try {
    url = new URL(t);
  } catch {
    return undefined;
  }
  if (url.protocol === 'ssh:' || url.protocol === 'git:') url = new URL(`https://${url.host}${url.pathname}`);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  url.username = '';
  url.password = '';
  url.pathname = url.pathname.replace(/\.git\/?$/iu, '');
  // A trailing slash is dropped, except before a fragment route (MLflow's `/#/models/…`).
  if (!url.hash) url.pathname = url.pathname.replace(/\/+$/u, '');
  return url;
}

/**
 * The parts a URL gives for a page template on one endpoint: `{part}` is one path segment, a `…` part any number,
 * `{part/}` an optional leading segment group (an npm scope). Parts are URL-decoded. A template's trailing slash is
 * optional, as the URL was normalised without one.
 */
function matchUrl(template: string, endpoint: string, href: string, many: (part: string) => boolean): Record<string, string> | undefined {
  if (!href.startsWith(endpoint)) return undefined;
  const rest = href.slice(endpoint.length);
  const names: string[] = [];
  const body = template
    .replace(/^\{endpoint\}/u, '')
    .replace(/\/$/u, '')
    .split(/(\{[a-z0-9]+\/?\})/iu)
    .map((piece) => {
      const m = /^\{([a-z0-9]+)(\/?)\}$/iu.exec(piece);
      if (!m) return escapeRegExp(piece);
      names.push(m[1]!);
      if (m[2]) return '(?:(.+)/)?';
      return many(m[1]!) ? '(.+)' : '([^/?#]+)';
    })
    .join('');
  const match = new RegExp(`^${body}/?$`, 'u').exec(rest);
  if (!match) return undefined;
  const parts: Record<string, string> = {};
  for (const [i, name] of names.entries()) {
    if (match[i + 1] === undefined) continue;
    const decoded = match[i + 1]!.split('/').map(decodePercent);
    if (decoded.some((s) => s === undefined)) return undefined;
    parts[name] = decoded.join('/');
  }
  return parts;
}

function baseOf(source: SourceId, endpoints: Endpoints): string | undefined {
  const endpoint = webEndpoint(source, endpoints);
  const base = endpoint === undefined ? undefined : normaliseVcsUrl(endpoint);
  return base && `${base.origin}${base.pathname.replace(/\/+$/u, '')}`;
}

/**
 * The key of a page or VCS URL on a known endpoint: `https://github.com/o/r(.git)` → `gh:repo/o/r`,
 * `https://huggingface.co/datasets/o/n` → `hf:dataset/o/n`, a file's blob URL → its File key. Deeper pages of a
 * repository (`/tree/main/src`) name the repository. Undefined when the URL is on no known endpoint.
 */
export function keyOfUrl(text: string, endpoints: Endpoints = {}): string | undefined {
  const url = normaliseVcsUrl(text);
  if (!url) return undefined;
  const hrefOf = (u: URL) => `${u.origin}${u.pathname}${u.search}${u.hash}`;
  const candidates = (href: string) => {
    for (const compiled of URL_FORMATS) {
      const base = baseOf(compiled.spec.source, endpoints);
      const many = (name: string) => compiled.parts.find((p) => p.name === name)?.many ?? false;
      const parts = base === undefined ? undefined : matchUrl(compiled.spec.url!, base, href, many);
      const key = parts && tryKeyOf(compiled.spec.id, parts);
      if (key) return key;
    }
    for (const type of Object.values(PURL_TYPES)) {
      const base = type.source && type.url ? baseOf(type.source, endpoints) : undefined;
      const parts = base === undefined ? undefined : matchUrl(type.url!, base, href, () => false);
      if (!parts?.name || !parts.version) continue;
      try {
        return packageKey(type.type, parts.name, parts.version, parts.namespace ? parts.namespace.split('/') : []);
      } catch (err) {
        if (!(err instanceof KeyError)) throw err;
      }
    }
    return undefined;
  };
  const exact = candidates(hrefOf(url));
  if (exact) return exact;
  // A deeper page of a repository names the repository: drop trailing path segments until a format matches.
  const segments = url.pathname.split('/');
  for (let n = segments.length - 1; n > 1; n--) {
    const key = candidates(`${url.origin}${segments.slice(0, n).join('/')}`);
    if (key) return key;
  }
  return undefined;
}
