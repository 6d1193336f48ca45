/**
 * The scanner's test corpus, built by the tests themselves: for each format and each route a benign and a hostile
 * variant (the hostile payloads are harmless text and never run; nothing here is ever unpickled).
 */
import { readFileSync } from 'node:fs';
import { deflateSync, gzipSync } from 'node:zlib';
import {
  benignStateDictPickle,
  buildPickle,
  buildStoredZip,
  buildZip,
  concat,
  ggufBytes,
  hdf5Bytes,
  kerasArchive,
  kerasModelConfig,
  legacyTorchTar,
  maliciousPickleGlobal,
  maliciousPickleStackGlobal,
  npyBytes,
  onnxModelBytes,
  op,
  pytorchZip,
  safetensorsBytes,
} from '../../ingest/scan/build.ts';

/** A compressed sample made with the system's bzip2 / xz / lzma (`make-compressed-fixtures.ts`) and committed. */
export const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));

const text = (s: string) => Uint8Array.from([...s].map((c) => c.charCodeAt(0)));
const st = () => safetensorsBytes([{ name: 'w', dtype: 'F32', shape: [4], data: new Uint8Array(16) }]);

/** The torch legacy magic number pickle, then protocol, sys_info, the object, storage keys, then raw bytes. */
function legacyTorch(obj: Uint8Array): Uint8Array {
  const magic = Uint8Array.of(0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e);
  const small = (n: number) => buildPickle([op.proto(2), op.binint1(n), op.stop()]);
  return concat([magic, small(1001), buildPickle([op.proto(2), op.emptyDict(), op.stop()]), obj, buildPickle([op.proto(2), op.emptyTuple(), op.stop()]), Uint8Array.of(4, 0, 0, 0, 0, 0, 0, 0), new Uint8Array(16)]);
}

/**
 * Two EOCD records: a benign archive, then a malicious one whose offsets count from the start of the file. Python's
 * zipfile and miniz read the last EOCD — the malicious directory — and so must the scanner.
 */
function doubleEocd(): Uint8Array {
  const benign = buildStoredZip([{ name: 'archive/data.pkl', data: benignStateDictPickle() }]);
  const evil = buildStoredZip([{ name: 'archive/data.pkl', data: maliciousPickleGlobal() }]).slice();
  const v = new DataView(evil.buffer);
  const eocd = evil.length - 22;
  v.setUint32(eocd + 16, v.getUint32(eocd + 16, true) + benign.length, true);
  for (let i = v.getUint32(eocd + 16, true) - benign.length; i < eocd; i++) if (v.getUint32(i, true) === 0x02014b50) v.setUint32(i + 42, v.getUint32(i + 42, true) + benign.length, true);
  return concat([benign, evil]);
}

/** A zip whose local header names the pickle differently from the central directory (CVE-2025-1944). */
function nameMismatch(): Uint8Array {
  const z = pytorchZip(maliciousPickleGlobal());
  const at = 30; // the first local header's name
  const out = z.slice();
  out.set(new TextEncoder().encode('archive/data.txt'), at);
  return out;
}

/** The encryption flag set in the central directory only (CVE-2025-1945): PyTorch reads the bytes anyway. */
function flagMismatch(): Uint8Array {
  const z = pytorchZip(maliciousPickleGlobal()).slice();
  const v = new DataView(z.buffer);
  for (let i = z.length - 22; i >= 0; i--) if (v.getUint32(i, true) === 0x02014b50) { v.setUint16(i + 8, v.getUint16(i + 8, true) | 1, true); break; }
  return z;
}

function crcMismatch(): Uint8Array {
  const z = buildStoredZip([{ name: 'archive/data.pkl', data: maliciousPickleGlobal() }]).slice();
  const v = new DataView(z.buffer);
  v.setUint32(14, v.getUint32(14, true) ^ 1, true);
  for (let i = z.length - 22; i >= 0; i--) if (v.getUint32(i, true) === 0x02014b50) { v.setUint32(i + 16, v.getUint32(i + 16, true) ^ 1, true); break; }
  return z;
}

export interface Sample {
  name: string;
  bytes: Uint8Array;
  want: 'safe' | 'dangerous' | 'suspicious' | 'unscanned';
}

export function corpus(): Sample[] {
  return [
    // raw pickles, each protocol and each route to a global
    { name: 'pickle/p0-global.pkl', bytes: maliciousPickleGlobal(), want: 'dangerous' },
    { name: 'pickle/p0-inst.pkl', bytes: buildPickle([op.mark(), op.string0('id'), op.inst('os', 'system'), op.stop()]), want: 'dangerous' },
    { name: 'pickle/p2-benign.pkl', bytes: benignStateDictPickle(['a', 'b']), want: 'safe' },
    { name: 'pickle/p4-stack-global-memo.pkl', bytes: maliciousPickleStackGlobal('id'), want: 'dangerous' },
    { name: 'pickle/p5-benign.pkl', bytes: buildPickle([op.proto(5), op.emptyDict(), op.stop()]), want: 'safe' },
    { name: 'pickle/ext1.pkl', bytes: buildPickle([op.proto(2), Uint8Array.of(0x82, 1), op.emptyTuple(), op.reduce(), op.stop()]), want: 'dangerous' },
    { name: 'pickle/custom-class.pkl', bytes: buildPickle([op.proto(2), op.global('sklearn.tree', 'DecisionTreeClassifier'), op.emptyTuple(), op.reduce(), op.stop()]), want: 'suspicious' },
    { name: 'pickle/second-pickle-after-stop.pkl', bytes: concat([benignStateDictPickle(), maliciousPickleGlobal()]), want: 'dangerous' },
    { name: 'pickle/payload-then-broken (nullifAI).pkl', bytes: concat([maliciousPickleGlobal().subarray(0, -1), Uint8Array.of(0xff)]), want: 'dangerous' },
    // a payload after a broken opcode: CPython stops at the break, a lenient loader may not — never safe
    { name: 'pickle/payload-after-stack-underflow.pkl', bytes: buildPickle([op.proto(2), op.reduce(), op.global('os', 'system'), op.stop()]), want: 'unscanned' },
    { name: 'pickle/payload-after-missing-mark.pkl', bytes: buildPickle([op.proto(2), op.tuple(), op.global('os', 'system'), op.stop()]), want: 'unscanned' },
    { name: 'pickle/benign-then-broken-second.pkl', bytes: concat([benignStateDictPickle(), buildPickle([op.proto(4), op.binget(0), op.global('os', 'system'), op.stop()])]), want: 'unscanned' },
    { name: 'pickle/benign-truncated.pkl', bytes: benignStateDictPickle().subarray(0, -10), want: 'unscanned' },
    { name: 'pickle/memo-key-1_0.pkl', bytes: text("S'os'\np1_0\n0S'system'\np2\n0g10\ng2\n\x93."), want: 'dangerous' },
    { name: 'pickle/memo-key-refused.pkl', bytes: text("S'os'\np1__0\n0."), want: 'suspicious' },
    { name: 'pickle/long-line-70000.pkl', bytes: concat([text(`S'${'a'.repeat(70_000)}'\n0`), maliciousPickleGlobal()]), want: 'dangerous' },
    { name: 'pickle/utf8-protocol0-string.pkl', bytes: concat([text("S'caf"), Uint8Array.of(0xc3, 0xa9), text("'\n0"), maliciousPickleGlobal()]), want: 'dangerous' },
    { name: 'pickle/posixpath-os-system.pkl', bytes: buildPickle([op.proto(4), op.unicode('posixpath'), op.unicode('os.system'), op.stackGlobal(), op.stop()]), want: 'dangerous' },
    { name: 'pickle/uuid-command-stdout.pkl', bytes: buildPickle([op.proto(2), op.global('uuid', '_get_command_stdout'), op.stop()]), want: 'dangerous' },
    { name: 'pickle/logging-resolve.pkl', bytes: buildPickle([op.proto(2), op.global('logging.config', '_resolve'), op.stop()]), want: 'dangerous' },
    { name: 'pickle/py2-builtin-reduce.pkl', bytes: buildPickle([op.proto(2), op.global('__builtin__', 'reduce'), op.emptyTuple(), op.reduce(), op.stop()]), want: 'dangerous' },
    { name: 'pickle/builtin-set-p2.pkl', bytes: buildPickle([op.proto(2), op.global('__builtin__', 'set'), op.emptyTuple(), op.reduce(), op.stop()]), want: 'safe' },
    // disguised names and magic look-alikes
    { name: 'disguised/looks-like-gguf.bin', bytes: concat([Uint8Array.of(0x47), new Uint8Array(8).fill(0x30), maliciousPickleGlobal()]), want: 'dangerous' },
    { name: 'disguised/pickle-named.safetensors', bytes: maliciousPickleStackGlobal('id'), want: 'dangerous' },
    { name: 'disguised/noext', bytes: maliciousPickleGlobal(), want: 'dangerous' },
    { name: 'disguised/short-binbytes-first.pkl', bytes: concat([Uint8Array.of(0x43, 2, 1, 2, 0x30), maliciousPickleStackGlobal('id').subarray(2 + 9)]), want: 'dangerous' },
    { name: 'disguised/image.pt', bytes: Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13), want: 'safe' },
    // PyTorch
    { name: 'torch/benign.pt', bytes: pytorchZip(benignStateDictPickle(), { tensorBytes: 100_000 }), want: 'safe' },
    { name: 'torch/evil.pt', bytes: pytorchZip(maliciousPickleStackGlobal('id')), want: 'dangerous' },
    { name: 'torch/zip64.pt', bytes: pytorchZip(maliciousPickleGlobal(), { zip64: true }), want: 'dangerous' },
    { name: 'torch/pickle-in-config.bin', bytes: buildStoredZip([{ name: 'archive/data.pkl', data: benignStateDictPickle() }, { name: 'archive/extra/config.bin', data: maliciousPickleGlobal() }]), want: 'dangerous' },
    { name: 'torch/renamed-data-pkl.zip', bytes: buildZip([{ name: 'archive/data', data: maliciousPickleGlobal(), method: 8 }]), want: 'dangerous' },
    { name: 'torch/zip-in-zip.zip', bytes: buildStoredZip([{ name: 'inner.zip', data: pytorchZip(maliciousPickleGlobal()) }]), want: 'dangerous' },
    { name: 'torch/gzipped.pt', bytes: gzipSync(pytorchZip(maliciousPickleGlobal())), want: 'dangerous' },
    { name: 'torch/legacy-benign.bin', bytes: legacyTorch(benignStateDictPickle()), want: 'safe' },
    { name: 'torch/legacy-evil.bin', bytes: legacyTorch(maliciousPickleGlobal()), want: 'dangerous' },
    { name: 'torch/tar-benign.pth.tar', bytes: legacyTorchTar(benignStateDictPickle()), want: 'safe' },
    { name: 'torch/tar-evil.pth.tar', bytes: legacyTorchTar(maliciousPickleGlobal()), want: 'dangerous' },
    { name: 'torch/CVE-2025-1944-name-mismatch.pt', bytes: nameMismatch(), want: 'dangerous' },
    { name: 'torch/CVE-2025-1945-flag-bits.pt', bytes: flagMismatch(), want: 'dangerous' },
    { name: 'torch/two-eocd-records.pt', bytes: doubleEocd(), want: 'dangerous' },
    { name: 'torch/crc-mismatch.pt', bytes: crcMismatch(), want: 'dangerous' },
    // a zip after other data: Python's zipfile finds it by its end record; torch.load and numpy.load read the front
    { name: 'zip/prefixed-evil-member.zip', bytes: concat([text('#!/bin/sh\nexit 0\n'), buildStoredZip([{ name: 'archive/data.pkl', data: maliciousPickleGlobal() }])]), want: 'dangerous' },
    { name: 'zip/benign-pickle-then-evil-zip.pt', bytes: concat([benignStateDictPickle(), buildStoredZip([{ name: 'archive/data.pkl', data: maliciousPickleStackGlobal('id') }])]), want: 'dangerous' },
    { name: 'zip/evil-pickle-then-benign-zip.pt', bytes: concat([maliciousPickleGlobal(), pytorchZip(benignStateDictPickle())]), want: 'dangerous' },
    { name: 'zip/benign-prefixed.zip', bytes: concat([new Uint8Array(100), buildStoredZip([{ name: 'w.npy', data: npyBytes('<f4', [2], new Uint8Array(8)) }])]), want: 'suspicious' },
    { name: 'torch/7z-packed.pt', bytes: concat([Uint8Array.of(0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4), new Uint8Array(100)]), want: 'unscanned' },
    // numpy
    { name: 'numpy/plain.npy', bytes: npyBytes('<f4', [4], new Uint8Array(16)), want: 'safe' },
    { name: 'numpy/object.npy', bytes: npyBytes('|O', [1], maliciousPickleGlobal()), want: 'dangerous' },
    { name: 'numpy/escaped-object-dtype.npy', bytes: npyBytes('\\x4f', [1], maliciousPickleGlobal()), want: 'dangerous' },
    { name: 'numpy/odd-dtype.npy', bytes: npyBytes('<x7', [1], new Uint8Array(8)), want: 'suspicious' },
    { name: 'numpy/arrays.npz', bytes: buildStoredZip([{ name: 'arr_0.npy', data: npyBytes('<f8', [2], new Uint8Array(16)) }]), want: 'safe' },
    { name: 'numpy/evil.npz', bytes: buildStoredZip([{ name: 'arr_0.npy', data: npyBytes('<f8', [2], new Uint8Array(16)) }, { name: 'arr_1', data: npyBytes('|O', [1], maliciousPickleStackGlobal('id')) }]), want: 'dangerous' },
    // joblib
    { name: 'joblib/benign.joblib', bytes: benignStateDictPickle(), want: 'safe' },
    { name: 'joblib/gzip-evil.joblib', bytes: gzipSync(maliciousPickleStackGlobal('id')), want: 'dangerous' },
    { name: 'joblib/zlib-named.txt', bytes: new Uint8Array(deflateSync(maliciousPickleGlobal())), want: 'dangerous' },
    { name: 'joblib/bz2.joblib.bz2', bytes: concat([text('BZh91AY&SY'), new Uint8Array(40)]), want: 'unscanned' },
    // bz2, xz and lzma-alone wrappers (joblib's compress='bz2'|'xz'|'lzma', `*.pkl.bz2`), decompressed by their bytes
    { name: 'joblib/benign.pkl.bz2', bytes: fixture('benign.pkl.bz2'), want: 'safe' },
    { name: 'joblib/evil.pkl.bz2', bytes: fixture('evil.pkl.bz2'), want: 'dangerous' },
    { name: 'joblib/benign.joblib.xz', bytes: fixture('benign.joblib.xz'), want: 'safe' },
    { name: 'joblib/evil.joblib.xz', bytes: fixture('evil.joblib.xz'), want: 'dangerous' },
    { name: 'joblib/evil-stack.joblib.xz', bytes: fixture('evil-stack.joblib.xz'), want: 'dangerous' },
    { name: 'joblib/benign-lzma.joblib', bytes: fixture('benign-alone.joblib'), want: 'safe' },
    { name: 'joblib/evil-lzma.joblib', bytes: fixture('evil-alone.joblib'), want: 'dangerous' },
    { name: 'joblib/xz-named.txt', bytes: fixture('evil.joblib.xz'), want: 'dangerous' },
    { name: 'torch/bz2-packed-evil.pt', bytes: fixture('evil-torch.pt.bz2'), want: 'dangerous' },
    // Python's bz2 and lzma read concatenated streams: the hostile pickle in the second one is still loaded
    { name: 'joblib/benign-then-evil-stream.pkl.bz2', bytes: concat([fixture('benign.pkl.bz2'), fixture('evil.pkl.bz2')]), want: 'dangerous' },
    { name: 'joblib/xz-then-evil-lzma-stream.joblib.xz', bytes: concat([fixture('benign.joblib.xz'), fixture('evil-alone.joblib')]), want: 'dangerous' },
    { name: 'joblib/truncated.joblib.xz', bytes: fixture('benign.joblib.xz').subarray(0, 40), want: 'unscanned' },
    // Keras
    { name: 'keras/benign.keras', bytes: kerasArchive(kerasModelConfig([{ class_name: 'Dense', config: { units: 3 } }])), want: 'safe' },
    { name: 'keras/lambda.keras', bytes: kerasArchive(kerasModelConfig([{ class_name: 'Lambda', config: { name: 'pwn', function: '4wEAAAAAAAAA' } }])), want: 'dangerous' },
    // Keras H5, real HDF5 structure: the config as h5py writes it (a variable-length string in the global heap), inline,
    // in a continuation block past the first 16 MiB, and a weights-only file
    { name: 'keras/benign.h5', bytes: hdf5Bytes([{ name: 'keras_version', value: '2.11.0' }, { name: 'model_config', value: JSON.stringify(kerasModelConfig([{ class_name: 'Dense', config: { units: 3 } }])) }]), want: 'safe' },
    { name: 'keras/weights-only.h5', bytes: hdf5Bytes([]), want: 'safe' },
    { name: 'keras/lambda.h5', bytes: hdf5Bytes([{ name: 'keras_version', value: '2.11.0' }, { name: 'model_config', value: JSON.stringify(kerasModelConfig([{ class_name: 'Lambda', config: { name: 'l', function: '4wEAAAAAAAAA' } }])) }]), want: 'dangerous' },
    { name: 'keras/lambda-inline.h5', bytes: hdf5Bytes([{ name: 'model_config', value: JSON.stringify(kerasModelConfig([{ class_name: 'Lambda', config: { name: 'l', function: '4wEAAAAAAAAA' } }])), storage: 'fixed' }]), want: 'dangerous' },
    { name: 'keras/lambda-past-16MiB.h5', bytes: hdf5Bytes([{ name: 'backend', value: 'tensorflow' }, { name: 'model_config', value: JSON.stringify(kerasModelConfig([{ class_name: 'Lambda', config: { name: 'l', function: '4wEAAAAAAAAA' } }])) }], { farAfter: 17 * 1024 * 1024 }), want: 'dangerous' },
    { name: 'keras/custom-object.h5', bytes: hdf5Bytes([{ name: 'model_config', value: JSON.stringify(kerasModelConfig([{ class_name: 'Dense', config: {} }, { module: 'evil_layers', class_name: 'Backdoor', config: {} }])) }]), want: 'suspicious' },
    { name: 'keras/not-hdf5-after-signature.h5', bytes: concat([Uint8Array.of(0x89), text('HDF\r\n'), Uint8Array.of(0x1a, 0x0a), new Uint8Array(100), text('model_config\0'), text('{ "class_name": "Lambda", "config": {} }')]), want: 'dangerous' },
    // ONNX
    { name: 'onnx/benign.onnx', bytes: onnxModelBytes({ initializers: [{ name: 'w', dims: [2], raw: new Uint8Array(8) }, { name: 'x', dims: [2], externalLocation: 'weights.bin' }] }), want: 'safe' },
    { name: 'onnx/traversal.onnx', bytes: onnxModelBytes({ initializers: [{ name: 'w', dims: [2], externalLocation: '../../../etc/passwd' }] }), want: 'dangerous' },
    { name: 'onnx/custom-domain.onnx', bytes: onnxModelBytes({ opsets: [{ domain: '', version: 17 }, { domain: 'com.evil', version: 1 }], nodes: [{ opType: 'Pwn', domain: 'com.evil' }] }), want: 'suspicious' },
    // GGUF
    { name: 'gguf/benign.gguf', bytes: ggufBytes([['tokenizer.chat_template', { type: 'string', value: "{% for m in messages %}{{ '<|' + m['role'] + '|>' + m['content'] }}{% endfor %}" }]], [{ name: 't', dims: [8], ggmlType: 0 }]), want: 'safe' },
    { name: 'gguf/CVE-2024-34359-template.gguf', bytes: ggufBytes([['tokenizer.chat_template', { type: 'string', value: "{% for x in ().__class__.__base__.__subclasses__() %}{% if 'warning' in x.__name__ %}{{ x()._module.__builtins__['__import__']('os').popen('id').read() }}{% endif %}{% endfor %}" }]]), want: 'dangerous' },
    { name: 'gguf/escaped-dunder.gguf', bytes: ggufBytes([['tokenizer.chat_template.rag', { type: 'string', value: "{{ ()|attr('\\x5f\\x5fclass\\x5f\\x5f') }}" }]]), want: 'dangerous' },
    // safetensors
    { name: 'safetensors/benign.safetensors', bytes: st(), want: 'safe' },
    { name: 'safetensors/length-beyond-file.safetensors', bytes: concat([Uint8Array.of(0xff, 0xff, 0, 0, 0, 0, 0, 0), text('{"a":1}')]), want: 'suspicious' },
    { name: 'safetensors/overlap.safetensors', bytes: overlapSafetensors(), want: 'suspicious' },
    { name: 'safetensors/shape-mismatch.safetensors', bytes: safetensorsBytes([{ name: 'w', dtype: 'F32', shape: [5], data: new Uint8Array(16) }]), want: 'suspicious' },
    // not models
    { name: 'other/README.md', bytes: text('# card\n'), want: 'safe' },
  ];
}

function overlapSafetensors(): Uint8Array {
  const header = text(JSON.stringify({ a: { dtype: 'U8', shape: [8], data_offsets: [0, 8] }, b: { dtype: 'U8', shape: [8], data_offsets: [0, 8] } }).padEnd(88, ' '));
  const len = new Uint8Array(8);
  new DataView(len.buffer).setUint32(0, header.length, true);
  return concat([len, header, new Uint8Array(8)]);
}

