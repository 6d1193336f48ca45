/**
 * A node key as a person gives it: the key itself, the page URL a key names (`keyOfUrl`), or a repo as `aispm
 * ingest hf` takes it (`datasets/owner/name`, `spaces/owner/name`, `owner/name`), or a key with its sha shortened as
 * human output prints it (`…/pytorch_model.bin@3ce4e69b47b5`, like git: unique prefixes of 7 or more hex digits).
 * An unknown key is a usage error that suggests the closest keys in the store (its text search, ranked by edit
 * distance and kind).
 */
import { parseRef, repoKey } from '../../ingest/huggingface/refs.ts';
import { UsageError } from '../../schema/errors.ts';
import { keyOfUrl, kindOfKey, labelOfKey, shortKey } from '../../schema/keys.ts';
import type { NodeKind } from '../../schema/model.ts';
import type { GraphStore } from '../../schema/store.ts';
import { editDistance, printable } from '../../schema/text.ts';
import { RUN } from './help.ts';

/** Kinds a person most likely means first (a File or Identity rarely is what a short name stands for). */
const KIND_RANK: readonly NodeKind[] = ['Model', 'Dataset', 'Endpoint', 'Repository', 'Package', 'Vulnerability', 'Identity', 'File'];

export async function resolveNodeKey(store: GraphStore, given: string): Promise<string> {
  const candidates = [given, ...alternativeKeys(given)];
  const found = await store.getNodes([...new Set(candidates)]);
  for (const c of candidates) if (found.some((n) => n.key === c)) return c;
  const abbreviated = await keysExtending(store, given);
  if (abbreviated.length === 1) return abbreviated[0]!;
  if (abbreviated.length > 1) throw new UsageError(`${printable(given, 200)} is ambiguous: it begins ${abbreviated.length} keys (${abbreviated.slice(0, 3).join(', ')}); give more of the sha`);
  const near = await suggestedForms(store, await closestKeys(store, given));
  const hint = near.length ? `; did you mean ${near.join(' or ')}?` : `; list nodes with \`${RUN} stats\` or search them in \`${RUN} serve\``;
  throw new UsageError(`unknown node ${printable(given, 200)}${hint}`);
}

/**
 * Suggested keys as human output prints them: a trailing sha cut to 12 hex (as git does, longer where 12 would
 * begin another key too), so that the suggestion is short and still resolves as input. A key whose hash is not
 * trailing is suggested whole (its cut form would not resolve).
 */
async function suggestedForms(store: GraphStore, keys: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const key of keys) out.push(await shortestResolvingForm(store, key));
  return out;
}

async function shortestResolvingForm(store: GraphStore, key: string): Promise<string> {
  for (let hexChars = 12; ; hexChars += 4) {
    const form = shortKey(key, hexChars);
    if (form === key || !key.startsWith(form)) return key;
    const extended = await keysExtending(store, form);
    if (extended.length === 1 && extended[0] === key) return form;
  }
}

/** The keys `given` may stand for when it is not a key itself. */
function alternativeKeys(given: string): string[] {
  const out: string[] = [];
  const fromUrl = /^https?:\/\//i.test(given) ? keyOfUrl(given) : undefined;
  if (fromUrl) out.push(fromUrl);
  if (!kindOfKey(given)) {
    try {
      out.push(repoKey(parseRef(given)));
    } catch {
      // not a Hub repo reference either
    }
  }
  return out;
}

/** The keys of which `given` is a prefix that stops inside their trailing sha (at least 7 hex digits given). */
async function keysExtending(store: GraphStore, given: string): Promise<string[]> {
  if (!/[0-9a-f]{7,}$/i.test(given)) return [];
  const page = await store.find({ text: given, first: 10 });
  const prefix = given.toLowerCase();
  return page.items.map((n) => n.key).filter((k) => k.toLowerCase().startsWith(prefix) && /^[0-9a-f]+$/i.test(k.slice(given.length)));
}

/** Up to three keys near `given`: found by the store's text search on its last part, ranked by edit distance, then kind. */
export async function closestKeys(store: GraphStore, given: string, max = 3): Promise<string[]> {
  const words = given.replace(/^[a-z]+:[a-z-]+\//i, '').split(/[/@:]/).filter((w) => w.length >= 2);
  const probes = [...new Set([words[words.length - 1], words[0]].filter((w): w is string => Boolean(w)))];
  const seen = new Map<string, number>();
  for (const text of probes) {
    for (const probe of [text, text.slice(0, Math.max(2, Math.ceil(text.length / 2)))]) {
      const page = await store.find({ text: probe, first: 200 });
      for (const n of page.items) if (!seen.has(n.key)) seen.set(n.key, Math.min(editDistance(given, n.key), editDistance(given, labelOfKey(n.key))));
    }
  }
  const rank = (k: string) => KIND_RANK.indexOf(kindOfKey(k) ?? 'File');
  return [...seen]
    .sort(([a, x], [b, y]) => x - y || rank(a) - rank(b) || (a < b ? -1 : 1))
    .slice(0, max)
    .map(([k]) => k);
}
