/** The SPDX 2.x JSON reader on documents in the shapes GitHub's dependency graph, Syft and Trivy write. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { canonicalRelationship, isSpdx2, readSpdx2, Spdx2ReadError } from '../../ingest/sbom/spdx2.ts';

const fixture = (name: string): unknown => JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8'));

test('GitHub dependency graph export: the repository is described, its dependencies carry purls and licenses', () => {
  const doc = readSpdx2(fixture('github-dependency-graph.spdx.json'));
  assert.equal(doc.spdxVersion, 'SPDX-2.3');
  assert.equal(doc.namespace, 'https://spdx.org/spdxdocs/protobom/5b3c1f0e-8d2a-4c55-9a61-3f0f6c1d2e7a');
  assert.equal(doc.created, '2025-03-04T10:11:12Z');
  assert.deepEqual(doc.creators.at(-1), 'Tool: GitHub.com-Dependency-Graph');
  assert.deepEqual(doc.describes, ['SPDXRef-com.github.acme-ml-serving']);
  const root = doc.packages.find((p) => p.spdxId === doc.describes[0])!;
  assert.equal(root.purl, 'pkg:github/acme-ml/serving@main');
  assert.equal(root.downloadLocation, 'git+https://github.com/acme-ml/serving');
  const torch = doc.packages.find((p) => p.name === 'pip:torch')!;
  assert.deepEqual(
    { purl: torch.purl, version: torch.version, license: torch.license, copyright: torch.copyrightText, download: torch.downloadLocation },
    { purl: 'pkg:pypi/torch@2.1.0', version: '2.1.0', license: 'BSD-3-Clause', copyright: undefined, download: undefined },
  );
  // NOASSERTION concluded: the declared license is the one shown.
  const gradio = doc.packages.find((p) => p.name === 'npm:@gradio/client')!;
  assert.equal(gradio.licenseConcluded, undefined);
  assert.equal(gradio.license, 'ISC');
  const deps = doc.relationships.map(canonicalRelationship).filter((r) => r.meaning === 'depends-on');
  assert.equal(deps.length, 4);
  assert.ok(deps.every((d) => d.from === root.spdxId));
  assert.deepEqual(doc.warnings, []);
});

test("GitHub's documented example: documentDescribes names the repository, not an element", () => {
  const body = fixture('github-documented-example.spdx.json');
  assert.ok(isSpdx2(body), 'the { sbom } wrapping is recognised');
  const doc = readSpdx2(body);
  assert.deepEqual(doc.describes, []);
  assert.deepEqual(doc.describesUnresolved, ['acme-ml/trainer']);
  assert.equal(doc.packages.length, 1);
  const [rails] = doc.packages;
  assert.equal(rails!.purl, undefined, 'no externalRefs, no purl');
  assert.equal(rails!.version, '1.0.0');
  assert.equal(rails!.license, 'MIT');
});

test('Syft image SBOM: the image is the described root, CONTAINS its packages, odd purls are warnings', () => {
  const doc = readSpdx2(fixture('syft-image.spdx.json'));
  assert.deepEqual(doc.describes, ['SPDXRef-DocumentRoot-Image-ghcr.io-acme-ml-inference']);
  const image = doc.packages.find((p) => p.spdxId === doc.describes[0])!;
  assert.equal(image.purpose, 'CONTAINER');
  assert.deepEqual(image.checksums, [{ algorithm: 'SHA256', value: '2731251dc34951c0e50fcc643b4c5f74922dad1a5d98f302b504cf46cd5d9368' }]);
  assert.match(image.purl!, /^pkg:oci\/inference@sha256%3A/);
  const numpy = doc.packages.find((p) => p.name === 'numpy')!;
  assert.deepEqual(numpy.cpes, ['cpe:2.3:a:numpy:numpy:1.26.4:*:*:*:*:*:*:*']);
  assert.equal(numpy.supplier, 'Person: Travis E. Oliphant et al.');
  const broken = doc.packages.find((p) => p.name === 'broken-ref')!;
  assert.equal(broken.purl, undefined);
  assert.equal(doc.warnings.length, 1);
  assert.match(doc.warnings[0]!, /^packages\[3\]\.externalRefs\[0\]: "a-purl-2" is not a purl/);
  const contains = doc.relationships.map(canonicalRelationship).filter((r) => r.meaning === 'contains');
  assert.equal(contains.length, 3);
  // `numpy DEPENDENCY_OF Pillow` reads as Pillow depends on numpy.
  const dep = doc.relationships.map(canonicalRelationship).find((r) => r.meaning === 'depends-on')!;
  assert.equal(dep.from, 'SPDXRef-Package-python-Pillow-0d9e6b1a2c3f4e55');
  assert.equal(dep.to, 'SPDXRef-Package-python-numpy-6c1b8f3e0a7d2b44');
});

test('Trivy SPDX 2.2: PACKAGE_MANAGER category, per-element relationships, scoped reverse dependencies, files', () => {
  const doc = readSpdx2(fixture('trivy-fs.spdx-2.2.json'));
  assert.equal(doc.spdxVersion, 'SPDX-2.2');
  assert.deepEqual(doc.describes, ['SPDXRef-Filesystem-2e2426fd0f2580ef']);
  assert.equal(doc.packages.find((p) => p.name === 'scikit-learn')!.purl, 'pkg:pypi/scikit_learn@1.3.0');
  const rels = doc.relationships.map(canonicalRelationship);
  assert.ok(rels.some((r) => r.meaning === 'contains' && r.from === 'SPDXRef-Filesystem-2e2426fd0f2580ef' && r.to === 'SPDXRef-Package-1c3eafceb0a76303'));
  const runtime = rels.find((r) => r.type === 'RUNTIME_DEPENDENCY_OF')!;
  assert.deepEqual(
    { from: runtime.from, to: runtime.to, scope: runtime.scope },
    { from: 'SPDXRef-Package-1c3eafceb0a76303', to: 'SPDXRef-Package-8217dab1d30aca2', scope: 'runtime' },
  );
  assert.deepEqual(doc.files, [
    { spdxId: 'SPDXRef-File-600e5e0110a84891', fileName: 'requirements.txt', checksums: [{ algorithm: 'SHA1', value: '237db0da53131e4548cb1181337fa0f420299e1f' }] },
  ]);
});

test('wrong types are warnings on the item, never a crash; a non-SPDX value is refused', () => {
  const doc = readSpdx2({
    spdxVersion: 'SPDX-2.3',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: 'odd',
    documentNamespace: 'https://example.invalid/odd',
    packages: [
      42,
      { SPDXID: 'SPDXRef-a', name: 'a', externalRefs: 'nope', checksums: [{ algorithm: 'SHA1', checksumValue: 'not hex' }] },
      { name: 'no-id' },
    ],
    relationships: [{ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES' }, null],
    documentDescribes: 'SPDXRef-a',
  });
  assert.deepEqual(doc.packages.map((p) => p.spdxId), ['SPDXRef-a']);
  assert.deepEqual(doc.packages[0]!.checksums, []);
  assert.deepEqual(doc.relationships, []);
  assert.deepEqual(doc.warnings, [
    'packages[0]: not an object, skipped',
    'packages[1].externalRefs: not a list, ignored',
    'packages[1].checksums[0]: needs an algorithm and a hex checksumValue, ignored',
    'packages[2]: no SPDXID, skipped',
    'relationships[0]: needs spdxElementId, relationshipType and relatedSpdxElement, skipped',
    'relationships[1]: not an object, skipped',
    'documentDescribes: not a list, ignored',
  ]);
  assert.throws(() => readSpdx2({ bomFormat: 'CycloneDX', specVersion: '1.6' }), Spdx2ReadError);
  assert.throws(() => readSpdx2({ spdxVersion: 'SPDX-3.0' }), /not an SPDX 2 document/);
  assert.throws(() => readSpdx2('SPDX-2.3'), Spdx2ReadError);
  assert.equal(isSpdx2({ spdxVersion: 'SPDX-2.3' }), true);
  assert.equal(isSpdx2({ '@context': 'https://spdx.org/rdf/3.0.1/spdx-context.jsonld' }), false);
});
