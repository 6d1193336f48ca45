/**
 * Every Hub call the crawler makes, through `@huggingface/hub` wherever it has the call, with our pipeline fetch
 * (rate limits, retries, token) as its custom `fetch`. Bodies come back in the Hub's API shape so that the pure
 * mapping functions are tested on exactly what the Hub sends. Owner type (user or org) is the one call the client
 * lacks; it goes through the same fetch.
 */
import { datasetInfo, downloadFile, listDatasets, listFiles, listModels, listSpaces, modelInfo, spaceInfo, HubApiError } from '@huggingface/hub';
import { isObject, type Json } from './fields.ts';
import type { OwnerType, RepoRef, RepoType } from './refs.ts';

export const MODEL_FIELDS = ['author', 'cardData', 'config', 'createdAt', 'disabled', 'library_name', 'model-index', 'sha', 'spaces', 'tags'] as const;
export const DATASET_FIELDS = ['author', 'cardData', 'createdAt', 'disabled', 'description', 'sha', 'tags'] as const;
export const SPACE_FIELDS = ['author', 'cardData', 'createdAt', 'datasets', 'disabled', 'models', 'runtime', 'sha', 'subdomain', 'tags'] as const;

export type RangeReader = (start: number, endInclusive: number) => Promise<Uint8Array>;

export type InfoResult = { status: 'ok'; body: Json } | { status: 'missing'; httpStatus: number };

export interface ListedRepo {
  id: string;
  sha?: string;
  tags?: string[];
}

/** The repo is gone (404), or the Hub says "Repository Not Found" with a 401 as it does for anonymous callers. */
export function isNotFound(err: unknown): err is HubApiError {
  return err instanceof HubApiError && (err.statusCode === 404 || (err.statusCode === 401 && /not found/i.test(err.message)));
}

/** The client renames some fields (`_id`→id, id→name, pipeline_tag→task, lastModified→updatedAt); undo that. */
export function toApiShape(entry: Record<string, unknown>): Json {
  const { id, name, task, updatedAt, ...rest } = entry;
  const out: Json = { ...rest, _id: id, id: name };
  if (task !== undefined) out.pipeline_tag = task;
  if (updatedAt instanceof Date && !Number.isNaN(updatedAt.getTime())) out.lastModified = updatedAt.toISOString();
  return out;
}

export class HubClient {
  constructor(
    readonly hubUrl: string,
    private readonly fetchImpl: typeof fetch,
  ) {}

  async info(ref: RepoRef): Promise<InfoResult> {
    const common = { name: ref.id, hubUrl: this.hubUrl, fetch: this.fetchImpl };
    try {
      let entry: Record<string, unknown>;
      if (ref.type === 'model') entry = (await modelInfo({ ...common, additionalFields: [...MODEL_FIELDS] })) as unknown as Record<string, unknown>;
      else if (ref.type === 'dataset') entry = (await datasetInfo({ ...common, additionalFields: [...DATASET_FIELDS] })) as unknown as Record<string, unknown>;
      else entry = (await spaceInfo({ ...common, additionalFields: [...SPACE_FIELDS] })) as unknown as Record<string, unknown>;
      return { status: 'ok', body: toApiShape(entry) };
    } catch (err) {
      if (isNotFound(err)) return { status: 'missing', httpStatus: (err as HubApiError).statusCode };
      throw err;
    }
  }

  /** Every file of the repo at one commit (recursive tree; follows `Link: rel="next"` pages). */
  async tree(ref: RepoRef, revision: string, maxFiles: number): Promise<{ entries: unknown[]; truncated: boolean }> {
    const entries: unknown[] = [];
    for await (const e of listFiles({ repo: { type: ref.type, name: ref.id }, revision, recursive: true, hubUrl: this.hubUrl, fetch: this.fetchImpl })) {
      if (entries.length >= maxFiles) return { entries, truncated: true };
      entries.push(e);
    }
    return { entries, truncated: false };
  }

  /** Models carrying a tag (`base_model:<id>`, `dataset:<id>`), with sha and tags so unchanged ones need no more calls. */
  async modelsTagged(tag: string, limit: number): Promise<ListedRepo[]> {
    const out: ListedRepo[] = [];
    for await (const m of listModels({ search: { tags: [tag] }, additionalFields: ['sha', 'tags'], hubUrl: this.hubUrl, fetch: this.fetchImpl, limit })) {
      out.push(listed(m as unknown as Record<string, unknown>));
    }
    return out;
  }

  async reposOf(type: RepoType, owner: string, limit: number): Promise<ListedRepo[]> {
    const common = { search: { owner }, hubUrl: this.hubUrl, fetch: this.fetchImpl };
    const out: ListedRepo[] = [];
    if (type === 'model') for await (const m of listModels({ ...common, additionalFields: ['sha'], limit })) out.push(listed(m as unknown as Record<string, unknown>));
    else if (type === 'dataset') for await (const d of listDatasets({ ...common, additionalFields: ['sha'], limit })) out.push(listed(d as unknown as Record<string, unknown>));
    else for await (const s of listSpaces({ ...common, additionalFields: ['sha'] })) {
      out.push(listed(s as unknown as Record<string, unknown>));
      if (out.length >= limit) break;
    }
    return out;
  }

  /**
   * User or organisation, from the Hub's overview endpoints (not wrapped by the client): an org's overview
   * answers 200 and a user's 404 there. Undefined when neither answers (we do not guess).
   */
  async ownerType(name: string): Promise<OwnerType | undefined> {
    const base = this.hubUrl.replace(/\/$/, '');
    const org = await this.fetchImpl(`${base}/api/organizations/${encodeURIComponent(name)}/overview`, { headers: { accept: 'application/json' } });
    await org.body?.cancel().catch(() => undefined);
    if (org.ok) return 'org';
    const user = await this.fetchImpl(`${base}/api/users/${encodeURIComponent(name)}/overview`, { headers: { accept: 'application/json' } });
    await user.body?.cancel().catch(() => undefined);
    if (user.ok) return 'user';
    return undefined;
  }

  /** The whole of a small text file (README.md), or undefined if it is gone. */
  async text(ref: RepoRef, revision: string, path: string): Promise<string | undefined> {
    const blob = await downloadFile({ repo: { type: ref.type, name: ref.id }, path, revision, hubUrl: this.hubUrl, fetch: this.fetchImpl, xet: false });
    return blob ? blob.text() : undefined;
  }

  /** Range reads of one file: `downloadFile` probes it once, then each read is one `Range:` request. */
  async rangeReader(ref: RepoRef, revision: string, path: string): Promise<RangeReader | undefined> {
    const blob = await downloadFile({ repo: { type: ref.type, name: ref.id }, path, revision, hubUrl: this.hubUrl, fetch: this.fetchImpl, xet: false });
    if (!blob) return undefined;
    return async (start, endInclusive) => {
      const want = endInclusive - start + 1;
      const bytes = new Uint8Array(await blob.slice(start, endInclusive + 1).arrayBuffer());
      // A server that ignores Range sends the whole file; keep only what was asked for.
      return bytes.length > want ? bytes.subarray(0, want) : bytes;
    };
  }
}

function listed(e: Record<string, unknown>): ListedRepo {
  const out: ListedRepo = { id: String(e.name) };
  if (typeof e.sha === 'string') out.sha = e.sha;
  if (Array.isArray(e.tags)) out.tags = e.tags.filter((t): t is string => typeof t === 'string');
  return out;
}

export { HubApiError, isObject };
