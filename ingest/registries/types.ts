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
  /**
   * For a seed taken from a Package node of the graph: that node's key. The release its pin resolves to is written
   * under it, because a manifest may spell the version otherwise than the registry does while meaning the same
   * release (`scikit-learn==1.3` is PyPI's 1.3.0, `Django==3.0.0-RC1` its 3.0rc1): the node the manifest's
   * DEPENDS_ON points at is then the one that gets the release's dependencies, maintainers and provenance.
   */
  graphKey?: string;
}

export interface PackageMapping {
  nodes: NodeRecord[];
  edges: EdgeRecord[];
  requirements: Requirement[];
  /** Bad entries in the release's own metadata (reported against the package). */
  warnings: string[];
}
