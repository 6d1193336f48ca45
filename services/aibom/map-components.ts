/**
 * Graph neighbourhood → CycloneDX library models (components, services, vulnerabilities, the dependency graph),
 * plus the ML parts the library does not model, collected as plain JSON for `ml-extensions.ts`. Pure.
 */
import { Enums, Models } from '@cyclonedx/cyclonedx-library';
import { parseKey } from '../../schema/keys.ts';
import type { GraphNode } from '../../schema/records.ts';
import { aiFieldsOf } from './ai-fields.ts';
import { compositionsOf } from './compositions.ts';
import type { Builder, Neighbourhood } from './gather.ts';
import { ownerUrl, packageParts, repoCardUrl, repoPageUrl, repoTreeUrl, propStr, purlOf, purlVersion, repoNameOf, safeUrl, str } from './identity.ts';
import { inheritedTraining, type InheritedDataset } from './inherited-data.ts';
import { licensesOf } from './licenses.ts';
import { modelCardOf, type CardRisk, type Json } from './model-card.ts';
import { risksOf } from './risks.ts';
import { hashesOf } from './hashes.ts';
import { riskVulnerability, UNAFFECTED, vulnerabilityOf, type Affected } from './vulnerabilities.ts';

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

/** arXiv ids as the Hub tags them (`arxiv:2307.09288`, old style `arxiv:hep-th/9901001`); anything else is no paper link. */
const ARXIV_ID = /^(?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?\/\d{7})(?:v\d+)?$/u;

/** The papers a model's tags cite, as their arXiv abstract pages. */
function paperRefs(node: GraphNode): [string, Enums.ExternalReferenceType, string][] {
  const tags = Array.isArray(node.props.tags) ? node.props.tags : [];
  const ids = tags.filter((t): t is string => typeof t === 'string' && t.startsWith('arxiv:')).map((t) => t.slice('arxiv:'.length));
  return [...new Set(ids.filter((id) => ARXIV_ID.test(id)))]
    .sort()
    .map((id) => [`https://arxiv.org/abs/${id}`, Enums.ExternalReferenceType.Documentation, `paper (arXiv:${id})`]);
}

/** Who owns and who can write the subject model, as the graph's CAN_WRITE edges say. */
function writerProperties(n: Neighbourhood, out: Props): void {
  for (const { identity, role } of n.writers) {
    prop(out, 'can-write', role ? `${identity.key} (${role})` : identity.key);
    if (role?.split(', ').includes('owner')) {
      prop(out, 'owner', identity.key);
      prop(out, 'owner:type', propStr(identity, 'type'));
    }
  }
}

interface ModelInput {
  /** Datasets the model declares, then those it inherits. */
  datasets: string[];
  /** Extra properties (the subject's owners and writers). */
  properties?: Props;
  /** Repositories that build it (the subject's). */
  builders?: readonly Builder[];
}

/** A model as a `machine-learning-model` component; the same mapping serves the model and each ancestor. */
function modelComponent(node: GraphNode, input: ModelInput, ext: MlExtensions): Models.Component {
  const repo = repoNameOf(node.key);
  const sha = shaOf(node);
  const properties: Props = [...(input.properties ?? [])];
  repoProperties(node, properties);
  prop(properties, 'library', propStr(node, 'library'));
  if (node.props.customCode === true) prop(properties, 'custom-code', 'true');
  prop(properties, 'revision', propStr(node, 'revision'));
  const built = builderFacts(input.builders, properties);
  const component = new Models.Component(Enums.ComponentType.MachineLearningModel, repo.name, {
    bomRef: node.key,
    group: repo.owner,
    version: sha ?? repo.registryVersion,
    purl: purlOf(node.key, sha),
    description: propStr(node, 'description'),
    supplier: supplierOf(node),
    licenses: licensesOf(node),
    hashes: hashesOf(node),
    externalReferences: externalRefs([
      [repoPageUrl(node), Enums.ExternalReferenceType.Website, 'model page'],
      [repoTreeUrl(node, sha), Enums.ExternalReferenceType.Distribution, 'files at the revision read'],
      [repoCardUrl(node, sha), Enums.ExternalReferenceType.ModelCard, 'model card at the revision read'],
      // A Hub repo is a git repository, clonable at its page URL.
      [repo.area === 'model' ? repoPageUrl(node) : undefined, Enums.ExternalReferenceType.VCS, 'git repository'],
      ...paperRefs(node),
      ...built,
      // The repository the run that trained it ran from (MLflow's source tags), when no BUILDS edge names it.
      [input.builders?.length ? undefined : safeUrl(node.props.sourceRepoUrl), Enums.ExternalReferenceType.VCS, 'repository the training run ran from'],
    ]),
    properties: new Models.PropertyRepository(properties),
  });
  const extension: ComponentExtension = {};
  const card = modelCardOf(node, { datasets: input.datasets });
  if (card) extension.modelCard = card;
  const author = propStr(node, 'author');
  if (author) extension.authors = [{ name: author }];
  ext.components.set(node.key, extension);
  return component;
}

function datasetComponent(node: GraphNode, uses: Set<string>, inherited: readonly { model: string; from: InheritedDataset }[], ext: MlExtensions): Models.Component {
  const repo = repoNameOf(node.key);
  const sha = shaOf(node);
  const url = repoPageUrl(node);
  const gated = node.props.gated;
  const isGated = gated !== undefined && gated !== false && gated !== 'false';
  const properties: Props = [];
  repoProperties(node, properties);
  for (const use of [...uses].sort()) prop(properties, 'dataset-use', use);
  // Training data a quantization inherits from its base: which model inherits it, from which model's own data.
  for (const { model, from } of inherited) prop(properties, 'dataset:inherited', JSON.stringify({ model, from: from.from, relation: from.relation }));
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

/** Repositories that build a node (BUILDS), as `vcs` references and properties naming the workflow and commit. */
function builderFacts(builders: readonly Builder[] | undefined, out: Props): [string | undefined, Enums.ExternalReferenceType, string][] {
  return (builders ?? []).map((b) => {
    prop(out, 'built-by', JSON.stringify({ repository: b.repository.key, ...(b.workflow ? { workflow: b.workflow } : {}), ...(b.commit ? { commit: b.commit } : {}) }));
    return [repoPageUrl(b.repository), Enums.ExternalReferenceType.VCS, `repository that builds it${b.evidence ? ` (${b.evidence})` : ''}`];
  });
}

/** A release file as the registry lists it (PyPI `urls[]`: filename and sha256). */
const releaseFiles = (node: GraphNode) =>
  (Array.isArray(node.props.files) ? node.props.files : []).filter(
    (f): f is { filename: string; sha256: string } =>
      typeof f === 'object' && f !== null && !Array.isArray(f) && typeof f.filename === 'string' && typeof f.sha256 === 'string' && /^[0-9a-f]{64}$/iu.test(f.sha256),
  );

function libraryComponent(node: GraphNode, n: Neighbourhood): Models.Component {
  const parts = packageParts(node.key);
  const properties: Props = [];
  prop(properties, 'ecosystem', propStr(node, 'ecosystem'));
  if (node.props.stub === true) prop(properties, 'stub', 'true');
  if (node.props.yanked === true) prop(properties, 'yanked', propStr(node, 'yankedReason') ?? 'true');
  prop(properties, 'deprecated', propStr(node, 'deprecated'));
  prop(properties, 'latest-version', propStr(node, 'latestVersion'));
  // The files a registry serves for this release, one of which an installer picks (by platform), with their hashes.
  for (const f of releaseFiles(node)) prop(properties, 'release-file', `${f.filename} sha256:${f.sha256.toLowerCase()}`);
  for (const w of n.packageWriters.get(node.key) ?? []) prop(properties, 'can-write', w.role ? `${w.identity} (${w.role})` : w.identity);
  const refs = builderFacts(n.builders.get(node.key), properties);
  return new Models.Component(Enums.ComponentType.Library, parts.name, {
    bomRef: node.key,
    group: parts.group,
    version: propStr(node, 'version') ?? parts.version,
    purl: node.key,
    description: propStr(node, 'description'),
    licenses: licensesOf(node),
    hashes: hashesOf(node),
    // A repository that builds the release says more than the same URL named as its source, so it comes first.
    externalReferences: externalRefs([
      ...refs,
      [safeUrl(node.props.repositoryUrl), Enums.ExternalReferenceType.VCS, 'source repository the registry names'],
      [repoPageUrl(node), Enums.ExternalReferenceType.Website, 'package page'],
    ]),
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

/** Which datasets a model used, and how, as refs into the BOM: its own, then those it inherits. */
function datasetRefsOf(n: Neighbourhood, modelKey: string, inherited: readonly InheritedDataset[]): string[] {
  const use = n.datasetUse.get(modelKey);
  return [...new Set([...(use?.training ?? []), ...(use?.evaluation ?? []), ...inherited.map((d) => d.dataset)])].sort();
}

/**
 * Every vulnerability of the BOM as a risk in the model card, named by its description (so a reader of the BOM, and
 * its completeness score, can tell these from what the card itself states), with the fix as the mitigation.
 */
function cardRisksOf(vulnerabilities: readonly Models.Vulnerability.Vulnerability[]): CardRisk[] {
  return vulnerabilities
    // An advisory a VEX analysis rules out for this model is no risk of it.
    .filter((v) => v.description !== undefined && !(v.analysis?.state && UNAFFECTED.has(v.analysis.state)))
    .map((v) => ({ name: v.description!, ...(v.recommendation ? { mitigationStrategy: v.recommendation } : {}) }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
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
  const subject = n.model.key;
  const inheritedBy = new Map([subject, ...n.ancestors.map((a) => a.node.key)].map((k) => [k, inheritedTraining(n, k)]));

  const files = n.files.map(fileComponent);
  const components: Models.Component[] = [];
  for (const { node } of n.ancestors) components.push(modelComponent(node, { datasets: datasetRefsOf(n, node.key, inheritedBy.get(node.key)!) }, ext));
  const usesOf = new Map<string, Set<string>>();
  for (const use of n.datasetUse.values()) {
    for (const d of use.training) usesOf.set(d, (usesOf.get(d) ?? new Set()).add('training'));
    for (const d of use.evaluation) usesOf.set(d, (usesOf.get(d) ?? new Set()).add('evaluation'));
  }
  const inheritedOf = new Map<string, { model: string; from: InheritedDataset }[]>();
  for (const [model, list] of inheritedBy) for (const d of list) inheritedOf.set(d.dataset, [...(inheritedOf.get(d.dataset) ?? []), { model, from: d }]);
  for (const d of n.datasets) components.push(datasetComponent(d, usesOf.get(d.key) ?? new Set(), inheritedOf.get(d.key) ?? [], ext));
  for (const p of n.packages) components.push(libraryComponent(p, n));

  const ownership: Props = [];
  writerProperties(n, ownership);
  const subjectDatasets = datasetRefsOf(n, subject, inheritedBy.get(subject)!);
  const model = modelComponent(n.model, { datasets: subjectDatasets, properties: ownership, builders: n.builders.get(subject) }, ext);
  const refOf = new Map<string, Models.BomRef>([model, ...files, ...components].map((c) => [c.bomRef.value!, c.bomRef] as const));
  const affectsOf = new Map<string, Affected[]>();
  const fixesOf = new Map<string, string[]>();
  const versionOf = new Map(n.packages.map((p) => [p.key, propStr(p, 'version') ?? packageParts(p.key).version]));
  for (const a of n.affects) {
    const ref = refOf.get(a.pkg);
    const version = versionOf.get(a.pkg);
    const entry: Affected | undefined = ref && { ref, ...(version ? { version } : {}), ...(a.vex ? { vex: a.vex } : {}), ...(a.vexJustification ? { vexJustification: a.vexJustification } : {}) };
    if (entry) affectsOf.set(a.vulnerability, [...(affectsOf.get(a.vulnerability) ?? []), entry]);
    if (a.fixed) fixesOf.set(a.vulnerability, [...(fixesOf.get(a.vulnerability) ?? []), `${a.pkg} → ${a.fixed}`]);
  }
  const vulnerabilities = [
    ...n.vulnerabilities.map((v) => vulnerabilityOf(v, affectsOf.get(v.key) ?? [], fixesOf.get(v.key) ?? [])),
    ...risksOf(n).map((r) => riskVulnerability(r, refOf)),
  ];

  // The card states every risk too, which needs the vulnerabilities, which need the model's ref: the card comes last.
  const subjectExt = ext.components.get(subject)!;
  const card = modelCardOf(n.model, { datasets: subjectDatasets, risks: cardRisksOf(vulnerabilities) });
  if (card) subjectExt.modelCard = card;
  if (n.ancestors.length) subjectExt.pedigreeAncestors = pedigreeAncestors(n);
  // Files are parts of the model (an assembly), so they nest under it rather than standing beside it.
  for (const f of files) model.components.add(f);

  const byRef = new Map<string, Models.Component>([[subject, model], ...components.map((c) => [c.bomRef.value!, c] as const)]);
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
  ext.compositions = compositionsOf(n);

  const bom = new Models.Bom({
    metadata: new Models.Metadata({
      component: model,
      // Who supplies what the BOM describes, for readers that look at the document rather than its component.
      supplier: supplierOf(n.model),
      tools: new Models.Tools({
        components: new Models.ComponentRepository([
          new Models.Component(Enums.ComponentType.Application, 'aispm', {
            version: AISPM_VERSION,
            description: 'Graph-based AI supply-chain analysis; exported this AIBOM from its graph.',
          }),
        ]),
      }),
      properties: new Models.PropertyRepository(aiFieldsOf(n, inheritedBy.get(subject)!).map((f) => new Models.Property(f.name, f.value))),
    }),
    components: new Models.ComponentRepository(components),
    services: new Models.ServiceRepository(services),
    vulnerabilities: new Models.Vulnerability.VulnerabilityRepository(vulnerabilities),
  });
  return { bom, extensions: ext };
}
