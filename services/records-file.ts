/**
 * The records file format read by `aispm import` and written by `aispm export`:
 * - `.json`: `{ "nodes": [NodeRecord…], "edges": [EdgeRecord…] }`
 * - `.ndjson` / `.jsonl`: one record per line, `{"type":"node",…NodeRecord}` or `{"type":"edge",…EdgeRecord}`.
 * Edges without a `source` get the importing file's default source. A record's optional `owner`
 * (`{source, scope, syncId}`) is the sync that owns it, as `aispm export` writes it: importing an export restores
 * ownership, so the next sync of that scope still sweeps what its upstream deleted.
 */
import { clip, type EdgeRecord, type GraphEdge, type GraphNode, type NodeRecord, type RecordBatch, type SyncContext } from '../schema/records.ts';
import { ValidationError, validateEdge, validateNode } from '../schema/validate.ts';
import { UsageError } from '../schema/errors.ts';

export type RecordsFormat = 'json' | 'ndjson';

/**
 * A records file's bytes as text: strict UTF-8 (a byte sequence that is not UTF-8 is an error naming its offset,
 * never silently U+FFFD — two different keys could merge into one), with a leading byte-order mark dropped.
 */
export function decodeRecordsText(bytes: Uint8Array): string {
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const body = bytes.subarray(bom);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    const offset = bom + firstInvalidUtf8(body);
    throw new UsageError(`not valid UTF-8 at byte offset ${offset}: records files must be UTF-8`);
  }
}

/** Index of the first byte that does not start or continue a well-formed UTF-8 sequence (RFC 3629). */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    const [len, lo, hi] = c < 0x80 ? [1, 0, 0] : c >= 0xc2 && c <= 0xdf ? [2, 0x80, 0xbf] : c === 0xe0 ? [3, 0xa0, 0xbf] : c === 0xed ? [3, 0x80, 0x9f]
      : c >= 0xe1 && c <= 0xef ? [3, 0x80, 0xbf] : c === 0xf0 ? [4, 0x90, 0xbf] : c >= 0xf1 && c <= 0xf3 ? [4, 0x80, 0xbf] : c === 0xf4 ? [4, 0x80, 0x8f] : [0, 0, 0];
    if (len === 0 || i + len > b.length) return i;
    if (len > 1 && (b[i + 1]! < lo || b[i + 1]! > hi)) return i;
    for (let k = 2; k < len; k++) if (b[i + k]! < 0x80 || b[i + k]! > 0xbf) return i;
    i += len;
  }
  return b.length;
}

export function formatOf(path: string): RecordsFormat {
  return /\.(ndjson|jsonl)$/i.test(path) ? 'ndjson' : 'json';
}

/** Parse and validate a whole records file; throws UsageError (malformed) or ValidationError (invalid records). */
export function parseRecords(text: string, format: RecordsFormat, defaultSource: string): RecordBatch {
  const nodes: NodeRecord[] = [];
  const edges: EdgeRecord[] = [];
  const problems: string[] = [];
  const withSource = (e: unknown) =>
    e && typeof e === 'object' && !Array.isArray(e) && (e as EdgeRecord).source === undefined ? { ...(e as EdgeRecord), source: defaultSource } : e;

  if (format === 'json') {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw new UsageError(`malformed JSON${where(text, (err as Error).message)}: ${clip((err as Error).message, 300)}`);
    }
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new UsageError('a records file must be a JSON object with "nodes" and "edges" arrays');
    const d = doc as { nodes?: unknown; edges?: unknown };
    if (d.nodes !== undefined && !Array.isArray(d.nodes)) throw new UsageError('"nodes" must be an array');
    if (d.edges !== undefined && !Array.isArray(d.edges)) throw new UsageError('"edges" must be an array');
    ((d.nodes as unknown[]) ?? []).forEach((n, i) => {
      validateNode(n, i, problems);
      nodes.push(n as NodeRecord);
    });
    ((d.edges as unknown[]) ?? []).forEach((raw, i) => {
      const e = withSource(raw);
      validateEdge(e, i, problems);
      edges.push(e as EdgeRecord);
    });
  } else {
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      if (!line.trim()) return;
      const label = `line ${i + 1}`;
      let rec: unknown;
      try {
        rec = JSON.parse(line);
      } catch (err) {
        problems.push(`${label}: malformed JSON: ${(err as Error).message}`);
        return;
      }
      const type = rec && typeof rec === 'object' ? (rec as { type?: unknown }).type : undefined;
      if (type === 'node') {
        const { type: _t, ...node } = rec as Record<string, unknown>;
        validateNode(node, nodes.length, problems, label);
        nodes.push(node as unknown as NodeRecord);
      } else if (type === 'edge') {
        const { type: _t, ...edge } = rec as Record<string, unknown>;
        const e = withSource(edge);
        validateEdge(e, edges.length, problems, label);
        edges.push(e as EdgeRecord);
      } else {
        problems.push(`${label}: "type" must be "node" or "edge"`);
      }
    });
  }
  if (problems.length) throw new ValidationError(problems);
  return { nodes, edges };
}

/** ` at line L, column C` when the parser said at which character it stopped. */
function where(text: string, message: string): string {
  const m = /at position (\d+)/.exec(message);
  if (!m) return '';
  const pos = Math.min(Number(m[1]), text.length);
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - before.lastIndexOf('\n');
  return ` at line ${line}, column ${column}`;
}

/** A node as a record; with its owner, so that importing the export restores who sweeps it. */
export function nodeToRecord(n: GraphNode, owner?: SyncContext): NodeRecord {
  return { kind: n.kind, key: n.key, props: n.props, ...(owner && { owner }) };
}

export function edgeToRecord(e: GraphEdge, owner?: SyncContext): EdgeRecord {
  return {
    kind: e.kind,
    from: e.from,
    to: e.to,
    props: e.props,
    source: e.source,
    evidence: e.evidence,
    confidence: e.confidence,
    observedAt: e.observedAt,
    ...(owner && { owner }),
  };
}
