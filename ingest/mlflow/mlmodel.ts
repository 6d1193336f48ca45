/**
 * The `MLmodel` file at the root of every MLflow model: which flavors it has, where their weights are, which
 * environment files it ships, and — for the transformers flavor — the Hub model it was built from. Read as MLflow
 * reads it: `yaml.safe_load`, i.e. YAML 1.1 (so `1e10` stays a string and `yes` is a boolean), duplicate keys
 * allowed with the last one winning. Pure.
 */
import { parse } from 'yaml';
import { isObject, type Json } from '../huggingface/fields.ts';

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

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined);

export function parseMlmodel(text: string): MlmodelParse {
  let doc: unknown;
  try {
    doc = parse(text, { version: '1.1', uniqueKeys: false, maxAliasCount: 100, prettyErrors: false });
  } catch (err) {
    return { ok: false, problem: `MLmodel does not parse as YAML: ${String((err as Error).message ?? err).split('\n')[0]!.slice(0, 200)}` };
  }
  if (!isObject(doc)) return { ok: false, problem: `MLmodel should be a mapping, got ${doc === null ? 'nothing' : Array.isArray(doc) ? 'a list' : typeof doc}` };
  const flavorsRaw = doc.flavors;
  if (!isObject(flavorsRaw)) return { ok: false, problem: 'MLmodel has no "flavors" mapping' };
  const warnings: string[] = [];
  const flavors = Object.keys(flavorsRaw);
  const facts: MlmodelFacts = { flavors, envFiles: [], weightPaths: [] };
  const library = flavors.find((f) => f !== 'python_function');
  if (library) facts.library = library;
  const put = <K extends keyof MlmodelFacts>(k: K, v: MlmodelFacts[K] | undefined) => {
    if (v !== undefined) facts[k] = v;
  };
  put('mlflowVersion', str(doc.mlflow_version));
  put('modelUuid', str(doc.model_uuid));
  put('modelId', str(doc.model_id));
  put('runId', str(doc.run_id));

  const pyfunc = isObject(flavorsRaw.python_function) ? flavorsRaw.python_function : undefined;
  if (pyfunc) {
    put('loaderModule', str(pyfunc.loader_module));
    // MLflow 1.x writes `env: conda.yaml`; 2.x and later `env: {conda: conda.yaml, virtualenv: python_env.yaml}`.
    const env = pyfunc.env;
    if (typeof env === 'string') facts.envFiles.push(env);
    else if (isObject(env)) for (const v of Object.values(env)) if (typeof v === 'string') facts.envFiles.push(v);
    for (const k of ['model_path', 'data']) {
      const p = str(pyfunc[k]);
      if (p) facts.weightPaths.push(p);
    }
  }
  for (const [name, flavor] of Object.entries(flavorsRaw)) {
    if (!isObject(flavor) || name === 'python_function') continue;
    for (const k of ['pickled_model', 'model_data', 'data', 'model_binary']) {
      const p = str(flavor[k]);
      if (p) facts.weightPaths.push(p);
    }
    put('serializationFormat', facts.serializationFormat ?? str(flavor.serialization_format));
  }
  facts.envFiles = unique(facts.envFiles).filter((p) => safeRelative(p, warnings, 'env'));
  facts.weightPaths = unique(facts.weightPaths).filter((p) => safeRelative(p, warnings, 'weights'));
  const t = flavorsRaw.transformers;
  if (t !== undefined) {
    if (!isObject(t)) warnings.push('MLmodel flavor "transformers" should be a mapping; ignored');
    else facts.transformers = transformersFacts(t, warnings);
  }
  return { ok: true, facts, warnings };
}

function transformersFacts(t: Json, warnings: string[]): TransformersFacts {
  const out: TransformersFacts = { peft: t.peft_adaptor !== undefined && t.peft_adaptor !== null };
  const name = t.source_model_name;
  if (typeof name === 'string' && name !== '') out.sourceModelName = name;
  else if (name !== undefined && name !== null) warnings.push('MLmodel transformers "source_model_name" should be a string; ignored');
  const rev = str(t.source_model_revision);
  if (rev) out.sourceModelRevision = rev;
  const task = str(t.task);
  if (task) out.task = task;
  const type = str(t.pipeline_model_type);
  if (type) out.pipelineModelType = type;
  const version = str(t.transformers_version);
  if (version) out.transformersVersion = version;
  return out;
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
