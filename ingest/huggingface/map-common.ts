/** What every Hub repo kind shares when mapped: the common node properties and the shape of a mapping result. */
import type { EdgeRecord, JsonValue, NodeRecord, Props } from '../../schema/records.ts';
import { FieldReader, isObject, type Json } from '../pipeline/fields.ts';
import { spdxFor } from './license.ts';
import { boundJson } from '../pipeline/bound-records.ts';
import { refFromData, repoKey, webUrl, type RepoRef } from './refs.ts';

export const SOURCE = 'hf';

/** The public Hub. Some facts follow from it alone (its Spaces answer on `<subdomain>.hf.space`). */
export const PUBLIC_HUB_URL = 'https://huggingface.co';

export function isPublicHub(hubUrl: string): boolean {
  try {
    return new URL(hubUrl).host === new URL(PUBLIC_HUB_URL).host;
  } catch {
    return false;
  }
}

export interface MapContext {
  /** The Hub whose pages records link to (see `CrawlOptions.webUrl`); its Spaces' hosts follow from it too. */
  hubUrl: string;
  /** The ref as requested (before any rename redirect). */
  requested: RepoRef;
}

export interface RepoMapping {
  /** The repo as the Hub names it now (after a rename). */
  ref: RepoRef;
  sha?: string;
  author?: string;
  node: NodeRecord;
  edges: EdgeRecord[];
  warnings: string[];
  /** Card data as used (from the API, or parsed from README.md by the crawler). */
  hasCard: boolean;
}

/**
 * What every repo mapping returns, once its node properties and edges are built. The sha read is recorded as
 * `syncedSha`: the crawler writes a repo's records only after the whole repo was read, so they go together.
 */
export function repoMapping(kind: 'Model' | 'Dataset' | 'Endpoint', ref: RepoRef, props: Props, edges: EdgeRecord[], warnings: string[], card: Json | undefined): RepoMapping {
  const sha = typeof props.sha === 'string' ? props.sha : undefined;
  if (sha) props.syncedSha = sha;
  return {
    ref,
    sha,
    author: typeof props.author === 'string' ? props.author : undefined,
    node: { kind, key: repoKey(ref), props },
    edges,
    warnings,
    hasCard: card !== undefined,
  };
}

export function edge(kind: EdgeRecord['kind'], from: string, to: string, evidence: string, extra: Partial<EdgeRecord> = {}): EdgeRecord {
  return { kind, from, to, source: SOURCE, evidence, confidence: 'declared', ...extra };
}

/** Card front matter: the API's cardData unless the crawler parsed README.md itself. Wrong shape → warning. */
export function cardOf(body: Json, warn: (m: string) => void, parsedCard?: Json): Json | undefined {
  if (parsedCard) return parsedCard;
  const c = body.cardData;
  if (c === undefined || c === null) return undefined;
  if (!isObject(c)) {
    warn(`cardData should be a mapping, got ${Array.isArray(c) ? 'a list' : typeof c}; card ignored`);
    return undefined;
  }
  return c;
}

/** The license from card data (string or list) or a `license:` tag; SPDX id where one matches. */
export function licenseProps(card: Json | undefined, tags: string[], warn: (m: string) => void): Props {
  let raw: string | undefined;
  if (card && card.license !== undefined) {
    const list = new FieldReader(card, warn, 'cardData.').stringOrList('license');
    if (list && list.length) raw = list.join(' OR ');
  }
  if (!raw) raw = tags.find((t) => t.startsWith('license:'))?.slice('license:'.length);
  if (!raw) return {};
  const parts = raw.split(' OR ');
  const spdx = parts.map(spdxFor);
  const license = spdx.every((s) => s) ? spdx.join(' OR ') : raw;
  const out: Props = { license, licenseRaw: raw };
  if (card && typeof card.license_name === 'string') out.licenseName = card.license_name;
  if (card && typeof card.license_link === 'string') out.licenseLink = card.license_link;
  return out;
}

/** Gated is false, true, "auto" or "manual"; anything else is a warning. */
export function gatedValue(v: unknown, warn: (m: string) => void): boolean | string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean' || v === 'auto' || v === 'manual') return v;
  warn(`field "gated" should be false, true, "auto" or "manual", got ${JSON.stringify(v).slice(0, 40)}; ignored`);
  return undefined;
}

/** A git commit id (SHA-1, or SHA-256 for SHA-256 repos). */
const COMMIT_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * The sha names the revision in file keys and in `/tree/{sha}` and `/resolve/{sha}` URLs, so anything but a commit
 * id (a path fragment, a branch name) is refused with a warning rather than let into a key or a URL.
 */
function commitSha(v: string | undefined, warn: (m: string) => void): string | undefined {
  if (v === undefined || COMMIT_SHA.test(v)) return v;
  warn(`field "sha" should be a commit id, got "${v.slice(0, 80)}"; ignored`);
  return undefined;
}

/** Properties every repo kind has, read defensively. */
export function commonRepoProps(body: Json, ctx: MapContext, ref: RepoRef, card: Json | undefined, warn: (m: string) => void): Props {
  const r = new FieldReader(body, warn);
  const tags = r.strings('tags') ?? [];
  const props: Props = {
    name: ref.id,
    url: webUrl(ctx.hubUrl, ref),
    ...licenseProps(card, tags, warn),
  };
  const put = (k: string, v: JsonValue | undefined) => {
    if (v !== undefined) props[k] = v;
  };
  put('sha', commitSha(r.str('sha'), warn));
  put('author', r.str('author'));
  put('createdAt', r.date('createdAt'));
  put('lastModified', r.date('lastModified'));
  put('gated', gatedValue(body.gated, warn));
  put('private', r.bool('private'));
  put('disabled', r.bool('disabled'));
  put('downloads', r.num('downloads'));
  put('likes', r.num('likes'));
  if (tags.length) props.tags = tags;
  if (card) {
    const compact = cardForStorage(card);
    if (compact === undefined) warn('card data is over 64 KB; not stored');
    else {
      if (compact.cut) warn('card data nests too deep or holds oversized values; stored cut to size');
      props.cardData = compact.value;
    }
  }
  return props;
}

/**
 * Card data without model-index (stored on its own), cut to the upstream bounds (a card nested 200,000 levels deep
 * must not exhaust the stack of whoever reads it) and within a size that keeps nodes small.
 */
function cardForStorage(card: Json): { value: JsonValue; cut: boolean } | undefined {
  const { 'model-index': _mi, ...rest } = card;
  const bounded = boundJson(rest);
  return JSON.stringify(bounded.value).length > 64 * 1024 ? undefined : bounded;
}

/** The repo ref the Hub returned (a rename redirect changes `id`), or the requested one. */
export function returnedRef(body: Json, ctx: MapContext, warn: (m: string) => void): RepoRef {
  const id = body.id;
  if (typeof id !== 'string') {
    if (id !== undefined) warn(`field "id" should be a string; using the requested id`);
    return ctx.requested;
  }
  return refFromData(ctx.requested.type, id) ?? ctx.requested;
}

export { repoKey };
