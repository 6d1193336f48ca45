/**
 * What a graph key says about the thing it names: owner and name on the Hugging Face Hub, its purl, where a person
 * can look at it. Pure string work; keys may be hostile, so every piece that goes into a URL or purl is encoded.
 */
import type { GraphNode } from '../../schema/records.ts';

/** Where Hub links point when the graph did not record where a repo was read (records imported without `url`). */
export const PUBLIC_HUB = 'https://huggingface.co';

export interface RepoName {
  /** Hub owner (user or org); absent for legacy ownerless ids and MLflow models. */
  owner?: string;
  name: string;
  /** MLflow model version, taken from the key. */
  registryVersion?: string;
  /** Which Hub area the repo lives in, for URLs and the purl `type` qualifier. */
  area: 'model' | 'dataset' | 'space' | 'mlflow' | 'other';
}

const HF_REPO = /^hf:(model|dataset|space)\/([^/]+)(?:\/([^/]+))?$/u;
const MLFLOW_MODEL = /^mlflow:model\/(.+)\/([^/]+)$/u;

/** Owner and name from a Model, Dataset or Endpoint key; the key's last segment otherwise. */
export function repoNameOf(key: string): RepoName {
  const hf = HF_REPO.exec(key);
  if (hf) {
    const area = hf[1] as 'model' | 'dataset' | 'space';
    return hf[3] === undefined ? { name: hf[2]!, area } : { owner: hf[2]!, name: hf[3], area };
  }
  const ml = MLFLOW_MODEL.exec(key);
  if (ml) return { name: ml[1]!, registryVersion: ml[2]!, area: 'mlflow' };
  const slash = key.lastIndexOf('/');
  return { name: slash >= 0 ? key.slice(slash + 1) || key : key, area: 'other' };
}

/**
 * A commit sha as the purl-spec writes a version: 40 (or 64) hex digits are lower-cased; anything else (a tag such as
 * "100B") keeps its case.
 */
export function purlVersion(sha: string): string {
  return /^[0-9a-f]{40}$|^[0-9a-f]{64}$/iu.test(sha) ? sha.toLowerCase() : sha;
}

/** purl percent-encoding: everything but the unreserved characters is encoded (so '/' and '@' never split a segment). */
export function purlSegment(text: string): string {
  return Array.from(new TextEncoder().encode(text), (b) => {
    const c = String.fromCharCode(b);
    return /[A-Za-z0-9._~-]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }).join('');
}

/**
 * `pkg:huggingface/<owner>/<name>@<sha>` exactly as the purl-spec cases write it: namespace and name keep their case,
 * a hex commit sha is lower-cased, datasets carry `?type=dataset`. MLflow models: `pkg:mlflow/<name>@<version>`.
 */
export function purlOf(key: string, sha: string | undefined): string | undefined {
  const repo = repoNameOf(key);
  const at = (v: string | undefined) => (v ? `@${purlSegment(purlVersion(v))}` : '');
  if (repo.area === 'mlflow') return `pkg:mlflow/${purlSegment(repo.name)}${at(repo.registryVersion)}`;
  if (repo.area !== 'model' && repo.area !== 'dataset') return undefined;
  const path = repo.owner === undefined ? purlSegment(repo.name) : `${purlSegment(repo.owner)}/${purlSegment(repo.name)}`;
  return `pkg:huggingface/${path}${at(sha)}${repo.area === 'dataset' ? '?type=dataset' : ''}`;
}

function hubPath(repo: RepoName): string | undefined {
  const path = [repo.owner, repo.name].filter((s): s is string => s !== undefined).map(encodeURIComponent).join('/');
  if (repo.area === 'model') return path;
  if (repo.area === 'dataset') return `datasets/${path}`;
  if (repo.area === 'space') return `spaces/${path}`;
  return undefined;
}

/**
 * Where a person can look at a model, dataset or space: the page the ingestor recorded (it knows which Hub it read —
 * the public one, a mirror, an enterprise Hub), else the repo's page on the public Hub, else undefined.
 */
export function repoPageUrl(node: GraphNode): string | undefined {
  const recorded = safeUrl(node.props.url);
  if (recorded) return recorded;
  const path = hubPath(repoNameOf(node.key));
  return path === undefined ? undefined : `${PUBLIC_HUB}/${path}`;
}

/** The model card (README) at the revision read, so the reference does not drift. */
export function repoCardUrl(node: GraphNode, sha: string | undefined): string | undefined {
  if (hubPath(repoNameOf(node.key)) === undefined) return undefined; // only Hub repos have a README card
  const page = repoPageUrl(node);
  if (page === undefined) return undefined;
  return `${page}/blob/${encodeURIComponent(sha ?? 'main')}/README.md`;
}

/** A URL a reader can follow for the owner of a repo: on the same Hub as the repo's page. */
export function ownerUrl(node: GraphNode, owner: string): string {
  const page = repoPageUrl(node);
  const origin = page ? new URL(page).origin : PUBLIC_HUB;
  return `${origin}/${encodeURIComponent(owner)}`;
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
  const body = purl.replace(/^pkg:[^/]+\//u, '').replace(/[?#].*$/u, '');
  const at = body.lastIndexOf('@');
  const path = at > 0 ? body.slice(0, at) : body;
  const version = at > 0 ? decode(body.slice(at + 1)) : undefined;
  const segments = path.split('/').filter(Boolean).map(decode);
  const name = segments.pop() ?? purl;
  return { name, ...(segments.length ? { group: segments.join('/') } : {}), ...(version ? { version } : {}) };
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** A node's string property, or undefined. */
export const propStr = (node: GraphNode | undefined, name: string): string | undefined => str(node?.props[name]);
