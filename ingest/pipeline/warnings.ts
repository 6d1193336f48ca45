/** Warnings collected during a run: bad upstream data about one item is reported against that item, not thrown. */
export interface IngestWarning {
  /** The item (repo id, package, …) the warning concerns. */
  repo: string;
  message: string;
}

export class WarningLog {
  readonly items: IngestWarning[] = [];
  private readonly seen = new Set<string>();
  constructor(private readonly onWarn?: (w: IngestWarning) => void) {}

  add(repo: string, message: string): void {
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
