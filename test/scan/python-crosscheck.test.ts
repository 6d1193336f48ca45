/**
 * An outside check of the writers and the disassembler: CPython's own pickletools must accept every pickle we
 * build, a CPython Unpickler whose find_class only records names (it returns an inert stub and never imports
 * anything) must see the same globals our scanner lists, and CPython's zipfile must read our zips; numpy must
 * read our literal and descr samples and our `.npy` headers as the scanner reads them; jinja2 must render the
 * chat-template evasions into Python internals and the benign templates without error. Skipped, with a message,
 * where python3 (or numpy, or jinja2) is absent.
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
  npyWithHeader,
  pytorchZip,
} from '../../ingest/scan/build.ts';
import { scanBytes } from '../../ingest/scan/index.ts';
import { dtypeKind } from '../../ingest/scan/numpy-descr.ts';
import { parsePythonLiteral, type PyValue } from '../../ingest/scan/python-literals.ts';
import { scanPickle } from '../../ingest/scan/pickle-scan.ts';
import { PYTHON2_MODULES, PYTHON2_NAMES } from '../../ingest/scan/python2-names.ts';
import { readZipDirectory } from '../../ingest/scan/zip.ts';
import { BENIGN_TEMPLATES, EVASIONS, UNPARSEABLE_TEMPLATES } from './chat-templates.ts';
import { memoryReader } from './helpers.ts';
import { DESCR_KINDS, LITERALS } from './npy-samples.ts';

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

function python(script: string, input?: Uint8Array | string, args: string[] = []) {
  const r = spawnSync('python3', ['-c', script, ...args], { input, encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a script that reads JSON on stdin and prints JSON. */
function pythonJson(script: string, input: unknown): unknown {
  const r = python(script, JSON.stringify(input));
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

const importable = (module: string) => !skip && python(`import ${module}`).status === 0;
const skipNumpy = importable('numpy') ? false : 'numpy (python3) not available on this machine';
const skipJinja = importable('jinja2') ? false : 'jinja2 (python3) not available on this machine';

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

/** Python values as JSON both sides can write: what ast.literal_eval gives, named by type. */
const CANON_PY = `
def canon(v):
    if isinstance(v, bool) or v is None: return v
    if isinstance(v, int): return {'int': str(v)}
    if isinstance(v, float): return {'float': v}
    if isinstance(v, str): return {'str': v}
    if isinstance(v, bytes): return {'bytes': list(v)}
    if isinstance(v, tuple): return {'tuple': [canon(x) for x in v]}
    if isinstance(v, list): return [canon(x) for x in v]
    if isinstance(v, dict):
        if all(isinstance(k, str) for k in v): return {'dict': [[k, canon(x)] for k, x in v.items()]}
        return {'opaque': 'dict'}
    if isinstance(v, complex): return {'opaque': 'complex'}
    if isinstance(v, set): return {'opaque': 'set'}
    if v is Ellipsis: return {'opaque': 'ellipsis'}
    raise TypeError(type(v))
`;

function canon(v: PyValue): unknown {
  if (v === null || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return { int: v.toString() };
  if (typeof v === 'number') return { float: v };
  if (typeof v === 'string') return { str: v };
  if (Array.isArray(v)) return v.map(canon);
  if (v instanceof Map) return { dict: [...v].map(([k, x]) => [k, canon(x)]) };
  if ('bytes' in v) return { bytes: [...v.bytes] };
  if ('tuple' in v) return { tuple: v.tuple.map(canon) };
  return v;
}

describe('numpy cross-check', { skip: skip || skipNumpy }, () => {
  it('ast.literal_eval, and numpy\'s _filter_header after it, read every sample literal as our parser does', () => {
    const theirs = pythonJson(
      `import ast, json, sys, warnings
warnings.simplefilter('ignore')
try:
    from numpy.lib._format_impl import _filter_header
except ImportError:
    from numpy.lib.format import _filter_header
${CANON_PY}
out = []
for source in json.load(sys.stdin):
    row = {}
    for mode in ('python3', 'filtered'):
        try:
            try:
                v = ast.literal_eval(source)
            except SyntaxError:
                if mode != 'filtered': raise
                v = ast.literal_eval(_filter_header(source))
            row[mode] = canon(v)
        except Exception:
            row[mode] = 'refused'
    out.append(row)
print(json.dumps(out))`,
      LITERALS.map(([source]) => source),
    ) as Array<Record<'python3' | 'filtered', unknown>>;
    LITERALS.forEach(([source], k) => {
      for (const mode of ['python3', 'filtered'] as const) {
        let ours: unknown;
        try {
          const p = parsePythonLiteral(source, { python2Longs: mode === 'filtered' });
          ours = p.namedEscapes.length > 0 ? 'named' : canon(p.value);
        } catch {
          ours = 'refused';
        }
        // a named escape is left unresolved on purpose: Python must at least accept it
        if (ours === 'named') assert.notEqual(theirs[k]![mode], 'refused', `${mode}: ${source}`);
        else assert.deepEqual(ours, theirs[k]![mode], `${mode}: ${JSON.stringify(source)}`);
      }
    });
  });

  it('numpy builds an object dtype wherever we say object, and only a plain one where we say plain', () => {
    const theirs = pythonJson(
      `import ast, json, sys, warnings
warnings.simplefilter('ignore')
try:
    from numpy.lib._format_impl import descr_to_dtype
except ImportError:
    from numpy.lib.format import descr_to_dtype
out = []
for source in json.load(sys.stdin):
    try:
        out.append('object' if descr_to_dtype(ast.literal_eval(source)).hasobject else 'plain')
    except Exception:
        out.append('refused')
print(json.dumps(out))`,
      DESCR_KINDS.map(([source]) => source),
    ) as string[];
    DESCR_KINDS.forEach(([source, want], k) => {
      const ours = dtypeKind(parsePythonLiteral(source).value);
      assert.equal(ours, want, source);
      if (theirs[k] === 'object') assert.equal(ours, 'object', `numpy reads ${source} as objects`);
      if (ours === 'plain') assert.equal(theirs[k], 'plain', `numpy reads ${source} as ${theirs[k]}`);
      if (ours === 'object') assert.notEqual(theirs[k], 'plain', `numpy reads ${source} as plain data`);
    });
  });

  it('numpy reads the headers of our .npy files as the scanner does (objects → the pickle is walked)', async () => {
    const pickle = buildPickle([op.proto(2), op.emptyTuple(), op.stop()]);
    const h = (descr: string, shape = '(1,)') => `{'descr': ${descr}, 'fortran_order': False, 'shape': ${shape}, }`;
    const files: Array<[string, Uint8Array]> = [
      ['plain', npyWithHeader(h("'<f4'"), new Uint8Array(4))],
      ['named escape', npyWithHeader(h("'\\N{LATIN CAPITAL LETTER O}'"), pickle)],
      ['subarray string', npyWithHeader(h("'(2,)O'"), pickle)],
      ['subarray tuple', npyWithHeader(h("('O', (2,))"), pickle)],
      ['2-character field', npyWithHeader(h("['aO']"), pickle)],
      ['L suffix, v1', npyWithHeader(h("'<f4'", '(2L,)'), new Uint8Array(8), 1)],
      ['L suffix, v2', npyWithHeader(h("'|O'", '(1L,)'), pickle, 2)],
      ['L suffix, v3', npyWithHeader(h("'<f4'", '(2L,)'), new Uint8Array(8), 3)],
    ];
    const theirs = pythonJson(
      `import base64, io, json, sys, warnings
warnings.simplefilter('ignore')
try:
    from numpy.lib import _format_impl as fmt
except ImportError:
    from numpy.lib import format as fmt
out = []
for b64 in json.load(sys.stdin):
    f = io.BytesIO(base64.b64decode(b64))
    try:
        version = fmt.read_magic(f)
        shape, fortran, dtype = fmt._read_array_header(f, version)
        out.append('object' if dtype.hasobject else 'plain')
    except Exception:
        out.append('refused')
print(json.dumps(out))`,
      files.map(([, bytes]) => Buffer.from(bytes).toString('base64')),
    ) as string[];
    for (const [k, [name, bytes]] of files.entries()) {
      const r = await scanBytes('a.npy', bytes);
      const ours = /^object array/.test(r.reason) ? 'object' : /^plain numpy array/.test(r.reason) ? 'plain' : r.verdict === 'unscanned' ? 'refused' : 'unknown';
      if (ours === 'unknown') assert.equal(theirs[k], 'object', `${name}: ${r.reason}`); // not known here, never safe
      else assert.equal(ours, theirs[k], `${name}: ${r.verdict} ${r.reason}`);
    }
  });
});

describe('jinja2 cross-check', { skip: skip || skipJinja }, () => {
  const RENDER = `import json, sys, jinja2
def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)
messages = [{'role': 'system', 'content': 'Be brief.'}, {'role': 'user', 'content': 'Hi'},
            {'role': 'assistant', 'content': '<think>x</think>Hello'}, {'role': 'user', 'content': 'Bye'}]
out = []
for template in json.load(sys.stdin):
    env = jinja2.Environment(trim_blocks=True, lstrip_blocks=True)
    try:
        out.append({'ok': env.from_string(template).render(
            x='', messages=messages, bos_token='<s>', eos_token='</s>', add_generation_prompt=True,
            raise_exception=raise_exception, tools=[{'type': 'function', 'function': {'name': 'f'}}])})
    except Exception as e:
        out.append({'error': type(e).__name__ + ': ' + str(e)})
print(json.dumps(out))`;

  it('a plain jinja2 Environment renders every evasion into Python internals', () => {
    const out = pythonJson(RENDER, EVASIONS.map((e) => e.template)) as Array<{ ok?: string; error?: string }>;
    EVASIONS.forEach((e, k) => assert.match(out[k]!.ok ?? `(error) ${out[k]!.error}`, e.renders, e.name));
  });

  it('jinja2 renders every benign template, and refuses the ones we cannot parse', () => {
    const benign = pythonJson(RENDER, Object.values(BENIGN_TEMPLATES)) as Array<{ ok?: string; error?: string }>;
    Object.keys(BENIGN_TEMPLATES).forEach((name, k) => assert.equal(benign[k]!.error, undefined, name));
    const refused = pythonJson(RENDER, UNPARSEABLE_TEMPLATES) as Array<{ ok?: string; error?: string }>;
    UNPARSEABLE_TEMPLATES.forEach((t, k) => assert.match(refused[k]!.error ?? '', /TemplateSyntaxError/, t));
  });
});
