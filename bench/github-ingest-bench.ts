/**
 * GitHub ingest throughput: a replay server (in a child process, so its memory is not the ingest's) serves one
 * organisation of generated repositories in GitHub's REST shape — each a tree of 2,000 files of which 20 are
 * candidates for Hub references, collaborators, a team, an environment with a deployment, a dependency-graph SBOM —
 * and adds 50 ms to every request; the real ingest (`ingestGitHub`, the code behind `aispm ingest github <org>`)
 * runs against it at a configured rate. Prints requests/s achieved against the configured rate, wall time, peak RSS
 * of the ingesting process, and, on its own, the Hub-reference extractor's throughput in MB/s against a plain pass
 * over the same bytes (decoding and counting lines), median of 5.
 *
 *   node --import tsx bench/github-ingest-bench.ts [--repos 500] [--files 2000] [--candidates 20] [--rate 100]
 *                                                  [--concurrency 16] [--delay 50]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractHubReferences } from '../ingest/github/hub-refs.ts';
import { ingestGitHub } from '../ingest/github/ingest.ts';
import { startReplayServer } from '../ingest/github/replay/server.ts';
import { Universe, type FileContent, type ReplayRepo, type UniverseData } from '../ingest/github/replay/universe.ts';
import { SqliteStore } from '../services/store/sqlite.ts';
import { parseNumericFlags } from './lib/args.ts';
import { fmtInt } from './lib/format.ts';
import { peakRssMiB } from './lib/memory.ts';
import { median } from './lib/stats.ts';
import { repeatSync } from './lib/timing.ts';

const ORG = 'bench-org';
const SERVE = '--serve-replay';

/** A Python module of about 2 KB that loads one Hub model (pinned or floating) and one dataset. */
function pythonCandidate(repo: number, file: number): string {
  const pin = file % 2 === 0 ? `, revision="${(repo * 1000 + file).toString(16).padStart(40, 'a')}"` : '';
  const body = Array.from({ length: 40 }, (_, i) => `    total += compute_feature_${i}(batch, scale=${i}.5)  # feature ${i}`).join('\n');
  return [
    'from transformers import AutoModelForSequenceClassification, AutoTokenizer',
    'from datasets import load_dataset',
    '',
    `MODEL = AutoModelForSequenceClassification.from_pretrained("hub-org/model-${file % 50}"${pin})`,
    `TOKENIZER = AutoTokenizer.from_pretrained("hub-org/model-${file % 50}")`,
    `DATA = load_dataset("hub-data/set-${repo % 20}", split="train")`,
    '',
    'def score(batch):',
    '    """Score a batch; from_pretrained("in/docstring") here is not a load."""',
    '    total = 0',
    body,
    '    return total',
    '',
  ].join('\n');
}

function repository(i: number, files: number, candidates: number): ReplayRepo {
  const name = `service-${String(i).padStart(4, '0')}`;
  const tree: Record<string, FileContent> = {};
  tree['.github/workflows/deploy.yml'] = {
    text: 'on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    environment: production\n    steps:\n      - uses: actions/checkout@v4\n      - uses: some-vendor/deploy@v2\n',
  };
  tree['configs/train.yaml'] = { text: `model_name_or_path: hub-org/model-${i % 50}\nlearning_rate: 0.0001\n` };
  for (let f = 0; f < candidates - 2; f++) tree[`src/pkg${f % 4}/module_${f}.py`] = { text: pythonCandidate(i, f) };
  tree['requirements.txt'] = { text: 'torch==2.1.0\ntransformers==4.44.2\n' };
  // The rest: files no candidate rule reads (docs, data, images), spread over directories.
  for (let f = Object.keys(tree).length; f < files; f++) tree[`assets/d${f % 40}/item-${f}.${['md', 'csv', 'png', 'txt'][f % 4]}`] = { text: `asset ${f}\n` };
  const sbom = {
    SPDXID: 'SPDXRef-DOCUMENT',
    spdxVersion: 'SPDX-2.3',
    name: `com.github.${ORG}/${name}`,
    dataLicense: 'CC0-1.0',
    documentNamespace: `https://git.bench.example/${ORG}/${name}/dependency_graph/sbom-${i}`,
    creationInfo: { created: '2025-06-01T00:00:00Z', creators: ['Tool: GitHub.com-Dependency-Graph'] },
    documentDescribes: ['SPDXRef-root'],
    packages: [
      { SPDXID: 'SPDXRef-root', name: `com.github.${ORG}/${name}`, versionInfo: 'main', downloadLocation: 'NOASSERTION' },
      ...['torch@2.1.0', 'transformers@4.44.2'].map((p, k) => ({
        SPDXID: `SPDXRef-pip-${k}`,
        name: `pip:${p.split('@')[0]}`,
        versionInfo: p.split('@')[1],
        downloadLocation: 'NOASSERTION',
        externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: `pkg:pypi/${p}` }],
      })),
    ],
    relationships: [0, 1].map((k) => ({ spdxElementId: 'SPDXRef-root', relationshipType: 'DEPENDS_ON', relatedSpdxElement: `SPDXRef-pip-${k}` })),
  };
  return {
    full_name: `${ORG}/${name}`,
    id: 100_000 + i,
    files: tree,
    collaborators: [{ login: `dev-${i % 30}`, role_name: 'write' }, { login: 'lead', role_name: 'admin' }, { login: `viewer-${i % 7}`, role_name: 'read' }],
    teams: [{ slug: 'platform', permission: 'push' }],
    protection: i % 2 ? { required_approving_review_count: 1 } : null,
    environments: [{ name: 'production' }],
    deployments: [{ id: 1_000_000 + i, environment: 'production', created_at: '2025-06-01T10:00:00Z', statuses: [{ state: 'success', environment_url: `https://${name}.bench.example` }] }],
    sbom,
  };
}

function universe(repos: number, files: number, candidates: number): UniverseData {
  return {
    orgs: [
      {
        login: ORG,
        members: [{ login: 'lead', role: 'admin' }, ...Array.from({ length: 30 }, (_, i) => ({ login: `dev-${i}`, role: 'member' }))],
        teams: [{ slug: 'platform', members: [{ login: 'lead', role: 'maintainer' }, { login: 'dev-0', role: 'member' }] }],
      },
    ],
    repos: Array.from({ length: repos }, (_, i) => repository(i, files, candidates)),
    tokenIsMember: true,
  };
}

const flags = { repos: 500, files: 2000, candidates: 20, rate: 100, concurrency: 16, delay: 50 };

if (process.argv.includes(SERVE)) {
  // The child: the replay server, its URL sent to the parent.
  const o = parseNumericFlags(process.argv.slice(2).filter((a) => a !== SERVE), flags);
  const server = await startReplayServer(new Universe(universe(o.repos, o.files, o.candidates)), { delayMs: o.delay, rateLimit: 1_000_000 });
  process.send!({ url: server.url });
  process.on('disconnect', () => void server.close().then(() => process.exit(0)));
} else {
  await main(parseNumericFlags(process.argv.slice(2), flags));
}

async function startChild(o: typeof flags): Promise<{ child: ChildProcess; url: string }> {
  const argv = Object.entries(o).flatMap(([k, v]) => [`--${k}`, String(v)]);
  const child = fork(fileURLToPath(import.meta.url), [SERVE, ...argv], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { url: string }).url));
    child.once('exit', (code) => reject(new Error(`replay server exited (${code})`)));
  });
  return { child, url };
}

async function main(o: typeof flags): Promise<void> {
  console.log(`github ingest bench: ${o.repos} repositories × ${o.files} files (${o.candidates} candidates each), ${o.delay} ms added per request, rate ${o.rate}/s, concurrency ${o.concurrency}`);
  const { child, url } = await startChild(o);
  const dir = mkdtempSync(join(tmpdir(), 'aispm-gh-bench-'));
  const store = SqliteStore.open(join(dir, 'graph.db'));
  try {
    const rssBefore = peakRssMiB();
    const s = await ingestGitHub(store, {
      seeds: [{ owner: ORG }],
      apiUrl: url,
      token: 'ghp_benchTOKEN000000000000000000000000',
      concurrency: o.concurrency,
      ratePerSecond: o.rate,
      maxRepos: o.repos + 10,
      maxFiles: 200,
      maxFileBytes: 1024 * 1024,
      maxScanBytes: 100 * 1024 * 1024,
      maxRetries: 4,
      retryBaseMs: 1000,
      maxWaitSeconds: 60,
    });
    const secs = s.elapsedMs / 1000;
    const achieved = s.http.requests / secs;
    console.log(`  repositories      ${s.repos.read} read, ${s.repos.failed} failed (warnings ${s.warnings.length})`);
    console.log(`  code              ${fmtInt(s.filesRead)} files read, ${fmtInt(s.hubReferences)} Hub references; ${fmtInt(s.dependencies.edges)} pinned dependencies`);
    console.log(`  requests          ${fmtInt(s.http.requests)} in ${secs.toFixed(1)} s wall (${s.http.retries} retries, ${s.http.rateLimited} rate-limited)`);
    console.log(`  achieved          ${achieved.toFixed(1)} requests/s = ${((achieved / o.rate) * 100).toFixed(1)} % of the configured ${o.rate}/s`);
    console.log(`  written           ${fmtInt(s.written.nodes)} nodes, ${fmtInt(s.written.edges)} edges`);
    console.log(`  peak RSS          ${peakRssMiB().toFixed(0)} MiB (ingesting process; ${rssBefore.toFixed(0)} MiB before the run; the replay server runs in its own process)`);
    if (s.repos.read < o.repos) process.exitCode = 1;
  } finally {
    child.disconnect();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  extractorThroughput();
}

/** The extractor alone over realistic candidates, against a plain pass over the same text. */
function extractorThroughput(): void {
  const texts = Array.from({ length: 2000 }, (_, f) => ({ path: `src/m${f}.py`, text: pythonCandidate(f, f) }));
  const bytes = texts.reduce((a, t) => a + Buffer.byteLength(t.text), 0);
  const mb = bytes / (1024 * 1024);
  let found = 0;
  const extract = repeatSync(5, () => {
    found = 0;
    for (const t of texts) found += extractHubReferences(t.path, t.text).length;
    return found;
  });
  const plain = repeatSync(5, () => {
    let lines = 0;
    for (const t of texts) for (let i = 0; i < t.text.length; i++) if (t.text.charCodeAt(i) === 10) lines++;
    return lines;
  });
  const ex = median(extract.ms);
  const pl = median(plain.ms);
  console.log(`  extractor         ${(mb / (ex / 1000)).toFixed(1)} MB/s (median of 5 over ${mb.toFixed(1)} MB in ${texts.length} Python files, ${fmtInt(found)} references); a plain line count over the same text: ${(mb / (pl / 1000)).toFixed(0)} MB/s (${(ex / pl).toFixed(0)}× faster)`);
}
