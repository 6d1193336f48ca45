/**
 * Model-file scanner throughput over a generated mixed directory (`lib/scan-corpus.ts`: PyTorch zips, safetensors,
 * GGUF, raw pickles, .npy, ONNX, compressed joblib, hostile files and configs; ~1 GB by default), in one run:
 *
 * - reading every byte of every file (what a scanner that reads whole files cannot beat);
 * - the scanner (`scanLocalPaths`, as `aispm scan` runs it): MB/s of the directory and files/s;
 * - the same files through the reference scanner: `ingest/scan` as it was at REFERENCE_COMMIT, before the
 *   source-neutral API, extracted from git into a temporary directory (issue 17: stay within 1.5× of it);
 * - first, in a process that has done nothing else yet, the RSS a decompression bomb adds: a ~200 KB gzip that
 *   inflates to 200 MiB of pickle opcodes, then the same deflate stream as a torch zip's `archive/data.pkl`, then
 *   the same 200 MiB as bz2, xz and lzma-alone (the committed samples in test/scan/fixtures, made by the system's
 *   bzip2 -9, xz -9 and lzma -9), each with its peak RSS sampled while it is scanned. `--bombs 0` skips them.
 *
 * Medians of --runs runs each. Needs the repository's git history (for the reference).
 * `node --import tsx bench/scan-bench.ts [--mb 1024] [--seed 42] [--runs 3] [--bombs 1]`
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import { buildZip, concat, op } from '../ingest/scan/build.ts';
import { scanBytes, scanLocalPaths, type ScanResult } from '../ingest/scan/index.ts';
import { parseNumericFlags } from './lib/args.ts';
import { fmtInt, fmtMs, fmtRatio } from './lib/format.ts';
import { currentRssMiB, peakRssMiB } from './lib/memory.ts';
import { writeScanCorpus } from './lib/scan-corpus.ts';
import { median } from './lib/stats.ts';

/** The last commit whose scanner is the pre-API one (`scanRemoteFile` in ingest/scan/scan-file.ts). */
const REFERENCE_COMMIT = '185eff2a377505768ce6e937e1654569c8a03e46';
const MiB = 1024 * 1024;
const BOMB_BYTES = 200 * MiB;
/** NONE, POP: the pickle opcodes `N` and `0`. */
const NONE_POP = Uint8Array.of(0x4e, 0x30);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

type RangeReader = (start: number, endInclusive: number) => Promise<Uint8Array>;
type ReferenceScan = (file: { path: string; size: number; read: RangeReader }, opts: { maxScanBytes: number }) => Promise<unknown>;

async function loadReference(into: string): Promise<ReferenceScan> {
  const git = (args: string[]) => execFileSync('git', args, { cwd: ROOT, maxBuffer: 64 * MiB });
  const files = git(['ls-tree', '--name-only', REFERENCE_COMMIT, 'ingest/scan/']).toString().split('\n').filter((f) => f.endsWith('.ts'));
  for (const f of files) {
    mkdirSync(join(into, dirname(f)), { recursive: true });
    writeFileSync(join(into, f), git(['show', `${REFERENCE_COMMIT}:${f}`]));
  }
  const mod = (await import(join(into, 'ingest/scan/scan-file.ts'))) as { scanRemoteFile: ReferenceScan };
  return mod.scanRemoteFile;
}

function fileReader(fd: number): RangeReader {
  return async (start, endInclusive) => {
    const out = new Uint8Array(endInclusive - start + 1);
    let got = 0;
    while (got < out.length) {
      const n = readSync(fd, out, got, out.length - got, start + got);
      if (n === 0) break;
      got += n;
    }
    return out.subarray(0, got);
  };
}

function readAll(paths: readonly string[]): number {
  const buf = new Uint8Array(4 * MiB);
  let total = 0;
  for (const p of paths) {
    const fd = openSync(p, 'r');
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) total += n;
    closeSync(fd);
  }
  return total;
}

async function scanOurs(dir: string): Promise<ScanResult[]> {
  const out: ScanResult[] = [];
  for await (const s of scanLocalPaths([dir], {}, () => undefined)) out.push(s.result);
  return out;
}

async function scanReference(scan: ReferenceScan, paths: readonly string[]): Promise<number> {
  for (const p of paths) {
    const fd = openSync(p, 'r');
    try {
      await scan({ path: p, size: statSync(p).size, read: fileReader(fd) }, { maxScanBytes: 256 * MiB });
    } finally {
      closeSync(fd);
    }
  }
  return paths.length;
}

async function timed<T>(runs: number, work: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const ms: number[] = [];
  let value!: T;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    value = await work();
    ms.push(performance.now() - t);
  }
  return { ms: median(ms), value };
}

/**
 * A gzip of one protocol-4 pickle holding 200 MiB of NONE POP (two bytes repeated: gzip squeezes them about
 * 1000:1), compressed chunk by chunk so that building it holds no 200 MiB buffer.
 */
async function gzipBomb(): Promise<Uint8Array> {
  const chunk = new Uint8Array(MiB);
  for (let i = 0; i < chunk.length; i += 2) chunk.set(NONE_POP, i);
  const gz = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gz.on('data', (b: Buffer) => out.push(b));
  const ended = new Promise((resolve) => gz.on('end', resolve));
  gz.write(op.proto(4));
  for (let written = 0; written < BOMB_BYTES; written += chunk.length) {
    if (!gz.write(chunk)) await new Promise((resolve) => gz.once('drain', resolve));
  }
  gz.end(concat([op.emptyDict(), op.stop()]));
  await ended;
  return new Uint8Array(Buffer.concat(out));
}

/** The same bomb as a torch.save zip's deflated `archive/data.pkl`: gzip's body is a raw deflate stream. */
function zipBomb(gz: Uint8Array): Uint8Array {
  const trailer = new DataView(gz.buffer, gz.byteOffset + gz.length - 8, 8);
  // Node's gzip header is the 10 fixed bytes (no name, no extra fields); the trailer is CRC-32 and size
  const deflated = { raw: gz.subarray(10, gz.length - 8), crc32: trailer.getUint32(0, true), size: trailer.getUint32(4, true) };
  return buildZip([{ name: 'archive/data.pkl', data: new Uint8Array(0), deflated }]);
}

/** The RSS's peak while `work` runs, sampled every 20 ms (the scan awaits each chunk, so the sampler gets turns). */
async function withPeakRss<T>(work: () => Promise<T>): Promise<{ value: T; peakMiB: number }> {
  let peak = currentRssMiB();
  const timer = setInterval(() => (peak = Math.max(peak, currentRssMiB())), 20);
  try {
    const value = await work();
    return { value, peakMiB: Math.max(peak, currentRssMiB()) };
  } finally {
    clearInterval(timer);
  }
}

const fixture = (name: string) => new Uint8Array(readFileSync(join(ROOT, 'test/scan/fixtures', name)));

async function bombRss(): Promise<string[]> {
  const gz = await gzipBomb();
  const lines: string[] = [];
  const bombs = [['bomb.pkl.gz', gz], ['bomb.pt', zipBomb(gz)], ['bomb.pkl.bz2', fixture('bomb.pkl.bz2')], ['bomb.joblib.xz', fixture('bomb.joblib.xz')], ['bomb-lzma.joblib', fixture('bomb-alone.joblib')]] as const;
  for (const [name, bytes] of bombs) {
    const before = currentRssMiB();
    const t = performance.now();
    // every opcode walked: the opcode limit raised past the bomb's 100 million, so all 200 MiB are inflated and walked
    const { value: r, peakMiB } = await withPeakRss(() => scanBytes(name, bytes, { maxScanBytes: 256 * MiB, maxOpcodes: BOMB_BYTES + 16 }));
    const ms = performance.now() - t;
    lines.push(`${name}: ${(bytes.length / 1024).toFixed(0)} KB inflating to ${BOMB_BYTES / MiB} MiB of opcodes → ${r.verdict} (${r.reason.slice(0, 60)}) in ${fmtMs(ms)}; RSS ${before.toFixed(0)} MiB before the scan, peak ${peakMiB.toFixed(0)} MiB during it (+${(peakMiB - before).toFixed(0)} MiB), ${currentRssMiB().toFixed(0)} MiB after; process peak ${peakRssMiB().toFixed(0)} MiB`);
  }
  return lines;
}

async function main(): Promise<void> {
  const flags = parseNumericFlags(process.argv.slice(2), { mb: 1024, seed: 42, runs: 3, bombs: 1 });
  const bomb = flags.bombs ? await bombRss() : [];
  const work = mkdtempSync(join(tmpdir(), 'aispm-scan-bench-'));
  try {
    const dir = join(work, 'corpus');
    const t = performance.now();
    const files = writeScanCorpus(dir, { totalBytes: flags.mb * MiB, seed: flags.seed });
    const bytes = files.reduce((n, f) => n + f.size, 0);
    const paths = files.map((f) => f.path);
    console.log(`corpus: ${fmtInt(files.length)} files, ${(bytes / MiB).toFixed(0)} MiB (seed ${flags.seed}), written in ${fmtMs(performance.now() - t)}`);
    const reference = await loadReference(join(work, 'reference'));

    readAll(paths); // the page cache holds the corpus for every contender alike
    const read = await timed(flags.runs, () => readAll(paths));
    const ours = await timed(flags.runs, () => scanOurs(dir));
    const ref = await timed(flags.runs, () => scanReference(reference, paths));
    const mbps = (ms: number) => `${(bytes / MiB / (ms / 1000)).toFixed(1)} MB/s`;
    const fps = (ms: number) => `${fmtInt(Math.round(files.length / (ms / 1000)))} files/s`;
    const verdicts: Record<string, number> = {};
    for (const r of ours.value) verdicts[r.verdict] = (verdicts[r.verdict] ?? 0) + 1;
    const readBytes = ours.value.reduce((n, r) => n + r.bytesRead, 0);
    console.log(`median of ${flags.runs} runs each:`);
    console.log(`  read every byte    ${fmtMs(read.ms).padStart(9)}  ${mbps(read.ms)}`);
    console.log(`  scanner            ${fmtMs(ours.ms).padStart(9)}  ${mbps(ours.ms)}, ${fps(ours.ms)}; reads ${(readBytes / MiB).toFixed(0)} MiB (${((100 * readBytes) / bytes).toFixed(1)} %); ${JSON.stringify(verdicts)}`);
    console.log(`  reference scanner  ${fmtMs(ref.ms).padStart(9)}  ${mbps(ref.ms)}, ${fps(ref.ms)} (ingest/scan at ${REFERENCE_COMMIT.slice(0, 7)})`);
    console.log(`  scanner time / reference time: ${fmtRatio(ours.ms / ref.ms)} (target ≤ 1.5×); scanner time / read-all time: ${fmtRatio(ours.ms / read.ms)}`);
    for (const line of bomb) console.log(line);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
