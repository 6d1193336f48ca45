/**
 * Who can write each registered model, from whichever permissions API the server answers: Databricks' (the
 * registered model's id from `databricks/registered-models/get`, then `permissions/registered-models/{id}`), or
 * MLflow's basic-auth app (`users/get` for every user the registry names, with their registered-model permissions
 * and admin flag). A model's write access is one batch, committed only when it was read whole; when no API
 * answers, write access is unknown and nothing is assumed (a creator is not a writer).
 */
import type { EdgeRecord, NodeRecord, RecordBatch } from '../../schema/records.ts';
import { isObject } from '../pipeline/fields.ts';
import { describe } from './artifacts.ts';
import { MlflowApiError, type MlflowClient } from './client.ts';
import { BASIC_AUTH_WRITE, mapAccessControl, MODEL_WRITE_LEVELS } from './map-endpoint.ts';
import { SOURCE, userKey } from './refs.ts';

export type AccessApi = 'databricks' | 'basic-auth' | 'none';

export interface AccessRead {
  api: AccessApi;
  /** Registered model name → its write access (absent: not read, so not committed). */
  batches: Map<string, RecordBatch>;
  warnings: string[];
}

/** The scope a registered model's write access is committed under. */
export const accessScope = (model: string) => `mlflow:access/${model}`;

export async function readAccess(
  client: MlflowClient,
  versionsByModel: ReadonlyMap<string, readonly string[]>,
  users: readonly string[],
  isFatal: (err: unknown) => boolean,
): Promise<AccessRead> {
  const out: AccessRead = { api: 'none', batches: new Map(), warnings: [] };
  const models = [...versionsByModel.keys()].sort();
  if (models.length && (await databricks(client, models, versionsByModel, out, isFatal))) return out;
  if (users.length) await basicAuth(client, users, versionsByModel, out, isFatal);
  return out;
}

async function databricks(client: MlflowClient, models: string[], versions: ReadonlyMap<string, readonly string[]>, out: AccessRead, isFatal: (err: unknown) => boolean): Promise<boolean> {
  for (const [i, name] of models.entries()) {
    try {
      const body = await client.databricksRegisteredModel(name);
      const rm = isObject(body.registered_model_databricks) ? body.registered_model_databricks : undefined;
      const id = typeof rm?.id === 'string' ? rm.id : undefined;
      if (!id) {
        out.warnings.push(`registered model ${name}: the server gave no id for its permissions; write access not recorded`);
        continue;
      }
      out.api = 'databricks';
      const acl = mapAccessControl(await client.registeredModelPermissions(id), versions.get(name) ?? [], MODEL_WRITE_LEVELS, `permissions/registered-models/${id}`);
      out.batches.set(name, { nodes: acl.nodes, edges: acl.edges });
    } catch (err) {
      if (isFatal(err)) throw err;
      // The first model tells whether the server has this API at all.
      if (i === 0 && err instanceof MlflowApiError && err.noSuchRoute) return false;
      out.api = 'databricks';
      out.warnings.push(`registered model ${name}: permissions could not be read (${describe(err)}); its write access is not recorded`);
    }
  }
  return out.api === 'databricks';
}

async function basicAuth(client: MlflowClient, users: readonly string[], versions: ReadonlyMap<string, readonly string[]>, out: AccessRead, isFatal: (err: unknown) => boolean): Promise<void> {
  const read: { name: string; admin: boolean; writes: Map<string, string> }[] = [];
  const failed: string[] = [];
  for (const [i, username] of [...users].sort().entries()) {
    try {
      const body = await client.user(username);
      const u = isObject(body.user) ? body.user : {};
      const writes = new Map<string, string>();
      for (const p of Array.isArray(u.registered_model_permissions) ? u.registered_model_permissions : []) {
        if (isObject(p) && typeof p.name === 'string' && typeof p.permission === 'string' && BASIC_AUTH_WRITE.has(p.permission)) writes.set(p.name, p.permission);
      }
      read.push({ name: username, admin: u.is_admin === true, writes });
      out.api = 'basic-auth';
    } catch (err) {
      if (isFatal(err)) throw err;
      if (i === 0 && err instanceof MlflowApiError && err.noSuchRoute) return;
      out.api = 'basic-auth';
      failed.push(`${username} (${describe(err)})`);
    }
  }
  if (failed.length) {
    // A partial read would remove the write access of the users it missed; better to leave what was recorded.
    out.warnings.push(`basic-auth permissions of ${failed.length} user(s) could not be read (reading another user's permissions needs an admin): ${failed.slice(0, 5).join(', ')}; write access left as last recorded`);
    return;
  }
  for (const [model, keys] of versions) {
    const nodes: NodeRecord[] = [];
    const edges: EdgeRecord[] = [];
    for (const u of read) {
      const role = u.admin ? 'admin' : u.writes.get(model);
      const key = userKey(u.name);
      if (!role || !key) continue;
      nodes.push({ kind: 'Identity', key, props: { name: u.name, type: 'user', ...(u.admin ? { isAdmin: true } : {}) } });
      for (const to of keys) edges.push({ kind: 'CAN_WRITE', from: key, to, source: SOURCE, evidence: u.admin ? 'users/get is_admin' : 'users/get registered_model_permissions', confidence: 'declared', props: { role } });
    }
    out.batches.set(model, { nodes, edges });
  }
}
