/**
 * `aispm scan <path…>`: is this model directory safe to load? Every file under the paths (recursive; a symlink
 * leaving its root is skipped) goes through the shared scanner; a table, JSON or SARIF comes out, and
 * `--fail-on` makes it a CI gate. Nothing is written to the graph unless `--into-graph <asset>` names the model,
 * dataset or Space the files belong to: then they become that asset's File nodes (replacing its previous scan).
 */
import { isAbsolute, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  canContainFiles,
  localScanBatch,
  scanLocalPaths,
  SCANNER_VERSION,
  sha256OfFile,
  writeLocalScan,
  type HashedScan,
  type LocalScan,
  type ScanResult,
  type SkippedPath,
  type Verdict,
} from '../../../ingest/scan/index.ts';
import { requireNodes } from '../../../queries/nodes.ts';
import { EXIT, UsageError } from '../../../schema/errors.ts';
import type { GraphStore } from '../../../schema/store.ts';
import type { Command, CommandContext } from '../command.ts';
import { positiveInt } from '../options.ts';

const FORMATS = ['table', 'json', 'sarif'] as const;
const GATES = ['dangerous', 'suspicious'] as const;

/** `--fail-on suspicious` also fails on unscanned files: a file nobody could vouch for does not pass a gate. */
function fails(v: Verdict, gate: (typeof GATES)[number]): boolean {
  return v === 'dangerous' || (gate === 'suspicious' && (v === 'suspicious' || v === 'unscanned'));
}

const cell = (s: string, w: number) => (s.length > w ? `${s.slice(0, w - 1)}…` : s.padEnd(w));

function table(results: readonly ScanResult[], skipped: readonly SkippedPath[]): string {
  const w = Math.min(60, Math.max(4, ...results.map((r) => r.path.length)));
  const lines = [`${cell('FILE', w)}  ${cell('FORMAT', 14)}  ${cell('VERDICT', 10)}  GLOBALS / REASON`];
  for (const r of results) {
    const detail = r.verdict === 'safe' && r.globals.length === 0 ? r.reason : r.globals.length ? `${r.globals.slice(0, 4).join(', ')}${r.globals.length > 4 ? ', …' : ''} — ${r.reason}` : r.reason;
    lines.push(`${cell(r.path, w)}  ${cell(r.format, 14)}  ${cell(r.verdict, 10)}  ${detail.slice(0, 160)}`);
  }
  for (const s of skipped) lines.push(`${cell(s.path, w)}  ${cell('-', 14)}  ${cell('skipped', 10)}  ${s.reason}`);
  return lines.join('\n');
}

export function summaryOf(results: readonly ScanResult[]): Record<Verdict, number> {
  const out: Record<Verdict, number> = { dangerous: 0, suspicious: 0, unscanned: 0, safe: 0 };
  for (const r of results) out[r.verdict]++;
  return out;
}

/**
 * A relative path stays relative (SARIF resolves it against the working directory); an absolute one is a file URI.
 * Colons are encoded too: a relative reference whose first segment holds one (`w:v1.pkl`) reads as scheme `w`.
 */
const artifactUri = (p: string) => (isAbsolute(p) ? pathToFileURL(p).href : encodeURI(p.split(sep).join('/')).replace(/[?#:]/g, encodeURIComponent));

/** Stable SARIF rule ids: one per (verdict, deciding rule). */
const ruleId = (r: ScanResult) => `aispm-scan/${r.verdict}-${r.decidedBy}`;

function sarif(results: readonly ScanResult[]): string {
  const flagged = results.filter((r) => r.verdict === 'dangerous' || r.verdict === 'suspicious');
  const ids = [...new Set(flagged.map(ruleId))].sort();
  const rules = ids.map((id) => {
    const dangerous = id.includes('/dangerous-');
    return {
      id,
      shortDescription: { text: `${dangerous ? 'Dangerous' : 'Suspicious'} model file (${id.slice(id.indexOf('-') + 1)})` },
      help: { text: 'Do not load this file. Replace pickle-based weights with safetensors, or load only after review.' },
      defaultConfiguration: { level: dangerous ? 'error' : 'warning' },
      properties: { tags: ['security', 'ai-supply-chain', 'model-file'], 'security-severity': dangerous ? '9.0' : '5.5' },
    };
  });
  const index = new Map(ids.map((id, i) => [id, i]));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'aispm-scan', version: SCANNER_VERSION.split('/')[1], rules } },
        results: flagged.map((r) => ({
          ruleId: ruleId(r),
          ruleIndex: index.get(ruleId(r)),
          level: r.verdict === 'dangerous' ? 'error' : 'warning',
          message: { text: `${r.path}: ${r.verdict} (${r.format}): ${r.reason}` },
          locations: [{ physicalLocation: { artifactLocation: { uri: artifactUri(r.path) } } }],
          partialFingerprints: { aispmScan: `${r.path}:${r.verdict}:${r.decidedBy}` },
          properties: { format: r.format, decidedBy: r.decidedBy, globals: r.globals, findings: r.findings },
        })),
      },
    ],
  };
  return JSON.stringify(log, null, 2);
}

/** The asset `--into-graph` names: it must be in the graph already, and of a kind that holds files. */
async function intoGraphAsset(ctx: CommandContext, key: string): Promise<{ store: GraphStore; key: string }> {
  const store = await ctx.store();
  const node = (await requireNodes(store, [key])).get(key)!;
  if (!canContainFiles(node.kind)) throw new UsageError(`--into-graph: ${key} is a ${node.kind}, which cannot hold files (a Model, Dataset or Endpoint can)`);
  return { store, key };
}

/** Hashes each scanned file (the key is its content hash and its path under the root) and writes the asset's scan. */
async function writeIntoGraph(store: GraphStore, assetKey: string, scans: readonly LocalScan[]) {
  const hashed: HashedScan[] = [];
  const unreadable: string[] = [];
  for (const s of scans) {
    try {
      hashed.push({ result: s.result, relativePath: s.file.relative, sha256: await sha256OfFile(s.file.path) });
    } catch {
      unreadable.push(s.file.relative);
    }
  }
  const { batch, unkeyed } = localScanBatch(assetKey, hashed);
  const written = await writeLocalScan(store, assetKey, batch);
  return { asset: assetKey, files: batch.nodes.length, removed: written.nodesRemoved, notWritten: [...unreadable, ...unkeyed] };
}

export const scanCommand: Command = {
  name: 'scan',
  summary: 'Scan model files and directories (pickle, PyTorch, numpy, joblib, Keras, ONNX, GGUF, safetensors) without loading them; a CI gate with --fail-on',
  usage: 'scan <path…> [--format table|json|sarif] [--fail-on dangerous|suspicious] [--max-scan-bytes N] [--into-graph <asset-key>]',
  help: `Every file under the paths is read by its bytes, whatever its name (a directory recursively; a symlink whose
target leaves the path given is skipped). Verdicts: dangerous, suspicious, safe, or unscanned with the reason.
Exit 1 when --fail-on is given and a file is at or above it (suspicious also counts unscanned files).`,
  options: {
    format: { type: 'string', arg: 'table|json|sarif', description: 'output format (default table; --json is json)' },
    'fail-on': { type: 'string', arg: 'dangerous|suspicious', description: 'exit 1 when any file is at or above this verdict' },
    'max-scan-bytes': { type: 'string', arg: 'N', description: 'bytes one file may make the scanner read or decompress', defaultText: '268435456' },
    'into-graph': { type: 'string', arg: '<asset-key>', description: 'write the files as File nodes of this model, dataset or Space (replacing its previous scan)' },
  },
  examples: ['scan ./models --fail-on dangerous', 'scan model.pt --json', 'scan ./checkpoints --format sarif > scan.sarif', 'scan ./chat-7b --into-graph hf:model/acme/chat-7b'],
  async run(ctx) {
    if (ctx.positionals.length === 0) throw new UsageError('scan needs at least one file or directory');
    const format = (ctx.values.format as string | undefined) ?? (ctx.json ? 'json' : 'table');
    if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got "${format.slice(0, 40)}"`);
    const gate = ctx.values['fail-on'] as string | undefined;
    if (gate !== undefined && !(GATES as readonly string[]).includes(gate)) throw new UsageError(`--fail-on must be one of ${GATES.join(', ')}, got "${gate.slice(0, 40)}"`);
    const maxScanBytes = positiveInt(ctx.values['max-scan-bytes'], '--max-scan-bytes', 2 ** 40);
    const intoKey = ctx.values['into-graph'] as string | undefined;
    // the asset is checked before anything is read: a typo fails at once, not after a long scan
    const target = intoKey !== undefined ? await intoGraphAsset(ctx, intoKey) : undefined;
    const skipped: SkippedPath[] = [];
    const scans: LocalScan[] = [];
    for await (const s of scanLocalPaths(ctx.positionals, { ...(maxScanBytes ? { maxScanBytes } : {}) }, (x) => skipped.push(x))) {
      scans.push(s);
      if (ctx.interactive) process.stderr.write(`\rscanned ${scans.length} files`);
    }
    if (ctx.interactive) process.stderr.write('\n');
    const results = scans.map((s) => s.result);
    const missing = skipped.filter((s) => s.reason === 'no such file or directory');
    if (missing.length > 0 && results.length === 0) throw new UsageError(`no such file or directory: ${missing.map((m) => m.path).join(', ')}`);
    const graph = target ? await writeIntoGraph(target.store, target.key, scans) : undefined;
    const failing = gate ? results.filter((r) => fails(r.verdict, gate as (typeof GATES)[number])).length : 0;
    if (format === 'sarif') ctx.print(sarif(results));
    else if (format === 'json') ctx.printJson({ scanner: SCANNER_VERSION, summary: summaryOf(results), files: results, skipped, ...(gate ? { failOn: gate, failing } : {}), ...(graph ? { graph } : {}) });
    else {
      const s = summaryOf(results);
      const written = graph ? `\nwrote ${graph.files} files into the graph under ${graph.asset} (${graph.removed} from its previous scan removed)${graph.notWritten.length ? `; not written: ${graph.notWritten.join(', ')}` : ''}` : '';
      ctx.print(`${table(results, skipped)}\n\n${results.length} files: ${s.dangerous} dangerous, ${s.suspicious} suspicious, ${s.unscanned} unscanned, ${s.safe} safe${gate ? `; ${failing} at or above ${gate}${failing ? ': failing' : ''}` : ''}${written}`);
    }
    return failing > 0 ? EXIT.findings : EXIT.ok;
  },
};
