/**
 * Whether an OSV record affects one package version, evaluated locally by the OSV schema's rules ("Evaluation"):
 * the `versions` list, then each ECOSYSTEM or SEMVER range's events in version order (`introduced` opens,
 * `fixed` closes at that version, `last_affected` closes after it, `limit` bounds the range). Versions compare
 * with the ecosystem's own library: PEP 440 for PyPI, npm's semver for npm and every SEMVER range. GIT ranges
 * (commits) and ECOSYSTEM ranges of ecosystems we have no comparator for are skipped, and said so. A GIT range's
 * events are commits in the upstream repository, not package versions: they never decide a registry version's
 * verdict here and are never offered as its fix.
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
  /** Ranges not evaluated here by design (GIT commits, ecosystems without a comparator), said once per kind. */
  skipped: string[];
  /** Ranges that should have been evaluated but could not be: the version or an event is not valid for them. */
  invalid: string[];
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

/**
 * The schema's two special values, each only for its own kind: `introduced: "0"` sorts before every version, a
 * `limit` containing "*" after every one (no limit). Anywhere else they are ordinary strings the comparator judges.
 */
const isBottom = (e: Event) => e.kind === 'introduced' && e.version === '0';
const isTop = (e: Event) => e.kind === 'limit' && e.version.includes('*');
const rank = (e: Event) => (isBottom(e) ? -1 : isTop(e) ? 1 : 0);

/** Events in version order, per range object: a record's ranges are evaluated for many versions. */
const SORTED = new WeakMap<Event[], Event[]>();

/** One range, by the schema's algorithm; every event is either special or a valid version (see `evaluateAffected`). */
function inRange(version: string, events: Event[], cmp: Compare): boolean {
  let sorted = SORTED.get(events);
  if (!sorted) {
    sorted = [...events].sort((a, b) => rank(a) - rank(b) || (rank(a) === 0 ? cmp(a.version, b.version) : 0));
    SORTED.set(events, sorted);
  }
  const limits = sorted.filter((e) => e.kind === 'limit');
  if (limits.length && !limits.some((l) => isTop(l) || cmp(version, l.version) < 0)) return false;
  let affected = false;
  for (const e of sorted) {
    if (e.kind === 'introduced' && (isBottom(e) || cmp(version, e.version) >= 0)) affected = true;
    else if (e.kind === 'fixed' && cmp(version, e.version) >= 0) affected = false;
    else if (e.kind === 'last_affected' && cmp(version, e.version) > 0) affected = false;
  }
  return affected;
}

/** Why a range with a comparator cannot be evaluated for `version`, or undefined when it can. */
function invalidity(type: string, ecosystem: string, version: string, events: Event[]): string | undefined {
  const syntax = type === 'SEMVER' ? 'semver' : ecosystem;
  if (!validFor(type, ecosystem, version)) return `${type} range not evaluated: "${version}" is not a valid ${syntax} version`;
  const bad = events.find((e) => rank(e) === 0 && !validFor(type, ecosystem, e.version));
  return bad ? `${type} range not evaluated: its ${bad.kind} event "${bad.version.slice(0, 80)}" is not a valid ${syntax} version` : undefined;
}

interface Fix {
  version: string;
  /** How it orders against other versions; absent for a range of an ecosystem we have no comparator for. */
  cmp?: Compare;
}

/** Whether `affected[]` entries for one package cover `version`, and the first fixed version after it. */
export function evaluateAffected(entries: readonly Json[], version: string): Evaluation {
  const skipped: string[] = [];
  const invalid: string[] = [];
  let affected = false;
  let evaluatedRanges = 0;
  const fixes: Fix[] = [];
  for (const entry of entries) {
    const ecosystem = isObject(entry.package) && typeof entry.package.ecosystem === 'string' ? entry.package.ecosystem : '';
    if (Array.isArray(entry.versions) && entry.versions.includes(version)) affected = true;
    for (const range of Array.isArray(entry.ranges) ? entry.ranges.filter(isObject) : []) {
      const type = typeof range.type === 'string' ? range.type : '';
      const events = eventsOf(range);
      if (type === 'GIT') {
        // Commits in the upstream repository: neither a verdict on a registry version nor a version to upgrade to.
        skipped.push('GIT range (commits) skipped');
        continue;
      }
      const cmp = comparatorFor(type, ecosystem);
      if (!cmp) {
        // Still the ecosystem's own versions, so a fix it names is worth offering, though we cannot order it.
        if (type === 'ECOSYSTEM') for (const e of events) if (e.kind === 'fixed') fixes.push({ version: e.version });
        skipped.push(`${type} range of ecosystem ${ecosystem || '(none)'} skipped: no version comparator`);
        continue;
      }
      for (const e of events) if (e.kind === 'fixed' && validFor(type, ecosystem, e.version)) fixes.push({ version: e.version, cmp });
      const why = invalidity(type, ecosystem, version, events);
      if (why) {
        invalid.push(why);
        continue;
      }
      evaluatedRanges++;
      if (inRange(version, events, cmp)) affected = true;
    }
  }
  return { affected, ...firstFixAfter(fixes, version), skipped: [...new Set(skipped)], invalid: [...new Set(invalid)], evaluatedRanges };
}

function firstFixAfter(fixes: Fix[], version: string): { fixed?: string } {
  let best: { version: string; cmp: Compare } | undefined;
  for (const f of fixes) {
    if (!f.cmp) continue;
    try {
      if (f.cmp(f.version, version) <= 0) continue;
      if (!best || f.cmp(f.version, best.version) < 0) best = { version: f.version, cmp: f.cmp };
    } catch {
      // the evaluated version is not one this comparator reads: its fixes cannot be ordered against it
    }
  }
  if (best) return { fixed: best.version };
  const unordered = fixes.find((f) => !f.cmp);
  return unordered ? { fixed: unordered.version } : {};
}
