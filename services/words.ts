/**
 * How compromise travelled, said for people: hops in the compromise direction with the model's relation words,
 * the evidence that decides each, and keys shortened for reading (full keys stay in `--json`). Shared by the CLI,
 * the report and the graph view's server side so that they all say a hop the same way.
 */
import { shortKey, shortLabel } from '../schema/keys.ts';
import type { GraphNode } from '../schema/records.ts';

export interface HopLike {
  from: string;
  to: string;
  verb: string;
  evidence?: string;
  revision?: string;
}

/** "openweb-collective/crawl-2024 trained northwind-ai/nw-chat-7b". */
export function hopSentence(h: HopLike): string {
  return `${shortLabel(h.from)} ${h.verb} ${shortLabel(h.to)}`;
}

/** What decides a hop: the revision loaded and the upstream field it was read from ("revision main; cardData.datasets"). */
export function hopEvidence(h: HopLike): string {
  return [h.revision ? `revision ${h.revision}` : '', h.evidence ?? ''].filter(Boolean).join('; ');
}

/** A whole chain in one line: "crawl-2024 trained nw-chat-7b, served by support-bot". */
export function chainSentence(hops: readonly HopLike[]): string {
  if (!hops.length) return '';
  return [hopSentence(hops[0]!), ...hops.slice(1).map((h) => `${h.verb} ${shortLabel(h.to)}`)].join(', ');
}

/** The facts about a node that make it dangerous, for the start of a path: a pickle's verdict and imports, a publicWrite. */
export function nodeEvidence(node: GraphNode | undefined): string {
  if (!node) return '';
  const p = node.props;
  const facts: string[] = [];
  if (typeof p.scanStatus === 'string' && p.scanStatus !== 'safe') {
    const globals = Array.isArray(p.scanGlobals) ? p.scanGlobals.filter((g): g is string => typeof g === 'string') : [];
    facts.push(`${p.scanStatus}${globals.length ? `: imports ${globals.slice(0, 3).join(', ')}${globals.length > 3 ? ` (+${globals.length - 3})` : ''}` : ''}`);
  }
  if (p.publicWrite === true) facts.push('anyone can write it');
  return facts.join('; ');
}

export { shortKey, shortLabel };

/** "a, b and 3 more". */
export function listOf(items: readonly string[], max = 4): string {
  if (!items.length) return '(none recorded)';
  return items.length > max ? `${items.slice(0, max).join(', ')} and ${items.length - max} more` : items.join(', ');
}

/** "1 node", "2 nodes". */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** Every key-looking word of a line shortened (see shortKey): evidence lines name file keys with full shas. */
export function shortKeysIn(text: string): string {
  return text.replace(/\S+/g, (word) => {
    const m = /^(\(?)(.*?)([),.;:]*)$/.exec(word)!;
    return `${m[1]}${shortKey(m[2]!)}${m[3]}`;
  });
}
