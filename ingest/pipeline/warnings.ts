import { printable } from '../../schema/text.ts';

/** Warnings collected during a run: bad upstream data about one item is reported against that item, not thrown. */
export interface IngestWarning {
  /** The item (repo id, package, …) the warning concerns. */
  repo: string;
  message: string;
}

/** Longest warning kept; upstream text (error bodies, card values) can be arbitrarily long. */
const MAX_WARNING_CHARS = 1000;

/** Upstream text made safe to print (controls and format characters escaped) and cut; see schema/text.ts. */
export { printable };

/** The lines a summary prints for its warnings: a count, the first `max`, and where the rest are. */
export function warningLines(warnings: readonly IngestWarning[], max = 50): string[] {
  if (!warnings.length) return [];
  const lines = [`  warnings  ${warnings.length}`, ...warnings.slice(0, max).map((w) => `    ${w.repo}: ${w.message}`)];
  if (warnings.length > max) lines.push(`    … and ${warnings.length - max} more (use --json for all)`);
  return lines;
}

export class WarningLog {
  readonly items: IngestWarning[] = [];
  private readonly seen = new Set<string>();
  constructor(private readonly onWarn?: (w: IngestWarning) => void) {}

  add(rawRepo: string, rawMessage: string): void {
    const repo = printable(rawRepo, 200);
    const message = printable(rawMessage, MAX_WARNING_CHARS);
    const id = `${repo}\u0000${message}`;
    if (this.seen.has(id)) return; // a retried or re-visited item should not repeat itself
    this.seen.add(id);
    const w = { repo, message };
    this.items.push(w);
    this.onWarn?.(w);
  }

  /** Stable order for output and tests. */
  sorted(): IngestWarning[] {
    return [...this.items].sort((a, b) => a.repo.localeCompare(b.repo) || a.message.localeCompare(b.message));
  }
}
