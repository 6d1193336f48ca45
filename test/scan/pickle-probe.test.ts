/**
 * Whether bytes are walked as a pickle is decided the way the unpickler decides it: a file whose opening opcodes
 * all decode, the last one's argument running past the part looked at first, is one CPython goes on reading, so
 * the scanner walks it too. What such a walk shows not to be a pickle (text, a format starting with opcode bytes)
 * is still "not a model". Every hostile sample here is a real pickle (CPython's pickletools reads each one).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { buildPickle, buildZip, concat, op, pytorchZip } from '../../ingest/scan/build.ts';
import { scanBytes } from '../../ingest/scan/index.ts';
import { ascii } from './helpers.ts';

/** posix.system('id') through GLOBAL and REDUCE: the payload, with no PROTO in front. */
const payload = () => buildPickle([op.global('posix', 'system'), op.mark(), op.string0('id'), op.tuple(), op.reduce(), op.stop()]);

/** BINBYTES with `n` bytes (a long bytes argument: the scanner skips it rather than reading it). */
function binbytes(n: number): Uint8Array {
  const head = new Uint8Array(5);
  head[0] = 0x42;
  new DataView(head.buffer).setUint32(1, n, true);
  return concat([head, new Uint8Array(n)]);
}

/** The pickles whose first opcode's argument runs past the scanner's first look (64 KiB), then os.system. */
const longFirstArgument = {
  'BINBYTES of 100,000 bytes, POP, then the payload (no PROTO)': concat([binbytes(100_000), op.pop(), payload()]),
  'MARK, a 70,000-character STRING, POP_MARK, then the payload': concat([op.mark(), ascii(`S'${'a'.repeat(70_000)}'\n`), ascii('1'), payload()]),
};

describe('a pickle whose first argument is longer than the first look is walked (finding 1)', () => {
  for (const [name, bytes] of Object.entries(longFirstArgument)) {
    it(`${name}: dangerous as a file, as a torch zip's data.pkl (stored and deflated) and gzip'd`, async () => {
      const file = await scanBytes('model.pkl', bytes);
      assert.equal(file.verdict, 'dangerous', `${file.verdict} (${file.decidedBy}): ${file.reason}`);
      assert.deepEqual(file.globals, ['posix.system']);
      assert.equal(file.format, 'pickle');
      const zipped = await scanBytes('model.pt', pytorchZip(bytes));
      assert.equal(zipped.verdict, 'dangerous', `zip: ${zipped.reason}`);
      const deflated = await scanBytes('model.pt', buildZip([{ name: 'archive/data.pkl', data: bytes, method: 8 }]));
      assert.equal(deflated.verdict, 'dangerous', `deflated zip member: ${deflated.reason}`);
      const gz = await scanBytes('model.pkl.gz', new Uint8Array(gzipSync(bytes)));
      assert.equal(gz.verdict, 'dangerous', `gzip: ${gz.reason}`);
    });
  }

  it('a first STRING longer than 64 MiB, then the payload: dangerous', { timeout: 120_000 }, async () => {
    const bytes = concat([ascii(`S'${'a'.repeat(64 * 1024 * 1024 + 10)}'\n`), op.pop(), payload()]);
    const r = await scanBytes('big.pkl', bytes);
    assert.equal(r.verdict, 'dangerous', `${r.verdict} (${r.decidedBy}): ${r.reason}`);
    assert.deepEqual(r.globals, ['posix.system']);
  });
});

describe('bytes that only start like opcodes are still not a model', () => {
  const notPickles: Record<string, Uint8Array> = {
    // "T" is BINSTRING: its 4-byte length ("he q") is far past the end of the file
    'English text starting with "The"': ascii('The quick brown fox jumps over the lazy dog.\n'.repeat(2000)),
    // "c" is GLOBAL: the first line is longer than the first look, and what follows is no pickle
    'minified JavaScript whose first line is 70,000 characters': ascii(`const x = "${'y'.repeat(70_000)}";\nfoo();\nbar();\n`),
    // BINBYTES whose length runs past the end of the file
    'a binary blob starting with "B" and a huge length': concat([Uint8Array.of(0x42, 0xff, 0xff, 0xff, 0x7f), new Uint8Array(100_000).fill(7)]),
    // a real long first argument, then a byte that is no opcode: CPython stops there having run nothing
    'BINBYTES of 100,000 bytes, then no opcode': concat([binbytes(100_000), Uint8Array.of(0xff), payload()]),
  };
  for (const [name, bytes] of Object.entries(notPickles)) {
    it(`${name}: safe, not a model`, async () => {
      const r = await scanBytes('data.bin', bytes);
      assert.equal(r.verdict, 'safe', `${r.verdict} (${r.decidedBy}): ${r.reason}`);
      assert.equal(r.decidedBy, 'not-a-model');
      assert.equal(r.format, 'other');
      const gz = await scanBytes('data.bin.gz', new Uint8Array(gzipSync(bytes)));
      assert.equal(gz.verdict, 'safe', `gzip: ${gz.verdict} (${gz.decidedBy}): ${gz.reason}`);
      assert.equal(gz.decidedBy, 'not-a-model', `gzip: ${gz.reason}`);
    });
  }

  it('a file whose long first line never ends within the scan limit is unscanned, not safe', async () => {
    const r = await scanBytes('blob.txt', ascii(`S'${'a'.repeat(300_000)}`), { maxScanBytes: 200_000 });
    assert.equal(r.verdict, 'unscanned', `${r.verdict} (${r.decidedBy}): ${r.reason}`);
    assert.match(r.reason, /^limit:/);
  });
});
