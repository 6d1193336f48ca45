/**
 * Analyst tags (see ANALYST_TAGS in model.ts): the one check every writer of them uses — `aispm tag`, the GraphQL
 * mutation — so a typo (`crown-jewl`) is an error that names the nearest tag, never a tag that silently does nothing.
 */
import { UsageError } from './errors.ts';
import { ANALYST_TAGS, ANALYST_TAGS_PROP, ANALYST_TAG_NAMES, type AnalystTag } from './model.ts';
import type { GraphNode } from './records.ts';
import { closestWords, printable } from './text.ts';

export function isAnalystTag(value: unknown): value is AnalystTag {
  return typeof value === 'string' && Object.hasOwn(ANALYST_TAGS, value);
}

/** The tag, or a UsageError listing the documented tags (and the nearest one, for a typo). */
export function checkAnalystTag(value: string): AnalystTag {
  if (isAnalystTag(value)) return value;
  const near = closestWords(value, ANALYST_TAG_NAMES, 1);
  const hint = near.length ? ` (did you mean ${near[0]}?)` : '';
  throw new UsageError(`unknown tag "${printable(value, 60)}"${hint}: tags are ${ANALYST_TAG_NAMES.join(', ')}`);
}

/** The analyst tags a node carries (unknown values, which validation refuses on write, are ignored). */
export function analystTagsOf(node: Pick<GraphNode, 'props'> | undefined): AnalystTag[] {
  const tags = node?.props[ANALYST_TAGS_PROP];
  return Array.isArray(tags) ? tags.filter(isAnalystTag) : [];
}

/** The tag list after adding or removing one tag, in the documented order. */
export function withTag(current: readonly AnalystTag[], tag: AnalystTag, present: boolean): AnalystTag[] {
  const set = new Set(current);
  if (present) set.add(tag);
  else set.delete(tag);
  return ANALYST_TAG_NAMES.filter((t) => set.has(t));
}
