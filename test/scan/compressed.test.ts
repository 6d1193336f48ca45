/**
 * The bz2, xz and lzma-alone wrappers: the scanner's own decoders against samples made by the system's bzip2, xz
 * and lzma (`fixtures/`, from `make-compressed-fixtures.ts`), then what `scanBytes` says of benign, hostile,
 * concatenated, corrupt, truncated and oversized ones. Python's bz2 and lzma modules, where present, check that the
 * decoders read concatenated streams and trailing data as the loaders do (decompression only; nothing is unpickled).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { createGunzip, createInflate } from 'node:zlib';
import { decompress, DecodeError, LimitError, type Decompressible } from '../../ingest/scan/decompress.ts';
import { decodeLzmaStreams } from '../../ingest/scan/xz.ts';
import { scanBytes } from '../../ingest/scan/index.ts';
import { BENIGN_PICKLE, BOMB_PAIRS, EVIL_PICKLE, mixedPlaintext, noisePlaintext, opcodeBomb } from './compressed-plaintexts.ts';
import { fixture } from './corpus.ts';
import { ascii, concatBytes } from './helpers.ts';
import { gzipSync, zlibSync } from './zlib-shim.ts';

const MiB = 1024 * 1024;

async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.slice(i, i + size);
}

async function decodeAll(kind: Decompressible, bytes: Uint8Array, chunk = 65536): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const p of decompress(kind, chunked(bytes, chunk), { maxOutput: 256 * MiB })) parts.push(p);
  return concatBytes(...parts);
}

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

/** A copy with one byte xor-ed. */
function flip(bytes: Uint8Array, at: number): Uint8Array {
  const out = bytes.slice();
  out[at < 0 ? out.length + at : at]! ^= 0x01;
  return out;
}

/** Where an xz stream's index starts: the footer's backward size says how long the index is. */
function xzIndexStart(xz: Uint8Array): number {
  const backward = (new DataView(xz.buffer, xz.byteOffset).getUint32(xz.length - 8, true) + 1) * 4;
  return xz.length - 12 - backward;
}

const PLAIN: Array<[file: string, kind: Decompressible, plain: () => Uint8Array]> = [
  ['mixed.bz2', 'bz2', mixedPlaintext],
  ['mixed.xz', 'xz', mixedPlaintext],
  ['mixed-crc32.xz', 'xz', mixedPlaintext],
  ['mixed-nocheck.xz', 'xz', mixedPlaintext],
  ['noise.xz', 'xz', noisePlaintext],
  ['mixed.lzma', 'lzma', mixedPlaintext],
  ['mixed-props.lzma', 'lzma', mixedPlaintext],
  ['benign.pkl.bz2', 'bz2', () => BENIGN_PICKLE],
  ['evil.joblib.xz', 'xz', () => EVIL_PICKLE],
  ['evil-alone.joblib', 'lzma', () => EVIL_PICKLE],
];

describe('decoders: the exact bytes the system tools compressed', () => {
  for (const [file, kind, plain] of PLAIN) {
    it(`${file} (${kind}), whatever the input chunking`, async () => {
      const want = plain();
      for (const chunk of [1, 4093, 1 << 20]) assert.ok(same(await decodeAll(kind, fixture(file), chunk), want), `chunks of ${chunk}`);
    });
  }

  it('concatenated streams are all decoded and what follows the last is ignored, as Python\'s bz2 and lzma read them', async () => {
    const mixed = mixedPlaintext();
    assert.ok(same(await decodeAll('bz2', concatBytes(fixture('mixed.bz2'), fixture('evil.pkl.bz2'), ascii('trailing text'))), concatBytes(mixed, EVIL_PICKLE)));
    assert.ok(same(await decodeAll('xz', concatBytes(fixture('mixed.xz'), fixture('evil-alone.joblib'), fixture('benign.joblib.xz'), ascii('trailing text'))), concatBytes(mixed, EVIL_PICKLE, BENIGN_PICKLE)));
    // 13 zero bytes and 5 range-coder bytes are an empty lzma-alone stream: a run of them is skipped, not the end
    assert.ok(same(await decodeAll('lzma', concatBytes(fixture('benign-alone.joblib'), new Uint8Array(18 * 1000), fixture('evil-alone.joblib'))), concatBytes(BENIGN_PICKLE, EVIL_PICKLE)));
  });

  it('a dictionary distance past the window the scan allows is a limit, not a bigger allocation', async () => {
    await assert.rejects(async () => {
      for await (const _ of decodeLzmaStreams(chunked(fixture('mixed.lzma'), 4096), { maxWindow: 4096 })) void _;
    }, (e: unknown) => e instanceof LimitError && /past the 4096-byte window/.test(e.message));
  });

  it('corrupt data is a DecodeError, never a crash or garbage passed on as the stream', async () => {
    await assert.rejects(decodeAll('bz2', flip(fixture('mixed.bz2'), 10)), (e: unknown) => e instanceof DecodeError && /block: CRC mismatch/.test(e.message));
    await assert.rejects(decodeAll('bz2', flip(fixture('mixed.bz2'), -2)), (e: unknown) => e instanceof DecodeError && /stream CRC/.test(e.message));
    const sha = fixture('mixed.xz');
    await assert.rejects(decodeAll('xz', flip(sha, xzIndexStart(sha) - 1)), (e: unknown) => e instanceof DecodeError && /SHA-256 mismatch/.test(e.message));
    const crc32 = fixture('mixed-crc32.xz');
    await assert.rejects(decodeAll('xz', flip(crc32, xzIndexStart(crc32) - 1)), (e: unknown) => e instanceof DecodeError && /CRC-32 mismatch/.test(e.message));
    const crc64 = fixture('benign.joblib.xz');
    await assert.rejects(decodeAll('xz', flip(crc64, xzIndexStart(crc64) - 1)), (e: unknown) => e instanceof DecodeError && /CRC-64 mismatch/.test(e.message));
    await assert.rejects(decodeAll('xz', flip(crc64, xzIndexStart(crc64) + 1)), (e: unknown) => e instanceof DecodeError && /xz index/.test(e.message));
    await assert.rejects(decodeAll('xz', flip(crc64, -3)), (e: unknown) => e instanceof DecodeError && /footer/.test(e.message));
    await assert.rejects(decodeAll('xz', flip(crc64, 7)), (e: unknown) => e instanceof DecodeError && /stream header: CRC-32/.test(e.message));
    for (const [file, kind] of [['mixed.bz2', 'bz2'], ['mixed.xz', 'xz'], ['noise.xz', 'xz'], ['mixed.lzma', 'lzma']] as const) {
      const whole = fixture(file);
      await assert.rejects(decodeAll(kind, whole.subarray(0, whole.length >> 1)), (e: unknown) => e instanceof DecodeError && /^truncated/.test(e.message), file);
    }
  });

  it('a 200 MiB bomb decodes in pieces of at most 256 KiB without holding its output', async () => {
    for (const [file, kind] of [['bomb.pkl.bz2', 'bz2'], ['bomb.joblib.xz', 'xz'], ['bomb-alone.joblib', 'lzma']] as const) {
      globalThis.gc?.();
      const before = process.memoryUsage().rss;
      let peak = before;
      let total = 0;
      let n = 0;
      for await (const p of decompress(kind, chunked(fixture(file), 65536), { maxOutput: 256 * MiB })) {
        assert.ok(p.length <= 256 * 1024);
        total += p.length;
        if (++n % 64 === 0) peak = Math.max(peak, process.memoryUsage().rss);
      }
      assert.equal(total, 2 * BOMB_PAIRS + 4, file);
      // the LZMA window grows to what the stream uses (xz -9: up to 64 MiB); holding the output would be 200 MiB
      assert.ok(peak - before < 100 * MiB, `${file}: RSS grew by ${((peak - before) / MiB).toFixed(0)} MiB`);
    }
  });
});

describe('scan: bz2, xz and lzma-alone wrappers', () => {
  it('benign is safe and hostile dangerous under each wrapper, named or not', async () => {
    for (const [name, file, want] of [
      ['m.pkl.bz2', 'benign.pkl.bz2', 'safe'],
      ['m.pkl.bz2', 'evil.pkl.bz2', 'dangerous'],
      ['clf.joblib.xz', 'benign.joblib.xz', 'safe'],
      ['clf.joblib.xz', 'evil.joblib.xz', 'dangerous'],
      ['clf.joblib', 'benign-alone.joblib', 'safe'],
      ['clf.joblib', 'evil-alone.joblib', 'dangerous'],
      ['notes.txt', 'evil.pkl.bz2', 'dangerous'],
      ['notes.txt', 'evil-alone.joblib', 'dangerous'],
      ['model.pt', 'evil-torch.pt.bz2', 'dangerous'],
    ] as const) {
      const r = await scanBytes(name, fixture(file));
      assert.equal(r.verdict, want, `${file} as ${name}: ${r.reason}`);
    }
    const evil = await scanBytes('clf.joblib', fixture('evil-alone.joblib'));
    assert.deepEqual(evil.globals, ['os.system']);
    assert.match(evil.recognisedBy, /^lzma → pickle opcodes/);
  });

  it('lzma-alone with other properties than 0x5d is read as Python\'s lzma reads it; data that does not decode is read as it is', async () => {
    const props = await scanBytes('m.bin', concatBytes(fixture('mixed-props.lzma')));
    assert.match(props.recognisedBy, /^lzma/);
    assert.equal(props.verdict, 'safe', props.reason);
    // an int64 tensor 0, 1, … starts like an lzma-alone header; it does not decode, so it is what it is
    const arange = new Uint8Array(64);
    for (let i = 0; i < 8; i++) arange[i * 8] = i;
    const t = await scanBytes('position_ids.bin', arange);
    assert.notEqual(t.verdict, 'unscanned', t.reason);
  });

  it('corrupt, truncated and CRC-mismatched streams are unscanned with the reason; a payload seen before the break still decides', async () => {
    const crc = await scanBytes('m.pkl.bz2', flip(fixture('mixed.bz2'), 10));
    assert.equal(crc.verdict, 'unscanned');
    assert.match(crc.reason, /^error: bz2 data is corrupt: corrupt bzip2 block: CRC mismatch/);
    const sha = fixture('mixed.xz');
    const check = await scanBytes('m.joblib.xz', flip(sha, xzIndexStart(sha) - 1));
    assert.equal(check.verdict, 'unscanned');
    assert.match(check.reason, /^error: xz data is corrupt: .*SHA-256 mismatch/);
    const cut = await scanBytes('clf.joblib', fixture('benign-alone.joblib').subarray(0, 25));
    assert.equal(cut.verdict, 'unscanned');
    assert.match(cut.reason, /^error: lzma data is corrupt: truncated/);
    const unsupported = await scanBytes('m.pkl.xz', fixture('x86-filter.xz'));
    assert.equal(unsupported.verdict, 'unscanned');
    assert.match(unsupported.reason, /^unsupported: xz filter chain x86 BCJ \+ LZMA2/);
    // the stream CRC breaks after the pickle is out: a loader has run it by then
    const late = await scanBytes('m.pkl.bz2', flip(fixture('evil.pkl.bz2'), -2));
    assert.equal(late.verdict, 'dangerous', late.reason);
    assert.ok(late.findings.some((f) => /breaks after 31 bytes: corrupt bzip2 stream/.test(f)), JSON.stringify(late.findings));
  });

  it('past the output bound, unscanned with the reason', async () => {
    for (const [name, file] of [['m.pkl.bz2', 'bomb.pkl.bz2'], ['m.joblib.xz', 'bomb.joblib.xz'], ['m.joblib', 'bomb-alone.joblib']] as const) {
      const r = await scanBytes(name, fixture(file), { maxScanBytes: 2 * MiB });
      assert.equal(r.verdict, 'unscanned', file);
      assert.match(r.reason, /^limit: (bz2|xz|lzma) data decompresses to more than the scan limit of \d+ bytes/, file);
    }
  });
});

/** What `bytes` in chunks of `chunk` give before they end: the output, and the error they end with (if any). */
async function untilError(chunks: AsyncIterable<Uint8Array>): Promise<{ out: Uint8Array; error?: string }> {
  const parts: Uint8Array[] = [];
  try {
    for await (const p of chunks) parts.push(p);
    return { out: concatBytes(...parts) };
  } catch (err) {
    return { out: concatBytes(...parts), error: (err as Error).message };
  }
}

describe('gzip and zlib: small input in one call, the rest streamed, the same bytes either way', () => {
  // ~1.2 MiB of opcodes: past what one call inflates, so the stream takes over from the first byte
  const big = concatBytes(EVIL_PICKLE, opcodeBomb(600_000));
  const inputs: Array<[string, 'gzip' | 'zlib', Uint8Array]> = [
    ['gzip benign', 'gzip', gzipSync(BENIGN_PICKLE)],
    ['gzip past one call', 'gzip', gzipSync(big)],
    ['gzip of two members', 'gzip', concatBytes(gzipSync(BENIGN_PICKLE), gzipSync(EVIL_PICKLE))],
    ['gzip then other data', 'gzip', concatBytes(gzipSync(EVIL_PICKLE), ascii('not a member'))],
    ['gzip cut short', 'gzip', gzipSync(mixedPlaintext()).subarray(0, 5000)],
    ['gzip with a bad CRC', 'gzip', flip(gzipSync(EVIL_PICKLE), -5)],
    ['zlib benign', 'zlib', zlibSync(BENIGN_PICKLE)],
    ['zlib past one call', 'zlib', zlibSync(big)],
    ['zlib cut short', 'zlib', zlibSync(mixedPlaintext()).subarray(0, 5000)],
    ['zlib with a bad checksum', 'zlib', flip(zlibSync(EVIL_PICKLE), -1)],
  ];
  it('a whole small input gives what Node\'s zlib stream gives for it: the same output, up to the same error', async () => {
    for (const [label, kind, bytes] of inputs) {
      const ours = await untilError(decompress(kind, chunked(bytes, bytes.length), { maxOutput: 256 * MiB }));
      const stream = await untilError(Readable.from([bytes]).pipe(kind === 'gzip' ? createGunzip() : createInflate()));
      assert.equal(ours.error, stream.error, label);
      assert.ok(same(ours.out, stream.out), `${label}: ${ours.out.length} bytes against ${stream.out.length}`);
      if (!ours.error) assert.ok(same((await untilError(decompress(kind, chunked(bytes, 1000), { maxOutput: 256 * MiB }))).out, ours.out), label);
    }
  });

  it('a pickle out of a gzip or zlib before its data breaks still decides; a benign one is unscanned with the reason', async () => {
    for (const [name, bytes] of [['m.pkl.gz', gzipSync(big).subarray(0, 600)], ['m.joblib', zlibSync(big).subarray(0, 600)]] as const) {
      const r = await scanBytes(name, bytes);
      assert.equal(r.verdict, 'dangerous', `${name}: ${r.reason}`);
      assert.ok(r.findings.some((f) => /data breaks after \d+ bytes/.test(f)), JSON.stringify(r.findings));
    }
    const cut = await scanBytes('m.pkl.gz', gzipSync(opcodeBomb(100)).subarray(0, 20));
    assert.equal(cut.verdict, 'unscanned', cut.reason);
    assert.match(cut.reason, /^error: gzip data is corrupt: unexpected end of file/);
    for (const [name, bytes] of [['m.pkl.gz', gzipSync(big)], ['m.joblib', zlibSync(big)]] as const) assert.equal((await scanBytes(name, bytes)).verdict, 'dangerous', name);
  });
});

const python = spawnSync('python3', ['-c', 'import bz2, lzma'], { encoding: 'utf8' });
const noPython = python.error || python.status !== 0 ? 'python3 (with bz2 and lzma) not available on this machine' : false;
/** What `bz2.open(f).read()` / `lzma.open(f).read()` — how joblib opens .bz2, .xz and .lzma — return for `bytes`. */
function pythonReads(module: 'bz2' | 'lzma', bytes: Uint8Array): Uint8Array {
  const r = spawnSync('python3', ['-c', `import ${module}, io, sys; sys.stdout.buffer.write(${module}.open(io.BytesIO(sys.stdin.buffer.read())).read())`], { input: bytes, maxBuffer: 64 * MiB });
  assert.equal(r.status, 0, r.stderr.toString());
  return new Uint8Array(r.stdout);
}

describe('decoders against Python\'s bz2 and lzma', { skip: noPython }, () => {
  it('read concatenated streams, empty ones and trailing data as Python does', async () => {
    const cases: Array<[Decompressible, Uint8Array]> = [
      ['bz2', concatBytes(fixture('benign.pkl.bz2'), fixture('evil.pkl.bz2'))],
      ['bz2', concatBytes(fixture('mixed.bz2'), ascii('not a stream'))],
      ['xz', concatBytes(fixture('benign.joblib.xz'), fixture('evil-alone.joblib'), fixture('noise.xz'))],
      ['xz', concatBytes(fixture('mixed-nocheck.xz'), ascii('not a stream'))],
      ['lzma', concatBytes(fixture('benign-alone.joblib'), new Uint8Array(18 * 3), fixture('mixed-props.lzma'), ascii('x'))],
    ];
    for (const [kind, bytes] of cases) assert.ok(same(await decodeAll(kind, bytes), pythonReads(kind === 'bz2' ? 'bz2' : 'lzma', bytes)), kind);
  });
});
