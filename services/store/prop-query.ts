/**
 * `findNodesByProp` / `findEdgesByProp` (schema/store.ts), the parts both stores share: the request check and the
 * meaning of `equals`, so that the two answer alike.
 */
import { INDEXED_EDGE_PROPS, INDEXED_NODE_PROPS, isEdgeKind, isNodeKind } from '../../schema/model.ts';
import { UsageError } from '../../schema/errors.ts';
import type { EdgePropQuery, NodePropQuery } from '../../schema/store.ts';

export interface CheckedPropQuery<K extends string> {
  prop: string;
  /** Undefined: every kind. */
  kinds?: K[];
  /** Undefined: any value. */
  equals?: (string | number | boolean)[];
}

/** The node query, checked; the property name is one of INDEXED_NODE_PROPS, so it may be spliced into a query. */
export function checkNodePropQuery(q: NodePropQuery): CheckedPropQuery<NonNullable<NodePropQuery['kinds']>[number]> {
  return checkPropQuery(q, INDEXED_NODE_PROPS, isNodeKind, 'node');
}

/** The edge query, checked; the property name is one of INDEXED_EDGE_PROPS. */
export function checkEdgePropQuery(q: EdgePropQuery): CheckedPropQuery<NonNullable<EdgePropQuery['kinds']>[number]> {
  return checkPropQuery(q, INDEXED_EDGE_PROPS, isEdgeKind, 'edge');
}

function checkPropQuery<K extends string>(
  q: { prop: string; kinds?: readonly K[]; equals?: readonly (string | number | boolean)[] },
  indexed: readonly string[],
  isKind: (v: unknown) => boolean,
  what: 'node' | 'edge',
): CheckedPropQuery<K> {
  if (typeof q?.prop !== 'string' || !indexed.includes(q.prop)) {
    throw new UsageError(`"${String(q?.prop).slice(0, 80)}" is not an indexed ${what} property (indexed: ${indexed.join(', ')})`);
  }
  if (q.kinds !== undefined) {
    if (!Array.isArray(q.kinds)) throw new UsageError(`kinds must be a list of ${what} kinds`);
    for (const k of q.kinds) if (!isKind(k)) throw new UsageError(`unknown ${what} kind "${String(k).slice(0, 80)}"`);
  }
  if (q.equals !== undefined) {
    if (!Array.isArray(q.equals)) throw new UsageError(`equals must be a list of values`);
    for (const v of q.equals) {
      if (!['string', 'number', 'boolean'].includes(typeof v)) throw new UsageError(`equals on "${q.prop}" takes strings, numbers or booleans`);
    }
  }
  return { prop: q.prop, kinds: q.kinds ? [...new Set(q.kinds)] : undefined, equals: q.equals ? [...q.equals] : undefined };
}

/**
 * Whether a property value is a match: present (anything) when `equals` is undefined, else a scalar equal to one
 * of `equals`, a boolean also matching 1/0 and the reverse (SQLite's json_extract reads true as 1).
 */
export function propMatches(value: unknown, equals: readonly (string | number | boolean)[] | undefined): boolean {
  if (value === undefined || value === null) return false;
  if (equals === undefined) return true;
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return false;
  const v = typeof value === 'boolean' ? Number(value) : value;
  return equals.some((e) => (typeof e === 'boolean' ? Number(e) : e) === v);
}

/** `equals` as the values SQLite's json_extract gives (booleans as 1 and 0). */
export function sqlValues(equals: readonly (string | number | boolean)[]): (string | number)[] {
  return equals.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v));
}
