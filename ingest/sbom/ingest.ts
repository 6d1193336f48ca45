/**
 * Imports one SBOM file into the graph, in passes over the file so that a document of any size is never held:
 *   0. the top level (big arrays skipped): which format, then the top level against its schema;
 *   1. every item of the big arrays against its schema — the first failure refuses the file, nothing written —
 *      while the mapper learns what each element is;
 *   2. the mapping, written in batches under one sync whose scope is the document, then the stale sweep, so a newer
 *      version of the same document replaces what the older one said and nothing else.
 */
import { createReadStream } from 'node:fs';
import { kindOfKey, keyFormatsOf } from '../../schema/keys.ts';
import { UsageError } from '../../schema/errors.ts';
import type { EdgeRecord, NodeRecord, RecordBatch } from '../../schema/records.ts';
import type { GraphStore } from '../../schema/store.ts';
import { printable } from '../../schema/text.ts';
import { createScopeWriter, type WriteTotals } from '../pipeline/sync.ts';
import { cycloneDxMapper } from './cyclonedx.ts';
import { detectFormat, type DetectedFormat, type FormatMapper } from './format.ts';
import { JsonStreamError, readTopLevel, type TopLevelEvent } from './json-stream.ts';
import type { Identity, Sink } from './mapping.ts';
import { documentSchema } from './schemas.ts';
import { spdx2Mapper } from './spdx2-map.ts';
import { spdx3Mapper } from './spdx3.ts';

/** Top-level arrays that may be big, in any format aispm reads. */
const BIG_ARRAYS = new Set(['components', 'services', 'dependencies', 'vulnerabilities', 'packages', 'files', 'relationships', 'snippets', '@graph']);
/** Records per write: big enough that a write costs little per record, small enough to keep memory flat. */
export const BATCH_RECORDS = 5000;
const MAX_WARNINGS = 200;

export interface SbomImportOptions {
  /** The subject's key, when the document does not say what it describes (or says it wrongly). */
  subject?: string;
  /** Bytes per read; tests use small ones to cross every boundary. */
  chunkBytes?: number;
}

export interface SbomImportResult {
  file: string;
  format: string;
  subject: string;
  /** Provenance every record carries: `sbom:<serialNumber | documentNamespace | spdxId>`. */
  source: string;
  /** What a newer version of this document replaces. */
  scope: string;
  items: number;
  totals: WriteTotals;
  warnings: string[];
  warningCount: number;
}

/** The members and items of a document already in memory (GitHub's `{ "sbom": … }` wrapping, read whole). */
function* memoryEvents(doc: Record<string, unknown>, streamed: ReadonlySet<string>): Generator<TopLevelEvent> {
  for (const [name, value] of Object.entries(doc)) {
    if (streamed.has(name) && Array.isArray(value)) {
      yield { type: 'array', name };
      for (const [index, item] of value.entries()) yield { type: 'item', name, index, value: item };
    } else yield { type: 'member', name, value };
  }
}

let unwrapped: Record<string, unknown> | undefined;

async function* events(file: string, streamed: ReadonlySet<string>, parseItems: boolean, chunkBytes: number): AsyncGenerator<TopLevelEvent> {
  if (unwrapped) return yield* memoryEvents(unwrapped, streamed);
  const stream = createReadStream(file, { highWaterMark: chunkBytes });
  try {
    yield* readTopLevel(stream, streamed, parseItems);
  } catch (err) {
    if (err instanceof JsonStreamError) throw new UsageError(`${file}: not a JSON document aispm can read: ${err.message}`);
    const code = (err as NodeJS.ErrnoException).code;
    if (code) throw new UsageError(`cannot read ${file}: ${code}`);
    throw err;
  } finally {
    stream.destroy();
  }
}

function mapperFor(format: DetectedFormat, top: Record<string, unknown>): FormatMapper {
  if (format.family === 'cyclonedx') return cycloneDxMapper(top);
  if (format.family === 'spdx2') return spdx2Mapper(top);
  return spdx3Mapper();
}

/** The tools a document names, without versions: two runs of one tool on one subject are versions of one document. */
function toolNames(top: Record<string, unknown>): string {
  const creation = top.creationInfo as { creators?: unknown } | undefined;
  const creators = Array.isArray(creation?.creators) ? creation.creators : [];
  return creators
    .filter((c): c is string => typeof c === 'string' && c.startsWith('Tool:'))
    .map((c) => c.slice(5).trim().replace(/[-_ ]v?\d[\w.+~-]*$/u, ''))
    .sort()
    .join(',');
}

/**
 * The scope a document replaces. CycloneDX keeps its serialNumber across versions (and counts them in `version`),
 * so that is the document. SPDX gives every version a new namespace (SPDX 2.3 §6.5), so a namespace can never say
 * "newer version of the same document": documents with the same subject, name and tools are taken to be versions
 * of one another.
 */
function replacementScope(format: DetectedFormat, top: Record<string, unknown>, subject: Identity): string {
  if (format.family === 'cyclonedx' && format.documentId) return format.documentId;
  const name = typeof top.name === 'string' ? top.name : '';
  return `${format.family}:${subject.key}|${name}|${toolNames(top)}`;
}

/** GitHub's dependency-graph export answers `{ "sbom": <SPDX document> }`; a saved response is that. */
function isGitHubWrapping(top: Record<string, unknown>): boolean {
  const inner = top.sbom;
  return Object.keys(top).length === 1 && typeof inner === 'object' && inner !== null && !Array.isArray(inner) && 'spdxVersion' in inner;
}

export async function importSbomFile(store: GraphStore, file: string, opts: SbomImportOptions = {}, inMemory?: Record<string, unknown>): Promise<SbomImportResult> {
  unwrapped = inMemory;
  try {
    return await importDocument(store, file, opts);
  } finally {
    unwrapped = undefined;
  }
}

async function importDocument(store: GraphStore, file: string, opts: SbomImportOptions): Promise<SbomImportResult> {
  const chunkBytes = opts.chunkBytes ?? 1024 * 1024;
  const fail = (path: string, message: string, label: string) =>
    new UsageError(`${file}: ${path} ${printable(message, 300)} (${label} schema); nothing was imported`);

  // Pass 0: the top level.
  const top: Record<string, unknown> = {};
  const present = new Set<string>();
  for await (const e of events(file, BIG_ARRAYS, false, chunkBytes)) {
    if (e.type === 'member') Object.defineProperty(top, e.name, { value: e.value, enumerable: true, writable: true, configurable: true });
    else if (e.type === 'array') present.add(e.name);
  }
  const format = detectFormat(top);
  if ('reason' in format && !unwrapped && isGitHubWrapping(top)) return importSbomFile(store, file, opts, top.sbom as Record<string, unknown>);
  if ('reason' in format) throw new UsageError(`${file}: not an SBOM aispm reads: ${format.reason}`);
  const schema = documentSchema(format.schema);
  const topForSchema = { ...top };
  for (const name of present) topForSchema[name] = [];
  const topFailure = schema.checkTop(topForSchema);
  if (topFailure) throw fail(topFailure.path, topFailure.message, format.label);

  // Pass 1: every item against the schema; the mapper learns the elements.
  const mapper = mapperFor(format, top);
  let items = 0;
  for await (const e of events(file, BIG_ARRAYS, true, chunkBytes)) {
    if (e.type !== 'item') continue;
    items++;
    const failure = schema.checkItem(e.name, e.index, e.value);
    if (failure) throw fail(failure.path, failure.message, format.label);
    if (mapper.streamed.has(e.name)) mapper.learn(e.name, e.index, e.value);
  }
  while (mapper.learnAgain?.()) {
    for await (const e of events(file, mapper.streamed, true, chunkBytes)) if (e.type === 'item') mapper.learn(e.name, e.index, e.value);
  }

  const subject = chooseSubject(file, mapper, opts.subject);
  const source = `sbom:${format.documentId ?? mapper.documentId?.() ?? `urn:aispm:subject:${subject.key}`}`;
  const scope = replacementScope(format, top, subject);

  // Pass 2: map and write.
  const warnings: string[] = [];
  let warningCount = 0;
  let nodes: NodeRecord[] = [];
  let edges: EdgeRecord[] = [];
  const sink: Sink = {
    node: (n) => nodes.push(n),
    edge: (e) => edges.push(e),
    warn: (m) => {
      warningCount++;
      if (warnings.length < MAX_WARNINGS) warnings.push(printable(m, 300));
    },
  };
  const take = (): RecordBatch => {
    const batch = { nodes, edges };
    nodes = [];
    edges = [];
    return batch;
  };
  async function* batches(): AsyncGenerator<RecordBatch> {
    mapper.begin(subject, sink, source);
    for await (const e of events(file, mapper.streamed, true, chunkBytes)) {
      if (e.type !== 'item') continue;
      mapper.map(e.name, e.index, e.value, sink);
      if (nodes.length + edges.length >= BATCH_RECORDS) yield take();
    }
    yield take();
  }
  const writer = createScopeWriter(store, 'sbom');
  await writer.commitScopeStream(scope, batches());
  return { file, format: format.label, subject: subject.key, source, scope, items, totals: writer.totals, warnings, warningCount };
}

function chooseSubject(file: string, mapper: FormatMapper, given: string | undefined): Identity {
  const candidate = mapper.subjectCandidate();
  if (given !== undefined) {
    const kind = kindOfKey(given);
    if (!kind) throw new UsageError(`--subject ${JSON.stringify(given.slice(0, 100))} is not a graph key (for example gh:repo/<owner>/<name>, hf:model/<owner>/<name>, ${keyFormatsOf('Endpoint').find((f) => f.startsWith('sbom:'))})`);
    return { key: given, kind };
  }
  if ('identity' in candidate) return candidate.identity;
  throw new UsageError(
    `${file}: cannot tell what this SBOM describes: ${candidate.reason}. Name it with --subject <key> (gh:repo/<owner>/<name>, hf:model/<owner>/<name>, sbom:service/<name>, a package purl with a version, …)`,
  );
}
