/**
 * Declared dependencies from manifests and lockfiles, for every source that finds one (a GitHub tree, an MLflow
 * model's artifacts, a local checkout). Pure: text in, `{ ecosystem, name, versionRange?, pinnedVersion?, scope,
 * evidence, … }` out, with a warning for anything not understood; nothing here fetches or resolves.
 *
 *   const found = parseManifest('requirements.txt', text);   // undefined for a file that is no manifest
 *   for (const d of found.dependencies) declaredPackageKey(d); // pkg:pypi/x@1.2.3 when the file pins a version
 */
import { parseCondaYaml, parsePythonEnvYaml } from './conda.ts';
import { parsePackageJson, parsePackageLock } from './npm.ts';
import { registryPackageKey } from './package-key.ts';
import { parsePoetryLock, parsePyproject } from './pyproject.ts';
import { emptyResult, parseRequirementsTxt } from './requirements-txt.ts';
import type { DeclaredDependency, ManifestFormat, ManifestResult } from './types.ts';

export type * from './types.ts';
export { normaliseExtra, parseRequirement, pinnedVersionOf, readRequirement, RequirementSyntaxError, type Pep508Requirement } from './pep508.ts';
export { poetryToPep440 } from './poetry-constraint.ts';
export { npmDependency } from './npm.ts';
export { registryPackageKey } from './package-key.ts';
export { parseCondaYaml, parsePackageJson, parsePackageLock, parsePoetryLock, parsePyproject, parsePythonEnvYaml, parseRequirementsTxt };

/** Manifests larger than this are not parsed (a real one is far smaller; a huge one is hostile or generated). */
export const MAX_MANIFEST_CHARS = 16 * 1024 * 1024;

/** Requirements files whose name says they are for development (`requirements-dev.txt`, `test-requirements.txt`). */
const DEV_NAME = /(^|[-_.])(dev|develop|development|test|tests|testing|docs|lint|ci)([-_.]|$)/i;

/** The manifest format a file name says, or undefined. */
export function manifestFormatOf(path: string): ManifestFormat | undefined {
  const name = (path.split('/').pop() ?? '').toLowerCase();
  if (name === 'pyproject.toml') return 'pyproject.toml';
  if (name === 'poetry.lock') return 'poetry.lock';
  if (name === 'package.json') return 'package.json';
  if (name === 'package-lock.json' || name === 'npm-shrinkwrap.json') return 'package-lock.json';
  if (/^(conda|environment)\.ya?ml$/.test(name)) return 'conda.yaml';
  if (/^python_env\.ya?ml$/.test(name)) return 'python_env.yaml';
  if (/requirements.*\.(txt|in)$/.test(name)) return 'requirements.txt';
  return undefined;
}

/** Parses a manifest by its file name; undefined when the name is no manifest format. */
export function parseManifest(path: string, text: string): ManifestResult | undefined {
  const format = manifestFormatOf(path);
  if (!format) return undefined;
  if (text.length > MAX_MANIFEST_CHARS) {
    const result = emptyResult(format);
    result.warnings.push(`${path}: ${text.length} characters is over the ${MAX_MANIFEST_CHARS}-character limit for a manifest; not parsed`);
    return result;
  }
  switch (format) {
    case 'requirements.txt':
      return parseRequirementsTxt(text, path, DEV_NAME.test((path.split('/').pop() ?? '').replace(/requirements/i, '')) ? 'dev' : 'runtime');
    case 'pyproject.toml':
      return parsePyproject(text, path);
    case 'poetry.lock':
      return parsePoetryLock(text, path);
    case 'package.json':
      return parsePackageJson(text, path);
    case 'package-lock.json':
      return parsePackageLock(text, path);
    case 'conda.yaml':
      return parseCondaYaml(text, path);
    case 'python_env.yaml':
      return parsePythonEnvYaml(text, path);
  }
}

/**
 * The Package key of a dependency the file pins to one version from a registry (`pkg:pypi/torch@2.1.0`), as the
 * registries ingestor writes it; undefined for a range (resolve it with `aispm ingest packages`) or a reference.
 */
export function declaredPackageKey(dep: DeclaredDependency): string | undefined {
  if (dep.pinnedVersion === undefined || dep.source !== 'registry') return undefined;
  return registryPackageKey(dep.ecosystem, dep.name, dep.pinnedVersion);
}
