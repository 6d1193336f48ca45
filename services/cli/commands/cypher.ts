/**
 * `aispm cypher "<query>"`: read-only raw Cypher for analysts, on a Neo4j store only. The store checks the query
 * with EXPLAIN (it must be read-only) and runs it in a READ transaction; see Neo4jStore.runReadOnlyCypher.
 */
import type { JsonValue } from '../../../schema/records.ts';
import { UsageError } from '../../../schema/errors.ts';
import { resolveStoreSpec } from '../../store/open.ts';
import type { Neo4jStore, RawCypherResult } from '../../store/neo4j.ts';
import type { Command } from '../command.ts';

const NEO4J_SPEC = /^(neo4j|neo4j\+s|neo4j\+ssc|bolt|bolt\+s|bolt\+ssc):\/\//i;
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_ROWS = 100_000;

/** `k=v`: v is read as JSON when it parses (numbers, booleans, null, lists, maps, "quoted strings"), else as text. */
export function parseParams(raw: string[]): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const p of raw) {
    const eq = p.indexOf('=');
    const name = eq > 0 ? p.slice(0, eq) : '';
    if (!PARAM_NAME.test(name)) throw new UsageError(`--param must be name=value with a plain name, got "${p.slice(0, 80)}"`);
    const text = p.slice(eq + 1);
    let value: JsonValue;
    try {
      value = JSON.parse(text) as JsonValue;
    } catch {
      value = text;
    }
    out[name] = value;
  }
  return out;
}

export const cypherCommand: Command = {
  name: 'cypher',
  summary: 'Run a read-only Cypher query on a Neo4j store (refused unless the server plans it as read-only)',
  usage: 'cypher "<query>" [--param name=value …] [--limit <rows>] [--store neo4j://…] [--json]',
  options: { param: { type: 'string', multiple: true }, limit: { type: 'string' } },
  async run(ctx) {
    const query = ctx.positionals[0];
    if (!query || ctx.positionals.length > 1) throw new UsageError('usage: aispm cypher "<query>" [--param name=value …] (quote the query)');
    const params = parseParams((ctx.values.param as string[] | undefined) ?? []);
    const limitText = ctx.values.limit as string | undefined;
    let maxRows = 1000;
    if (limitText !== undefined) {
      maxRows = Number(limitText);
      if (!/^\d+$/.test(limitText) || maxRows < 1 || maxRows > MAX_ROWS) throw new UsageError(`--limit must be a whole number from 1 to ${MAX_ROWS}`);
    }
    // Decided from the spec, before opening anything: an SQLite spec must not create a database file here.
    const spec = resolveStoreSpec(ctx.values.store as string | undefined);
    if (!NEO4J_SPEC.test(spec)) {
      throw new UsageError('raw Cypher needs a Neo4j store: pass --store neo4j://host:7687 (or set AISPM_STORE)');
    }
    const store = (await ctx.store()) as Neo4jStore;
    if (store.backend !== 'neo4j' || typeof store.runReadOnlyCypher !== 'function') {
      throw new UsageError('raw Cypher needs a Neo4j store');
    }
    const result = await store.runReadOnlyCypher(query, params, { maxRows });
    if (ctx.json) ctx.printJson(result);
    else ctx.print(renderTable(result));
    if (result.truncated) ctx.log(`showing the first ${result.rows.length} rows; raise --limit for more`);
    return 0;
  },
};

function renderTable(r: RawCypherResult): string {
  const cell = (v: unknown) => {
    const s = typeof v === 'string' ? v : JSON.stringify(v);
    return s.replace(/[\t\r\n]/g, ' ');
  };
  const lines = [r.keys.join('\t'), ...r.rows.map((row) => r.keys.map((k) => cell(row[k])).join('\t'))];
  lines.push(`(${r.rows.length} row${r.rows.length === 1 ? '' : 's'}${r.truncated ? ', truncated' : ''})`);
  return lines.join('\n');
}
