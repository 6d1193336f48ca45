/**
 * What a repository's code loads from the Hugging Face Hub, read from one file's text. Pure and unit-tested.
 *
 * Declared (a literal in a call that loads it):
 *  - Python: `X.from_pretrained("o/n", revision=…)` on any class (`PeftModel.from_pretrained(model, "o/adapter")`
 *    takes the adapter), `pipeline(task, model=…)` / its second positional argument, `hf_hub_download(repo_id=…,
 *    repo_type=…, revision=…)`, `hf_hub_url`, `snapshot_download`, `load_dataset("o/n", revision=…)`,
 *    `SentenceTransformer("o/n")`, `CrossEncoder("o/n")`;
 *  - JavaScript/TypeScript (transformers.js): `pipeline('task', 'o/n', { revision })`, `X.from_pretrained('o/n', {…})`;
 *  - shell lines in any file (Dockerfiles, workflow `run:` steps, notebook `!` cells): `huggingface-cli download o/n`
 *    and `hf download o/n` with `--repo-type` and `--revision`;
 *  - `hf://[datasets/]o/n[@revision]/…` URIs (in code only inside strings).
 * Inferred (a value whose key names a model or dataset): `model_name_or_path: o/n` and the like in YAML, TOML, JSON,
 * INI/cfg and .env files, and as a keyword argument, dict entry or constant in code (`MODEL_ID = "o/n"`).
 *
 * Only literals count: a variable is never guessed at, and neither is a revision given as an expression. Ids that
 * are local paths (`./out`, `data/train.csv`, a directory of the repository itself) are not Hub references.
 */
import { isValidRepoId, type RepoRef } from '../huggingface/refs.ts';
import { tokenize, type Language, type Token } from './code-tokens.ts';

export type HubRefType = 'model' | 'dataset';

export interface HubReference {
  type: HubRefType;
  /** `owner/name`, or a legacy ownerless name. */
  id: string;
  revision?: string;
  /** 1-based line in the file (for a notebook, in the .ipynb file itself where it can be found). */
  line: number;
  /** `declared` for a literal in a loading call, `inferred` from a config value. */
  confidence: 'declared' | 'inferred';
  /** What it was found in: `from_pretrained`, `pipeline`, `huggingface-cli download`, `hf://`, `config:model_name_or_path`, … */
  via: string;
}

export interface ExtractOptions {
  /** Directories of the repository (`outputs`, `models/base`): an id naming one is a local path. */
  localDirs?: ReadonlySet<string>;
}

/** A call that loads from the Hub: where its id is, what it loads, and whether a keyword can make it a dataset. */
interface CallSpec {
  type: HubRefType;
  idKeywords: readonly string[];
  idPosition: number;
  /** Only as a method (`X.from_pretrained`), never a bare name. */
  method?: boolean;
  /** A `repo_type=` keyword decides the type (`hf_hub_download(…, repo_type="dataset")`). */
  repoTypeKeyword?: boolean;
  /** Other keywords holding Hub ids of models (`pipeline(tokenizer=…)`). */
  alsoKeywords?: readonly string[];
}

const HUB_FILE_CALL: CallSpec = { type: 'model', idKeywords: ['repo_id'], idPosition: 0, repoTypeKeyword: true };

const CALLS: Readonly<Record<string, CallSpec>> = {
  from_pretrained: { type: 'model', idKeywords: ['pretrained_model_name_or_path', 'model_id', 'model_name_or_path'], idPosition: 0, method: true },
  pipeline: { type: 'model', idKeywords: ['model'], idPosition: 1, alsoKeywords: ['tokenizer', 'feature_extractor', 'image_processor'] },
  hf_hub_download: HUB_FILE_CALL,
  hf_hub_url: HUB_FILE_CALL,
  snapshot_download: HUB_FILE_CALL,
  load_dataset: { type: 'dataset', idKeywords: ['path'], idPosition: 0 },
  SentenceTransformer: { type: 'model', idKeywords: ['model_name_or_path'], idPosition: 0 },
  CrossEncoder: { type: 'model', idKeywords: ['model_name', 'model_name_or_path'], idPosition: 0 },
};

/** `datasets` packaged builders: `load_dataset("json", data_files=…)` reads local files, not a Hub repo. */
const DATASET_BUILDERS = new Set(['json', 'csv', 'parquet', 'text', 'arrow', 'pandas', 'imagefolder', 'audiofolder', 'videofolder', 'webdataset', 'sql', 'generator', 'spark', 'xml', 'cache', 'pdffolder', 'niftifolder']);
/** A path ending like this is a file, not a repository. */
const FILE_SUFFIX = /\.(?:csv|tsv|jsonl?|parquet|arrow|txt|zip|gz|bz2|xz|tar|pkl|pickle|pt|pth|bin|safetensors|gguf|onnx|h5|ckpt|npy|npz|py|yaml|yml)$/i;
/** Ownerless names that are far likelier a local directory than a legacy Hub id. */
const LOCAL_LOOKING = /^(?:checkpoints?|outputs?|models?|tmp|temp|cache|data|runs?|results?|saved?[-_]?models?|weights?|artifacts?|export(?:ed)?|local|none|null|true|false)(?:[-_.][\w.-]*)?$/i;

const MODEL_KEY = /^(?:[a-z0-9]+_)*(?:model|tokenizer|teacher|student|reward_model|embedding_model|base_model|encoder|decoder)(?:_(?:name|id|path|repo|name_or_path|repo_id))*$/;
const DATASET_KEY = /^(?:[a-z0-9]+_)*dataset(?:_(?:name|id|path|repo|repo_id|name_or_path))*$/;
/** Keys that name where results go, not what is loaded. */
const OUTPUT_KEY = /(?:^|_)(?:hub_model_id|output|push_to_hub|save|upload|target_repo|hub_repo)(?:_|$)/;

const MAX_ARG_TOKENS = 4000;
const MAX_REFS_PER_FILE = 1000;

/** Which extraction a file gets, by its name. */
export function fileLanguage(path: string): 'python' | 'javascript' | 'notebook' | 'config' | 'shell' | undefined {
  const name = path.split('/').pop()!.toLowerCase();
  if (name.endsWith('.py')) return 'python';
  if (name.endsWith('.ipynb')) return 'notebook';
  if (/\.(?:[cm]?js|jsx|[cm]?ts|tsx)$/.test(name)) return 'javascript';
  if (name === 'dockerfile' || name.startsWith('dockerfile.') || name.endsWith('.dockerfile') || name.endsWith('.sh')) return 'shell';
  if (/\.(?:ya?ml|toml|json|cfg|ini)$/.test(name) || name === '.env.example' || name.endsWith('.env.example')) return 'config';
  return undefined;
}

/** Every Hub reference in one file, in file order, without duplicates. */
export function extractHubReferences(path: string, text: string, opts: ExtractOptions = {}): HubReference[] {
  const kind = fileLanguage(path);
  const out = new Refs(opts);
  if (kind === 'python' || kind === 'javascript') fromCode(tokenize(text, kind), kind, out);
  else if (kind === 'notebook') fromNotebook(text, out, opts);
  else if (kind === 'config' || kind === 'shell') {
    fromShell(text, out);
    if (kind === 'config') fromConfig(text, out);
    fromUris(text, 0, out);
  }
  return out.list();
}

/** Collects references, checking ids and dropping repeats. */
class Refs {
  private readonly items: HubReference[] = [];
  private readonly seen = new Set<string>();
  constructor(private readonly opts: ExtractOptions) {}

  add(type: HubRefType, rawId: string, line: number, confidence: HubReference['confidence'], via: string, revision?: string, strict = false): void {
    if (this.items.length >= MAX_REFS_PER_FILE) return;
    const id = hubId(type, rawId, this.opts.localDirs, strict);
    if (!id) return;
    const rev = revision?.trim();
    const ref: HubReference = { type, id, line, confidence, via, ...(rev ? { revision: rev } : {}) };
    const k = `${type}\u0000${id}\u0000${rev ?? ''}\u0000${line}`;
    if (this.seen.has(k)) return;
    this.seen.add(k);
    this.items.push(ref);
  }

  list(): HubReference[] {
    return [...this.items].sort((a, b) => a.line - b.line);
  }
}

/**
 * The Hub id a literal names, or undefined when it is not one: a well-formed `owner/name` (or, unless `strict`, a
 * legacy ownerless name that does not look like a local directory), not a local path and not a file.
 */
function hubId(type: HubRefType, raw: string, localDirs: ReadonlySet<string> | undefined, strict: boolean): string | undefined {
  const id = raw.trim();
  if (!id || id.length > 200 || /^(?:\.{1,2}\/|\/|~|[A-Za-z]:[\\/])/.test(id) || id.includes('\\')) return undefined;
  if (FILE_SUFFIX.test(id)) return undefined;
  if (localDirs?.has(id)) return undefined;
  const owned = id.includes('/');
  if (!owned && (strict || LOCAL_LOOKING.test(id) || (type === 'dataset' && DATASET_BUILDERS.has(id.toLowerCase())))) return undefined;
  return isValidRepoId(id, type) ? id : undefined;
}

// ---- code -------------------------------------------------------------------------------------------------------

interface Arg {
  keyword?: string;
  tokens: Token[];
}

/** The value of an argument when it is a literal string (adjacent literals concatenated, as Python does). */
function literalOf(tokens: readonly Token[]): { value: string; line: number } | undefined {
  if (!tokens.length || !tokens.every((t) => t.type === 'string' && t.literal)) return undefined;
  return { value: tokens.map((t) => t.value).join(''), line: tokens[0]!.line };
}

/** Arguments of the call whose `(` is at `open`: top-level commas split them; `name=` makes a keyword. */
function callArgs(tokens: readonly Token[], open: number, language: Language): { args: Arg[]; end: number } {
  const args: Arg[] = [];
  let current: Token[] = [];
  let depth = 0;
  let j = open + 1;
  const limit = Math.min(tokens.length, open + 1 + MAX_ARG_TOKENS);
  const push = () => {
    if (!current.length) return;
    const [a, b, c] = current;
    if (a?.type === 'name' && b?.type === 'op' && b.value === '=' && !(c?.type === 'op' && c.value === '=')) args.push({ keyword: a.value, tokens: current.slice(2) });
    else args.push({ tokens: current });
    current = [];
  };
  for (; j < limit; j++) {
    const t = tokens[j]!;
    if (t.type === 'op' && '([{'.includes(t.value)) depth++;
    else if (t.type === 'op' && ')]}'.includes(t.value)) {
      if (depth === 0) break;
      depth--;
    } else if (t.type === 'op' && t.value === ',' && depth === 0) {
      push();
      continue;
    }
    current.push(t);
  }
  push();
  // transformers.js passes options as an object literal: `{ revision: 'main' }` gives keywords too.
  if (language === 'javascript') for (const a of [...args]) if (!a.keyword) args.push(...objectKeywords(a.tokens));
  return { args, end: j };
}

/** `{ key: value, … }` at the top of an argument, as keyword arguments. */
function objectKeywords(tokens: readonly Token[]): Arg[] {
  const first = tokens[0];
  if (!(first?.type === 'op' && first.value === '{')) return [];
  const out: Arg[] = [];
  let depth = 0;
  let key: string | undefined;
  let value: Token[] = [];
  const flush = () => {
    if (key !== undefined) out.push({ keyword: key, tokens: value });
    key = undefined;
    value = [];
  };
  for (let i = 1; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.type === 'op' && '([{'.includes(t.value)) depth++;
    if (t.type === 'op' && ')]}'.includes(t.value)) {
      if (depth === 0) break;
      depth--;
    }
    if (depth === 0 && t.type === 'op' && t.value === ',') {
      flush();
      continue;
    }
    if (depth === 0 && key === undefined && (t.type === 'name' || t.type === 'string') && tokens[i + 1]?.type === 'op' && tokens[i + 1]!.value === ':') {
      key = t.value;
      i++;
      continue;
    }
    if (key !== undefined) value.push(t);
  }
  flush();
  return out;
}

function keywordName(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[-.\s]+/g, '_').toLowerCase();
}

/** A key that names what a config or call loads: `model_name_or_path` → model, `dataset_name` → dataset. */
export function configKeyType(key: string): HubRefType | undefined {
  const k = keywordName(key);
  if (OUTPUT_KEY.test(k)) return undefined;
  if (DATASET_KEY.test(k)) return 'dataset';
  if (MODEL_KEY.test(k)) return 'model';
  return undefined;
}

function fromCode(tokens: readonly Token[], language: Language, out: Refs): void {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.type === 'string') {
      fromUris(t.value, t.line - 1, out);
      // `{"model_name_or_path": "o/n"}` in code.
      const colon = tokens[i + 1];
      const value = tokens[i + 2];
      if (colon?.type === 'op' && colon.value === ':' && value?.type === 'string' && value.literal && notCallee(tokens, i + 3)) {
        const type = configKeyType(t.value);
        if (type) out.add(type, value.value, value.line, 'inferred', `config:${t.value.slice(0, 60)}`, undefined, true);
      }
      continue;
    }
    if (t.type !== 'name') continue;
    const next = tokens[i + 1];
    // `MODEL_ID = "o/n"` (a constant in code: inferred, like a config value).
    if (next?.type === 'op' && next.value === '=' && !(tokens[i + 2]?.type === 'op')) {
      const value = tokens[i + 2];
      const prev = tokens[i - 1];
      const inCall = prev?.type === 'op' && (prev.value === '(' || prev.value === ',');
      if (value?.type === 'string' && value.literal && !inCall && notCallee(tokens, i + 3)) {
        const type = configKeyType(t.value);
        if (type) out.add(type, value.value, value.line, 'inferred', `config:${t.value.slice(0, 60)}`, undefined, true);
      }
    }
    if (!(next?.type === 'op' && next.value === '(')) continue;
    const prev = tokens[i - 1];
    const isMethod = prev?.type === 'op' && prev.value === '.';
    if (prev?.type === 'name' && (prev.value === 'def' || prev.value === 'function' || prev.value === 'class')) continue;
    const spec = Object.hasOwn(CALLS, t.value) ? CALLS[t.value] : undefined;
    const { args } = callArgs(tokens, i + 1, language);
    if (spec && (!spec.method || isMethod)) {
      readCall(t.value, spec, args, tokens[i - 2], out);
      continue;
    }
    // Any other call: keyword arguments that name models or datasets (`ModelArguments(model_name_or_path="o/n")`).
    for (const a of args) {
      if (!a.keyword) continue;
      const lit = literalOf(a.tokens);
      const type = lit && configKeyType(a.keyword);
      if (lit && type) out.add(type, lit.value, lit.line, 'inferred', `config:${a.keyword.slice(0, 60)}`, undefined, true);
    }
  }
}

/** A literal followed by `(` or `.` is being called or used, not assigned as a value. */
function notCallee(tokens: readonly Token[], at: number): boolean {
  const t = tokens[at];
  return !(t?.type === 'op' && (t.value === '(' || t.value === '.' || t.value === '['));
}

function readCall(name: string, spec: CallSpec, args: readonly Arg[], receiver: Token | undefined, out: Refs): void {
  const kw = (names: readonly string[]) => args.find((a) => a.keyword !== undefined && names.includes(a.keyword));
  const positional = args.filter((a) => !a.keyword);
  let idArg = kw(spec.idKeywords) ?? positional[spec.idPosition];
  // PEFT loads an adapter onto a model object: `PeftModel.from_pretrained(model, "o/adapter")`.
  if (name === 'from_pretrained' && !kw(spec.idKeywords) && positional[0] && !literalOf(positional[0].tokens) && receiver?.type === 'name' && /peft/i.test(receiver.value)) {
    idArg = positional[1];
  }
  const revisionArg = kw(['revision']);
  const revision = revisionArg ? literalOf(revisionArg.tokens)?.value : undefined;
  let type = spec.type;
  if (spec.repoTypeKeyword) {
    const rt = kw(['repo_type']);
    const value = rt ? literalOf(rt.tokens)?.value : undefined;
    if (value === 'dataset') type = 'dataset';
    else if (value !== undefined && value !== 'model') return; // a Space, or something we do not know
  }
  const id = idArg ? literalOf(idArg.tokens) : undefined;
  if (id) out.add(type, id.value, id.line, 'declared', name, revision);
  for (const extra of spec.alsoKeywords ?? []) {
    const a = kw([extra]);
    const lit = a ? literalOf(a.tokens) : undefined;
    if (lit) out.add('model', lit.value, lit.line, 'declared', `${name}(${extra}=)`, revision);
  }
}

// ---- notebooks --------------------------------------------------------------------------------------------------

/**
 * A notebook's code cells, read as Python (and `!` lines as shell). Lines are found back in the .ipynb text (nbformat
 * writes each source line as one JSON string on its own line); where that fails the cell's first line is used.
 */
function fromNotebook(text: string, out: Refs, opts: ExtractOptions): void {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return;
  }
  const cells = (doc as { cells?: unknown })?.cells;
  if (!Array.isArray(cells)) return;
  const lineStarts = lineStartsOf(text);
  let cursor = 0;
  // Each miss scans the rest of the file; past this many, lines are no longer looked for (a hostile notebook).
  let misses = 0;
  for (const cell of cells) {
    if (!cell || typeof cell !== 'object' || (cell as { cell_type?: unknown }).cell_type !== 'code') continue;
    const src = (cell as { source?: unknown }).source;
    const lines = (Array.isArray(src) ? src.filter((s): s is string => typeof s === 'string').join('') : typeof src === 'string' ? src : '').split('\n');
    // Where each cell line sits in the file.
    const fileLine: number[] = [];
    for (const l of lines) {
      const at = l && misses < 200 ? text.indexOf(JSON.stringify(l).slice(1, -1), cursor) : -1;
      if (at >= 0) cursor = at;
      else if (l) misses++;
      fileLine.push(lineAt(lineStarts, at >= 0 ? at : cursor));
    }
    const mapLine = (n: number) => fileLine[Math.min(Math.max(n - 1, 0), fileLine.length - 1)] ?? 1;
    const shell = lines.map((l) => (/^\s*!/.test(l) ? l.replace(/^\s*!/, '') : ''));
    const python = lines.map((l) => (/^\s*[!%]/.test(l) ? '' : l));
    const sub = new Refs(opts);
    fromCode(tokenize(python.join('\n'), 'python'), 'python', sub);
    fromShell(shell.join('\n'), sub);
    for (const r of sub.list()) out.add(r.type, r.id, mapLine(r.line), r.confidence, r.via, r.revision, r.confidence === 'inferred');
  }
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function lineAt(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

// ---- shell ------------------------------------------------------------------------------------------------------

const DOWNLOAD = /(?:^|[\s;&|(`"'=])(huggingface-cli|hf)[ \t]+download[ \t]+/g;
/** Options of `huggingface-cli download` / `hf download` that take a value (`--include`/`--exclude` take several). */
const VALUE_OPTIONS = new Set(['--repo-type', '--revision', '--local-dir', '--cache-dir', '--token', '--max-workers', '--format']);
const LIST_OPTIONS = new Set(['--include', '--exclude']);

/** `huggingface-cli download o/n [files…] [--repo-type dataset] [--revision r]`, with `\` line continuations. */
function fromShell(text: string, out: Refs): void {
  if (!text.includes('download')) return;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let command = lines[i]!;
    const line = i + 1;
    while (/\\\s*$/.test(command) && i + 1 < lines.length && command.length < 100_000) command = command.replace(/\\\s*$/, ' ') + lines[++i]!;
    DOWNLOAD.lastIndex = 0;
    for (let m = DOWNLOAD.exec(command); m; m = DOWNLOAD.exec(command)) {
      const words = shellWords(command.slice(m.index + m[0].length));
      let repoType = 'model';
      let revision: string | undefined;
      let id: string | undefined;
      for (let w = 0; w < words.length; w++) {
        const word = words[w]!;
        const [flag, inline] = word.startsWith('--') && word.includes('=') ? [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)] : [word, undefined];
        if (VALUE_OPTIONS.has(flag)) {
          const value = inline ?? words[++w];
          if (flag === '--repo-type' && value) repoType = value;
          if (flag === '--revision' && value) revision = value;
        } else if (LIST_OPTIONS.has(flag)) {
          while (w + 1 < words.length && !words[w + 1]!.startsWith('-')) w++;
        } else if (!word.startsWith('-') && id === undefined) id = word;
      }
      if (!id || /[$`]/.test(id) || (revision && /[$`]/.test(revision))) continue; // a variable: not guessed at
      if (repoType === 'model' || repoType === 'dataset') out.add(repoType, id, line, 'declared', `${m[1]} download`, revision);
    }
  }
}

/** Words of one command, honouring quotes, up to the end of the command (`;`, `&`, `|`, `)`). */
function shellWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote: string | undefined;
  let has = false;
  for (let i = 0; i < text.length && words.length < 64; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else word += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      has = true;
      continue;
    }
    if (';&|)\n#'.includes(c)) break;
    if (c === ' ' || c === '\t' || c === '\r') {
      if (has || word) words.push(word);
      word = '';
      has = false;
      continue;
    }
    word += c;
  }
  if (has || word) words.push(word);
  return words;
}

// ---- hf:// URIs -------------------------------------------------------------------------------------------------

const HF_URI = /hf:\/\/(?:(datasets|spaces|models)\/)?([A-Za-z0-9][A-Za-z0-9._-]{0,95})(?:\/([A-Za-z0-9][A-Za-z0-9._-]{0,95}))?(?:@([^\s/"'`<>\\]{1,200}))?/g;

/** `hf://datasets/o/n@rev/path`, `hf://o/n` (a model) in `text`, whose first line is `lineOffset + 1`. */
function fromUris(text: string, lineOffset: number, out: Refs): void {
  if (!text.includes('hf://')) return;
  const starts = lineStartsOf(text);
  HF_URI.lastIndex = 0;
  for (let m = HF_URI.exec(text); m; m = HF_URI.exec(text)) {
    if (m[1] === 'spaces') continue;
    const type: HubRefType = m[1] === 'datasets' ? 'dataset' : 'model';
    const id = m[3] ? `${m[2]}/${m[3]}` : m[2]!;
    let revision: string | undefined;
    if (m[4]) {
      try {
        revision = decodeURIComponent(m[4]);
      } catch {
        revision = m[4];
      }
    }
    out.add(type, id, lineOffset + lineAt(starts, m.index), 'declared', 'hf://', revision);
  }
}

// ---- config files -----------------------------------------------------------------------------------------------

/** `key: value`, `key = "value"`, `KEY=value` at the start of a line (YAML, TOML, INI, .env). */
const LINE_PAIR = /^\s*(?:-\s+)?(?:export\s+)?["']?([A-Za-z_][\w.-]{0,80})["']?\s*[:=]\s*["']?([A-Za-z0-9][\w./@-]{0,200}?)["']?\s*(?:[#;,].*)?$/;
/** `"key": "value"` anywhere (JSON, including minified JSON on one long line). */
const JSON_PAIR = /"([A-Za-z_][\w.-]{0,80})"\s*:\s*"([^"\\\n]{1,200})"/g;

function fromConfig(text: string, out: Refs): void {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const m = l.length <= 2000 ? LINE_PAIR.exec(l) : null;
    if (m) {
      const type = configKeyType(m[1]!);
      if (type) out.add(type, stripRevision(m[2]!), i + 1, 'inferred', `config:${m[1]}`, undefined, true);
    }
    if (!l.includes('"')) continue;
    JSON_PAIR.lastIndex = 0;
    for (let p = JSON_PAIR.exec(l); p; p = JSON_PAIR.exec(l)) {
      const type = configKeyType(p[1]!);
      if (type) out.add(type, p[2]!, i + 1, 'inferred', `config:${p[1]}`, undefined, true);
    }
  }
}

/** `o/n@rev` in a config value: the id without the revision (the value is inferred anyway). */
function stripRevision(value: string): string {
  const at = value.indexOf('@');
  return at > 0 ? value.slice(0, at) : value;
}

/** The Hub repo a reference names, in the Hub ingestor's terms. */
export function refOf(r: Pick<HubReference, 'type' | 'id'>): RepoRef {
  return { type: r.type, id: r.id };
}
