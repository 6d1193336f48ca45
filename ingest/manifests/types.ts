/**
 * What a manifest or lockfile declares: one entry per dependency as the file states it, with where it says so.
 * Pure data, shared by every source that reads manifests (GitHub trees, MLflow artifacts, SBOM-less repositories)
 * and by the registries ingestor that resolves the ranges.
 */

/** Purl types of the ecosystems manifests name. */
export type ManifestEcosystem = 'pypi' | 'npm' | 'conda';

/**
 * runtime: needed to run; dev: development, test and non-default dependency groups; optional: an extra or an
 * optional dependency; peer: an npm peer the host must provide; build: needed to build or install (build-system
 * requires, MLflow build_dependencies).
 */
export type DependencyScope = 'runtime' | 'dev' | 'optional' | 'peer' | 'build';

/** Where the dependency comes from: a registry by name, or something installed by reference instead. */
export type DependencySource = 'registry' | 'url' | 'git' | 'path' | 'workspace';

export interface DeclaredDependency {
  ecosystem: ManifestEcosystem;
  /** The name as written (keys are built with `packageKey`, which canonicalises it). */
  name: string;
  /**
   * The requirement as the ecosystem's resolver reads it: a PEP 440 specifier set for PyPI (Poetry's `^`/`~`
   * constraints translated; `||` separates alternatives), an npm range or dist-tag, a conda match-spec version.
   * Absent: any version.
   */
  versionRange?: string;
  /** The one version the file fixes (`==1.2.3`, a lockfile entry, an exact npm version, a wheel's file name). */
  pinnedVersion?: string;
  scope: DependencyScope;
  /** File and place: `requirements.txt:12`, `pyproject.toml:project.dependencies`, `package-lock.json:packages.node_modules/a`. */
  evidence: string;
  /** True: the dependant itself asks for it; false: a lockfile lists it because another package requires it. */
  direct: boolean;
  /** For lockfile entries required by another locked package: that package (name and locked version). */
  requiredBy?: { name: string; version: string };
  source: DependencySource;
  /** The URL, VCS reference or path when `source` is not the registry. */
  reference?: string;
  extras?: string[];
  /** The PEP 508 environment marker, as written. */
  marker?: string;
  /** Hashes the file pins (`sha256:<hex>` from pip `--hash`; npm `sha512-…` integrity). */
  hashes?: string[];
}

/** A file another file includes that the parser did not follow (`-r other.txt`, `-c constraints.txt`). */
export interface ManifestInclude {
  kind: 'requirements' | 'constraints';
  path: string;
  evidence: string;
}

export interface ManifestResult {
  format: ManifestFormat;
  dependencies: DeclaredDependency[];
  /** Things in the file that were not understood or not followed, each naming its place. */
  warnings: string[];
  includes: ManifestInclude[];
  /** Package indexes the file points the installer at (`--index-url`, `--extra-index-url`, conda channels). */
  indexes: string[];
}

export type ManifestFormat =
  | 'requirements.txt'
  | 'pyproject.toml'
  | 'poetry.lock'
  | 'package.json'
  | 'package-lock.json'
  | 'conda.yaml'
  | 'python_env.yaml';
