/**
 * One model of the registry as records: a registered version (`mlflow:model/<name>/<version>`), or an MLflow 3
 * logged model no version registers (`mlflow:logged-model/<id>`). Everything read about it comes together here —
 * the version and its registered model, the logged model, the run that made it and the runs that evaluated it,
 * its MLmodel, files and their scans — and becomes the node, its files, its datasets, the identities named, and
 * the lineage edges. Pure: the orchestrator fetches, this maps.
 */
import type { EdgeRecord, NodeRecord, Props, RecordBatch } from '../../schema/records.ts';
import { isObject, type Json } from '../pipeline/fields.ts';
import { factProps } from '../scan/file-facts.ts';
import { refFromData, repoKey } from '../huggingface/refs.ts';
import type { ArtifactsRead } from './artifacts.ts';
import { datasetEdge, mapDatasetInput } from './map-dataset.ts';
import { mapRequirements } from './map-requirements.ts';
import { mapRun, type RunContext } from './map-run.ts';
import { kvObject, msToIso, setter, tagMap, text, withCleared } from './props.ts';
import { fileKey, pageOf, SOURCE, userKey, type Holder } from './refs.ts';

export interface MapContext extends RunContext {
  trackingUri: string;
}

export interface RegisteredInfo {
  description?: string;
  tags: Props;
  /** Aliases pointing at this version (from the registered model: `aliases: [{alias, version}]`). */
  aliases: string[];
}

/** A run that logged metrics against the model, and the datasets those metrics name. */
export interface EvaluationRun {
  runId: string;
  run: Json;
  datasets: { name: string; digest?: string }[];
}

export interface ModelInput {
  holder: Holder;
  key: string;
  ctx: MapContext;
  version?: Json;
  registered?: RegisteredInfo;
  loggedModel?: Json;
  run?: Json;
  evaluations?: EvaluationRun[];
  artifacts?: ArtifactsRead;
  /** Another registered version this one was registered from (`models:/<name>/<version>`), resolved. */
  derivedFrom?: { key: string; evidence: string };
  /** Completion marker: what was read, so an unchanged model is not read again. */
  stamp: string;
}

export interface ModelMapping {
  batch: RecordBatch;
  warnings: string[];
}

/** Every property a model node can get here: those a read does not set are cleared (see withCleared). */
const MODEL_PROPS = [
  'name', 'url', 'registeredModel', 'version', 'stage', 'aliases', 'status', 'statusMessage', 'description', 'versionTags', 'registeredModelTags',
  'createdAt', 'lastModified', 'source', 'runId', 'runLink', 'loggedModelId', 'creator', 'loggedModelName', 'loggedModelStatus', 'modelType',
  'artifactUri', 'loggedModelTags', 'loggedModelParams', 'runName', 'runStatus', 'experimentId', 'runDeleted', 'sourceName', 'sourceType',
  'sourceCommit', 'sourceRepoUrl', 'params', 'metrics', 'runTags', 'runUser', 'flavors', 'library', 'mlflowVersion', 'serializationFormat',
  'pipelineTag', 'architecture', 'weights', 'unpinnedRequirements', 'missing',
];
const FILE_PROPS = ['size', 'format', 'formatSource', 'scanStatus', 'scanGlobals', 'scanner', 'scanReason', 'scanFindings'];

export function mapModel(input: ModelInput): ModelMapping {
  const warnings: string[] = [];
  const warn = (m: string) => warnings.push(m);
  const { key, ctx } = input;
  const props: Props = { trackingUri: ctx.trackingUri };
  const nodes: NodeRecord[] = [];
  const edges: EdgeRecord[] = [];
  const put = setter(props);
  put('url', pageOf(key, ctx.trackingUri));

  const v = input.version;
  if (v) {
    const name = text(v.name)!;
    const version = text(v.version)!;
    props.name = `${name} v${version}`;
    props.registeredModel = name;
    props.version = version;
    const stage = text(v.current_stage);
    if (stage && stage !== 'None') props.stage = stage;
    const aliases = [...new Set([...(input.registered?.aliases ?? []), ...(Array.isArray(v.aliases) ? v.aliases.filter((a): a is string => typeof a === 'string') : [])])].sort();
    if (aliases.length) props.aliases = aliases;
    put('status', text(v.status));
    put('statusMessage', text(v.status_message));
    put('description', text(v.description) ?? input.registered?.description);
    const vtags = kvObject(v.tags);
    if (Object.keys(vtags).length) props.versionTags = vtags;
    if (input.registered && Object.keys(input.registered.tags).length) props.registeredModelTags = input.registered.tags;
    put('createdAt', msToIso(v.creation_timestamp));
    put('lastModified', msToIso(v.last_updated_timestamp));
    put('source', text(v.source));
    put('runId', text(v.run_id));
    put('runLink', text(v.run_link));
    put('loggedModelId', text(v.model_id));
    const creator = text(v.user_id);
    const creatorKey = creator ? userKey(creator) : undefined;
    if (creatorKey) {
      // Recorded as who registered it; write access is only what a permissions API says.
      props.creator = creatorKey;
      nodes.push({ kind: 'Identity', key: creatorKey, props: { name: creator!, type: 'user' } });
    }
  }

  const lm = input.loggedModel && isObject(input.loggedModel.model) ? input.loggedModel.model : input.loggedModel;
  if (lm) mapLoggedModelInfo(lm, props, input.holder.kind === 'logged-model', nodes);

  if (input.run) {
    const run = mapRun(key, input.run, ctx, warn);
    for (const [k, val] of Object.entries(run.props)) if (!(k in props)) props[k] = val;
    nodes.push(...run.nodes);
    edges.push(...run.edges);
    const base = input.artifacts?.mlmodel?.transformers;
    if (base) edges.push(...hubBase(key, base, run.trainingEvidence, warn));
  } else if (input.artifacts?.mlmodel?.transformers) {
    edges.push(...hubBase(key, input.artifacts.mlmodel.transformers, undefined, warn));
  }

  for (const ev of input.evaluations ?? []) edges.push(...evaluationEdges(key, ev, ctx, warn, nodes));

  if (input.derivedFrom) {
    edges.push({ kind: 'DERIVED_FROM', from: key, to: input.derivedFrom.key, source: SOURCE, evidence: input.derivedFrom.evidence, confidence: 'declared', props: { relation: 'unknown' } });
  }

  const art = input.artifacts;
  if (art) {
    warnings.push(...art.warnings);
    const m = art.mlmodel;
    if (m) {
      props.flavors = m.flavors;
      put('library', m.library);
      put('mlflowVersion', m.mlflowVersion);
      put('serializationFormat', m.serializationFormat);
      // What the flavors load: the files or directories a reader of this model should look at first.
      if (m.weightPaths.length) props.weights = m.weightPaths;
      put('pipelineTag', m.transformers?.task);
      put('architecture', m.transformers?.pipelineModelType);
    }
    const deps = mapRequirements(key, art.manifests);
    edges.push(...deps.edges);
    warnings.push(...deps.warnings);
    if (deps.unpinned.length) props.unpinnedRequirements = deps.unpinned;
    for (const f of art.files) {
      const fk = fileKey(input.holder, f.path);
      if (!fk) {
        warn(`artifact "${f.path.slice(0, 120)}" cannot be named by a file key; not recorded`);
        continue;
      }
      const fact = art.facts.get(f.path);
      const size: Props = f.size !== undefined ? { size: f.size } : {};
      const fprops: Props = { name: f.path.split('/').pop()!, path: f.path, ...size, ...(fact ? factProps(fact) : {}) };
      const eprops: Props = fact ? { ...size, format: fact.format } : { ...size };
      nodes.push({ kind: 'File', key: fk, props: withCleared(fprops, FILE_PROPS) });
      edges.push({ kind: 'CONTAINS', from: key, to: fk, source: SOURCE, evidence: 'artifacts', confidence: 'declared', props: eprops });
    }
  }

  props.mlflowStamp = input.stamp;
  nodes.unshift({ kind: 'Model', key, props: withCleared(props, MODEL_PROPS) });
  return { batch: { nodes: dedupeNodes(nodes), edges: dedupeEdges(edges) }, warnings };
}

function mapLoggedModelInfo(lm: Json, props: Props, own: boolean, nodes: NodeRecord[]): void {
  const info = isObject(lm.info) ? lm.info : {};
  const data = isObject(lm.data) ? lm.data : {};
  const id = text(info.model_id);
  if (own) {
    props.name = text(info.name) ? `${info.name as string} (${id ?? '?'})` : (id ?? 'logged model');
    if (id) props.loggedModelId = id;
    const created = msToIso(info.creation_timestamp_ms);
    if (created) props.createdAt = created;
    const updated = msToIso(info.last_updated_timestamp_ms);
    if (updated) props.lastModified = updated;
    const runId = text(info.source_run_id);
    if (runId) props.runId = runId;
  }
  const put = setter(props);
  put('loggedModelName', text(info.name));
  put('loggedModelStatus', text(info.status));
  put('modelType', text(info.model_type));
  put('artifactUri', text(info.artifact_uri));
  const tags = kvObject(info.tags);
  if (Object.keys(tags).length) props.loggedModelTags = tags;
  const params = kvObject(data.params);
  if (Object.keys(params).length) props.loggedModelParams = params;
  const creator = info.creator_id;
  if ((typeof creator === 'string' && creator) || typeof creator === 'number') {
    const ck = userKey(String(creator));
    if (ck && own) {
      props.creator = ck;
      nodes.push({ kind: 'Identity', key: ck, props: { name: String(creator), type: 'user' } });
    }
  }
}

/** The Hub model a transformers flavor was built from, as DERIVED_FROM its key. */
function hubBase(key: string, t: NonNullable<NonNullable<ArtifactsRead['mlmodel']>['transformers']>, trained: string | undefined, warn: (m: string) => void): EdgeRecord[] {
  if (!t.sourceModelName) return [];
  const ref = refFromData('model', t.sourceModelName);
  if (!ref) {
    warn(`MLmodel transformers source_model_name "${t.sourceModelName.slice(0, 120)}" names no Hub model (a local path?); no base recorded`);
    return [];
  }
  const relation = t.peft ? 'adapter' : trained ? 'finetune' : 'unknown';
  const props: Props = { relation };
  if (t.sourceModelRevision) props.revision = t.sourceModelRevision;
  const why = t.peft ? 'peft_adaptor' : trained ?? 'the run does not say it trained';
  return [{ kind: 'DERIVED_FROM', from: key, to: repoKey(ref), source: SOURCE, evidence: `MLmodel.flavors.transformers.source_model_name (${why})`, confidence: 'declared', props }];
}

/** EVALUATED_ON for each dataset of an evaluating run that the model's linked metrics name. */
function evaluationEdges(key: string, ev: EvaluationRun, ctx: MapContext, warn: (m: string) => void, nodes: NodeRecord[]): EdgeRecord[] {
  const run = isObject(ev.run.run) ? ev.run.run : ev.run;
  const inputs = isObject(run.inputs) ? run.inputs : {};
  const list = Array.isArray(inputs.dataset_inputs) ? inputs.dataset_inputs : [];
  const out: EdgeRecord[] = [];
  for (const [i, input] of list.entries()) {
    const d = isObject(input) && isObject(input.dataset) ? input.dataset : undefined;
    if (!d) continue;
    const named = ev.datasets.some((m) => m.name === d.name && (m.digest === undefined || m.digest === d.digest));
    const context = tagMap(isObject(input) ? input.tags : undefined).get('mlflow.data.context');
    if (!named && !(context && /^(eval|evaluation|validation|test)$/i.test(context))) continue;
    const where = `evaluation run ${ev.runId.slice(0, 40)} inputs.dataset_inputs[${i}]`;
    const t = mapDatasetInput(input, where, ctx, warn);
    if (!t) continue;
    if (t.node) nodes.push(t.node);
    out.push({ ...datasetEdge(key, { ...t, use: 'evaluation' }, where), props: { ...t.props, runId: ev.runId } });
  }
  return out;
}

/** One record per key: later properties merged over earlier ones (a user named twice, a dataset logged twice). */
function dedupeNodes(nodes: NodeRecord[]): NodeRecord[] {
  const byKey = new Map<string, NodeRecord>();
  for (const n of nodes) {
    const seen = byKey.get(n.key);
    byKey.set(n.key, seen ? { ...seen, props: { ...seen.props, ...n.props } } : n);
  }
  return [...byKey.values()];
}

/** One edge per (from, kind, to), as the store keys them for one source; the first (declared before inferred) wins. */
function dedupeEdges(edges: EdgeRecord[]): EdgeRecord[] {
  const byKey = new Map<string, EdgeRecord>();
  for (const e of edges) {
    const k = `${e.from}\u0000${e.kind}\u0000${e.to}`;
    const seen = byKey.get(k);
    if (!seen || (seen.confidence === 'inferred' && e.confidence === 'declared')) byKey.set(k, e);
  }
  return [...byKey.values()];
}
