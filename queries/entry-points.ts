/**
 * Where attacks start and what they aim at, by documented rules, each answered with batched store calls.
 *
 * Entry points (each with the reasons it qualifies):
 *  - `outside-writer`: an identity that can write an asset owned by an org it does not belong to (see ownership.ts:
 *    its own name, its `org` property and its MEMBER_OF orgs are its orgs; the asset's `author` or key owner segment
 *    is the owner). An identity tagged `anyone` is outside every org.
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
import { NODE_KINDS, type AnalystTag, type EdgeKind } from '../schema/model.ts';
import type { GraphStore } from '../schema/store.ts';
import { analystTagsOf } from '../schema/tags.ts';
import { nodesOfKind } from './nodes.ts';
import { ANYONE_TAG, MEMBERSHIP, WRITE_ACCESS, bareName, ownOrgs, ownerOf } from './ownership.ts';
import { floatingConsumptions, hasRecordedRevision } from './revisions.ts';

export const CROWN_JEWEL_TAG: AnalystTag = 'crown-jewel';
export const COMPROMISED_TAG: AnalystTag = 'compromised';
const ADVISORY: EdgeKind = 'AFFECTS';
/** Advisory severities that make the packages they name entry points. */
const ENTRY_SEVERITIES = new Set(['high', 'critical']);

export type EntryReason =
  | 'compromised'
  | 'outside-writer'
  | 'public-write'
  | 'dangerous-file'
  | 'vulnerable-package'
  | 'floating-revision'
  | 'unpinned-deploy-workflow'
  | 'pull-request-target-checkout';

const nonEmptyList = (v: unknown) => Array.isArray(v) && v.length > 0;

/** Entry point key → why it is one. */
export async function entryPointReasons(store: GraphStore): Promise<Map<string, EntryReason[]>> {
  const reasons = new Map<string, EntryReason[]>();
  const add = (key: string, reason: EntryReason) => {
    const list = reasons.get(key) ?? [];
    if (!list.includes(reason)) list.push(reason);
    reasons.set(key, list);
  };

  for (const key of await findTagged(store, COMPROMISED_TAG)) add(key, 'compromised');
  for await (const identities of nodesOfKind(store, 'Identity')) {
    const keys = identities.map((n) => n.key);
    const [writes, memberships] = await Promise.all([
      store.expand({ keys, direction: 'out', edgeKinds: [WRITE_ACCESS] }),
      store.expand({ keys, direction: 'out', edgeKinds: [MEMBERSHIP] }),
    ]);
    if (!writes.length) continue;
    const orgs = new Map<string, Set<string>>();
    for (const n of identities) orgs.set(n.key, ownOrgs(n.key, n));
    for (const m of memberships) orgs.get(m.from)?.add(bareName(m.to));
    const anyone = new Set(identities.filter((n) => analystTagsOf(n).includes(ANYONE_TAG)).map((n) => n.key));
    const assets = new Map((await store.getNodes([...new Set(writes.map((e) => e.to))])).map((n) => [n.key, n]));
    for (const w of writes) {
      const asset = assets.get(w.to);
      if (!asset) continue;
      if (anyone.has(w.from)) {
        add(w.from, 'outside-writer');
        if (asset.kind === 'Dataset' || asset.kind === 'Model') add(asset.key, 'public-write');
        continue;
      }
      const owner = ownerOf(asset);
      if (owner && !orgs.get(w.from)?.has(owner)) add(w.from, 'outside-writer');
    }
  }

  for (const kind of ['Dataset', 'Model'] as const) {
    for await (const page of nodesOfKind(store, kind, { publicWrite: true })) for (const n of page) add(n.key, 'public-write');
  }
  for await (const page of nodesOfKind(store, 'File', { scanStatus: 'dangerous' })) for (const n of page) add(n.key, 'dangerous-file');
  for await (const vulns of nodesOfKind(store, 'Vulnerability')) {
    const severe = vulns.filter((v) => typeof v.props.severity === 'string' && ENTRY_SEVERITIES.has(v.props.severity.toLowerCase()));
    if (!severe.length) continue;
    const affects = await store.expand({ keys: severe.map((v) => v.key), direction: 'out', edgeKinds: [ADVISORY] });
    for (const e of affects) add(e.to, 'vulnerable-package');
  }
  for (const e of await floatingConsumptions(store)) if (hasRecordedRevision(e)) add(e.to, 'floating-revision');
  for await (const page of nodesOfKind(store, 'File', { workflow: true })) {
    for (const n of page) {
      if (nonEmptyList(n.props.deploysTo) && nonEmptyList(n.props.unpinnedActions)) add(n.key, 'unpinned-deploy-workflow');
      if (n.props.prTargetCheckout === true) add(n.key, 'pull-request-target-checkout');
    }
  }
  return new Map([...reasons].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Entry point keys, sorted. */
export async function findEntryPoints(store: GraphStore): Promise<string[]> {
  return [...(await entryPointReasons(store)).keys()];
}

/** Nodes an analyst tagged `tag`, sorted. Tags are an array property, so this reads every node page by page. */
export async function findTagged(store: GraphStore, tag: AnalystTag): Promise<string[]> {
  const keys: string[] = [];
  for (const kind of NODE_KINDS) {
    for await (const page of nodesOfKind(store, kind)) for (const n of page) if (analystTagsOf(n).includes(tag)) keys.push(n.key);
  }
  return keys.sort();
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
