/**
 * An OSV export read from disk: a directory of `<id>.json` records (any depth), or a zip such as the per-ecosystem
 * `all.zip` archives, read entry by entry with yauzl. Each record is bounded in size; a file that is not a JSON
 * object with an `id` is a warning naming the file, and reading goes on.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import yauzl from 'yauzl';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export const MAX_EXPORT_RECORD_BYTES = 16 * 1024 * 1024;
/** More records than any ecosystem has (PyPI's all.zip holds tens of thousands). */
export const MAX_EXPORT_RECORDS = 2_000_000;

export class ExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportError';
  }
}

export interface ExportRead {
  records: Json[];
  warnings: { file: string; message: string }[];
}

function accept(text: string, file: string, out: ExportRead): void {
  try {
    const record = JSON.parse(text) as unknown;
    if (isObject(record) && typeof record.id === 'string') out.records.push(record);
    else out.warnings.push({ file, message: 'not an OSV record (no id)' });
  } catch (err) {
    out.warnings.push({ file, message: `not JSON (${(err as Error).message.slice(0, 100)})` });
  }
  if (out.records.length > MAX_EXPORT_RECORDS) throw new ExportError(`more than ${MAX_EXPORT_RECORDS} records`);
}

async function readDir(root: string, out: ExportRead): Promise<void> {
  for (const entry of await readdir(root, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.json')) continue;
    const path = join(entry.parentPath, entry.name);
    const size = (await stat(path)).size;
    if (size > MAX_EXPORT_RECORD_BYTES) out.warnings.push({ file: path.slice(root.length + 1), message: `${size} bytes is over the record limit` });
    else accept(await readFile(path, 'utf8'), path.slice(root.length + 1), out);
  }
}

function readZip(path: string, out: ExportRead): Promise<void> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: true, strictFileNames: false, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) return reject(new ExportError(`${path} is not a readable zip: ${err?.message ?? 'unknown error'}`));
      zip.on('error', (e: Error) => reject(new ExportError(`${path}: ${e.message}`)));
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName.endsWith('/') || !entry.fileName.endsWith('.json')) return zip.readEntry();
        if (entry.uncompressedSize > MAX_EXPORT_RECORD_BYTES) {
          out.warnings.push({ file: entry.fileName, message: `${entry.uncompressedSize} bytes is over the record limit` });
          return zip.readEntry();
        }
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) {
            out.warnings.push({ file: entry.fileName, message: `unreadable entry: ${e?.message ?? 'unknown error'}` });
            return zip.readEntry();
          }
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', (se: Error) => {
            out.warnings.push({ file: entry.fileName, message: `unreadable entry: ${se.message}` });
            zip.readEntry();
          });
          stream.on('end', () => {
            try {
              accept(Buffer.concat(chunks).toString('utf8'), entry.fileName, out);
            } catch (ae) {
              return reject(ae);
            }
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

export async function readExport(path: string): Promise<ExportRead> {
  const out: ExportRead = { records: [], warnings: [] };
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new ExportError(`${path} does not exist`);
  }
  if (info.isDirectory()) await readDir(path, out);
  else await readZip(path, out);
  return out;
}
