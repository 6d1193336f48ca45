/** A one-line progress bar on a TTY (stderr), redrawn at most a few times a second; silent otherwise. */
export interface Progress {
  update(done: number, total: number, detail: string): void;
  finish(): void;
}

export function createProgress(stream: NodeJS.WriteStream, enabled: boolean, label: string): Progress {
  if (!enabled) return { update() {}, finish() {} };
  let last = 0;
  let drawn = false;
  return {
    update(done, total, detail) {
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      const width = 24;
      const filled = total > 0 ? Math.min(width, Math.round((done / total) * width)) : 0;
      const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
      const cols = stream.columns || 100;
      stream.write(`\r${`${label} ${bar} ${done}/${total} ${detail}`.slice(0, cols - 1)}\x1b[K`);
      drawn = true;
    },
    finish() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
