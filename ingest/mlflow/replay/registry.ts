/**
 * A replayable MLflow tracking server and registry, described once and served as either generation: on MLflow 2 a
 * model lives in its run's artifact tree (`<artifact_uri>/<name>`) and a version's source points there; on MLflow 3
 * the same model is a logged model (`m-<id>`) with its own artifacts, params and linked metrics, and a version
 * registers it (`model_id`, source `models:/m-<id>`). Bodies are rendered in the REST API's shapes (proto field
 * names, int64 as JSON numbers, empty repeated fields omitted). File contents are literal text, base64, filler of a
 * size, or a named builder (real pickles and zips from the scanner's writers).
 */
import { benignStateDictPickle, buildPickle, maliciousPickleStackGlobal, op, pytorchZip, safetensorsBytes } from '../../scan/build.ts';

export type Json = Record<string, unknown>;
export type FileContent = { text: string } | { base64: string } | { build: keyof typeof BUILDERS; args?: string[] } | { size: number };
export type Generation = 2 | 3;

export interface DatasetSpec {
  name: string;
  digest: string;
  source_type: string;
  /** The source document (serialised into the `source` string as MLflow does). */
  source: Json;
  /** `mlflow.data.context`: training, evaluation, … */
  context?: string;
  schema?: Json;
  profile?: Json;
}

export interface RunSpec {
  run_id: string;
  experiment_id: string;
  user?: string;
  run_name?: string;
  status?: string;
  lifecycle_stage?: 'active' | 'deleted';
  start_time?: number;
  params?: Record<string, string>;
  tags?: Record<string, string>;
  metrics?: Record<string, number>;
  datasets?: DatasetSpec[];
  /** Files of the run's artifact tree besides its models' (paths from the run's root). */
  files?: Record<string, FileContent>;
  /** The run is gone: runs/get answers RESOURCE_DOES_NOT_EXIST. */
  gone?: boolean;
}

export interface ModelSpec {
  /** The logged model id on MLflow 3 (`m-…`). */
  id: string;
  /** The artifact path in the run on MLflow 2; the logged model's name on MLflow 3. */
  name: string;
  run_id: string;
  experiment_id: string;
  files: Record<string, FileContent>;
  params?: Record<string, string>;
  tags?: Record<string, string>;
  /** Metrics linked to the model (MLflow 3), each from a run and on a dataset. */
  metrics?: { key: string; value: number; run_id: string; dataset_name?: string; dataset_digest?: string }[];
  created?: number;
  /** MLflow 3: the logged model was deleted (GET answers RESOURCE_DOES_NOT_EXIST, it is not listed). */
  deleted?: boolean;
  /** The artifact listing is gone (RESOURCE_DOES_NOT_EXIST when listed). */
  artifactsGone?: boolean;
}

export interface VersionSpec {
  name: string;
  version: string;
  /** The model (ModelSpec id) it registers; absent with `source` set to a `models:/…` of another version. */
  model?: string;
  /** A source to use as written (another version's `models:/name/1`, a path outside any run). */
  source?: string;
  run_id?: string;
  current_stage?: string;
  status?: string;
  user_id?: string;
  description?: string;
  tags?: Record<string, string>;
  created?: number;
  updated?: number;
}

export interface RegisteredModelSpec {
  name: string;
  description?: string;
  tags?: Record<string, string>;
  aliases?: Record<string, string>;
  created?: number;
  /** Databricks' registered model id (permissions are filed under it). */
  id?: string;
}

export interface RegistryData {
  experiments?: { experiment_id: string; name: string }[];
  registeredModels: RegisteredModelSpec[];
  versions: VersionSpec[];
  runs: RunSpec[];
  models: ModelSpec[];
  /** Databricks serving endpoints in the detailed shape (`GET /serving-endpoints/{name}`). */
  servingEndpoints?: Json[];
  /** Databricks permissions: object id → `{access_control_list: […]}` (`registered-models/<id>`, `serving-endpoints/<id>`). */
  permissions?: Record<string, Json>;
  /** MLflow deployments-server endpoints. */
  deploymentEndpoints?: Json[];
  /** MLflow basic-auth users (`users/get`): username → User. */
  users?: Record<string, Json>;
  /** Page size of every listing (small pages exercise page tokens). */
  pageSize?: number;
}

function padTo(bytes: Uint8Array, size: number): Uint8Array {
  if (bytes.length >= size) return bytes;
  const out = new Uint8Array(size);
  out.set(bytes);
  return out;
}

/** A scikit-learn estimator pickle as cloudpickle writes one: a class outside both scanner lists (suspicious). */
function sklearnPickle(): Uint8Array {
  return buildPickle([op.proto(4), op.global('sklearn.linear_model._base', 'LinearRegression'), op.emptyTuple(), op.reduce(), op.stop()]);
}

export const BUILDERS = {
  sklearnPickle: () => sklearnPickle(),
  /** A "model.pkl" that runs a shell command on load (os.system through STACK_GLOBAL); the command is never run. */
  sklearnPickleOsSystem: (command = 'echo aispm-test-payload') => maliciousPickleStackGlobal(command),
  torchZip: () => pytorchZip(benignStateDictPickle(['weight', 'bias'])),
  safetensors: () => safetensorsBytes([{ name: 'weight', dtype: 'F32', shape: [2, 2], data: new Uint8Array(16) }], { format: 'pt' }),
  /** A benign pickle padded to a size (past --max-scan-bytes). */
  bigPickle: (size = '1048576') => padTo(benignStateDictPickle(), Number(size)),
} satisfies Record<string, (...args: string[]) => Uint8Array>;

export function contentBytes(c: FileContent): Uint8Array {
  if ('text' in c) return new TextEncoder().encode(c.text);
  if ('base64' in c) return new Uint8Array(Buffer.from(c.base64, 'base64'));
  if ('size' in c) return new Uint8Array(c.size);
  return (BUILDERS[c.build] as (...a: string[]) => Uint8Array)(...(c.args ?? []));
}

const kv = (o: Record<string, string> | undefined) => Object.entries(o ?? {}).map(([key, value]) => ({ key, value }));
const DAY = 86_400_000;
const T0 = 1_735_689_600_000; // 2025-01-01

/** Items of a list by a named key, rebuilt when the list is replaced (tests swap `data.versions` for a filtered copy). */
const indexes = new WeakMap<object, Map<string, Map<string, unknown[]>>>();
function indexed<T>(list: readonly T[], name: string, by: (item: T) => string): Map<string, T[]> {
  let byName = indexes.get(list);
  if (!byName) indexes.set(list, (byName = new Map()));
  let index = byName.get(name) as Map<string, T[]> | undefined;
  if (!index) {
    index = new Map();
    for (const item of list) index.set(by(item), [...(index.get(by(item)) ?? []), item]);
    byName.set(name, index as Map<string, unknown[]>);
  }
  return index;
}

/** The served state of a registry: REST bodies per generation, artifact bytes per root. */
export class ReplayRegistry {
  private readonly bytes = new Map<string, Uint8Array>();
  readonly pageSize: number;

  constructor(
    readonly data: RegistryData,
    readonly generation: Generation,
  ) {
    this.pageSize = data.pageSize ?? 100;
  }

  experiments(): Json[] {
    const ids = new Set([...this.data.runs.map((r) => r.experiment_id), ...this.data.models.map((m) => m.experiment_id)]);
    const named = new Map((this.data.experiments ?? []).map((e) => [e.experiment_id, e.name]));
    return [...ids].sort().map((id) => ({ experiment_id: id, name: named.get(id) ?? `experiment-${id}`, artifact_location: `mlflow-artifacts:/${id}`, lifecycle_stage: 'active' }));
  }

  private runArtifactUri(r: { experiment_id: string; run_id: string }): string {
    return `mlflow-artifacts:/${r.experiment_id}/${r.run_id}/artifacts`;
  }

  model(id: string): ModelSpec | undefined {
    return indexed(this.data.models, 'id', (m) => m.id).get(id)?.[0];
  }

  runSpec(runId: string): RunSpec | undefined {
    return indexed(this.data.runs, 'id', (r) => r.run_id).get(runId)?.[0];
  }

  private modelsOfRun(runId: string): ModelSpec[] {
    return indexed(this.data.models, 'run', (m) => m.run_id).get(runId) ?? [];
  }

  registeredModels(): Json[] {
    const versionsOf = indexed(this.versions(), 'name', (v) => v.name as string);
    return [...this.data.registeredModels]
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((m) => {
        const versions = versionsOf.get(m.name) ?? [];
        const latest = new Map<string, Json>();
        for (const v of versions) if (v.status === 'READY') latest.set(String(v.current_stage), v);
        const body: Json = { name: m.name, creation_timestamp: m.created ?? T0, last_updated_timestamp: Math.max(m.created ?? T0, ...versions.map((v) => v.last_updated_timestamp as number)) };
        if (m.description) body.description = m.description;
        if (latest.size) body.latest_versions = [...latest.values()];
        if (m.tags && Object.keys(m.tags).length) body.tags = kv(m.tags);
        if (m.aliases && Object.keys(m.aliases).length) body.aliases = Object.entries(m.aliases).map(([alias, version]) => ({ alias, version }));
        return body;
      });
  }

  versions(): Json[] {
    return [...this.data.versions]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : Number(a.version) - Number(b.version)))
      .map((v) => this.versionBody(v));
  }

  versionBody(v: VersionSpec): Json {
    const m = v.model ? this.model(v.model) : undefined;
    const runId = v.run_id ?? m?.run_id;
    const body: Json = {
      name: v.name,
      version: v.version,
      creation_timestamp: v.created ?? T0 + Number(v.version) * DAY,
      last_updated_timestamp: v.updated ?? v.created ?? T0 + Number(v.version) * DAY,
      current_stage: v.current_stage ?? 'None',
      description: v.description ?? '',
      user_id: v.user_id ?? '',
      source: v.source ?? (m ? this.modelSource(m) : ''),
      run_id: runId ?? '',
      status: v.status ?? 'READY',
      status_message: '',
      run_link: '',
    };
    if (this.generation === 3 && m && !v.source) body.model_id = m.id;
    const registered = indexed(this.data.registeredModels, 'name', (r) => r.name).get(v.name)?.[0];
    const aliases = Object.entries(registered?.aliases ?? {}).filter(([, to]) => to === v.version).map(([a]) => a);
    if (aliases.length) body.aliases = aliases;
    if (v.tags && Object.keys(v.tags).length) body.tags = kv(v.tags);
    return body;
  }

  private modelSource(m: ModelSpec): string {
    return this.generation === 3 ? `models:/${m.id}` : `${this.runArtifactUri(m)}/${m.name}`;
  }

  runBody(runId: string): Json | undefined {
    const r = this.runSpec(runId);
    if (!r || r.gone) return undefined;
    const tags: Record<string, string> = { 'mlflow.runName': r.run_name ?? r.run_id, ...(r.user ? { 'mlflow.user': r.user } : {}), ...(r.tags ?? {}) };
    const models = this.modelsOfRun(r.run_id);
    if (this.generation === 2 && models.length) {
      // What MLflow 2 clients logged and MLflow 3 dropped: the run's models as a JSON list of MLmodel summaries.
      tags['mlflow.log-model.history'] = JSON.stringify(models.map((m) => ({ run_id: r.run_id, artifact_path: m.name, utc_time_created: '2025-01-01 00:00:00.000000' })));
    }
    const info: Json = {
      run_id: r.run_id,
      run_uuid: r.run_id,
      run_name: r.run_name ?? r.run_id,
      experiment_id: r.experiment_id,
      user_id: r.user ?? 'unknown',
      status: r.status ?? 'FINISHED',
      start_time: r.start_time ?? T0,
      end_time: (r.start_time ?? T0) + 60_000,
      artifact_uri: this.runArtifactUri(r),
      lifecycle_stage: r.lifecycle_stage ?? 'active',
    };
    const data: Json = {};
    const metrics = Object.entries(r.metrics ?? {}).map(([key, value]) => ({ key, value, timestamp: info.end_time, step: 0 }));
    if (metrics.length) data.metrics = metrics;
    if (r.params && Object.keys(r.params).length) data.params = kv(r.params);
    data.tags = kv(tags);
    const inputs: Json = {};
    const datasets = (r.datasets ?? []).map((d) => ({
      dataset: {
        name: d.name,
        digest: d.digest,
        source_type: d.source_type,
        source: JSON.stringify(d.source),
        ...(d.schema ? { schema: JSON.stringify(d.schema) } : {}),
        ...(d.profile ? { profile: JSON.stringify(d.profile) } : {}),
      },
      ...(d.context ? { tags: [{ key: 'mlflow.data.context', value: d.context }] } : {}),
    }));
    if (datasets.length) inputs.dataset_inputs = datasets;
    const run: Json = { info, data, inputs };
    if (this.generation === 3 && models.length) run.outputs = { model_outputs: models.map((m) => ({ model_id: m.id, step: 0 })) };
    return { run };
  }

  loggedModels(experimentIds: readonly string[]): Json[] {
    if (this.generation !== 3) return [];
    return this.data.models.filter((m) => !m.deleted && experimentIds.includes(m.experiment_id)).sort((a, b) => (a.id < b.id ? -1 : 1)).map((m) => this.loggedModelBody(m));
  }

  loggedModelBody(m: ModelSpec): Json {
    const info: Json = {
      model_id: m.id,
      experiment_id: m.experiment_id,
      name: m.name,
      artifact_uri: `mlflow-artifacts:/${m.experiment_id}/models/${m.id}/artifacts`,
      creation_timestamp_ms: m.created ?? T0,
      last_updated_timestamp_ms: m.created ?? T0,
      status: 'LOGGED_MODEL_READY',
      source_run_id: m.run_id,
    };
    if (m.tags && Object.keys(m.tags).length) info.tags = kv(m.tags);
    const registrations = (indexed(this.data.versions, 'model', (v) => v.model ?? '').get(m.id) ?? []).filter((v) => !v.source).map((v) => ({ name: v.name, version: v.version }));
    if (registrations.length) info.registrations = registrations;
    const data: Json = {};
    if (m.params && Object.keys(m.params).length) data.params = kv(m.params);
    if (m.metrics?.length) data.metrics = m.metrics.map((x) => ({ ...x, model_id: m.id, timestamp: T0, step: 0 }));
    return { info, data };
  }

  /**
   * The files of an artifact root: on MLflow 2 a run's tree (its own files and its models' under their names); on
   * MLflow 3 a logged model's files. Undefined when the root does not exist.
   */
  files(root: { run: string } | { model: string }): Map<string, FileContent> | undefined {
    if ('model' in root) {
      const m = this.generation === 3 ? this.model(root.model) : undefined;
      if (!m || m.deleted || m.artifactsGone) return undefined;
      return new Map(Object.entries(m.files));
    }
    const r = this.runSpec(root.run);
    if (!r || r.gone) return undefined;
    const out = new Map(Object.entries(r.files ?? {}));
    if (this.generation === 2) {
      for (const m of this.modelsOfRun(r.run_id).filter((x) => !x.artifactsGone)) {
        for (const [p, c] of Object.entries(m.files)) out.set(`${m.name}/${p}`, c);
      }
    }
    return out;
  }

  fileBytes(rootId: string, path: string, c: FileContent): Uint8Array {
    const id = `${rootId}\u0000${path}`;
    let b = this.bytes.get(id);
    if (!b) this.bytes.set(id, (b = contentBytes(c)));
    return b;
  }
}
