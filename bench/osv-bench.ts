/**
 * OSV throughput. (1) 5,000 package versions in a SQLite graph go through the real `ingestOsv` (querybatch in
 * batches of 1,000, then `/v1/vulns/<id>` for each advisory named) against the OSV replay adding 50 ms to every
 * request: wall time and requests/s, against the floor the 50 ms latency sets at that concurrency. (2) Range
 * evaluation (`evaluateAffected`, the offline path) over generated PyPI and npm records: checks/s (target ≥ 100k/s),
 * against the bare version comparisons it makes, as the reference. Medians of the repeated runs.
 *
 *   node --import tsx bench/osv-bench.ts [--packages 5000] [--delay 50] [--concurrency 4] [--checks 200000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { compare as pep440Compare } from '@renovatebot/pep440';
import semver from 'semver';
import { evaluateAffected } from '../ingest/osv/evaluate.ts';
import { ingestOsv } from '../ingest/osv/ingest.ts';
import { startOsvReplay } from '../ingest/osv/replay.ts';
import { packageKey } from '../schema/keys.ts';
import type { NodeRecord } from '../schema/records.ts';
import { SqliteStore } from '../services/store/sqlite.ts';
import { fmtInt, fmtMs } from './lib/format.ts';
import { median } from './lib/stats.ts';

const { values } = parseArgs({
  options: {
    packages: { type: 'string', default: '5000' },
    delay: { type: 'string', default: '50' },
    concurrency: { type: 'string', default: '4' },
    checks: { type: 'string', default: '200000' },
    runs: { type: 'string', default: '3' },
  },
});
const packages = Number(values.packages);
const delayMs = Number(values.delay);
const concurrency = Number(values.concurrency);
const checks = Number(values.checks);
const runs = Number(values.runs);

type Json = Record<string, unknown>;

/** Every 10th package is affected by one advisory (introduced 0, fixed at the next minor). */
function corpus(n: number) {
  const nodes: NodeRecord[] = [];
  const records: Json[] = [];
  const matches = new Map<string, string[]>();
  for (let i = 0; i < n; i++) {
    const npm = i % 2 === 1;
    const name = `bench-pkg-${i}`;
    const version = `1.${i % 7}.${i % 3}`;
    nodes.push({ kind: 'Package', key: packageKey(npm ? 'npm' : 'pypi', name, version) });
    if (i % 10 !== 0) continue;
    const id = `BENCH-${i}`;
    records.push({
      id,
      modified: '2024-01-01T00:00:00Z',
      summary: `advisory ${i}`,
      affected: [{ package: { ecosystem: npm ? 'npm' : 'PyPI', name }, ranges: [{ type: npm ? 'SEMVER' : 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: `1.${(i % 7) + 1}.0` }] }] }],
      severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N' }],
    });
    matches.set(`pkg:${npm ? 'npm' : 'pypi'}/${name}@${version}`, [id]);
  }
  return { nodes, records, matches };
}

async function querybatchRun(): Promise<void> {
  const { nodes, records, matches } = corpus(packages);
  const osv = await startOsvReplay(records, { matches, delayMs });
  const walls: number[] = [];
  let requests = 0;
  let affected = 0;
  try {
    for (let r = 0; r < runs; r++) {
      const dir = mkdtempSync(join(tmpdir(), 'aispm-osv-bench-'));
      const store = SqliteStore.open(join(dir, 'graph.db'));
      try {
        await store.upsert({ nodes, edges: [] });
        const started = performance.now();
        const s = await ingestOsv(store, { osvUrl: osv.url, concurrency, ratePerSecond: 0, retryBaseMs: 100 });
        walls.push(performance.now() - started);
        requests = s.http.requests;
        affected = s.packages.affected;
        if (s.failure || s.packages.failed) throw new Error(`run failed: ${s.failure ?? `${s.packages.failed} packages failed`}`);
      } finally {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } finally {
    await osv.close();
  }
  const wall = median(walls);
  // The floor: every request waits `delayMs`, at most `concurrency` at once (querybatch pages, then details).
  const batches = Math.ceil(packages / 1000);
  const floorMs = (Math.ceil(batches / concurrency) + Math.ceil(records.length / concurrency)) * delayMs;
  console.log(`querybatch: ${fmtInt(packages)} packages, ${fmtInt(records.length)} advisories, ${delayMs} ms added per request, concurrency ${concurrency}`);
  console.log(`  wall ${fmtMs(wall)} (median of ${runs}; runs ${walls.map((w) => fmtMs(w)).join(', ')}), ${fmtInt(requests)} requests = ${(requests / (wall / 1000)).toFixed(1)} requests/s, ${fmtInt(affected)} packages affected`);
  console.log(`  latency floor ${fmtMs(floorMs)} (${batches} batches + ${records.length} details at ${concurrency} in flight): ${(wall / floorMs).toFixed(2)}× the floor`);
}

function rangeRun(): void {
  const entries: Json[][] = [];
  const versions: string[] = [];
  for (let i = 0; i < 1000; i++) {
    const npm = i % 2 === 1;
    entries.push([{ package: { ecosystem: npm ? 'npm' : 'PyPI', name: `p${i}` }, ranges: [{ type: npm ? 'SEMVER' : 'ECOSYSTEM', events: [{ introduced: `1.${i % 5}.0` }, { fixed: `1.${(i % 5) + 2}.0` }, { introduced: '2.0.0' }, { last_affected: `2.${i % 4}.1` }] }] }]);
    versions.push(`${1 + (i % 2)}.${i % 6}.${i % 3}`);
  }
  const evalRates: number[] = [];
  const refRates: number[] = [];
  let hits = 0;
  for (let r = 0; r < runs; r++) {
    let t = performance.now();
    for (let c = 0; c < checks; c++) if (evaluateAffected(entries[c % 1000]!, versions[(c * 7) % 1000]!).affected) hits++;
    evalRates.push(checks / ((performance.now() - t) / 1000));
    // Reference: the four version comparisons one check makes, bare.
    t = performance.now();
    let sink = 0;
    for (let c = 0; c < checks; c++) {
      const v = versions[(c * 7) % 1000]!;
      const npm = c % 2 === 1;
      for (const e of ['1.2.0', '1.4.0', '2.0.0', '2.1.1']) sink += npm ? semver.compare(v, e) : pep440Compare(v, e);
    }
    refRates.push(checks / ((performance.now() - t) / 1000));
    if (sink === Number.MIN_SAFE_INTEGER) console.log(sink);
  }
  const rate = median(evalRates);
  const ref = median(refRates);
  console.log(`range evaluation: ${fmtInt(checks)} checks (PyPI ECOSYSTEM and npm SEMVER ranges, two intervals each), ${fmtInt(hits / runs)} affected per run`);
  console.log(`  ${fmtInt(rate)} checks/s (median of ${runs}; target ≥ 100,000: ${rate >= 100_000 ? 'met' : 'NOT met'}); the same comparisons made bare through the libraries: ${fmtInt(ref)} checks/s (evaluation ${(rate / ref).toFixed(2)}× that, from its caches)`);
}

await querybatchRun();
rangeRun();
