/**
 * Which format a document is (from its top-level members, before any item is read), and the interface each
 * format's mapper implements for the two passes of an import.
 */
import type { Identity, Sink } from './mapping.ts';
import { CYCLONEDX_VERSIONS, type SchemaId } from './schemas.ts';

export type SubjectCandidate = { identity: Identity } | { reason: string };

export interface FormatMapper {
  /** Top-level arrays the mapper reads item by item. */
  streamed: ReadonlySet<string>;
  /** First pass, after validation: learn what each element is, so references resolve in the second. */
  learn(array: string, index: number, item: unknown): void;
  /** After a learning pass: whether the mapper needs the items once more (a root described after it went by). */
  learnAgain?(): boolean;
  /** After the first pass: what the document itself says its subject is. */
  subjectCandidate(): SubjectCandidate;
  /** The document's id where the top level does not hold it (SPDX 3 names its SpdxDocument inside @graph). */
  documentId?(): string | undefined;
  /** Second pass: the subject's own records (every record carries `source` as provenance), then each item's. */
  begin(subject: Identity, sink: Sink, source: string): void;
  map(array: string, index: number, item: unknown, sink: Sink): void;
}

export interface DetectedFormat {
  family: 'cyclonedx' | 'spdx2' | 'spdx3';
  schema: SchemaId;
  /** For messages: `CycloneDX 1.6`, `SPDX 2.3`, `SPDX 3.0`. */
  label: string;
  /** The document's identity: serialNumber, documentNamespace or the SpdxDocument's spdxId, when it has one. */
  documentId?: string;
}

const SPDX3_CONTEXT = /^https:\/\/spdx\.org\/rdf\/3\.0\.\d+\/spdx-context\.jsonld$/u;

/** The format of a document from its top-level members, or the reason it is none aispm reads. */
export function detectFormat(top: Record<string, unknown>): DetectedFormat | { reason: string } {
  if (top.bomFormat === 'CycloneDX') {
    const version = top.specVersion;
    if (typeof version !== 'string' || !(CYCLONEDX_VERSIONS as readonly string[]).includes(version)) {
      return { reason: `CycloneDX specVersion ${JSON.stringify(version)?.slice(0, 20)} is not one aispm reads (JSON 1.2–1.7)` };
    }
    const serial = typeof top.serialNumber === 'string' ? top.serialNumber : undefined;
    return { family: 'cyclonedx', schema: `cyclonedx-${version as (typeof CYCLONEDX_VERSIONS)[number]}`, label: `CycloneDX ${version}`, ...(serial ? { documentId: serial } : {}) };
  }
  if (typeof top.spdxVersion === 'string') {
    const m = /^SPDX-(2\.[23])$/u.exec(top.spdxVersion);
    if (!m) return { reason: `${top.spdxVersion.slice(0, 20)} JSON is not a version aispm reads (SPDX 2.2, 2.3, 3.0)` };
    const ns = typeof top.documentNamespace === 'string' ? top.documentNamespace : undefined;
    return { family: 'spdx2', schema: `spdx-${m[1] as '2.2' | '2.3'}`, label: `SPDX ${m[1]}`, ...(ns ? { documentId: ns } : {}) };
  }
  const context = top['@context'];
  const contexts = Array.isArray(context) ? context : [context];
  if (contexts.some((c) => typeof c === 'string' && SPDX3_CONTEXT.test(c))) return { family: 'spdx3', schema: 'spdx-3.0', label: 'SPDX 3.0' };
  if (top.bomFormat !== undefined) return { reason: `bomFormat ${JSON.stringify(top.bomFormat)?.slice(0, 30)} is not CycloneDX` };
  return { reason: 'it is neither CycloneDX (bomFormat), SPDX 2 (spdxVersion) nor SPDX 3 JSON-LD (@context)' };
}
