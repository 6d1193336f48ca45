/**
 * When the SQLite store may answer a props-free expand from its in-process adjacency copy: built lazily on the
 * first such expand, used while nothing changed, dropped as soon as something may have.
 *
 * Two kinds of change make it stale:
 * - this store's own writes (upsert, removeStale) call `invalidate()`: a new generation;
 * - another connection's commit (another process, or another SqliteStore on the same file) changes
 *   `PRAGMA data_version`, which SQLite bumps for commits by *other* connections only — hence both checks.
 *
 * A copy is loaded from the snapshot in the store file when one is there (sqlite-adjacency-snapshot.ts), else built
 * from the tables and then offered to the file for the next process.
 *
 * `AISPM_SQLITE_ADJACENCY=off` (or the `adjacencyCache: false` open option) disables it: every expand then takes
 * the SQL path, e.g. to compare the two in a benchmark or to rule the cache out when chasing a bug.
 */
import type Database from 'better-sqlite3';
import { adjacencyBytes, buildAdjacency, type Adjacency } from './sqlite-adjacency.ts';
import { decodeAdjacency, encodeAdjacency, readSnapshot, writeSnapshot } from './sqlite-adjacency-snapshot.ts';

export interface AdjacencyCacheStats {
  enabled: boolean;
  /** Bumped by each of this store's writes. */
  generation: number;
  /** Builds so far, and how long the last one took. */
  builds: number;
  lastBuildMs: number;
  /** Copies loaded from the store file's snapshot (sqlite-adjacency-snapshot.ts), and how long the last load took. */
  loads: number;
  lastLoadMs: number;
  /** Snapshots this connection wrote after a build; why the last stored one was not used, if one was not. */
  snapshotsWritten: number;
  lastRejected?: string;
  /** Present while a copy is held. */
  held?: { nodes: number; edges: number; typedArrayBytes: number; keysBytesEstimate: number };
}

export class AdjacencyCache {
  private readonly db: Database.Database;
  private readonly dataVersion: Database.Statement;
  private adjacency: Adjacency | undefined;
  /** The generation and data_version the held copy was read at. */
  private heldGeneration = -1;
  private heldDataVersion = -1;
  private generation = 0;
  private builds = 0;
  private lastBuildMs = 0;
  private loads = 0;
  private lastLoadMs = 0;
  private snapshotsWritten = 0;
  private lastRejected: string | undefined;
  /** Set when the data could not be coded: no use trying again before something changes. */
  private unbuildableAt: { generation: number; dataVersion: number } | undefined;

  /**
   * @param persist write a snapshot of each copy it builds into the store file (off for a store opened
   * read-only; the snapshot is still read).
   */
  constructor(db: Database.Database, readonly enabled: boolean, private readonly persist: boolean) {
    this.db = db;
    this.dataVersion = db.prepare('PRAGMA data_version').pluck();
  }

  /** After a write through this store. Frees the copy at once rather than holding stale memory until the next read. */
  invalidate(): void {
    this.generation++;
    this.adjacency = undefined;
  }

  /** SQLite's `PRAGMA data_version` now: it changes when another connection commits. */
  dataVersionNow(): number {
    return this.dataVersion.get() as number;
  }

  /** The copy held, if it is still current; never builds one. */
  ifCurrent(): Adjacency | undefined {
    if (!this.adjacency) return undefined;
    if (this.isCurrent(this.dataVersion.get() as number)) return this.adjacency;
    this.adjacency = undefined;
    return undefined;
  }

  /** The copy for the current data, built if needed; undefined when disabled or the data cannot be coded. */
  current(): Adjacency | undefined {
    if (!this.enabled) return undefined;
    // Read before the snapshot the build uses: a commit in between makes the copy look older than it is (one
    // needless rebuild later), never newer (a stale answer).
    const dataVersion = this.dataVersion.get() as number;
    if (this.isCurrent(dataVersion)) return this.adjacency;
    this.adjacency = undefined;
    const gen = this.generation;
    if (this.unbuildableAt?.generation === gen && this.unbuildableAt.dataVersion === dataVersion) return undefined;
    const start = performance.now();
    // One read transaction: the stored snapshot, or nodes and edges, from one view of the file even while another
    // process writes (a commit that changes them deletes the snapshot in the same transaction).
    const { adjacency: built, loaded } = this.db.transaction(() => this.loadOrBuild())();
    if (loaded) {
      this.lastLoadMs = performance.now() - start;
      this.loads++;
    } else {
      this.lastBuildMs = performance.now() - start;
      this.builds++;
      if (built && this.persist) this.trySaving(built, gen, dataVersion);
    }
    if (!built) {
      this.unbuildableAt = { generation: gen, dataVersion };
      return undefined;
    }
    this.adjacency = built;
    this.heldGeneration = gen;
    this.heldDataVersion = dataVersion;
    return built;
  }

  private loadOrBuild(): { adjacency: Adjacency | undefined; loaded: boolean } {
    const blob = readSnapshot(this.db);
    if (blob) {
      const decoded = decodeAdjacency(blob);
      if ('adjacency' in decoded) return { adjacency: decoded.adjacency, loaded: true };
      this.lastRejected = decoded.rejected;
    }
    return { adjacency: buildAdjacency(this.db), loaded: false };
  }

  /**
   * Stores the copy for the next process, if nothing was committed since it was read (this connection's writes
   * bump the generation, others' the data_version). Never waits for a lock: a reader must not queue behind an
   * import, and if the file cannot be written now the next process simply builds again.
   */
  private trySaving(adjacency: Adjacency, generation: number, dataVersion: number): void {
    const blob = encodeAdjacency(adjacency);
    if (!blob) return;
    const timeout = this.db.pragma('busy_timeout', { simple: true }) as number;
    try {
      this.db.pragma('busy_timeout = 0');
      this.db
        .transaction(() => {
          if (this.generation !== generation || (this.dataVersion.get() as number) !== dataVersion) return;
          writeSnapshot(this.db, blob);
          this.snapshotsWritten++;
        })
        .immediate();
    } catch {
      // Busy (another writer) or not writable: the copy in memory is used all the same.
    } finally {
      this.db.pragma(`busy_timeout = ${Number(timeout)}`);
    }
  }

  private isCurrent(dataVersion: number): boolean {
    return this.adjacency !== undefined && this.heldGeneration === this.generation && this.heldDataVersion === dataVersion;
  }

  stats(): AdjacencyCacheStats {
    const stats: AdjacencyCacheStats = {
      enabled: this.enabled,
      generation: this.generation,
      builds: this.builds,
      lastBuildMs: this.lastBuildMs,
      loads: this.loads,
      lastLoadMs: this.lastLoadMs,
      snapshotsWritten: this.snapshotsWritten,
      ...(this.lastRejected ? { lastRejected: this.lastRejected } : {}),
    };
    if (this.adjacency) {
      const bytes = adjacencyBytes(this.adjacency);
      stats.held = { nodes: this.adjacency.keys.length, edges: this.adjacency.edgeCount, typedArrayBytes: bytes.typedArrays, keysBytesEstimate: bytes.keysEstimate };
    }
    return stats;
  }
}

/** The default for a new store: on unless AISPM_SQLITE_ADJACENCY says off. */
export function adjacencyCacheEnabledByEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.AISPM_SQLITE_ADJACENCY?.trim().toLowerCase();
  return !(value === 'off' || value === '0' || value === 'false' || value === 'no');
}
