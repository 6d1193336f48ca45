/**
 * Schema validation of SBOM documents, one piece at a time: the document's top level (its big arrays left empty)
 * against the whole schema, then each item of those arrays against the schema its array names for items
 * (`#/definitions/component`, …). For the official schemas that is the same verdict as validating the whole
 * document, except `uniqueItems` on the big arrays (an O(n²) check no importer needs: a repeated item maps to the
 * same records), and it lets a 500k-component document be checked without holding it.
 *
 * CycloneDX 1.2–1.7: the official JSON schemas shipped in @cyclonedx/cyclonedx-library, driven as the
 * specification's own tests drive them (ajv, formats on, strict off, the spdx/jsf/cryptography schemas registered
 * by id). SPDX 2.2/2.3 and 3.0: the project's own schemas in `schemas/` (see the README there for why and what
 * they check).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

export const CYCLONEDX_VERSIONS = ['1.2', '1.3', '1.4', '1.5', '1.6', '1.7'] as const;
export type CycloneDxVersion = (typeof CYCLONEDX_VERSIONS)[number];

export type SchemaId = `cyclonedx-${CycloneDxVersion}` | 'spdx-2.2' | 'spdx-2.3' | 'spdx-3.0';

export interface SchemaFailure {
  /** JSON pointer of the first failing value, from the document root (`/components/3/hashes/0/content`). */
  path: string;
  message: string;
}

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params?: Record<string, unknown>;
}

interface AjvValidateFn {
  (data: unknown): boolean;
  errors?: AjvError[] | null;
}

interface AjvInstance {
  addFormat(name: string, fn: (value: string) => boolean): void;
  addSchema(schema: object, key?: string): void;
  compile(schema: object): AjvValidateFn;
  getSchema(ref: string): AjvValidateFn | undefined;
}

export interface DocumentSchema {
  id: SchemaId;
  /** Top-level arrays validated item by item (and streamed by the reader). */
  streamed: ReadonlySet<string>;
  /** The top level, with every streamed array given as `[]`. */
  checkTop(top: Record<string, unknown>): SchemaFailure | undefined;
  checkItem(array: string, index: number, item: unknown): SchemaFailure | undefined;
}

/** `iri-reference` has no implementation in ajv-formats: no whitespace or controls, and a parseable URL when it has a scheme. */
function isIriReference(value: string): boolean {
  if (/[\s\u0000-\u001f\u007f<>"{}|\\^`]/u.test(value)) return false;
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/u.test(value)) return true;
  return URL.canParse(value);
}

function newAjv(): AjvInstance {
  const Ajv = (require('ajv') as { default: new (opts: object) => AjvInstance }).default;
  const addFormats = (require('ajv-formats') as { default: (ajv: AjvInstance) => void }).default;
  // strict off: the CycloneDX schemas use annotation keywords (meta:enum) strict mode rejects. allErrors off: the
  // first failure is what is reported, and stopping there is cheaper.
  const ajv = new Ajv({ strict: false, allErrors: false, validateFormats: true });
  addFormats(ajv);
  ajv.addFormat('iri-reference', isIriReference);
  ajv.addFormat('idn-email', (v: string) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/u.test(v));
  return ajv;
}

const loadJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;

function schemaSource(id: SchemaId): { main: Record<string, unknown>; helpers: [string, Record<string, unknown>][] } {
  if (id.startsWith('cyclonedx-')) {
    const dir = join(dirname(require.resolve('@cyclonedx/cyclonedx-library/package.json')), 'res', 'schema');
    const helpers = ['spdx.SNAPSHOT.schema.json', 'jsf-0.82.SNAPSHOT.schema.json', 'cryptography-defs.SNAPSHOT.schema.json'].map(
      (name) => [`http://cyclonedx.org/schema/${name}`, loadJson(join(dir, name))] as [string, Record<string, unknown>],
    );
    return { main: loadJson(join(dir, `bom-${id.slice('cyclonedx-'.length)}.SNAPSHOT.schema.json`)), helpers };
  }
  return { main: loadJson(join(import.meta.dirname, 'schemas', `${id}.schema.json`)), helpers: [] };
}

const cache = new Map<SchemaId, DocumentSchema>();

function firstFailure(validate: AjvValidateFn, prefix: string, skip?: (e: AjvError) => boolean): SchemaFailure | undefined {
  const errors = (validate.errors ?? []).filter((e) => !skip?.(e));
  const e = errors[0];
  if (!e) return undefined;
  const params = e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params).slice(0, 200)}` : '';
  return { path: `${prefix}${e.instancePath}` || '/', message: `${e.message ?? 'is invalid'}${params}` };
}

/** The schema of a document format, compiled once. */
export function documentSchema(id: SchemaId): DocumentSchema {
  const cached = cache.get(id);
  if (cached) return cached;
  const ajv = newAjv();
  const { main, helpers } = schemaSource(id);
  for (const [key, schema] of helpers) ajv.addSchema(schema, key);
  const whole = ajv.compile(main);
  const rootId = typeof main.$id === 'string' ? main.$id : '';
  const properties = (main.properties ?? {}) as Record<string, { type?: unknown; items?: { $ref?: unknown } }>;
  const itemValidators = new Map<string, AjvValidateFn>();
  for (const [name, spec] of Object.entries(properties)) {
    const ref = spec.items?.$ref;
    if (spec.type !== 'array' || typeof ref !== 'string' || !ref.startsWith('#/')) continue;
    const validate = ajv.getSchema(`${rootId}${ref}`);
    if (validate) itemValidators.set(name, validate);
  }
  const streamed = new Set(itemValidators.keys());
  const schema: DocumentSchema = {
    id,
    streamed,
    checkTop(top) {
      if (whole(top)) return undefined;
      // The streamed arrays were given empty: a rule about their length or uniqueness is not the top level's to judge.
      return firstFailure(whole, '', (e) => streamed.has(e.instancePath.slice(1)) && (e.keyword === 'minItems' || e.keyword === 'uniqueItems'));
    },
    checkItem(array, index, item) {
      const validate = itemValidators.get(array);
      if (!validate || validate(item)) return undefined;
      return firstFailure(validate, `/${array}/${index}`);
    },
  };
  cache.set(id, schema);
  return schema;
}
