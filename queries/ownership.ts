/**
 * Who owns and who can write an asset. Ownership is access data (CAN_WRITE, MEMBER_OF), not compromise flow, so
 * these two kinds are named here on purpose; the traversal engine itself never names a kind.
 *
 * Organisation membership of an identity = its own name, its `org` property, and the orgs it is a MEMBER_OF
 * (any role). Compared by bare name, so `hf:org/acme`, an `org: "acme"` property and the owner segment of
 * `hf:model/acme/x` all mean the same organisation.
 */
import { EDGE_KINDS, EDGE_SPECS, type AnalystTag, type EdgeKind, type NodeKind } from '../schema/model.ts';
import type { GraphEdge, GraphNode } from '../schema/records.ts';
import { identityName, ownerNameOfKey, ownerOfKey } from '../schema/keys.ts';
import type { GraphStore } from '../schema/store.ts';
import { analystTagsOf } from '../schema/tags.ts';

export const WRITE_ACCESS: EdgeKind = 'CAN_WRITE';
export const MEMBERSHIP: EdgeKind = 'MEMBER_OF';

/** Identities an analyst tagged with this stand for "any signed-in user" (an open-contribution repository). */
export const ANYONE_TAG: AnalystTag = 'anyone';

/** The bare name of an identity key (`hf:org/acme` → `acme`), or the value itself lower-cased when it is a plain name. */
export const bareName = identityName;

/**
 * The owning user or org of an asset: the namespace its key format names (`hf:model/<owner>/<name>`,
 * `gh:repo/<owner>/…`, files by their repository's owner; see `schema/model.ts`), else its `author` property.
 * Packages (purls) and ownerless legacy keys without an author have no known owner.
 *
 * The namespace wins because it is what controls writes to the repository: an `author` is what some record says
 * (a Hub API field, an imported SBOM's component author, a model card), and a record that could name an owner
 * other than the namespace could make an outside writer look like the owner's own. Every source writes `author`
 * equal to the namespace where a key has one, so this decides only for ownerless keys (MLflow, packages) — and it
 * lets the outside-writer rule judge a grant from the two keys alone (entry-points.ts).
 */
export function ownerOf(node: Pick<GraphNode, 'key' | 'props'>): string | undefined {
  // The namespace as owners are compared (ownerNameOfKey): the same value edgeEnds' `owners` hands over.
  const fromKey = ownerNameOfKey(node.key);
  if (fromKey) return fromKey;
  const author = node.props.author;
  return typeof author === 'string' && author ? author.toLowerCase() : undefined;
}

/**
 * The organisations an identity belongs to by itself, before MEMBER_OF edges: its own name, the organisation its
 * key names (a team's), and its `org` property.
 */
export function ownOrgs(key: string, node: Pick<GraphNode, 'props'> | undefined): Set<string> {
  return new Set(ownOrgList(key, node));
}

/** ownOrgs as a list, an org possibly twice: for a caller that searches one identity's few orgs many times. */
export function ownOrgList(key: string, node: Pick<GraphNode, 'props'> | undefined): string[] {
  const orgs = [bareName(key)];
  const keyOrg = ownerOfKey(key);
  if (keyOrg) orgs.push(bareName(keyOrg));
  const org = node?.props.org;
  if (typeof org === 'string' && org) orgs.push(bareName(org));
  return orgs;
}

export interface WriteAccess {
  /** asset key → CAN_WRITE edges into it (the writers). */
  writersOf: Map<string, GraphEdge[]>;
  /** identity key → the org names it belongs to (see the module comment). */
  orgsOf: Map<string, Set<string>>;
  /** identity key → MEMBER_OF org keys. */
  memberOf: Map<string, string[]>;
  /** identity key → node (absent for identities the store does not have). */
  identities: Map<string, GraphNode>;
}

/**
 * Writers of all `assets` with their organisations, in three batched store calls. `grantProps: false` when the
 * caller reads only who writes what, not the grants' props (`role`): the store then answers from its topology
 * alone, which for tens of thousands of assets is most of the cost saved. Membership is any role, so its props are
 * never read.
 */
export async function loadWriteAccess(store: GraphStore, assets: readonly string[], opts: { grantProps?: boolean } = {}): Promise<WriteAccess> {
  const writersOf = new Map<string, GraphEdge[]>();
  const orgsOf = new Map<string, Set<string>>();
  const memberOf = new Map<string, string[]>();
  if (assets.length === 0) return { writersOf, orgsOf, memberOf, identities: new Map() };
  const writes = await store.expand({ keys: assets, direction: 'in', edgeKinds: [WRITE_ACCESS], withProps: opts.grantProps ?? true });
  for (const e of writes) push(writersOf, e.to, e);
  const writers = [...new Set(writes.map((e) => e.from))];
  const [memberships, nodes] = await Promise.all([
    store.expand({ keys: writers, direction: 'out', edgeKinds: [MEMBERSHIP], withProps: false }),
    store.getNodes(writers),
  ]);
  const identities = new Map(nodes.map((n) => [n.key, n]));
  for (const w of writers) orgsOf.set(w, ownOrgs(w, identities.get(w)));
  for (const m of memberships) {
    orgsOf.get(m.from)?.add(bareName(m.to));
    push(memberOf, m.from, m.to);
  }
  return { writersOf, orgsOf, memberOf, identities };
}

/**
 * Whether a writer is outside the owner's organisation. An identity tagged `anyone` is outside every org. With no
 * known owner nobody can be called outside, so the answer is false.
 */
export function isOutsider(access: WriteAccess, writer: string, owner: string | undefined): boolean {
  if (analystTagsOf(access.identities.get(writer)).includes(ANYONE_TAG)) return true;
  if (!owner) return false;
  return !(access.orgsOf.get(writer)?.has(owner) ?? false);
}

/**
 * The kinds by which a non-identity asset controls a node of `kind`: forward-flowing edges into it from something
 * that is not an identity (a repository DEPLOYS an endpoint). Derived from the flow table, so none is named here.
 */
export function controllingKinds(kind: NodeKind): EdgeKind[] {
  return EDGE_KINDS.filter((k) => EDGE_SPECS[k].flow === 'forward' && EDGE_SPECS[k].pairs.some(([from, to]) => to === kind && from !== 'Identity'));
}

/** asset → the assets that control it (the repositories that deploy an endpoint), in one store call. */
export async function loadControllers(store: GraphStore, kind: NodeKind, assets: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const kinds = controllingKinds(kind);
  if (!assets.length || !kinds.length) return out;
  for (const e of await store.expand({ keys: assets, direction: 'in', edgeKinds: kinds, withProps: false })) push(out, e.to, e.from);
  return out;
}

/** Owners shown for an asset: identities that can write it, and the orgs those belong to, sorted. */
export function ownersOf(access: WriteAccess, asset: string): string[] {
  const owners = new Set<string>();
  for (const e of access.writersOf.get(asset) ?? []) {
    owners.add(e.from);
    for (const org of access.memberOf.get(e.from) ?? []) owners.add(org);
  }
  return [...owners].sort();
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
