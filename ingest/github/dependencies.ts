/**
 * A repository's package dependencies at its head commit: GitHub's dependency-graph SBOM
 * (`GET /repos/{o}/{r}/dependency-graph/sbom`, SPDX 2.3); where the dependency graph is disabled (404), not
 * readable with this token (403) or the answer is no SPDX document, a warning and the fallback: the manifests and
 * lockfiles of the tree already read (`requirements*.txt`, `pyproject.toml`, `poetry.lock`, `package.json`,
 * `package-lock.json`, …), bounded like the other files read.
 */
import PQueue from 'p-queue';
import type { RecordBatch } from '../../schema/records.ts';
import type { GitHubClient } from './client.ts';
import { readBlob } from './code.ts';
import { mapDependencySbom, mapManifestDependencies, Spdx2ReadError, unpinnedNote, type DependencyMapping, type ManifestText } from './map-dependencies.ts';
import type { RepoIdentity } from './map-repo.ts';
import type { TreeBlob } from './tree.ts';

export interface DependenciesRead {
  batch: RecordBatch;
  warnings: string[];
  /** Where the dependencies came from. */
  from: 'sbom' | 'manifests';
  unpinned: number;
}

const BLOBS_AT_ONCE = 8;

export async function readDependencies(
  client: GitHubClient,
  id: RepoIdentity,
  code: { blobs: ReadonlyMap<string, Uint8Array>; manifests: readonly TreeBlob[] },
  o: { maxFileBytes: number },
): Promise<DependenciesRead> {
  const warnings: string[] = [];
  const answer = await client.get('GET /repos/{owner}/{repo}/dependency-graph/sbom', { owner: id.owner, repo: id.name }, { allow: [403, 404] });
  let mapped: DependencyMapping | undefined;
  let from: DependenciesRead['from'] = 'sbom';
  if (answer.kind === 'ok') {
    try {
      mapped = mapDependencySbom(id.key, answer.data);
    } catch (err) {
      if (!(err instanceof Spdx2ReadError)) throw err;
      warnings.push(`dependency-graph SBOM is not an SPDX 2 document (${err.message}); dependencies read from the manifests in the tree instead`);
    }
  } else {
    const why = answer.kind === 'error' ? `HTTP ${answer.status}: ${answer.message}` : 'no body';
    warnings.push(`dependency graph not readable (${why}: disabled, or the token lacks access); dependencies read from the manifests in the tree instead`);
  }
  if (!mapped) {
    from = 'manifests';
    mapped = mapManifestDependencies(id.key, await manifestTexts(client, id, code, o, warnings));
  }
  warnings.push(...mapped.warnings);
  const note = unpinnedNote(mapped.unpinned);
  if (note) warnings.push(note);
  return { batch: { nodes: [], edges: mapped.edges }, warnings, from, unpinned: mapped.unpinned.length };
}

/** The manifests' text: blobs the code part read already, the others read now (within the size bound). */
async function manifestTexts(client: GitHubClient, id: RepoIdentity, code: { blobs: ReadonlyMap<string, Uint8Array>; manifests: readonly TreeBlob[] }, o: { maxFileBytes: number }, warnings: string[]): Promise<ManifestText[]> {
  const out: ManifestText[] = [];
  const queue = new PQueue({ concurrency: BLOBS_AT_ONCE });
  const decode = (bytes: Uint8Array) => new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  await Promise.all(
    code.manifests.map((m) =>
      queue.add(async () => {
        if (m.size > o.maxFileBytes) {
          warnings.push(`${m.path}: ${m.size} bytes is over --max-file-bytes ${o.maxFileBytes}; its dependencies were not read`);
          return;
        }
        const known = code.blobs.get(m.path);
        const bytes = known ?? (await readBlob(client, id, m));
        if (typeof bytes === 'string') warnings.push(`${m.path}: ${bytes}`);
        else out.push({ path: m.path, text: decode(bytes) });
      }),
    ),
  );
  return out;
}
