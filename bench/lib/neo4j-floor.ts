/**
 * The server's own floor for a bulk write: what the same graph costs written in the plainest way Cypher allows —
 * each node CREATEd with the property map the store would set, under one uniqueness constraint; each edge CREATEd
 * between its two ends found by that constraint; 5,000 rows per transaction (the store's part size) — with none of
 * what the store adds (MERGE so a write can be repeated, the `:Node` label and its constraint, property indexes,
 * stubs for missing ends, the journal that keeps a large write all-or-nothing). A store's rate is read against it:
 * no upsert through Bolt can beat this on the same server.
 */
import type { Session } from 'neo4j-driver';
import type { RecordBatch } from '../../schema/records.ts';
import { encodeProps } from '../../services/store/neo4j-cypher.ts';
import { withoutNulls } from '../../services/store/common.ts';

const FLOOR_LABEL = 'AispmBenchFloor';
const FLOOR_TYPE = 'AISPM_BENCH_FLOOR';
const ROWS_PER_TRANSACTION = 5_000;

export interface FloorReport {
  rows: number;
  ms: number;
  /** Edges written (an edge whose end is not among the nodes is skipped). */
  edgesWritten: number;
}

/** Writes `graph` the plainest way, times it, and removes what it wrote (its label, type and constraint only). */
export async function serverWriteFloor(session: Session, graph: RecordBatch): Promise<FloorReport> {
  await session.run(`CREATE CONSTRAINT aispm_bench_floor_key IF NOT EXISTS FOR (n:${FLOOR_LABEL}) REQUIRE n.key IS UNIQUE`);
  try {
    const nodeRows = graph.nodes.map((n) => [n.key, encodeProps(withoutNulls(n.props ?? {}))]);
    const edgeRows = graph.edges.map((e) => [e.from, e.to, e.source, JSON.stringify(withoutNulls(e.props ?? {}))]);
    const start = performance.now();
    await inTransactions(session, nodeRows, `UNWIND $rows AS row CREATE (n:${FLOOR_LABEL} {key: row[0]}) SET n += row[1] RETURN count(n) AS written`);
    const edgesWritten = await inTransactions(
      session,
      edgeRows,
      `UNWIND $rows AS row MATCH (a:${FLOOR_LABEL} {key: row[0]}) MATCH (b:${FLOOR_LABEL} {key: row[1]}) CREATE (a)-[r:${FLOOR_TYPE} {source: row[2], props: row[3]}]->(b) RETURN count(r) AS written`,
    );
    const ms = performance.now() - start;
    return { rows: nodeRows.length + edgeRows.length, ms, edgesWritten };
  } finally {
    await session.run(`MATCH (n:${FLOOR_LABEL}) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS`);
    await session.run('DROP CONSTRAINT aispm_bench_floor_key IF EXISTS');
  }
}

async function inTransactions(session: Session, rows: unknown[][], text: string): Promise<number> {
  let written = 0;
  for (let i = 0; i < rows.length; i += ROWS_PER_TRANSACTION) {
    const tx = session.beginTransaction();
    try {
      const result = await tx.run(text, { rows: rows.slice(i, i + ROWS_PER_TRANSACTION) });
      written += Number(result.records[0]?.get('written') ?? 0);
      await tx.commit();
    } finally {
      if (tx.isOpen()) await tx.rollback();
    }
  }
  return written;
}
