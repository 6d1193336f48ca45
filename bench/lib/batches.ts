/** Splitting a large record batch into the store-sized batches an ingestor would hand over. */
import type { RecordBatch } from '../../schema/records.ts';

/**
 * Nodes first, then edges, `size` records per batch. Writing nodes before the edges that join them is what an
 * ingestor does, and it keeps the benchmark off the stub-then-update path.
 */
export function* chunkBatch(batch: RecordBatch, size: number): Generator<RecordBatch> {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`batch size must be a positive integer, got ${size}`);
  for (let i = 0; i < batch.nodes.length; i += size) yield { nodes: batch.nodes.slice(i, i + size), edges: [] };
  for (let i = 0; i < batch.edges.length; i += size) yield { nodes: [], edges: batch.edges.slice(i, i + size) };
}
