/**
 * A model's environment files (requirements.txt, conda.yaml's `pip:` list, python_env.yaml) → DEPENDS_ON the PyPI
 * packages they pin, keyed as the registries ingestor writes them (`pkg:pypi/<name>@<version>`), which `aispm
 * ingest packages` and `ingest osv` then enrich. Parsed by the shared manifest readers (`ingest/manifests`), as pip
 * and conda read them; a requirement without a pinned version names no package version and is kept on the model
 * as `unpinnedRequirements`. Pure.
 */
import type { EdgeRecord, Props } from '../../schema/records.ts';
import { declaredPackageKey, parseManifest, type DeclaredDependency } from '../manifests/index.ts';
import type { ManifestText } from './artifacts.ts';
import { SOURCE } from './refs.ts';

export interface RequirementsMapping {
  edges: EdgeRecord[];
  /** `name versionRange` of PyPI requirements that pin no version. */
  unpinned: string[];
  warnings: string[];
}

export function mapRequirements(model: string, manifests: readonly ManifestText[]): RequirementsMapping {
  const byKey = new Map<string, { dep: DeclaredDependency; key: string }>();
  const unpinned = new Set<string>();
  const warnings: string[] = [];
  const read = new Set(manifests.map((m) => m.path));
  for (const m of manifests) {
    const parsed = parseManifest(m.path, m.text);
    if (!parsed) continue;
    // `-r requirements.txt` in python_env.yaml names a file read here anyway: not worth a warning.
    const followed = parsed.includes.filter((i) => read.has(i.path)).map((i) => `${i.evidence}:`);
    warnings.push(...parsed.warnings.filter((w) => !followed.some((f) => w.startsWith(f))));
    for (const dep of parsed.dependencies) {
      if (dep.ecosystem !== 'pypi') continue; // the interpreter and conda's own packages are not PyPI's
      const key = declaredPackageKey(dep);
      if (!key) {
        if (dep.source === 'registry') unpinned.add(`${dep.name}${dep.versionRange ? ` ${dep.versionRange}` : ''}`);
        continue;
      }
      // The same pin in requirements.txt and conda.yaml is one dependency; the first file read says where.
      if (!byKey.has(key)) byKey.set(key, { dep, key });
    }
  }
  const edges = [...byKey.values()].map(({ dep, key }): EdgeRecord => {
    const props: Props = { scope: dep.scope };
    if (dep.versionRange) props.versionRange = dep.versionRange;
    return { kind: 'DEPENDS_ON', from: model, to: key, source: SOURCE, evidence: dep.evidence, confidence: 'declared', props };
  });
  return { edges, unpinned: [...unpinned].sort(), warnings };
}
