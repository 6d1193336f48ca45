/** Package nodes already in the graph, page by page, with their purls read: what `ingest packages` and `ingest osv` start from. */
import { parsePurl, type Purl } from '../../schema/keys.ts';
import type { GraphStore } from '../../schema/store.ts';

export interface GraphPackage {
  key: string;
  /** Undefined for a key that does not read as a purl. */
  purl?: Purl;
}

export async function* packagesInGraph(store: GraphStore): AsyncGenerator<GraphPackage> {
  for (let after: string | undefined, more = true; more; ) {
    const page = await store.find({ kind: 'Package', first: 1000, ...(after ? { after } : {}) });
    for (const node of page.items) {
      const purl = parsePurl(node.key);
      yield { key: node.key, ...(purl ? { purl } : {}) };
    }
    more = page.hasNextPage;
    after = page.endCursor ?? undefined;
  }
}

/** The name a registry writes for a purl's namespace and name (`@scope/name` for npm). */
export function registryName(purl: Purl): string {
  return purl.type === 'npm' && purl.namespace.length ? `${purl.namespace.join('/')}/${purl.name}` : purl.name;
}
