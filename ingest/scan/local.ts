/**
 * Local files and directories: each file is read through positioned reads (a 10 GB checkpoint is never read
 * whole), directories are walked recursively in name order, and a symlink is followed only while its target stays
 * inside the root it was reached from. Errors on one file become that file's verdict; the walk goes on.
 */
import { closeSync, openSync, readSync, realpathSync, statSync, lstatSync, readdirSync } from 'node:fs';
import { basename, resolve, sep, join } from 'node:path';
import { scanRange, type ScanOptions, type ScanResult } from './scan.ts';
import { judgement } from './verdict.ts';
import { detectFormatByName } from './format.ts';
import { SCANNER_VERSION } from './classify.ts';

/** Scans one local file. Never throws. */
export async function scanLocalFile(path: string, opts: ScanOptions = {}, displayPath = path): Promise<ScanResult> {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const size = statSync(path).size;
    const handle = fd;
    return await scanRange(
      {
        path: displayPath,
        size,
        read: async (start, endInclusive) => {
          const out = new Uint8Array(endInclusive - start + 1);
          let got = 0;
          while (got < out.length) {
            const n = readSync(handle, out, got, out.length - got, start + got);
            if (n === 0) break;
            got += n;
          }
          return got === out.length ? out : out.subarray(0, got);
        },
      },
      opts,
    );
  } catch (err) {
    return {
      path: displayPath, size: 0, format: detectFormatByName(path), formatSource: 'name', recognisedBy: 'name', bytesRead: 0, scanner: SCANNER_VERSION,
      ...judgement('unscanned', 'error', `error: cannot read: ${(err as Error).message.split('\n')[0]}`),
    };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export interface WalkedFile {
  /** The path to open. */
  path: string;
  /** The path as reported: relative to the root given, joined to it. */
  display: string;
  /** The path under its root, `/`-separated (a root that is a file: its name). */
  relative: string;
}

export interface SkippedPath {
  path: string;
  reason: string;
}

/**
 * Files under each root (a root may itself be a file), in a stable order. A symlink whose real target leaves
 * the root is skipped with the reason, and so is anything neither a file nor a directory.
 */
export function walkLocal(roots: readonly string[], onSkip: (s: SkippedPath) => void): WalkedFile[] {
  const out: WalkedFile[] = [];
  for (const root of roots) {
    if (lstatSync(root, { throwIfNoEntry: false }) === undefined) {
      onSkip({ path: root, reason: 'no such file or directory' });
      continue;
    }
    let realRoot: string;
    try {
      realRoot = realpathSync(resolve(root));
    } catch (err) {
      onSkip({ path: root, reason: `cannot read: ${(err as Error).message.split('\n')[0]}` });
      continue;
    }
    const inside = (p: string) => p === realRoot || p.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep);
    const seen = new Set<string>();
    const visit = (path: string, display: string, relative: string): void => {
      let real: string;
      try {
        real = realpathSync(path);
      } catch (err) {
        return onSkip({ path: display, reason: `cannot read: ${(err as Error).message.split('\n')[0]}` });
      }
      if (!inside(real)) return onSkip({ path: display, reason: `symlink leaves ${root}` });
      if (seen.has(real)) return;
      seen.add(real);
      const st = statSync(real);
      if (st.isDirectory()) {
        const names = readdirSync(real).sort();
        for (const n of names) visit(join(path, n), join(display, n), relative ? `${relative}/${n}` : n);
      } else if (st.isFile()) out.push({ path: real, display, relative: relative || basename(path) });
      else onSkip({ path: display, reason: 'not a regular file' });
    };
    visit(resolve(root), root, '');
  }
  return out;
}

export interface LocalScan {
  file: WalkedFile;
  result: ScanResult;
}

/** Every file under the roots, scanned one after another (results in walk order). */
export async function* scanLocalPaths(roots: readonly string[], opts: ScanOptions, onSkip: (s: SkippedPath) => void): AsyncGenerator<LocalScan> {
  for (const file of walkLocal(roots, onSkip)) yield { file, result: await scanLocalFile(file.path, opts, file.display) };
}

