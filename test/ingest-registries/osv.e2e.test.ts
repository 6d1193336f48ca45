/**
 * OSV ingestion against a local replay of its API, and offline from an export (a directory and a zip): severity
 * from CVSS vectors, first fixed versions, withdrawn records, paging, the `modified` cache, faults, and the same
 * graph online and offline. Then the analyses it feeds, through the CLI: `findings --fail-on high` fails on a
 * served model's vulnerable dependency and passes once the dependency is upgraded and re-ingested, and
 * `blast-radius vuln:<id>` reaches the endpoint.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ingestOsv, type OsvIngestSummary } from '../../ingest/osv/ingest.ts';
import { startOsvReplay, type OsvReplay } from '../../ingest/osv/replay.ts';
import { ingestRegistries, npmSeed, pypiSeed } from '../../ingest/registries/ingest.ts';
import { startRegistryReplay, type PypiProjectSpec, type RegistryReplay } from '../../ingest/registries/replay/server.ts';
import type { ReplayFault } from '../../ingest/registries/replay/serve.ts';
import type { GraphStore } from '../../schema/store.ts';
import { openStore } from '../../services/store/open.ts';
import { runCli, tempWorkspace } from '../helpers/cli.ts';
import { NPM, PYPI } from './fixtures.ts';
import { LANGCHAIN_FIX_COMMIT, MATCHES, ODD_EVENT_MATCHES, ODD_EVENT_RECORDS, RECORDS } from './osv-fixtures.ts';

async function graphWithPackages(registry: RegistryReplay, store: GraphStore): Promise<void> {
  await ingestRegistries(store, {
    seeds: [pypiSeed('mlflow==2.8.0'), npmSeed('@acme/app')],
    pypiUrl: registry.pypi.url,
    npmRegistry: registry.npm.url,
    depth: 3,
    maxPackages: 100,
    concurrency: 4,
    ratePerSecond: 1000,
    retryBaseMs: 1,
  });
}

const osvRun = (store: GraphStore, o: { osvUrl?: string; from?: string; batchSize?: number }) =>
  ingestOsv(store, { osvUrl: o.osvUrl ?? 'http://127.0.0.1:9', ...(o.from ? { from: o.from } : {}), batchSize: o.batchSize ?? 1000, concurrency: 2, ratePerSecond: 1000, retryBaseMs: 1 });

/** The OSV part of a graph: advisories and what they affect, comparable across stores. */
async function osvPart(store: GraphStore) {
  const vulns = (await store.find({ kind: 'Vulnerability', first: 1000 })).items.map((n) => ({ key: n.key, props: n.props }));
  const affects = (await store.expand({ keys: vulns.map((v) => v.key), direction: 'out', edgeKinds: ['AFFECTS'] }))
    .map((e) => `${e.from} -> ${e.to} fixed=${String(e.props.fixed)}`)
    .sort();
  return { vulns, affects };
}

describe('OSV online and offline', () => {
  let registry: RegistryReplay;
  let osv: OsvReplay;
  let ws: ReturnType<typeof tempWorkspace>;
  let online: GraphStore;
  let offline: GraphStore;
  let onlineSummary: OsvIngestSummary;
  let offlineSummary: OsvIngestSummary;
  const exportDir = () => join(ws.dir, 'export');

  before(async () => {
    registry = await startRegistryReplay(PYPI, NPM);
    // One vulnerability per result page, so every package with two pages through next_page_token.
    osv = await startOsvReplay(RECORDS, { matches: MATCHES, pageSize: 1 });
    ws = tempWorkspace('aispm-osv-');
    online = await openStore(`sqlite:${join(ws.dir, 'online.db')}`);
    offline = await openStore(`sqlite:${join(ws.dir, 'offline.db')}`);
    await graphWithPackages(registry, online);
    await graphWithPackages(registry, offline);
    mkdirSync(join(exportDir(), 'PyPI'), { recursive: true });
    for (const r of RECORDS) writeFileSync(join(exportDir(), 'PyPI', `${r.id as string}.json`), JSON.stringify(r));
    writeFileSync(join(exportDir(), 'broken.json'), '{"id": ');
    onlineSummary = await osvRun(online, { osvUrl: osv.url, batchSize: 3 });
    offlineSummary = await osvRun(offline, { from: exportDir() });
  });
  after(async () => {
    await online.close();
    await offline.close();
    await registry.close();
    await osv.close();
    ws.cleanup();
  });

  it('writes advisories with the severity their CVSS vector scores, and the first fixed version on AFFECTS', async () => {
    const [traversal] = await online.getNodes(['vuln:PYSEC-2099-1']);
    assert.deepEqual([traversal?.props.severity, traversal?.props.cvssScore, traversal?.props.cvssVersion], ['high', 7.5, '3.1']);
    assert.deepEqual(traversal?.props.aliases, ['CVE-2099-6909']);
    const severities = Object.fromEntries((await online.find({ kind: 'Vulnerability', first: 100 })).items.map((n) => [n.key, n.props.severity]));
    assert.deepEqual(severities, {
      'vuln:GHSA-test-flsk-0001': 'medium', // database_specific MODERATE, no vector
      'vuln:GHSA-test-lpad-0001': 'critical', // CVSS 4.0, 9.3
      'vuln:OSV-test-urllib3-1': 'high', // CVSS 2.0, 7.5
      'vuln:PYSEC-2099-1': 'high',
      'vuln:PYSEC-2099-2': 'low', // CVSS 3.1, 2.6
    });
    const { affects } = await osvPart(online);
    assert.deepEqual(affects, [
      'vuln:GHSA-test-flsk-0001 -> pkg:pypi/flask@3.0.0 fixed=undefined',
      'vuln:GHSA-test-lpad-0001 -> pkg:npm/left-pad@1.3.0 fixed=1.3.1',
      'vuln:OSV-test-urllib3-1 -> pkg:pypi/urllib3@2.0.7 fixed=2.0.8',
      'vuln:PYSEC-2099-1 -> pkg:pypi/mlflow@2.8.0 fixed=2.9.2',
      'vuln:PYSEC-2099-2 -> pkg:pypi/mlflow@2.8.0 fixed=2.8.1',
    ]);
    assert.equal((await online.getNodes(['vuln:PYSEC-2099-4'])).length, 0, 'a withdrawn record is not written');
    assert.ok(onlineSummary.http.requests >= 3 + 6, 'batches of three, second pages, and one details call per record');
  });

  it('gives the same graph offline, evaluating the ranges locally', async () => {
    assert.deepEqual(await osvPart(offline), await osvPart(online));
    assert.equal(offlineSummary.http.requests, 0);
    assert.ok(offlineSummary.warnings.some((w) => w.repo === 'PyPI:werkzeug@3.0.1' && /GIT range \(commits\) skipped/.test(w.message)), JSON.stringify(offlineSummary.warnings));
    assert.ok(offlineSummary.warnings.some((w) => w.repo === 'PyPI:urllib3@2.0.7' && /ecosystem "Bogus"/.test(w.message)));
    assert.ok(offlineSummary.warnings.some((w) => w.repo === 'broken.json' && /not JSON/.test(w.message)));
  });

  it('reads a zip export like a directory', async () => {
    const zip = join(ws.dir, 'all.zip');
    execFileSync('python3', ['-c', 'import sys,zipfile,os\nz=zipfile.ZipFile(sys.argv[1],"w",zipfile.ZIP_DEFLATED)\nfor f in sorted(os.listdir(sys.argv[2])):\n  z.write(os.path.join(sys.argv[2],f),f)\nz.close()', zip, join(exportDir(), 'PyPI')]);
    const zipped = await openStore(`sqlite:${join(ws.dir, 'zip.db')}`);
    try {
      await graphWithPackages(registry, zipped);
      await osvRun(zipped, { from: zip });
      assert.deepEqual(await osvPart(zipped), await osvPart(online));
    } finally {
      await zipped.close();
    }
  });

  it('skips the details of records whose modified time the graph already holds, and removes a record once withdrawn', async () => {
    const again = await osvRun(online, { osvUrl: osv.url });
    assert.equal(again.vulnerabilities.fetched, 1, 'only the withdrawn one, which the graph does not hold, is fetched again');
    assert.equal(again.vulnerabilities.cached, 5);
    const before = await osvPart(online);
    osv.records.set('PYSEC-2099-2', { ...osv.records.get('PYSEC-2099-2')!, modified: '2025-01-01T00:00:00Z', withdrawn: '2025-01-01T00:00:00Z' });
    const withdrawn = await osvRun(online, { osvUrl: osv.url });
    assert.equal(withdrawn.written.edgesRemoved, 1);
    const after = await osvPart(online);
    assert.equal((await online.getNodes(['vuln:PYSEC-2099-2'])).length, 0);
    assert.deepEqual(after.affects, before.affects.filter((a) => !a.startsWith('vuln:PYSEC-2099-2 ')));
  });
});

describe('OSV records with odd events, online and offline', () => {
  const projects: PypiProjectSpec[] = [...PYPI, { name: 'langchain-experimental', releases: { '0.0.14': {} } }];
  let registry: RegistryReplay;
  let osv: OsvReplay;
  let ws: ReturnType<typeof tempWorkspace>;
  const runs: Record<'online' | 'offline', { store: GraphStore; summary: OsvIngestSummary }> = {} as never;

  before(async () => {
    registry = await startRegistryReplay(projects, NPM);
    osv = await startOsvReplay([...RECORDS, ...ODD_EVENT_RECORDS], { matches: new Map([...MATCHES, ...ODD_EVENT_MATCHES]) });
    ws = tempWorkspace('aispm-osv-odd-');
    const exportDir = join(ws.dir, 'export');
    mkdirSync(exportDir);
    for (const r of [...RECORDS, ...ODD_EVENT_RECORDS]) writeFileSync(join(exportDir, `${r.id as string}.json`), JSON.stringify(r));
    for (const mode of ['online', 'offline'] as const) {
      const store = await openStore(`sqlite:${join(ws.dir, `${mode}.db`)}`);
      await graphWithPackages(registry, store);
      await ingestRegistries(store, { seeds: [pypiSeed('langchain-experimental==0.0.14')], pypiUrl: registry.pypi.url, npmRegistry: registry.npm.url, depth: 0, maxPackages: 10, concurrency: 1, ratePerSecond: 1000, retryBaseMs: 1 });
      runs[mode] = { store, summary: await osvRun(store, mode === 'online' ? { osvUrl: osv.url } : { from: exportDir }) };
    }
  });
  after(async () => {
    for (const { store } of Object.values(runs)) await store.close();
    await registry?.close();
    await osv?.close();
    ws?.cleanup();
  });

  const unchanged = [
    'vuln:GHSA-test-flsk-0001 -> pkg:pypi/flask@3.0.0 fixed=undefined',
    'vuln:GHSA-test-lpad-0001 -> pkg:npm/left-pad@1.3.0 fixed=1.3.1',
    'vuln:OSV-test-urllib3-1 -> pkg:pypi/urllib3@2.0.7 fixed=2.0.8',
    'vuln:PYSEC-2099-1 -> pkg:pypi/mlflow@2.8.0 fixed=2.9.2',
    'vuln:PYSEC-2099-2 -> pkg:pypi/mlflow@2.8.0 fixed=2.8.1',
  ];

  it('names no GIT commit as the fix, and reads limit "*" as no limit', async () => {
    for (const mode of ['online', 'offline'] as const) {
      const { store, summary } = runs[mode];
      assert.equal(summary.failure, undefined, mode);
      const { affects } = await osvPart(store);
      for (const edge of [
        'vuln:PYSEC-2099-194 -> pkg:pypi/langchain-experimental@0.0.14 fixed=undefined', // affected by the PyPI range, fix unknown
        'vuln:GHSA-test-cyca-0001 -> pkg:npm/cyc-a@1.0.0 fixed=undefined',
        'vuln:PYSEC-2099-5 -> pkg:pypi/click@8.1.7 fixed=8.1.8',
      ]) assert.ok(affects.includes(edge), `${mode}: ${edge} in ${affects.join(', ')}`);
      assert.ok(!affects.some((a) => a.includes(LANGCHAIN_FIX_COMMIT)), mode);
      assert.ok(!affects.some((a) => a.includes('markupsafe')), `${mode}: MarkupSafe 2.1.3 is below the range that opens at 3.0`);
    }
  });

  it('reports the malformed record by its id and writes everything else', async () => {
    const malformed = /^GHSA-test-cycb-0001: ECOSYSTEM range not evaluated: its fixed event "\*" is not a valid npm version; /;
    for (const mode of ['online', 'offline'] as const) {
      const { store, summary } = runs[mode];
      assert.ok(summary.warnings.some((w) => w.repo === 'npm:cyc-b@1.0.0' && malformed.test(w.message)), `${mode}: ${JSON.stringify(summary.warnings)}`);
      const { affects } = await osvPart(store);
      // Online, OSV's answer says it affects cyc-b, so the edge stands, without a fix; offline nothing else decides.
      const cycB = mode === 'online' ? ['vuln:GHSA-test-cycb-0001 -> pkg:npm/cyc-b@1.0.0 fixed=undefined'] : [];
      assert.deepEqual(affects, [
        ...unchanged,
        'vuln:GHSA-test-cyca-0001 -> pkg:npm/cyc-a@1.0.0 fixed=undefined',
        ...cycB,
        'vuln:PYSEC-2099-194 -> pkg:pypi/langchain-experimental@0.0.14 fixed=undefined',
        'vuln:PYSEC-2099-5 -> pkg:pypi/click@8.1.7 fixed=8.1.8',
      ].sort(), mode);
    }
  });
});

describe('OSV faults', () => {
  it('retries 5xx and 429, reports a record whose details fail, and keeps what the graph had', async () => {
    const registry = await startRegistryReplay(PYPI, NPM);
    const faults: ReplayFault[] = [
      { match: '/v1/querybatch', status: 503, times: 1 },
      { match: '/v1/querybatch', status: 429, times: 1, retryAfter: '0' },
      { match: '/v1/vulns/PYSEC-2099-1', status: 500, times: 100 },
    ];
    const osv = await startOsvReplay(RECORDS, { matches: MATCHES, faults });
    const ws = tempWorkspace('aispm-osv-');
    const store = await openStore(ws.store);
    try {
      await graphWithPackages(registry, store);
      const s = await ingestOsv(store, { osvUrl: osv.url, concurrency: 2, ratePerSecond: 1000, retryBaseMs: 1, maxAttempts: 3 });
      assert.equal(s.failure, undefined);
      assert.ok(s.http.retries >= 2);
      assert.ok(s.warnings.some((w) => w.repo === 'vuln:PYSEC-2099-1' && /details could not be read/.test(w.message)), JSON.stringify(s.warnings));
      assert.deepEqual((await osvPart(store)).affects.filter((a) => a.includes('mlflow')), ['vuln:PYSEC-2099-2 -> pkg:pypi/mlflow@2.8.0 fixed=2.8.1']);
    } finally {
      await store.close();
      await registry.close();
      await osv.close();
      ws.cleanup();
    }
  });
});

describe('the analyses it feeds, through the CLI', () => {
  it('a served model’s dependency affected by a PYSEC-2023-194-shaped record: neither the finding nor the AIBOM offers the GIT commit as the fix', async () => {
    const registry = await startRegistryReplay([...PYPI, { name: 'langchain-experimental', releases: { '0.0.14': {} } }], NPM);
    const osv = await startOsvReplay(ODD_EVENT_RECORDS, { matches: ODD_EVENT_MATCHES });
    const ws = tempWorkspace('aispm-osv-cli-');
    const cli = (args: string[]) => runCli([...args, '--store', ws.store]);
    try {
      const records = join(ws.dir, 'agent.json');
      writeFileSync(records, JSON.stringify({
        nodes: [{ kind: 'Endpoint', key: 'hf:space/acme/agent', props: { name: 'agent' } }, { kind: 'Model', key: 'hf:model/acme/planner', props: { name: 'planner' } }],
        edges: [
          { kind: 'SERVES', from: 'hf:space/acme/agent', to: 'hf:model/acme/planner' },
          { kind: 'DEPENDS_ON', from: 'hf:model/acme/planner', to: 'pkg:pypi/langchain-experimental@0.0.14', props: { versionRange: '==0.0.14', scope: 'runtime' } },
        ],
      }));
      assert.equal((await cli(['import', records])).code, 0);
      const pk = await cli(['ingest', 'packages', '--depth', '0', '--pypi-url', registry.pypi.url, '--npm-registry', registry.npm.url]);
      assert.equal(pk.code, 0, pk.stderr);
      const ov = await cli(['ingest', 'osv', '--osv-url', osv.url]);
      assert.equal(ov.code, 0, ov.stderr);

      const findings = await cli(['findings', '--json']);
      assert.equal(findings.code, 0, findings.stderr);
      const finding = (JSON.parse(findings.stdout).findings as Array<{ rule: string; nodes: string[]; evidence: string[]; remediation: string }>)
        .find((f) => f.rule === 'vulnerable-dependency' && f.nodes[0] === 'vuln:PYSEC-2099-194');
      assert.ok(finding, findings.stdout);
      assert.match(finding.evidence[0]!, /^vuln:PYSEC-2099-194 affects pkg:pypi\/langchain-experimental@0\.0\.14: /);
      assert.doesNotMatch(finding.remediation, /Upgrade langchain-experimental/);
      assert.ok(!JSON.stringify(finding).includes(LANGCHAIN_FIX_COMMIT), JSON.stringify(finding));

      const bom = await cli(['bom', 'hf:model/acme/planner']);
      assert.equal(bom.code, 0, bom.stderr);
      const vuln = (JSON.parse(bom.stdout).vulnerabilities as Array<{ id: string; recommendation?: string }>).find((v) => v.id === 'PYSEC-2099-194');
      assert.ok(vuln, 'the AIBOM lists the advisory');
      assert.equal(vuln.recommendation, undefined, 'and offers no fixed version');
    } finally {
      await registry.close();
      await osv.close();
      ws.cleanup();
    }
  });

  it('findings --fail-on high fails on a served model’s vulnerable dependency, and passes after the upgrade is re-ingested', async () => {
    // mlflow has no fixed release yet; acme-serving takes whatever mlflow>=2 is newest.
    const projects: PypiProjectSpec[] = PYPI.map((p) => (p.name === 'mlflow' ? { ...p, releases: { '2.8.0': p.releases['2.8.0']! } } : p));
    projects.push({ name: 'acme-serving', releases: { '1.0.0': { requires_dist: ['mlflow>=2.0'] } } });
    const registry = await startRegistryReplay(projects, NPM);
    const osv = await startOsvReplay(RECORDS, { matches: MATCHES });
    const ws = tempWorkspace('aispm-osv-cli-');
    const cli = (args: string[]) => runCli([...args, '--store', ws.store]);
    const reingest = async () => {
      const pk = await cli(['ingest', 'packages', '--depth', '1', '--pypi-url', registry.pypi.url, '--npm-registry', registry.npm.url]);
      assert.equal(pk.code, 0, pk.stderr);
      const ov = await cli(['ingest', 'osv', '--osv-url', osv.url]);
      assert.equal(ov.code, 0, ov.stderr);
    };
    try {
      const records = join(ws.dir, 'service.json');
      writeFileSync(records, JSON.stringify({
        nodes: [
          { kind: 'Endpoint', key: 'hf:space/acme/chat', props: { name: 'chat' } },
          { kind: 'Model', key: 'hf:model/acme/bot', props: { name: 'bot' } },
        ],
        edges: [
          { kind: 'SERVES', from: 'hf:space/acme/chat', to: 'hf:model/acme/bot' },
          { kind: 'DEPENDS_ON', from: 'hf:model/acme/bot', to: 'pkg:pypi/acme-serving@1.0.0', props: { versionRange: '==1.0.0', scope: 'runtime' } },
        ],
      }));
      assert.equal((await cli(['import', records])).code, 0);
      await reingest();

      const failing = await cli(['findings', '--fail-on', 'high', '--json']);
      assert.equal(failing.code, 1, failing.stderr);
      const found = (JSON.parse(failing.stdout).findings as Array<{ rule: string; severity: string; evidence: string[]; nodes: string[] }>).filter((f) => f.rule === 'vulnerable-dependency');
      const high = found.find((f) => f.nodes[0] === 'vuln:PYSEC-2099-1');
      assert.equal(high?.severity, 'high');
      assert.match(high!.evidence[0]!, /pkg:pypi\/mlflow@2\.8\.0 \(fixed in 2\.9\.2\)/);
      assert.match((high as unknown as { remediation: string }).remediation, /^Upgrade mlflow@2\.8\.0 to 2\.9\.2 or later/);

      const blast = await cli(['blast-radius', 'vuln:PYSEC-2099-1', '--json']);
      assert.equal(blast.code, 0, blast.stderr);
      const radius = JSON.parse(blast.stdout);
      assert.deepEqual(radius.endpoints.map((e: { key: string }) => e.key), ['hf:space/acme/chat']);
      assert.deepEqual(radius.endpoints[0].path, ['vuln:PYSEC-2099-1', 'pkg:pypi/mlflow@2.8.0', 'pkg:pypi/acme-serving@1.0.0', 'hf:model/acme/bot', 'hf:space/acme/chat']);

      // The fix is released; the range picks it up on the next ingest.
      registry.projects.get('mlflow')!.releases['2.9.2'] = PYPI.find((p) => p.name === 'mlflow')!.releases['2.9.2']!;
      await reingest();
      const passing = await cli(['findings', '--fail-on', 'high', '--json']);
      assert.equal(passing.code, 0, passing.stdout);
      assert.ok(!JSON.parse(passing.stdout).findings.some((f: { nodes: string[] }) => f.nodes.includes('vuln:PYSEC-2099-1')));
    } finally {
      await registry.close();
      await osv.close();
      ws.cleanup();
    }
  });
});
