/**
 * The keys of what an MLflow server holds, built from the key-format table (`schema/model.ts`), and the model URIs
 * MLflow writes (`models:/<name>/<version>`, `models:/<name>@<alias>`, `models:/<name>/<stage>`, MLflow 3's
 * `models:/m-<id>`, `runs:/<run_id>/<path>`). Upstream names go through `tryKeyOf`: a name that cannot be a key is
 * undefined here and a warning for the caller, never an exception.
 */
import { tryKeyOf, urlOfKey } from '../../schema/keys.ts';

export const SOURCE = 'mlflow';

export const versionKey = (name: string, version: string) => tryKeyOf('mlflow-model', { name, version });
export const loggedModelKey = (id: string) => tryKeyOf('mlflow-logged-model', { id });
export const endpointKey = (name: string) => tryKeyOf('mlflow-endpoint', { name });
export const userKey = (name: string) => tryKeyOf('mlflow-user', { name });
export const datasetKey = (name: string, digest: string) => tryKeyOf('mlflow-dataset', { name, digest });

/** Where a model's artifacts are in the graph: a registered version's files, or an unregistered logged model's. */
export type Holder = { kind: 'version'; name: string; version: string } | { kind: 'logged-model'; id: string };

export function holderKey(h: Holder): string | undefined {
  return h.kind === 'version' ? versionKey(h.name, h.version) : loggedModelKey(h.id);
}

export function fileKey(h: Holder, path: string): string | undefined {
  return h.kind === 'version'
    ? tryKeyOf('mlflow-file', { name: h.name, version: h.version, path })
    : tryKeyOf('mlflow-logged-model-file', { id: h.id, path });
}

/** The page of a key on this tracking server, when its format has one. */
export function pageOf(key: string, trackingUri: string): string | undefined {
  return urlOfKey(key, { mlflow: trackingUri });
}

export type ModelUri =
  | { kind: 'version'; name: string; version: string }
  | { kind: 'alias'; name: string; alias: string }
  | { kind: 'stage'; name: string; stage: string }
  | { kind: 'logged-model'; id: string }
  | { kind: 'run'; runId: string; path: string };

/**
 * A model URI as MLflow's `get_model_uri` parts read it: `models:/` then either `<name>@<alias>`, `<name>/<version
 * or stage or "latest">` (the name may itself contain `/` only in no registry MLflow supports, so the last segment
 * is the suffix), or a logged model id `m-…`. A `models://<profile>/…` registry prefix is dropped.
 */
export function parseModelUri(uri: string): ModelUri | undefined {
  const run = /^runs:\/(?:\/[^/]*)?\/?([^/]+)(?:\/(.*))?$/.exec(uri);
  if (run) return { kind: 'run', runId: run[1]!, path: (run[2] ?? '').replace(/\/+$/, '') };
  const m = /^models:\/(?:\/[^/]*\/)?\/?(.+)$/.exec(uri);
  if (!m) return undefined;
  const rest = m[1]!.replace(/\/+$/, '');
  const at = rest.lastIndexOf('@');
  if (at > 0 && !rest.slice(at).includes('/')) return { kind: 'alias', name: rest.slice(0, at), alias: rest.slice(at + 1) };
  const slash = rest.lastIndexOf('/');
  if (slash < 0) return /^m-[0-9a-f]+$/i.test(rest) ? { kind: 'logged-model', id: rest } : undefined;
  const name = rest.slice(0, slash);
  const suffix = rest.slice(slash + 1);
  if (!name || !suffix) return undefined;
  return /^\d+$/.test(suffix) ? { kind: 'version', name, version: suffix } : { kind: 'stage', name, stage: suffix };
}
