/**
 * Files held by served models or any of their ancestors, with which served models (and endpoints) each one
 * reaches. Shared by the pickle rules; three batched store calls after the lineage closure.
 */
import { UNPICKLING_FORMATS, type EdgeKind } from '../../schema/model.ts';
import type { GraphNode } from '../../schema/records.ts';
import type { FindingContext } from './context.ts';

const HOLDS: EdgeKind = 'CONTAINS';

/** Formats that deserialise with pickle (code can run on load): FILE_FORMATS in the model says which. */
export const PICKLE_FORMATS: readonly string[] = UNPICKLING_FORMATS;

export interface ServedFile {
  file: GraphNode;
  /** The model that contains the file (a served model or one of its ancestors). */
  holder: string;
  /** Served models that are the holder or derive from it, sorted. */
  servedModels: string[];
  /** Endpoints serving those models, sorted. */
  endpoints: string[];
}

/** Both pickle rules ask for the same files in one findings run: read them once per context. */
const loaded = new WeakMap<FindingContext, Promise<ServedFile[]>>();

export function filesOfServedLineage(ctx: FindingContext): Promise<ServedFile[]> {
  let files = loaded.get(ctx);
  if (!files) loaded.set(ctx, (files = loadFilesOfServedLineage(ctx)));
  return files;
}

/** The nodes a finding about a served file names: the file, the model holding it, then the served models it feeds. */
export function servedFileNodes(f: ServedFile): string[] {
  return [f.file.key, f.holder, ...f.servedModels.filter((m) => m !== f.holder)];
}

async function loadFilesOfServedLineage(ctx: FindingContext): Promise<ServedFile[]> {
  const served = await ctx.servedModels();
  const models = [...served.keys()];
  if (!models.length) return [];
  const ancestry = await ctx.ancestry(models);
  // holder → served models it feeds (itself included)
  const feeds = new Map<string, Set<string>>();
  for (const m of models) {
    for (const h of [m, ...ancestry.ancestorsOf(m)]) feeds.set(h, (feeds.get(h) ?? new Set()).add(m));
  }
  const contains = await ctx.store.expand({ keys: [...feeds.keys()], direction: 'out', edgeKinds: [HOLDS] });
  const files = new Map((await ctx.store.getNodes([...new Set(contains.map((e) => e.to))])).map((n) => [n.key, n]));
  const out: ServedFile[] = [];
  for (const e of contains) {
    const file = files.get(e.to);
    if (!file) continue;
    const servedModels = [...(feeds.get(e.from) ?? [])].sort();
    const endpoints = [...new Set(servedModels.flatMap((m) => served.get(m) ?? []))].sort();
    out.push({ file, holder: e.from, servedModels, endpoints });
  }
  return out.sort((a, b) => (a.file.key < b.file.key ? -1 : a.file.key > b.file.key ? 1 : a.holder < b.holder ? -1 : 1));
}

export function describeServedFile(f: ServedFile): string[] {
  const scan = typeof f.file.props.scanStatus === 'string' ? f.file.props.scanStatus : 'not scanned';
  const format = typeof f.file.props.format === 'string' ? f.file.props.format : 'unknown format';
  const lines = [`${f.file.key}: ${format}, scan ${scan}`];
  const globals = f.file.props.scanGlobals;
  if (Array.isArray(globals) && globals.length) lines.push(`imports ${globals.slice(0, 10).join(', ')}`);
  lines.push(`contained in ${f.holder}`);
  const others = f.servedModels.filter((m) => m !== f.holder);
  if (f.servedModels.includes(f.holder)) lines.push(`${f.holder} is served by ${f.endpoints.join(', ')}`);
  if (others.length) lines.push(`${f.holder} is an ancestor of served model(s) ${others.join(', ')}`);
  return lines;
}
