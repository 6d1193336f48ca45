/**
 * The registry crawl: from named packages (or every Package already in the graph) down their resolved dependency
 * trees, level by level to `maxDepth`. Each release is read once (cycles end there), written as its own scope
 * (node, maintainers, provenance); its dependency edges are a second scope, written after every requirement was
 * resolved against the dependency's version list — completely (stale edges then go) or partly (nothing removed).
 * A missing package, a range nothing satisfies, a yanked pin, malformed metadata or an upstream failure is a
 * warning naming the package; the run goes on.
 */
import PQueue from 'p-queue';
import type { EdgeRecord } from '../../schema/records.ts';
import type { Endpoints } from '../../schema/keys.ts';
import { registryPackageKey } from '../manifests/index.ts';
import { UpstreamLimitError } from '../pipeline/bounds.ts';
import { HttpNetworkError, OriginRefusedError } from '../pipeline/http.ts';
import { MalformedJsonError, UpstreamStatusError } from '../pipeline/json.ts';
import type { ScopeWriter } from '../pipeline/sync.ts';
import type { WarningLog } from '../pipeline/warnings.ts';
import type { NpmClient, PypiClient } from './clients.ts';
import { mapNpmRelease } from './map-npm.ts';
import { mapPypiRelease, pypiReleases } from './map-pypi.ts';
import { npmProvenance, pypiProvenance, type Provenance } from './provenance.ts';
import { resolveNpm, resolvePypi, type Packument, type Resolved } from './resolve.ts';
import type { PackageMapping, RegistryEcosystem, Requirement } from './types.ts';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface RegistryCrawlOptions {
  maxDepth: number;
  maxPackages: number;
  /** Web endpoints for page URLs of packages and identities. */
  endpoints: Endpoints;
  concurrency: number;
}

export interface RegistryCounts {
  read: number;
  missing: number;
  failed: number;
  unresolved: number;
  /** Seeds that could not be read for an upstream failure (exit 3). */
  seedFailures: { package: string; message: string }[];
}

/** A project's document: PyPI's project JSON, or npm's packument. */
type Doc = { ecosystem: 'pypi'; body: Json } | { ecosystem: 'npm'; body: Packument };

/** A release chosen for reading. */
interface Chosen {
  ecosystem: RegistryEcosystem;
  name: string;
  version: string;
  key: string;
  doc: Doc;
  extras: readonly string[];
  manifest?: Json;
}

/** Upstream trouble that is reported against one package rather than ending the run. */
function isUpstreamTrouble(err: unknown): err is Error {
  return err instanceof UpstreamStatusError || err instanceof MalformedJsonError || err instanceof HttpNetworkError || err instanceof UpstreamLimitError || err instanceof OriginRefusedError;
}

export class RegistryCrawler {
  readonly counts: RegistryCounts = { read: 0, missing: 0, failed: 0, unresolved: 0, seedFailures: [] };
  private readonly docs = new Map<string, Promise<Doc | undefined>>();
  private readonly chosen = new Set<string>();
  private readonly queue: PQueue;
  private capWarned = false;

  constructor(
    private readonly pypi: PypiClient,
    private readonly npm: NpmClient,
    private readonly writers: Record<RegistryEcosystem, ScopeWriter>,
    private readonly warnings: WarningLog,
    private readonly opts: RegistryCrawlOptions,
    private readonly onProgress: (done: number) => void = () => undefined,
  ) {
    this.queue = new PQueue({ concurrency: Math.max(1, opts.concurrency) });
  }

  async run(seeds: readonly Requirement[]): Promise<void> {
    const resolved = await Promise.all(seeds.map((seed) => this.queue.add(() => this.resolveRequirement(seed, true))));
    let level = resolved.map((r) => r?.chosen).filter((c): c is Chosen => c !== undefined);
    for (let depth = 0; level.length; depth++) {
      const next: Chosen[] = [];
      await Promise.all(level.map((c) => this.queue.add(() => this.readRelease(c, depth, next))));
      level = next;
    }
  }

  private label(req: { ecosystem: RegistryEcosystem; name: string }): string {
    return `${req.ecosystem}:${req.name}`;
  }

  /** The project's document, fetched once per name; undefined (with a warning) when it cannot be had. */
  private document(req: Requirement, seed: boolean): Promise<Doc | undefined> {
    const id = `${req.ecosystem}\u0000${req.ecosystem === 'pypi' ? req.name.toLowerCase().replace(/[-_.]+/g, '-') : req.name}`;
    let doc = this.docs.get(id);
    if (!doc) {
      doc = this.fetchDocument(req, seed);
      this.docs.set(id, doc);
    }
    return doc;
  }

  private async fetchDocument(req: Requirement, seed: boolean): Promise<Doc | undefined> {
    const label = this.label(req);
    try {
      const answer = req.ecosystem === 'pypi' ? await this.pypi.project(req.name) : await this.npm.packument(req.name);
      if (answer.status === 'missing') {
        this.counts.missing++;
        this.warnings.add(label, `not in the registry (HTTP ${answer.httpStatus})${seed ? '' : `; required by ${req.evidence}`}`);
        return undefined;
      }
      if (!isObject(answer.body)) throw new MalformedJsonError(answer.url, new Error('not a JSON object'));
      return req.ecosystem === 'pypi' ? { ecosystem: 'pypi', body: answer.body } : { ecosystem: 'npm', body: answer.body as Packument };
    } catch (err) {
      if (!isUpstreamTrouble(err)) throw err;
      this.counts.failed++;
      this.warnings.add(label, `could not be read: ${err.message}`);
      if (seed && !(err instanceof MalformedJsonError)) this.counts.seedFailures.push({ package: label, message: err.message });
      return undefined;
    }
  }

  /** Resolves a requirement to a release: its key, and whether it still has to be read. */
  private async resolveRequirement(req: Requirement, seed: boolean): Promise<{ key: string; chosen?: Chosen } | undefined> {
    const doc = await this.document(req, seed);
    if (!doc) return undefined;
    const label = this.label(req);
    let resolved: Resolved & { manifest?: Json };
    if (doc.ecosystem === 'pypi') {
      const releases = pypiReleases(doc.body);
      if (!releases) {
        this.counts.unresolved++;
        this.warnings.add(label, 'the project document lists no releases; nothing to resolve against');
        return undefined;
      }
      resolved = resolvePypi(releases, req.range);
    } else resolved = resolveNpm(doc.body, req.range);
    if (!resolved.ok) {
      this.counts.unresolved++;
      this.warnings.add(label, `${resolved.reason}${seed ? '' : ` (required by ${req.evidence})`}`);
      return undefined;
    }
    if (resolved.yanked) this.warnings.add(`${label}@${resolved.version}`, `the pinned release is yanked${resolved.yankedReason ? `: ${resolved.yankedReason}` : ''}`);
    const name = doc.ecosystem === 'npm' && typeof doc.body.name === 'string' ? doc.body.name : req.name;
    // A pin read from a graph node resolves to the release it names (PEP 440 or semver equality): that node's key.
    const key = (seed ? req.graphKey : undefined) ?? registryPackageKey(req.ecosystem, name, resolved.version);
    if (!key) {
      this.warnings.add(label, `version ${JSON.stringify(resolved.version.slice(0, 80))} makes no valid package key`);
      return undefined;
    }
    if (this.chosen.has(key)) return { key };
    if (this.chosen.size >= this.opts.maxPackages) {
      if (!this.capWarned) this.warnings.add('(run)', `--max-packages ${this.opts.maxPackages} reached; further packages were not read`);
      this.capWarned = true;
      return { key };
    }
    this.chosen.add(key);
    return { key, chosen: { ecosystem: req.ecosystem, name, version: resolved.version, key, doc, extras: req.extras, ...(resolved.manifest ? { manifest: resolved.manifest } : {}) } };
  }

  private async readRelease(c: Chosen, depth: number, next: Chosen[]): Promise<void> {
    let mapping: PackageMapping;
    try {
      mapping = c.ecosystem === 'pypi' ? await this.mapPypi(c) : await this.mapNpm(c);
    } catch (err) {
      if (!isUpstreamTrouble(err)) throw err;
      this.counts.failed++;
      this.warnings.add(`${this.label(c)}@${c.version}`, `could not be read: ${err.message}`);
      return;
    }
    for (const w of mapping.warnings) this.warnings.add(`${this.label(c)}@${c.version}`, w);
    const writer = this.writers[c.ecosystem];
    await writer.commitScope(c.key, { nodes: mapping.nodes, edges: mapping.edges });
    this.counts.read++;
    this.onProgress(this.counts.read);
    if (depth >= this.opts.maxDepth) return;
    const edges: EdgeRecord[] = [];
    let complete = true;
    await Promise.all(
      mapping.requirements.map(async (req) => {
        const found = await this.resolveRequirement(req, false);
        if (!found) {
          complete = false;
          return;
        }
        if (found.chosen) next.push(found.chosen);
        edges.push({
          kind: 'DEPENDS_ON',
          from: c.key,
          to: found.key,
          source: c.ecosystem,
          evidence: req.evidence,
          confidence: 'declared',
          props: { versionRange: req.range || '*', scope: req.scope },
        });
      }),
    );
    edges.sort((a, b) => (a.to < b.to ? -1 : a.to > b.to ? 1 : 0));
    await writer.commitScope(`${c.key} dependencies`, { nodes: [], edges }, { complete });
  }

  private async mapPypi(c: Chosen): Promise<PackageMapping> {
    const project = c.doc.body as Json;
    const info = isObject(project.info) ? project.info : {};
    let release: Json = project;
    if (info.version !== c.version) {
      const answer = await this.pypi.release(c.name, c.version);
      if (answer.status === 'missing') throw new UpstreamStatusError(answer.httpStatus, `${this.pypi.baseUrl}/pypi/${c.name}/${c.version}/json`);
      if (!isObject(answer.body)) throw new MalformedJsonError(answer.url, new Error('not a JSON object'));
      release = answer.body;
    }
    const releases = pypiReleases(project) ?? [];
    const entry = releases.find((r) => r.version === c.version);
    const provenance = await this.pypiProvenanceOf(c, release);
    return mapPypiRelease({
      release,
      ...(typeof info.version === 'string' ? { latestVersion: info.version } : {}),
      ...(entry?.yanked ? { yanked: entry.yankedReason ? { reason: entry.yankedReason } : {} } : {}),
      ...(provenance ? { provenance } : {}),
      extras: c.extras,
      endpoints: this.opts.endpoints,
      key: c.key,
    });
  }

  /** The provenance of the release's sdist (else its first file), when the index has one. */
  private async pypiProvenanceOf(c: Chosen, release: Json): Promise<Provenance | undefined> {
    const files = (Array.isArray(release.urls) ? release.urls.filter(isObject) : []).filter((f) => typeof f.filename === 'string');
    const file = files.find((f) => f.packagetype === 'sdist') ?? files[0];
    if (!file) return undefined;
    try {
      const answer = await this.pypi.provenance(c.name, c.version, file.filename as string);
      return answer.status === 'ok' ? pypiProvenance(answer.body) : undefined;
    } catch (err) {
      if (!isUpstreamTrouble(err)) throw err;
      this.warnings.add(`${this.label(c)}@${c.version}`, `provenance could not be read: ${err.message}`);
      return undefined;
    }
  }

  private async mapNpm(c: Chosen): Promise<PackageMapping> {
    const manifest = c.manifest ?? {};
    let provenance: Provenance | undefined;
    const dist = isObject(manifest.dist) ? manifest.dist : {};
    if (isObject(dist.attestations)) {
      try {
        const answer = await this.npm.attestations(c.name, c.version);
        if (answer.status === 'ok') provenance = npmProvenance(answer.body);
      } catch (err) {
        if (!isUpstreamTrouble(err)) throw err;
        this.warnings.add(`${this.label(c)}@${c.version}`, `provenance could not be read: ${err.message}`);
      }
    }
    return mapNpmRelease({ packument: c.doc.body as Packument, manifest, ...(provenance ? { provenance } : {}), endpoints: this.opts.endpoints, key: c.key });
  }
}
