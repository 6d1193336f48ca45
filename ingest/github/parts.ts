/**
 * Incremental reads. A repository (and an organisation, a team) is read in parts — its node and protection, its
 * collaborators, its teams, its deployments, its code, its dependencies — and each part is written as its own scope,
 * so a part that could not be read (a 403 without admin rights) keeps what it wrote before, and a part that did not
 * change is not written again.
 *
 * After a part is read, the URL and ETag of every answer it was built from are kept in the store's meta area. The
 * next run asks those URLs again with `If-None-Match`; when every one answers 304 (free of the rate limit) the part
 * is unchanged and nothing else is fetched for it. Error answers (a 403 without admin rights, a disabled SBOM) have
 * no ETag: they are asked again, and the same status counts as unchanged. One changed answer, a success without an
 * ETag, or a last page that was full (a new item would go on a page we never saw) means the part is read again.
 */
import type { JsonValue } from '../../schema/records.ts';
import type { GraphStore } from '../../schema/store.ts';
import { safeUrl } from '../pipeline/http.ts';
import { GitHubApiError, type Answer, type GitHubClient, type Listing, type Page } from './client.ts';

/** The parts of a repository written under their own scope (`gh:repo/<o>/<r>#<part>`), besides its node's scope. */
export const REPO_PARTS = ['collaborators', 'teams', 'deployments', 'code', 'dependencies'] as const;

export type RepoPart = (typeof REPO_PARTS)[number];

export function partScope(repoKey: string, part: RepoPart): string {
  return `${repoKey}#${part}`;
}

export interface PartState {
  pages: Page[];
  /** A listing's last page was full: probing cannot prove nothing was added. */
  grows: boolean;
  /** What later parts need from this one when it is not read again (the head sha, the default branch). */
  facts?: { [key: string]: JsonValue };
}

export interface SyncState {
  version: 1;
  /** Options that shape what the parts hold; a change means a full read. */
  settings: string;
  parts: Record<string, PartState>;
}

/** Records the answers a part is built from, so that the next run can probe them. */
export class Recorder {
  readonly pages: Page[] = [];
  grows = false;

  constructor(readonly client: GitHubClient) {}

  /** An unconditional GET: it is answered with a body or an allowed error status, never a 304. */
  async get(route: string, params: Record<string, unknown> = {}, allow: readonly number[] = []): Promise<Exclude<Answer, { kind: 'not-modified' }>> {
    const answer = await this.client.get(route, params, { allow });
    if (answer.kind === 'not-modified') throw new GitHubApiError(304, `HTTP 304 to a request without If-None-Match from ${safeUrl(answer.url)}`);
    if (answer.kind === 'ok') this.pages.push({ url: answer.url, count: 0, ...(answer.etag ? { etag: answer.etag } : {}) });
    else this.pages.push({ url: answer.url, count: 0, status: answer.status });
    return answer;
  }

  async list(route: string, params: Record<string, unknown> = {}, allow: readonly number[] = [], maxItems?: number): Promise<Listing> {
    const listing = await this.client.list(route, params, { allow, ...(maxItems !== undefined ? { maxItems } : {}) });
    if (listing.kind === 'ok') {
      this.pages.push(...listing.pages);
      if (listing.full) this.grows = true;
    } else {
      this.pages.push({ url: listing.url, count: 0, status: listing.status });
    }
    return listing;
  }

  state(facts?: PartState['facts']): PartState {
    return { pages: this.pages, grows: this.grows, ...(facts ? { facts } : {}) };
  }
}

/** The state kept for a scope, or undefined when there is none or it was kept under other settings. */
export async function loadState(store: GraphStore, name: string, settings: string): Promise<SyncState | undefined> {
  const raw = await store.getMeta(name);
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const s = raw as unknown as SyncState;
  if (s.version !== 1 || s.settings !== settings || typeof s.parts !== 'object' || s.parts === null) return undefined;
  return s;
}

export async function saveState(store: GraphStore, name: string, state: SyncState): Promise<void> {
  await store.setMeta(name, state as unknown as JsonValue);
}

/** Whether a part read before is unchanged: every answer it was built from is a 304 again. */
export async function partUnchanged(client: GitHubClient, prev: PartState | undefined): Promise<boolean> {
  if (!prev || prev.grows || prev.pages.length === 0) return false;
  return client.unchanged(prev.pages);
}

/** Drops the state kept under `name`, so that whatever is read under it next is read in full. */
export async function forgetState(store: GraphStore, name: string): Promise<void> {
  await store.setMeta(name, null);
}
