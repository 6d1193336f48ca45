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
