/**
 * SPDX 2.2/2.3 JSON → records, item by item, on the reader in `spdx2.ts`: packages with purls become the nodes
 * their owners write (licenses and checksums kept), the described root is the subject, and relationships read in
 * their canonical direction become DEPENDS_ON (with the scope the type names), CONTAINS, DERIVED_FROM by the kinds
 * they join. A DEPENDS_ON or CONTAINS into an element the graph cannot name (Trivy's Application and
 * OperatingSystem packages, between the image or filesystem and its packages) reaches what that element contains
 * or needs instead. Pure.
 */
import { parsePurl } from '../../schema/keys.ts';
import type { Props } from '../../schema/records.ts';
import type { FormatMapper, SubjectCandidate } from './format.ts';
import { containerName, identityOfPurl, identityOfVcs, isObject, link, props, seeThrough, serviceIdentity, type Identity } from './mapping.ts';
import { canonicalRelationship, readSpdx2Package, readSpdx2Relationship, type CanonicalRelationship, type Spdx2Package } from './spdx2.ts';

function packageIdentity(p: Spdx2Package): Identity | undefined {
  for (const purl of p.purls) {
    const id = identityOfPurl(purl);
    if (id) return { key: id.key, kind: id.kind };
  }
  return undefined;
}

function packageProps(p: Spdx2Package, id: Identity): Props {
  const purl = id.kind === 'Package' ? parsePurl(id.key) : undefined;
  const checksums = p.checksums.length ? Object.fromEntries(p.checksums.map((c) => [c.algorithm, c.value])) : undefined;
  return props({
    name: p.name, description: p.description, license: p.license, version: id.kind === 'Package' ? (p.version ?? purl?.version) : undefined,
    ecosystem: purl?.type, hashes: checksums, supplier: p.supplier,
  });
}

/** Relationship meanings that make records, and the graph sense each has. */
const MEANING = { 'depends-on': 'depends-on', contains: 'contains', 'descendant-of': 'derived-from', 'variant-of': 'derived-from' } as const;

export function spdx2Mapper(top: Record<string, unknown>): FormatMapper {
  let source = '';
  const docId = typeof top.SPDXID === 'string' ? top.SPDXID : 'SPDXRef-DOCUMENT';
  const ids = new Map<string, Identity | null>();
  const packages = new Map<string, Spdx2Package>();
  const describes: string[] = (Array.isArray(top.documentDescribes) ? top.documentDescribes : []).filter((d): d is string => typeof d === 'string');
  /**
   * DEPENDS_ON / CONTAINS children of the elements a link may have to be followed through: those not known (yet) to
   * have an identity, and the described root. Links between named packages, the bulk of a document, are not kept.
   */
  const children = new Map<string, string[]>();
  let subject: Identity | undefined;
  let subjectId: string | undefined;
  /** Whether a link from the subject reaches a recorded element; if none does, the packages are what it is made of. */
  let subjectLinked = false;
  const ignore: string[] = [];
  let rootOnly = false;

  const relationshipsOf = (array: string, index: number, item: unknown): CanonicalRelationship[] => {
    if (array === 'relationships') {
      const r = readSpdx2Relationship(item, `${array}[${index}]`, ignore);
      return r ? [canonicalRelationship(r)] : [];
    }
    if (array !== 'packages' || !isObject(item) || !Array.isArray(item.relationships)) return [];
    return item.relationships
      .map((r, i) => readSpdx2Relationship(isObject(r) ? { spdxElementId: item.SPDXID, ...r } : r, `${array}[${index}].relationships[${i}]`, ignore))
      .filter((r) => r !== undefined)
      .map(canonicalRelationship);
  };

  const resolve = (spdxId: string): Identity | undefined => (spdxId === subjectId && subject ? subject : ids.get(spdxId) ?? undefined);
  const childrenOf = (spdxId: string) => children.get(spdxId);
  const addChild = (from: string, to: string) => {
    const list = children.get(from);
    if (list) list.push(to);
    else children.set(from, [to]);
  };

  return {
    streamed: new Set(['packages', 'files', 'relationships', 'snippets']),
    learn(array, index, item) {
      if (array === 'packages') {
        const p = readSpdx2Package(item, `packages[${index}]`, ignore);
        // Only the described root's own record is needed later (to name the subject); the rest is re-read.
        if (p && rootOnly) {
          if (p.spdxId === describes.find((d) => ids.has(d))) packages.set(p.spdxId, p);
        } else if (p) {
          ids.set(p.spdxId, packageIdentity(p) ?? null);
          if (describes.includes(p.spdxId)) packages.set(p.spdxId, p);
        }
      }
      const rootId = rootOnly ? describes.find((d) => ids.has(d)) : undefined;
      for (const r of relationshipsOf(array, index, item)) {
        if (rootOnly) {
          if (r.from === rootId && (r.meaning === 'depends-on' || r.meaning === 'contains')) addChild(r.from, r.to);
          continue;
        }
        if (r.meaning === 'describes' && r.from === docId && !describes.includes(r.to)) describes.push(r.to);
        if ((r.meaning === 'depends-on' || r.meaning === 'contains') && (!ids.get(r.from) || describes.includes(r.from))) addChild(r.from, r.to);
      }
      ignore.length = 0;
    },
    learnAgain() {
      // The root was described after its record and its links went by (syft writes DESCRIBES last): read once more
      // for it alone.
      const rootId = describes.find((d) => ids.has(d));
      if (rootOnly || rootId === undefined || packages.has(rootId)) return false;
      rootOnly = true;
      children.delete(rootId);
      return true;
    },
    subjectCandidate(): SubjectCandidate {
      const rootId = describes.find((d) => ids.has(d));
      if (!rootId) return { reason: `it describes no package of its own (documentDescribes ${JSON.stringify(describes.slice(0, 3))})` };
      subjectId = rootId;
      const root = packages.get(rootId)!;
      const fromPurl = packageIdentity(root);
      const container = root.purpose === 'CONTAINER' || root.purls.some((p) => ['oci', 'docker'].includes(parsePurl(p)?.type ?? ''));
      if (container) {
        const endpoint = serviceIdentity(containerName(root.purls.find((p) => ['oci', 'docker'].includes(parsePurl(p)?.type ?? '')), root.name));
        if (endpoint) return { identity: endpoint };
      }
      const identity = fromPurl ?? identityOfVcs(root.downloadLocation);
      return identity ? { identity } : { reason: `nothing says what ${JSON.stringify(root.name.slice(0, 80))} is (no purl with a version, VCS download location or container purpose)` };
    },
    begin(chosen, sink, provenance) {
      subject = chosen;
      source = provenance;
      subjectId ??= describes.find((d) => ids.has(d));
      subjectLinked = subjectId !== undefined && (childrenOf(subjectId) ?? []).some((c) => seeThrough(c, resolve, childrenOf).some((to) => to.key !== chosen.key));
      const root = subjectId ? packages.get(subjectId) : undefined;
      const revision = root?.version;
      sink.node({ kind: chosen.kind, key: chosen.key, props: root ? props({ ...packageProps(root, chosen), ...(chosen.kind === 'Endpoint' && revision ? { revision } : {}) }) : {} });
    },
    map(array, index, item, sink) {
      const warnings: string[] = [];
      if (array === 'packages') {
        const p = readSpdx2Package(item, `packages[${index}]`, warnings);
        if (p && p.spdxId !== subjectId) {
          const id = ids.get(p.spdxId);
          if (id) {
            sink.node({ kind: id.kind, key: id.key, props: packageProps(p, id) });
            // Without relationships from the root to anything recorded, a document's packages are what its subject is made of.
            if (subject && subjectId && !subjectLinked) link(sink, 'depends-on', subject, id, { source, evidence: `packages[${index}]` });
          } else warnings.push(`packages[${index}]: ${p.name} not recorded (no purl with a version)`);
        }
      }
      for (const r of relationshipsOf(array, index, item)) {
        const meaning = MEANING[r.meaning as keyof typeof MEANING];
        if (!meaning) continue;
        // An end that is the document or a file is left out; so is a package the graph cannot name, except that a
        // need of it or containment in it is a need of, or containment in, what it holds.
        const from = resolve(r.from);
        if (!from) continue; // what it holds is reached from whoever links to it
        const direct = resolve(r.to);
        const targets = direct ? [direct] : meaning === 'derived-from' ? [] : seeThrough(r.to, resolve, childrenOf);
        for (const to of targets) {
          const scope = r.scope && meaning === 'depends-on' && to.kind === 'Package' ? { scope: r.scope } : undefined;
          const relation = meaning === 'derived-from' ? { relation: 'unknown' } : undefined;
          link(sink, meaning, from, to, { source, evidence: `${array}[${index}] ${r.type}`, ...(scope || relation ? { props: { ...scope, ...relation } } : {}) });
        }
      }
      for (const w of warnings) sink.warn(w);
    },
  };
}
