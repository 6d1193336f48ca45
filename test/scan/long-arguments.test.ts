/**
 * Long protocol-0 text arguments (CPython's readline has no limit) cost the walk time and memory in proportion to
 * their length, however the stream is cut into chunks: a gzip stream arrives in 16 KiB pieces, so a line held by
 * joining every piece to all the previous ones, or searched for its newline from its start at every piece, grows
 * quadratically (finding 9). No timing is asserted: the time limits are generous, the quadratic walk needs far more.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { buildPickle, concat, op } from '../../ingest/scan/build.ts';
import { scanBytes } from '../../ingest/scan/index.ts';
import { PickleWalker } from '../../ingest/scan/pickle-scan.ts';
import { ascii } from './helpers.ts';

const MiB = 1024 * 1024;
const payload = () => buildPickle([op.global('os', 'system'), op.mark(), op.string0('id'), op.tuple(), op.reduce(), op.stop()]);

/** PROTO 2, `line` (an opcode with its text argument and newline), POP, then os.system. */
const withLine = (line: Uint8Array) => concat([op.proto(2), line, op.pop(), payload()]);

/** The walk of `bytes` pushed in pieces, yielding now and then so that a test's time limit can end a slow walk. */
async function walkInPieces(bytes: Uint8Array, piece: number) {
  const w = new PickleWalker();
  for (let at = 0, n = 0; at < bytes.length; at += piece, n++) {
    w.push(bytes.subarray(at, at + piece));
    if (n % 256 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  return w.end();
}

describe('long text arguments are walked in linear time', () => {
  it('a 32 MiB STRING pushed in 4 KiB pieces: the payload after it is found', { timeout: 60_000 }, async () => {
    const r = await walkInPieces(withLine(ascii(`S'${'a'.repeat(32 * MiB)}'\n`)), 4096);
    assert.equal(r.broke, undefined, r.broke?.message);
    assert.deepEqual(r.globals, ['os.system']);
    assert.equal(r.completePickles, 1);
  });

  it('a 32 MiB name line of GLOBAL, in 4 KiB pieces', { timeout: 60_000 }, async () => {
    const bytes = concat([op.proto(2), ascii(`cos\n${'s'.repeat(32 * MiB)}\n`), op.pop(), payload()]);
    const r = await walkInPieces(bytes, 4096);
    assert.equal(r.broke, undefined, r.broke?.message);
    assert.equal(r.globals.length, 2);
    assert.equal(r.globals[1], 'os.system');
  });

  it('a line that never ends is truncated at its opcode, however many pieces it came in', async () => {
    const r = await walkInPieces(concat([op.proto(2), ascii(`S'${'a'.repeat(MiB)}`)]), 4096);
    assert.match(r.broke?.message ?? '', /^truncated: STRING at offset 2 /);
    assert.equal(r.broke?.offset, 2);
  });

  it('a gzip\'d pickle with a 64 MiB STRING line is dangerous', { timeout: 60_000 }, async () => {
    const r = await scanBytes('model.pkl.gz', new Uint8Array(gzipSync(withLine(ascii(`S'${'a'.repeat(64 * MiB)}'\n`)))));
    assert.equal(r.verdict, 'dangerous', `${r.verdict} (${r.decidedBy}): ${r.reason}`);
    assert.deepEqual(r.globals, ['os.system']);
  });

  it('a 16 MiB STRING of spaces inside its quotes', { timeout: 60_000 }, async () => {
    const r = await scanBytes('m.pkl', withLine(ascii(`S'${' '.repeat(16 * MiB)}'\n`)));
    assert.equal(r.verdict, 'dangerous', `${r.verdict} (${r.decidedBy}): ${r.reason}`);
  });

  it('an 8 MiB UNICODE line of \\u escapes', { timeout: 60_000 }, async () => {
    const r = await scanBytes('m.pkl', withLine(ascii(`V${'\\u0041'.repeat(Math.floor((8 * MiB) / 6))}\n`)));
    assert.equal(r.verdict, 'dangerous', `${r.verdict} (${r.decidedBy}): ${r.reason}`);
  });

  it('a 16 MiB FLOAT of digits that CPython refuses (a trailing "x") is refused, not walked past', { timeout: 60_000 }, async () => {
    const r = await scanBytes('m.pkl', withLine(ascii(`F${'1'.repeat(16 * MiB)}x\n`)));
    assert.equal(r.verdict, 'suspicious', `${r.verdict} (${r.decidedBy}): ${r.reason}`);
    assert.match(r.reason, /invalid FLOAT literal/);
  });

  it('long arguments CPython refuses are still refused: a bad escape, a bad \\u escape, a missing quote', async () => {
    const cases: Array<[string, Uint8Array, RegExp]> = [
      ['STRING with \\x and one hex digit', ascii(`S'${'a'.repeat(MiB)}\\x4'\n`), /invalid escape in STRING/],
      ['STRING ending in a backslash', ascii(`S'${'a'.repeat(MiB)}\\'\n`), /invalid escape in STRING/],
      ['STRING without its closing quote', ascii(`S'${'a'.repeat(MiB)}\n`), /must be quoted/],
      ['UNICODE with a short \\u escape', ascii(`V${'a'.repeat(MiB)}\\u12\n`), /invalid raw-unicode-escape/],
      ['UNICODE with \\U past U+10FFFF', ascii(`V${'a'.repeat(MiB)}\\U00110000\n`), /invalid raw-unicode-escape/],
    ];
    for (const [name, line, why] of cases) {
      const r = await scanBytes('m.pkl', withLine(line));
      assert.equal(r.verdict, 'suspicious', `${name}: ${r.verdict} (${r.decidedBy}): ${r.reason}`);
      assert.match(r.reason, why, name);
    }
    // an even run of backslashes is no escape, and a long valid FLOAT is a float
    for (const line of [ascii(`V${'a'.repeat(MiB)}\\\\u12\n`), ascii(`F0.${'1'.repeat(MiB)}e-3\n`), ascii(`S"${'a'.repeat(MiB)}\\x41\\101\\q"\n`)]) {
      const r = await scanBytes('m.pkl', withLine(line));
      assert.equal(r.verdict, 'dangerous', `${r.verdict} (${r.decidedBy}): ${r.reason}`);
    }
  });
});
