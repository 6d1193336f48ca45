/** Pieces both stores share: property merging, the contract's orders, cursors, page sizes and safe property filters. */
import { flowConditionHolds, isEdgeKind, type EdgeKind } from '../../schema/model.ts';
import type { GraphEdge, JsonValue, Props } from '../../schema/records.ts';
import { UsageError } from '../../schema/errors.ts';
import { ownerNameOfKey } from '../../schema/keys.ts';
import { depthKeyOrderOf, type Direction, type EdgeEnds, type ExpandRequest, type ReachRequest, type ReachStep, type Reachability } from '../../schema/store.ts';

/**
 * Sets an own, enumerable property. Plain assignment would treat a property named `__proto__` (upstream data is
 * hostile) as the object's prototype instead of data; every props object a store builds goes through this.
 */
export function setOwn(target: Props, name: string, value: JsonValue): void {
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
}

/** Shallow merge: later values win; `null` removes a property. */
export function mergeProps(base: Props, patch: Props): Props {
  const out: Props = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else setOwn(out, k, v);
  }
  return out;
}

/** Shallow overlay that keeps nulls (so that they still remove what a store holds): later values win. */
export function overlayProps(base: Props, patch: Props): Props {
  const out: Props = { ...base };
  for (const [k, v] of Object.entries(patch)) setOwn(out, k, v);
  return out;
}

export function withoutNulls(props: Props): Props {
  const out: Props = {};
  for (const [k, v] of Object.entries(props)) if (v !== null) setOwn(out, k, v);
  return out;
}

/** The store contract's string order: UTF-16 code units, which is JavaScript's `<` and Neo4j's string order. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Node properties in the contract's order: names ascending by `compareText`, inserted in that order (so, as for
 * every JavaScript object, integer-like names come first, numerically). Returns `props` itself when it already is.
 */
export function sortedProps(props: Props): Props {
  const names = Object.keys(props);
  let sorted = true;
  for (let i = 1; i < names.length && sorted; i++) if (names[i - 1]! > names[i]!) sorted = false;
  if (sorted) return props;
  const out: Props = {};
  for (const name of names.sort()) setOwn(out, name, props[name]!);
  return out;
}

/** `list` sorted in place by `compare`; one pass and no sort when it already is (the usual case for ordered reads). */
export function inOrder<T>(list: T[], compare: (a: T, b: T) => number): T[] {
  for (let i = 1; i < list.length; i++) if (compare(list[i - 1]!, list[i]!) > 0) return list.sort(compare);
  return list;
}

export const compareNodes = (a: { key: string }, b: { key: string }): number => compareText(a.key, b.key);

/** The contract's edge order: (from, kind, to, source). */
export function compareEdges(a: GraphEdge, b: GraphEdge): number {
  return compareText(a.from, b.from) || compareText(a.kind, b.kind) || compareText(a.to, b.to) || compareText(a.source, b.source);
}

export function encodeCursor(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!key || encodeCursor(key) !== cursor) throw new UsageError(`invalid cursor "${cursor.slice(0, 80)}"`);
  return key;
}

export const MAX_PAGE = 1000;

export function pageSize(first: number | undefined): number {
  if (first === undefined) return 50;
  if (!Number.isInteger(first) || first < 1) throw new UsageError(`page size must be a positive integer, got ${first}`);
  return Math.min(first, MAX_PAGE);
}

const PROP_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Property filters as (JSON path, value) pairs; property names are checked so that they cannot inject a path. */
export function whereClauses(where: Record<string, string | number | boolean> | undefined): { name: string; path: string; value: string | number | boolean }[] {
  if (!where) return [];
  return Object.entries(where).map(([name, value]) => {
    if (!PROP_NAME.test(name)) throw new UsageError(`invalid property name "${name.slice(0, 80)}" in filter`);
    if (!['string', 'number', 'boolean'].includes(typeof value)) throw new UsageError(`filter on "${name}" must be a string, number or boolean`);
    return { name, path: `$.${name}`, value };
  });
}

/** A reachability request checked the same way by every store. */
export function checkReachRequest(req: ReachRequest): void {
  for (const [name, value, min] of [['maxDepth', req.maxDepth, 0], ['maxNodes', req.maxNodes, 1]] as const) {
    if (!Number.isInteger(value) || value < min) throw new UsageError(`${name} must be a whole number ≥ ${min}, got ${String(value).slice(0, 40)}`);
  }
  for (const key of req.from) if (typeof key !== 'string' || key.length === 0) throw new UsageError('a start key must be a non-empty string');
  for (const step of req.steps) {
    if (!isEdgeKind(step.kind)) throw new UsageError(`unknown edge kind "${String(step.kind).slice(0, 80)}"`);
    if (step.direction !== 'out' && step.direction !== 'in') throw new UsageError(`direction must be "out" or "in"`);
    const values = step.when ? ('in' in step.when ? step.when.in : step.when.notIn) : [];
    if (step.when && (!PROP_NAME.test(step.when.prop) || !Array.isArray(values) || !values.every((v) => typeof v === 'string'))) {
      throw new UsageError(`invalid flow condition on ${step.kind}`);
    }
  }
}

/** The kinds of an edgeEnds call, checked the same way by every store: known, each once, in name order. */
export function checkEdgeEndKinds(kinds: readonly EdgeKind[]): EdgeKind[] {
  for (const k of kinds) if (!isEdgeKind(k)) throw new UsageError(`unknown edge kind "${String(k).slice(0, 80)}"`);
  return [...new Set(kinds)].sort(compareText);
}

/** (from, kind, to) rows as the contract's EdgeEnds: sorted by code units (a no-op when already so), then split. */
export function edgeEndsOf(rows: (readonly [string, EdgeKind, string])[]): EdgeEnds {
  inOrder(rows, (a, b) => compareText(a[0], b[0]) || compareText(a[1], b[1]) || compareText(a[2], b[2]));
  return { from: rows.map((r) => r[0]), kind: rows.map((r) => r[1]), to: rows.map((r) => r[2]) };
}

/**
 * `ends` with the owner each `to` end's key names (EdgeEndsOptions.owners), each key parsed once per call and each
 * owner one string, for a store that keeps no owners of its own.
 */
export function withEndOwners(ends: EdgeEnds): EdgeEnds {
  const known = new Map<string, string | undefined>();
  const interned = new Map<string, string>();
  const ownerOf = (key: string) => {
    if (known.has(key)) return known.get(key);
    const owner = internedOwnerName(interned, key);
    known.set(key, owner);
    return owner;
  };
  return { ...ends, toOwner: ends.to.map(ownerOf) };
}

/**
 * The owner `key` names (ownerNameOfKey), as the one string `interned` holds for it: equal owners are then the very
 * same string, compared at once and hashed once, however many edges name them.
 */
export function internedOwnerName(interned: Map<string, string>, key: string): string | undefined {
  const name = ownerNameOfKey(key);
  if (name === undefined) return undefined;
  const held = interned.get(name);
  if (held !== undefined) return held;
  interned.set(name, name);
  return name;
}

/** The starts of a request, each once, in the order given. */
export function uniqueStarts(req: ReachRequest): string[] {
  return [...new Set(req.from)];
}

/** Whether an edge's props satisfy a step's condition. */
export function satisfies(when: ReachStep['when'], props: Props): boolean {
  return !when || flowConditionHolds(when, props);
}

/** The contract's order of the edges a level follows: (near, kind, far, direction with `in` first, source). */
export function compareSteps(a: readonly [string, string, string, string, string], b: readonly [string, string, string, string, string]): number {
  return compareText(a[0], b[0]) || compareText(a[1], b[1]) || compareText(a[2], b[2]) || compareText(a[3], b[3]) || compareText(a[4], b[4]);
}

/** A Reachability over plain arrays, with the tree edges at hand. */
export class ArrayReachability implements Reachability {
  constructor(
    readonly keys: string[],
    readonly depths: number[],
    readonly parents: number[],
    private readonly edges: (GraphEdge | undefined)[],
    readonly truncated: boolean,
    readonly reason?: 'depth' | 'budget',
  ) {}

  via(i: number): GraphEdge | undefined {
    return this.edges[i];
  }

  depthKeyOrder(): Int32Array {
    return depthKeyOrderOf(this.keys, this.depths, 0, this.keys.length);
  }
}

/**
 * The contract's reachability over `expand` calls, one per direction per level for the whole frontier: what a
 * store answers when it has nothing faster (SQLite with its adjacency copy off), and the plain statement of the
 * semantics the faster paths must match.
 */
export async function reachByExpand(expand: (req: ExpandRequest) => Promise<GraphEdge[]>, req: ReachRequest): Promise<Reachability> {
  checkReachRequest(req);
  const keys: string[] = [];
  const depths: number[] = [];
  const parents: number[] = [];
  const edges: (GraphEdge | undefined)[] = [];
  const indexOf = new Map<string, number>();
  const done = (truncated: boolean, reason?: 'depth' | 'budget') => new ArrayReachability(keys, depths, parents, edges, truncated, reason);
  for (const key of uniqueStarts(req)) {
    if (keys.length >= req.maxNodes) return done(true, 'budget');
    indexOf.set(key, keys.length);
    keys.push(key);
    depths.push(0);
    parents.push(-1);
    edges.push(undefined);
  }
  const groups = new Map<Direction, Map<EdgeKind, ReachStep['when'] | null>>();
  for (const step of req.steps) {
    const kinds = groups.get(step.direction) ?? new Map<EdgeKind, ReachStep['when'] | null>();
    // An unconditional step of a kind makes a conditional one of the same kind moot.
    if (!step.when) kinds.set(step.kind, null);
    else if (kinds.get(step.kind) !== null) kinds.set(step.kind, step.when);
    groups.set(step.direction, kinds);
  }
  let frontier = keys.slice();
  for (let depth = 0; frontier.length; depth++) {
    const followed: { tuple: [string, string, string, string, string]; edge: GraphEdge; near: string; far: string }[] = [];
    for (const [direction, kinds] of groups) {
      const found = await expand({ keys: frontier, edgeKinds: [...kinds.keys()], direction, withProps: true });
      for (const edge of found) {
        const when = kinds.get(edge.kind);
        if (when && !satisfies(when, edge.props)) continue;
        const near = direction === 'out' ? edge.from : edge.to;
        const far = direction === 'out' ? edge.to : edge.from;
        followed.push({ tuple: [near, edge.kind, far, direction, edge.source], edge, near, far });
      }
    }
    followed.sort((a, b) => compareSteps(a.tuple, b.tuple));
    if (depth === req.maxDepth) return followed.some((f) => !indexOf.has(f.far)) ? done(true, 'depth') : done(false);
    const next: string[] = [];
    for (const { edge, near, far } of followed) {
      if (indexOf.has(far)) continue;
      if (keys.length >= req.maxNodes) return done(true, 'budget');
      indexOf.set(far, keys.length);
      keys.push(far);
      depths.push(depth + 1);
      parents.push(indexOf.get(near)!);
      edges.push(req.withEdgeProps ? edge : { kind: edge.kind, from: edge.from, to: edge.to, source: edge.source, props: NO_PROPS, evidence: '', confidence: 'declared', observedAt: '' });
      next.push(far);
    }
    frontier = next;
  }
  return done(false);
}

/**
 * Shared by every edge returned without props: one allocation fewer per edge on the hot path. Frozen, so a caller
 * that breaks the withProps promise by writing to it fails loudly instead of changing every other edge.
 */
export const NO_PROPS: Props = Object.freeze({}) as Props;
