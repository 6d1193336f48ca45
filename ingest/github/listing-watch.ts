/**
 * Which repositories left an owner's listing between runs. The listing's kept state names the repositories the next
 * listing must account for (`watch`): those listed, and those that left the listing but were not yet shown to be
 * renamed or deleted. A watched name that a complete listing no longer has is asked for by name; only an answer
 * that settles it (a redirect to another repository, a 404) takes it off the watch. Any other outcome (a 5xx, a rate
 * limit, a run stopped early) leaves it watched, so the next run asks again instead of forgetting it. Pure.
 */
import type { JsonValue } from '../../schema/records.ts';
import { isLogin, isRepoName } from './map-common.ts';

export interface ListingFacts {
  /** `owner/name` of every repository the listing returned, as it spelled them. */
  repos: string[];
  /** False when the listing was cut at its bound: what it lacks may still exist. */
  complete: boolean;
  /** Names the next listing must account for. */
  watch: string[];
}

/** The listing facts a kept state holds; a state kept before `watch` existed watches every name it listed. */
export function listingFacts(facts: { [key: string]: JsonValue } | undefined): ListingFacts | undefined {
  if (!facts || !Array.isArray(facts.repos)) return undefined;
  const repos = facts.repos.filter((r): r is string => typeof r === 'string');
  const watch = Array.isArray(facts.watch) ? facts.watch.filter((r): r is string => typeof r === 'string') : repos;
  return { repos, complete: facts.complete !== false, watch };
}

/** `owner/name` as GitHub allows it. */
function isRepoFullName(full: string): boolean {
  const [owner, name, ...rest] = full.split('/');
  return rest.length === 0 && isLogin(owner) && isRepoName(name);
}

/** Watched names a listing no longer has (GitHub compares names without case). None when the listing is cut. */
export function vanishedFrom(listing: Pick<ListingFacts, 'repos' | 'complete'>, watch: readonly string[]): string[] {
  if (!listing.complete) return [];
  const listed = new Set(listing.repos.map((r) => r.toLowerCase()));
  return unique(watch.filter((w) => isRepoFullName(w) && !listed.has(w.toLowerCase())));
}

/**
 * What the next listing must account for: this listing's names and the vanished ones not settled this run. After a
 * cut listing nothing was asked for, so everything watched before stays watched.
 */
export function nextWatch(listing: Pick<ListingFacts, 'repos' | 'complete'>, watch: readonly string[], unsettled: readonly string[]): string[] {
  const listed = listing.repos.filter(isRepoFullName);
  return unique(listing.complete ? [...listed, ...unsettled] : [...watch, ...listed]).sort();
}

function unique(names: readonly string[]): string[] {
  const seen = new Set<string>();
  return names.filter((n) => {
    const k = n.toLowerCase();
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
