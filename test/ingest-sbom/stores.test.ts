/**
 * The import and what the analyses make of it, alike on both stores: SQLite always, Neo4j whenever NEO4J_URI names
 * a database the tests may wipe (test/helpers/neo4j.ts). An ML-BOM for a deployment and a repository SBOM with a
 * VEX statement: the advisory Trivy lists reaches the repository; the one stated not_affected reaches nothing; a
 * newer version of the repository SBOM replaces the older one's edges on either store.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it, test } from 'node:test';
import { importSbomFile } from '../../ingest/sbom/ingest.ts';
import { blastRadius } from '../../queries/blast-radius.ts';
import type { GraphStore } from '../../schema/store.ts';
import { openStore } from '../../services/store/open.ts';
import { tempWorkspace } from '../helpers/cli.ts';
import { neo4jTestTarget } from '../helpers/neo4j.ts';

const fixture = (name: string) => join(import.meta.dirname, 'fixtures', name);
const ws = tempWorkspace();
after(() => ws.cleanup());

function scenario(name: string, open: () => Promise<GraphStore>) {
  describe(`ingest sbom on ${name}`, () => {
    it('gives the same blast radius, VEX included, and replaces a document by its serial', async () => {
      const store = await open();
      try {
        await importSbomFile(store, fixture('trivy-repo.cdx.json'), { subject: 'gh:repo/acme-ml/serving' });
        await importSbomFile(store, fixture('mlbom-service.cdx.json'), { subject: 'gh:deployment/acme-ml/serving/production' });
        const pillow = await blastRadius(store, 'vuln:CVE-2023-44271');
        assert.deepEqual(pillow.nodes.map((n) => n.key).sort(), ['gh:repo/acme-ml/serving', 'pkg:pypi/pillow@10.0.0', 'pkg:pypi/transformers@4.36.0']);
        const notAffected = await blastRadius(store, 'vuln:GHSA-9wx4-h78v-vm56');
        assert.equal(notAffected.nodes.length, 0, 'the VEX not_affected advisory reaches nothing');

        const doc = JSON.parse(readFileSync(fixture('trivy-repo.cdx.json'), 'utf8'));
        doc.version = 2;
        doc.dependencies[1].dependsOn = ['pkg:pypi/torch@2.1.0'];
        const v2 = join(ws.dir, `trivy-v2-${name}.json`);
        writeFileSync(v2, JSON.stringify(doc));
        const r = await importSbomFile(store, v2, { subject: 'gh:repo/acme-ml/serving' });
        assert.equal(r.totals.edgesRemoved, 1, 'only the dependency the new version dropped');
        const out = await store.expand({ keys: ['gh:repo/acme-ml/serving'], edgeKinds: ['DEPENDS_ON'], direction: 'out' });
        assert.deepEqual(out.map((e) => e.to), ['pkg:pypi/torch@2.1.0']);
        const served = await store.expand({ keys: ['hf:model/acme-ml/chat-7b'], edgeKinds: ['SERVES'], direction: 'in' });
        assert.deepEqual(served.map((e) => e.from), ['gh:deployment/acme-ml/serving/production'], 'the other document stays');
      } finally {
        await store.close();
      }
    });
  });
}

scenario('sqlite', () => openStore(`sqlite:${join(ws.dir, 'graph.db')}`));

const target = neo4jTestTarget('SBOM import suite');
if (target.status === 'skip') test('ingest sbom on neo4j', { skip: target.reason }, () => {});
else if (target.status === 'refuse') test('ingest sbom on neo4j', () => assert.fail(target.reason));
else {
  scenario('neo4j', () => target.open());
  after(() => target.close());
}
