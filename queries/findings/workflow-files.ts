/**
 * CI workflow files (File nodes with `workflow: true`, from the GitHub ingestor) and the repositories that hold
 * them, for the workflow posture rules. Batched: one find page of files, one expand for their holders.
 */
import type { EdgeKind } from '../../schema/model.ts';
import type { GraphNode } from '../../schema/records.ts';
import type { GraphStore } from '../../schema/store.ts';
import { nodesOfKind } from '../nodes.ts';

const HOLDS: EdgeKind = 'CONTAINS';

export interface WorkflowFile {
  file: GraphNode;
  /** The repositories holding it (one, for a committed file). */
  holders: string[];
}

export async function workflowFiles(store: GraphStore): Promise<WorkflowFile[]> {
  const out: WorkflowFile[] = [];
  for await (const page of nodesOfKind(store, 'File', { workflow: true })) {
    const holders = new Map<string, string[]>();
    for (const e of await store.expand({ keys: page.map((f) => f.key), direction: 'in', edgeKinds: [HOLDS] })) {
      holders.set(e.to, [...(holders.get(e.to) ?? []), e.from]);
    }
    for (const file of page) out.push({ file, holders: [...new Set(holders.get(file.key) ?? [])].sort() });
  }
  return out;
}

export function stringList(node: GraphNode, prop: string): string[] {
  const v = node.props[prop];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** `deploy.yml (in gh:repo/acme/app)` for evidence. */
export function describeWorkflow(w: WorkflowFile): string {
  const path = typeof w.file.props.path === 'string' ? w.file.props.path : w.file.key;
  return `${path}${w.holders.length ? ` in ${w.holders.join(', ')}` : ''}`;
}
