/**
 * A replayable slice of the Hub: repo bodies exactly as the API returns them (GET /api/models/{id} shape), owners,
 * renames and file contents. File listings (`/tree`) are derived from each body's `siblings` and the contents, the
 * way the Hub derives them from git: sizes, git blob ids and LFS sha256 are computed, never hand-written.
 */
import { createHash } from 'node:crypto';
import { fillerBytes, gitObjectId } from '../../pipeline/replay.ts';

export type Json = Record<string, unknown>;
export type ReplayRepoType = 'model' | 'dataset' | 'space';

/** A file's content: literal text, base64 bytes, a named builder (pickles, zips…), or filler of a size. */
export type FileContent = { text: string } | { base64: string } | { build: string; args?: unknown[] } | { size: number };

export interface UniverseData {
  models?: Json[];
  datasets?: Json[];
  spaces?: Json[];
  /** Owner name → user or org (answers /api/organizations|users/{name}/overview). */
  owners?: Record<string, 'user' | 'org'>;
  /** Old id → new id; requests for the old id get a 307 to the new one. */
  renames?: { type: ReplayRepoType; from: string; to: string }[];
  /** `models/<id>/<path>`, `datasets/<id>/<path>`, `spaces/<id>/<path>` → content. */
  files?: Record<string, FileContent>;
  /** Page size of list endpoints (the Hub's is larger; small pages exercise `Link: rel="next"`). */
  pageSize?: number;
  /** The public Hub whose pages this sample imitates: an ingest of it links there, not to the replay's local port. */
  imitates?: string;
}

export type Builders = Record<string, (...args: never[]) => Uint8Array>;

export interface TreeEntry {
  type: 'file';
  oid: string;
  size: number;
  path: string;
  lfs?: { oid: string; size: number; pointerSize: number };
}

const LFS_EXT = /\.(bin|safetensors|pt|pth|pkl|pickle|ckpt|gguf|onnx|h5|msgpack|joblib|npy|npz|zip|parquet|arrow|tflite|mlmodel|dat)$/i;

export const typeDir = (t: ReplayRepoType) => `${t}s`;

export class Universe {
  private readonly repos: Record<ReplayRepoType, Map<string, Json>> = { model: new Map(), dataset: new Map(), space: new Map() };
  private readonly bytesCache = new Map<string, Uint8Array>();
  readonly owners: Record<string, 'user' | 'org'>;
  readonly renames: NonNullable<UniverseData['renames']>;
  readonly pageSize: number;
  readonly imitates?: string;

  constructor(
    private readonly data: UniverseData,
    private readonly builders: Builders = {},
  ) {
    for (const [type, list] of [['model', data.models], ['dataset', data.datasets], ['space', data.spaces]] as const) {
      for (const body of list ?? []) this.repos[type].set(String(body.id), body);
    }
    this.owners = data.owners ?? {};
    this.renames = data.renames ?? [];
    if (data.imitates !== undefined) this.imitates = data.imitates;
    this.pageSize = data.pageSize ?? 100;
  }

  repo(type: ReplayRepoType, id: string): Json | undefined {
    return this.repos[type].get(id);
  }

  /** Replace or add a repo body (tests change a sha between runs). */
  setRepo(type: ReplayRepoType, body: Json): void {
    this.repos[type].set(String(body.id), body);
  }

  list(type: ReplayRepoType): Json[] {
    return [...this.repos[type].values()].sort((a, b) => String(a.id).localeCompare(String(b.id)));
  }

  renamed(type: ReplayRepoType, id: string): string | undefined {
    return this.renames.find((r) => r.type === type && r.from === id)?.to;
  }

  /** The bytes of one file, or undefined when the repo has no such file. */
  fileBytes(type: ReplayRepoType, id: string, path: string): Uint8Array | undefined {
    const body = this.repo(type, id);
    const sibling = siblings(body).find((s) => s.rfilename === path);
    if (!sibling) return undefined;
    const k = `${typeDir(type)}/${id}/${path}`;
    let bytes = this.bytesCache.get(k);
    if (!bytes) {
      bytes = this.materialise(this.data.files?.[k], sibling, k);
      this.bytesCache.set(k, bytes);
    }
    return bytes;
  }

  tree(type: ReplayRepoType, id: string): TreeEntry[] {
    return siblings(this.repo(type, id)).map((s) => {
      const bytes = this.fileBytes(type, id, s.rfilename)!;
      const size = bytes.length;
      if (LFS_EXT.test(s.rfilename)) {
        const sha256 = createHash('sha256').update(bytes).digest('hex');
        const pointer = `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256}\nsize ${size}\n`;
        return { type: 'file', oid: gitBlobId(Buffer.from(pointer)), size, path: s.rfilename, lfs: { oid: sha256, size, pointerSize: pointer.length } };
      }
      return { type: 'file', oid: gitBlobId(bytes), size, path: s.rfilename };
    });
  }

  private materialise(content: FileContent | undefined, sibling: { size?: unknown }, k: string): Uint8Array {
    if (!content) {
      const size = typeof sibling.size === 'number' ? sibling.size : 64;
      return fillerBytes(k, size);
    }
    if ('text' in content) return new TextEncoder().encode(content.text);
    if ('base64' in content) return new Uint8Array(Buffer.from(content.base64, 'base64'));
    if ('size' in content) return fillerBytes(k, content.size);
    const build = this.builders[content.build];
    if (!build) throw new Error(`replay universe: no builder "${content.build}" for ${k}`);
    return (build as (...a: unknown[]) => Uint8Array)(...(content.args ?? []));
  }
}

function siblings(body: Json | undefined): { rfilename: string; size?: unknown }[] {
  const s = body?.siblings;
  return Array.isArray(s) ? s.filter((x): x is { rfilename: string } => typeof x === 'object' && x !== null && typeof (x as Json).rfilename === 'string') : [];
}

const gitBlobId = (bytes: Uint8Array) => gitObjectId('blob', bytes);
