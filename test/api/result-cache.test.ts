/**
 * The server's result cache never serves an answer from before a committed write: a blast radius asked again
 * right after another process imported into the same store (within the cache's 60 s) shows the import.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { DATASET, fanGraph, startHarness, type Harness } from './helpers.ts';

describe('result cache and writes by other processes', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness(fanGraph(20, 5));
  });
  after(async () => {
    await h?.close();
  });

  const total = async () => {
    const r = await h.gql(`{ blastRadius(from: "${DATASET}", first: 1) { total } }`);
    assert.equal(r.body.errors, undefined);
    return r.body.data.blastRadius.total as number;
  };

  it('a blast radius through serve reflects an import committed by another process at once', async () => {
    const before = await total();
    assert.equal(await total(), before, 'asked twice with no write between: the same answer');
    const file = join(h.dbPath, '..', 'more.ndjson');
    writeFileSync(
      file,
      [
        { type: 'node', kind: 'Model', key: 'hf:model/acme/late', props: { name: 'late' } },
        { type: 'edge', kind: 'TRAINED_ON', from: 'hf:model/acme/late', to: DATASET, source: 'test' },
      ].map((r) => JSON.stringify(r)).join('\n'),
    );
    const imported = await runCli(['import', file, '--store', `sqlite:${h.dbPath}`]);
    assert.equal(imported.code, 0, imported.stderr);
    assert.equal(await total(), before + 1);
  });
});
