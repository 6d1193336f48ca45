/**
 * SQLite's indexes for `findNodesByProp` / `findEdgesByProp`: one partial expression index per indexed property
 * (INDEXED_NODE_PROPS, INDEXED_EDGE_PROPS in schema/model.ts) on `json_extract(props, '$.<prop>')`, holding only
 * the rows that have it. A lookup by value seeks the index; "has the property" reads just its rows; a write pays
 * one JSON parse per row (SQLite shares it between the index expressions of one statement).
 *
 * The property names are spliced into the SQL: SQLite matches an indexed expression only when the query spells the
 * same expression, and a bound parameter is not the same expression. They come from the model's lists only (the
 * query builders refuse any other name).
 */
import { INDEXED_EDGE_PROPS, INDEXED_NODE_PROPS } from '../../schema/model.ts';

const SAFE_NAME = /^[A-Za-z][A-Za-z0-9]*$/;

function path(prop: string, indexed: readonly string[]): string {
  if (!indexed.includes(prop) || !SAFE_NAME.test(prop)) throw new Error(`not an indexed property: ${prop}`);
  return `json_extract(props, '$.${prop}')`;
}

/** CREATE INDEX IF NOT EXISTS for every indexed property (the schema step that adds them runs this). */
export function propIndexDdl(): string {
  const out: string[] = [];
  for (const prop of INDEXED_NODE_PROPS) {
    const e = path(prop, INDEXED_NODE_PROPS);
    out.push(`CREATE INDEX IF NOT EXISTS nodes_prop_${prop} ON nodes (${e}) WHERE ${e} IS NOT NULL;`);
  }
  for (const prop of INDEXED_EDGE_PROPS) {
    const e = path(prop, INDEXED_EDGE_PROPS);
    out.push(`CREATE INDEX IF NOT EXISTS edges_prop_${prop} ON edges (${e}) WHERE ${e} IS NOT NULL;`);
  }
  return out.join('\n');
}

/**
 * The filter on one table's row (`alias.props`): has the property, and with `equals`, a scalar equal to one of the
 * JSON array bound at the first `?` (a list or map never equals, as on Neo4j). Kinds, when given, are the JSON
 * array bound at the next `?`.
 */
function propFilter(alias: string, prop: string, indexed: readonly string[], withEquals: boolean, withKinds: boolean): string {
  const e = path(prop, indexed).replace('props', `${alias}.props`);
  const terms = [`${e} IS NOT NULL`];
  if (withEquals) terms.push(`${e} IN (SELECT value FROM json_each(?))`, `json_type(${alias}.props, '$.${prop}') NOT IN ('array', 'object')`);
  // The unary + keeps the planner on the property's index: a kind index would read every node of the kind.
  if (withKinds) terms.push(`+${alias}.kind IN (SELECT value FROM json_each(?))`);
  return terms.join(' AND ');
}

export function nodesByPropSql(prop: string, withEquals: boolean, withKinds: boolean): string {
  return `SELECT key, kind, props FROM nodes n WHERE ${propFilter('n', prop, INDEXED_NODE_PROPS, withEquals, withKinds)}`;
}

export function edgesByPropSql(prop: string, withEquals: boolean, withKinds: boolean): string {
  return `SELECT e.kind, s.key, d.key, e.props, e.source, e.evidence, e.confidence, e.observed_at
    FROM edges e JOIN nodes s ON s.id = e.src JOIN nodes d ON d.id = e.dst
    WHERE ${propFilter('e', prop, INDEXED_EDGE_PROPS, withEquals, withKinds)}`;
}
