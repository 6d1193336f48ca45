/**
 * SBOM import: a generated CycloneDX 1.6 document of N components (versioned PyPI purls, licenses, hashes, a
 * dependency graph of about two needs per component, an advisory on every 100th) imported by `importSbomFile` —
 * the code behind `aispm ingest sbom` — into a fresh SQLite file. Each import runs in its own process so its peak
 * RSS is its own. Prints components/s and peak RSS, against a reference in the same run: a process that only
 * reads the same file with `JSON.parse`, which is what holding the document would cost before any work.
 *
 *   node --import tsx bench/sbom-import-bench.ts [--sizes 50000,500000] [--runs 3]
 *
 * Runs of the smallest size are repeated (`--runs`) and the median printed; bigger sizes run once.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { createRng } from './lib/prng.ts';
import { peakRssMiB } from './lib/memory.ts';
import { median } from './lib/stats.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { sizes: { type: 'string', default: '50000,500000' }, runs: { type: 'string', default: '3' }, child: { type: 'string' } },
});

/** Writes the document without holding it: one component per write. */
async function generate(file: string, n: number): Promise<void> {
  const rng = createRng(n);
  const out = createWriteStream(file);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  const purl = (i: number) => `pkg:pypi/bench-pkg-${i}@1.${i % 10}.${i % 7}`;
  await write(`{"bomFormat":"CycloneDX","specVersion":"1.6","serialNumber":"urn:uuid:00000000-0000-4000-8000-${String(n).padStart(12, '0')}","version":1,`);
  await write(`"metadata":{"timestamp":"2025-01-01T00:00:00Z","component":{"bom-ref":"root","type":"application","name":"bench-app","purl":"pkg:pypi/bench-app@1.0.0"}},"components":[`);
  for (let i = 0; i < n; i++) {
    const hash = (i * 2654435761 >>> 0).toString(16).padStart(8, '0').repeat(8);
    await write(`${i ? ',' : ''}{"bom-ref":"${purl(i)}","type":"library","name":"bench-pkg-${i}","version":"1.${i % 10}.${i % 7}","purl":"${purl(i)}","licenses":[{"license":{"id":"MIT"}}],"hashes":[{"alg":"SHA-256","content":"${hash}"}]}`);
  }
  await write('],"dependencies":[');
  await write(`{"ref":"root","dependsOn":[${Array.from({ length: Math.min(n, 50) }, (_, i) => `"${purl(i)}"`).join(',')}]}`);
  for (let i = 1; i < n; i++) {
    const needs = new Set([rng.int(i), rng.int(i)]);
    await write(`,{"ref":"${purl(i)}","dependsOn":[${[...needs].map((d) => `"${purl(d)}"`).join(',')}]}`);
  }
  await write('],"vulnerabilities":[');
  for (let i = 0, first = true; i < n; i += 100, first = false) {
    await write(`${first ? '' : ','}{"id":"GHSA-bnch-${String(i).padStart(4, '0').slice(-4)}-${(i % 9973).toString(36).padStart(4, 'x')}","ratings":[{"severity":"high"}],"affects":[{"ref":"${purl(i)}"}]${i % 300 === 0 ? ',"analysis":{"state":"not_affected"}' : ''}}`);
  }
  await write(']}');
  out.end();
  await once(out, 'finish');
}

interface ChildResult {
  ms: number;
  peakRssMiB: number;
  nodes?: number;
  edges?: number;
}

function runChild(mode: 'import' | 'parse', file: string, db: string): ChildResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--child', mode, file, db], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`${mode} child failed: ${r.stderr.slice(0, 2000)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildResult;
}

if (values.child) {
  const [file, db] = positionals as [string, string];
  const start = performance.now();
  if (values.child === 'parse') {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { components: unknown[] };
    const ms = performance.now() - start;
    console.log(JSON.stringify({ ms, peakRssMiB: peakRssMiB(), nodes: doc.components.length }));
  } else {
    const { importSbomFile } = await import('../ingest/sbom/ingest.ts');
    const { SqliteStore } = await import('../services/store/sqlite.ts');
    const store = SqliteStore.open(db);
    const r = await importSbomFile(store, file);
    await store.close();
    console.log(JSON.stringify({ ms: performance.now() - start, peakRssMiB: peakRssMiB(), nodes: r.totals.nodes, edges: r.totals.edges }));
  }
} else {
  const dir = mkdtempSync(join(tmpdir(), 'aispm-sbom-bench-'));
  try {
    const sizes = values.sizes!.split(',').map(Number);
    console.log('size        file MB   import (median)   components/s   peak RSS   JSON.parse only: time / peak RSS   RSS ratio');
    for (const [i, n] of sizes.entries()) {
      const file = join(dir, `bom-${n}.json`);
      await generate(file, n);
      const mb = statSync(file).size / (1024 * 1024);
      const runs = i === 0 ? Number(values.runs) : 1;
      const imports = Array.from({ length: runs }, (_, k) => runChild('import', file, join(dir, `graph-${n}-${k}.db`)));
      const parse = runChild('parse', file, '');
      const ms = median(imports.map((r) => r.ms));
      const rss = Math.max(...imports.map((r) => r.peakRssMiB));
      console.log(
        `${String(n).padEnd(10)}  ${mb.toFixed(0).padStart(7)}   ${(ms / 1000).toFixed(1).padStart(8)} s${runs > 1 ? ` (${runs})` : '    '}   ${Math.round(n / (ms / 1000)).toLocaleString('en').padStart(12)}   ${rss.toFixed(0).padStart(5)} MiB   ${(parse.ms / 1000).toFixed(1).padStart(6)} s / ${parse.peakRssMiB.toFixed(0).padStart(5)} MiB${' '.repeat(12)}${(rss / parse.peakRssMiB).toFixed(2)}×`,
      );
      console.log(`            wrote ${imports[0]!.nodes?.toLocaleString('en')} nodes, ${imports[0]!.edges?.toLocaleString('en')} edges`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
