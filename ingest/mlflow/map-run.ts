/**
 * The run behind a model (`runs/get` → `{run: {info, data, inputs}}`) → what the model node records of it (params,
 * latest metrics, the user, the source entry point and commit) and its lineage: the repository whose code ran
 * (`mlflow.source.git.repoURL` and commit, or the Databricks Repos tags) BUILDS the model, and each dataset input is
 * a TRAINED_ON or EVALUATED_ON edge. Pure.
 */
import { keyOfUrl, parseKey } from '../../schema/keys.ts';
import type { EdgeRecord, NodeRecord, Props } from '../../schema/records.ts';
import { isObject, type Json } from '../pipeline/fields.ts';
import { datasetEdge, mapDatasetInput, withoutCredentials, type DatasetContext, type DatasetTarget } from './map-dataset.ts';
import { kvObject, setter, tagMap } from './props.ts';
import { SOURCE, userKey } from './refs.ts';

export interface RunContext extends DatasetContext {
  /** GitHub's web origin (GitHub Enterprise Server's, when configured), for repository URLs. */
  githubUrl?: string;
}

export interface RunMapping {
  props: Props;
  edges: EdgeRecord[];
  nodes: NodeRecord[];
  datasets: DatasetTarget[];
  /** Why we believe the run trained the model it produced, if we do (a training dataset, training arguments). */
  trainingEvidence?: string;
  /** The run's user, as an identity key. */
  user?: string;
}

/** Tags too large or too internal to copy onto a node (the logged model history is a JSON list of MLmodel files). */
const SKIPPED_TAGS = new Set(['mlflow.log-model.history', 'mlflow.log-model.meta']);
/** Params a training loop logs (transformers' TrainingArguments, common trainers): the run trained. */
const TRAINING_PARAMS = ['num_train_epochs', 'max_steps', 'per_device_train_batch_size', 'train_batch_size', 'epochs', 'learning_rate'];

const REPO_URL_TAGS = ['mlflow.source.git.repoURL', 'mlflow.gitRepoURL', 'mlflow.databricks.gitRepoUrl'];
const COMMIT_TAGS = ['mlflow.source.git.commit', 'mlflow.databricks.gitRepoCommit'];

/** Latest metric values by key (runs/get already returns the latest of each). */
function metricsObject(list: unknown): Props {
  const out: Props = {};
  if (!Array.isArray(list)) return out;
  for (const m of list) {
    if (isObject(m) && typeof m.key === 'string' && typeof m.value === 'number' && Number.isFinite(m.value)) {
      Object.defineProperty(out, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
    }
  }
  return out;
}

export function mapRun(subject: string, body: Json, ctx: RunContext, warn: (m: string) => void): RunMapping {
  const run = isObject(body.run) ? body.run : body;
  const info = isObject(run.info) ? run.info : {};
  const data = isObject(run.data) ? run.data : {};
  const inputs = isObject(run.inputs) ? run.inputs : {};
  const tags = tagMap(data.tags);
  const params = kvObject(data.params);
  const props: Props = {};
  const set = setter(props);
  const put = (k: string, v: string | undefined) => set(k, v || undefined);
  put('runId', typeof info.run_id === 'string' ? info.run_id : typeof info.run_uuid === 'string' ? info.run_uuid : undefined);
  put('runName', typeof info.run_name === 'string' ? info.run_name : tags.get('mlflow.runName'));
  put('runStatus', typeof info.status === 'string' ? info.status : undefined);
  put('experimentId', typeof info.experiment_id === 'string' ? info.experiment_id : undefined);
  if (info.lifecycle_stage === 'deleted') {
    props.runDeleted = true;
    warn(`run ${String(props.runId ?? '').slice(0, 40)} is deleted (lifecycle_stage "deleted"); its lineage is recorded as it was`);
  }
  put('sourceName', tags.get('mlflow.source.name'));
  put('sourceType', tags.get('mlflow.source.type'));
  const commit = COMMIT_TAGS.map((t) => tags.get(t)).find((v) => v);
  put('sourceCommit', commit);
  if (Object.keys(params).length) props.params = params;
  const metrics = metricsObject(data.metrics);
  if (Object.keys(metrics).length) props.metrics = metrics;
  const runTags = kvObject(data.tags, SKIPPED_TAGS);
  // A git remote URL can carry a token (https://<token>@host/…): never copied as written.
  for (const t of REPO_URL_TAGS) if (typeof runTags[t] === 'string') runTags[t] = withoutCredentials(runTags[t] as string);
  if (Object.keys(runTags).length) props.runTags = runTags;

  const nodes: NodeRecord[] = [];
  const edges: EdgeRecord[] = [];
  const userName = tags.get('mlflow.user') ?? (typeof info.user_id === 'string' && info.user_id !== 'unknown' ? info.user_id : undefined);
  const user = userName ? userKey(userName) : undefined;
  if (user) {
    props.runUser = user;
    nodes.push({ kind: 'Identity', key: user, props: { name: userName!, type: 'user' } });
  }

  const repoTag = REPO_URL_TAGS.find((t) => tags.get(t));
  if (repoTag) {
    const url = withoutCredentials(tags.get(repoTag)!);
    props.sourceRepoUrl = url;
    const repo = keyOfUrl(url, ctx.githubUrl ? { gh: ctx.githubUrl } : {});
    if (repo && parseKey(repo)?.format.id === 'gh-repo') {
      const eprops: Props = {};
      if (commit) eprops.commit = commit;
      if (props.sourceName) eprops.workflow = props.sourceName;
      edges.push({ kind: 'BUILDS', from: repo, to: subject, source: SOURCE, evidence: `run.data.tags.${repoTag}`, confidence: 'declared', ...(Object.keys(eprops).length ? { props: eprops } : {}) });
    }
  }

  const datasets: DatasetTarget[] = [];
  const list = inputs.dataset_inputs;
  if (list !== undefined && !Array.isArray(list)) warn('run.inputs.dataset_inputs should be a list; ignored');
  for (const [i, input] of (Array.isArray(list) ? list : []).entries()) {
    const where = `run.inputs.dataset_inputs[${i}]`;
    const t = mapDatasetInput(input, where, ctx, warn);
    if (!t) continue;
    datasets.push(t);
    if (t.node) nodes.push(t.node);
    edges.push(datasetEdge(subject, t, where));
  }

  const trainingSet = datasets.find((d) => d.use === 'training' && d.confidence === 'declared');
  const trainingParam = TRAINING_PARAMS.find((p) => p in params);
  const trainingEvidence = trainingSet ? `the run logged "${trainingSet.name}" as training data` : trainingParam ? `the run logged the training parameter "${trainingParam}"` : undefined;
  return { props, edges, nodes, datasets, ...(trainingEvidence ? { trainingEvidence } : {}), ...(user ? { user } : {}) };
}
