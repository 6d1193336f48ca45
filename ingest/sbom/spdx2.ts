/**
 * A reader for SPDX 2.2 / 2.3 JSON documents: the document's identity, what it describes, its packages (purl,
 * version, licenses, checksums, download location), its files and its relationships, each relationship also read
 * in its canonical direction (`B DEPENDENCY_OF A` is `A depends on B`). Pure: it takes the parsed JSON and returns
 * plain data; it never throws on odd element data (each odd item is a warning and is skipped or left without the
 * odd field), only on a value that is not an SPDX 2 document at all.
 *
 * Used by `aispm ingest sbom` and by the GitHub source for `/repos/{owner}/{repo}/dependency-graph/sbom` (whose
 * response wraps the document as `{ "sbom": { … } }`; `readSpdx2` unwraps that).
 *
 * Field meanings follow the SPDX 2.3 specification: `NOASSERTION` and `NONE` mean "no value" for licenses, the
 * download location and the supplier; a purl is an external reference of category `PACKAGE-MANAGER` (2.2 tools
 * also write `PACKAGE_MANAGER`) and type `purl`.
 */
import { parsePurl } from '../../schema/keys.ts';

export interface Spdx2Document {
  /** `SPDX-2.2`, `SPDX-2.3` as written. */
  spdxVersion: string;
  /** The document's own SPDXID (normally `SPDXRef-DOCUMENT`). */
  spdxId: string;
  name: string;
  /** documentNamespace: the document's unique URI (what a newer version of the same document keeps or replaces). */
  namespace: string;
  created?: string;
  /** `Tool: syft-1.0`, `Organization: Anchore`, … as written. */
  creators: string[];
  /**
   * SPDXIDs of the elements the document describes, from `documentDescribes` and `DESCRIBES` / `DESCRIBED_BY`
   * relationships, in document order without repeats. Only ids of elements in this document.
   */
  describes: string[];
  /**
   * `documentDescribes` entries that name no element of the document (GitHub's documented example writes the
   * repository name, `"github/example"`, there).
   */
  describesUnresolved: string[];
  packages: Spdx2Package[];
  files: Spdx2File[];
  relationships: Spdx2Relationship[];
  /** What was odd and skipped, one line each, naming the JSON path. */
  warnings: string[];
}

export interface Spdx2Checksum {
  /** As the spec names it: `SHA1`, `SHA256`, `MD5`, `BLAKE2b-256`, … */
  algorithm: string;
  /** Lower-case hex. */
  value: string;
}

export interface Spdx2Package {
  spdxId: string;
  name: string;
  version?: string;
  /** The first `purl` external reference that parses as a purl (as written). */
  purl?: string;
  /** Every `purl` external reference that parses, first one first. */
  purls: string[];
  /** `cpe23Type` / `cpe22Type` locators. */
  cpes: string[];
  licenseConcluded?: string;
  licenseDeclared?: string;
  /** The license to show: concluded where asserted, else declared. */
  license?: string;
  checksums: Spdx2Checksum[];
  downloadLocation?: string;
  homepage?: string;
  supplier?: string;
  originator?: string;
  /** primaryPackagePurpose (2.3): `LIBRARY`, `APPLICATION`, `CONTAINER`, `FILE`, `SOURCE`, … */
  purpose?: string;
  description?: string;
  copyrightText?: string;
}

export interface Spdx2File {
  spdxId: string;
  fileName: string;
  checksums: Spdx2Checksum[];
  licenseConcluded?: string;
}

export interface Spdx2Relationship {
  /** spdxElementId as written. */
  from: string;
  /** relationshipType as written (upper case). */
  type: string;
  /** relatedSpdxElement as written (may be `NONE`, `NOASSERTION` or `DocumentRef-…:SPDXRef-…`). */
  to: string;
  comment?: string;
}

/** What a relationship means, read in one direction: `from` depends on / contains / … `to`. */
export interface CanonicalRelationship {
  meaning: RelationshipMeaning;
  from: string;
  to: string;
  /** For dependencies: dev, optional, build, runtime, provided, test, when the type says. */
  scope?: string;
  /** The relationship type as written. */
  type: string;
}

export type RelationshipMeaning =
  | 'describes'
  | 'depends-on'
  | 'contains'
  | 'generated-from'
  | 'descendant-of'
  | 'variant-of'
  | 'other';

/** SPDX 2.3 relationship types by meaning: `reverse` when the written `from` is the canonical `to`. */
const RELATIONSHIP_TYPES: Readonly<Record<string, { meaning: RelationshipMeaning; reverse?: boolean; scope?: string }>> = {
  DESCRIBES: { meaning: 'describes' },
  DESCRIBED_BY: { meaning: 'describes', reverse: true },
  DEPENDS_ON: { meaning: 'depends-on' },
  DEPENDENCY_OF: { meaning: 'depends-on', reverse: true },
  RUNTIME_DEPENDENCY_OF: { meaning: 'depends-on', reverse: true, scope: 'runtime' },
  DEV_DEPENDENCY_OF: { meaning: 'depends-on', reverse: true, scope: 'dev' },
  OPTIONAL_DEPENDENCY_OF: { meaning: 'depends-on', reverse: true, scope: 'optional' },
  BUILD_DEPENDENCY_OF: { meaning: 'depends-on', reverse: true, scope: 'build' },
  PROVIDED_DEPENDENCY_OF: { meaning: 'depends-on', reverse: true, scope: 'provided' },
  TEST_DEPENDENCY_OF: { meaning: 'depends-on', reverse: true, scope: 'test' },
  DEPENDENCY_MANIFEST_OF: { meaning: 'other' },
  HAS_PREREQUISITE: { meaning: 'depends-on' },
  PREREQUISITE_FOR: { meaning: 'depends-on', reverse: true },
  STATIC_LINK: { meaning: 'depends-on' },
  DYNAMIC_LINK: { meaning: 'depends-on' },
  BUILD_TOOL_OF: { meaning: 'depends-on', reverse: true, scope: 'build' },
  DEV_TOOL_OF: { meaning: 'depends-on', reverse: true, scope: 'dev' },
  TEST_TOOL_OF: { meaning: 'depends-on', reverse: true, scope: 'test' },
  CONTAINS: { meaning: 'contains' },
  CONTAINED_BY: { meaning: 'contains', reverse: true },
  PACKAGE_OF: { meaning: 'contains', reverse: true },
  GENERATED_FROM: { meaning: 'generated-from' },
  GENERATES: { meaning: 'generated-from', reverse: true },
  DESCENDANT_OF: { meaning: 'descendant-of' },
  ANCESTOR_OF: { meaning: 'descendant-of', reverse: true },
  VARIANT_OF: { meaning: 'variant-of' },
};

/** The canonical reading of a relationship (`B DEPENDENCY_OF A` → A depends-on B); unknown types are `other`. */
export function canonicalRelationship(rel: Spdx2Relationship): CanonicalRelationship {
  const spec = RELATIONSHIP_TYPES[rel.type] ?? { meaning: 'other' as const };
  const [from, to] = spec.reverse ? [rel.to, rel.from] : [rel.from, rel.to];
  return { meaning: spec.meaning, from, to, type: rel.type, ...(spec.scope ? { scope: spec.scope } : {}) };
}

export class Spdx2ReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Spdx2ReadError';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
/** A value the spec lets say "nothing known": NOASSERTION and NONE read as absent. */
const asserted = (v: unknown): string | undefined => {
  const s = str(v);
  return s === undefined || s === 'NOASSERTION' || s === 'NONE' ? undefined : s;
};

/** True when `value` looks like an SPDX 2 JSON document (or GitHub's `{ sbom: … }` wrapping of one). */
export function isSpdx2(value: unknown): boolean {
  const doc = isObject(value) && isObject(value.sbom) && !('spdxVersion' in value) ? value.sbom : value;
  return isObject(doc) && typeof doc.spdxVersion === 'string' && /^SPDX-2\.\d+$/u.test(doc.spdxVersion);
}

/**
 * Reads an SPDX 2.x JSON document (parsed). Throws Spdx2ReadError only when the value is not one (no
 * `spdxVersion: "SPDX-2.x"`); everything else odd is a warning.
 */
export function readSpdx2(value: unknown): Spdx2Document {
  const doc = isObject(value) && isObject(value.sbom) && !('spdxVersion' in value) ? value.sbom : value;
  if (!isObject(doc)) throw new Spdx2ReadError('an SPDX document is a JSON object');
  const version = doc.spdxVersion;
  if (typeof version !== 'string' || !/^SPDX-2\.\d+$/u.test(version)) {
    throw new Spdx2ReadError(`not an SPDX 2 document (spdxVersion is ${JSON.stringify(version)?.slice(0, 40) ?? 'missing'})`);
  }
  const warnings: string[] = [];
  const creation = isObject(doc.creationInfo) ? doc.creationInfo : {};
  const rawPackages = listOf(doc.packages, 'packages', warnings);
  const packages = rawPackages
    .map((raw, i) => readSpdx2Package(raw, `packages[${i}]`, warnings))
    .filter((p): p is Spdx2Package => p !== undefined);
  const files = listOf(doc.files, 'files', warnings)
    .map((raw, i) => readSpdx2File(raw, `files[${i}]`, warnings))
    .filter((f): f is Spdx2File => f !== undefined);
  const relationships = [
    ...listOf(doc.relationships, 'relationships', warnings).map((raw, i) => readSpdx2Relationship(raw, `relationships[${i}]`, warnings)),
    // SPDX 2.2 also let an element carry its own relationships.
    ...rawPackages.flatMap((element, i) => elementRelationships(element, `packages[${i}]`, warnings)),
  ].filter((r): r is Spdx2Relationship => r !== undefined);
  const spdxId = str(doc.SPDXID) ?? 'SPDXRef-DOCUMENT';
  const ids = new Set([...packages.map((p) => p.spdxId), ...files.map((f) => f.spdxId)]);
  const byName = new Map<string, string>();
  for (const p of packages) if (!byName.has(p.name)) byName.set(p.name, p.spdxId);
  const describes: string[] = [];
  const describesUnresolved: string[] = [];
  const describe = (id: string) => {
    if (!describes.includes(id)) describes.push(id);
  };
  for (const entry of listOf(doc.documentDescribes, 'documentDescribes', warnings)) {
    if (typeof entry !== 'string') continue;
    if (ids.has(entry)) describe(entry);
    else if (byName.has(entry)) describe(byName.get(entry)!);
    else describesUnresolved.push(entry);
  }
  for (const rel of relationships) {
    const c = canonicalRelationship(rel);
    if (c.meaning === 'describes' && c.from === spdxId && ids.has(c.to)) describe(c.to);
  }
  return {
    spdxVersion: version,
    spdxId,
    name: str(doc.name) ?? '',
    namespace: str(doc.documentNamespace) ?? '',
    ...(str(creation.created) ? { created: str(creation.created)! } : {}),
    creators: Array.isArray(creation.creators) ? creation.creators.filter((c): c is string => typeof c === 'string') : [],
    describes,
    describesUnresolved,
    packages,
    files,
    relationships,
    warnings,
  };
}

function listOf(value: unknown, path: string, warnings: string[]): unknown[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  warnings.push(`${path}: not a list, ignored`);
  return [];
}

/** One package of `packages[]`; undefined (with a warning) when it has no SPDXID or name. */
export function readSpdx2Package(raw: unknown, path: string, warnings: string[]): Spdx2Package | undefined {
  if (!isObject(raw)) {
    warnings.push(`${path}: not an object, skipped`);
    return undefined;
  }
  const spdxId = str(raw.SPDXID);
  const name = str(raw.name);
  if (!spdxId || !name) {
    warnings.push(`${path}: no ${spdxId ? 'name' : 'SPDXID'}, skipped`);
    return undefined;
  }
  const purls: string[] = [];
  const cpes: string[] = [];
  listOf(raw.externalRefs, `${path}.externalRefs`, warnings).forEach((ref, i) => {
    if (!isObject(ref)) return;
    const category = typeof ref.referenceCategory === 'string' ? ref.referenceCategory.replace(/_/gu, '-').toUpperCase() : '';
    const type = ref.referenceType;
    const locator = str(ref.referenceLocator);
    if (!locator) return;
    if (category === 'PACKAGE-MANAGER' && type === 'purl') {
      if (parsePurl(locator)) purls.push(locator);
      else warnings.push(`${path}.externalRefs[${i}]: ${JSON.stringify(locator.slice(0, 80))} is not a purl, ignored`);
    } else if (category === 'SECURITY' && (type === 'cpe23Type' || type === 'cpe22Type')) cpes.push(locator);
  });
  const licenseConcluded = asserted(raw.licenseConcluded);
  const licenseDeclared = asserted(raw.licenseDeclared);
  const optional = {
    version: str(raw.versionInfo),
    purl: purls[0],
    licenseConcluded,
    licenseDeclared,
    license: licenseConcluded ?? licenseDeclared,
    downloadLocation: asserted(raw.downloadLocation),
    homepage: asserted(raw.homepage),
    supplier: asserted(raw.supplier),
    originator: asserted(raw.originator),
    purpose: str(raw.primaryPackagePurpose),
    description: str(raw.description) ?? str(raw.summary),
    copyrightText: asserted(raw.copyrightText),
  };
  return {
    spdxId,
    name,
    purls,
    cpes,
    checksums: readChecksums(raw.checksums, `${path}.checksums`, warnings),
    ...definedOnly(optional),
  };
}

export function readSpdx2File(raw: unknown, path: string, warnings: string[]): Spdx2File | undefined {
  if (!isObject(raw)) {
    warnings.push(`${path}: not an object, skipped`);
    return undefined;
  }
  const spdxId = str(raw.SPDXID);
  const fileName = str(raw.fileName);
  if (!spdxId || !fileName) {
    warnings.push(`${path}: no ${spdxId ? 'fileName' : 'SPDXID'}, skipped`);
    return undefined;
  }
  const licenseConcluded = asserted(raw.licenseConcluded);
  return { spdxId, fileName, checksums: readChecksums(raw.checksums, `${path}.checksums`, warnings), ...(licenseConcluded ? { licenseConcluded } : {}) };
}

export function readSpdx2Relationship(raw: unknown, path: string, warnings: string[]): Spdx2Relationship | undefined {
  if (!isObject(raw)) {
    warnings.push(`${path}: not an object, skipped`);
    return undefined;
  }
  const from = str(raw.spdxElementId);
  const type = str(raw.relationshipType);
  const to = str(raw.relatedSpdxElement);
  if (!from || !type || !to) {
    warnings.push(`${path}: needs spdxElementId, relationshipType and relatedSpdxElement, skipped`);
    return undefined;
  }
  const comment = str(raw.comment);
  return { from, type: type.toUpperCase(), to, ...(comment ? { comment } : {}) };
}

/** SPDX 2.2's per-element `relationships` (the element is the `from` when it is not written). */
function elementRelationships(element: unknown, path: string, warnings: string[]): (Spdx2Relationship | undefined)[] {
  if (!isObject(element) || element.relationships === undefined) return [];
  return listOf(element.relationships, `${path}.relationships`, warnings).map((raw, i) =>
    readSpdx2Relationship(isObject(raw) ? { spdxElementId: element.SPDXID, ...raw } : raw, `${path}.relationships[${i}]`, warnings),
  );
}

function readChecksums(value: unknown, path: string, warnings: string[]): Spdx2Checksum[] {
  const out: Spdx2Checksum[] = [];
  listOf(value, path, warnings).forEach((c, i) => {
    if (!isObject(c) || typeof c.algorithm !== 'string' || typeof c.checksumValue !== 'string' || !/^[0-9a-fA-F]+$/u.test(c.checksumValue)) {
      warnings.push(`${path}[${i}]: needs an algorithm and a hex checksumValue, ignored`);
      return;
    }
    out.push({ algorithm: c.algorithm, value: c.checksumValue.toLowerCase() });
  });
  return out;
}

function definedOnly<T extends Record<string, unknown>>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
