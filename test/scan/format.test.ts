import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
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
import {
  detectCompression,
  detectFormatByBytes,
  detectFormatByName,
  detectFormatOnly,
  isPickleBearing,
  isScanCandidateByName,
} from '../../ingest/scan/format.ts';
import { ascii, concatBytes } from './helpers.ts';

const head = (b: Uint8Array) => b.subarray(0, 64);
const tinySafetensors = () => safetensorsBytes([{ name: 'w', dtype: 'F32', shape: [2], data: new Uint8Array(8) }]);

describe('detectFormatByName', () => {
  const cases: Array<[string, string]> = [
    ['model.safetensors', 'safetensors'],
    ['llama-7b.Q4_K_M.gguf', 'gguf'],
    ['onnx/model.onnx', 'onnx'],
    ['pytorch_model.bin', 'pytorch-zip'],
    ['weights/MODEL.PT', 'pytorch-zip'],
    ['x.pth', 'pytorch-zip'],
    ['sd-v1-4.ckpt', 'pytorch-zip'],
    ['supposedly_safe.pkl', 'pickle'],
    ['a.pickle', 'pickle'],
    ['model.joblib', 'joblib'],
    ['tf_model.h5', 'keras-h5'],
    ['m.hdf5', 'keras-h5'],
    ['m.keras', 'keras-h5'],
    ['emb.npy', 'numpy'],
    ['emb.npz', 'numpy'],
    ['README.md', 'other'],
    ['danger.dat', 'other'],
    ['dir.bin/README', 'other'],
    ['.bin', 'other'],
    ['', 'other'],
  ];
  for (const [path, want] of cases) {
    it(`${JSON.stringify(path)} → ${want}`, () => assert.equal(detectFormatByName(path), want));
  }

  it('names worth sniffing include picklescan-style extras and extensionless files', () => {
    assert.equal(isScanCandidateByName('danger.dat'), true);
    assert.equal(isScanCandidateByName('eicar_test_file'), true);
    assert.equal(isScanCandidateByName('pytorch_model.bin'), true);
    assert.equal(isScanCandidateByName('config.json'), false);
    assert.equal(isScanCandidateByName('model.safetensors'), false);
  });
});

describe('detectFormatByBytes', () => {
  it('recognises a safetensors file named .bin by its bytes', () => {
    const bytes = tinySafetensors();
    assert.equal(detectFormatByBytes(head(bytes)), 'safetensors');
    assert.deepEqual(detectFormatOnly('pytorch_model.bin', head(bytes)), { format: 'safetensors', formatSource: 'bytes' });
  });

  it('recognises GGUF, HDF5 and numpy signatures', () => {
    assert.equal(detectFormatByBytes(concatBytes(ascii('GGUF'), Uint8Array.of(3, 0, 0, 0))), 'gguf');
    assert.equal(detectFormatByBytes(Uint8Array.of(0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0)), 'keras-h5');
    assert.equal(detectFormatByBytes(head(npyBytes('<f4', [2], new Uint8Array(8)))), 'numpy');
  });

  it('recognises a PyTorch zip from its first entry, and leaves other zips to the name', () => {
    assert.equal(detectFormatByBytes(head(pytorchZip(benignStateDictPickle()))), 'pytorch-zip');
    const plain = buildStoredZip([{ name: 'config.json', data: ascii('{}') }]);
    assert.equal(detectFormatByBytes(head(plain)), undefined);
    assert.deepEqual(detectFormatOnly('model.keras', head(plain)), { format: 'keras-h5', formatSource: 'name' });
    const npz = buildStoredZip([{ name: 'arr_0.npy', data: npyBytes('<f4', [1], new Uint8Array(4)) }]);
    assert.equal(detectFormatByBytes(head(npz)), 'numpy');
  });

  it('recognises pickles of protocols 0, 2, 4 and 5', () => {
    assert.equal(detectFormatByBytes(head(maliciousPickleGlobal())), 'pickle', 'protocol 0 (GLOBAL first)');
    assert.equal(detectFormatByBytes(head(benignStateDictPickle())), 'pickle', 'protocol 2');
    assert.equal(detectFormatByBytes(head(maliciousPickleStackGlobal('id'))), 'pickle', 'protocol 4');
    assert.equal(detectFormatByBytes(buildPickle([op.proto(5), op.emptyDict(), op.stop()])), 'pickle', 'protocol 5');
    assert.equal(detectFormatByBytes(ascii('(dp0\nS\'a\'\np1\nI1\nsS\'b\'\np2\nI2\ns.')), 'pickle', 'protocol 0 dict');
  });

  it('keeps a joblib name when the bytes say pickle', () => {
    assert.deepEqual(detectFormatOnly('clf.joblib', head(benignStateDictPickle())), { format: 'joblib', formatSource: 'bytes' });
  });

  it('recognises an ONNX ModelProto start', () => {
    const onnx = concatBytes(Uint8Array.of(0x08, 0x07, 0x12, 0x07), ascii('pytorch'), Uint8Array.of(0x1a, 0x03), ascii('2.1'));
    assert.equal(detectFormatByBytes(onnx), 'onnx');
  });

  it('does not mistake text, JSON or random bytes for a format', () => {
    assert.equal(detectFormatByBytes(ascii('Hello, world! This is a README file.')), undefined);
    assert.equal(detectFormatByBytes(ascii('{"architectures": ["BertModel"]}')), undefined);
    assert.equal(detectFormatByBytes(ascii('(c) 2024 Some Author. All rights reserved.')), undefined);
    assert.equal(detectFormatByBytes(ascii('version https://git-lfs.github.com/spec/v1\n')), undefined);
    assert.equal(detectFormatByBytes(new Uint8Array(0)), undefined);
    assert.equal(detectFormatByBytes(Uint8Array.of(0x80)), undefined, 'PROTO without its argument is too short to say');
    assert.equal(detectFormatByBytes(Uint8Array.of(0x80, 0x09, 0, 0)), undefined, 'protocol 9 does not exist');
  });

  it('recognises compression wrappers around joblib dumps', () => {
    assert.equal(detectCompression(gzipSync(benignStateDictPickle())), 'gzip');
    assert.equal(detectCompression(benignStateDictPickle()), undefined);
  });
});

describe('isPickleBearing', () => {
  it('is true exactly for formats whose loading may unpickle', () => {
    const bearing = ['pytorch-zip', 'pickle', 'joblib', 'numpy'] as const;
    const not = ['safetensors', 'gguf', 'onnx', 'keras-h5', 'other'] as const;
    for (const f of bearing) assert.equal(isPickleBearing(f), true, f);
    for (const f of not) assert.equal(isPickleBearing(f), false, f);
  });
});
