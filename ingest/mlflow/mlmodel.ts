/**
 * The `MLmodel` file at the root of every MLflow model: which flavors it has, where their weights are, which
 * environment files it ships, and — for the transformers flavor — the Hub model it was built from. Read as MLflow
 * reads it, with PyYAML's `safe_load`: YAML 1.1 (`yes` is true), duplicate keys allowed with the last one winning.
 * PyYAML resolves fewer plain scalars to numbers than YAML libraries do (`1e10`, `0123456789` stay strings; a
 * commit sha such as `1234e56…` would be a float elsewhere), so every string field is taken from the scalar's own
 * text rather than from its resolved value. Pure.
 */
import { isMap, isScalar, parseDocument, type Document } from 'yaml';
import { isObject, type Json } from '../pipeline/fields.ts';

export interface TransformersFacts {
  /** `source_model_name`: a Hub repo id, or a local path (which names no Hub model). */
  sourceModelName?: string;
  /** `source_model_revision`: the Hub commit, present when the weights were not saved into the artifact. */
  sourceModelRevision?: string;
  /** A PEFT adapter: `source_model_name` then names the base the adapter applies to. */
  peft: boolean;
  task?: string;
  pipelineModelType?: string;
  transformersVersion?: string;
}

export interface MlmodelFacts {
  flavors: string[];
  /** The flavor that loads the model (the first one other than python_function). */
  library?: string;
  mlflowVersion?: string;
  modelUuid?: string;
  /** MLflow 3 writes the logged model's id. */
  modelId?: string;
  runId?: string;
  loaderModule?: string;
  /** Environment files the model names (relative to the model root): conda.yaml, python_env.yaml. */
  envFiles: string[];
  /** Files or directories the flavors load their weights from (sklearn's pickled_model, pytorch's model_data). */
  weightPaths: string[];
  serializationFormat?: string;
  transformers?: TransformersFacts;
}

export type MlmodelParse = { ok: true; facts: MlmodelFacts; warnings: string[] } | { ok: false; problem: string };

export function parseMlmodel(text: string): MlmodelParse {
  let yaml: Document;
  let doc: unknown;
  try {
    yaml = parseDocument(text, { version: '1.1', uniqueKeys: false, prettyErrors: false });
    if (yaml.errors.length) throw yaml.errors[0];
    doc = yaml.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return { ok: false, problem: `MLmodel does not parse as YAML: ${String((err as Error).message ?? err).split('\n')[0]!.slice(0, 200)}` };
  }
  if (!isObject(doc)) return { ok: false, problem: `MLmodel should be a mapping, got ${doc === null ? 'nothing' : Array.isArray(doc) ? 'a list' : typeof doc}` };
  const flavorsRaw = doc.flavors;
  if (!isObject(flavorsRaw)) return { ok: false, problem: 'MLmodel has no "flavors" mapping' };
  /** A string field as PyYAML reads it: the scalar's text when plain, its value when quoted; no null, no mapping. */
  const str = (...path: string[]): string | undefined => {
    const node = nodeAt(yaml.contents, path);
    if (!isScalar(node) || node.value === null || node.value === undefined || typeof node.value === 'boolean') return undefined;
    const value = node.type === 'PLAIN' && typeof node.source === 'string' ? node.source : node.value;
    return typeof value === 'string' || typeof value === 'number' ? String(value) || undefined : undefined;
  };
  const warnings: string[] = [];
  const flavors = Object.keys(flavorsRaw);
  const facts: MlmodelFacts = { flavors, envFiles: [], weightPaths: [] };
  const library = flavors.find((f) => f !== 'python_function');
  if (library) facts.library = library;
  const put = <K extends keyof MlmodelFacts>(k: K, v: MlmodelFacts[K] | undefined) => {
    if (v !== undefined) facts[k] = v;
  };
  put('mlflowVersion', str('mlflow_version'));
  put('modelUuid', str('model_uuid'));
  put('modelId', str('model_id'));
  put('runId', str('run_id'));

  const pyfunc = isObject(flavorsRaw.python_function) ? flavorsRaw.python_function : undefined;
  if (pyfunc) {
    put('loaderModule', str('flavors', 'python_function', 'loader_module'));
    // MLflow 1.x writes `env: conda.yaml`; 2.x and later `env: {conda: conda.yaml, virtualenv: python_env.yaml}`.
    const env = pyfunc.env;
    if (isObject(env)) for (const k of Object.keys(env)) facts.envFiles.push(str('flavors', 'python_function', 'env', k) ?? '');
    else facts.envFiles.push(str('flavors', 'python_function', 'env') ?? '');
    for (const k of ['model_path', 'data']) facts.weightPaths.push(str('flavors', 'python_function', k) ?? '');
  }
  for (const [name, flavor] of Object.entries(flavorsRaw)) {
    if (!isObject(flavor) || name === 'python_function') continue;
    for (const k of ['pickled_model', 'model_data', 'data', 'model_binary']) facts.weightPaths.push(str('flavors', name, k) ?? '');
    put('serializationFormat', facts.serializationFormat ?? str('flavors', name, 'serialization_format'));
  }
  facts.envFiles = unique(facts.envFiles).filter((p) => safeRelative(p, warnings, 'env'));
  facts.weightPaths = unique(facts.weightPaths).filter((p) => safeRelative(p, warnings, 'weights'));
  const t = flavorsRaw.transformers;
  if (t !== undefined) {
    if (!isObject(t)) warnings.push('MLmodel flavor "transformers" should be a mapping; ignored');
    else facts.transformers = transformersFacts(t, (k) => str('flavors', 'transformers', k), warnings);
  }
  return { ok: true, facts, warnings };
}

function transformersFacts(t: Json, str: (key: string) => string | undefined, warnings: string[]): TransformersFacts {
  const out: TransformersFacts = { peft: t.peft_adaptor !== undefined && t.peft_adaptor !== null };
  const name = str('source_model_name');
  if (name) out.sourceModelName = name;
  else if (t.source_model_name !== undefined && t.source_model_name !== null) warnings.push('MLmodel transformers "source_model_name" should be a string; ignored');
  const put = (k: 'sourceModelRevision' | 'task' | 'pipelineModelType' | 'transformersVersion', field: string) => {
    const v = str(field);
    if (v) out[k] = v;
  };
  put('sourceModelRevision', 'source_model_revision');
  put('task', 'task');
  put('pipelineModelType', 'pipeline_model_type');
  put('transformersVersion', 'transformers_version');
  return out;
}

/** The node at a path of mapping keys, the last of duplicate keys winning (as PyYAML builds the dict). */
function nodeAt(node: unknown, path: readonly string[]): unknown {
  let at = node;
  for (const key of path) {
    if (!isMap(at)) return undefined;
    const pair = at.items.findLast((p) => isScalar(p.key) && String(p.key.value) === key);
    at = pair?.value;
  }
  return at;
}

/** A path the MLmodel names must stay inside the model: no absolute path, no `..`. */
function safeRelative(path: string, warnings: string[], what: string): boolean {
  const ok = !path.startsWith('/') && !/^[a-z]+:/i.test(path) && path.split('/').every((s) => s !== '..');
  if (!ok) warnings.push(`MLmodel ${what} path "${path.slice(0, 120)}" leaves the model directory; ignored`);
  return ok;
}

function unique(xs: string[]): string[] {
  return [...new Set(xs.map((x) => x.replace(/^\.\//, '').replace(/\/+$/, '')))].filter((x) => x !== '' && x !== '.');
}
