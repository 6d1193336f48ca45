/**
 * What serves the registry's models, and who may change what: a Databricks-compatible serving endpoint
 * (`GET /api/2.0/serving-endpoints/{name}`: `config.served_entities` and `config.traffic_config.routes`) SERVES
 * the versions in its config with their traffic share; an MLflow deployments-server endpoint is a route to an
 * external provider (recorded, serving no registry version); permission lists (Databricks access control lists,
 * MLflow basic-auth user permissions) are CAN_WRITE edges with the role, for the levels that can change the asset.
 * Pure.
 */
import { tryKeyOf } from '../../schema/keys.ts';
import type { EdgeRecord, NodeRecord, Props, RecordBatch } from '../../schema/records.ts';
import { isObject, type Json } from '../pipeline/fields.ts';
import { kvObject, msToIso, setter, text, withCleared } from './props.ts';
import { endpointKey, SOURCE, userKey, versionKey } from './refs.ts';

export interface EndpointMapping {
  key: string;
  batch: RecordBatch;
  warnings: string[];
  /** Versions it serves. */
  serves: string[];
}

/** Every property an endpoint node can get here (see withCleared). */
const ENDPOINT_PROPS = ['endpointId', 'description', 'endpointUrl', 'task', 'createdAt', 'lastModified', 'ready', 'configUpdate', 'endpointTags', 'creator', 'externalModels'];

interface Served {
  /** The served entity's name, which routes refer to. */
  name?: string;
  model?: string;
  version?: string;
  external?: string;
}

function servedOf(list: unknown, legacy: boolean): Served[] {
  if (!Array.isArray(list)) return [];
  const out: Served[] = [];
  for (const e of list) {
    if (!isObject(e)) continue;
    const s: Served = {};
    const name = text(e.name);
    if (name) s.name = name;
    const model = text(legacy ? e.model_name : e.entity_name);
    const version = text(legacy ? e.model_version : e.entity_version) ?? (typeof e.entity_version === 'number' ? String(e.entity_version) : undefined);
    if (model) s.model = model;
    if (version) s.version = version;
    const ext = isObject(e.external_model) ? e.external_model : isObject(e.foundation_model) ? e.foundation_model : undefined;
    if (ext) s.external = [text(ext.provider), text(ext.name)].filter(Boolean).join('/') || 'external';
    out.push(s);
  }
  return out;
}

/** Traffic share by served entity name (routes name `served_entity_name`, or the legacy `served_model_name`). */
function routesOf(config: Json | undefined): Map<string, number> {
  const out = new Map<string, number>();
  const routes = config && isObject(config.traffic_config) ? config.traffic_config.routes : undefined;
  if (!Array.isArray(routes)) return out;
  for (const r of routes) {
    if (!isObject(r) || typeof r.traffic_percentage !== 'number') continue;
    const name = text(r.served_entity_name) ?? text(r.served_model_name);
    if (name) out.set(name, r.traffic_percentage);
  }
  return out;
}

export function mapServingEndpoint(detail: Json, trackingUri: string, permissions: Json | undefined): EndpointMapping | { problem: string } {
  const name = text(detail.name);
  if (!name) return { problem: 'a serving endpoint has no name; skipped' };
  const key = endpointKey(name);
  if (!key) return { problem: `serving endpoint "${name.slice(0, 80)}" cannot be an endpoint key; skipped` };
  const warnings: string[] = [];
  const props: Props = { name, trackingUri, endpointType: 'serving-endpoint' };
  const put = setter(props);
  put('endpointId', text(detail.id));
  put('description', text(detail.description));
  put('endpointUrl', text(detail.endpoint_url));
  put('task', text(detail.task));
  put('createdAt', msToIso(detail.creation_timestamp));
  put('lastModified', msToIso(detail.last_updated_timestamp));
  const state = isObject(detail.state) ? detail.state : undefined;
  put('ready', text(state?.ready));
  put('configUpdate', text(state?.config_update));
  const tags = kvObject(detail.tags);
  if (Object.keys(tags).length) props.endpointTags = tags;
  const nodes: NodeRecord[] = [];
  const edges: EdgeRecord[] = [];
  const creator = text(detail.creator);
  const creatorKey = creator ? userKey(creator) : undefined;
  if (creatorKey) {
    props.creator = creatorKey;
    nodes.push({ kind: 'Identity', key: creatorKey, props: { name: creator!, type: 'user' } });
  }

  const serves = new Set<string>();
  const external: string[] = [];
  const addConfig = (config: unknown, pending: boolean) => {
    if (!isObject(config)) return;
    const routes = routesOf(config);
    const entities = [...servedOf(config.served_entities, false), ...servedOf(config.served_models, true)];
    for (const s of entities) {
      if (s.external) {
        external.push(s.external);
        continue;
      }
      if (!s.model || !s.version) {
        warnings.push(`served entity ${s.name ?? '?'} of endpoint ${name} names no model version; not linked`);
        continue;
      }
      const to = versionKey(s.model, s.version);
      if (!to) {
        warnings.push(`served entity ${s.name ?? '?'} of endpoint ${name} names "${s.model.slice(0, 80)}" version "${s.version.slice(0, 20)}", which cannot be a model key`);
        continue;
      }
      if (pending && serves.has(to)) continue;
      const eprops: Props = {};
      // A route names the entity; an endpoint with one entity and no routes sends it everything.
      const share = s.name !== undefined ? routes.get(s.name) : undefined;
      if (share !== undefined) eprops.trafficPercentage = share;
      else if (!pending && entities.length === 1 && routes.size === 0) eprops.trafficPercentage = 100;
      if (s.name) eprops.servedEntity = s.name;
      if (pending) eprops.pending = true;
      serves.add(to);
      edges.push({ kind: 'SERVES', from: key, to, source: SOURCE, evidence: pending ? 'pending_config.served_entities' : 'config.served_entities', confidence: 'declared', props: eprops });
    }
  };
  addConfig(detail.config, false);
  addConfig(detail.pending_config, true);
  if (external.length) props.externalModels = [...new Set(external)].sort();

  if (permissions) {
    const acl = mapAccessControl(permissions, [key], ENDPOINT_WRITE_LEVELS, `permissions/serving-endpoints/${text(detail.id) ?? name}`);
    nodes.push(...acl.nodes);
    edges.push(...acl.edges);
  }
  nodes.unshift({ kind: 'Endpoint', key, props: withCleared(props, ENDPOINT_PROPS) });
  return { key, batch: { nodes, edges }, warnings, serves: [...serves] };
}

/** A deployments-server endpoint: a route to a provider's model (no registry version behind it). */
export function mapDeploymentEndpoint(e: unknown, trackingUri: string): EndpointMapping | { problem: string } {
  if (!isObject(e) || !text(e.name)) return { problem: 'a deployments endpoint has no name; skipped' };
  const name = e.name as string;
  const key = endpointKey(name);
  if (!key) return { problem: `deployments endpoint "${name.slice(0, 80)}" cannot be an endpoint key; skipped` };
  const props: Props = { name, trackingUri, endpointType: text(e.endpoint_type) ?? 'deployments-endpoint' };
  const url = text(e.endpoint_url);
  if (url) props.endpointUrl = url;
  const model = isObject(e.model) ? e.model : undefined;
  if (model) props.externalModels = [[text(model.provider), text(model.name)].filter(Boolean).join('/') || 'external'];
  return { key, batch: { nodes: [{ kind: 'Endpoint', key, props: withCleared(props, ENDPOINT_PROPS) }], edges: [] }, warnings: [], serves: [] };
}

/** Databricks permission levels that can change a serving endpoint (CAN_QUERY and CAN_VIEW cannot). */
export const ENDPOINT_WRITE_LEVELS = new Set(['CAN_MANAGE']);
/** Databricks permission levels that can change a registered model or add versions to it. */
export const MODEL_WRITE_LEVELS = new Set(['CAN_EDIT', 'CAN_MANAGE_STAGING_VERSIONS', 'CAN_MANAGE_PRODUCTION_VERSIONS', 'CAN_MANAGE']);
/** MLflow basic-auth permissions that can change a registered model. */
export const BASIC_AUTH_WRITE = new Set(['EDIT', 'MANAGE']);

/**
 * A Databricks access control list (`{access_control_list: [{user_name | group_name | service_principal_name,
 * all_permissions: [{permission_level, inherited}]}]}`) → CAN_WRITE from each principal holding a write level to
 * every asset, with the strongest such level as the role.
 */
export function mapAccessControl(body: Json, assets: readonly string[], writeLevels: ReadonlySet<string>, evidence: string): { nodes: NodeRecord[]; edges: EdgeRecord[] } {
  const nodes: NodeRecord[] = [];
  const edges: EdgeRecord[] = [];
  const list = Array.isArray(body.access_control_list) ? body.access_control_list : [];
  for (const entry of list) {
    if (!isObject(entry)) continue;
    const principal = principalOf(entry);
    if (!principal) continue;
    const perms = Array.isArray(entry.all_permissions) ? entry.all_permissions.filter(isObject) : [];
    const writes = perms.filter((p) => typeof p.permission_level === 'string' && writeLevels.has(p.permission_level));
    if (!writes.length) continue;
    const role = [...writeLevels].reverse().find((l) => writes.some((p) => p.permission_level === l))!;
    const inherited = writes.every((p) => p.inherited === true);
    nodes.push(principal.node);
    for (const asset of assets) {
      edges.push({ kind: 'CAN_WRITE', from: principal.node.key, to: asset, source: SOURCE, evidence, confidence: 'declared', props: { role, ...(inherited ? { inherited: true } : {}) } });
    }
  }
  return { nodes, edges };
}

function principalOf(entry: Json): { node: NodeRecord } | undefined {
  const user = text(entry.user_name);
  if (user) {
    const key = userKey(user);
    return key ? { node: { kind: 'Identity', key, props: { name: user, type: 'user', ...(text(entry.display_name) ? { displayName: entry.display_name as string } : {}) } } } : undefined;
  }
  const sp = text(entry.service_principal_name);
  if (sp) {
    const key = userKey(sp);
    return key ? { node: { kind: 'Identity', key, props: { name: sp, type: 'bot' } } } : undefined;
  }
  const group = text(entry.group_name);
  if (group) {
    const key = tryKeyOf('mlflow-org', { name: group });
    return key ? { node: { kind: 'Identity', key, props: { name: group, type: 'team' } } } : undefined;
  }
  return undefined;
}
