/**
 * Validation of a BOM against the official CycloneDX JSON schema (1.6 or 1.7) that @cyclonedx/cyclonedx-library
 * ships, with ajv and formats on. The library's own JsonStrictValidator needs `ajv-formats-draft2019`, which this
 * project does not install, so ajv is driven directly on the same schema files, with the same referenced schemas.
 * ajv is loaded lazily (it is a dev dependency): building a BOM never needs it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { AibomSpec } from './options.ts';

const require = createRequire(import.meta.url);

interface AjvValidateFn {
  (data: unknown): boolean;
  errors?: { instancePath: string; message?: string; params?: unknown }[] | null;
}

const compiled = new Map<AibomSpec, AjvValidateFn>();

function schemaDir(): string {
  return join(dirname(require.resolve('@cyclonedx/cyclonedx-library/package.json')), 'res', 'schema');
}

/**
 * `iri-reference` has no implementation in ajv-formats. An IRI reference here: no whitespace or control characters,
 * and, when it has a scheme, something the WHATWG URL parser accepts.
 */
function isIriReference(value: string): boolean {
  if (/[\s\u0000-\u001f\u007f<>"{}|\\^`]/u.test(value)) return false;
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/u.test(value)) return true;
  return URL.canParse(value);
}

const IDN_EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/u;

function compile(spec: AibomSpec): AjvValidateFn {
  const cached = compiled.get(spec);
  if (cached) return cached;
  const ajvModule = require('ajv') as { default: new (opts: object) => AjvInstance };
  const formatsModule = require('ajv-formats') as { default: (ajv: AjvInstance) => void };
  // strict off: the CycloneDX schemas use annotation keywords (meta:enum) that ajv's strict mode rejects.
  const ajv = new ajvModule.default({ strict: false, allErrors: true, validateFormats: true });
  formatsModule.default(ajv);
  ajv.addFormat('iri-reference', isIriReference);
  ajv.addFormat('idn-email', (v: string) => IDN_EMAIL.test(v));
  const dir = schemaDir();
  const load = (name: string) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as object;
  for (const name of ['spdx.SNAPSHOT.schema.json', 'jsf-0.82.SNAPSHOT.schema.json', 'cryptography-defs.SNAPSHOT.schema.json']) {
    ajv.addSchema(load(name), `http://cyclonedx.org/schema/${name}`);
  }
  const validate = ajv.compile(load(`bom-${spec}.SNAPSHOT.schema.json`));
  compiled.set(spec, validate);
  return validate;
}

interface AjvInstance {
  addFormat(name: string, fn: (value: string) => boolean): void;
  addSchema(schema: object, key: string): void;
  compile(schema: object): AjvValidateFn;
}

/** Validate a parsed BOM document against the CycloneDX `spec` JSON schema. */
export function validateAibom(bom: unknown, spec: AibomSpec): { valid: boolean; errors: string[] } {
  const validate = compile(spec);
  const valid = validate(bom);
  const errors = valid
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'} ${JSON.stringify(e.params ?? {})}`);
  return { valid, errors };
}
