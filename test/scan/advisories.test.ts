/**
 * One regression test per public scanner-bypass class, named after its advisory: each rebuilds the bypass's shape
 * (harmless payload text, never loaded) and checks the verdict a user would see. The zip and broken-stream samples
 * are the corpus's (`corpus.ts`); the callables are the ones each advisory reported missed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildPickle, buildStoredZip, concat, maliciousPickleGlobal, op } from '../../ingest/scan/build.ts';
import { scanBytes, type ScanResult } from '../../ingest/scan/index.ts';
import { corpus } from './corpus.ts';

/** `module.name` called on load: through GLOBAL + REDUCE (protocol 2) and through STACK_GLOBAL (protocol 4). */
function calls(module: string, name: string): Uint8Array[] {
  return [
    buildPickle([op.proto(2), op.global(module, name), op.string0('x'), op.tuple1(), op.reduce(), op.stop()]),
    buildPickle([op.proto(4), op.unicode(module), op.memoize(), op.unicode(name), op.memoize(), op.stackGlobal(), op.unicode('x'), op.tuple1(), op.reduce(), op.stop()]),
  ];
}

async function assertDangerous(label: string, bytes: Uint8Array, global?: string): Promise<ScanResult> {
  const r = await scanBytes(label, bytes);
  assert.equal(r.verdict, 'dangerous', `${label}: ${r.verdict} (${r.decidedBy}) ${r.reason}`);
  if (global) assert.ok(r.globals.includes(global), `${label}: ${r.globals.join(', ')}`);
  return r;
}

const sample = (name: string) => {
  const s = corpus().find((x) => x.name === name);
  assert.ok(s, name);
  return s.bytes;
};

/** Callables picklescan's and fickling's advisories reported as missed, by advisory. */
const MISSED_CALLABLES: Record<string, ReadonlyArray<readonly [string, string]>> = {
  'CVE-2025-1716 (picklescan: pip.main installs and runs a package)': [['pip', 'main'], ['pip._internal', 'main'], ['pip._internal.cli.main', 'main']],
  'picklescan advisories: subprocess reached through asyncio, torch and stdlib helpers': [
    ['asyncio.unix_events', '_UnixSubprocessTransport._start'],
    ['torch.utils.bottleneck.__main__', 'run_autograd_prof'],
    ['torch.jit.unsupported_tensor_ops', 'execWrapper'],
    ['idlelib.pyshell', 'ModifiedInterpreter.runcode'],
    ['lib2to3.pgen2.grammar', 'Grammar.loads'],
    ['numpy.f2py.crackfortran', 'myeval'],
    ['uuid', '_get_command_stdout'],
    ['_osx_support', '_read_output'],
    ['_aix_support', '_read_cmd_output'],
    ['imaplib', 'IMAP4_stream'],
    ['_pyrepl.pager', 'pipe_pager'],
    ['pydoc', 'pipepager'],
    ['logging', 'FileHandler'],
  ],
  'picklescan advisories: string resolvers and loaders under their real homes': [
    ['logging.config', '_resolve'],
    ['pydoc', 'locate'],
    ['pkgutil', 'resolve_name'],
    ['typing', '_eval_type'],
    ['sympy', 'sympify'],
    ['numpy.lib._npyio_impl', 'load'],
    ['torch.serialization', '_load'],
    ['joblib.numpy_pickle', 'load'],
    ['pandas', 'read_pickle'],
    ['yaml', 'unsafe_load'],
    ['_pickle', 'loads'],
  ],
  'fickling advisories: modules its safety check let through': [
    ['pty', 'spawn'],
    ['runpy', '_run_code'],
    ['cProfile', 'run'],
    ['profile', 'Profile.run'],
    ['trace', 'Trace.run'],
    ['timeit', 'timeit'],
    ['code', 'InteractiveInterpreter.runcode'],
    ['marshal', 'loads'],
    ['types', 'FunctionType'],
    ['ctypes', 'CDLL'],
    ['_io', 'FileIO'],
    ['platform', 'popen'],
    ['_thread', 'start_new_thread'],
    ['operator', 'methodcaller'],
    ['posixpath', 'os.system'],
  ],
};

describe('public bypass classes stay caught', () => {
  for (const [advisory, callables] of Object.entries(MISSED_CALLABLES)) {
    it(advisory, async () => {
      for (const [module, name] of callables) {
        for (const bytes of calls(module, name)) await assertDangerous(`${module}.${name}.pkl`, bytes, `${module}.${name}`);
      }
    });
  }

  it('CVE-2025-1889 (picklescan: a pickle in a member without a pickle extension is loaded by torch but not scanned)', async () => {
    const zip = buildStoredZip([
      { name: 'archive/data.pkl', data: buildPickle([op.proto(2), op.emptyDict(), op.stop()]) },
      { name: 'archive/extra/weights.bin', data: maliciousPickleGlobal() },
    ]);
    await assertDangerous('model.pt', zip, 'builtins.exec');
    await assertDangerous('model.pt', sample('torch/renamed-data-pkl.zip'), 'builtins.exec');
  });

  it('CVE-2025-1944 (picklescan: a local header naming the member differently from the central directory)', async () => {
    const r = await assertDangerous('model.pt', sample('torch/CVE-2025-1944-name-mismatch.pt'), 'builtins.exec');
    assert.ok(r.findings.some((f) => /CVE-2025-1944/.test(f)), r.findings.join('; '));
  });

  it('CVE-2025-1945 (picklescan: encryption flag bits that PyTorch ignores)', async () => {
    const r = await assertDangerous('model.pt', sample('torch/CVE-2025-1945-flag-bits.pt'), 'builtins.exec');
    assert.ok(r.findings.some((f) => /CVE-2025-1945/.test(f)), r.findings.join('; '));
  });

  it('nullifAI: a payload before a deliberately broken stream, and 7z-packed checkpoints', async () => {
    await assertDangerous('model.pkl', sample('pickle/payload-then-broken (nullifAI).pkl'), 'builtins.exec');
    // the same trick inside a PyTorch zip
    const broken = concat([maliciousPickleGlobal().subarray(0, -1), Uint8Array.of(0x58, 0xff, 0xff)]);
    await assertDangerous('model.pt', buildStoredZip([{ name: 'archive/data.pkl', data: broken }]), 'builtins.exec');
    const sevenZip = await scanBytes('model.pt', sample('torch/7z-packed.pt'));
    assert.equal(sevenZip.verdict, 'unscanned');
    assert.match(sevenZip.reason, /^unsupported: 7z/);
  });

  it('two end-of-central-directory records (the hostile review: zipfile and miniz read the last one)', async () => {
    const r = await assertDangerous('model.pt', sample('torch/two-eocd-records.pt'), 'builtins.exec');
    assert.ok(r.findings.some((f) => /2 end-of-central-directory records/.test(f)), r.findings.join('; '));
  });

  it('the 1_0 memo key (the hostile review: CPython reads it as memo slot 10)', async () => {
    await assertDangerous('model.pkl', sample('pickle/memo-key-1_0.pkl'), 'os.system');
  });
});
