/**
 * A model's API body (GET /api/models/{id}/revision/{rev}, in the Hub's shape) → its node, its lineage edges
 * (DERIVED_FROM, TRAINED_ON, EVALUATED_ON) and the repos the crawler should visit next. Pure.
 */
import { DERIVATION_RELATIONS, type DerivationRelation } from '../../schema/model.ts';
import type { Confidence } from '../../schema/model.ts';
import type { EdgeRecord, JsonValue } from '../../schema/records.ts';
import { FieldReader, isObject, type Json } from '../pipeline/fields.ts';
import { cardOf, commonRepoProps, edge, repoMapping, returnedRef, type MapContext, type RepoMapping } from './map-common.ts';
import { refFromData, repoKey, type RepoRef } from './refs.ts';

export interface BaseLink {
  ref: RepoRef;
  relation: DerivationRelation;
  confidence: Confidence;
  evidence: string;
}

export interface ModelMapping extends RepoMapping {
  bases: BaseLink[];
  trainedOn: RepoRef[];
  evaluatedOn: RepoRef[];
  spaces: RepoRef[];
}

/** Popular models are used by thousands of Spaces; the node keeps the first ones the Hub lists. */
const MAX_SPACES_KEPT = 1000;

const DECLARED = new Set<string>(DERIVATION_RELATIONS.filter((r) => r !== 'unknown'));
const BASE_TAG = /^base_model:(?:(finetune|adapter|merge|quantized):)?(.+)$/;

/** Base models from `cardData.base_model` (string or list) and `base_model:[<relation>:]<id>` tags. */
export function baseLinks(card: Json | undefined, tags: string[], hints: { library?: string }, warn: (m: string) => void): BaseLink[] {
  const byId = new Map<string, { ref: RepoRef; relation?: DerivationRelation; evidence: string; relationEvidence?: string }>();
  const note = (ref: RepoRef, evidence: string) => {
    const cur = byId.get(ref.id);
    if (!cur) byId.set(ref.id, { ref, evidence });
  };
  if (card) {
    const cr = new FieldReader(card, warn, 'cardData.');
    for (const v of cr.stringOrList('base_model') ?? []) {
      const ref = refFromData('model', v);
      if (ref) note(ref, 'cardData.base_model');
      else warn(`cardData.base_model "${v.slice(0, 80)}" is not a model id; ignored`);
    }
  }
  for (const t of tags) {
    const m = BASE_TAG.exec(t);
    if (!m) continue;
    const ref = refFromData('model', m[2]);
    if (!ref) continue;
    note(ref, 'tags:base_model');
    if (m[1]) {
      const cur = byId.get(ref.id)!;
      cur.relation = m[1] as DerivationRelation;
      cur.relationEvidence = `tags:base_model:${m[1]}`;
    }
  }
  let declaredRelation: DerivationRelation | undefined;
  const rel = card?.base_model_relation;
  if (typeof rel === 'string') {
    if (DECLARED.has(rel)) declaredRelation = rel as DerivationRelation;
    else warn(`cardData.base_model_relation "${rel.slice(0, 40)}" is not one of finetune, adapter, merge, quantized; ignored`);
  } else if (rel !== undefined && rel !== null) {
    warn('field "cardData.base_model_relation" should be a string; ignored');
  }
  const n = byId.size;
  const lowerTags = new Set(tags.map((t) => t.toLowerCase()));
  return [...byId.values()].map(({ ref, relation, evidence, relationEvidence }) => {
    if (relation) return { ref, relation, confidence: 'declared', evidence: relationEvidence! };
    if (declaredRelation) return { ref, relation: declaredRelation, confidence: 'declared', evidence: 'cardData.base_model_relation' };
    // No declaration: infer as the Hub itself does, and say it was inferred.
    let inferred: DerivationRelation = 'unknown';
    if (n > 1) inferred = 'merge';
    else if (hints.library === 'peft' || lowerTags.has('peft') || lowerTags.has('lora')) inferred = 'adapter';
    else if (lowerTags.has('gguf') || hints.library === 'gguf') inferred = 'quantized';
    return { ref, relation: inferred, confidence: 'inferred', evidence };
  });
}

/** Training datasets from `cardData.datasets` and `dataset:<id>` tags (ids with or without an owner). */
export function trainingDatasets(card: Json | undefined, tags: string[], warn: (m: string) => void): { ref: RepoRef; evidence: string }[] {
  const out = new Map<string, { ref: RepoRef; evidence: string }>();
  if (card) {
    for (const v of new FieldReader(card, warn, 'cardData.').stringOrList('datasets') ?? []) {
      const ref = refFromData('dataset', v);
      if (ref) out.set(ref.id, { ref, evidence: 'cardData.datasets' });
      else warn(`cardData.datasets entry "${v.slice(0, 80)}" is not a dataset id; ignored`);
    }
  }
  for (const t of tags) {
    if (!t.startsWith('dataset:')) continue;
    const ref = refFromData('dataset', t.slice('dataset:'.length));
    if (ref && !out.has(ref.id)) out.set(ref.id, { ref, evidence: 'tags:dataset' });
  }
  return [...out.values()];
}

export interface EvalResult {
  dataset: string;
  task?: string;
  metrics: { type: string; value: JsonValue }[];
}

/**
 * model-index (top level or in the card): a list of {name, results: [{task, dataset: {type, name}, metrics}]}.
 * Anything else is a warning and yields nothing; results with an unusable dataset are skipped one by one.
 */
export function modelIndexResults(value: unknown, warn: (m: string) => void): EvalResult[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    warn(`model-index should be a list, got ${typeof value === 'object' ? 'a mapping' : typeof value}; evaluation results ignored`);
    return undefined;
  }
  const out: EvalResult[] = [];
  let skipped = 0;
  for (const entry of value) {
    const results = isObject(entry) ? entry.results : undefined;
    if (!Array.isArray(results)) {
      skipped++;
      continue;
    }
    for (const r of results) {
      const ds = isObject(r) && isObject(r.dataset) ? r.dataset : undefined;
      const id = ds && (typeof ds.type === 'string' ? ds.type : typeof ds.name === 'string' ? ds.name : undefined);
      if (!id) {
        skipped++;
        continue;
      }
      const task = isObject(r) && isObject(r.task) && typeof r.task.type === 'string' ? r.task.type : undefined;
      const metrics = (isObject(r) && Array.isArray(r.metrics) ? r.metrics : [])
        .filter(isObject)
        .filter((m) => typeof m.type === 'string' && ['number', 'string'].includes(typeof m.value))
        .map((m) => ({ type: m.type as string, value: m.value as JsonValue }));
      out.push({ dataset: id, ...(task ? { task } : {}), metrics });
    }
  }
  if (skipped) warn(`model-index has ${skipped} entries of the wrong shape; skipped`);
  return out;
}

/** Loading needs trust_remote_code when the config maps Auto classes to code in the repo (auto_map). */
export function needsCustomCode(body: Json, tags: string[]): boolean {
  const config = isObject(body.config) ? body.config : undefined;
  if (config && isObject(config.auto_map)) return true;
  if (config && isObject(config.tokenizer_config) && (config.tokenizer_config as Json).auto_map !== undefined) return true;
  return tags.includes('custom_code');
}

export function mapModel(body: Json, ctx: MapContext, parsedCard?: Json): ModelMapping {
  const warnings: string[] = [];
  const warn = (m: string) => warnings.push(m);
  const ref = returnedRef(body, ctx, warn);
  const key = repoKey(ref);
  const r = new FieldReader(body, warn);
  const card = cardOf(body, warn, parsedCard);
  const tags = r.strings('tags') ?? [];
  const props = commonRepoProps(body, ctx, ref, card, warn);
  const library = r.str('library_name') ?? (card && typeof card.library_name === 'string' ? card.library_name : undefined);
  if (library) props.library = library;
  const pipelineTag = r.str('pipeline_tag') ?? (card && typeof card.pipeline_tag === 'string' ? card.pipeline_tag : undefined);
  if (pipelineTag) props.pipelineTag = pipelineTag;
  props.customCode = needsCustomCode(body, tags);
  const config = r.object('config');
  const arch = config && Array.isArray(config.architectures) && typeof config.architectures[0] === 'string' ? config.architectures[0] : undefined;
  const modelType = config && typeof config.model_type === 'string' ? config.model_type : undefined;
  if (arch ?? modelType) props.architecture = (arch ?? modelType)!;
  if (modelType) props.modelType = modelType;

  const bases = baseLinks(card, tags, { library }, warn).filter((b) => b.ref.id !== ref.id);
  const datasets = trainingDatasets(card, tags, warn);
  const mi = body['model-index'] !== undefined ? body['model-index'] : card?.['model-index'];
  const evals = modelIndexResults(mi, warn);
  if (evals) props.modelIndex = evals as unknown as JsonValue;
  const evalRefs = new Map<string, RepoRef>();
  for (const e of evals ?? []) {
    const d = refFromData('dataset', e.dataset);
    if (d) evalRefs.set(d.id, d);
  }
  const spaces = (r.strings('spaces') ?? []).map((s) => refFromData('space', s)).filter((s): s is RepoRef => !!s);
  // Kept on the node so that a later run which skips this unchanged repo still knows which Spaces to visit.
  if (spaces.length) props.usedBySpaces = spaces.slice(0, MAX_SPACES_KEPT).map((s) => s.id);

  const edges: EdgeRecord[] = [
    ...bases.map((b) => edge('DERIVED_FROM', key, repoKey(b.ref), b.evidence, { confidence: b.confidence, props: { relation: b.relation } })),
    ...datasets.map((d) => edge('TRAINED_ON', key, repoKey(d.ref), d.evidence)),
    ...[...evalRefs.values()].map((d) => edge('EVALUATED_ON', key, repoKey(d), 'model-index')),
  ];
  return {
    ...repoMapping('Model', ref, props, edges, warnings, card),
    bases,
    trainedOn: datasets.map((d) => d.ref),
    evaluatedOn: [...evalRefs.values()],
    spaces,
  };
}
