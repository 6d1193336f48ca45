/**
 * pyproject.toml: PEP 621 `[project]` dependencies and optional-dependencies, PEP 735 `[dependency-groups]`,
 * `[build-system] requires`, and Poetry's `[tool.poetry.dependencies]`, `dev-dependencies` and groups (Poetry
 * constraints translated to PEP 440). Poetry.lock: every locked package with its version, files' hashes and what it
 * requires of the other locked packages. TOML is read with a TOML 1.0 parser.
 */
import { parse as parseToml, TomlError } from 'smol-toml';
import { declaredFromRequirement, normaliseExtra, pinnedVersionOf, readRequirement } from './pep508.ts';
import { ConstraintError, poetryToPep440 } from './poetry-constraint.ts';
import { emptyResult } from './requirements-txt.ts';
import type { DeclaredDependency, DependencyScope, ManifestResult } from './types.ts';

type Table = Record<string, unknown>;
const isTable = (v: unknown): v is Table => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

function readToml(text: string, path: string, result: ManifestResult): Table | undefined {
  try {
    return parseToml(text) as Table;
  } catch (err) {
    if (!(err instanceof TomlError)) throw err;
    result.warnings.push(`${path}: not valid TOML (${err.message.split('\n')[0]})`);
    return undefined;
  }
}

const pep503 = (name: string) => name.toLowerCase().replace(/[-_.]+/g, '-');

function addPep508(req: string, where: string, scope: DependencyScope, result: ManifestResult): void {
  const parsed = readRequirement(req, where, result.warnings);
  if (!parsed) return;
  result.dependencies.push(declaredFromRequirement(parsed, where, scope));
}

/** One Poetry dependency value: a constraint string, a table, or a list of tables (one per environment). */
function addPoetry(name: string, value: unknown, where: string, scope: DependencyScope, result: ManifestResult): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => addPoetry(name, v, `${where}[${i}]`, scope, result));
    return;
  }
  const spec: Table = typeof value === 'string' ? { version: value } : isTable(value) ? value : {};
  if (!isTable(value) && typeof value !== 'string') {
    result.warnings.push(`${where}: a dependency must be a constraint string or a table`);
    return;
  }
  const reference = ['git', 'url', 'path'].map((k) => spec[k]).find((v): v is string => typeof v === 'string');
  let versionRange = '';
  if (typeof spec.version === 'string') {
    try {
      versionRange = poetryToPep440(spec.version);
    } catch (err) {
      if (!(err instanceof ConstraintError)) throw err;
      result.warnings.push(`${where}: ${err.message}`);
      return;
    }
  }
  const pinned = versionRange.includes('||') ? undefined : pinnedVersionOf(versionRange);
  const extras = strings(spec.extras).map(normaliseExtra);
  result.dependencies.push({
    ecosystem: 'pypi',
    name,
    ...(versionRange ? { versionRange } : {}),
    ...(pinned ? { pinnedVersion: pinned } : {}),
    scope: spec.optional === true && scope === 'runtime' ? 'optional' : scope,
    evidence: where,
    direct: true,
    source: reference === undefined ? 'registry' : typeof spec.git === 'string' ? 'git' : typeof spec.url === 'string' ? 'url' : 'path',
    ...(reference !== undefined ? { reference } : {}),
    ...(extras.length ? { extras } : {}),
    ...(typeof spec.markers === 'string' ? { marker: spec.markers } : {}),
  });
}

function poetryTable(table: unknown, where: string, scope: DependencyScope, result: ManifestResult, skip: Set<string>): void {
  if (!isTable(table)) return;
  for (const [name, value] of Object.entries(table)) {
    // `python` is the interpreter constraint, not a package.
    if (name.toLowerCase() === 'python' || skip.has(pep503(name))) continue;
    addPoetry(name, value, `${where}.${name}`, scope, result);
  }
}

export function parsePyproject(text: string, path: string): ManifestResult {
  const result = emptyResult('pyproject.toml');
  const doc = readToml(text, path, result);
  if (!doc) return result;
  const project = isTable(doc.project) ? doc.project : {};
  const pep621 = strings(project.dependencies);
  pep621.forEach((req) => addPep508(req, `${path}:project.dependencies`, 'runtime', result));
  if (isTable(project['optional-dependencies'])) {
    for (const [extra, reqs] of Object.entries(project['optional-dependencies'])) {
      strings(reqs).forEach((req) => addPep508(req, `${path}:project.optional-dependencies.${extra}`, 'optional', result));
    }
  }
  if (isTable(doc['dependency-groups'])) {
    for (const [group, reqs] of Object.entries(doc['dependency-groups'])) {
      // `{include-group = "x"}` entries repeat another group, which is read on its own.
      strings(reqs).forEach((req) => addPep508(req, `${path}:dependency-groups.${group}`, 'dev', result));
    }
  }
  const build = isTable(doc['build-system']) ? doc['build-system'] : {};
  strings(build.requires).forEach((req) => addPep508(req, `${path}:build-system.requires`, 'build', result));

  const poetry = isTable(doc.tool) && isTable(doc.tool.poetry) ? doc.tool.poetry : undefined;
  if (poetry) {
    // Poetry 2 reads [project] first; its own table then only adds detail for the same names.
    const declared = new Set(result.dependencies.filter((d) => d.scope === 'runtime' || d.scope === 'optional').map((d) => pep503(d.name)));
    poetryTable(poetry.dependencies, `${path}:tool.poetry.dependencies`, 'runtime', result, declared);
    poetryTable(poetry['dev-dependencies'], `${path}:tool.poetry.dev-dependencies`, 'dev', result, new Set());
    if (isTable(poetry.group)) {
      for (const [group, body] of Object.entries(poetry.group)) {
        if (!isTable(body)) continue;
        poetryTable(body.dependencies, `${path}:tool.poetry.group.${group}.dependencies`, group === 'main' ? 'runtime' : 'dev', result, group === 'main' ? declared : new Set());
      }
    }
    if (isTable(poetry.source) || Array.isArray(poetry.source)) {
      for (const s of Array.isArray(poetry.source) ? poetry.source : [poetry.source]) if (isTable(s) && typeof s.url === 'string') result.indexes.push(s.url);
    }
  }
  return result;
}

export function parsePoetryLock(text: string, path: string): ManifestResult {
  const result = emptyResult('poetry.lock');
  const doc = readToml(text, path, result);
  if (!doc) return result;
  const packages = Array.isArray(doc.package) ? doc.package.filter(isTable) : [];
  const locked = new Map<string, string>();
  for (const p of packages) if (typeof p.name === 'string' && typeof p.version === 'string') locked.set(pep503(p.name), p.version);
  packages.forEach((p, i) => {
    const where = `${path}:package[${i}]`;
    if (typeof p.name !== 'string' || typeof p.version !== 'string') {
      result.warnings.push(`${where}: a locked package without a name and version`);
      return;
    }
    const groups = strings(p.groups);
    const dev = p.category === 'dev' || (groups.length > 0 && !groups.includes('main'));
    const source = isTable(p.source) ? p.source : undefined;
    const sourceType = typeof source?.type === 'string' ? source.type : undefined;
    const hashes = (Array.isArray(p.files) ? p.files : []).filter(isTable).map((f) => f.hash).filter((h): h is string => typeof h === 'string');
    const base: Omit<DeclaredDependency, 'name' | 'evidence'> = {
      ecosystem: 'pypi',
      pinnedVersion: p.version,
      scope: dev ? 'dev' : p.optional === true ? 'optional' : 'runtime',
      direct: false,
      source: sourceType === 'git' ? 'git' : sourceType === 'url' ? 'url' : sourceType === 'directory' || sourceType === 'file' ? 'path' : 'registry',
      ...(sourceType && sourceType !== 'legacy' && typeof source?.url === 'string' ? { reference: source.url } : {}),
    };
    result.dependencies.push({ ...base, name: p.name, evidence: where, ...(hashes.length ? { hashes } : {}) });
    if (sourceType === 'legacy' && typeof source?.url === 'string' && !result.indexes.includes(source.url)) result.indexes.push(source.url);
    const requires = isTable(p.dependencies) ? p.dependencies : {};
    for (const [dep, value] of Object.entries(requires)) {
      const version = locked.get(pep503(dep));
      // A requirement the lock does not hold applies to another environment (a marker that does not hold).
      if (version === undefined) continue;
      const first = Array.isArray(value) ? value.find(isTable) : value;
      const constraint = typeof first === 'string' ? first : isTable(first) && typeof first.version === 'string' ? first.version : undefined;
      let range = '';
      try {
        range = constraint ? poetryToPep440(constraint) : '';
      } catch (err) {
        if (!(err instanceof ConstraintError)) throw err;
      }
      result.dependencies.push({
        ecosystem: 'pypi',
        name: dep,
        pinnedVersion: version,
        direct: false,
        ...(range ? { versionRange: range } : {}),
        scope: isTable(first) && first.optional === true ? 'optional' : base.scope,
        evidence: `${where}.dependencies.${dep}`,
        requiredBy: { name: p.name, version: p.version },
        source: 'registry',
        ...(isTable(first) && typeof first.markers === 'string' ? { marker: first.markers } : {}),
      });
    }
  });
  return result;
}
