/**
 * Where attacks start and what they aim at, by documented rules, each answered with batched store calls.
 *
 * Entry points (each with the reasons it qualifies):
 *  - `outside-writer`: an identity that can write an asset owned by an org it does not belong to (see ownership.ts:
 *    its own name, its `org` property and its MEMBER_OF orgs are its orgs; the namespace the asset's key names,
 *    else its `author`, is the owner). An identity tagged `anyone` is outside every org.
 *  - `public-write`: a Dataset or Model anyone can write. Convention: the node has `publicWrite: true`, or an
 *    identity tagged `anyone` (standing for "any signed-in user") has CAN_WRITE on it.
 *  - `dangerous-file`: a File whose pickle scan said `dangerous` (code runs on load).
 *  - `vulnerable-package`: a Package named by an advisory of high or critical severity (an AFFECTS edge into it
 *    from a Vulnerability whose `severity` is `high` or `critical`). Lower or unknown severities are posture
 *    findings (vulnerable-dependency), not entry points: a path should start where an exploit is likely.
 *  - `floating-revision`: a Model or Dataset that some consumer is recorded loading at a floating revision (the far
 *    end of a SERVES or USES edge — every kind with a `revision` property — whose revision is a branch such as
 *    `main`, a tag or a short sha; see revisions.ts). Whoever can push to it reaches the consumer on its next load.
 *    An edge with no revision at all is a posture finding (unpinned-revision) but not an entry point: most sources
 *    (a Space's model list, for one) do not say which revision is loaded, and counting every such asset as an entry
 *    would bury the paths that have real evidence behind one-step paths that have none.
 *  - `unpinned-deploy-workflow`: a CI workflow File that deploys (`deploysTo`) and runs a third-party action not
 *    pinned to a commit (`unpinnedActions`): whoever moves that action's tag runs code in the deploy.
 *  - `pull-request-target-checkout`: a workflow File that runs on pull_request_target and checks out the pull
 *    request's head (`prTargetCheckout`): anyone who opens a pull request runs code as the repository.
 *  - `compromised`: any node an analyst tagged `compromised` (assumed breach: an incident, a poisoned dataset).
 *
 * Targets: nodes tagged `crown-jewel` when any exist, else every Endpoint. Tags here are always the analyst's
 * (`analystTags`, see ANALYST_TAGS in schema/model.ts), never the tags an upstream wrote.
 */
import {
  ANALYST_TAGS_PROP,
  EDGE_KINDS,
  EDGE_SPECS,
  ENTRY_EDGE_RULES,
  ENTRY_NODE_RULES,
  ENTRY_REASONS,
  candidateTestHolds,
  type AnalystTag,
  type EntryReason,
  type IndexedEdgeProp,
} from '../schema/model.ts';
import type { GraphEdge, GraphNode } from '../schema/records.ts';
import type { GraphStore } from '../schema/store.ts';
import { analystTagsOf } from '../schema/tags.ts';
import { keyPinsRevision, ownerNameOfKey } from '../schema/keys.ts';
import { nodesOfKind } from './nodes.ts';
import { ANYONE_TAG, MEMBERSHIP, WRITE_ACCESS, bareName, ownOrgList, ownOrgs, ownerOf } from './ownership.ts';
import { hasRecordedRevision, isPinnedRevision } from './revisions.ts';

export { ENTRY_REASONS, type EntryReason };
export const CROWN_JEWEL_TAG: AnalystTag = 'crown-jewel';
export const COMPROMISED_TAG: AnalystTag = 'compromised';

/**
 * What the value of an edge rule's property must be for the edge's `to` end to qualify (ENTRY_EDGE_RULES in
 * schema/model.ts names the property; the meaning of a pin lives in revisions.ts).
 */
const EDGE_RULE_HOLDS: Readonly<Partial<Record<EntryReason, (e: GraphEdge, prop: IndexedEdgeProp) => boolean>>> = {
  'floating-revision': (e, prop) => hasRecordedRevision(e) && !isPinnedRevision(e.props[prop]) && !keyPinsRevision(e.to),
};

const reasonOrder = new Map<EntryReason, number>(ENTRY_REASONS.map((r, i) => [r, i]));

/**
 * Entry point key → why it is one. Every rule but `outside-writer` is one look-up of an indexed property
 * (ENTRY_NODE_RULES, ENTRY_EDGE_RULES and analyst tags), so its cost follows the number of matches.
 */
export async function entryPointReasons(store: GraphStore): Promise<Map<string, EntryReason[]>> {
  const reasons = new Map<string, EntryReason[]>();
  const add = (key: string, reason: EntryReason) => {
    const list = reasons.get(key) ?? [];
    if (!list.includes(reason)) list.push(reason);
    reasons.set(key, list);
  };

  const tagged = await analystTagged(store);
  for (const n of tagged) if (analystTagsOf(n).includes(COMPROMISED_TAG)) add(n.key, 'compromised');
  await outsideWriters(store, tagged, add);
  // Rules on the same look-up share it.
  const lookups = new Map<string, Promise<GraphNode[]>>();
  for (const rule of ENTRY_NODE_RULES) {
    const query = { prop: rule.prop, kinds: rule.kinds, equals: rule.equals };
    const id = JSON.stringify(query);
    if (!lookups.has(id)) lookups.set(id, store.findNodesByProp(query));
    const hits = (await lookups.get(id)!).filter((n) => (rule.also ?? []).every((t) => candidateTestHolds(t, n.props)));
    if (!rule.via) {
      for (const n of hits) add(n.key, rule.reason);
    } else if (hits.length) {
      const edges = await store.expand({ keys: hits.map((n) => n.key), direction: 'out', edgeKinds: [rule.via], withProps: false });
      for (const e of edges) add(e.to, rule.reason);
    }
  }
  for (const rule of ENTRY_EDGE_RULES) {
    const kinds = EDGE_KINDS.filter((k) => rule.prop in EDGE_SPECS[k].props);
    const holds = EDGE_RULE_HOLDS[rule.reason];
    if (!holds) throw new Error(`entry edge rule ${rule.reason} has no test on its value`);
    if (!kinds.length) continue;
    for (const e of await store.findEdgesByProp({ prop: rule.prop, kinds })) if (holds(e, rule.prop)) add(e.to, rule.reason);
  }
  for (const list of reasons.values()) list.sort((a, b) => reasonOrder.get(a)! - reasonOrder.get(b)!);
  return new Map([...reasons].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * `outside-writer` (and `public-write` for what an `anyone` identity can write). Every write grant is weighed
 * against the owner of what it grants: all of them, read as bare ends (`edgeEnds`), no edge or node object each.
 * The owner of an asset whose key names a namespace comes from the key (ownerOf; the store hands it over with the
 * grants, `edgeEnds`'s `owners`, and may keep it), an identity's orgs from its key and its memberships; only what
 * that leaves open is read from the store — the kind of what `anyone` can write, the author of an asset with an
 * ownerless key, and the `org` property of an identity that looks outside, which can only bring it in. At scale 1
 * that is 245,000 grants judged from their keys and no node read.
 */
async function outsideWriters(store: GraphStore, tagged: readonly GraphNode[], add: (key: string, reason: EntryReason) => void): Promise<void> {
  const anyone = new Set(tagged.filter((n) => n.kind === 'Identity' && analystTagsOf(n).includes(ANYONE_TAG)).map((n) => n.key));
  // The owners of what is granted come with the grants: a store that keeps them parses no key here.
  const [grants, memberships] = await Promise.all([store.edgeEnds([WRITE_ACCESS], { owners: true }), store.edgeEnds([MEMBERSHIP])]);
  const ownerOfAsset = grants.toOwner ?? grants.to.map(ownerNameOfKey);
  if (grants.from.length === 0) return;
  // identity → the bare names of the orgs it is a member of; each org's name made once (orgs are few, members many).
  const memberOf = new Map<string, string[]>();
  const orgNames = new Map<string, string>();
  memberships.from.forEach((identity, i) => {
    const org = memberships.to[i]!;
    let name = orgNames.get(org);
    if (name === undefined) orgNames.set(org, (name = bareName(org)));
    const list = memberOf.get(identity);
    if (list) list.push(name);
    else memberOf.set(identity, [name]);
  });
  const orgsOf = (identity: string, node: GraphNode | undefined): Set<string> => {
    const orgs = ownOrgs(identity, node);
    for (const org of memberOf.get(identity) ?? []) orgs.add(org);
    return orgs;
  };
  // Per identity, computed once per run of its grants (edgeEnds lists them in `from` order, so an identity's grants
  // are adjacent): whether it stands for anyone, and its orgs by key and membership alone — as a list, which for
  // the one to three orgs an identity has is quicker to search than a set is to hash into, once per grant.
  let lastIdentity: string | undefined;
  let lastIsAnyone = false;
  let lastOrgs: string[] = [];
  // Grants the keys leave open, with the owner the key names when it names one.
  const open: number[] = [];
  const openOwner: (string | undefined)[] = [];
  const needNode = new Set<string>();
  for (let i = 0; i < grants.from.length; i++) {
    const identity = grants.from[i]!;
    const asset = grants.to[i]!;
    if (identity !== lastIdentity) {
      lastIdentity = identity;
      lastIsAnyone = anyone.has(identity);
      lastOrgs = lastIsAnyone ? [] : [...ownOrgList(identity, undefined), ...(memberOf.get(identity) ?? [])];
    }
    if (lastIsAnyone) {
      open.push(i);
      openOwner.push(undefined);
      needNode.add(asset);
      continue;
    }
    const owner = ownerOfAsset[i];
    if (owner === undefined) {
      open.push(i);
      openOwner.push(undefined);
      needNode.add(asset).add(identity);
      continue;
    }
    if (!lastOrgs.includes(owner)) {
      open.push(i);
      openOwner.push(owner);
      needNode.add(identity);
    }
  }
  if (open.length === 0) return;
  const nodes = new Map((await store.getNodes([...needNode])).map((n) => [n.key, n]));
  open.forEach((i, j) => {
    const identity = grants.from[i]!;
    const asset = nodes.get(grants.to[i]!);
    if (anyone.has(identity)) {
      if (!asset) return;
      add(identity, 'outside-writer');
      if (asset.kind === 'Dataset' || asset.kind === 'Model') add(asset.key, 'public-write');
      return;
    }
    const owner = openOwner[j] ?? (asset ? ownerOf(asset) : undefined);
    if (owner && !orgsOf(identity, nodes.get(identity)).has(owner)) add(identity, 'outside-writer');
  });
}

/** Entry point keys, sorted. */
export async function findEntryPoints(store: GraphStore): Promise<string[]> {
  return [...(await entryPointReasons(store)).keys()];
}

/** Every node with analyst tags, in key order, through the store's index on them. */
function analystTagged(store: GraphStore): Promise<GraphNode[]> {
  return store.findNodesByProp({ prop: ANALYST_TAGS_PROP });
}

/** Nodes an analyst tagged `tag`, sorted, through the store's index on analyst tags. */
export async function findTagged(store: GraphStore, tag: AnalystTag): Promise<string[]> {
  return (await analystTagged(store)).filter((n) => analystTagsOf(n).includes(tag)).map((n) => n.key);
}

/** Nodes tagged crown-jewel, sorted. */
export function findCrownJewels(store: GraphStore): Promise<string[]> {
  return findTagged(store, CROWN_JEWEL_TAG);
}

/** Every endpoint, sorted. */
export async function findEndpoints(store: GraphStore): Promise<string[]> {
  const endpoints: string[] = [];
  for await (const page of nodesOfKind(store, 'Endpoint')) for (const n of page) endpoints.push(n.key);
  return endpoints.sort();
}

/** Crown jewels when any are tagged, else every endpoint; sorted. */
export async function findTargets(store: GraphStore): Promise<string[]> {
  const jewels = await findCrownJewels(store);
  return jewels.length ? jewels : findEndpoints(store);
}
