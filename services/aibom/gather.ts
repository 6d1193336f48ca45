/**
 * Reads one model's neighbourhood from the store: its lineage (walked frontier by frontier, one `expand` per level),
 * the datasets and files of every model in that lineage, its libraries (transitively) with who can publish them and
 * the repositories that build them, the repositories that build the model, the endpoints that serve it, who can write
 * it and the advisories affecting its libraries. Batched: a handful of store calls per BOM, never one per node. The
 * result is plain data for the pure mapping stage.
 */
import { type EdgeKind } from '../../schema/model.ts';
import { kindOfKey } from '../../schema/keys.ts';
import type { GraphEdge, GraphNode } from '../../schema/records.ts';
import type { Direction, GraphStore } from '../../schema/store.ts';

/** Bounds that keep a pathological graph (a cycle, a huge dependency tree) from running away. */
export const GATHER_LIMITS = { lineageDepth: 64, lineageNodes: 2000, packageDepth: 16, packageNodes: 5000 } as const;

export interface LineageLink {
  /** The derivative. */
  from: string;
  /** Its base. */
  to: string;
  /** finetune, adapter, merge, quantized or unknown. */
  relation: string;
}

export interface Neighbourhood {
  model: GraphNode;
  /** Every base model reached, with its depth (1 = a direct base); the model itself excluded. */
  ancestors: { node: GraphNode; depth: number }[];
  /** DERIVED_FROM links among the model and its ancestors, one per (from, to). */
  lineage: LineageLink[];
  /** True when the walk stopped at a depth or node bound before the lineage ended. */
  lineageTruncated: boolean;
  /** For the model and each ancestor: the datasets it was trained and evaluated on. */
  datasetUse: Map<string, { training: string[]; evaluation: string[] }>;
  datasets: GraphNode[];
  files: GraphNode[];
  packages: GraphNode[];
  /** DEPENDS_ON links: from the model or a package to a package. */
  packageLinks: { from: string; to: string }[];
  packagesTruncated: boolean;
  endpoints: GraphNode[];
  /** Who can write the model (CAN_WRITE into it), with the role the edge names; sorted by identity key. */
  writers: { identity: GraphNode; role?: string }[];
  /** Each ancestor's files, read for their risks only (a BOM lists the subject's own files as its parts). */
  ancestorFiles: Map<string, GraphNode[]>;
  vulnerabilities: GraphNode[];
  /** AFFECTS links: advisory → package, with the first fixed version and the VEX analysis an SBOM states. */
  affects: { vulnerability: string; pkg: string; fixed?: string; vex?: string; vexJustification?: string }[];
  /** Who can publish each library's next version (CAN_WRITE into a package: registry maintainers and owners). */
  packageWriters: Map<string, { identity: string; role?: string }[]>;
  /** The repositories that build the model or a library (BUILDS: publish provenance, the run that trained it). */
  builders: Map<string, Builder[]>;
}

export interface Builder {
  repository: GraphNode;
  workflow?: string;
  commit?: string;
  evidence?: string;
}

interface Walk {
  depthOf: Map<string, number>;
  edges: GraphEdge[];
  truncated: boolean;
}

/** Breadth-first over one edge kind, one `expand` call per level. */
async function walkFrontier(
  store: GraphStore,
  root: string,
  kinds: readonly EdgeKind[],
  direction: Direction,
  limits: { depth: number; nodes: number },
): Promise<Walk> {
  const depthOf = new Map<string, number>([[root, 0]]);
  const edges: GraphEdge[] = [];
  let frontier = [root];
  let truncated = false;
  for (let depth = 1; frontier.length > 0; depth++) {
    const found = await store.expand({ keys: frontier, edgeKinds: kinds, direction });
    const next: string[] = [];
    for (const e of found) {
      const far = direction === 'out' ? e.to : e.from;
      if (depth > limits.depth || (!depthOf.has(far) && depthOf.size >= limits.nodes)) {
        truncated = true;
        continue;
      }
      edges.push(e);
      if (!depthOf.has(far)) {
        depthOf.set(far, depth);
        next.push(far);
      }
    }
    frontier = next;
  }
  return { depthOf, edges, truncated };
}

const byKey = (nodes: GraphNode[]) => new Map(nodes.map((n) => [n.key, n]));
const uniqueSorted = (xs: Iterable<string>) => [...new Set(xs)].sort();

/** One relation per (derivative, base): sources may disagree; a specific relation beats "unknown". */
function lineageLinks(edges: GraphEdge[]): LineageLink[] {
  const links = new Map<string, LineageLink>();
  for (const e of edges) {
    const relation = typeof e.props.relation === 'string' ? e.props.relation : 'unknown';
    const id = JSON.stringify([e.from, e.to]);
    const seen = links.get(id);
    if (!seen || (seen.relation === 'unknown' && relation !== 'unknown') || (relation !== 'unknown' && relation < seen.relation)) {
      links.set(id, { from: e.from, to: e.to, relation });
    }
  }
  return [...links.values()];
}

/** One entry per identity that can write the model, its roles joined (an identity may hold several). */
function writersOf(writes: GraphEdge[], nodeOf: (key: string, kind: GraphNode['kind']) => GraphNode): Neighbourhood['writers'] {
  const roles = new Map<string, Set<string>>();
  for (const e of writes) {
    const held = roles.get(e.from) ?? new Set<string>();
    if (typeof e.props.role === 'string' && e.props.role) held.add(e.props.role);
    roles.set(e.from, held);
  }
  return uniqueSorted(roles.keys()).map((k) => {
    const held = uniqueSorted(roles.get(k)!);
    return { identity: nodeOf(k, 'Identity'), ...(held.length ? { role: held.join(', ') } : {}) };
  });
}

function groupFiles(contains: GraphEdge[], nodeOf: (key: string, kind: GraphNode['kind']) => GraphNode): Map<string, GraphNode[]> {
  const byHolder = new Map<string, string[]>();
  for (const e of contains) {
    const keys = byHolder.get(e.from);
    if (keys) keys.push(e.to);
    else byHolder.set(e.from, [e.to]);
  }
  return new Map([...byHolder].sort(([a], [b]) => (a < b ? -1 : 1)).map(([holder, keys]) => [holder, uniqueSorted(keys).map((k) => nodeOf(k, 'File'))]));
}

/** The neighbourhood of `model` (which the caller has already read and checked is a Model). */
export async function gatherNeighbourhood(store: GraphStore, model: GraphNode): Promise<Neighbourhood> {
  const root = model.key;
  const lineageWalk = await walkFrontier(store, root, ['DERIVED_FROM'], 'out', {
    depth: GATHER_LIMITS.lineageDepth,
    nodes: GATHER_LIMITS.lineageNodes,
  });
  // Model → Model only: DERIVED_FROM also joins datasets, which are not a model's lineage.
  const lineageEdges = lineageWalk.edges.filter((e) => kindOfKey(e.to) === 'Model');
  const ancestorKeys = uniqueSorted(lineageEdges.map((e) => e.to)).filter((k) => k !== root);

  const [rootOut, ancestorData, rootIn, packageWalk] = await Promise.all([
    store.expand({ keys: [root], edgeKinds: ['TRAINED_ON', 'EVALUATED_ON', 'CONTAINS'], direction: 'out' }),
    store.expand({ keys: ancestorKeys, edgeKinds: ['TRAINED_ON', 'EVALUATED_ON', 'CONTAINS'], direction: 'out' }),
    store.expand({ keys: [root], edgeKinds: ['SERVES', 'CAN_WRITE', 'BUILDS'], direction: 'in' }),
    walkFrontier(store, root, ['DEPENDS_ON'], 'out', { depth: GATHER_LIMITS.packageDepth, nodes: GATHER_LIMITS.packageNodes }),
  ]);

  const datasetUse = new Map<string, { training: Set<string>; evaluation: Set<string> }>();
  for (const e of [...rootOut, ...ancestorData]) {
    if (e.kind !== 'TRAINED_ON' && e.kind !== 'EVALUATED_ON') continue;
    const use = datasetUse.get(e.from) ?? { training: new Set<string>(), evaluation: new Set<string>() };
    (e.kind === 'TRAINED_ON' ? use.training : use.evaluation).add(e.to);
    datasetUse.set(e.from, use);
  }
  const datasetKeys = uniqueSorted([...datasetUse.values()].flatMap((u) => [...u.training, ...u.evaluation]));
  const fileKeys = uniqueSorted(rootOut.filter((e) => e.kind === 'CONTAINS').map((e) => e.to));
  const ancestorContains = ancestorData.filter((e) => e.kind === 'CONTAINS');
  const ancestorFileKeys = uniqueSorted(ancestorContains.map((e) => e.to));
  const endpointKeys = uniqueSorted(rootIn.filter((e) => e.kind === 'SERVES').map((e) => e.from));
  const writes = rootIn.filter((e) => e.kind === 'CAN_WRITE');
  const writerKeys = uniqueSorted(writes.map((e) => e.from));
  const packageKeys = uniqueSorted([...packageWalk.depthOf.keys()].filter((k) => k !== root));

  const [nodes, packageIn] = await Promise.all([
    store.getNodes([...ancestorKeys, ...datasetKeys, ...fileKeys, ...ancestorFileKeys, ...endpointKeys, ...writerKeys, ...packageKeys]),
    store.expand({ keys: packageKeys, edgeKinds: ['AFFECTS', 'CAN_WRITE', 'BUILDS'], direction: 'in' }),
  ]);
  const affectEdges = packageIn.filter((e) => e.kind === 'AFFECTS');
  const buildEdges = [...rootIn, ...packageIn].filter((e) => e.kind === 'BUILDS');
  const vulnerabilityKeys = uniqueSorted(affectEdges.map((e) => e.from));
  const [vulnerabilityNodes, repositoryNodes] = await Promise.all([
    store.getNodes(vulnerabilityKeys),
    store.getNodes(uniqueSorted(buildEdges.map((e) => e.from))),
  ]);
  const vulnerabilities = byKey(vulnerabilityNodes);
  const found = byKey([...nodes, ...repositoryNodes]);
  // An edge end always exists as a node (stores create stubs), but stay total if a store returns less.
  const nodeOf = (key: string, kind: GraphNode['kind']): GraphNode => found.get(key) ?? { kind, key, props: { stub: true } };

  return {
    model,
    ancestors: ancestorKeys.map((k) => ({ node: nodeOf(k, 'Model'), depth: lineageWalk.depthOf.get(k) ?? 0 })),
    lineage: lineageLinks(lineageEdges),
    lineageTruncated: lineageWalk.truncated,
    datasetUse: new Map(
      [...datasetUse].map(([k, u]) => [k, { training: uniqueSorted(u.training), evaluation: uniqueSorted(u.evaluation) }]),
    ),
    datasets: datasetKeys.map((k) => nodeOf(k, 'Dataset')),
    files: fileKeys.map((k) => nodeOf(k, 'File')),
    packages: packageKeys.map((k) => nodeOf(k, 'Package')),
    packageLinks: uniqueSorted(packageWalk.edges.map((e) => JSON.stringify([e.from, e.to]))).map((s) => {
      const [from, to] = JSON.parse(s) as [string, string];
      return { from, to };
    }),
    packagesTruncated: packageWalk.truncated,
    endpoints: endpointKeys.map((k) => nodeOf(k, 'Endpoint')),
    writers: writersOf(writes, nodeOf),
    ancestorFiles: groupFiles(ancestorContains, nodeOf),
    vulnerabilities: vulnerabilityKeys.map((k) => vulnerabilities.get(k) ?? { kind: 'Vulnerability', key: k, props: { stub: true } }),
    affects: affectsOf(affectEdges),
    packageWriters: groupBy(
      packageIn.filter((e) => e.kind === 'CAN_WRITE'),
      (e) => e.to,
      (e) => ({ identity: e.from, ...(text(e.props.role) ? { role: text(e.props.role) } : {}) }),
    ),
    builders: groupBy(
      buildEdges,
      (e) => e.to,
      (e) => ({
        repository: nodeOf(e.from, 'Repository'),
        ...(text(e.props.workflow) ? { workflow: text(e.props.workflow) } : {}),
        ...(text(e.props.commit) ? { commit: text(e.props.commit) } : {}),
        ...(e.evidence ? { evidence: e.evidence } : {}),
      }),
    ),
  };
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * One entry per (advisory, package): OSV states the fixed version, an imported SBOM may state the VEX analysis of
 * the same pair on an edge of its own, so each fact is taken from whichever edge states it.
 */
function affectsOf(edges: GraphEdge[]): Neighbourhood['affects'] {
  const merged = new Map<string, Neighbourhood['affects'][number]>();
  for (const e of edges) {
    const id = JSON.stringify([e.from, e.to]);
    const a = merged.get(id) ?? { vulnerability: e.from, pkg: e.to };
    for (const name of ['fixed', 'vex', 'vexJustification'] as const) if (a[name] === undefined && text(e.props[name])) a[name] = text(e.props[name]);
    merged.set(id, a);
  }
  return [...merged].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, a]) => a);
}

/** Edges grouped by one end, each group in a stable order and without repeats (sources may state an edge twice). */
function groupBy<T>(edges: GraphEdge[], keyOf: (e: GraphEdge) => string, valueOf: (e: GraphEdge) => T): Map<string, T[]> {
  const out = new Map<string, Map<string, T>>();
  for (const e of edges) {
    const group = out.get(keyOf(e)) ?? new Map<string, T>();
    group.set(JSON.stringify([e.from, e.props]), valueOf(e));
    out.set(keyOf(e), group);
  }
  return new Map([...out].map(([k, g]) => [k, [...g].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => v)]));
}
