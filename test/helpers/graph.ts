/**
 * What a store holds, as `aispm export` writes it, read in-process through the same store and record functions (tests
 * spawn the CLI for what they test, not for every look at the graph), and comparisons of two such exports.
 */
import { edgeToRecord, nodeToRecord } from '../../services/records-file.ts';
import { openStore } from '../../services/store/open.ts';
import { runCli } from './cli.ts';

export interface Exported {
  /** The NDJSON lines `aispm export` prints. */
  raw: string;
  nodes: Map<string, { kind: string; key: string; props: Record<string, unknown> }>;
  edges: { kind: string; from: string; to: string; props?: Record<string, unknown>; source?: string; evidence?: string; confidence?: string; observedAt?: string }[];
}

/** `env` (a Neo4j store's credentials) runs `aispm export` itself with it; without, the store is read here. */
export async function exportStore(spec: string, env?: Record<string, string | undefined>): Promise<Exported> {
  const lines: string[] = [];
  if (env) {
    const r = await runCli(['export', '--store', spec], { env });
    if (r.code !== 0) throw new Error(`export failed: ${r.stderr}`);
    lines.push(...r.stdout.split('\n').filter(Boolean));
  } else {
    const store = await openStore(spec);
    try {
      for await (const item of store.exportAll()) {
        lines.push(JSON.stringify(item.type === 'node' ? { type: 'node', ...nodeToRecord(item.node, item.owner) } : { type: 'edge', ...edgeToRecord(item.edge, item.owner) }));
      }
    } finally {
      await store.close();
    }
  }
  const nodes: Exported['nodes'] = new Map();
  const edges: Exported['edges'] = [];
  for (const line of lines) {
    const rec = JSON.parse(line);
    if (rec.type === 'node') nodes.set(rec.key, rec);
    else edges.push(rec);
  }
  return { raw: lines.length ? `${lines.join('\n')}\n` : '', nodes, edges };
}

/**
 * Two stores filled at different times from different replay servers differ only in when each edge was first
 * observed, in the servers' ports inside `url` properties, and in the sync ids (each names one run).
 */
export function withoutTimes(e: Exported): string {
  return e.raw
    .replace(/http:\/\/127\.0\.0\.1:\d+/g, 'http://replay')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const rec = JSON.parse(l);
      delete rec.observedAt;
      return JSON.stringify(withoutSyncId(rec));
    })
    .join('\n');
}

/** An export without its sync ids: a sync id names one run (a repo with no sha, such as a missing one, is read on
 * every run); which source and scope own each record is what must agree. */
export function withoutSyncIds(raw: string): string {
  return raw.split('\n').map((l) => (l ? JSON.stringify(withoutSyncId(JSON.parse(l))) : l)).join('\n');
}

function withoutSyncId(rec: { owner?: { syncId?: string } }): unknown {
  if (rec.owner) delete rec.owner.syncId;
  return rec;
}
