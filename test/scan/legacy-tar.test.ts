/**
 * The oldest torch.save layout (a tar) read as torch's legacy_load reads it: in `storages`, a count pickle, then per
 * storage a description pickle and raw bytes (an int64 element count × the storage type's element size), then the
 * storage views pickle; in `tensors`, a count, then per tensor a description pickle and its raw sizes. Every pickle
 * torch unpickles there is walked; where the layout cannot be followed, what comes after is unscanned, never safe.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  benignStateDictPickle,
  buildPickle,
  concat,
  legacyCount,
  legacyStorage,
  legacyStorages,
  legacyTensor,
  legacyTensors,
  legacyTorchTar,
  op,
  tarBytes,
} from '../../ingest/scan/build.ts';
import { scanBytes, type ScanResult } from '../../ingest/scan/index.ts';
import { ascii } from './helpers.ts';

/** os.system('id') as protocol 2 writes it on Linux: the hostile description. */
const evil = () => buildPickle([op.proto(2), op.global('posix', 'system'), op.binunicode('id'), op.tuple1(), op.reduce(), op.stop()]);
const float = (key: string, numel: number) => ({ key, type: 'FloatStorage', numel, elementSize: 4 });

async function scanTar(members: { storages?: Uint8Array; tensors?: Uint8Array }): Promise<ScanResult> {
  return scanBytes('model.pth.tar', legacyTorchTar(benignStateDictPickle(), members));
}

function assertVerdict(r: ScanResult, verdict: ScanResult['verdict'], reason?: RegExp): void {
  assert.equal(r.verdict, verdict, `${r.verdict} (${r.decidedBy}): ${r.reason}`);
  assert.equal(r.format, 'pytorch-tar');
  if (reason) assert.match(r.reason, reason);
}

describe('legacy torch tar: every pickle legacy_load unpickles is walked (finding 5)', () => {
  it('the auditor\'s `storages`: a storage of 0 elements, then a hostile description as the second storage', async () => {
    const storages = concat([legacyCount(2), legacyStorage(float('0', 0)), evil(), new Uint8Array(8)]);
    const r = await scanTar({ storages });
    assertVerdict(r, 'dangerous', /^storages: imports posix\.system/);
    assert.ok(r.globals.includes('posix.system'), r.globals.join(', '));
  });

  it('a hostile description after a storage whose raw bytes are no opcodes', async () => {
    const storages = legacyStorages([float('0', 3), { key: '1', type: 'FloatStorage', numel: 0, elementSize: 4, description: evil() }]);
    assertVerdict(await scanTar({ storages }), 'dangerous', /posix\.system/);
  });

  it('each storage type skips its own element size (a double storage is 8 bytes an element)', async () => {
    // read with FloatStorage's 4 bytes an element, the skip would land inside the doubles
    const storages = legacyStorages([{ key: '0', type: 'DoubleStorage', numel: 3, elementSize: 8 }, { key: '1', type: 'ByteStorage', numel: 5, elementSize: 1 }], evil());
    assertVerdict(await scanTar({ storages }), 'dangerous', /posix\.system/);
  });

  it('a hostile storage views pickle after the storages', async () => {
    const storages = legacyStorages([float('0', 2), float('1', 1)], evil());
    assertVerdict(await scanTar({ storages }), 'dangerous', /^storages: imports posix\.system/);
  });

  it('a hostile description as the second record of `tensors`', async () => {
    const tensors = legacyTensors([{ key: 't0', storage: '0', shape: [2, 3] }, { key: 't1', storage: '0', shape: [1], description: evil() }]);
    assertVerdict(await scanTar({ storages: legacyStorages([float('0', 6)]), tensors }), 'dangerous', /^tensors: imports posix\.system/);
  });

  it('a count in any int opcode pickle.load reads: protocol 0 INT, LONG1, NEWTRUE', async () => {
    const counts: Array<[string, Uint8Array, number]> = [
      ['INT 2', ascii('I2\n.'), 2],
      ['LONG1 2', buildPickle([op.proto(2), Uint8Array.of(0x8a, 1, 2), op.stop()]), 2],
      ['NEWTRUE', buildPickle([op.proto(2), Uint8Array.of(0x88), op.stop()]), 1],
    ];
    for (const [name, count, n] of counts) {
      // the hostile pickle is the storage views, read only after exactly n storages
      const storages = concat([count, ...Array.from({ length: n }, (_, i) => legacyStorage(float(String(i), 2))), evil()]);
      assert.equal((await scanTar({ storages })).verdict, 'dangerous', name);
    }
  });

  it('a realistic file with storages, views and tensors is safe, every storage\'s type walked', async () => {
    const r = await scanTar({
      storages: legacyStorages([float('0', 6), { key: '1', type: 'LongStorage', numel: 2, elementSize: 8 }]),
      tensors: legacyTensors([{ key: 't0', storage: '0', shape: [2, 3] }, { key: 't1', storage: '1', shape: [2] }]),
    });
    assertVerdict(r, 'safe');
    // the second storage's description lies after the first one's raw bytes
    assert.deepEqual(r.globals, ['collections.OrderedDict', 'torch._utils._rebuild_tensor_v2', 'torch.FloatStorage', 'torch.LongStorage', 'torch.Tensor']);
  });
});

describe('legacy torch tar: where the layout cannot be followed, the rest is unscanned', () => {
  it('a storage type whose element size is unknown (UntypedStorage), with a payload after its bytes', async () => {
    const storages = legacyStorages([{ key: '0', type: 'UntypedStorage', numel: 4, elementSize: 1 }], evil());
    assertVerdict(await scanTar({ storages }), 'unscanned', /^storages: unsupported: .*UntypedStorage/);
  });

  it('a count past the end of the member', async () => {
    const storages = concat([legacyCount(3), legacyStorage(float('0', 1))]);
    assertVerdict(await scanTar({ storages }), 'unscanned', /^storages: error: .*storage 2 of 3/);
  });

  it('an element count whose bytes run past the end of the member', async () => {
    const storages = concat([legacyCount(1), legacyStorage(float('0', 1000)).subarray(0, 200)]);
    assertVerdict(await scanTar({ storages }), 'unscanned', /^storages: error: /);
  });

  it('a count that is not an int (torch\'s range() refuses it)', async () => {
    const storages = concat([buildPickle([op.proto(2), op.emptyDict(), op.stop()]), legacyStorage(float('0', 1)), evil()]);
    assertVerdict(await scanTar({ storages }), 'unscanned', /^storages: error: /);
  });

  it('tensor sizes past the end of the member', async () => {
    const tensors = concat([legacyCount(1), legacyTensor({ key: 't0', storage: '0', shape: [2, 3] }).subarray(0, 40)]);
    assertVerdict(await scanTar({ tensors }), 'unscanned', /^tensors: error: /);
  });

  it('a `storages` member that is no pickle at all is read for what it is', async () => {
    const r = await scanBytes('x.tar', tarBytes([{ name: 'storages', data: new TextEncoder().encode('just some notes\n') }]));
    assert.equal(r.verdict, 'safe', `${r.verdict} (${r.decidedBy}): ${r.reason}`);
  });
});
