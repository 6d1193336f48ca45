/**
 * Whether an OSV record affects one package version, evaluated locally by the OSV schema's rules ("Evaluation"):
 * the `versions` list, then each ECOSYSTEM or SEMVER range's events in version order (`introduced` opens,
 * `fixed` closes at that version, `last_affected` closes after it, `limit` bounds the range). Versions compare
 * with the ecosystem's own library: PEP 440 for PyPI, npm's semver for npm and every SEMVER range. GIT ranges
 * (commits) and ECOSYSTEM ranges of ecosystems we have no comparator for are skipped, and said so.
 */
import { compare as pep440Compare, valid as pep440Valid } from '@renovatebot/pep440';
import semver from 'semver';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** purl type → OSV ecosystem name (the OSV schema's list), for the ecosystems a purl can name. */
export const OSV_ECOSYSTEMS: Readonly<Record<string, string>> = {
  pypi: 'PyPI', npm: 'npm', maven: 'Maven', golang: 'Go', cargo: 'crates.io', gem: 'RubyGems', nuget: 'NuGet',
  composer: 'Packagist', hex: 'Hex', pub: 'Pub', swift: 'SwiftURL', cran: 'CRAN', hackage: 'Hackage', conan: 'ConanCenter',
};

const KNOWN_ECOSYSTEMS = new Set([...Object.values(OSV_ECOSYSTEMS), 'Debian', 'Alpine', 'Ubuntu', 'Linux', 'Android', 'GitHub Actions', 'OSS-Fuzz', 'Bitnami', 'Photon OS', 'Rocky Linux', 'AlmaLinux', 'Wolfi', 'Chainguard', 'openSUSE', 'SUSE', 'Red Hat', 'Mageia', 'MinimOS', 'Echo', 'Julia', 'BellSoft Hardened Containers']);

/** An ecosystem name the OSV schema defines (with an optional `:suffix` such as `Debian:12`). */
export function isKnownEcosystem(ecosystem: string): boolean {
  return KNOWN_ECOSYSTEMS.has(ecosystem.split(':')[0]!);
}

export type Compare = (a: string, b: string) => number;

/**
 * A function's answers kept per input: an export evaluates the same few versions and events again and again, and
 * the libraries parse their string arguments on every call. Bounded: cleared when it grows past `max`.
 */
function memo<T>(fn: (key: string) => T, max = 200_000): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    let hit = cache.get(key);
    if (hit === undefined && !cache.has(key)) {
      if (cache.size >= max) cache.clear();
      hit = fn(key);
      cache.set(key, hit);
    }
    return hit as T;
  };
}

const semverOf = memo((v: string) => semver.parse(v.replace(/^v/, '')));
const pep440Of = memo((v: string) => pep440Valid(v) !== null);
const semverCompare = memo((pair: string) => {
  const [a, b] = pair.split('\u0000') as [string, string];
  return semverOf(a)!.compare(semverOf(b)!);
});
const pep440Cmp = memo((pair: string) => {
  const [a, b] = pair.split('\u0000') as [string, string];
  return pep440Compare(a, b);
});

/** Comparators by range type and ecosystem; undefined where we have none (the range is then skipped). */
export function comparatorFor(rangeType: string, ecosystem: string): Compare | undefined {
  if (rangeType === 'SEMVER' || (rangeType === 'ECOSYSTEM' && ecosystem === 'npm')) return (a, b) => semverCompare(`${a}\u0000${b}`);
  if (rangeType === 'ECOSYSTEM' && ecosystem === 'PyPI') return (a, b) => pep440Cmp(`${a}\u0000${b}`);
  return undefined;
}

function validFor(rangeType: string, ecosystem: string, version: string): boolean {
  if (rangeType === 'SEMVER' || ecosystem === 'npm') return semverOf(version) !== null;
  if (ecosystem === 'PyPI') return pep440Of(version);
  return false;
}

/** The canonical name an ecosystem compares package names by (PEP 503 for PyPI; case kept elsewhere). */
export function normaliseName(ecosystem: string, name: string): string {
  return ecosystem === 'PyPI' ? name.toLowerCase().replace(/[-_.]+/g, '-') : name;
}

export interface Evaluation {
  affected: boolean;
  /** The first fixed version above the evaluated version, from the ranges (undefined when none is known). */
  fixed?: string;
  /** Ranges that could not be evaluated here, said once per kind. */
  skipped: string[];
  /** Ranges that were evaluated (0 with skipped ones: the record could not be judged by its ranges here). */
  evaluatedRanges: number;
}

interface Event {
  kind: 'introduced' | 'fixed' | 'last_affected' | 'limit';
  version: string;
}

const EVENTS = new WeakMap<Json, Event[]>();

function eventsOf(range: Json): Event[] {
  const cached = EVENTS.get(range);
  if (cached) return cached;
  const out: Event[] = [];
  for (const e of Array.isArray(range.events) ? range.events.filter(isObject) : []) {
    for (const kind of ['introduced', 'fixed', 'last_affected', 'limit'] as const) if (typeof e[kind] === 'string') out.push({ kind, version: e[kind] as string });
  }
  EVENTS.set(range, out);
  return out;
}

/** Events in version order, per range object: a record's ranges are evaluated for many versions. */
const SORTED = new WeakMap<Event[], Event[]>();

/** One range, by the schema's algorithm. `0` sorts before every version. */
function inRange(version: string, events: Event[], cmp: Compare): boolean {
  const order = (v: string) => v === '0';
  let sorted = SORTED.get(events);
  if (!sorted) {
    sorted = [...events].sort((a, b) => (order(a.version) ? -1 : order(b.version) ? 1 : cmp(a.version, b.version)));
    SORTED.set(events, sorted);
  }
  const limits = sorted.filter((e) => e.kind === 'limit');
  if (limits.length && !limits.some((l) => l.version === '*' || cmp(version, l.version) < 0)) return false;
  let affected = false;
  for (const e of sorted) {
    if (e.kind === 'introduced' && (e.version === '0' || cmp(version, e.version) >= 0)) affected = true;
    else if (e.kind === 'fixed' && cmp(version, e.version) >= 0) affected = false;
    else if (e.kind === 'last_affected' && cmp(version, e.version) > 0) affected = false;
  }
  return affected;
}

/** Whether `affected[]` entries for one package cover `version`, and the first fixed version after it. */
export function evaluateAffected(entries: readonly Json[], version: string): Evaluation {
  const skipped: string[] = [];
  let affected = false;
  let evaluatedRanges = 0;
  const fixes: { version: string; cmp?: Compare }[] = [];
  for (const entry of entries) {
    const ecosystem = isObject(entry.package) && typeof entry.package.ecosystem === 'string' ? entry.package.ecosystem : '';
    if (Array.isArray(entry.versions) && entry.versions.includes(version)) affected = true;
    for (const range of Array.isArray(entry.ranges) ? entry.ranges.filter(isObject) : []) {
      const type = typeof range.type === 'string' ? range.type : '';
      const events = eventsOf(range);
      const cmp = comparatorFor(type, ecosystem);
      for (const e of events) if (e.kind === 'fixed') fixes.push({ version: e.version, ...(cmp ? { cmp } : {}) });
      if (!cmp) {
        skipped.push(type === 'GIT' ? 'GIT range (commits) skipped' : `${type} range of ecosystem ${ecosystem || '(none)'} skipped: no version comparator`);
        continue;
      }
      const usable = validFor(type, ecosystem, version) && events.every((e) => e.version === '0' || e.version === '*' || validFor(type, ecosystem, e.version));
      if (!usable) {
        skipped.push(`${type} range not evaluated: "${version}" or an event is not a valid ${ecosystem} version`);
        continue;
      }
      evaluatedRanges++;
      if (inRange(version, events, cmp)) affected = true;
    }
  }
  return { affected, ...firstFixAfter(fixes, version), skipped: [...new Set(skipped)], evaluatedRanges };
}

function firstFixAfter(fixes: { version: string; cmp?: Compare }[], version: string): { fixed?: string } {
  let best: { version: string; cmp: Compare } | undefined;
  for (const f of fixes) {
    if (!f.cmp) continue;
    try {
      if (f.cmp(f.version, version) <= 0) continue;
      if (!best || f.cmp(f.version, best.version) < 0) best = { version: f.version, cmp: f.cmp };
    } catch {
      // an invalid version in a fix event is not a fix we can order
    }
  }
  if (best) return { fixed: best.version };
  const unordered = fixes.find((f) => !f.cmp);
  return unordered ? { fixed: unordered.version } : {};
}
