/**
 * What the new sources know about a model's libraries reaches its AIBOM: the real PyPI, npm and OSV ingestors read
 * local replays of those APIs, a model declares it installs two of the packages (as an MLflow model's requirements
 * or an imported SBOM would), a repository builds the model (as the GitHub source records), and an SBOM's VEX says
 * one advisory does not apply. The BOM then carries each library's license, hashes, pages, maintainers and
 * provenance, each advisory's CVSS score, references, fix and VEX analysis, and the repository that builds the
 * model, valid against the official CycloneDX 1.6 and 1.7 schemas.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ingestOsv } from '../../ingest/osv/ingest.ts';
import { startOsvReplay, type OsvReplay } from '../../ingest/osv/replay.ts';
import { ingestRegistries, npmSeed, pypiSeed } from '../../ingest/registries/ingest.ts';
import { startRegistryReplay, type RegistryReplay } from '../../ingest/registries/replay/server.ts';
import type { GraphStore } from '../../schema/store.ts';
import { buildAibom } from '../../services/aibom/index.ts';
import { openStore } from '../../services/store/open.ts';
import { tempWorkspace } from '../helpers/cli.ts';
import { NPM, PYPI } from '../ingest-registries/fixtures.ts';
import { MATCHES, RECORDS } from '../ingest-registries/osv-fixtures.ts';
import { assertValidBom, componentsOf, propValues } from './helpers.ts';

type Json = Record<string, unknown>;
const MODEL = 'hf:model/acme/fraud-scorer';
const MLFLOW = 'pkg:pypi/mlflow@2.8.0';

describe('AIBOM facts from registries, OSV, GitHub and SBOM imports', () => {
  const ws = tempWorkspace('aispm-aibom-sources-');
  let registry: RegistryReplay;
  let osv: OsvReplay;
  let store: GraphStore;
  let bom: Json;
  let app: string;
  const component = (ref: string) => componentsOf(bom).find((c) => c['bom-ref'] === ref)!;
  const vulnerability = (id: string) => ((bom.vulnerabilities ?? []) as Json[]).find((v) => v.id === id)!;

  before(async () => {
    registry = await startRegistryReplay(PYPI, NPM);
    osv = await startOsvReplay(RECORDS, { matches: MATCHES });
    store = await openStore(ws.store);
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
    await ingestOsv(store, { osvUrl: osv.url, batchSize: 100, concurrency: 2, ratePerSecond: 1000, retryBaseMs: 1 });
    app = (await store.find({ kind: 'Package', first: 1000 })).items.map((n) => n.key).find((k) => k.startsWith('pkg:npm/%40acme/app@'))!;
    assert.ok(app, 'the npm package was read');
    await store.upsert({
      nodes: [{ kind: 'Model', key: MODEL, props: { name: 'acme/fraud-scorer', sha: 'a'.repeat(40), pipelineTag: 'tabular-classification' } }],
      edges: [
        { kind: 'DEPENDS_ON', from: MODEL, to: MLFLOW, source: 'mlflow', evidence: 'requirements.txt', props: { versionRange: '==2.8.0', scope: 'runtime' } },
        { kind: 'DEPENDS_ON', from: MODEL, to: app, source: 'sbom', evidence: 'components[3]' },
        { kind: 'BUILDS', from: 'gh:repo/acme/fraud-training', to: MODEL, source: 'github', evidence: '.github/workflows/train.yml', props: { workflow: 'train.yml', commit: 'b'.repeat(40) } },
        // An SBOM's VEX: this advisory does not apply to mlflow as the model uses it.
        { kind: 'AFFECTS', from: 'vuln:PYSEC-2099-2', to: MLFLOW, source: 'sbom', evidence: 'vulnerabilities[0].analysis', props: { vex: 'not_affected', vexJustification: 'code_not_reachable' } },
      ],
    });
    bom = (await buildAibom(store, MODEL, { deterministic: true })).bom;
  });
  after(async () => {
    await store.close();
    await registry.close();
    await osv.close();
    ws.cleanup();
  });

  it('is valid CycloneDX 1.6 and 1.7', async () => {
    assertValidBom(bom, '1.6');
    assertValidBom((await buildAibom(store, MODEL, { deterministic: true, spec: '1.7' })).bom, '1.7');
  });

  it('a PyPI library carries its license, page, source repository, maintainers and release files', () => {
    const mlflow = component(MLFLOW);
    assert.deepEqual(mlflow.licenses, [{ license: { id: 'Apache-2.0' } }]);
    const refs = (mlflow.externalReferences as Json[]).map((r) => `${r.type} ${r.url}`);
    assert.ok(refs.includes(`website ${registry.pypi.url}/project/mlflow/2.8.0/`), refs.join(', '));
    assert.ok(refs.includes('vcs https://github.com/mlflow/mlflow'), refs.join(', '));
    assert.deepEqual(propValues(mlflow, 'aispm:can-write').sort(), ['pypi:user/alice (owner)', 'pypi:user/bob (maintainer)']);
    assert.ok(propValues(mlflow, 'aispm:release-file').some((f) => /^mlflow-2\.8\.0.* sha256:[0-9a-f]{64}$/.test(f)), propValues(mlflow, 'aispm:release-file').join(', '));
  });

  it('an npm library carries the tarball hash its integrity names and the provenance of its build', () => {
    const pkg = component(app);
    const hashes = pkg.hashes as { alg: string; content: string }[];
    assert.equal(hashes.length, 1);
    assert.equal(hashes[0]!.alg, 'SHA-512');
    assert.match(hashes[0]!.content, /^[0-9a-f]{128}$/);
    assert.deepEqual(propValues(pkg, 'aispm:can-write').sort(), ['npm:user/carol (maintainer)', 'npm:user/dave (maintainer)']);
    const built = propValues(pkg, 'aispm:built-by').map((v) => JSON.parse(v) as Json);
    assert.deepEqual(built.map((b) => [b.repository, b.workflow]), [['gh:repo/acme/app', '.github/workflows/publish.yml']]);
    assert.ok((pkg.externalReferences as Json[]).some((r) => r.type === 'vcs' && r.url === 'https://github.com/acme/app' && /builds it/.test(String(r.comment))));
  });

  it('an OSV advisory carries its CVSS score and vector, references, fix, and the version it affects', () => {
    const v = vulnerability('PYSEC-2099-1');
    const [rating] = v.ratings as Json[];
    assert.deepEqual([rating!.severity, rating!.score, rating!.method], ['high', 7.5, 'CVSSv31']);
    assert.match(String(rating!.vector), /^CVSS:3\.1\//);
    assert.ok((v.advisories as Json[]).some((a) => a.url === 'https://github.com/mlflow/mlflow/commit/1da75dfcecd4d169e34809ade55748384e8af6c1' && a.title === 'FIX'));
    assert.match(String(v.recommendation), /pkg:pypi\/mlflow@2\.8\.0 → 2\.9\.2/);
    assert.deepEqual(v.affects, [{ ref: MLFLOW, versions: [{ version: '2.8.0', status: 'affected' }] }]);
    assert.equal(v.analysis, undefined, 'no VEX says anything about it');
  });

  it("an SBOM's VEX becomes the advisory's analysis, and the card does not list it as a risk", () => {
    const v = vulnerability('PYSEC-2099-2');
    assert.deepEqual(v.analysis, { state: 'not_affected', justification: 'code_not_reachable' });
    assert.deepEqual(v.affects, [{ ref: MLFLOW, versions: [{ version: '2.8.0', status: 'unaffected' }] }]);
    const model = (bom.metadata as Json).component as Json;
    const risks = (((model.modelCard as Json).considerations as Json | undefined)?.ethicalConsiderations ?? []) as Json[];
    assert.ok(risks.some((r) => r.name === vulnerability('PYSEC-2099-1').description), 'the advisory that applies is a risk');
    assert.ok(!risks.some((r) => r.name === v.description), 'the one VEX rules out is not');
  });

  it('the repository that builds the model is its vcs reference, with the workflow and commit', () => {
    const model = (bom.metadata as Json).component as Json;
    assert.ok((model.externalReferences as Json[]).some((r) => r.type === 'vcs' && r.url === 'https://github.com/acme/fraud-training'));
    assert.deepEqual(propValues(model, 'aispm:built-by').map((v) => JSON.parse(v) as Json), [
      { repository: 'gh:repo/acme/fraud-training', workflow: 'train.yml', commit: 'b'.repeat(40) },
    ]);
  });
});
