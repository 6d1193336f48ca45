/**
 * The official CycloneDX 1.6 and 1.7 test BOMs (test/fixtures/cyclonedx, Apache-2.0): every valid-* one imports
 * (with a subject, since most describe nothing), every invalid-* one is refused as an input error naming what fails,
 * and a refused one writes nothing. In-process on a real SQLite file: 160 documents through the CLI would take minutes.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { importSbomFile } from '../../ingest/sbom/ingest.ts';
import { UsageError } from '../../schema/errors.ts';
import { openStore } from '../../services/store/open.ts';
import { tempWorkspace } from '../helpers/cli.ts';

const ROOT = join(import.meta.dirname, '../fixtures/cyclonedx');
const files = ['1.6', '1.7'].flatMap((v) => readdirSync(join(ROOT, v)).sort().map((f) => join(ROOT, v, f)));
const ws = tempWorkspace();
after(() => ws.cleanup());

test('every valid official BOM imports, every invalid one is refused and writes nothing', async () => {
  const store = await openStore(ws.store);
  try {
    let valid = 0;
    let invalid = 0;
    for (const file of files) {
      const name = file.split('/').pop()!;
      const before = await store.stats();
      if (name.startsWith('valid-')) {
        const r = await importSbomFile(store, file, { subject: 'sbom:service/cyclonedx-test-suite' });
        assert.match(r.format, /^CycloneDX 1\.[67]$/, name);
        valid++;
      } else {
        await assert.rejects(importSbomFile(store, file, { subject: 'sbom:service/cyclonedx-test-suite' }), (err: unknown) => {
          assert.ok(err instanceof UsageError, `${name}: ${String(err)}`);
          assert.match(err.message, /(\/\S* .*\(CycloneDX 1\.[67] schema\); nothing was imported|bomFormat "AnotherFormat" is not CycloneDX)/, name);
          return true;
        });
        assert.deepEqual(await store.stats(), before, `${name} wrote nothing`);
        invalid++;
      }
    }
    assert.deepEqual({ valid, invalid }, { valid: 106, invalid: 54 });
    // What the valid ones say lands: the ML example's model and the vulnerability example's advisory.
    const stats = await store.stats();
    assert.ok((stats.nodesByKind.Vulnerability ?? 0) >= 1 && (stats.nodesByKind.Package ?? 0) >= 1, JSON.stringify(stats));
  } finally {
    await store.close();
  }
});
