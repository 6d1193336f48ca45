/**
 * One model's artifacts, read through the tracking server's artifact API: the file listing (directories walked, so
 * a transformers model's `model/` and `components/` are seen), the `MLmodel` file, its environment files
 * (requirements.txt, conda.yaml, python_env.yaml), and a scan of every file whose loading may run code — the file
 * facts the Hub source uses too (ingest/scan/file-facts.ts, over the scanner's scanRange), reading byte ranges,
 * never the whole of a large file. A failed read is a warning
 * or an `error` verdict on that file; only a missing model (the artifact tree is gone) is said so to the caller.
 */
import { detectFormatByName } from '../scan/index.ts';
import { isRepoPath } from '../pipeline/repo-path.ts';
import { fileFacts, type FileFacts } from '../scan/file-facts.ts';
import { MlflowApiError, type ArtifactEntry, type ArtifactRoot, type MlflowClient } from './client.ts';
import { parseMlmodel, type MlmodelFacts } from './mlmodel.ts';

export interface ArtifactFile {
  path: string;
  size?: number;
}

export interface ManifestText {
  path: string;
  text: string;
}

export interface ArtifactsRead {
  files: ArtifactFile[];
  mlmodel?: MlmodelFacts;
  /** requirements.txt, conda.yaml, python_env.yaml, as read. */
  manifests: ManifestText[];
  facts: Map<string, FileFacts>;
  warnings: string[];
}

export interface ArtifactOptions {
  scan: boolean;
  maxScanBytes: number;
  /** Files recorded per model; past it the listing stops (with a warning). */
  maxFiles?: number;
}

const MAX_TEXT_BYTES = 1024 * 1024;
const MAX_DEPTH = 8;
const MAX_LISTINGS = 200;
/** Text the ingestor reads whole, or that never unpickles: not worth a scan request even without an extension. */
const TEXT_NAMES = /(^|\/)(MLmodel|LICENSE|README)$|\.(ya?ml|txt|json|md|py|cfg|ini|toml|csv)$/i;
const ENV_FILE_DEFAULTS = ['requirements.txt'];

export async function readArtifacts(client: MlflowClient, root: ArtifactRoot, opts: ArtifactOptions): Promise<ArtifactsRead> {
  const warnings: string[] = [];
  const files = await listAll(client, root, opts.maxFiles ?? 2000, warnings);
  const byPath = new Map(files.map((f) => [f.path, f]));
  const read: ArtifactsRead = { files, manifests: [], facts: new Map(), warnings };

  if (byPath.has('MLmodel')) {
    try {
      const parsed = parseMlmodel(await client.artifactText(root, 'MLmodel', MAX_TEXT_BYTES));
      if (parsed.ok) {
        read.mlmodel = parsed.facts;
        warnings.push(...parsed.warnings);
      } else warnings.push(`${parsed.problem}; flavors, base model and weights from it are not recorded`);
    } catch (err) {
      warnings.push(`MLmodel could not be read: ${describe(err)}`);
    }
  } else if (files.length) warnings.push('the model has no MLmodel file at its root; flavors and base model are unknown');
  else warnings.push('its artifact directory lists no files (removed from the artifact store?); files, MLmodel and requirements are not recorded');

  for (const path of [...new Set([...ENV_FILE_DEFAULTS, ...(read.mlmodel?.envFiles ?? [])])]) {
    if (!byPath.has(path)) continue;
    try {
      read.manifests.push({ path, text: await client.artifactText(root, path, MAX_TEXT_BYTES) });
    } catch (err) {
      warnings.push(`${path} could not be read: ${describe(err)}`);
    }
  }

  // Text read whole or never unpickled is not worth a scan request, even when its name has no extension (MLmodel).
  const scanned = files.filter((f) => !TEXT_NAMES.test(f.path)).map((f) => ({ path: f.path, size: f.size ?? 0 }));
  const facts = await fileFacts(scanned, {
    scanPickles: opts.scan,
    maxScanBytes: opts.maxScanBytes,
    open: async (path, size) => client.rangeReader(root, path, size, opts.maxScanBytes),
  });
  for (const f of files) read.facts.set(f.path, facts.get(f.path) ?? { format: detectFormatByName(f.path), formatSource: 'name' });
  return read;
}

/** Every file under the root, directories walked breadth-first, bounded in files, depth and listing calls. */
async function listAll(client: MlflowClient, root: ArtifactRoot, maxFiles: number, warnings: string[]): Promise<ArtifactFile[]> {
  const files: ArtifactFile[] = [];
  let dirs: string[] = [''];
  let listings = 0;
  let bad = 0;
  for (let depth = 0; dirs.length; depth++) {
    const next: string[] = [];
    for (const dir of dirs) {
      if (listings++ >= MAX_LISTINGS) {
        warnings.push(`more than ${MAX_LISTINGS} artifact directories; the rest are not listed`);
        return sorted(files);
      }
      let entries: ArtifactEntry[];
      try {
        entries = await client.listArtifacts(root, dir);
      } catch (err) {
        // The root itself missing is the caller's to say (the whole model is gone); a subdirectory is a warning.
        if (dir === '') throw err;
        warnings.push(`artifact directory ${dir} could not be listed: ${describe(err)}`);
        continue;
      }
      for (const e of entries) {
        if (!isRepoPath(e.path) || (dir && !e.path.startsWith(`${dir}/`))) {
          bad++;
          continue;
        }
        if (e.isDir) {
          if (depth + 1 < MAX_DEPTH) next.push(e.path);
          else warnings.push(`artifact directory ${e.path} is nested deeper than ${MAX_DEPTH} levels; not listed`);
          continue;
        }
        if (files.length >= maxFiles) {
          warnings.push(`more than ${maxFiles} artifact files; the rest are not recorded`);
          return sorted(files);
        }
        files.push({ path: e.path, ...(e.size !== undefined ? { size: e.size } : {}) });
      }
    }
    dirs = next;
  }
  if (bad) warnings.push(`the artifact listing has ${bad} entries with unsafe or misplaced paths; skipped`);
  return sorted(files);
}

const sorted = (files: ArtifactFile[]) => files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

export function describe(err: unknown): string {
  if (err instanceof MlflowApiError) return err.message;
  if (err instanceof DOMException && err.name === 'TimeoutError') return 'timed out while reading the response';
  return String(err instanceof Error ? err.message : err).split('\n')[0]!.slice(0, 300);
}
