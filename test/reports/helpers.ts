/**
 * Shared set-up for the report tests: the incident-shaped fixture graph in a real SQLite file, the answers worked out
 * by hand for it, and the validators (official SARIF 2.1.0 schema, report.schema.json, parse5 for HTML).
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, type DefaultTreeAdapterMap } from 'parse5';
import type { RecordBatch } from '../../schema/records.ts';
import { parseRecords } from '../../services/records-file.ts';
import { SqliteStore } from '../../services/store/sqlite.ts';
import type { GraphStore } from '../../schema/store.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
export const FIXTURE = join(HERE, '../fixtures/reports/graph.json');
const SARIF_SCHEMA = join(HERE, '../fixtures/sarif/sarif-2.1.0-rtm.5.json');
const REPORT_SCHEMA = join(HERE, '../../services/reports/report.schema.json');

/** Keys of the fixture graph (test/fixtures/reports/graph.json). */
export const K = {
  acme: 'hf:org/acme',
  alice: 'hf:user/alice',
  mallory: 'hf:user/mallory',
  webtext: 'hf:dataset/crowd/webtext',
  evalSet: 'hf:dataset/acme/eval-set',
  base: 'hf:model/basecorp/base-7b',
  pickle: 'hf:file/basecorp/base-7b/pytorch_model.bin@abc123',
  chat: 'hf:model/acme/chat-7b',
  summarizer: 'hf:model/acme/summarizer',
  visionExp: 'hf:model/acme/vision-exp',
  transformers: 'pkg:pypi/transformers@4.30.0',
  pillow: 'pkg:pypi/pillow@9.0.0',
  ghsa: 'vuln:GHSA-aaaa-bbbb-cccc',
  pysec: 'vuln:PYSEC-2099-1',
  chatSpace: 'hf:space/acme/chat',
  summarizeSpace: 'hf:space/acme/summarize',
} as const;

export const FIXED_NOW = new Date('2026-03-01T12:00:00Z');

export function fixtureBatch(): RecordBatch {
  return parseRecords(readFileSync(FIXTURE, 'utf8'), 'json', 'test:reports');
}

/** A new SQLite file at `dbPath` holding `batch` (the fixture graph unless given). */
export async function storeWith(dbPath: string, batch: RecordBatch = fixtureBatch()): Promise<GraphStore> {
  const store = await SqliteStore.open(dbPath);
  if (batch.nodes.length || batch.edges.length) await store.upsert(batch);
  return store;
}

/**
 * A small graph whose keys are hostile to Markdown and HTML: backticks, pipes, `<script>`, an `<img onerror>` and an
 * entity. Shape: a publicly writable dataset → a model trained on it → an endpoint serving it (one attack path).
 */
export const HOSTILE = {
  dataset: 'hf:dataset/evil|org/`data`<script>alert(1)',
  model: 'hf:model/evil|org/m``x|y<img src=x onerror=alert(1)>',
  endpoint: 'hf:space/evil|org/app<b>&amp;`',
  evidence: 'cardData`|<script>alert(2)',
} as const;

export function hostileBatch(): RecordBatch {
  return {
    nodes: [
      { kind: 'Dataset', key: HOSTILE.dataset, props: { publicWrite: true } },
      { kind: 'Model', key: HOSTILE.model, props: {} },
      { kind: 'Endpoint', key: HOSTILE.endpoint, props: {} },
    ],
    edges: [
      { kind: 'TRAINED_ON', from: HOSTILE.model, to: HOSTILE.dataset, source: 'hf', evidence: HOSTILE.evidence },
      { kind: 'SERVES', from: HOSTILE.endpoint, to: HOSTILE.model, source: 'hf', evidence: 'app.py', props: { revision: 'main' } },
    ],
  };
}

interface AjvLike {
  compile(schema: object): ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null };
  addSchema?(schema: object): void;
}

const require = createRequire(import.meta.url);

function formatsOn(ajv: AjvLike): AjvLike {
  (require('ajv-formats') as { default: (a: AjvLike) => void }).default(ajv);
  return ajv;
}

let sarifValidator: ReturnType<AjvLike['compile']> | undefined;
let reportValidator: ReturnType<AjvLike['compile']> | undefined;

function assertValid(validate: ReturnType<AjvLike['compile']>, doc: unknown, what: string): void {
  const ok = validate(doc);
  const errors = (validate.errors ?? []).slice(0, 15).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
  assert.equal(ok, true, `not a valid ${what}:\n${errors.join('\n')}`);
}

/** Validates against the official SARIF 2.1.0 schema (JSON Schema draft-04), formats checked. */
export function assertValidSarif(doc: unknown): void {
  if (!sarifValidator) {
    const Ajv04 = (require('ajv-draft-04') as { default: new (opts: object) => AjvLike }).default;
    // unicodeRegExp off: the official schema's language pattern (`…]?$`) is a valid ECMA-262 regex only without the u flag.
    const ajv = formatsOn(new Ajv04({ allErrors: true, strict: false, validateFormats: true, unicodeRegExp: false }));
    sarifValidator = ajv.compile(JSON.parse(readFileSync(SARIF_SCHEMA, 'utf8')) as object);
  }
  assertValid(sarifValidator, doc, 'SARIF 2.1.0 log');
}

/** Validates against services/reports/report.schema.json (JSON Schema 2020-12), formats checked, strict mode on. */
export function assertValidReportJson(doc: unknown): void {
  if (!reportValidator) {
    const Ajv2020 = (require('ajv/dist/2020.js') as { default: new (opts: object) => AjvLike }).default;
    const ajv = formatsOn(new Ajv2020({ allErrors: true, strict: true, validateFormats: true }));
    reportValidator = ajv.compile(JSON.parse(readFileSync(REPORT_SCHEMA, 'utf8')) as object);
  }
  assertValid(reportValidator, doc, 'aispm report JSON');
}

export type HtmlNode = DefaultTreeAdapterMap['node'];
export type HtmlElement = DefaultTreeAdapterMap['element'];

/** Parses HTML the way a browser does and fails on any parse error, naming each with its position. */
export function parseHtmlStrictly(html: string): DefaultTreeAdapterMap['document'] {
  const errors: string[] = [];
  const doc = parse(html, { sourceCodeLocationInfo: true, onParseError: (e) => errors.push(`${e.code} at line ${e.startLine} col ${e.startCol}`) });
  assert.deepEqual(errors, [], `HTML parse errors:\n${errors.join('\n')}`);
  return doc;
}

/** Every element under `node`, document order. */
export function elements(node: HtmlNode): HtmlElement[] {
  const out: HtmlElement[] = [];
  const walk = (n: HtmlNode) => {
    if ('tagName' in n) out.push(n);
    const kids = 'childNodes' in n ? n.childNodes : [];
    for (const c of kids) walk(c);
    if ('content' in n && n.content) walk(n.content as HtmlNode);
  };
  walk(node);
  return out;
}

/** The text content of a node, entities decoded. */
export function textOf(node: HtmlNode): string {
  if (node.nodeName === '#text') return (node as DefaultTreeAdapterMap['textNode']).value;
  return ('childNodes' in node ? node.childNodes : []).map(textOf).join('');
}

export function attr(el: HtmlElement, name: string): string | undefined {
  return el.attrs.find((a) => a.name === name)?.value;
}

/**
 * Inline code spans of one Markdown line as CommonMark reads them: a backtick run opens, the next run of the same
 * length closes, and one space is stripped from each side when both sides have one. In a GFM table row, cells are
 * split on unescaped pipes first and `\|` becomes `|` inside a cell, before inline parsing.
 */
export function codeSpans(line: string, table = false): string[] {
  const pieces = table ? splitTableRow(line).map((c) => c.replace(/\\\|/g, '|')) : [line];
  const spans: string[] = [];
  for (const text of pieces) {
    let i = 0;
    while (i < text.length) {
      // Outside a span a backslash escapes the next character (an escaped backtick opens nothing).
      if (text[i] === '\\') {
        i += 2;
        continue;
      }
      if (text[i] !== '`') {
        i++;
        continue;
      }
      let j = i;
      while (text[j] === '`') j++;
      const run = j - i;
      const close = findRun(text, j, run);
      if (close < 0) {
        i = j;
        continue;
      }
      let content = text.slice(j, close);
      if (content.length > 2 && content.startsWith(' ') && content.endsWith(' ') && content.trim()) content = content.slice(1, -1);
      spans.push(content);
      i = close + run;
    }
  }
  return spans;
}

/** Cells of a GFM table row: split on pipes not escaped with a backslash, outer pipes dropped. */
export function splitTableRow(line: string): string[] {
  const cells: string[] = [];
  let cur = '';
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\\' && line[i + 1] === '|') {
      cur += '\\|';
      i++;
    } else if (line[i] === '|') {
      cells.push(cur);
      cur = '';
    } else cur += line[i];
  }
  cells.push(cur);
  return cells.slice(1, -1);
}

/** A line with every code span removed: what is left is what Markdown parses as markup. */
export function outsideCode(line: string): string {
  let out = '';
  let i = 0;
  while (i < line.length) {
    if (line[i] === '\\') {
      out += line.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (line[i] !== '`') {
      out += line[i++];
      continue;
    }
    let j = i;
    while (line[j] === '`') j++;
    const run = line.slice(i, j);
    const close = findRun(line, j, run.length);
    if (close < 0) {
      out += run;
      i = j;
      continue;
    }
    out += '␣';
    i = close + run.length;
  }
  return out;
}

function findRun(text: string, from: number, length: number): number {
  let k = from;
  while (k < text.length) {
    if (text[k] !== '`') {
      k++;
      continue;
    }
    let e = k;
    while (text[e] === '`') e++;
    if (e - k === length) return k;
    k = e;
  }
  return -1;
}
