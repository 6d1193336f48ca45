/**
 * Text from upstream or from records, made safe to show a person: characters that change how text is displayed
 * rather than what it says — C0/C1 controls (ANSI escapes, a carriage return that overwrites a line, a newline that
 * forges one), format characters (Unicode category Cf: bidi overrides and isolates that reorder a line, zero-width
 * characters that hide text) and the line/paragraph separators — are written as visible `\uXXXX` escapes. The
 * escape keeps JSON valid, so the same function serves text and JSON output.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;
/** Human output keeps its own line breaks and tabs. */
const UNSAFE_BUT_LAYOUT = /(?![\n\t])[\p{Cc}\p{Cf}\u2028\u2029]/gu;

const escapeChar = (c: string) => `\\u${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** Every control and format character escaped. */
export function escapeUnsafe(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}

/** Multi-line output: controls and format characters escaped, newlines and tabs kept. */
export function escapeUnsafeKeepLayout(text: string): string {
  return text.replace(UNSAFE_BUT_LAYOUT, escapeChar);
}

/** One safe line of at most `max` characters (an ellipsis and the full length mark a cut). */
export function printable(text: string, max = 1000): string {
  const safe = escapeUnsafe(text);
  return safe.length > max ? `${safe.slice(0, max)}… (${safe.length} chars)` : safe;
}

/** Levenshtein distance, for "did you mean" suggestions on short words (tags, keys). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

/** The candidates nearest to `word` (at most `max`, within a third of its length in edits), nearest first. */
export function closestWords(word: string, candidates: Iterable<string>, max = 3): string[] {
  const limit = Math.max(2, Math.ceil(word.length / 3));
  return [...new Set(candidates)]
    .map((c) => ({ c, d: editDistance(word.toLowerCase(), c.toLowerCase()) }))
    .filter((x) => x.d <= limit)
    .sort((x, y) => x.d - y.d || (x.c < y.c ? -1 : 1))
    .slice(0, max)
    .map((x) => x.c);
}
