/**
 * The BOM's view of a node's identity: owner and name, purl, the pages a reader can follow. What a key means comes
 * from `schema/keys.ts`; this module only chooses which of those facts go where in a BOM. Keys may be hostile, so
 * every piece that goes into a URL or purl is encoded there.
 */
import { SOURCE_SPECS, type SourceId } from '../../schema/model.ts';
import { labelOfKey, ownerOfKey, parseKey, parsePurl, purlOfKey, purlVersion, tryKeyOf, urlOfKey } from '../../schema/keys.ts';
import type { GraphNode } from '../../schema/records.ts';

export { purlVersion };

/** Where Hub links point when the graph did not record where a repo was read (records imported without `url`). */
export const PUBLIC_HUB = SOURCE_SPECS.hf.defaultWebUrl!;

export interface RepoName {
  /** Owner (user or org) the key names; absent for legacy ownerless ids and MLflow models. */
  owner?: string;
  name: string;
  /** MLflow model version, taken from the key. */
  registryVersion?: string;
  /** Which Hub area the repo lives in (for card and owner links), `mlflow` for registry versions, else `other`. */
  area: 'model' | 'dataset' | 'space' | 'mlflow' | 'other';
}

const HUB_AREAS = { Model: 'model', Dataset: 'dataset', Endpoint: 'space' } as const;

/** Owner and name from a key; the label's last segment where the format has no `name` part. */
export function repoNameOf(key: string): RepoName {
  const parsed = parseKey(key);
  const owner = ownerOfKey(key);
  const name = parsed?.parts.name ?? labelOfKey(key).split('/').pop() ?? key;
  const hubArea = parsed?.format.source === 'hf' ? HUB_AREAS[parsed.format.kind as keyof typeof HUB_AREAS] : undefined;
  if (hubArea) return { ...(owner !== undefined ? { owner } : {}), name, area: hubArea };
  if (parsed?.format.id === 'mlflow-model') return { name, registryVersion: parsed.parts.version!, area: 'mlflow' };
  return { ...(owner !== undefined ? { owner } : {}), name: name || key, area: 'other' };
}

/**
 * The purl of a model or dataset at the commit read, as the purl-spec cases write it (`pkg:huggingface/<owner>/<name>@<sha>`,
 * `?type=dataset`; `pkg:mlflow/<name>@<version>`).
 */
export function purlOf(key: string, sha: string | undefined): string | undefined {
  const area = repoNameOf(key).area;
  // Spaces have a purl too, but a BOM names a Space as a service, which carries none.
  return area === 'model' || area === 'dataset' || area === 'mlflow' ? purlOfKey(key, sha) : undefined;
}

/**
 * Where a person can look at a node: the page the ingestor recorded (it knows which Hub or server it read — the
 * public one, a mirror, an enterprise host), else the page its key names on the source's public site, else undefined.
 */
export function repoPageUrl(node: GraphNode): string | undefined {
  return safeUrl(node.props.url) ?? urlOfKey(node.key);
}

/** The model card (README) at the revision read, so the reference does not drift. Only Hub repos have one. */
export function repoCardUrl(node: GraphNode, sha: string | undefined): string | undefined {
  const area = repoNameOf(node.key).area;
  if (area !== 'model' && area !== 'dataset' && area !== 'space') return undefined;
  const page = repoPageUrl(node);
  if (page === undefined) return undefined;
  return `${page}/blob/${encodeURIComponent(sha ?? 'main')}/README.md`;
}

/** The repo's files at the revision read: where the model is downloaded from, pinned. Hub repos only, and only with a sha. */
export function repoTreeUrl(node: GraphNode, sha: string | undefined): string | undefined {
  const area = repoNameOf(node.key).area;
  if ((area !== 'model' && area !== 'dataset') || sha === undefined) return undefined;
  const page = repoPageUrl(node);
  return page === undefined ? undefined : `${page}/tree/${encodeURIComponent(sha)}`;
}

/** A URL a reader can follow for the owner of a repo: on the same site as the repo's page. */
export function ownerUrl(node: GraphNode, owner: string): string | undefined {
  const source = parseKey(node.key)?.format.source;
  const ownerKey = source && tryKeyOf(`${source}-user`, { name: owner });
  if (!source || !ownerKey) return undefined;
  const page = repoPageUrl(node);
  return urlOfKey(ownerKey, page ? { [source as SourceId]: new URL(page).origin } : {});
}

/** A URL from the graph, when it is an absolute http(s) URL (anything else is not put into a BOM as a link). */
export function safeUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 4096) return undefined;
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    // Credentials in a URL never go into an export.
    url.username = '';
    url.password = '';
    return url.href;
  } catch {
    return undefined;
  }
}

/** Parts of a package purl (the Package key): name, namespace and version, decoded. */
export function packageParts(purl: string): { group?: string; name: string; version?: string } {
  const parsed = parsePurl(purl);
  if (!parsed) return { name: purl };
  const group = parsed.namespace.join('/');
  return { name: parsed.name, ...(group ? { group } : {}), ...(parsed.version !== undefined ? { version: parsed.version } : {}) };
}

export const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** A node's string property, or undefined. */
export const propStr = (node: GraphNode | undefined, name: string): string | undefined => str(node?.props[name]);
