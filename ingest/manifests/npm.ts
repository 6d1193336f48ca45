/**
 * npm manifests: package.json's dependency sections, each spec classified by `npm-package-arg` (what the npm CLI
 * uses: a range, an exact version, a dist-tag, an `npm:` alias, git, a tarball URL, a path), and package-lock.json /
 * npm-shrinkwrap.json in lockfile versions 1 (nested `dependencies`), 2 and 3 (`packages` by install path), with
 * what each locked package requires resolved as Node resolves a `require`: the nearest `node_modules` up the path.
 */
import npa from 'npm-package-arg';
import { emptyResult } from './requirements-txt.ts';
import type { DeclaredDependency, DependencyScope, ManifestResult } from './types.ts';

type Table = Record<string, unknown>;
const isTable = (v: unknown): v is Table => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Sections in the order npm reads them; a later section wins for a name in both (optional over runtime). */
const SECTIONS: ReadonlyArray<readonly [string, DependencyScope]> = [
  ['dependencies', 'runtime'],
  ['devDependencies', 'dev'],
  ['peerDependencies', 'peer'],
  ['optionalDependencies', 'optional'],
];

function readJson(text: string, path: string, result: ManifestResult): Table | undefined {
  try {
    const doc = JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
    if (isTable(doc)) return doc;
    result.warnings.push(`${path}: not a JSON object`);
  } catch (err) {
    result.warnings.push(`${path}: not valid JSON (${(err as Error).message.slice(0, 120)})`);
  }
  return undefined;
}

/** One `name: spec` entry as npm reads it, or a warning. */
export function npmDependency(name: string, spec: unknown, scope: DependencyScope, evidence: string, warnings: string[]): DeclaredDependency | undefined {
  if (typeof spec !== 'string') {
    warnings.push(`${evidence}: the spec is not a string`);
    return undefined;
  }
  const base = { ecosystem: 'npm' as const, scope, evidence, direct: true };
  if (spec.startsWith('workspace:')) return { ...base, name, source: 'workspace', reference: spec };
  let parsed: npa.Result;
  try {
    // `/` as the base so that a path spec never resolves against this process's directory.
    parsed = npa.resolve(name, spec, '/');
  } catch (err) {
    warnings.push(`${evidence}: ${(err as Error).message.slice(0, 160)}`);
    return undefined;
  }
  const target = parsed.type === 'alias' ? (parsed as npa.AliasResult).subSpec : parsed;
  const targetName = target.name ?? name;
  switch (target.type) {
    case 'version':
      return { ...base, name: targetName, versionRange: target.rawSpec, pinnedVersion: target.fetchSpec ?? target.rawSpec, source: 'registry' };
    case 'range':
    case 'tag':
      return { ...base, name: targetName, versionRange: target.rawSpec === '' ? '*' : target.rawSpec, source: 'registry' };
    case 'git':
      return { ...base, name: targetName, source: 'git', reference: spec };
    case 'remote':
      return { ...base, name: targetName, source: 'url', reference: spec };
    default:
      return { ...base, name: targetName, source: 'path', reference: spec };
  }
}

export function parsePackageJson(text: string, path: string): ManifestResult {
  const result = emptyResult('package.json');
  const doc = readJson(text, path, result);
  if (!doc) return result;
  const byName = new Map<string, DeclaredDependency>();
  for (const [section, scope] of SECTIONS) {
    const deps = doc[section];
    if (deps === undefined) continue;
    if (!isTable(deps)) {
      result.warnings.push(`${path}:${section} is not an object`);
      continue;
    }
    for (const [name, spec] of Object.entries(deps)) {
      const dep = npmDependency(name, spec, scope, `${path}:${section}.${name}`, result.warnings);
      if (!dep) continue;
      // A peer that is also a dev dependency is installed for development; the peer declaration is what consumers see.
      if (scope === 'dev' && byName.get(name)?.scope === 'peer') continue;
      byName.set(name, dep);
    }
  }
  result.dependencies.push(...byName.values());
  return result;
}

/** The package name an install path ends in: `node_modules/@s/a/node_modules/b` → `b`. */
function nameAtPath(path: string): string | undefined {
  const at = path.lastIndexOf('node_modules/');
  if (at < 0) return undefined;
  const rest = path.slice(at + 'node_modules/'.length);
  return rest.startsWith('@') ? rest.split('/').slice(0, 2).join('/') : rest.split('/')[0];
}

function lockSource(resolved: unknown, version: string): { source: DeclaredDependency['source']; reference?: string } {
  const r = typeof resolved === 'string' ? resolved : version;
  if (/^git(\+|:)|^github:/.test(r)) return { source: 'git', reference: r };
  if (/^file:/.test(r)) return { source: 'path', reference: r };
  return { source: 'registry' };
}

const scopeOf = (e: Table): DependencyScope => (e.dev === true || e.devOptional === true ? 'dev' : e.optional === true ? 'optional' : e.peer === true ? 'peer' : 'runtime');

const REQUIRE_SECTIONS = ['dependencies', 'optionalDependencies', 'peerDependencies'] as const;

/** lockfileVersion 2 and 3: `packages` keyed by install path, `""` the root. */
function readPackages(packages: Table, path: string, result: ManifestResult): void {
  const root = isTable(packages['']) ? packages[''] : {};
  const rootDeclared = new Set(SECTIONS.flatMap(([s]) => (isTable(root[s]) ? Object.keys(root[s]) : [])));
  const entries = new Map<string, { name: string; version: string }>();
  for (const [installPath, entry] of Object.entries(packages)) {
    if (installPath === '' || !isTable(entry) || entry.link === true) continue;
    const installedAs = nameAtPath(installPath);
    if (!installedAs) continue; // a workspace folder, not an installed package
    // An aliased install (`"x": "npm:real@1"`) is locked under its alias with the real `name`.
    const name = typeof entry.name === 'string' ? entry.name : installedAs;
    if (typeof entry.version !== 'string') {
      result.warnings.push(`${path}:packages.${installPath} has no version`);
      continue;
    }
    entries.set(installPath, { name, version: entry.version });
    const topLevel = installPath === `node_modules/${installedAs}`;
    result.dependencies.push({
      ecosystem: 'npm',
      name,
      pinnedVersion: entry.version,
      scope: scopeOf(entry),
      evidence: `${path}:packages.${installPath}`,
      direct: topLevel && rootDeclared.has(installedAs),
      ...lockSource(entry.resolved, entry.version),
      ...(typeof entry.integrity === 'string' ? { hashes: [entry.integrity] } : {}),
    });
  }
  // What each locked package requires, found where Node would find it.
  for (const [installPath, entry] of Object.entries(packages)) {
    const self = entries.get(installPath);
    if (!self || !isTable(entry)) continue;
    for (const section of REQUIRE_SECTIONS) {
      const deps = entry[section];
      if (!isTable(deps)) continue;
      for (const [dep, range] of Object.entries(deps)) {
        const found = resolveFrom(installPath, dep, entries);
        if (!found) continue; // an optional or peer dependency that is not installed
        result.dependencies.push({
          ecosystem: 'npm',
          name: found.name,
          ...(typeof range === 'string' ? { versionRange: range } : {}),
          pinnedVersion: found.version,
          scope: section === 'optionalDependencies' ? 'optional' : section === 'peerDependencies' ? 'peer' : scopeOf(entry),
          evidence: `${path}:packages.${installPath}.${section}.${dep}`,
          direct: false,
          requiredBy: self,
          source: 'registry',
        });
      }
    }
  }
}

function resolveFrom<T>(installPath: string, dep: string, entries: Map<string, T>): T | undefined {
  let base = installPath;
  for (;;) {
    const hit = entries.get(`${base ? `${base}/` : ''}node_modules/${dep}`);
    if (hit) return hit;
    if (!base) return undefined;
    const at = base.lastIndexOf('node_modules/');
    base = at <= 0 ? '' : base.slice(0, at - 1);
  }
}

/** lockfileVersion 1: a nested `dependencies` tree whose `requires` name ranges. */
function readDependencyTree(tree: Table, path: string, result: ManifestResult): void {
  const entries = new Map<string, { name: string; version: string }>();
  const walk = (deps: Table, prefix: string) => {
    for (const [key, entry] of Object.entries(deps)) {
      if (!isTable(entry) || typeof entry.version !== 'string') continue;
      const installPath = `${prefix}node_modules/${key}`;
      // An alias is locked as `npm:real-name@version`.
      const alias = /^npm:((?:@[^/]+\/)?[^@]+)@(.+)$/.exec(entry.version);
      const self = { name: alias ? alias[1]! : key, version: alias ? alias[2]! : entry.version };
      entries.set(installPath, self);
      result.dependencies.push({
        ecosystem: 'npm',
        ...self,
        pinnedVersion: self.version,
        scope: scopeOf(entry),
        evidence: `${path}:dependencies.${installPath}`,
        direct: false,
        ...lockSource(entry.resolved, entry.version),
        ...(typeof entry.integrity === 'string' ? { hashes: [entry.integrity] } : {}),
      } as DeclaredDependency);
      if (isTable(entry.dependencies)) walk(entry.dependencies, `${installPath}/`);
    }
  };
  walk(tree, '');
  const requiresOf = (deps: Table, prefix: string) => {
    for (const [key, entry] of Object.entries(deps)) {
      if (!isTable(entry)) continue;
      const installPath = `${prefix}node_modules/${key}`;
      const self = entries.get(installPath);
      if (self && isTable(entry.requires)) {
        for (const [dep, range] of Object.entries(entry.requires)) {
          const found = resolveFrom(installPath, dep, entries);
          if (!found) continue;
          result.dependencies.push({
            ecosystem: 'npm',
            name: found.name,
            ...(typeof range === 'string' ? { versionRange: range } : {}),
            pinnedVersion: found.version,
            scope: scopeOf(entry),
            evidence: `${path}:dependencies.${installPath}.requires.${dep}`,
            direct: false,
            requiredBy: self,
            source: 'registry',
          });
        }
      }
      if (isTable(entry.dependencies)) requiresOf(entry.dependencies, `${installPath}/`);
    }
  };
  requiresOf(tree, '');
}

export function parsePackageLock(text: string, path: string): ManifestResult {
  const result = emptyResult('package-lock.json');
  const doc = readJson(text, path, result);
  if (!doc) return result;
  const version = doc.lockfileVersion;
  if (version !== 1 && version !== 2 && version !== 3) result.warnings.push(`${path}: lockfileVersion ${JSON.stringify(version)} is not one npm writes (1, 2 or 3); read as far as it is understood`);
  // Version 2 holds both forms; `packages` is the complete one.
  if (isTable(doc.packages)) readPackages(doc.packages, path, result);
  else if (isTable(doc.dependencies)) readDependencyTree(doc.dependencies, path, result);
  return result;
}
