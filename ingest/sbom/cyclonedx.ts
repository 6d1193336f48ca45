/**
 * CycloneDX 1.2–1.7 JSON → records. Components with purls become the nodes their owners write (versioned
 * packages, Hub models and datasets, GitHub repositories); `machine-learning-model` components are Models (their
 * modelCard kept), `data` components Datasets, services Endpoints; `dependencies` become DEPENDS_ON / SERVES /
 * TRAINED_ON / USES by the kinds they join, nested components CONTAINS or DEPENDS_ON, pedigree ancestors,
 * descendants and variants DERIVED_FROM, vulnerabilities Vulnerability nodes with AFFECTS edges that keep the VEX
 * analysis state. Pure and item by item (`learn` in a first pass so references resolve, `map` in the second), so a
 * document is never held whole.
 */
import { labelOfKey, parsePurl, tryKeyOf } from '../../schema/keys.ts';
import type { NodeKind } from '../../schema/model.ts';
import type { Props } from '../../schema/records.ts';
import {
  containerName, identityOfKey, identityOfPurl, identityOfVcs, isObject, link, list, props, seeThrough, serviceIdentity, str,
  type Identity, type Sink,
} from './mapping.ts';
import type { FormatMapper, SubjectCandidate } from './format.ts';

/** Graph kinds a component of each CycloneDX type may be (an aispm key as bom-ref is trusted only within these). */
const KINDS_OF_TYPE: Readonly<Record<string, readonly NodeKind[]>> = {
  'machine-learning-model': ['Model'],
  data: ['Dataset'],
  file: ['File'],
  container: ['Endpoint', 'Package'],
  application: ['Package', 'Repository', 'Endpoint'],
  library: ['Package'],
  framework: ['Package'],
};

type Json = Record<string, unknown>;

/** The identity of one component, or undefined (with the reason) when the graph cannot name it. */
export function componentIdentity(c: Json): Identity | { reason: string } {
  const type = str(c.type) ?? 'library';
  const own = identityOfKey(c['bom-ref'], KINDS_OF_TYPE[type] ?? ['Package']);
  if (own) return own;
  const purl = str(c.purl);
  const fromPurl = identityOfPurl(purl);
  if (fromPurl) return { key: fromPurl.key, kind: fromPurl.kind };
  if (purl && !parsePurl(purl)) return { reason: `purl ${JSON.stringify(purl.slice(0, 80))} does not parse` };
  if (purl) return { reason: `purl ${JSON.stringify(purl.slice(0, 80))} has no version, so it names no one package` };
  return { reason: `no purl${type === 'file' || type === 'machine-learning-model' || type === 'data' ? ' or aispm key' : ''}` };
}

/** The subject's identity: its key, purl, VCS reference, or (a container / service) an Endpoint. */
function subjectIdentity(c: Json): Identity | undefined {
  const type = str(c.type);
  const found = componentIdentity(c);
  if ('key' in found && !(type === 'container' && found.kind === 'Package')) return found;
  const vcs = list(c.externalReferences).find((r) => isObject(r) && r.type === 'vcs') as Json | undefined;
  const repo = identityOfVcs(str(vcs?.url));
  if (repo) return repo;
  if (type === 'container') return serviceIdentity(containerName(str(c.purl), [str(c.group), str(c.name)].filter(Boolean).join('/')));
  return undefined;
}

function license(c: Json): string | undefined {
  for (const l of list(c.licenses)) {
    if (!isObject(l)) continue;
    if (str(l.expression)) return str(l.expression);
    const inner = isObject(l.license) ? l.license : undefined;
    const id = str(inner?.id) ?? str(inner?.name);
    if (id) return id;
  }
  return undefined;
}

function hashes(c: Json): Props | undefined {
  const out: Props = {};
  for (const h of list(c.hashes)) if (isObject(h) && str(h.alg) && str(h.content)) out[str(h.alg)!] = str(h.content)!.toLowerCase();
  return Object.keys(out).length ? out : undefined;
}

/** The node record's properties for a component of a given kind. */
function componentProps(c: Json, id: Identity): Props {
  const common = { name: str(c.name), description: str(c.description), license: license(c) };
  if (id.kind === 'Package') {
    const purl = parsePurl(id.key);
    return props({ ...common, version: str(c.version) ?? purl?.version, ecosystem: purl?.type, hashes: hashes(c) });
  }
  if (id.kind === 'Model') {
    const card = isObject(c.modelCard) ? c.modelCard : undefined;
    const params = isObject(card?.modelParameters) ? card.modelParameters : undefined;
    return props({
      ...common, hashes: hashes(c), modelCard: card as Props[string] | undefined,
      pipelineTag: str(params?.task), architecture: str(params?.architectureFamily),
    });
  }
  if (id.kind === 'Dataset') return props({ ...common, data: Array.isArray(c.data) ? (c.data as Props[string]) : undefined });
  if (id.kind === 'File') {
    const sha256 = hashes(c)?.['SHA-256'];
    return props({ name: str(c.name), path: str(c.name), sha256: typeof sha256 === 'string' ? sha256 : undefined });
  }
  return props({ ...common, version: str(c.version) });
}

/** Which uses aispm's own export says a dataset had (`aispm:dataset-use`), to tell evaluation from training data. */
function datasetUses(c: Json): string[] {
  return list(c.properties).filter((p): p is Json => isObject(p) && p.name === 'aispm:dataset-use').map((p) => String(p.value));
}

/** aispm's own export names each pedigree ancestor's key and its derivation relation as properties. */
function lineageProps(c: Json): { ref?: string; derivatives: { from: string; relation: string }[] } {
  const out: { ref?: string; derivatives: { from: string; relation: string }[] } = { derivatives: [] };
  for (const p of list(c.properties)) {
    if (!isObject(p) || typeof p.value !== 'string') continue;
    if (p.name === 'aispm:lineage:ref') out.ref = p.value;
    if (p.name === 'aispm:lineage:derivative') {
      try {
        const d = JSON.parse(p.value) as { from?: unknown; relation?: unknown };
        if (typeof d.from === 'string' && typeof d.relation === 'string') out.derivatives.push({ from: d.from, relation: d.relation });
      } catch {
        // not ours after all: no relation
      }
    }
  }
  return out;
}

const RELATIONS = new Set(['finetune', 'adapter', 'merge', 'quantized', 'unknown']);

interface Known extends Identity {
  /** Only evaluation use declared (aispm's own export): a model's need of it is EVALUATED_ON. */
  evaluationOnly?: boolean;
}

export function cycloneDxMapper(top: Json): FormatMapper {
  let source = '';
  const refs = new Map<string, Known | null>();
  const metadata = isObject(top.metadata) ? top.metadata : {};
  const subjectComponent = isObject(metadata.component) ? metadata.component : undefined;
  const subjectRef = str(subjectComponent?.['bom-ref']);
  /** Relations aispm's export states for (derivative, base) pairs. */
  const relations = new Map<string, string>();
  let subjectHasDependencies = false;
  const through = new Map<string, string[]>();
  let subject: Identity | undefined;

  const learnComponent = (c: unknown) => {
    if (!isObject(c)) return;
    const ref = str(c['bom-ref']);
    const id = componentIdentity(c);
    if (ref) refs.set(ref, 'key' in id ? { ...id, ...(datasetUses(c).length && !datasetUses(c).includes('training') ? { evaluationOnly: true } : {}) } : null);
    for (const a of list(isObject(c.pedigree) ? c.pedigree.ancestors : undefined)) {
      if (!isObject(a)) continue;
      const lineage = lineageProps(a);
      for (const d of lineage.derivatives) if (lineage.ref && RELATIONS.has(d.relation)) relations.set(JSON.stringify([d.from, lineage.ref]), d.relation);
    }
    for (const child of list(c.components)) learnComponent(child);
  };
  if (subjectComponent) learnComponent(subjectComponent);

  const resolve = (ref: unknown): Known | undefined => {
    if (typeof ref !== 'string') return undefined;
    if (subject && subjectRef !== undefined && ref === subjectRef) return subject;
    const known = refs.get(ref);
    if (known) return known;
    // A BOM-Link (urn:cdx:<serial>/<version>#<ref>) names a component of another BOM, usually by its purl.
    const fragment = ref.startsWith('urn:cdx:') && ref.includes('#') ? decodeURIComponent(ref.slice(ref.indexOf('#') + 1)) : ref;
    const byPurl = identityOfPurl(fragment) ?? identityOfKey(fragment, ['Package', 'Model', 'Dataset', 'Endpoint', 'Repository']);
    return byPurl ?? undefined;
  };

  /** The recorded elements a reference stands for: itself, or what an unnamed element it names needs (transitively). */
  const recordedBehind = (ref: unknown): Known[] => (typeof ref === 'string' ? seeThrough(ref, resolve, (r) => through.get(r)) : []);

  const writeComponent = (c: Json, path: string, sink: Sink, parent: Identity | undefined): void => {
    const found = str(c['bom-ref']) === subjectRef && subject ? subject : componentIdentity(c);
    if (!('key' in found)) {
      sink.warn(`${path}: ${str(c.name) ?? 'a component'} not recorded (${found.reason})`);
      return;
    }
    const id = found;
    sink.node({ kind: id.kind, key: id.key, props: id === subject ? subjectProps(c, id) : componentProps(c, id) });
    if (parent) link(sink, 'contains', parent, id, { source, evidence: path });
    const pedigree = isObject(c.pedigree) ? c.pedigree : {};
    for (const [field, reverse] of [['ancestors', false], ['variants', false], ['descendants', true]] as const) {
      list(pedigree[field]).forEach((a, i) => {
        if (!isObject(a)) return;
        const lineage = lineageProps(a);
        const other = identityOfKey(lineage.ref, ['Model', 'Dataset']) ?? (() => {
          const o = componentIdentity(a);
          return 'key' in o ? o : undefined;
        })();
        if (!other) {
          sink.warn(`${path}.pedigree.${field}[${i}]: ${str(a.name) ?? 'a component'} has no identity the graph can name, not recorded`);
          return;
        }
        // An ancestor that is also a component of this BOM is written there, with its full record.
        if (!refs.has(lineage.ref ?? '')) sink.node({ kind: other.kind, key: other.key, props: componentProps(a, other) });
        if (lineage.derivatives.length) {
          // aispm's export lists every ancestor and says which models derive from it directly, and how.
          for (const d of lineage.derivatives) {
            const derivative = resolve(d.from) ?? identityOfKey(d.from, ['Model', 'Dataset']);
            if (derivative) link(sink, 'derived-from', derivative, other, { source, evidence: `${path}.pedigree.${field}[${i}]`, props: { relation: RELATIONS.has(d.relation) ? d.relation : 'unknown' } });
          }
          return;
        }
        const [from, to] = reverse ? [other, id] : [id, other];
        const relation = relations.get(JSON.stringify([from.key, to.key])) ?? 'unknown';
        link(sink, 'derived-from', from, to, { source, evidence: `${path}.pedigree.${field}[${i}]`, props: { relation } });
      });
    }
    list(c.components).forEach((child, i) => {
      if (isObject(child)) writeComponent(child, `${path}.components[${i}]`, sink, id);
    });
  };

  const subjectProps = (c: Json, id: Identity): Props => {
    const base = componentProps(c, id.kind === 'Endpoint' ? { ...id, kind: 'Endpoint' } : id);
    if (id.kind !== 'Endpoint') return base;
    const purl = parsePurl(str(c.purl) ?? '');
    return props({ ...base, name: base.name ?? labelOfKey(id.key), revision: purl?.version ?? str(c.version), hashes: hashes(c) });
  };

  return {
    streamed: new Set(['components', 'services', 'dependencies', 'vulnerabilities']),
    subjectCandidate(): SubjectCandidate {
      if (!subjectComponent) return { reason: 'it has no metadata.component' };
      const id = subjectIdentity(subjectComponent);
      const name = str(subjectComponent.name) ?? 'its metadata.component';
      return id ? { identity: id } : { reason: `nothing says what ${JSON.stringify(name.slice(0, 80))} is (no purl, aispm key or VCS reference)` };
    },
    learn(array, _index, item) {
      if (array === 'components') learnComponent(item);
      else if (array === 'services' && isObject(item)) {
        const ref = str(item['bom-ref']);
        const id = identityOfKey(ref, ['Endpoint']) ?? serviceIdentity([str(item.group), str(item.name)].filter(Boolean).join('/'));
        if (ref) refs.set(ref, id ?? null);
      } else if (array === 'dependencies' && isObject(item)) {
        const ref = str(item.ref);
        const dependsOn = list(item.dependsOn).filter((d): d is string => typeof d === 'string');
        if (ref !== undefined && ref === subjectRef && dependsOn.length) subjectHasDependencies = true;
        // Needs of an element the graph cannot name (trivy's lock-file component) pass to whoever needs it.
        if (ref !== undefined && ref !== subjectRef && !refs.get(ref)) through.set(ref, dependsOn);
      }
    },
    begin(subjectIdentityChosen, sink, provenance) {
      subject = subjectIdentityChosen;
      source = provenance;
      if (subjectComponent) writeComponent(subjectComponent, 'metadata.component', sink, undefined);
      else sink.node({ kind: subject.kind, key: subject.key, props: {} });
    },
    map(array, index, item, sink) {
      const path = `${array}[${index}]`;
      if (!isObject(item)) return;
      if (array === 'components') {
        writeComponent(item, path, sink, undefined);
        // Without a dependency graph for the subject, a BOM's components are what the subject is made of.
        const id = str(item['bom-ref']) ? resolve(item['bom-ref']) : (() => {
          const o = componentIdentity(item);
          return 'key' in o ? o : undefined;
        })();
        if (!subjectHasDependencies && id && subject) link(sink, 'depends-on', subject, id, { source, evidence: path });
      } else if (array === 'services') {
        const ref = str(item['bom-ref']);
        const id = (ref ? resolve(ref) : undefined) ?? serviceIdentity([str(item.group), str(item.name)].filter(Boolean).join('/'));
        if (!id) return sink.warn(`${path}: a service without a name, not recorded`);
        const urls = list(item.endpoints).filter((u): u is string => typeof u === 'string');
        sink.node({ kind: 'Endpoint', key: id.key, props: props({ name: str(item.name), description: str(item.description), endpointUrl: urls[0] }) });
      } else if (array === 'dependencies') {
        const from = resolve(item.ref);
        if (!from && !through.has(String(item.ref))) return sink.warn(`${path}: ref ${JSON.stringify(String(item.ref).slice(0, 80))} names no recorded component`);
        if (!from) return; // an element the graph cannot name: its needs went to those that need it
        list(item.dependsOn).forEach((ref, i) => {
          const targets = recordedBehind(ref);
          if (!targets.length && !through.has(String(ref))) sink.warn(`${path}.dependsOn[${i}]: ${JSON.stringify(String(ref).slice(0, 80))} names no recorded component`);
          for (const to of targets) {
          const meaning = from.kind === 'Model' && to.kind === 'Dataset' && to.evaluationOnly ? 'evaluated-on' : 'depends-on';
          const relation = from.kind === to.kind && (to.kind === 'Model' || to.kind === 'Dataset') ? relations.get(JSON.stringify([from.key, to.key])) ?? 'unknown' : undefined;
          link(sink, meaning, from, to, { source, evidence: `${path}.dependsOn[${i}]`, ...(relation ? { props: { relation } } : {}) });
          }
        });
      } else if (array === 'vulnerabilities') {
        mapVulnerability(item, path, sink, resolve, source);
      }
    },
  };
}

const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low', 'info', 'none', 'unknown'];

function mapVulnerability(v: Json, path: string, sink: Sink, resolve: (ref: unknown) => Identity | undefined, source: string): void {
  const id = str(v.id);
  const key = id ? tryKeyOf('vuln', { id }) : undefined;
  if (!key) return sink.warn(`${path}: a vulnerability without a usable id, not recorded`);
  const ratings = list(v.ratings).filter(isObject);
  const severity = ratings
    .map((r) => str(r.severity)?.toLowerCase())
    .filter((s): s is string => s !== undefined && SEVERITY_ORDER.includes(s))
    .sort((a, b) => SEVERITY_ORDER.indexOf(a) - SEVERITY_ORDER.indexOf(b))[0];
  const vector = ratings.map((r) => str(r.vector)).find((s) => s !== undefined);
  const aliases = list(v.references).map((r) => (isObject(r) ? str(r.id) : undefined)).filter((s): s is string => s !== undefined && s !== id);
  sink.node({
    kind: 'Vulnerability',
    key,
    props: props({
      summary: str(v.description)?.split('\n')[0]?.slice(0, 500), severity, cvss: vector,
      aliases: aliases.length ? aliases : undefined, published: str(v.published), modified: str(v.updated),
    }),
  });
  const analysis = isObject(v.analysis) ? v.analysis : {};
  const vex = str(analysis.state);
  list(v.affects).forEach((a, i) => {
    const target = isObject(a) ? resolve(a.ref) : undefined;
    if (!target) return sink.warn(`${path}.affects[${i}]: names no recorded component`);
    if (target.kind !== 'Package') return sink.warn(`${path}.affects[${i}]: ${target.key} is a ${target.kind}; advisories affect packages, not recorded`);
    sink.edge({
      kind: 'AFFECTS', from: key, to: target.key, source, evidence: `${path}.affects[${i}]`, confidence: 'declared',
      props: props({ vex, vexJustification: str(analysis.justification) }),
    });
  });
}
