/** What mapping one registry release gives the crawl: its records, and the requirements it declares. */
import type { DependencyScope } from '../manifests/index.ts';
import type { EdgeRecord, NodeRecord } from '../../schema/records.ts';

export type RegistryEcosystem = 'pypi' | 'npm';

/** A dependency to resolve: a name and a range in the ecosystem's own syntax. */
export interface Requirement {
  ecosystem: RegistryEcosystem;
  name: string;
  /** PEP 440 specifier set (alternatives joined by `||`) or npm range / dist-tag; '' for any. */
  range: string;
  scope: DependencyScope;
  /** PyPI extras asked of the dependency. */
  extras: readonly string[];
  /** Where the dependant declares it, for the DEPENDS_ON edge. */
  evidence: string;
}

export interface PackageMapping {
  nodes: NodeRecord[];
  edges: EdgeRecord[];
  requirements: Requirement[];
  /** Bad entries in the release's own metadata (reported against the package). */
  warnings: string[];
}
