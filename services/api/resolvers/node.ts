/** Fields of Node and GraphEdge: a node's own data, its edges (paged) and neighbours, all through the loaders. */
import { DERIVATION_RELATIONS, type EdgeKind } from '../../../schema/model.ts';
import { ownerOfKey, shortLabel } from '../../../schema/keys.ts';
import type { GraphEdge, GraphNode } from '../../../schema/records.ts';
import { analystTagsOf } from '../../../schema/tags.ts';
import { repoPageUrl } from '../../aibom/identity.ts';
import type { Direction } from '../../../schema/store.ts';
import { checkFirst, pageBySortKey } from '../connection.ts';
import type { ApiContext } from '../context.ts';

type EdgeDirectionArg = 'OUT' | 'IN' | 'BOTH';

/** A stored edge as the API shows it; `direction` is set when it is listed as one node's edge. */
export interface EdgeView {
  edge: GraphEdge;
  direction?: Direction;
}

function directionsOf(arg: EdgeDirectionArg | null | undefined): Direction[] {
  return arg === 'OUT' ? ['out'] : arg === 'IN' ? ['in'] : ['out', 'in'];
}

const otherEnd = (v: Required<EdgeView>) => (v.direction === 'out' ? v.edge.to : v.edge.from);

/** Control character 1 sorts below every character a key may contain, so markers sort as their tuples do. */
const SEP = '\u0001';
const edgeMarker = (v: Required<EdgeView>) => [v.direction, v.edge.kind, otherEnd(v), v.edge.source].join(SEP);

async function edgesOf(ctx: ApiContext, node: GraphNode, args: { direction?: EdgeDirectionArg | null; kinds?: EdgeKind[] | null }): Promise<Required<EdgeView>[]> {
  const kinds = args.kinds ?? undefined;
  if (kinds && kinds.length === 0) return [];
  const lists = await Promise.all(
    directionsOf(args.direction).map(async (direction) => (await ctx.loaders.edges(direction, kinds, node.key)).map((edge) => ({ edge, direction }))),
  );
  const views = lists.flat();
  const markers = new Map(views.map((v) => [v, edgeMarker(v)]));
  return views.sort((a, b) => (markers.get(a)! < markers.get(b)! ? -1 : markers.get(a)! > markers.get(b)! ? 1 : 0));
}

export const nodeResolvers = {
  Node: {
    name: (n: GraphNode) => (typeof n.props.name === 'string' ? n.props.name : null),
    label: (n: GraphNode) => shortLabel(n.key),
    owner: (n: GraphNode) => (typeof n.props.author === 'string' && n.props.author ? n.props.author : ownerOfKey(n.key)) ?? null,
    url: (n: GraphNode) => repoPageUrl(n) ?? null,
    tags: (n: GraphNode) => (Array.isArray(n.props.tags) ? n.props.tags.filter((t) => typeof t === 'string') : []),
    analystTags: (n: GraphNode) => analystTagsOf(n),
    async edges(n: GraphNode, args: { direction?: EdgeDirectionArg; kinds?: EdgeKind[] | null; first?: number | null; after?: string | null }, ctx: ApiContext) {
      const views = await edgesOf(ctx, n, args);
      return pageBySortKey(views, edgeMarker, args, { prefix: 'e:', defaultFirst: 50 });
    },
    async neighbours(n: GraphNode, args: { direction?: EdgeDirectionArg; kinds?: EdgeKind[] | null; first?: number | null }, ctx: ApiContext) {
      const first = checkFirst(args.first, 50);
      const keys = [...new Set((await edgesOf(ctx, n, args)).map(otherEnd))].sort().slice(0, first);
      const nodes = await ctx.loaders.node.loadMany(keys);
      return nodes.filter((x): x is GraphNode => x !== null);
    },
  },
  GraphEdge: {
    kind: (v: EdgeView) => v.edge.kind,
    fromKey: (v: EdgeView) => v.edge.from,
    toKey: (v: EdgeView) => v.edge.to,
    from: (v: EdgeView, _: unknown, ctx: ApiContext) => ctx.loaders.node.load(v.edge.from),
    to: (v: EdgeView, _: unknown, ctx: ApiContext) => ctx.loaders.node.load(v.edge.to),
    direction: (v: EdgeView) => (v.direction === 'out' ? 'OUT' : v.direction === 'in' ? 'IN' : null),
    other: (v: EdgeView, _: unknown, ctx: ApiContext) => (v.direction ? ctx.loaders.node.load(otherEnd(v as Required<EdgeView>)) : null),
    relation: (v: EdgeView) => {
      const r = v.edge.props.relation;
      return typeof r === 'string' && (DERIVATION_RELATIONS as readonly string[]).includes(r) ? r : null;
    },
    props: (v: EdgeView) => v.edge.props,
    source: (v: EdgeView) => v.edge.source,
    evidence: (v: EdgeView) => v.edge.evidence,
    confidence: (v: EdgeView) => v.edge.confidence,
    observedAt: (v: EdgeView) => v.edge.observedAt,
  },
};
