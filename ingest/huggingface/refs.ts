/**
 * Repo references as written on the Hub (`owner/name`, `datasets/owner/name`, `spaces/owner/name`, legacy
 * ownerless ids such as `squad_v2`) and the graph keys they map to.
 */
import { UsageError } from '../../schema/errors.ts';

export type RepoType = 'model' | 'dataset' | 'space';

export interface RepoRef {
  type: RepoType;
  /** `owner/name`, or a legacy ownerless `name`. */
  id: string;
}

/** Hub repo names: letters, digits, `-`, `_`, `.`; owners likewise. No `..`, no leading/trailing separators. */
const PART = /^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/;

export function isValidRepoId(id: string, type: RepoType): boolean {
  const parts = id.split('/');
  if (parts.length > 2 || parts.some((p) => !PART.test(p))) return false;
  // Only models and datasets have legacy ownerless ids; Spaces always have an owner.
  return parts.length === 2 || type !== 'space';
}

/** A user or organisation name as the Hub allows it (one id part). */
export function isValidOwnerName(name: string): boolean {
  return PART.test(name);
}

/** Parses a CLI ref; throws UsageError for anything that is not a Hub repo reference. */
export function parseRef(text: string): RepoRef {
  const trimmed = text.trim().replace(/^https?:\/\/[^/]+\//, '');
  let type: RepoType = 'model';
  let id = trimmed;
  const m = /^(datasets|spaces|models)\/(.+)$/.exec(trimmed);
  if (m) {
    type = m[1] === 'datasets' ? 'dataset' : m[1] === 'spaces' ? 'space' : 'model';
    id = m[2]!;
  }
  if (!isValidRepoId(id, type)) {
    throw new UsageError(
      `"${text.slice(0, 120)}" is not a Hub repo reference: write owner/name (model), datasets/owner/name or spaces/owner/name`,
    );
  }
  return { type, id };
}

/** A repo id found in upstream data (a card, a tag); undefined when it is not a well-formed id. */
export function refFromData(type: RepoType, value: unknown): RepoRef | undefined {
  if (typeof value !== 'string') return undefined;
  const id = value.trim().replace(/^https?:\/\/huggingface\.co\//, '').replace(/^(datasets|spaces)\//, '');
  return isValidRepoId(id, type) ? { type, id } : undefined;
}

export function repoKey(ref: RepoRef): string {
  return `hf:${ref.type}/${ref.id}`;
}

export function refLabel(ref: RepoRef): string {
  return ref.type === 'model' ? ref.id : `${ref.type}s/${ref.id}`;
}

/** `hf:file/<owner>/<name>/<path>@<sha>` for models; `datasets/` or `spaces/` prefixed otherwise. */
export function fileKey(ref: RepoRef, path: string, sha: string): string {
  const prefix = ref.type === 'model' ? '' : `${ref.type}s/`;
  return `hf:file/${prefix}${ref.id}/${path}@${sha}`;
}

export function ownerOf(ref: RepoRef): string | undefined {
  const i = ref.id.indexOf('/');
  return i > 0 ? ref.id.slice(0, i) : undefined;
}

export type OwnerType = 'user' | 'org';

export function identityKey(name: string, type: OwnerType): string {
  return `hf:${type}/${name}`;
}

export function webUrl(hubUrl: string, ref: RepoRef): string {
  return `${hubUrl.replace(/\/$/, '')}/${ref.type === 'model' ? '' : `${ref.type}s/`}${ref.id}`;
}
