import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isScanCandidateByName, scanBytes, scanRange, SCANNER_VERSION } from '../../ingest/scan/index.ts';
import { benignStateDictPickle, concat, hdf5Bytes, kerasModelConfig, pytorchZip } from '../../ingest/scan/build.ts';
import { runCli } from '../helpers/cli.ts';
import { assertValidSarif } from '../reports/helpers.ts';
import { corpus } from './corpus.ts';
import { memoryReader } from './helpers.ts';

describe('scan: every sample of the generated corpus gets its verdict', () => {
  for (const s of corpus()) {
    it(`${s.name} → ${s.want}`, async () => {
      const r = await scanBytes(s.name, s.bytes);
      assert.equal(r.verdict, s.want, `${r.verdict} (${r.decidedBy}): ${r.reason}`);
      assert.ok(r.reason.length > 0);
      assert.equal(r.scanner, SCANNER_VERSION);
    });
  }

  it('says which list decided, and records archive problems as findings while still scanning the bytes', async () => {
    const byName = new Map(corpus().map((s) => [s.name, s.bytes]));
    const evil = await scanBytes('a.pt', byName.get('torch/evil.pt')!);
    assert.equal(evil.decidedBy, 'denylist');
    assert.deepEqual(evil.globals, ['os.system']);
    assert.equal((await scanBytes('c.pkl', byName.get('pickle/custom-class.pkl')!)).decidedBy, 'neither');
    assert.equal((await scanBytes('b.pt', byName.get('torch/benign.pt')!)).decidedBy, 'allowlist');
    const crc = await scanBytes('x.pt', byName.get('torch/crc-mismatch.pt')!);
    assert.ok(crc.findings.some((f) => /CRC-32 mismatch/.test(f)), JSON.stringify(crc.findings));
    const two = await scanBytes('x.pt', byName.get('torch/two-eocd-records.pt')!);
    assert.ok(two.findings.some((f) => /2 end-of-central-directory records/.test(f)), JSON.stringify(two.findings));
    const name = await scanBytes('x.pt', byName.get('torch/CVE-2025-1944-name-mismatch.pt')!);
    assert.ok(name.findings.some((f) => /CVE-2025-1944/.test(f)), JSON.stringify(name.findings));
  });

  it('reads a big checkpoint by ranges: the tensors are never fetched', async () => {
    const bytes = pytorchZip(benignStateDictPickle(), { tensorBytes: 8 * 1024 * 1024 });
    const r = await scanRange({ path: 'big.pt', size: bytes.length, read: memoryReader(bytes).read });
    assert.equal(r.verdict, 'safe');
    assert.ok(r.bytesRead < bytes.length / 20, `read ${r.bytesRead} of ${bytes.length}`);
  });

  it('a reader that fails is that file\'s unscanned reason, not an exception', async () => {
    const r = await scanRange({ path: 'x.bin', size: 1000, read: async () => { throw new Error('connection reset'); } });
    assert.equal(r.verdict, 'unscanned');
    assert.match(r.reason, /^error: read failed: connection reset/);
  });

  it('a gzip bomb is unscanned past the bound', async () => {
    const { gzipSync } = await import('node:zlib');
    const r = await scanBytes('m.pkl.gz', new Uint8Array(gzipSync(new Uint8Array(8 * 1024 * 1024))), { maxScanBytes: 64 * 1024 });
    assert.equal(r.verdict, 'unscanned');
    assert.match(r.reason, /decompresses to more than the scan limit/);
  });

  it('finds a Keras H5 config through the HDF5 header wherever it lies, reading under 128 KiB of a 17 MiB file', async () => {
    const lambda = JSON.stringify(kerasModelConfig([{ class_name: 'Lambda', config: { name: 'l' } }]));
    const bytes = hdf5Bytes([{ name: 'model_config', value: lambda }], { farAfter: 17 * 1024 * 1024 });
    const r = await scanRange({ path: 'model.h5', size: bytes.length, read: memoryReader(bytes).read });
    assert.equal(r.verdict, 'dangerous', r.reason);
    assert.match(r.reason, /Lambda layer\(s\) l/);
    assert.ok(r.bytesRead < 128 * 1024, `read ${r.bytesRead} of ${bytes.length}`);
    const broken = await scanBytes('weights.h5', concat([bytes.subarray(0, 8), new Uint8Array(200)]));
    assert.equal(broken.verdict, 'unscanned');
    assert.match(broken.reason, /^error: HDF5 structure unreadable/);
  });
});

describe('which names a source that reads only what may unpickle scans', () => {
  it('every name a pickle loader opens, archives, compressed and extensionless names; not safetensors, GGUF, ONNX or text', () => {
    for (const p of ['a/pytorch_model.bin', 'x.pt', 'x.pth', 'ckpt.pth.tar', 'm.ckpt', 'm.pkl', 'm.pickle', 'clf.sav', 'f.dill', 'w.pdparams', 'o.pdopt', 'm.joblib', 'm.pkl.gz', 'clf.joblib.xz', 'c.joblib.bz2', 'a.npy', 'a.npz', 'a.zip', 'a.tar', 'a.7z', 'weights.dat', 'x.data', 'archive/data']) {
      assert.ok(isScanCandidateByName(p), p);
    }
    for (const p of ['model.safetensors', 'm.gguf', 'm.onnx', 'config.json', 'README.md', 'tokenizer.model.txt']) assert.ok(!isScanCandidateByName(p), p);
  });
});

describe('aispm scan (CLI)', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'aispm-scan-cli-'));
    for (const s of corpus()) {
      const p = join(dir, 'models', s.name);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, s.bytes);
    }
    writeFileSync(join(dir, 'outside.pkl'), corpus()[0]!.bytes);
    symlinkSync(join(dir, 'outside.pkl'), join(dir, 'models', 'escape.pkl'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('gives every file its verdict in JSON, skips a symlink that leaves the root, and exits 1 with --fail-on dangerous', async () => {
    const r = await runCli(['scan', join(dir, 'models'), '--json', '--fail-on', 'dangerous']);
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout) as { files: Array<{ path: string; verdict: string }>; skipped: Array<{ path: string; reason: string }>; summary: Record<string, number> };
    for (const s of corpus()) {
      const f = out.files.find((x) => x.path === join(dir, 'models', s.name));
      assert.equal(f?.verdict, s.want, s.name);
    }
    assert.ok(out.skipped.some((s) => s.path.endsWith('escape.pkl') && /symlink leaves/.test(s.reason)), JSON.stringify(out.skipped));
    assert.equal(out.files.length, corpus().length);
  });

  it('prints a table by default and exits 0 without a gate; SARIF validates against the official schema', async () => {
    const table = await runCli(['scan', join(dir, 'models', 'torch')]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^FILE\s+FORMAT\s+VERDICT\s+GLOBALS/m);
    assert.match(table.stdout, /evil\.pt\s+pytorch-zip\s+dangerous\s+os\.system/);
    const sarif = await runCli(['scan', join(dir, 'models'), '--format', 'sarif']);
    assert.equal(sarif.code, 0, sarif.stderr);
    const log = JSON.parse(sarif.stdout);
    assertValidSarif(log);
    const results = log.runs[0].results as Array<{ ruleId: string; level: string }>;
    assert.equal(results.length, corpus().filter((s) => s.want === 'dangerous' || s.want === 'suspicious').length);
    assert.ok(results.every((x) => /^aispm-scan\/(dangerous|suspicious)-/.test(x.ruleId)));
  });

  it('usage errors exit 2', async () => {
    assert.equal((await runCli(['scan'])).code, 2);
    assert.equal((await runCli(['scan', join(dir, 'nope')])).code, 2);
    assert.equal((await runCli(['scan', dir, '--fail-on', 'bogus'])).code, 2);
  });
});
