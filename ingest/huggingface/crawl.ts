/**
 * The Hub crawl: from seeds (repos or an author) along lineage — base models up to the root, models trained on a
 * dataset, descendants to N levels, the Spaces serving a model — reading each repo fully (info, files, card,
 * owner, scans) before it is written as one scope. A repo whose sha equals the `syncedSha` already in the graph (and
 * whose recorded page is on the Hub this run links to) is not re-read or re-written, but its lineage is still followed,
 * so a resumed crawl reaches what a clean one does.
 */
import PQueue from 'p-queue';
import type { EdgeRecord, RecordBatch } from '../../schema/records.ts';
import { StoreError, type GraphStore } from '../../schema/store.ts';
import { ValidationError } from '../../schema/validate.ts';
import { KeyError } from '../../schema/keys.ts';
import { isTransportFault } from '../pipeline/faults.ts';
import type { ScopeWriter } from '../pipeline/sync.ts';
import { printable, type WarningLog } from '../pipeline/warnings.ts';
import { parseCardFrontMatter } from './card.ts';
import { HubApiError, InvalidApiResponseFormatError, type HubClient, type ListedRepo } from './client.ts';
import { fileFacts } from '../scan/file-facts.ts';
import type { Json } from '../pipeline/fields.ts';
import { edge, type MapContext, type RepoMapping } from './map-common.ts';
import { mapDataset } from './map-dataset.ts';
import { mapFiles, treeFiles } from './map-files.ts';
import { mapModel, type ModelMapping } from './map-model.ts';
import { mapOwner } from './map-owner.ts';
import { mapSpace, type SpaceMapping } from './map-space.ts';
import { identityKey, isValidOwnerName, ownerOf, refFromData, refLabel, refOfKey, repoKey, webUrl, type OwnerType, type RepoRef, type RepoType } from './refs.ts';

export interface CrawlOptions {
  /** Where the repos' pages are: records link there (the endpoint read, or the Hub a replay or proxy serves). */
  webUrl: string;
  descendants: number;
  scanPickles: boolean;
  maxScanBytes: number;
  maxRepos: number;
  /** Repos processed at once (HTTP concurrency is bounded separately). */
  repoConcurrency: number;
  maxFilesPerRepo?: number;
}

/**
 * A repo to crawl as a seed (its lineage, descendants and Spaces, as `ingest hf` asks), one that another source
 * found referenced (`referenced`: read with its ancestors, like a base model; a 404 is recorded as missing), or every
 * repo of an author.
 */
export type Seed = { ref: RepoRef; referenced?: boolean } | { author: string };

export type RepoOutcome = 'read' | 'unchanged' | 'missing' | 'failed';

export interface CrawlCounts {
  repos: Record<RepoType, Record<RepoOutcome, number>>;
  /** Seeds that could not be read (exit 3). */
  seedFailures: { repo: string; message: string }[];
}

/** What the crawl needs to keep following a repo's lineage, from a fresh read or from the graph. */
interface Lineage {
  ref: RepoRef;
  bases: RepoRef[];
  spaces: RepoRef[];
  models: RepoRef[];
  datasets: RepoRef[];
}

interface Want {
  /** Levels of descendants still to list (models, and models trained on a dataset). */
  descendants: number;
  /** Follow base models up to the root. */
  up: boolean;
  /** Visit the Spaces that use the model. */
  spaces: boolean;
  /** Seed: list models trained on a dataset; visit the models/datasets a Space uses. */
  expand: boolean;
  seed: boolean;
  listed?: ListedRepo;
}

interface Entry {
  want: Want;
  lineage: Promise<Lineage | undefined>;
}

/**
 * What reading a repo in a read slot gives: its lineage, or — for an old name whose new name another entry reads —
 * that entry's lineage to wait for once the slot is free. Waiting inside the slot deadlocked a run in which old
 * names held every slot while the read they waited for sat queued behind them.
 */
type RepoRead = Lineage | undefined | { sameAs: Promise<Lineage | undefined> };

const README = /^readme\.md$/i;
const MAX_README_BYTES = 512 * 1024;

export class HubCrawler {
  readonly counts: CrawlCounts = {
    repos: {
      model: { read: 0, unchanged: 0, missing: 0, failed: 0 },
      dataset: { read: 0, unchanged: 0, missing: 0, failed: 0 },
      space: { read: 0, unchanged: 0, missing: 0, failed: 0 },
    },
    seedFailures: [],
  };
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly repoQueue: PQueue;
  private readonly ownerTypes = new Map<string, Promise<OwnerType | undefined>>();
  private fatal: unknown;
  private capWarned = false;
  done = 0;

  constructor(
    private readonly client: HubClient,
    private readonly store: GraphStore,
    private readonly writer: ScopeWriter,
    private readonly warnings: WarningLog,
    private readonly opts: CrawlOptions,
    private readonly onProgress: (done: number, total: number) => void = () => undefined,
  ) {
    this.repoQueue = new PQueue({ concurrency: Math.max(1, opts.repoConcurrency) });
  }

  async run(seeds: Seed[]): Promise<void> {
    for (const seed of seeds) {
      if ('ref' in seed) this.visit(seed.ref, seed.referenced ? { descendants: 0, up: seed.ref.type === 'model', spaces: false, expand: false, seed: false } : this.seedWant(seed.ref.type));
      else this.track(this.crawlAuthor(seed.author));
    }
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
    if (this.fatal) throw this.fatal;
  }

  private seedWant(type: RepoType, listed?: ListedRepo): Want {
    return { descendants: this.opts.descendants, up: type === 'model', spaces: type === 'model', expand: true, seed: true, ...(listed ? { listed } : {}) };
  }

  private track<T>(p: Promise<T>): Promise<T> {
    const t = p.catch((err) => {
      this.fail(err);
      return undefined;
    }) as Promise<T>;
    this.inflight.add(t);
    void t.finally(() => this.inflight.delete(t));
    return t;
  }

  /** A store failure ends the run; anything else was already turned into a warning on its repo. */
  private fail(err: unknown): void {
    this.fatal ??= err;
  }

  private async crawlAuthor(author: string): Promise<void> {
    const limit = this.opts.maxRepos;
    for (const type of ['model', 'dataset', 'space'] as const) {
      let listed: ListedRepo[];
      try {
        listed = await this.client.reposOf(type, author, limit);
      } catch (err) {
        this.counts.seedFailures.push({ repo: `author ${author}`, message: describe(err) });
        this.warnings.add(`author ${author}`, `could not list ${type}s: ${describe(err)}`);
        continue;
      }
      for (const l of listed) {
        const ref = refFromData(type, l.id);
        if (ref) this.visit(ref, this.seedWant(type, l));
      }
    }
  }

  /** Schedule a repo (once per run; again only to follow more of its lineage than before). */
  private visit(ref: RepoRef, want: Want): void {
    if (this.fatal) return;
    const key = repoKey(ref);
    const entry = this.entries.get(key);
    if (entry) {
      const more = want.descendants > entry.want.descendants || (want.up && !entry.want.up) || (want.spaces && !entry.want.spaces) || (want.expand && !entry.want.expand);
      if (!more) return;
      const merged: Want = {
        ...entry.want,
        descendants: Math.max(want.descendants, entry.want.descendants),
        up: want.up || entry.want.up,
        spaces: want.spaces || entry.want.spaces,
        expand: want.expand || entry.want.expand,
      };
      entry.want = merged;
      this.track(entry.lineage.then((lin) => (lin ? this.follow(lin, want) : undefined)));
      return;
    }
    if (this.entries.size >= this.opts.maxRepos) {
      if (!this.capWarned) {
        this.capWarned = true;
        this.warnings.add('(run)', `--max-repos ${this.opts.maxRepos} reached; further repos were not crawled and stay stubs`);
      }
      return;
    }
    const read = this.repoQueue.add(() => this.readRepo(ref, want)) as Promise<RepoRead>;
    const lineage = read.then((r) => (r && 'sameAs' in r ? r.sameAs : r));
    const e: Entry = { want, lineage };
    this.entries.set(key, e);
    this.onProgress(this.done, this.entries.size);
    this.track(
      lineage.then((lin) => {
        this.done++;
        this.onProgress(this.done, this.entries.size);
        return lin ? this.follow(lin, e.want) : undefined;
      }),
    );
  }

  /** Schedule what a repo leads to. */
  private async follow(lin: Lineage, want: Want): Promise<void> {
    const { ref } = lin;
    if (ref.type === 'model') {
      if (want.up) for (const b of lin.bases) this.visit(b, { descendants: 0, up: true, spaces: false, expand: false, seed: false });
      if (want.spaces) for (const s of lin.spaces) this.visit(s, { descendants: 0, up: false, spaces: false, expand: false, seed: false });
      if (want.descendants > 0) {
        const children = await this.listTagged(ref, `base_model:${ref.id}`);
        for (const c of children) {
          const child = refFromData('model', c.id);
          if (child) this.visit(child, { descendants: want.descendants - 1, up: true, spaces: want.spaces, expand: false, seed: false, listed: c });
        }
      }
    } else if (ref.type === 'dataset' && want.expand) {
      const trained = await this.listTagged(ref, `dataset:${ref.id}`);
      for (const m of trained) {
        const model = refFromData('model', m.id);
        if (model) this.visit(model, { descendants: want.descendants, up: true, spaces: true, expand: false, seed: false, listed: m });
      }
    } else if (ref.type === 'space' && want.expand) {
      for (const m of lin.models) this.visit(m, { descendants: 0, up: true, spaces: false, expand: false, seed: false });
      for (const d of lin.datasets) this.visit(d, { descendants: 0, up: false, spaces: false, expand: false, seed: false });
    }
  }

  private async listTagged(ref: RepoRef, tag: string): Promise<ListedRepo[]> {
    try {
      return await this.client.modelsTagged(tag, this.opts.maxRepos);
    } catch (err) {
      this.warnings.add(refLabel(ref), `could not list models tagged ${tag}: ${describe(err)}`);
      return [];
    }
  }

  /** Read one repo fully and write it as one scope; returns its lineage, or undefined if it could not be read. */
  private async readRepo(requested: RepoRef, want: Want): Promise<RepoRead> {
    const key = repoKey(requested);
    const label = refLabel(requested);
    try {
      const [existing] = await this.store.getNodes([key]);
      const synced = existing && !existing.props.stub ? existing.props.syncedSha : undefined;
      const scanOk = !this.opts.scanPickles || existing?.props.pickleScan === true;
      // Records whose pages are another Hub's (an earlier read through another address) are read again, so links follow.
      const pagesOk = existing?.props.url === webUrl(this.opts.webUrl, requested);
      if (want.listed?.sha && synced === want.listed.sha && scanOk && pagesOk) {
        this.counts.repos[requested.type].unchanged++;
        return await this.lineageFromGraph(requested);
      }
      const info = await this.client.info(requested);
      if (info.status === 'missing') {
        this.counts.repos[requested.type].missing++;
        if (want.seed) {
          this.counts.seedFailures.push({ repo: label, message: `not found on the Hub (HTTP ${info.httpStatus})` });
          return undefined;
        }
        this.warnings.add(label, `not found on the Hub (HTTP ${info.httpStatus}); recorded as missing`);
        await this.writer.commitScope(key, {
          nodes: [{ kind: kindOf(requested.type), key, props: { name: requested.id, url: webUrl(this.opts.webUrl, requested), missing: true } }],
          edges: [],
        });
        return undefined;
      }
      const ctx: MapContext = { hubUrl: this.opts.webUrl, requested };
      let mapping = mapRepo(requested.type, info.body, ctx);
      const ref = mapping.ref;
      const canonicalKey = repoKey(ref);
      if (canonicalKey !== key) {
        await this.recordRename(requested, ref);
        const other = this.entries.get(canonicalKey);
        if (other) return { sameAs: other.lineage };
        this.entries.set(canonicalKey, { want, lineage: this.entries.get(key)?.lineage ?? Promise.resolve(undefined) });
      }
      const [canonicalNode] = canonicalKey === key ? [existing] : await this.store.getNodes([canonicalKey]);
      const canonicalScanOk = !this.opts.scanPickles || canonicalNode?.props.pickleScan === true;
      const canonicalPagesOk = canonicalNode?.props.url === mapping.node.props?.url;
      if (mapping.sha && canonicalNode && !canonicalNode.props.stub && canonicalNode.props.syncedSha === mapping.sha && canonicalScanOk && canonicalPagesOk) {
        this.counts.repos[requested.type].unchanged++;
        return lineageOf(mapping);
      }
      const batch = await this.readRest(ref, info.body, ctx, mapping, (m) => (mapping = m));
      await this.writer.commitScope(canonicalKey, batch);
      for (const w of mapping.warnings) this.warnings.add(refLabel(ref), w);
      this.counts.repos[requested.type].read++;
      return lineageOf(mapping);
    } catch (err) {
      if (err instanceof StoreError) throw err;
      if (err instanceof ValidationError) {
        // Upstream data that maps to records the graph refuses: that repo is skipped whole, the run goes on.
        this.counts.repos[requested.type].failed++;
        this.warnings.add(label, `upstream data gave invalid records, repo not written: ${err.problems.slice(0, 3).join('; ')}`);
        return undefined;
      }
      if (!isUpstreamFault(err)) throw err;
      this.counts.repos[requested.type].failed++;
      const message = `could not read: ${describe(err)}; left as it was`;
      this.warnings.add(label, message);
      if (want.seed) this.counts.seedFailures.push({ repo: label, message });
      return undefined;
    }
  }

  /** Files, card (when the Hub gave none), owner and scans: everything the repo's scope holds besides its node. */
  private async readRest(ref: RepoRef, body: Json, ctx: MapContext, first: RepoMapping, setMapping: (m: RepoMapping) => void): Promise<RecordBatch> {
    let mapping = first;
    const key = repoKey(ref);
    const sha = mapping.sha ?? 'main';
    const tree = await this.client.tree(ref, sha, this.opts.maxFilesPerRepo ?? 10_000);
    const warn = (m: string) => mapping.warnings.push(m);
    if (tree.cut) warn(tree.cut);
    const files = treeFiles(tree.entries, warn);
    const readme = files.find((f) => README.test(f.path));
    if (!mapping.hasCard && readme && readme.size <= MAX_README_BYTES) {
      const text = await this.client.text(ref, sha, readme.path, MAX_README_BYTES);
      const card = text === undefined ? ({ kind: 'none' } as const) : parseCardFrontMatter(text);
      if (card.kind === 'invalid') warn(`${card.problem}; card ignored, the rest of the repo was read`);
      else if (card.kind === 'ok') {
        const earlier = mapping.warnings;
        mapping = mapRepo(ref.type, body, ctx, card.data);
        mapping.warnings.unshift(...earlier.filter((w) => !mapping.warnings.includes(w)));
        setMapping(mapping);
      }
    }
    const facts = await fileFacts(files, {
      scanPickles: this.opts.scanPickles,
      maxScanBytes: this.opts.maxScanBytes,
      open: (path, size) => this.client.rangeReader(ref, sha, path, size),
    });
    const fileBatch = mapFiles(ref, key, sha, files, facts);
    const node = { ...mapping.node, props: { ...mapping.node.props, pickleScan: this.opts.scanPickles } };
    const nodes = [node, ...fileBatch.nodes];
    const edges: EdgeRecord[] = [...mapping.edges, ...fileBatch.edges];
    // The owner is part of the repo id; an `author` field that is not a valid owner name must not become a key.
    if (mapping.author !== undefined && !isValidOwnerName(mapping.author)) {
      warn(`field "author" "${mapping.author.slice(0, 80)}" is not a Hub owner name; the owner is taken from the repo id`);
    }
    const author = (mapping.author !== undefined && isValidOwnerName(mapping.author) ? mapping.author : undefined) ?? ownerOf(ref);
    if (author) {
      const type = await this.ownerType(author);
      if (type) {
        const owner = mapOwner(author, type, key, this.opts.webUrl);
        nodes.push(...owner.nodes);
        edges.push(...owner.edges);
      } else {
        mapping.warnings.push(`could not tell whether owner "${author}" is a user or an organisation; no owner edge written`);
      }
    }
    return { nodes, edges };
  }

  /** The old name keeps a node that names the canonical id, linked to it so lineage through the old name holds. */
  private async recordRename(from: RepoRef, to: RepoRef): Promise<void> {
    const key = repoKey(from);
    const batch: RecordBatch = {
      nodes: [{ kind: kindOf(from.type), key, props: { name: from.id, url: webUrl(this.opts.webUrl, from), canonicalId: to.id } }],
      edges: [],
    };
    if (from.type === to.type && (from.type === 'model' || from.type === 'dataset')) {
      batch.edges.push(edge('DERIVED_FROM', key, repoKey(to), 'redirect:307', { props: { relation: 'unknown', redirect: true } }));
    }
    await this.writer.commitScope(key, batch);
    this.warnings.add(refLabel(from), `renamed on the Hub to ${to.id}; recorded as canonicalId`);
  }

  private ownerType(author: string): Promise<OwnerType | undefined> {
    let p = this.ownerTypes.get(author);
    if (!p) {
      p = (async () => {
        const known = await this.store.getNodes([identityKey(author, 'org'), identityKey(author, 'user')]);
        const hit = known.find((n) => !n.props.stub && (n.props.type === 'org' || n.props.type === 'user'));
        if (hit) return hit.props.type as OwnerType;
        try {
          return await this.client.ownerType(author);
        } catch {
          return undefined;
        }
      })();
      this.ownerTypes.set(author, p);
    }
    return p;
  }

  /** Lineage of a repo we did not re-read: what its last full read wrote (its own edges and node). */
  private async lineageFromGraph(ref: RepoRef): Promise<Lineage> {
    const key = repoKey(ref);
    const [node] = await this.store.getNodes([key]);
    const out = await this.store.expand({ keys: [key], direction: 'out', edgeKinds: ['DERIVED_FROM', 'SERVES', 'USES'] });
    const pick = (kind: string) =>
      out.filter((e) => e.kind === kind && e.source === 'hf').map((e) => refOfKey(e.to)).filter((r): r is RepoRef => !!r);
    const spaces = Array.isArray(node?.props.usedBySpaces) ? node.props.usedBySpaces : [];
    return {
      ref,
      bases: pick('DERIVED_FROM'),
      spaces: spaces.map((s) => refFromData('space', s)).filter((r): r is RepoRef => !!r),
      models: pick('SERVES'),
      datasets: pick('USES'),
    };
  }
}

/** What a hostile or broken upstream can make a read throw: that repo fails with a warning, the run goes on. */
function isUpstreamFault(err: unknown): boolean {
  return err instanceof HubApiError || err instanceof InvalidApiResponseFormatError || err instanceof KeyError || isTransportFault(err);
}

function mapRepo(type: RepoType, body: Json, ctx: MapContext, card?: Json): RepoMapping {
  return type === 'model' ? mapModel(body, ctx, card) : type === 'dataset' ? mapDataset(body, ctx, card) : mapSpace(body, ctx, card);
}

function lineageOf(m: RepoMapping): Lineage {
  const model = m as Partial<ModelMapping>;
  const space = m as Partial<SpaceMapping>;
  return {
    ref: m.ref,
    bases: model.bases?.map((b) => b.ref) ?? [],
    spaces: model.spaces ?? [],
    models: space.models ?? [],
    datasets: space.datasets ?? [],
  };
}

function kindOf(type: RepoType): 'Model' | 'Dataset' | 'Endpoint' {
  return type === 'model' ? 'Model' : type === 'dataset' ? 'Dataset' : 'Endpoint';
}

/** An error as one printable line; a Hub error's message is upstream text, so it is cleaned and cut. */
export function describe(err: unknown): string {
  if (err instanceof HubApiError) return `HTTP ${err.statusCode}${err.message ? ` (${printable(String(err.message).split('.')[0]!, 120)})` : ''}`;
  if (err instanceof DOMException && err.name === 'TimeoutError') return 'timed out while reading the response';
  return printable(err instanceof Error ? String(err.message).split('\n')[0]! : String(err), 300);
}
