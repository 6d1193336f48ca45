/**
 * Every Hub call the crawler makes, through `@huggingface/hub` wherever it has the call, with our pipeline fetch
 * (rate limits, retries, token) as its custom `fetch`. Bodies come back in the Hub's API shape so that the pure
 * mapping functions are tested on exactly what the Hub sends. Owner type (user or org) is the one call the client
 * lacks; it goes through the same fetch.
 */
import { datasetInfo, downloadFile, listDatasets, listFiles, listModels, listSpaces, modelInfo, spaceInfo, HubApiError, InvalidApiResponseFormatError } from '@huggingface/hub';
import { boundedDownloads, boundedPages, limitBody } from '../pipeline/bounds.ts';
import { OriginRefusedError } from '../pipeline/http.ts';
import type { Json } from '../pipeline/fields.ts';
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

/** No API body the crawler reads (repo info, one page of a listing, an overview) is near this; a larger one is hostile. */
export const MAX_API_BODY_BYTES = 32 * 1024 * 1024;
/** Pages of one listing; a real listing within --max-repos or the file cap needs far fewer. */
export const MAX_LIST_PAGES = 1000;

/** A repo file path as a URL path: each segment encoded, so `?`, `#` or `%` in a name cannot change the request. */
export function encodeRepoPath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

export class HubClient {
  /** Every API call: bodies are bounded. */
  private readonly fetchImpl: typeof fetch;

  constructor(
    readonly hubUrl: string,
    private readonly rawFetch: typeof fetch,
  ) {
    this.fetchImpl = (async (input: string | URL | Request, init?: RequestInit) =>
      limitBody(await rawFetch(input, init), MAX_API_BODY_BYTES)) as typeof fetch;
  }

  /** A fetch for one paged listing (it always ends). */
  private paged(): typeof fetch {
    return boundedPages(this.fetchImpl, MAX_LIST_PAGES);
  }

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

  /**
   * Every file of the repo at one commit (recursive tree; follows `Link: rel="next"` pages within the endpoint's
   * origin). `cut` says why the listing is incomplete: past `maxFiles`, or a next page outside the endpoint.
   */
  async tree(ref: RepoRef, revision: string, maxFiles: number): Promise<{ entries: unknown[]; cut?: string }> {
    const entries: unknown[] = [];
    try {
      for await (const e of listFiles({ repo: { type: ref.type, name: ref.id }, revision, recursive: true, hubUrl: this.hubUrl, fetch: this.paged() })) {
        if (entries.length >= maxFiles) return { entries, cut: `more than ${maxFiles} files; the rest are not recorded` };
        entries.push(e);
      }
    } catch (err) {
      if (!(err instanceof OriginRefusedError)) throw err;
      return { entries, cut: `the file listing's next page points outside the endpoint (${err.message}); the files listed before it are recorded` };
    }
    return { entries };
  }

  /** Models carrying a tag (`base_model:<id>`, `dataset:<id>`), with sha and tags so unchanged ones need no more calls. */
  async modelsTagged(tag: string, limit: number): Promise<ListedRepo[]> {
    const out: ListedRepo[] = [];
    for await (const m of listModels({ search: { tags: [tag] }, additionalFields: ['sha', 'tags'], hubUrl: this.hubUrl, fetch: this.paged(), limit })) {
      pushListed(out, m);
    }
    return out;
  }

  async reposOf(type: RepoType, owner: string, limit: number): Promise<ListedRepo[]> {
    const common = { search: { owner }, hubUrl: this.hubUrl, fetch: this.paged() };
    const out: ListedRepo[] = [];
    if (type === 'model') for await (const m of listModels({ ...common, additionalFields: ['sha'], limit })) pushListed(out, m);
    else if (type === 'dataset') for await (const d of listDatasets({ ...common, additionalFields: ['sha'], limit })) pushListed(out, d);
    else for await (const s of listSpaces({ ...common, additionalFields: ['sha'] })) {
      pushListed(out, s);
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
  async text(ref: RepoRef, revision: string, path: string, maxBytes: number): Promise<string | undefined> {
    const fetch = boundedDownloads(this.rawFetch, maxBytes);
    const blob = await downloadFile({ repo: { type: ref.type, name: ref.id }, path: encodeRepoPath(path), revision, hubUrl: this.hubUrl, fetch, xet: false });
    return blob ? blob.text() : undefined;
  }

  /** Range reads of one file: `downloadFile` probes it once, then each read is one `Range:` request. */
  async rangeReader(ref: RepoRef, revision: string, path: string, size: number): Promise<RangeReader | undefined> {
    // A whole-file read (the slice of a whole small file) may not be longer than the listing said the file is.
    const fetch = boundedDownloads(this.rawFetch, size);
    const blob = await downloadFile({ repo: { type: ref.type, name: ref.id }, path: encodeRepoPath(path), revision, hubUrl: this.hubUrl, fetch, xet: false });
    if (!blob) return undefined;
    return async (start, endInclusive) => new Uint8Array(await blob.slice(start, endInclusive + 1).arrayBuffer());
  }
}

/** A listing entry without a string id is dropped: it names no repo (String(undefined) would crawl "undefined"). */
function pushListed(out: ListedRepo[], entry: unknown): void {
  const e = entry as Record<string, unknown>;
  if (typeof e?.name !== 'string') return;
  const item: ListedRepo = { id: e.name };
  if (typeof e.sha === 'string') item.sha = e.sha;
  if (Array.isArray(e.tags)) item.tags = e.tags.filter((t): t is string => typeof t === 'string');
  out.push(item);
}

export { HubApiError, InvalidApiResponseFormatError };
