/**
 * A run's dataset input (`inputs.dataset_inputs[i]`: `{dataset: {name, digest, source_type, source, schema,
 * profile}, tags: [{key: "mlflow.data.context", value}]}`) → the dataset it names and how the run used it. A
 * Hugging Face source is the Hub dataset the Hub ingestor writes (`hf:dataset/…`), with the revision the run
 * loaded; a URL on the Hub names that dataset too; anything else (a Delta table, s3, http, code) is a Dataset of
 * this server, `mlflow:dataset/<name>@<digest>`, with its location. Pure.
 */
import { keyOfUrl, parseKey } from '../../schema/keys.ts';
import type { EdgeRecord, NodeRecord, Props } from '../../schema/records.ts';
import { isObject, type Json } from '../pipeline/fields.ts';
import { refFromData, repoKey } from '../huggingface/refs.ts';
import { tagMap, withCleared } from './props.ts';
import { datasetKey, SOURCE } from './refs.ts';

/** Every property a dataset node can get here (see withCleared). */
const DATASET_PROPS = ['sourceType', 'location', 'source', 'schema', 'profile'];

export type DatasetUse = 'training' | 'evaluation';

export interface DatasetTarget {
  key: string;
  use: DatasetUse;
  /** The node this source owns (an `mlflow:dataset`); Hub datasets are the Hub ingestor's to write. */
  node?: NodeRecord;
  props: Props;
  confidence: 'declared' | 'inferred';
  /** What the run said about it, for the edge's evidence. */
  context?: string;
  name: string;
  digest?: string;
}

/** `mlflow.data.context` values that mean the dataset judged the model rather than trained it. */
const EVALUATION_CONTEXTS = new Set(['evaluation', 'eval', 'validation', 'val', 'test', 'testing']);

/**
 * `datasets.load_dataset` names that are its packaged loaders (`json`, `csv`, `parquet`, …), not Hub repos: such a
 * "path" loads local or remote files named by `data_files`, so it is no Hub dataset.
 */
const PACKAGED_LOADERS = new Set([
  'arrow', 'audiofolder', 'cache', 'csv', 'eval', 'generator', 'hdf5', 'imagefolder', 'json', 'niftifolder', 'pandas', 'parquet', 'pdffolder',
  'spark', 'sql', 'text', 'videofolder', 'webdataset', 'xml',
]);

/** Source fields that say where the data is, by source type (the first present wins). */
const LOCATION_FIELDS = ['url', 'uri', 'path', 'delta_table_name', 'table_name', 'volume_path', 'dbfs_path'];

/** At most this much of a schema or profile is kept on a dataset node (they can list thousands of columns). */
const MAX_DOC_CHARS = 8 * 1024;

export interface DatasetContext {
  hubUrl: string;
}

function parseJsonString(v: unknown): Json | undefined {
  if (typeof v !== 'string' || v.length > 1024 * 1024) return undefined;
  try {
    const parsed: unknown = JSON.parse(v);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export function mapDatasetInput(input: unknown, where: string, ctx: DatasetContext, warn: (m: string) => void): DatasetTarget | undefined {
  if (!isObject(input) || !isObject(input.dataset)) {
    warn(`${where} has no dataset; skipped`);
    return undefined;
  }
  const d = input.dataset;
  const name = typeof d.name === 'string' && d.name !== '' ? d.name : undefined;
  const digest = typeof d.digest === 'string' && d.digest !== '' ? d.digest : undefined;
  const sourceType = typeof d.source_type === 'string' ? d.source_type : undefined;
  const source = parseJsonString(d.source);
  if (d.source !== undefined && !source) warn(`${where}.dataset.source is not a JSON object; its location is unknown`);
  const context = tagMap(input.tags).get('mlflow.data.context');
  const use: DatasetUse = context && EVALUATION_CONTEXTS.has(context.toLowerCase()) ? 'evaluation' : 'training';
  // A dataset with no context tag was still logged as the run's input; that it trained the model is our reading.
  const confidence = context ? 'declared' : 'inferred';
  const base = { use, confidence, ...(context ? { context } : {}), name: name ?? '', ...(digest ? { digest } : {}) } as const;

  const hub = hubDataset(sourceType, source, ctx);
  if (hub) {
    const props: Props = {};
    if (hub.revision) props.revision = hub.revision;
    if (hub.split) props.split = hub.split;
    return { ...base, key: hub.key, props };
  }
  if (!name || !digest) {
    warn(`${where}.dataset needs a name and a digest to be recorded; skipped`);
    return undefined;
  }
  const key = datasetKey(name, digest);
  if (!key) {
    warn(`${where}.dataset name "${name.slice(0, 80)}" with digest "${digest.slice(0, 40)}" cannot be a dataset key; skipped`);
    return undefined;
  }
  const props: Props = { name, digest };
  if (sourceType) props.sourceType = sourceType;
  const location = source && LOCATION_FIELDS.map((f) => source[f]).find((v): v is string => typeof v === 'string' && v !== '');
  if (location) props.location = withoutCredentials(location);
  if (source) props.source = source as Props;
  const schema = typeof d.schema === 'string' && d.schema.length <= MAX_DOC_CHARS ? parseJsonString(d.schema) : undefined;
  if (schema) props.schema = schema as Props;
  const profile = typeof d.profile === 'string' && d.profile.length <= MAX_DOC_CHARS ? parseJsonString(d.profile) : undefined;
  if (profile) props.profile = profile as Props;
  return { ...base, key, node: { kind: 'Dataset', key, props: withCleared(props, DATASET_PROPS) }, props: {} };
}

/** The Hub dataset a source names: a `hugging_face` source's repo id, or a URL on the Hub. */
function hubDataset(sourceType: string | undefined, source: Json | undefined, ctx: DatasetContext): { key: string; revision?: string; split?: string } | undefined {
  if (!source) return undefined;
  if (sourceType === 'hugging_face' || sourceType === 'huggingface') {
    const path = typeof source.path === 'string' ? source.path : undefined;
    if (!path || PACKAGED_LOADERS.has(path.toLowerCase())) return undefined;
    const ref = refFromData('dataset', path);
    if (!ref) return undefined;
    const revision = typeof source.revision === 'string' && source.revision !== '' ? source.revision : undefined;
    const split = typeof source.split === 'string' && source.split !== '' ? source.split : undefined;
    return { key: repoKey(ref), ...(revision ? { revision } : {}), ...(split ? { split } : {}) };
  }
  const url = LOCATION_FIELDS.map((f) => source[f]).find((v): v is string => typeof v === 'string' && /^https?:\/\//i.test(v));
  if (!url) return undefined;
  const key = keyOfUrl(url, { hf: ctx.hubUrl });
  const format = key ? parseKey(key)?.format : undefined;
  return format && format.source === 'hf' && format.kind === 'Dataset' ? { key: key! } : undefined;
}

/**
 * A location without what can carry a credential: `user:password@`, and for web URLs the query (a presigned URL's
 * signature and token live there). Locations that are not URLs (a table name) are kept as they are.
 */
export function withoutCredentials(location: string): string {
  let u: URL;
  try {
    u = new URL(location);
  } catch {
    return location;
  }
  const web = u.protocol === 'http:' || u.protocol === 'https:';
  if (!u.username && !u.password && !(web && (u.search || u.hash))) return location;
  u.username = '';
  u.password = '';
  if (web) {
    u.search = '';
    u.hash = '';
  }
  return u.href;
}

/** The edge from the model to the dataset a target names. */
export function datasetEdge(from: string, t: DatasetTarget, evidence: string): EdgeRecord {
  return {
    kind: t.use === 'evaluation' ? 'EVALUATED_ON' : 'TRAINED_ON',
    from,
    to: t.key,
    source: SOURCE,
    evidence: t.context ? `${evidence} (mlflow.data.context=${t.context})` : evidence,
    confidence: t.confidence,
    ...(Object.keys(t.props).length ? { props: t.props } : {}),
  };
}
