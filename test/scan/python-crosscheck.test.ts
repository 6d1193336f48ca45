/**
 * An outside check of the writers and the disassembler: CPython's own pickletools must accept every pickle we
 * build, a CPython Unpickler whose find_class only records names (it returns an inert stub and never imports
 * anything) must see the same globals our scanner lists, and CPython's zipfile must read our zips. Skipped, with a
 * message, where python3 is absent.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  benignStateDictPickle,
  buildPickle,
  buildZip,
  concat,
  maliciousPickleGlobal,
  maliciousPickleStackGlobal,
  op,
  pytorchZip,
} from '../../ingest/scan/build.ts';
import { scanPickle } from '../../ingest/scan/pickle-scan.ts';
import { PYTHON2_MODULES, PYTHON2_NAMES } from '../../ingest/scan/python2-names.ts';
import { readZipDirectory } from '../../ingest/scan/zip.ts';
import { memoryReader } from './helpers.ts';

const probe = spawnSync('python3', ['-c', 'import pickletools, zipfile'], { encoding: 'utf8' });
const skip = probe.error || probe.status !== 0 ? 'python3 (with pickletools and zipfile) not available on this machine' : false;

const DIS = 'import pickletools,sys; pickletools.dis(sys.stdin.buffer.read())';
const LIST_GLOBALS = `
import io, pickle, sys
data = sys.stdin.buffer.read()
found = []
class Stub:
    def __init__(self, *args, **kwargs): pass
    def __setitem__(self, key, value): pass
    def __setstate__(self, state): pass
class NamesOnly(pickle.Unpickler):
    def find_class(self, module, name):
        found.append(module + "." + name)
        return Stub
    def persistent_load(self, pid):
        return None
stream = io.BytesIO(data)
while stream.tell() < len(data):
    NamesOnly(stream).load()
print("\\n".join(dict.fromkeys(found)))
`;

function python(script: string, input?: Uint8Array, args: string[] = []) {
  const r = spawnSync('python3', ['-c', script, ...args], { input, encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const pickles: Record<string, Uint8Array> = {
  'benign state dict (protocol 2)': benignStateDictPickle(['encoder.weight', 'encoder.bias']),
  'STACK_GLOBAL via memo (protocol 4)': maliciousPickleStackGlobal('echo pwned'),
  'GLOBAL builtins.exec (protocol 0)': maliciousPickleGlobal(),
  'INST (protocol 0)': buildPickle([op.mark(), op.string0('ls'), op.inst('os', 'system'), op.stop()]),
};

describe('python3 cross-check', { skip }, () => {
  const dir = skip ? '' : mkdtempSync(join(tmpdir(), 'aispm-scan-'));
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const [name, bytes] of Object.entries(pickles)) {
    it(`pickletools accepts, and CPython sees our globals: ${name}`, () => {
      const dis = python(DIS, bytes);
      assert.equal(dis.status, 0, `pickletools.dis failed: ${dis.stderr}`);
      assert.match(dis.stdout, /STOP/);
      const listed = python(LIST_GLOBALS, bytes);
      assert.equal(listed.status, 0, listed.stderr);
      const theirs = listed.stdout.trim().split('\n').filter(Boolean);
      const ours = scanPickle(bytes);
      assert.equal(ours.broke, undefined);
      assert.deepEqual(ours.globals, theirs);
    });
  }

  it('pickletools rejects what our scanner calls truncated (both see the same break)', () => {
    const full = maliciousPickleGlobal();
    const cut = full.subarray(0, full.length - 1);
    assert.notEqual(python(DIS, cut).status, 0);
    assert.match(scanPickle(cut).broke?.message ?? '', /truncated/);
  });

  it("the Python 2 names table is CPython's _compat_pickle: every entry, with the same Python 3 home", () => {
    const r = python('import json, _compat_pickle as c; print(json.dumps({"modules": c.IMPORT_MAPPING, "names": [[list(k), list(v)] for k, v in c.NAME_MAPPING.items()]}))');
    assert.equal(r.status, 0, r.stderr);
    const theirs = JSON.parse(r.stdout) as { modules: Record<string, string>; names: Array<[[string, string], [string, string]]> };
    for (const [old, home] of Object.entries(theirs.modules)) assert.equal(PYTHON2_MODULES.get(old), home, old);
    assert.deepEqual([...PYTHON2_MODULES.keys()].filter((m) => !(m in theirs.modules)), []);
    const ours = new Map(PYTHON2_NAMES.map(({ from, to }) => [from.join(' '), to.join(' ')]));
    for (const [from, to] of theirs.names) assert.equal(ours.get(from.join(' ')), to.join(' '), from.join(' '));
    // the exceptions other versions and Windows builds add are ours too; nothing else is
    const theirNames = new Set(theirs.names.map(([from]) => from.join(' ')));
    const extra = [...ours.keys()].filter((k) => !theirNames.has(k));
    assert.ok(extra.every((k) => ['exceptions TargetScopeError', 'exceptions WindowsError'].includes(k)), extra.join(', '));
  });

  it('zipfile reads our stored, deflated, ZIP64 and prefixed archives and lists what our reader lists', async () => {
    const pkl = benignStateDictPickle();
    const archives = {
      'stored.zip': pytorchZip(pkl, { tensorBytes: 4096 }),
      'zip64.zip': pytorchZip(pkl, { tensorBytes: 4096, zip64: true }),
      'deflated.zip': buildZip([{ name: 'archive/data.pkl', data: pkl, method: 8 }]),
      // data in front: zipfile finds the archive by its end record, as the scanner does
      'prefixed.zip': concat([new TextEncoder().encode('#!/bin/sh\nexit 0\n'), pytorchZip(pkl, { tensorBytes: 4096 })]),
      'prefixed-zip64.zip': concat([new Uint8Array(333), pytorchZip(pkl, { tensorBytes: 4096, zip64: true })]),
    };
    for (const [file, bytes] of Object.entries(archives)) {
      const path = join(dir, file);
      writeFileSync(path, bytes);
      const r = python(
        'import sys, zipfile, hashlib\nz = zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nprint(hashlib.sha256(z.read("archive/data.pkl")).hexdigest())\nprint(",".join(z.namelist()))',
        undefined,
        [path],
      );
      assert.equal(r.status, 0, `${file}: ${r.stderr}`);
      const [sha, names] = r.stdout.trim().split('\n');
      const ours = python('import sys, hashlib; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())', pkl).stdout.trim();
      assert.equal(sha, ours, file);
      assert.ok(names?.startsWith('archive/data.pkl'), file);
      const listed = await readZipDirectory(memoryReader(bytes).read, bytes.length);
      assert.deepEqual(listed.entries.map((e) => e.name).join(','), names, file);
    }
  });
});
