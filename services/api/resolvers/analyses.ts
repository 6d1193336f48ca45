/**
 * The analyses as fields: lineage, path, blastRadius, attackPaths, findings. Results are computed once per set of
 * arguments and kept briefly (ResultCache) so that paging does not recompute them; pages are cut from the result.
 * Keys are looked up first so that an unknown key answers NOT_FOUND rather than a generic input error.
 */
import { shortLabel } from '../../../schema/keys.ts';
import { DERIVATION_RELATIONS } from '../../../schema/model.ts';
import { attackPaths, type AttackPath, type AttackPathsResult } from '../../../queries/attack-paths.ts';
import { blastRadius, blastReach, type BlastRadius, type BlastRadiusNode, type BlastReach } from '../../../queries/blast-radius.ts';
import { pathOf } from '../../../queries/traversal.ts';
import { runFindings, type Finding, type Severity } from '../../../queries/findings/index.ts';
import { lineage, type LineageDirection } from '../../../queries/lineage.ts';
import { shortestPath } from '../../../queries/path.ts';
import { pageByRank, pageBySortKey } from '../connection.ts';
import type { ApiContext } from '../context.ts';
import { optionalInt, requireNode, requireNodes } from './args.ts';

type PageArgs = { first?: number | null; after?: string | null };

/** Depth is fixed-width so that markers compare as (depth, key) tuples. */
const reachedMarker = (n: { depth: number; key: string }) => `${String(n.depth).padStart(4, '0')} ${n.key}`;

const LINEAGE_DIRECTION: Record<string, LineageDirection> = { UP: 'up', DOWN: 'down', BOTH: 'both' };

const byKindList = (byKind: Record<string, number>) =>
  Object.entries(byKind)
    .map(([kind, count]) => ({ kind, count }))
    .sort((a, b) => (a.kind < b.kind ? -1 : 1));

export const analysisResolvers = {
  async lineage(_: unknown, args: { key: string; direction?: string | null; maxDepth?: number | null }, ctx: ApiContext) {
    const node = await requireNode(ctx, args.key);
    const direction = LINEAGE_DIRECTION[args.direction ?? 'BOTH'] ?? 'both';
    return lineage(ctx.store, node.key, { direction, maxDepth: optionalInt(args.maxDepth) });
  },

  async path(_: unknown, args: { from: string; to: string; maxDepth?: number | null }, ctx: ApiContext) {
    const [from, to] = await Promise.all([requireNode(ctx, args.from, 'from'), requireNode(ctx, args.to, 'to')]);
    const found = await shortestPath(ctx.store, from.key, to.key, { maxDepth: optionalInt(args.maxDepth) });
    if (!found) return null;
    return { keys: found.nodes, edges: found.edges.map((edge) => ({ edge })), length: found.edges.length };
  },

  /**
   * The counts and the page come from the reach alone (keys, depths, paths); the hops' evidence, the owners and the
   * endpoints need the whole blast radius (every tree edge's props, every owned node's writers), computed — once,
   * through the result cache — only when the query selects one of them.
   */
  async blastRadius(_: unknown, args: { from: string; maxDepth?: number | null } & PageArgs, ctx: ApiContext) {
    const start = await requireNode(ctx, args.from, 'from');
    const maxDepth = optionalInt(args.maxDepth);
    const id = `blast\u0001${start.key}\u0001${maxDepth ?? ''}`;
    const reach = await ctx.results.get<BlastReach>(`${id}\u0001reach`, () => blastReach(ctx.store, start.key, { maxDepth }));
    const whole = () => ctx.results.get<BlastRadius>(id, () => blastRadius(ctx.store, start.key, { maxDepth }));
    const page = pageBySortKey(reach.nodes, reachedMarker, args, { prefix: 'b:', defaultFirst: 100 });
    const detail = async (key: string) => nodeIndex(await whole()).get(key);
    return {
      from: reach.from,
      total: reach.total,
      byKind: byKindList(reach.byKind),
      endpoints: async () => (await whole()).endpoints,
      truncated: reach.truncated,
      reason: reach.reason ?? null,
      ...page,
      edges: page.edges.map(({ cursor, node: n }) => ({
        cursor,
        node: {
          key: n.key,
          kind: n.kind,
          depth: n.depth,
          path: pathOf(reach.result, n.index),
          via: async () => (await detail(n.key))?.via ?? null,
          owners: async () => (await detail(n.key))?.owners ?? null,
        },
      })),
    };
  },

  async attackPaths(_: unknown, args: { from?: string[] | null; to?: string[] | null; k?: number | null; maxDepth?: number | null } & PageArgs, ctx: ApiContext) {
    const from = args.from ? [...new Set(await requireNodes(ctx, args.from, 'from'))].sort() : undefined;
    const to = args.to ? [...new Set(await requireNodes(ctx, args.to, 'to'))].sort() : undefined;
    const k = optionalInt(args.k);
    const maxDepth = optionalInt(args.maxDepth);
    const cacheKey = JSON.stringify(['attack', from ?? null, to ?? null, k ?? null, maxDepth ?? null]);
    const result = await ctx.results.get<AttackPathsResult>(cacheKey, () => attackPaths(ctx.store, { from, to, k, maxDepth }));
    const page = pageByRank<AttackPath>(result.paths, args, { prefix: 'a:', defaultFirst: 10 });
    return { entries: result.entries, targets: result.targets, truncated: result.truncated, ...page };
  },

  async findings(_: unknown, args: { minSeverity?: Severity | null; rule?: string | null } & PageArgs, ctx: ApiContext) {
    const minSeverity = args.minSeverity ?? undefined;
    const rules = args.rule ? [args.rule] : undefined;
    const cacheKey = JSON.stringify(['findings', minSeverity ?? null, rules ?? null]);
    const found = await ctx.results.get<Finding[]>(cacheKey, () => runFindings(ctx.store, { minSeverity, rules }));
    return pageByRank(found, args, { prefix: 'f:', defaultFirst: 100 });
  },
};

/** A whole blast radius's nodes by key, made once per result. */
const nodeIndexes = new WeakMap<BlastRadius, Map<string, BlastRadiusNode>>();
function nodeIndex(result: BlastRadius): Map<string, BlastRadiusNode> {
  let index = nodeIndexes.get(result);
  if (!index) nodeIndexes.set(result, (index = new Map(result.nodes.map((n) => [n.key, n]))));
  return index;
}

/** Nested fields that point at nodes, resolved through the batching loader. */
const nodeOf = (v: { key: string }, _: unknown, ctx: ApiContext) => ctx.loaders.node.load(v.key);

export const analysisTypeResolvers = {
  ReachedNode: { node: nodeOf, label: (n: { key: string }) => shortLabel(n.key) },
  BlastEndpoint: { node: nodeOf },
  LineageEntry: { node: nodeOf },
  WeakestLink: { node: nodeOf },
  Path: {
    nodes: async (p: { keys: string[] }, _: unknown, ctx: ApiContext) => (await ctx.loaders.node.loadMany(p.keys)).filter((n) => n !== null),
  },
  Hop: {
    relation: (s: { relation?: string }) => (s.relation && (DERIVATION_RELATIONS as readonly string[]).includes(s.relation) ? s.relation : null),
  },
  AttackStep: {
    relation: (s: { relation?: string }) => (s.relation && (DERIVATION_RELATIONS as readonly string[]).includes(s.relation) ? s.relation : null),
  },
};
