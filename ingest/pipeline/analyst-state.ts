/**
 * Analyst state is the analyst's: the properties in ANALYST_PROPS (today `analystTags`: crown-jewel, compromised, …)
 * are written only by `aispm tag`, the GraphQL mutation and records import. An upstream batch that carries one
 * (a Hub repo whose metadata happens to hold `analystTags`, a mapping bug) has it removed here, before the write,
 * so no upstream can choose the analyst's targets or entry points; stores merge properties on upsert, so what the
 * analyst set survives every re-ingest. Pure; the scope writer (sync.ts) runs every source's batches through it.
 */
import { ANALYST_PROPS } from '../../schema/model.ts';
import type { Props, RecordBatch } from '../../schema/records.ts';

export interface StrippedBatch {
  batch: RecordBatch;
  /** One note per node that carried analyst state, for a warning on the scope. */
  notes: string[];
}

export function withoutAnalystState(batch: RecordBatch): StrippedBatch {
  const notes: string[] = [];
  let changed = false;
  const nodes = batch.nodes.map((n) => {
    const props = n.props;
    const found = props ? ANALYST_PROPS.filter((name) => Object.hasOwn(props, name)) : [];
    if (!found.length) return n;
    changed = true;
    notes.push(`${n.key}: ${found.join(', ')} ignored (only an analyst sets ${found.length === 1 ? 'it' : 'them'})`);
    const kept: Props = {};
    for (const [k, v] of Object.entries(props!)) {
      if (!found.includes(k)) Object.defineProperty(kept, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
    return { ...n, props: kept };
  });
  return { batch: changed ? { nodes, edges: batch.edges } : batch, notes };
}
