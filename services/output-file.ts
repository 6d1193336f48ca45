/**
 * Files the CLI writes for a user (exports, reports, BOMs): written under a temporary name beside the target and
 * renamed into place only once complete, so a full disk or a kill never leaves a truncated file that looks whole
 * (an export cut short would import as a partial graph). Registered secrets are redacted on the way out.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../schema/errors.ts';
import { redact } from '../schema/secrets.ts';

const tempNameOf = (path: string) => join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);

function cannotWrite(path: string, err: unknown): UsageError {
  // A path the user gave that cannot be written is an input error (exit 2), not a store failure.
  return new UsageError(`cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
}

/** Writes `text` to `path` whole or not at all. */
export function writeOutputFile(path: string, text: string): void {
  const temp = tempNameOf(path);
  try {
    const fd = openSync(temp, 'wx');
    try {
      writeSync(fd, redact(text));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw cannotWrite(path, err);
  }
}

/** A stream to `path` for large outputs: `commit()` renames it into place; `abort()` removes what was written. */
export interface OutputStream {
  stream: WriteStream;
  /** Writes one chunk with secrets redacted, honouring back-pressure. */
  write(text: string): Promise<void>;
  commit(): Promise<void>;
  abort(): void;
}

export async function openOutputStream(path: string): Promise<OutputStream> {
  const temp = tempNameOf(path);
  const stream = createWriteStream(temp, { flags: 'wx' });
  try {
    await once(stream, 'open');
  } catch (err) {
    throw cannotWrite(path, err);
  }
  // A write error (a full disk) or a write still queued when abort() destroys the stream arrives as an 'error'
  // event; kept here, so it fails the next write or the commit instead of crashing the process as an unhandled event.
  let failure: Error | undefined;
  stream.on('error', (err) => {
    failure ??= err;
  });
  return {
    stream,
    async write(text) {
      if (failure) throw cannotWrite(path, failure);
      if (stream.write(redact(text))) return;
      try {
        await once(stream, 'drain');
      } catch (err) {
        throw cannotWrite(path, err);
      }
    },
    async commit() {
      try {
        if (failure) throw failure;
        await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
        const fd = openSync(temp, 'r');
        try {
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        renameSync(temp, path);
      } catch (err) {
        rmSync(temp, { force: true });
        throw cannotWrite(path, err);
      }
    },
    abort() {
      stream.destroy();
      rmSync(temp, { force: true });
    },
  };
}
