/**
 * Repo references as written on the Hub (`owner/name`, `datasets/owner/name`, `spaces/owner/name`, legacy
 * ownerless ids such as `squad_v2`) and the graph keys they map to.
 */
import { UsageError } from '../../schema/errors.ts';
import { keyOf, parseKey, urlOfKey } from '../../schema/keys.ts';

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

/** The key formats of the three Hub areas, with and without an owner. */
const REPO_FORMATS: Record<RepoType, { owned: string; legacy?: string; file: string; legacyFile?: string }> = {
  model: { owned: 'hf-model', legacy: 'hf-model-legacy', file: 'hf-model-file', legacyFile: 'hf-model-legacy-file' },
  dataset: { owned: 'hf-dataset', legacy: 'hf-dataset-legacy', file: 'hf-dataset-file', legacyFile: 'hf-dataset-legacy-file' },
  space: { owned: 'hf-space', file: 'hf-space-file' },
};

function idParts(ref: RepoRef): { owner?: string; name: string } {
  const slash = ref.id.indexOf('/');
  return slash > 0 ? { owner: ref.id.slice(0, slash), name: ref.id.slice(slash + 1) } : { name: ref.id };
}

export function repoKey(ref: RepoRef): string {
  const parts = idParts(ref);
  const formats = REPO_FORMATS[ref.type];
  return keyOf(parts.owner !== undefined || !formats.legacy ? formats.owned : formats.legacy, parts as Record<string, string>);
}

/** The Hub repo a key names (`hf:model/…`, `hf:dataset/…`, `hf:space/…`), or undefined for any other key. */
export function refOfKey(key: string): RepoRef | undefined {
  const parsed = parseKey(key);
  if (parsed?.format.source !== 'hf') return undefined;
  const type = (Object.keys(REPO_FORMATS) as RepoType[]).find((t) => REPO_FORMATS[t].owned === parsed.format.id || REPO_FORMATS[t].legacy === parsed.format.id);
  if (!type) return undefined;
  const { owner, name } = parsed.parts;
  return { type, id: owner !== undefined ? `${owner}/${name}` : name! };
}

export function refLabel(ref: RepoRef): string {
  return ref.type === 'model' ? ref.id : `${ref.type}s/${ref.id}`;
}

/** `hf:file/<owner>/<name>/<path>@<sha>` for models; `datasets/` or `spaces/` prefixed otherwise. */
export function fileKey(ref: RepoRef, path: string, sha: string): string {
  const { owner, name } = idParts(ref);
  const formats = REPO_FORMATS[ref.type];
  return owner !== undefined || !formats.legacyFile ? keyOf(formats.file, { owner: owner!, name, path, sha }) : keyOf(formats.legacyFile, { name, path, sha });
}

export function ownerOf(ref: RepoRef): string | undefined {
  return idParts(ref).owner;
}

export type OwnerType = 'user' | 'org';

export function identityKey(name: string, type: OwnerType): string {
  return keyOf(`hf-${type}`, { name });
}

/** The repo's page on the Hub that was read. */
export function webUrl(hubUrl: string, ref: RepoRef): string {
  return urlOfKey(repoKey(ref), { hf: hubUrl })!;
}
