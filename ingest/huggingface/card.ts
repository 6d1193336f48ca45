/**
 * Model and dataset cards: YAML front matter between `---` lines at the top of README.md. The Hub leaves
 * `cardData` out when it cannot parse a card, so the crawler reads README.md itself to say why.
 */
import { parse } from 'yaml';
import { isObject, type Json } from '../pipeline/fields.ts';

export type CardParse = { kind: 'none' } | { kind: 'ok'; data: Json } | { kind: 'invalid'; problem: string };

const FRONT_MATTER = /^\uFEFF?---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;

export function parseCardFrontMatter(markdown: string): CardParse {
  const m = FRONT_MATTER.exec(markdown);
  if (!m) return { kind: 'none' };
  let data: unknown;
  try {
    data = parse(m[1]!, { maxAliasCount: 100, prettyErrors: false });
  } catch (err) {
    const first = ((err as Error).message ?? String(err)).split('\n')[0]!.slice(0, 200);
    return { kind: 'invalid', problem: `card metadata (YAML front matter) does not parse: ${first}` };
  }
  if (data === null || data === undefined) return { kind: 'none' };
  if (!isObject(data)) {
    return { kind: 'invalid', problem: `card metadata must be a mapping, got ${Array.isArray(data) ? 'a list' : typeof data}` };
  }
  return { kind: 'ok', data };
}
