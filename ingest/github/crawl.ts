/**
 * The GitHub crawl: from seeds (an organisation or user, or `owner/repo`) to every repository they name, each read in
 * parts (its node and branch protection; its collaborators; its teams; its deployments; its code at the head commit),
 * each part written as its own scope once it is fully read, then the organisation's members and each team's
 * members, once per run. A part whose answers are all unchanged (304s) is not written again; the code is read again
 * only when the head commit moved. See parts.ts for the incremental rules. A repository that left an owner's listing
 * is asked for by name: renamed, its old key is marked and emptied; deleted, its records go (listing-watch.ts).
 */
import PQueue from 'p-queue';
import type { RecordBatch } from '../../schema/records.ts';
import { StoreError, type GraphStore } from '../../schema/store.ts';
import { ValidationError } from '../../schema/validate.ts';
import { UpstreamLimitError } from '../pipeline/bounds.ts';
import { SCANNER_VERSION } from '../scan/index.ts';
import type { ScopeWriter } from '../pipeline/sync.ts';
import { printable, type WarningLog } from '../pipeline/warnings.ts';
import { GitHubApiError, RateLimitExhausted, type GitHubClient } from './client.ts';
import { readCode } from './code.ts';
import { readDependencies } from './dependencies.ts';
import { loginsOf, mapCollaborators, mapOrg, mapRepoTeams, mapTeam } from './map-access.ts';
import { isLogin, isRepoName, obj, orgKey, repoKey, str, teamKey, userKey } from './map-common.ts';
import { latestPerEnvironment, mapDeployments, type LatestDeployment } from './map-deployments.ts';
import { listingFacts, nextWatch, vanishedFrom, type ListingFacts } from './listing-watch.ts';
import { branchFacts, mapMissing, mapRename, mapRepository, protectionOf, repoIdentity, type RepoIdentity } from './map-repo.ts';
import { forgetState, loadState, partScope, partUnchanged, Recorder, REPO_PARTS, saveState, type PartState, type SyncState } from './parts.ts';

export type Seed = { owner: string } | { owner: string; name: string };

export interface CrawlOptions {
  apiUrl: string;
  web: string;
  maxRepos: number;
  repoConcurrency: number;
  maxFiles: number;
  maxFileBytes: number;
  maxScanBytes: number;
  maxTreeEntries: number;
  /** Whether the token is known (without one, only public members and repositories are visible). */
  authenticated: boolean;
}

export interface RepoCounts {
  read: number;
  unchanged: number;
  missing: number;
  failed: number;
  renamed: number;
  /** Gone from their owner's listing and not found by name: their records were removed. */
  removed: number;
}

export interface PartCounts {
  read: number;
  unchanged: number;
  forbidden: number;
}

export interface CrawlCounts {
  repos: RepoCounts;
  parts: PartCounts;
  /** Hub references found in code read this run. */
  hubReferences: number;
  filesRead: number;
  /** Repositories whose dependencies came from the dependency-graph SBOM or, failing that, from manifests; edges. */
  dependencies: { sbom: number; manifests: number; edges: number; unpinned: number };
  seedFailures: { seed: string; message: string }[];
}

/** Settings that shape what a part holds: a change makes the next run read everything again. */
export const EXTRACTOR_VERSION = 2;

type PartOutcome =
  | { kind: 'ok'; scope: string; batch: RecordBatch; warnings?: string[]; facts?: PartState['facts'] }
  /** Not readable with this token: nothing is written, so what the part wrote before stays. */
  | { kind: 'forbidden'; message: string }
  /** Not there at all (a 404 repository or organisation). */
  | { kind: 'absent'; status: number };

/** Why a repository is read: named by a seed, listed by its owner, or listed before and no longer. */
type RepoRole = 'seed' | 'listed' | 'vanished';

/** What reading a repository under one name found. */
type Visit = { kind: 'read' } | { kind: 'renamed' } | { kind: 'absent'; status: number } | { kind: 'failed' };

interface RepoFacts {
  owner: string;
  name: string;
  ownerType: 'org' | 'user';
  defaultBranch: string;
  sha?: string;
  treeSha?: string;
}

const MAX_ENVIRONMENTS = 100;
const MAX_LISTED = 100_000;

export class GitHubCrawler {
  readonly counts: CrawlCounts = {
    repos: { read: 0, unchanged: 0, missing: 0, failed: 0, renamed: 0, removed: 0 },
    parts: { read: 0, unchanged: 0, forbidden: 0 },
    hubReferences: 0,
    filesRead: 0,
    dependencies: { sbom: 0, manifests: 0, edges: 0, unpinned: 0 },
    seedFailures: [],
  };
  /** Repositories read or found unchanged this run (canonical keys). */
  readonly repositories = new Set<string>();
  /** Each repository key scheduled this run, with what its visit found. */
  private readonly scheduled = new Map<string, Promise<Visit>>();
  private readonly orgs = new Map<string, Promise<boolean>>();
  private readonly teams = new Map<string, Promise<void>>();
  private readonly queue: PQueue;
  private readonly inflight = new Set<Promise<unknown>>();
  private fatal: unknown;
  private capWarned = false;
  private done = 0;

  constructor(
    private readonly client: GitHubClient,
    private readonly store: GraphStore,
    private readonly writer: ScopeWriter,
    private readonly warnings: WarningLog,
    private readonly o: CrawlOptions,
    private readonly onProgress: (done: number, total: number) => void = () => undefined,
  ) {
    this.queue = new PQueue({ concurrency: Math.max(1, o.repoConcurrency) });
  }

  /** What the kept state depends on: the API it came from (its ETags and URLs), the token's presence, the bounds. */
  private get settings(): string {
    return JSON.stringify({ v: EXTRACTOR_VERSION, api: this.o.apiUrl, files: this.o.maxFiles, bytes: this.o.maxFileBytes, scan: this.o.maxScanBytes, scanner: SCANNER_VERSION, entries: this.o.maxTreeEntries, auth: this.o.authenticated });
  }

  async run(seeds: Seed[]): Promise<void> {
    for (const seed of seeds) {
      if ('name' in seed) this.schedule(seed.owner, seed.name, 'seed');
      else this.track(this.crawlOwner(seed.owner));
    }
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
    if (this.fatal) throw this.fatal;
  }

  private track<T>(p: Promise<T>): void {
    const t = p.catch((err) => {
      this.fatal ??= err;
    });
    this.inflight.add(t);
    void t.finally(() => this.inflight.delete(t));
  }

  /** Queues a repository once per run; its visit, or undefined when it is not read (the run stops, the cap). */
  private schedule(owner: string, name: string, role: RepoRole): Promise<Visit> | undefined {
    if (this.fatal) return undefined;
    const key = repoKey(owner, name);
    const earlier = this.scheduled.get(key);
    if (earlier) return earlier;
    if (this.scheduled.size >= this.o.maxRepos) {
      if (!this.capWarned) {
        this.capWarned = true;
        this.warnings.add('(run)', `--max-repos ${this.o.maxRepos} reached; further repositories were not read`);
      }
      return undefined;
    }
    const visit = this.queue
      .add(() => this.readRepo(owner, name, role))
      .finally(() => {
        this.done++;
        this.onProgress(this.done, this.scheduled.size);
      });
    this.scheduled.set(key, visit);
    this.onProgress(this.done, this.scheduled.size);
    this.track(visit);
    return visit;
  }

  // ---- owners -------------------------------------------------------------------------------------------------

  /**
   * An organisation's (or a user's) repositories, listed conditionally like any part; then those an earlier listing
   * had and this complete one lacks, asked for by name. The listing's state is kept only after those answers, so a
   * run stopped before them asks again.
   */
  private async crawlOwner(owner: string): Promise<void> {
    try {
      const isOrg = await this.ensureOrg(owner, true);
      const stateName = isOrg ? `github:org:${orgKey(owner)}:repos` : `github:user:${userKey(owner)}:repos`;
      const state = await loadState(this.store, stateName, this.settings);
      const prev = state?.parts.repos;
      const before = listingFacts(prev?.facts);
      let part: PartState;
      let listing: Pick<ListingFacts, 'repos' | 'complete'>;
      if (prev && (await partUnchanged(this.client, prev))) {
        part = prev;
        listing = before ?? { repos: [], complete: false };
      } else {
        const rec = new Recorder(this.client);
        const route = isOrg ? 'GET /orgs/{owner}/repos' : 'GET /users/{owner}/repos';
        const answer = await rec.list(route, { owner, type: isOrg ? 'all' : 'owner', sort: 'full_name' }, [404], MAX_LISTED);
        if (answer.kind === 'error') {
          this.counts.seedFailures.push({ seed: owner, message: `no organisation or user "${owner}" (HTTP ${answer.status})` });
          this.warnings.add(owner, `not found (HTTP ${answer.status}): no organisation or user of that name`);
          return;
        }
        const repos: string[] = [];
        for (const raw of answer.items) {
          const full = str(obj(raw)?.full_name, 300);
          if (full && full.split('/').length === 2) repos.push(full);
        }
        // Cut at the bound, the listing cannot show that anything left it.
        listing = { repos, complete: answer.items.length < MAX_LISTED };
        part = rec.state({ repos, complete: listing.complete });
      }
      for (const full of listing.repos) {
        const [o, n] = full.split('/') as [string, string];
        if (isLogin(o) && isRepoName(n)) this.schedule(o, n, 'listed');
      }
      const watch = before?.watch ?? [];
      const unsettled = await this.checkVanished(owner, vanishedFrom(listing, watch));
      const facts = { ...part.facts, watch: nextWatch(listing, watch, unsettled) };
      if (part !== prev || JSON.stringify(facts) !== JSON.stringify(prev.facts)) {
        await saveState(this.store, stateName, { version: 1, settings: this.settings, parts: { repos: { ...part, facts } } });
      }
    } catch (err) {
      if (err instanceof StoreError || err instanceof RateLimitExhausted) throw err;
      const message = this.sideFault(owner, 'repositories', err, `could not list repositories: ${printable(err instanceof Error ? err.message : String(err), 300)}`);
      this.counts.seedFailures.push({ seed: owner, message });
    }
  }

  /**
   * Repositories the owner listed before and no longer does, each read by name: a redirect to another repository is
   * recorded as a rename by readRepo, a 404 removes its records here, and any other answer (a 5xx, the repository
   * still there under its name) removes nothing. Returns the names not settled, to be asked for again next run.
   */
  private async checkVanished(owner: string, names: readonly string[]): Promise<string[]> {
    const unsettled: string[] = [];
    await Promise.all(
      names.map(async (full) => {
        const [o, n] = full.split('/') as [string, string];
        const visit = await this.schedule(o, n, 'vanished');
        if (visit?.kind === 'renamed') return;
        if (visit?.kind === 'absent') return this.recordRemoved(owner, o, n, visit.status);
        unsettled.push(full);
        if (visit?.kind === 'read') this.warnings.add(full, `no longer listed by ${owner}, but still answers under this name; read as before`);
        else if (!visit) this.warnings.add(full, `no longer listed by ${owner}; not asked for by name this run (the run stopped or --max-repos was reached); earlier records kept`);
      }),
    );
    return unsettled;
  }

  /** A repository its owner no longer lists and the API does not have: every scope it wrote committed empty. */
  private async recordRemoved(listedBy: string, owner: string, name: string, status: number): Promise<void> {
    const key = repoKey(owner, name);
    await this.retireParts(key);
    await this.writer.commitScope(key, { nodes: [], edges: [] });
    // A node another source still points at stays, marked missing, as the Hub ingestor marks a missing repo.
    const [still] = await this.store.getNodes([key]);
    if (still && still.props.missing !== true) await this.writer.commitScope(key, mapMissing(owner, name, this.o.web));
    this.counts.repos.removed++;
    const kept = still ? '; its node stays, marked missing, since other records point at it' : '';
    this.warnings.add(`${owner}/${name}`, `no longer listed by ${listedBy} and not found (HTTP ${status}): deleted, or the token can no longer see it; its records were removed${kept}`);
  }

  /**
   * The part scopes of a key that no longer names a repository (renamed, deleted), committed empty so that its write
   * access, deployments, code and dependencies go; its kept part state is dropped, so that a repository created
   * later under the same name is read in full rather than found unchanged.
   */
  private async retireParts(key: string): Promise<void> {
    for (const part of REPO_PARTS) await this.writer.commitScope(partScope(key, part), { nodes: [], edges: [] });
    await forgetState(this.store, `github:repo:${key}`);
  }

  /**
   * An organisation's node and members (once per run). False when there is no such organisation. `seed`: the caller
   * can fall back to a user; otherwise a missing org is only a warning.
   */
  private ensureOrg(org: string, seed = false): Promise<boolean> {
    const k = org.toLowerCase();
    let p = this.orgs.get(k);
    if (!p) {
      // A seed's caller handles the failure (it cannot list the owner's repositories); otherwise it is a warning.
      p = seed ? this.readOrg(org, seed) : this.readOrg(org, seed).catch((err) => this.sideFault(org, 'organisation members', err, false));
      this.orgs.set(k, p);
    }
    return p;
  }

  /** An organisation's or team's members could not be read: a warning; the repositories are still read. */
  private sideFault<T>(label: string, what: string, err: unknown, value: T): T {
    if (!(err instanceof GitHubApiError || err instanceof UpstreamLimitError)) throw err;
    this.warnings.add(label, `${what} could not be read: ${printable(err.message, 300)}; earlier data kept`);
    return value;
  }

  private async readOrg(org: string, seed: boolean): Promise<boolean> {
    const key = orgKey(org);
    const stateName = `github:org:${key}`;
    const state = await loadState(this.store, stateName, this.settings);
    const part = await this.runPart(org, state?.parts.org, async (rec) => {
      const info = await rec.get('GET /orgs/{org}', { org }, [404]);
      if (info.kind === 'error') return { kind: 'absent', status: info.status };
      const admins = await rec.list('GET /orgs/{org}/members', { org, role: 'admin' }, [403, 404], MAX_LISTED);
      const members = await rec.list('GET /orgs/{org}/members', { org, role: 'member' }, [403, 404], MAX_LISTED);
      if (admins.kind === 'error' || members.kind === 'error') return { kind: 'forbidden', message: `members not readable (HTTP ${admins.kind === 'error' ? admins.status : (members as { status: number }).status}); earlier memberships kept` };
      const warnings: string[] = [];
      let publicOnly = !this.o.authenticated;
      if (this.o.authenticated) {
        const membership = await rec.get('GET /user/memberships/orgs/{org}', { org }, [403, 404]);
        publicOnly = membership.kind === 'error' && membership.status === 404;
      }
      const mapped = mapOrg(org, info.data, admins.items, members.items, this.o.web);
      warnings.push(...mapped.warnings);
      return { kind: 'ok', scope: key, batch: mapped, warnings, facts: { publicOnly } };
    });
    const exists = part !== undefined && part.facts?.absent !== true;
    if (part?.facts?.publicOnly === true) {
      this.warnings.add(org, `the token is not a member of ${org}: only public members are listed, so private members with access look like outside collaborators`);
    }
    if (part) await saveState(this.store, stateName, { version: 1, settings: this.settings, parts: { org: part } });
    if (!exists && !seed) this.warnings.add(org, 'organisation not found; its members are not recorded');
    return exists;
  }

  private ensureTeam(org: string, slug: string): Promise<void> {
    const k = teamKey(org, slug);
    let p = this.teams.get(k);
    if (!p) {
      p = this.readTeam(org, slug).catch((err) => this.sideFault(`${org}/${slug}`, 'team members', err, undefined));
      this.teams.set(k, p);
    }
    return p;
  }

  private async readTeam(org: string, slug: string): Promise<void> {
    const key = teamKey(org, slug);
    const stateName = `github:team:${key}`;
    const state = await loadState(this.store, stateName, this.settings);
    const part = await this.runPart(`${org}/${slug}`, state?.parts.team, async (rec) => {
      const info = await rec.get('GET /orgs/{org}/teams/{team_slug}', { org, team_slug: slug }, [403, 404]);
      const maintainers = await rec.list('GET /orgs/{org}/teams/{team_slug}/members', { org, team_slug: slug, role: 'maintainer' }, [403, 404], MAX_LISTED);
      const members = await rec.list('GET /orgs/{org}/teams/{team_slug}/members', { org, team_slug: slug, role: 'member' }, [403, 404], MAX_LISTED);
      if (maintainers.kind === 'error' || members.kind === 'error') {
        return { kind: 'forbidden', message: `team ${slug}: members not readable (HTTP ${maintainers.kind === 'error' ? maintainers.status : (members as { status: number }).status}); earlier memberships kept` };
      }
      const mapped = mapTeam(org, slug, info.kind === 'ok' ? info.data : undefined, maintainers.items, members.items, this.o.web);
      return { kind: 'ok', scope: key, batch: mapped, warnings: mapped.warnings };
    });
    if (part) await saveState(this.store, stateName, { version: 1, settings: this.settings, parts: { team: part } });
  }

  // ---- repositories -------------------------------------------------------------------------------------------

  private async readRepo(owner: string, name: string, role: RepoRole): Promise<Visit> {
    if (this.fatal) return { kind: 'failed' };
    const seed = role === 'seed';
    const label = `${owner}/${name}`;
    const requestedKey = repoKey(owner, name);
    // The repository part is kept under the name asked for (a renamed repository answers its probe through the
    // redirect); the other parts under the canonical name, whichever name reached it first.
    const infoStateName = `github:repo-info:${requestedKey}`;
    let renamedFrom: string | undefined;
    try {
      const infoState = await loadState(this.store, infoStateName, this.settings);
      const repoPart = await this.runPart(label, infoState?.parts.repo, async (rec) => {
        const info = await rec.get('GET /repos/{owner}/{repo}', { owner, repo: name }, [404, 451]);
        if (info.kind === 'error') return { kind: 'absent', status: info.status };
        const id = repoIdentity(info.data);
        if ('problem' in id) throw new GitHubApiError(0, id.problem);
        if (id.key !== requestedKey) {
          renamedFrom = label;
          // What the old key's parts held is the new key's now (read under it below); the marker goes last.
          await this.retireParts(requestedKey);
          await this.writer.commitScope(requestedKey, mapRename(owner, name, id, this.o.web));
        }
        const warnings: string[] = [];
        const branch = await rec.get('GET /repos/{owner}/{repo}/branches/{branch}', { owner: id.owner, repo: id.name, branch: id.defaultBranch }, [404]);
        const bf = branch.kind === 'ok' ? branchFacts(branch.data) : { protected: false };
        if (branch.kind === 'error') warnings.push(`default branch ${id.defaultBranch} not found (an empty repository?); no code read`);
        // Rulesets protect branches too, and any reader may list the rules that apply (a server without rulesets: 404).
        const ruleList = branch.kind === 'ok' ? await rec.get('GET /repos/{owner}/{repo}/rules/branches/{branch}', { owner: id.owner, repo: id.name, branch: id.defaultBranch, per_page: 100 }, [403, 404]) : undefined;
        const rules = ruleList?.kind === 'ok' ? ruleList.data : undefined;
        let protection = protectionOf(bf.protected, undefined, rules);
        if (bf.protected) {
          const p = await rec.get('GET /repos/{owner}/{repo}/branches/{branch}/protection', { owner: id.owner, repo: id.name, branch: id.defaultBranch }, [403, 404]);
          if (p.kind === 'ok') protection = protectionOf(true, p.data, rules);
          else if (p.status === 403) {
            // The rulesets' requirements are certain, classic protection may add to them: recorded as a lower bound.
            const fromRules = protectionOf(true, undefined, rules);
            protection = fromRules.known && fromRules.requiredReviews > 0 ? fromRules : { known: false };
            warnings.push(
              fromRules === protection
                ? `no admin rights: classic branch protection of ${id.defaultBranch} not read (HTTP ${p.status}); its rulesets' requirements are recorded, and classic protection may require more`
                : `no admin rights: branch protection of ${id.defaultBranch} not read (HTTP ${p.status}); earlier protection data kept`,
            );
          }
        }
        const facts: RepoFacts = { owner: id.owner, name: id.name, ownerType: id.ownerType, defaultBranch: id.defaultBranch, ...('sha' in bf && bf.sha ? { sha: bf.sha } : {}), ...('treeSha' in bf && bf.treeSha ? { treeSha: bf.treeSha } : {}) };
        return { kind: 'ok', scope: id.key, batch: mapRepository(id, info.data, facts.sha, protection, this.o.web), warnings, facts: { ...facts, renamedFrom: renamedFrom ?? null } };
      });
      const saveInfo = () => (repoPart ? saveState(this.store, infoStateName, { version: 1, settings: this.settings, parts: { repo: repoPart } }) : Promise.resolve());
      if (!repoPart || repoPart.facts?.absent === true) {
        await saveInfo();
        const status = typeof repoPart?.facts?.status === 'number' ? repoPart.facts.status : 404;
        // A name its owner no longer lists is settled by the owner's crawl (its records removed), not reported missing.
        if (role === 'vanished') return { kind: 'absent', status };
        this.counts.repos.missing++;
        const message = `not found (HTTP ${status}): no such repository, or the token cannot see it`;
        if (seed) this.counts.seedFailures.push({ seed: label, message });
        this.warnings.add(label, message);
        return { kind: 'absent', status };
      }
      const facts = repoPart.facts as unknown as RepoFacts & { renamedFrom?: string | null };
      if (facts.renamedFrom) {
        this.counts.repos.renamed++;
        this.warnings.add(label, `renamed to ${facts.owner}/${facts.name} (HTTP 301 followed); the old name is recorded with canonicalId`);
      }
      const id: RepoIdentity = { owner: facts.owner, name: facts.name, ownerType: facts.ownerType, defaultBranch: facts.defaultBranch, key: repoKey(facts.owner, facts.name) };
      const found: Visit = { kind: facts.renamedFrom ? 'renamed' : 'read' };
      if (this.repositories.has(id.key)) {
        // Reached under both names: the first visit reads it.
        await saveInfo();
        return found;
      }
      this.repositories.add(id.key);
      const stateName = `github:repo:${id.key}`;
      const state = await loadState(this.store, stateName, this.settings);
      const next: SyncState = { version: 1, settings: this.settings, parts: {} };
      let changed = repoPart !== infoState?.parts.repo;
      const isOrg = id.ownerType === 'org';
      const org = isOrg ? this.ensureOrg(id.owner) : Promise.resolve(false);

      const parts: Promise<void>[] = [];
      const keep = (name: string, p: PartState | undefined) => {
        if (!p) return;
        next.parts[name] = p;
        if (p !== state?.parts[name]) changed = true;
      };
      parts.push(
        this.runPart(label, state?.parts.collaborators, (rec) => this.readCollaborators(rec, id)).then((p) => keep('collaborators', p)),
      );
      if (isOrg) {
        parts.push(
          this.runPart(label, state?.parts.teams, (rec) => this.readTeams(rec, id)).then(async (p) => {
            keep('teams', p);
            const slugs = Array.isArray(p?.facts?.teams) ? (p.facts.teams as string[]) : [];
            await Promise.all(slugs.map((s) => this.ensureTeam(id.owner, s)));
          }),
        );
      }
      parts.push(this.runPart(label, state?.parts.deployments, (rec) => this.readDeployments(rec, id)).then((p) => keep('deployments', p)));
      parts.push(this.readCodePart(label, id, facts, state?.parts.code).then((p) => keep('code', p)));
      await Promise.all([...parts, org]);
      await saveState(this.store, stateName, next);
      await saveInfo();
      if (changed) this.counts.repos.read++;
      else this.counts.repos.unchanged++;
      return found;
    } catch (err) {
      // Before the name's answer said where the repository went, a failure leaves open whether it went at all.
      this.repoFault(label, err, seed, role === 'vanished' && !renamedFrom ? owner : undefined);
      return { kind: 'failed' };
    }
  }

  /**
   * A failure reading one repository: a warning (a seed failure for a seed), unless the run must stop. `vanishedFrom`:
   * the owner whose listing no longer has it, when the failure left open whether it was renamed or deleted.
   */
  private repoFault(label: string, err: unknown, seed: boolean, vanishedFrom?: string): void {
    if (err instanceof StoreError || err instanceof RateLimitExhausted) throw err;
    let message: string;
    if (err instanceof ValidationError) message = `upstream data gave invalid records, not written: ${err.problems.slice(0, 3).join('; ')}`;
    else if (!(err instanceof GitHubApiError || err instanceof UpstreamLimitError || err instanceof TypeError || err instanceof SyntaxError)) throw err;
    else if (vanishedFrom) message = `no longer listed by ${vanishedFrom}; whether it was renamed or deleted could not be checked (${printable(err.message, 300)}); earlier records kept, asked again next run`;
    else message = `could not read: ${printable(err.message, 300)}; left as it was`;
    this.counts.repos.failed++;
    this.warnings.add(label, message);
    if (seed) this.counts.seedFailures.push({ seed: label, message });
  }

  /**
   * One part: unchanged when every answer it was built from is a 304 again (its earlier warnings repeated), else
   * read in full and written as its scope. A forbidden part writes nothing, so what it wrote before stays. Returns
   * the part's state to keep, or undefined when it failed.
   */
  private async runPart(label: string, prev: PartState | undefined, read: (rec: Recorder) => Promise<PartOutcome>): Promise<PartState | undefined> {
    if (await partUnchanged(this.client, prev)) {
      if (prev?.facts?.forbidden === true) this.counts.parts.forbidden++;
      else this.counts.parts.unchanged++;
      this.repeatWarnings(label, prev);
      return prev;
    }
    const rec = new Recorder(this.client);
    const outcome = await read(rec);
    if (outcome.kind === 'absent') return rec.state({ absent: true, status: outcome.status });
    if (outcome.kind === 'forbidden') {
      this.counts.parts.forbidden++;
      this.warnings.add(label, outcome.message);
      return rec.state({ forbidden: true, warnings: [printable(outcome.message)] });
    }
    await this.writer.commitScope(outcome.scope, outcome.batch);
    this.counts.parts.read++;
    const warnings = outcome.warnings ?? [];
    for (const w of warnings) this.warnings.add(label, w);
    return rec.state({ ...outcome.facts, ...(warnings.length ? { warnings: warnings.map((w) => printable(w)) } : {}) });
  }

  /** A part not read again still has what it had to say (no admin rights, a malformed entry). */
  private repeatWarnings(label: string, prev: PartState | undefined): void {
    for (const w of Array.isArray(prev?.facts?.warnings) ? prev.facts.warnings : []) if (typeof w === 'string') this.warnings.add(label, w);
  }

  private async readCollaborators(rec: Recorder, id: RepoIdentity): Promise<PartOutcome> {
    const all = await rec.list('GET /repos/{owner}/{repo}/collaborators', { owner: id.owner, repo: id.name, affiliation: 'all' }, [403, 404], MAX_LISTED);
    if (all.kind === 'error') return { kind: 'forbidden', message: `no admin rights: collaborators not read (HTTP ${all.status}: ${all.message}); earlier collaborator edges kept` };
    let outside = new Set<string>();
    if (id.ownerType === 'org') {
      const out = await rec.list('GET /repos/{owner}/{repo}/collaborators', { owner: id.owner, repo: id.name, affiliation: 'outside' }, [403, 404], MAX_LISTED);
      if (out.kind === 'error') return { kind: 'forbidden', message: `no admin rights: outside collaborators not read (HTTP ${out.status}); earlier collaborator edges kept` };
      outside = loginsOf(out.items);
    }
    const mapped = mapCollaborators(id.key, all.items, outside, this.o.web, id.ownerType === 'user' ? id.owner : undefined);
    return { kind: 'ok', scope: partScope(id.key, 'collaborators'), batch: mapped, warnings: mapped.warnings };
  }

  private async readTeams(rec: Recorder, id: RepoIdentity): Promise<PartOutcome> {
    const teams = await rec.list('GET /repos/{owner}/{repo}/teams', { owner: id.owner, repo: id.name }, [403, 404], MAX_LISTED);
    if (teams.kind === 'error') return { kind: 'forbidden', message: `no admin rights: teams with access not read (HTTP ${teams.status}); earlier team edges kept` };
    const mapped = mapRepoTeams(id.key, id.owner, teams.items, this.o.web);
    return { kind: 'ok', scope: partScope(id.key, 'teams'), batch: mapped, warnings: mapped.warnings, facts: { teams: mapped.teams.map((t) => t.slug) } };
  }

  private async readDeployments(rec: Recorder, id: RepoIdentity): Promise<PartOutcome> {
    const params = { owner: id.owner, repo: id.name };
    const envs = await rec.list('GET /repos/{owner}/{repo}/environments', params, [403, 404], MAX_ENVIRONMENTS);
    const environments = envs.kind === 'ok' ? envs.items : [];
    const recent = await rec.list('GET /repos/{owner}/{repo}/deployments', params, [403, 404], 100);
    if (recent.kind === 'error' && envs.kind === 'error') return { kind: 'forbidden', message: `deployments not readable (HTTP ${recent.status}); earlier deployment endpoints kept` };
    const latest = latestPerEnvironment(recent.kind === 'ok' ? recent.items : []);
    // Environments with no deployment among the latest hundred: ask for their latest one.
    for (const raw of environments) {
      const env = str(obj(raw)?.name, 255);
      if (!env || latest.has(env)) continue;
      const one = await rec.list('GET /repos/{owner}/{repo}/deployments', { ...params, environment: env }, [403, 404], 1);
      const d = one.kind === 'ok' ? obj(one.items[0]) : undefined;
      if (d) latest.set(env, d);
    }
    const withStatus = new Map<string, LatestDeployment>();
    for (const [env, deployment] of latest) {
      const depId = deployment.id;
      let statuses: unknown[] = [];
      if (typeof depId === 'number' && Number.isSafeInteger(depId)) {
        const s = await rec.list('GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', { ...params, deployment_id: depId }, [403, 404], 10);
        if (s.kind === 'ok') statuses = s.items;
      }
      withStatus.set(env, { deployment, statuses });
    }
    const mapped = mapDeployments(id.owner, id.name, id.key, environments, withStatus, this.o.web);
    return { kind: 'ok', scope: partScope(id.key, 'deployments'), batch: mapped, warnings: mapped.warnings };
  }

  /** The code at the head commit: read only when the head moved (or never read under these settings). */
  private async readCodePart(label: string, id: RepoIdentity, facts: RepoFacts, prev: PartState | undefined): Promise<PartState | undefined> {
    const sha = facts.sha;
    if (prev && prev.facts?.sha === (sha ?? null)) {
      this.counts.parts.unchanged++;
      this.repeatWarnings(label, prev);
      return prev;
    }
    const scope = partScope(id.key, 'code');
    const depScope = partScope(id.key, 'dependencies');
    if (!sha) {
      await this.writer.commitScope(scope, { nodes: [], edges: [] });
      await this.writer.commitScope(depScope, { nodes: [], edges: [] });
      return { pages: [], grows: false, facts: { sha: null } };
    }
    const code = await readCode(this.client, id, sha, facts.treeSha ?? sha, { maxFiles: this.o.maxFiles, maxFileBytes: this.o.maxFileBytes, maxScanBytes: this.o.maxScanBytes, maxTreeEntries: this.o.maxTreeEntries, web: this.o.web });
    // The dependency graph is computed from the default branch's manifests, so it is read when the head moves too.
    const deps = await readDependencies(this.client, id, code, { maxFileBytes: this.o.maxFileBytes });
    await this.writer.commitScope(scope, code.batch);
    await this.writer.commitScope(depScope, deps.batch);
    this.counts.parts.read += 2;
    this.counts.hubReferences += code.references;
    this.counts.filesRead += code.filesRead;
    this.counts.dependencies[deps.from]++;
    this.counts.dependencies.edges += deps.batch.edges.length;
    this.counts.dependencies.unpinned += deps.unpinned;
    const warnings = [...code.warnings, ...deps.warnings];
    for (const w of warnings) this.warnings.add(label, w);
    return { pages: [], grows: false, facts: { sha, ...(warnings.length ? { warnings: warnings.map((w) => printable(w)) } : {}) } };
  }
}
