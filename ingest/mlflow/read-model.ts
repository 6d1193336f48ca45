/**
 * Reading everything behind one model: its run, its MLflow 3 logged model, the runs that evaluated it, and its
 * artifacts — from the logged model's artifacts on MLflow 3, from the run's artifact tree (at the path the
 * version's source names) on MLflow 2. What the server says does not exist (a deleted run, an artifact tree that
 * is gone, a deleted logged model) is a warning on that model; a fault the pipeline could not retry away fails the
 * model (it is not written, so the next run reads it again). Runs are cached: several versions share one run.
 */
import { isObject, type Json } from '../pipeline/fields.ts';
import { readArtifacts, describe, type ArtifactOptions, type ArtifactsRead } from './artifacts.ts';
import { MlflowApiError, type ArtifactRoot, type MlflowClient } from './client.ts';
import type { EvaluationRun } from './map-model.ts';
import { parseModelUri } from './refs.ts';

export type Fetched<T> = { ok: true; value: T } | { ok: false; problem: string };

export interface ModelRead {
  run?: Json;
  loggedModel?: Json;
  evaluations: EvaluationRun[];
  artifacts?: ArtifactsRead;
  warnings: string[];
  /** Something behind the model was read (its run or its artifacts). */
  resolved: boolean;
}

export interface ReadRequest {
  runId?: string;
  /** The version's source URI (`runs:/…`, `models:/m-…`, an artifact location), for where its artifacts are. */
  source?: string;
  /** MLflow 3: the logged model behind it. */
  loggedModelId?: string;
  /** An unregistered logged model, already listed with its info. */
  listedLoggedModel?: Json;
}

/** What says "this does not exist / you may not see it": a warning on the model, not a failure. */
function isAbsence(err: unknown): err is MlflowApiError {
  return err instanceof MlflowApiError && (err.notFound || err.forbidden || err.status === 404);
}

export class ModelReader {
  private readonly runs = new Map<string, Promise<Fetched<Json>>>();

  constructor(
    private readonly client: MlflowClient,
    private readonly artifactOptions: ArtifactOptions,
  ) {}

  /** A run, once per ingest; absence is a value, other faults reject (and are not cached). */
  run(runId: string): Promise<Fetched<Json>> {
    let p = this.runs.get(runId);
    if (!p) {
      p = this.client.run(runId).then(
        (value) => ({ ok: true, value }) as const,
        (err) => {
          if (isAbsence(err)) return { ok: false, problem: describe(err) } as const;
          this.runs.delete(runId);
          throw err;
        },
      );
      this.runs.set(runId, p);
    }
    return p;
  }

  async read(req: ReadRequest): Promise<ModelRead> {
    const out: ModelRead = { evaluations: [], warnings: [], resolved: false };
    const uri = req.source ? parseModelUri(req.source) : undefined;
    const lmId = req.loggedModelId ?? (uri?.kind === 'logged-model' ? uri.id : undefined);

    let lm = req.listedLoggedModel;
    if (!lm && lmId) {
      try {
        const body = await this.client.loggedModel(lmId);
        lm = isObject(body.model) ? body.model : body;
      } catch (err) {
        if (!isAbsence(err)) throw err;
        out.warnings.push(`its logged model ${lmId} could not be read (${describe(err)}): deleted? Its artifacts are not read`);
      }
    }
    if (lm) out.loggedModel = lm;
    const lmInfo = lm && isObject(lm.info) ? lm.info : undefined;

    const runId = req.runId ?? (typeof lmInfo?.source_run_id === 'string' && lmInfo.source_run_id ? lmInfo.source_run_id : undefined) ?? (uri?.kind === 'run' ? uri.runId : undefined);
    if (runId) {
      const run = await this.run(runId);
      if (run.ok) {
        out.run = run.value;
        out.resolved = true;
      } else out.warnings.push(`run ${runId} could not be read (${run.problem}); its params, source and datasets are not recorded`);
    }

    if (lm) await this.readEvaluations(lm, runId, out);

    const root = this.artifactRoot(lm, lmId, uri, req.source, out);
    if (root) {
      try {
        out.artifacts = await readArtifacts(this.client, root, this.artifactOptions);
        out.resolved = true;
      } catch (err) {
        if (!isAbsence(err)) throw err;
        out.warnings.push(`its artifacts could not be listed (${describe(err)}); files, MLmodel and requirements are not recorded`);
      }
    }
    return out;
  }

  /** Where the model's files are: the logged model's own artifacts, else the run's tree at the source's path. */
  private artifactRoot(lm: Json | undefined, lmId: string | undefined, uri: ReturnType<typeof parseModelUri>, source: string | undefined, out: ModelRead): ArtifactRoot | undefined {
    const info = lm && isObject(lm.info) ? lm.info : undefined;
    if (info && typeof info.model_id === 'string') return { kind: 'logged-model', modelId: info.model_id };
    if (lmId) return undefined; // the logged model is gone, and with it where its files were
    if (uri?.kind === 'run') return { kind: 'run', runId: uri.runId, path: uri.path };
    if (uri) return undefined; // models:/… — another version's files, reached through DERIVED_FROM
    const run = out.run && isObject(out.run.run) ? out.run.run : out.run;
    const info2 = run && isObject(run.info) ? run.info : undefined;
    const runId = typeof info2?.run_id === 'string' ? info2.run_id : undefined;
    const root = typeof info2?.artifact_uri === 'string' ? info2.artifact_uri.replace(/\/+$/, '') : undefined;
    if (runId && root && source && (source === root || source.startsWith(`${root}/`))) {
      return { kind: 'run', runId, path: source.slice(root.length).replace(/^\/+/, '') };
    }
    if (source && runId) out.warnings.push(`its source ${source.slice(0, 160)} is outside its run's artifact root; its files are not read`);
    return undefined;
  }

  /** Runs whose metrics are linked to the logged model (other than its own run), with the datasets those metrics name. */
  private async readEvaluations(lm: Json, sourceRunId: string | undefined, out: ModelRead): Promise<void> {
    const data = isObject(lm.data) ? lm.data : {};
    const metrics = Array.isArray(data.metrics) ? data.metrics.filter(isObject) : [];
    const byRun = new Map<string, { name: string; digest?: string }[]>();
    for (const m of metrics) {
      if (typeof m.run_id !== 'string' || !m.run_id || typeof m.dataset_name !== 'string' || !m.dataset_name) continue;
      const list = byRun.get(m.run_id) ?? [];
      list.push({ name: m.dataset_name, ...(typeof m.dataset_digest === 'string' && m.dataset_digest ? { digest: m.dataset_digest } : {}) });
      byRun.set(m.run_id, list);
    }
    for (const [runId, datasets] of [...byRun].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (runId === sourceRunId && out.run) {
        out.evaluations.push({ runId, run: out.run, datasets });
        continue;
      }
      const run = await this.run(runId);
      if (run.ok) out.evaluations.push({ runId, run: run.value, datasets });
      else out.warnings.push(`evaluation run ${runId} could not be read (${run.problem}); its datasets are not recorded`);
    }
  }
}
