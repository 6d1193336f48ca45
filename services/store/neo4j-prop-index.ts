/**
 * Neo4j's side of `findNodesByProp` / `findEdgesByProp` (schema/store.ts), pure like neo4j-cypher.ts: the indexes
 * and the queries. Values travel as parameters; the stored property names and relationship types spliced in come
 * from the model's lists (INDEXED_NODE_PROPS, INDEXED_EDGE_PROPS, EDGE_KINDS) and are checked where spliced.
 *
 * Nodes: a range index on `:Node(p_<prop>)` (the value when Neo4j holds it natively), and for a property the model
 * types as a list or JSON also on `j_<prop>` (an empty list is stored as JSON text): "has the property" is the
 * union of the two, a value test reads `p_<prop>` only (a list or map never equals).
 * Edges keep their props as one JSON text (`r.props`), so a text index on it per kind that declares the property
 * answers `r.props CONTAINS '"<prop>":'` — every edge that has it at the top level, and the few that have it
 * nested, which the client drops when it decodes the props.
 */
import { EDGE_KINDS, EDGE_SPECS, INDEXED_EDGE_PROPS, INDEXED_NODE_PROPS, NODE_KINDS, NODE_SPECS, type EdgeKind } from '../../schema/model.ts';
import type { Statement } from './neo4j-cypher.ts';
import { JSON_PREFIX, NATIVE_PREFIX, NODE_LABEL, labelOf, relTypeOf } from './neo4j-cypher.ts';
import { whereCandidates } from './neo4j-cypher.ts';

const SAFE_NAME = /^[A-Za-z][A-Za-z0-9]*$/;

function checked(prop: string, indexed: readonly string[]): string {
  if (!indexed.includes(prop) || !SAFE_NAME.test(prop)) throw new Error(`not an indexed property: ${prop}`);
  return prop;
}

/** Whether some node kind types the property so that a value may be stored as JSON text (`j_`). */
function mayBeJson(prop: string): boolean {
  return NODE_KINDS.some((k) => {
    const type = NODE_SPECS[k].props[prop]?.type;
    return type === 'string[]' || type === 'json';
  });
}

/** Edge kinds whose spec declares the property: they get its text index. */
function declaringKinds(prop: string): EdgeKind[] {
  return EDGE_KINDS.filter((k) => prop in EDGE_SPECS[k].props);
}

/** The index DDL, by name (schemaStatements adds these). */
export function propIndexStatements(): { name: string; type: 'index'; text: string }[] {
  const out: { name: string; type: 'index'; text: string }[] = [];
  for (const prop of INDEXED_NODE_PROPS) {
    const p = checked(prop, INDEXED_NODE_PROPS);
    for (const prefix of mayBeJson(p) ? [NATIVE_PREFIX, JSON_PREFIX] : [NATIVE_PREFIX]) {
      const name = `aispm_node_${prefix}${p}`;
      out.push({ name, type: 'index', text: `CREATE INDEX ${name} IF NOT EXISTS FOR (n:${NODE_LABEL}) ON (n.${prefix}${p})` });
    }
  }
  for (const prop of INDEXED_EDGE_PROPS) {
    for (const kind of declaringKinds(checked(prop, INDEXED_EDGE_PROPS))) {
      const name = `aispm_${relTypeOf(kind).toLowerCase()}_props_text`;
      if (out.some((o) => o.name === name)) continue;
      out.push({ name, type: 'index', text: `CREATE TEXT INDEX ${name} IF NOT EXISTS FOR ()-[r:${kind}]-() ON (r.props)` });
    }
  }
  return out;
}

const NODE_RETURN = 'RETURN n.key AS key, n.kind AS kind, properties(n) AS properties';

export function nodesByPropStatement(prop: string, kinds: readonly string[] | undefined, equals: readonly (string | number | boolean)[] | undefined): Statement {
  const p = checked(prop, INDEXED_NODE_PROPS);
  const params: Record<string, unknown> = {};
  const kindTest = kinds ? ' AND n.kind IN $kinds' : '';
  if (kinds) params.kinds = kinds.map(labelOf);
  if (equals) {
    params.values = [...new Set(equals.flatMap(whereCandidates))];
    return { text: `MATCH (n:${NODE_LABEL}) WHERE n.${NATIVE_PREFIX}${p} IN $values${kindTest}\n${NODE_RETURN}`, params };
  }
  const branches = (mayBeJson(p) ? [NATIVE_PREFIX, JSON_PREFIX] : [NATIVE_PREFIX]).map(
    (prefix) => `MATCH (n:${NODE_LABEL}) WHERE n.${prefix}${p} IS NOT NULL${kindTest}\n${NODE_RETURN}`,
  );
  return { text: branches.join('\nUNION\n'), params };
}

export function edgesByPropStatement(prop: string, kinds: readonly string[] | undefined): Statement {
  const p = checked(prop, INDEXED_EDGE_PROPS);
  const types = kinds ? `:${kinds.map(relTypeOf).join('|')}` : '';
  return {
    text: `MATCH (a:${NODE_LABEL})-[r${types}]->(b:${NODE_LABEL}) WHERE r.props CONTAINS $needle\nRETURN type(r) AS kind, a.key AS from, b.key AS to, r.props AS props, r.source AS source, r.evidence AS evidence, r.confidence AS confidence, r.observedAt AS observedAt`,
    params: { needle: `${JSON.stringify(p)}:` },
  };
}
