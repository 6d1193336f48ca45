import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  classifyGlobal,
  classifyGlobals,
  DANGEROUS_GLOBALS,
  SAFE_GLOBALS,
  SCANNER_VERSION,
} from '../../ingest/scan/classify.ts';

describe('classifyGlobal', () => {
  const cases: Array<[string, 'safe' | 'suspicious' | 'dangerous', string]> = [
    ['torch._utils._rebuild_tensor_v2', 'safe', 'torch tensor rebuild'],
    ['torch.FloatStorage', 'safe', 'storage type'],
    ['collections.OrderedDict', 'safe', 'state dict container'],
    ['numpy.core.multiarray._reconstruct', 'safe', 'numpy array'],
    ['numpy._core.multiarray._reconstruct', 'safe', 'numpy 2 array'],
    ['builtins.set', 'safe', 'protocol-2 set'],
    ['os.system', 'dangerous', 'shell'],
    ['posix.system', 'dangerous', 'what os.system pickles as on Linux'],
    ['nt.system', 'dangerous', 'what os.system pickles as on Windows'],
    ['os.path.join', 'dangerous', "parent-module rule: 'os' covers os.path"],
    ['subprocess.Popen', 'dangerous', 'process'],
    ['builtins.eval', 'dangerous', 'eval'],
    ['__builtin__.eval', 'dangerous', 'Python 2 spelling (the ykilcher demo)'],
    ['builtins.exec', 'dangerous', 'exec'],
    ['builtins.getattr', 'dangerous', 'reflection gadget'],
    ['builtins.getattr.__call__', 'dangerous', 'attribute path below a denied name'],
    ['runpy._run_code', 'dangerous', 'runpy'],
    ['socket.create_connection', 'dangerous', 'network'],
    ['requests.api.get', 'dangerous', 'requests submodule'],
    ['requests.get', 'dangerous', 'requests'],
    ['webbrowser.open', 'dangerous', 'webbrowser'],
    ['pickle.loads', 'dangerous', 'nested unpickling'],
    ['_pickle.loads', 'dangerous', 'nested unpickling (C module)'],
    ['torch.load', 'dangerous', 'nested torch.load'],
    ['torch.hub.load', 'dangerous', 'torch.hub wildcard'],
    ['asyncio.subprocess.create_subprocess_shell', 'dangerous', 'asyncio subprocess'],
    ['pdb.run', 'dangerous', 'debugger runs strings'],
    ['operator.attrgetter', 'dangerous', 'gadget'],
    ['unknown.unknown', 'dangerous', 'unresolved STACK_GLOBAL'],
    ['os\nsystem', 'dangerous', 'no real module has a newline'],
    ['foo..bar', 'dangerous', 'empty dotted part'],
    ['justaname', 'dangerous', 'no module part'],
    ['osx.thing', 'suspicious', "prefix matching is per dotted part: 'osx' is not 'os'"],
    ['builtins.print', 'suspicious', 'not allowlisted, not denylisted'],
    ['sklearn.linear_model._logistic.LogisticRegression', 'suspicious', 'custom class'],
    ['torch._utils._rebuild_tensor_v2.extra', 'suspicious', 'the allowlist matches exactly'],
    ['joblib.numpy_pickle.NumpyArrayWrapper', 'suspicious', 'joblib arrays are not dangerous by themselves'],
    // Python 2 names a protocol 0–2 pickle may use: CPython's find_class maps them (_compat_pickle) before importing
    ['__builtin__.reduce', 'dangerous', 'mapped by name to functools.reduce'],
    ['__builtin__.intern', 'dangerous', 'mapped by name to sys.intern'],
    ['_multiprocessing.Connection', 'dangerous', 'mapped by name to multiprocessing.connection.Connection'],
    ['Cookie.SimpleCookie', 'dangerous', 'Cookie is http.cookies'],
    ['cookielib.CookieJar', 'dangerous', 'cookielib is http.cookiejar'],
    ['urlparse.urljoin', 'dangerous', 'urlparse is urllib.parse'],
    ['robotparser.RobotFileParser', 'dangerous', 'robotparser is urllib.robotparser'],
    ['SimpleXMLRPCServer.SimpleXMLRPCServer', 'dangerous', 'SimpleXMLRPCServer is xmlrpc.server'],
    ['DocXMLRPCServer.DocXMLRPCServer', 'dangerous', 'DocXMLRPCServer is xmlrpc.server'],
    ['__builtin__.xrange', 'safe', 'mapped by name to builtins.range'],
    ['__builtin__.set', 'safe', 'protocol 2 writes set under its Python 2 home'],
    ['itertools.izip', 'suspicious', 'mapped by name to builtins.zip: on neither list'],
  ];
  for (const [g, want, why] of cases) {
    it(`${JSON.stringify(g)} → ${want} (${why})`, () => assert.equal(classifyGlobal(g), want));
  }
});

describe('classifyGlobals', () => {
  it('is safe for an allowlisted set, and for no globals at all', () => {
    assert.deepEqual(classifyGlobals(['collections.OrderedDict', 'torch._utils._rebuild_tensor_v2', 'torch.FloatStorage']), {
      verdict: 'safe',
      dangerous: [],
      suspicious: [],
      decidedBy: 'allowlist',
    });
    assert.equal(classifyGlobals([]).verdict, 'safe');
  });

  it('takes the worst verdict and lists the offenders in order', () => {
    const r = classifyGlobals(['collections.OrderedDict', 'mylib.Thing', 'os.system', 'unknown.unknown', 'other.Thing']);
    assert.equal(r.verdict, 'dangerous');
    assert.deepEqual(r.dangerous, ['os.system', 'unknown.unknown']);
    assert.deepEqual(r.suspicious, ['mylib.Thing', 'other.Thing']);
    assert.equal(classifyGlobals(['collections.OrderedDict', 'mylib.Thing']).verdict, 'suspicious');
  });
});

describe('the published lists', () => {
  it('every allowlisted name classifies as safe (no list contradicts the other)', () => {
    for (const group of SAFE_GLOBALS) {
      for (const rule of group.rules) {
        assert.notEqual(rule.names, '*', 'the allowlist names names, never whole modules');
        for (const n of rule.names) assert.equal(classifyGlobal(`${rule.module}.${n}`), 'safe', `${rule.module}.${n}`);
      }
    }
  });

  it('every denylisted entry classifies as dangerous, and each group says why', () => {
    for (const group of DANGEROUS_GLOBALS) {
      assert.ok(group.why.length > 10, group.category);
      for (const rule of group.rules) {
        const names = rule.names === '*' ? ['anything', 'sub.module.fn'] : rule.names;
        for (const n of names) assert.equal(classifyGlobal(`${rule.module}.${n}`), 'dangerous', `${rule.module}.${n}`);
      }
    }
  });

  it('has a versioned scanner name', () => {
    assert.match(SCANNER_VERSION, /^aispm-scan\/\d+\.\d+\.\d+$/);
  });
});
