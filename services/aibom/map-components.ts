/**
 * Graph neighbourhood → CycloneDX library models (components, services, vulnerabilities, the dependency graph),
 * plus the ML parts the library does not model, collected as plain JSON for `ml-extensions.ts`. Pure.
 */
import { Enums, Models, SPDX } from '@cyclonedx/cyclonedx-library';
import { parseKey } from '../../schema/keys.ts';
import type { GraphNode } from '../../schema/records.ts';
import { compositionsOf } from './compositions.ts';
import type { Neighbourhood } from './gather.ts';
import { ownerUrl, packageParts, repoCardUrl, repoPageUrl, propStr, purlOf, purlVersion, repoNameOf, safeUrl, str } from './identity.ts';
import { modelCardOf, type Json } from './model-card.ts';

/** Per bom-ref: the ML fields CycloneDX defines but the library does not model. */
export interface ComponentExtension {
  modelCard?: Json;
  data?: Json[];
  authors?: Json[];
  /** Library components, normalized by the library, placed under `pedigree.ancestors`. */
  pedigreeAncestors?: Models.Component[];
}

export interface MlExtensions {
  components: Map<string, ComponentExtension>;
  serviceEndpoints: Map<string, string[]>;
  compositions: Json[];
}

export interface MappedBom {
  bom: Models.Bom;
  extensions: MlExtensions;
}

export const AISPM_VERSION = '0.1.0';
/** Property names are namespaced so a reader can tell aispm's facts from other tools'. */
export const P = (name: string) => `aispm:${name}`;

type Props = Models.Property[];
const prop = (out: Props, name: string, value: unknown) => {
  if (value === undefined || value === null || value === '') return;
  out.push(new Models.Property(P(name), typeof value === 'string' ? value : JSON.stringify(value)));
};

/** The commit sha as the purl writes it (hex lower-cased), so version, purl and card URL agree. */
const shaOf = (node: GraphNode): string | undefined => {
  const sha = propStr(node, 'sha');
  return sha === undefined ? undefined : purlVersion(sha);
};

function licensesOf(node: GraphNode): Models.LicenseRepository {
  const repo = new Models.LicenseRepository();
  const declared = propStr(node, 'license');
  if (!declared) return repo;
  const spdx = SPDX.fixupSpdxId(declared);
  repo.add(spdx ? new Models.SpdxLicense(spdx) : new Models.NamedLicense(propStr(node, 'licenseRaw') ?? declared));
  return repo;
}

function externalRefs(refs: [string | undefined, Enums.ExternalReferenceType, string?][]): Models.ExternalReferenceRepository {
  const repo = new Models.ExternalReferenceRepository();
  const seen = new Set<string>();
  for (const [url, type, comment] of refs) {
    if (url === undefined || seen.has(`${type} ${url}`)) continue;
    seen.add(`${type} ${url}`);
    repo.add(new Models.ExternalReference(url, type, comment ? { comment } : {}));
  }
  return repo;
}

/** Facts every hub repo node may carry, as properties. */
function repoProperties(node: GraphNode, out: Props): void {
  const p = node.props;
  if (p.gated !== undefined && p.gated !== false) prop(out, 'gated', String(p.gated));
  if (p.private === true) prop(out, 'private', 'true');
  if (p.missing === true) prop(out, 'missing', 'true');
  if (p.stub === true) prop(out, 'stub', 'true');
  prop(out, 'last-modified', str(p.lastModified));
}

function supplierOf(node: GraphNode): Models.OrganizationalEntity | undefined {
  const owner = repoNameOf(node.key).owner;
  if (owner === undefined) return undefined;
  const area = repoNameOf(node.key).area;
  const url = area === 'model' || area === 'dataset' || area === 'space' ? ownerUrl(node, owner) : undefined;
  return new Models.OrganizationalEntity({ name: owner, url: new Set(url === undefined ? [] : [url]) });
}

/** A model as a `machine-learning-model` component; the same mapping serves the model and each ancestor. */
function modelComponent(node: GraphNode, datasetRefs: string[], ext: MlExtensions): Models.Component {
  const repo = repoNameOf(node.key);
  const sha = shaOf(node);
  const properties: Props = [];
  repoProperties(node, properties);
  prop(properties, 'library', propStr(node, 'library'));
  if (node.props.customCode === true) prop(properties, 'custom-code', 'true');
  prop(properties, 'revision', propStr(node, 'revision'));
  const component = new Models.Component(Enums.ComponentType.MachineLearningModel, repo.name, {
    bomRef: node.key,
    group: repo.owner,
    version: sha ?? repo.registryVersion,
    purl: purlOf(node.key, sha),
    description: propStr(node, 'description'),
    supplier: supplierOf(node),
    licenses: licensesOf(node),
    externalReferences: externalRefs([
      [repoPageUrl(node), Enums.ExternalReferenceType.Website, 'model page'],
      [repoCardUrl(node, sha), Enums.ExternalReferenceType.ModelCard, 'model card at the revision read'],
      // A Hub repo is a git repository, clonable at its page URL.
      [repo.area === 'model' ? repoPageUrl(node) : undefined, Enums.ExternalReferenceType.VCS, 'git repository'],
    ]),
    properties: new Models.PropertyRepository(properties),
  });
  const extension: ComponentExtension = {};
  const card = modelCardOf(node, datasetRefs);
  if (card) extension.modelCard = card;
  const author = propStr(node, 'author');
  if (author) extension.authors = [{ name: author }];
  ext.components.set(node.key, extension);
  return component;
}

function datasetComponent(node: GraphNode, uses: Set<string>, ext: MlExtensions): Models.Component {
  const repo = repoNameOf(node.key);
  const sha = shaOf(node);
  const url = repoPageUrl(node);
  const gated = node.props.gated;
  const isGated = gated !== undefined && gated !== false && gated !== 'false';
  const properties: Props = [];
  repoProperties(node, properties);
  for (const use of [...uses].sort()) prop(properties, 'dataset-use', use);
  const component = new Models.Component(Enums.ComponentType.Data, repo.name, {
    bomRef: node.key,
    group: repo.owner,
    version: sha,
    purl: purlOf(node.key, sha),
    description: propStr(node, 'description'),
    supplier: supplierOf(node),
    licenses: licensesOf(node),
    externalReferences: externalRefs([[url, Enums.ExternalReferenceType.Website, 'dataset page']]),
    properties: new Models.PropertyRepository(properties),
  });
  const data: Json = {
    type: 'dataset',
    name: repo.owner === undefined ? repo.name : `${repo.owner}/${repo.name}`,
    ...(url ? { contents: { url } } : {}),
    // CycloneDX leaves classification free text; access control is what a reviewer of training data needs first.
    classification: isGated ? `gated (${String(gated)})` : node.props.private === true ? 'private' : 'public',
    ...(repo.owner !== undefined ? { governance: { owners: [{ organization: { name: repo.owner } }] } } : {}),
  };
  const description = propStr(node, 'description');
  if (description) data.description = description;
  ext.components.set(node.key, { data: [data] });
  return component;
}

function fileComponent(node: GraphNode): Models.Component {
  const path = propStr(node, 'path') ?? parseKey(node.key)?.parts.path ?? node.key;
  const hashes = new Models.HashDictionary();
  const sha256 = propStr(node, 'sha256');
  if (sha256 && /^[0-9a-f]{64}$/iu.test(sha256)) hashes.set(Enums.HashAlgorithm['SHA-256'], sha256.toLowerCase());
  const properties: Props = [];
  prop(properties, 'file:format', propStr(node, 'format'));
  if (typeof node.props.size === 'number') prop(properties, 'file:size', String(node.props.size));
  prop(properties, 'scan:status', propStr(node, 'scanStatus') ?? 'unscanned');
  prop(properties, 'scan:scanner', propStr(node, 'scanner'));
  prop(properties, 'scan:reason', propStr(node, 'scanReason'));
  const globals = node.props.scanGlobals;
  if (Array.isArray(globals)) for (const g of globals) if (typeof g === 'string') prop(properties, 'scan:global', g);
  if (node.props.stub === true) prop(properties, 'stub', 'true');
  return new Models.Component(Enums.ComponentType.File, path, {
    bomRef: node.key,
    hashes,
    properties: new Models.PropertyRepository(properties),
  });
}

function libraryComponent(node: GraphNode): Models.Component {
  const parts = packageParts(node.key);
  const properties: Props = [];
  prop(properties, 'ecosystem', propStr(node, 'ecosystem'));
  if (node.props.stub === true) prop(properties, 'stub', 'true');
  return new Models.Component(Enums.ComponentType.Library, parts.name, {
    bomRef: node.key,
    group: parts.group,
    version: propStr(node, 'version') ?? parts.version,
    purl: node.key,
    description: propStr(node, 'description'),
    licenses: licensesOf(node),
    properties: new Models.PropertyRepository(properties),
  });
}

function endpointService(node: GraphNode, ext: MlExtensions): Models.Service {
  const repo = repoNameOf(node.key);
  const page = repoPageUrl(node);
  const properties: Props = [];
  repoProperties(node, properties);
  prop(properties, 'sdk', propStr(node, 'sdk'));
  const endpoints = [safeUrl(node.props.endpointUrl), safeUrl(node.props.url)].filter((u): u is string => u !== undefined);
  if (endpoints.length) ext.serviceEndpoints.set(node.key, [...new Set(endpoints)].sort());
  return new Models.Service(repo.name, {
    bomRef: node.key,
    group: repo.owner,
    description: propStr(node, 'description'),
    externalReferences: externalRefs([[page, Enums.ExternalReferenceType.Website, 'endpoint page']]),
    properties: new Models.PropertyRepository(properties),
  });
}

const SEVERITIES = new Set(['critical', 'high', 'medium', 'low', 'info', 'none', 'unknown']);

function ratingMethod(vector: string): Enums.Vulnerability.RatingMethod {
  if (vector.startsWith('CVSS:4.')) return Enums.Vulnerability.RatingMethod.CVSSv4;
  if (vector.startsWith('CVSS:3.1')) return Enums.Vulnerability.RatingMethod.CVSSv31;
  if (vector.startsWith('CVSS:3.')) return Enums.Vulnerability.RatingMethod.CVSSv3;
  if (vector.startsWith('AV:')) return Enums.Vulnerability.RatingMethod.CVSSv2;
  return Enums.Vulnerability.RatingMethod.Other;
}

function validDate(v: unknown): Date | undefined {
  if (typeof v !== 'string') return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

function vulnerabilityOf(node: GraphNode, affected: Models.BomRef[], fixes: string[]): Models.Vulnerability.Vulnerability {
  const id = parseKey(node.key)?.parts.id ?? node.key;
  const V = Models.Vulnerability;
  const ratings = new V.RatingRepository();
  const severity = propStr(node, 'severity')?.toLowerCase();
  const vector = propStr(node, 'cvss');
  if (severity || vector) {
    ratings.add(
      new V.Rating({
        severity: severity && SEVERITIES.has(severity) ? (severity as Enums.Vulnerability.Severity) : undefined,
        method: vector ? ratingMethod(vector) : undefined,
        vector,
      }),
    );
  }
  const references = new V.ReferenceRepository();
  const aliases = node.props.aliases;
  if (Array.isArray(aliases)) {
    for (const alias of aliases) {
      if (typeof alias !== 'string' || !alias) continue;
      const source = alias.startsWith('CVE-')
        ? new V.Source({ name: 'NVD', url: new URL(`https://nvd.nist.gov/vuln/detail/${encodeURIComponent(alias)}`) })
        : new V.Source({ name: alias.startsWith('GHSA-') ? 'GitHub' : 'OSV' });
      references.add(new V.Reference(alias, source));
    }
  }
  return new V.Vulnerability({
    bomRef: node.key,
    id,
    source: new V.Source({ name: 'OSV', url: new URL(`https://osv.dev/vulnerability/${encodeURIComponent(id)}`) }),
    ratings,
    references,
    description: propStr(node, 'summary'),
    recommendation: fixes.length ? `Upgrade to a fixed version: ${[...new Set(fixes)].sort().join(', ')}` : undefined,
    published: validDate(node.props.published),
    updated: validDate(node.props.modified),
    affects: new V.AffectRepository(affected.map((ref) => new V.Affect(ref))),
  });
}

/** Which datasets a model used, and how, as refs into the BOM. */
function datasetRefsOf(n: Neighbourhood, modelKey: string): string[] {
  const use = n.datasetUse.get(modelKey);
  return use ? [...new Set([...use.training, ...use.evaluation])].sort() : [];
}

/** Ancestors as `pedigree.ancestors` entries: no bom-ref (the ancestor's own component carries it), the relation kept. */
function pedigreeAncestors(n: Neighbourhood): Models.Component[] {
  const linksTo = new Map<string, { from: string; relation: string }[]>();
  for (const l of n.lineage) linksTo.set(l.to, [...(linksTo.get(l.to) ?? []), { from: l.from, relation: l.relation }]);
  return n.ancestors.map(({ node, depth }) => {
    const repo = repoNameOf(node.key);
    const sha = shaOf(node);
    const links = (linksTo.get(node.key) ?? []).sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
    const properties: Props = [];
    prop(properties, 'lineage:ref', node.key);
    prop(properties, 'lineage:depth', String(depth));
    for (const l of links) {
      prop(properties, 'lineage:relation', l.relation);
      prop(properties, 'lineage:derivative', JSON.stringify({ from: l.from, relation: l.relation }));
    }
    if (node.props.missing === true) prop(properties, 'missing', 'true');
    if (node.props.stub === true) prop(properties, 'stub', 'true');
    return new Models.Component(Enums.ComponentType.MachineLearningModel, repo.name, {
      group: repo.owner,
      version: sha ?? repo.registryVersion,
      purl: purlOf(node.key, sha),
      properties: new Models.PropertyRepository(properties),
    });
  });
}

/** The whole mapping: one model's neighbourhood → a library Bom (without timestamp and serial) and the ML extras. */
export function mapNeighbourhood(n: Neighbourhood): MappedBom {
  const ext: MlExtensions = { components: new Map(), serviceEndpoints: new Map(), compositions: [] };
  const model = modelComponent(n.model, datasetRefsOf(n, n.model.key), ext);
  const modelExt = ext.components.get(n.model.key)!;
  if (n.ancestors.length) modelExt.pedigreeAncestors = pedigreeAncestors(n);

  const refOf = new Map<string, Models.BomRef>([[n.model.key, model.bomRef]]);
  const components: Models.Component[] = [];
  for (const { node } of n.ancestors) components.push(modelComponent(node, datasetRefsOf(n, node.key), ext));

  const usesOf = new Map<string, Set<string>>();
  for (const use of n.datasetUse.values()) {
    for (const d of use.training) usesOf.set(d, (usesOf.get(d) ?? new Set()).add('training'));
    for (const d of use.evaluation) usesOf.set(d, (usesOf.get(d) ?? new Set()).add('evaluation'));
  }
  for (const d of n.datasets) components.push(datasetComponent(d, usesOf.get(d.key) ?? new Set(), ext));
  for (const p of n.packages) components.push(libraryComponent(p));
  for (const c of components) refOf.set(c.bomRef.value!, c.bomRef);
  // Files are parts of the model (an assembly), so they nest under it rather than standing beside it.
  for (const f of n.files) model.components.add(fileComponent(f));

  const byRef = new Map<string, Models.Component>([[n.model.key, model], ...components.map((c) => [c.bomRef.value!, c] as const)]);
  const dependOn = (from: string, to: string) => {
    const target = refOf.get(to);
    if (target && from !== to) byRef.get(from)?.dependencies.add(target);
  };
  for (const l of n.lineage) dependOn(l.from, l.to);
  for (const [modelKey, use] of n.datasetUse) for (const d of [...use.training, ...use.evaluation]) dependOn(modelKey, d);
  for (const l of n.packageLinks) dependOn(l.from, l.to);

  const services = n.endpoints.map((e) => {
    const s = endpointService(e, ext);
    s.dependencies.add(model.bomRef);
    return s;
  });
  const affectsOf = new Map<string, Models.BomRef[]>();
  const fixesOf = new Map<string, string[]>();
  for (const a of n.affects) {
    const ref = refOf.get(a.pkg);
    if (ref) affectsOf.set(a.vulnerability, [...(affectsOf.get(a.vulnerability) ?? []), ref]);
    if (a.fixed) fixesOf.set(a.vulnerability, [...(fixesOf.get(a.vulnerability) ?? []), `${a.pkg} → ${a.fixed}`]);
  }
  const vulnerabilities = n.vulnerabilities.map((v) => vulnerabilityOf(v, affectsOf.get(v.key) ?? [], fixesOf.get(v.key) ?? []));
  ext.compositions = compositionsOf(n);

  const bom = new Models.Bom({
    metadata: new Models.Metadata({
      component: model,
      tools: new Models.Tools({
        components: new Models.ComponentRepository([
          new Models.Component(Enums.ComponentType.Application, 'aispm', {
            version: AISPM_VERSION,
            description: 'Graph-based AI supply-chain analysis; exported this AIBOM from its graph.',
          }),
        ]),
      }),
    }),
    components: new Models.ComponentRepository(components),
    services: new Models.ServiceRepository(services),
    vulnerabilities: new Models.Vulnerability.VulnerabilityRepository(vulnerabilities),
  });
  return { bom, extensions: ext };
}
