/**
 * SPDX 3.0 JSON-LD (Core, Software, AI and Dataset profiles, Security VEX) → records, element by element of
 * `@graph`: `software_Package` / `ai_AIPackage` / `dataset_DatasetPackage` with a purl (`software_packageUrl` or a
 * `packageUrl` external identifier) become the nodes their owners write; the SpdxDocument's root (through its
 * Sbom) is the subject; relationships map by type — dependsOn, contains, trainedOn, testedOn, ancestorOf /
 * descendantOf / hasVariant, hasDeclaredLicense / hasConcludedLicense (a license on the node), and the security
 * profile's affects / doesNotAffect / underInvestigationFor / fixedIn (AFFECTS with the VEX state). Pure.
 */
import { parsePurl, tryKeyOf } from '../../schema/keys.ts';
import type { FormatMapper, SubjectCandidate } from './format.ts';
import { identityOfPurl, isObject, link, list, props, seeThrough, str, type Identity } from './mapping.ts';
import type { LinkMeaning } from './links.ts';

type Json = Record<string, unknown>;
const PACKAGE_TYPES = new Set(['software_Package', 'ai_AIPackage', 'dataset_DatasetPackage']);

/** Relationship types that make edges: the graph sense, and whether `to` is the deriving end. */
const LINKS: Readonly<Record<string, { meaning: LinkMeaning; reverse?: boolean; scope?: string }>> = {
  dependsOn: { meaning: 'depends-on' },
  hasOptionalDependency: { meaning: 'depends-on', scope: 'optional' },
  hasProvidedDependency: { meaning: 'depends-on', scope: 'provided' },
  hasStaticLink: { meaning: 'depends-on' },
  hasDynamicLink: { meaning: 'depends-on' },
  contains: { meaning: 'contains' },
  trainedOn: { meaning: 'trained-on' },
  testedOn: { meaning: 'evaluated-on' },
  descendantOf: { meaning: 'derived-from' },
  ancestorOf: { meaning: 'derived-from', reverse: true },
  hasVariant: { meaning: 'derived-from', reverse: true },
};

/** Security-profile relationship types (from a vulnerability to what it concerns) and the VEX state each states. */
const VEX: Readonly<Record<string, string | undefined>> = {
  affects: undefined,
  doesNotAffect: 'not_affected',
  underInvestigationFor: 'in_triage',
  fixedIn: 'resolved',
};

function purlOf(e: Json): string | undefined {
  const direct = str(e.software_packageUrl);
  if (direct) return direct;
  const ext = list(e.externalIdentifier).find((x) => isObject(x) && x.externalIdentifierType === 'packageUrl') as Json | undefined;
  return str(ext?.identifier);
}

function vulnerabilityId(e: Json): string | undefined {
  const ids = list(e.externalIdentifier).filter(isObject);
  const pick = (type: string) => str(ids.find((x) => x.externalIdentifierType === type)?.identifier);
  return pick('securityOther') ?? pick('cve') ?? str(e.name);
}

export function spdx3Mapper(): FormatMapper {
  let source = '';
  const ids = new Map<string, Identity>();
  const licenses = new Map<string, string>();
  const vulns = new Map<string, string>();
  const roots = new Map<string, string[]>();
  // What each element contains or depends on, so a link into an element without a purl reaches what is behind it.
  const children = new Map<string, string[]>();
  let documentId: string | undefined;
  let subjectElement: string | undefined;
  let subject: Identity | undefined;
  let rootRecord: Json | undefined;
  let again = false;

  const rootId = (): string | undefined => {
    if (!documentId) return undefined;
    let at = roots.get(documentId)?.[0];
    // The document's root is usually an Sbom, whose own root is the thing described.
    for (let hops = 0; at && roots.has(at) && hops < 4; hops++) at = roots.get(at)![0];
    return at;
  };
  const resolve = (id: string): Identity | undefined => (id === subjectElement && subject ? subject : ids.get(id));

  return {
    streamed: new Set(['@graph']),
    learn(_array, _index, e) {
      if (!isObject(e) || typeof e.spdxId !== 'string') return;
      const type = str(e.type) ?? '';
      if (type === 'SpdxDocument') documentId ??= e.spdxId;
      if (type === 'SpdxDocument' || type === 'software_Sbom') roots.set(e.spdxId, list(e.rootElement).filter((r): r is string => typeof r === 'string'));
      if (PACKAGE_TYPES.has(type)) {
        const id = identityOfPurl(purlOf(e));
        if (id) ids.set(e.spdxId, { key: id.key, kind: id.kind });
        if (e.spdxId === rootId()) rootRecord = { ...e };
      }
      if (type === 'simplelicensing_LicenseExpression' && str(e.simplelicensing_licenseExpression)) licenses.set(e.spdxId, str(e.simplelicensing_licenseExpression)!);
      const relType = str(e.relationshipType);
      const from = str(e.from);
      if (!again && from && (relType === 'contains' || relType === 'dependsOn')) {
        children.set(from, [...(children.get(from) ?? []), ...list(e.to).filter((t): t is string => typeof t === 'string')]);
      }
      if (type === 'security_Vulnerability') {
        const id = vulnerabilityId(e);
        const key = id ? tryKeyOf('vuln', { id }) : undefined;
        if (key) vulns.set(e.spdxId, key);
      }
    },
    learnAgain() {
      // The root package came before the document said it was the root: read once more for its record.
      if (again || rootId() === undefined || rootRecord?.spdxId === rootId()) return false;
      again = true;
      return true;
    },
    documentId: () => documentId,
    subjectCandidate(): SubjectCandidate {
      subjectElement = rootId();
      if (!subjectElement) return { reason: 'no SpdxDocument names a root element' };
      const id = ids.get(subjectElement);
      return id ? { identity: id } : { reason: `its root ${JSON.stringify(subjectElement.slice(0, 100))} has no purl with a version` };
    },
    begin(chosen, sink, provenance) {
      subject = chosen;
      source = provenance;
      subjectElement ??= rootId();
      const root = rootRecord && rootRecord.spdxId === subjectElement ? rootRecord : undefined;
      sink.node({ kind: chosen.kind, key: chosen.key, props: root ? props({ name: str(root.name), description: str(root.description) }) : {} });
    },
    map(_array, index, e, sink) {
      if (!isObject(e)) return;
      const path = `@graph[${index}]`;
      const type = str(e.type) ?? '';
      if (PACKAGE_TYPES.has(type) && typeof e.spdxId === 'string') {
        const id = resolve(e.spdxId);
        if (!id) return sink.warn(`${path}: ${str(e.name) ?? e.spdxId} not recorded (no purl with a version)`);
        const purl = id.kind === 'Package' ? parsePurl(id.key) : undefined;
        const hashes = Object.fromEntries(
          list(e.verifiedUsing).filter(isObject).filter((h) => str(h.algorithm) && str(h.hashValue)).map((h) => [str(h.algorithm)!, str(h.hashValue)!.toLowerCase()]),
        );
        sink.node({
          kind: id.kind, key: id.key,
          props: props({
            name: str(e.name), description: str(e.description), version: id.kind === 'Package' ? (str(e.software_packageVersion) ?? purl?.version) : undefined,
            ecosystem: purl?.type, hashes: Object.keys(hashes).length ? hashes : undefined,
            domain: Array.isArray(e.ai_domain) ? (e.ai_domain.filter((d) => typeof d === 'string') as string[]) : undefined,
            datasetType: Array.isArray(e.dataset_datasetType) ? (e.dataset_datasetType.filter((d) => typeof d === 'string') as string[]) : undefined,
          }),
        });
        return;
      }
      if (type === 'security_Vulnerability' && typeof e.spdxId === 'string') {
        const key = vulns.get(e.spdxId);
        if (key) sink.node({ kind: 'Vulnerability', key, props: props({ summary: str(e.summary) ?? str(e.description), published: str(e.security_publishedTime), modified: str(e.security_modifiedTime) }) });
        return;
      }
      const relType = str(e.relationshipType);
      const from = str(e.from);
      if (!relType || !from) return;
      const targets = list(e.to).filter((t): t is string => typeof t === 'string');
      if (relType === 'hasDeclaredLicense' || relType === 'hasConcludedLicense') {
        const owner = resolve(from);
        const license = targets.map((t) => licenses.get(t) ?? (t.startsWith('https://spdx.org/licenses/') ? t.slice(26) : undefined)).find(Boolean);
        if (owner && license) sink.node({ kind: owner.kind, key: owner.key, props: { license } });
        return;
      }
      if (relType in VEX) {
        const vuln = vulns.get(from);
        if (!vuln) return;
        targets.forEach((t, i) => {
          const target = resolve(t);
          if (target?.kind !== 'Package') return sink.warn(`${path}.to[${i}]: advisories affect packages; ${t.slice(0, 100)} is none, not recorded`);
          sink.edge({ kind: 'AFFECTS', from: vuln, to: target.key, source, evidence: `${path} ${relType}`, confidence: 'declared', props: props({ vex: VEX[relType], vexJustification: str(e.security_justificationType) }) });
        });
        return;
      }
      const spec = LINKS[relType];
      if (!spec) return;
      // An element without a purl in between (a requirements file, an environment) is seen through to what it
      // contains or depends on; lineage (derived-from) is not: an unnamed base is not its contents.
      const behind = (t: string): Identity[] => {
        const own = resolve(t);
        return own ? [own] : spec.meaning === 'derived-from' ? [] : seeThrough(t, resolve, (r) => children.get(r));
      };
      targets.forEach((t) => {
        const pairs = spec.reverse ? [[resolve(t), resolve(from)] as const] : behind(t).map((b) => [resolve(from), b] as const);
        for (const [a, b] of pairs) {
          if (!a || !b || a.key === b.key) continue;
          const extra: Record<string, string> | undefined = spec.meaning === 'derived-from' ? { relation: 'unknown' } : spec.scope && b.kind === 'Package' ? { scope: spec.scope } : undefined;
          link(sink, spec.meaning, a, b, { source, evidence: `${path} ${relType}`, ...(extra ? { props: extra } : {}) });
        }
      });
    },
  };
}
