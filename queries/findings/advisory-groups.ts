/**
 * Advisories that describe one flaw. OSV serves the same vulnerability from several databases (a GitHub advisory,
 * a PyPA record, a CVE), each naming the others in `aliases`; a package is then AFFECTED by each of them. Like
 * osv-scanner, advisories are grouped when one names another or both name a common alias, transitively, so a
 * finding is raised once per flaw rather than once per database.
 */
import type { GraphNode } from '../../schema/records.ts';

const ADVISORY_PREFIX = 'vuln:';

/** The advisory keys in groups (each sorted, groups by their first key), given the advisories' nodes by key. */
export function advisoryGroups(keys: readonly string[], nodes: ReadonlyMap<string, Pick<GraphNode, 'props'>>): string[][] {
  const parent = new Map<string, string>();
  const find = (id: string): string => {
    let root = id;
    while (parent.has(root) && parent.get(root) !== root) root = parent.get(root)!;
    parent.set(id, root);
    return root;
  };
  const union = (a: string, b: string) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  };
  for (const key of keys) {
    const own = idOf(key);
    find(own);
    const aliases = nodes.get(key)?.props.aliases;
    for (const alias of Array.isArray(aliases) ? aliases : []) if (typeof alias === 'string' && alias) union(own, alias.toUpperCase());
  }
  const groups = new Map<string, string[]>();
  for (const key of [...new Set(keys)].sort()) {
    const root = find(idOf(key));
    const group = groups.get(root);
    if (group) group.push(key);
    else groups.set(root, [key]);
  }
  return [...groups.values()].sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0));
}

function idOf(key: string): string {
  return (key.startsWith(ADVISORY_PREFIX) ? key.slice(ADVISORY_PREFIX.length) : key).toUpperCase();
}
