/** `aispm scan --format sarif` as a code-scanning upload: file locations that resolve to the files scanned. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli, tempWorkspace } from '../helpers/cli.ts';
import { assertValidSarif } from '../reports/helpers.ts';

// A protocol-2 pickle that calls os.system('id') when loaded.
const EVIL_PICKLE = Buffer.concat([Buffer.from([0x80, 0x02]), Buffer.from('cos\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03.', 'latin1')]);

describe('aispm scan --format sarif: artifact locations', () => {
  it('keeps a relative path relative when its first segment holds a colon (RFC 3986 4.2), and the log validates', async () => {
    const ws = tempWorkspace('aispm-scan-sarif-');
    try {
      writeFileSync(join(ws.dir, 'w:v1.pkl'), EVIL_PICKLE);
      const r = await runCli(['scan', 'w:v1.pkl', '--format', 'sarif'], { cwd: ws.dir });
      assert.equal(r.code, 0, r.stderr);
      const log = JSON.parse(r.stdout);
      assertValidSarif(log);
      const uri = log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri as string;
      // Read as a URI reference, it must not have a scheme: "w:v1.pkl" would be the absolute URI of scheme "w".
      assert.doesNotMatch(uri, /^[a-z][a-z0-9+.-]*:/i, uri);
      assert.equal(decodeURIComponent(uri), 'w:v1.pkl');
      assert.equal(log.runs[0].results[0].level, 'error');
    } finally {
      ws.cleanup();
    }
  });
});
