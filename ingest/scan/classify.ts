/**
 * Verdicts for the globals a pickle imports.
 *
 * Three outcomes, from an allowlist and a denylist:
 * - dangerous: the global can run code, spawn processes, touch the network or files, load another pickle, or is a
 *   known gadget for chaining calls; also any STACK_GLOBAL we could not resolve ("unknown.unknown") and any name no
 *   real Python module could have (an evasion signal).
 * - safe: the global is on a short allowlist of what ordinary PyTorch / NumPy / collections checkpoints import.
 * - suspicious: everything else. Unknown is not the same as harmless — a custom class can run code in
 *   `__reduce__`/`__setstate__` — but neither is it proof of an attack.
 *
 * Matching: each global is "module.name" with dots inside both parts, so we match on the dotted text. A denylist
 * entry `module: '*'` covers that module, every submodule and every attribute path below it (the parent-module
 * rule: `os: '*'` catches `os.path.join` and `os.system`). A named entry like `builtins.getattr` also covers
 * attribute paths below it (`builtins.getattr.__call__`). The allowlist matches exactly, nothing below.
 *
 * The lists were written for aispm after reading picklescan's and modelscan's published lists and PyTorch's
 * weights-only allowlist; the grouping and reasons are ours.
 */
import { UNRESOLVED_GLOBAL } from './pickle-scan.ts';
import { python3Spellings } from './python2-names.ts';

/**
 * Name and version of this scanner, recorded on every scanned File node. Bump rule:
 * - major: the result shape or the meaning of a verdict changes;
 * - minor: the allow/deny lists or the parsing change so that some file could get a different verdict;
 * - patch: fixes that cannot change the verdict of a well-formed pickle (messages, performance).
 * A re-scan is worth doing whenever the recorded version differs in major or minor.
 */
export const SCANNER_VERSION = 'aispm-scan/2.3.0';

export type GlobalVerdict = 'safe' | 'suspicious' | 'dangerous';

export interface GlobalRule {
  module: string;
  /** '*' = the whole module and everything below it; otherwise attribute names (may be dotted qualnames). */
  names: '*' | readonly string[];
}

export interface RuleGroup {
  category: string;
  /** Why the globals in this group get their verdict. */
  why: string;
  rules: readonly GlobalRule[];
}

const all = (...modules: string[]): GlobalRule[] => modules.map((module) => ({ module, names: '*' }));
const some = (module: string, ...names: string[]): GlobalRule => ({ module, names });

/** Python 2's name for builtins appears in old pickles and in attacks written for both. */
const builtinNames = (...names: string[]): GlobalRule[] => [some('builtins', ...names), some('__builtin__', ...names)];

export const DANGEROUS_GLOBALS: readonly RuleGroup[] = [
  {
    category: 'code-execution',
    why: 'Runs Python source or bytecode given as data, imports arbitrary modules, or builds functions from code objects.',
    rules: [
      ...builtinNames('eval', 'exec', 'execfile', 'compile', '__import__', 'apply', 'breakpoint', 'input', 'reload'),
      ...all('code', 'codeop', 'runpy', 'importlib', 'imp', 'pkgutil', 'marshal', 'ctypes', '_ctypes'),
      some('types', 'FunctionType', 'LambdaType', 'CodeType', 'MethodType', 'ModuleType'),
      ...all('numpy.f2py', 'numpy.testing._private.utils', 'numpy.distutils'),
      some('torch.jit.unsupported_tensor_ops', 'execWrapper'),
      some('torch._inductor.codecache', 'compile_file'),
      some('torch._dynamo.guards', 'GuardBuilder.get'),
      some('torch.fx.experimental.symbolic_shapes', 'ShapeEnv.evaluate_guards_expression'),
      some('torch.utils._config_module', 'ConfigModule.load_config'),
      some('torch.utils.data.datapipes.utils.decoder', 'basichandlers'),
      ...all('torch.hub', 'torch.utils.bottleneck', 'idlelib', 'lib2to3'),
    ],
  },
  {
    category: 'reflection-gadget',
    why: 'Reaches attributes or builds calls indirectly; chained with harmless-looking globals it reaches anything.',
    rules: [
      ...builtinNames('getattr', 'setattr', 'delattr', 'globals', 'locals', 'vars', '__getattribute__'),
      some('operator', 'attrgetter', 'itemgetter', 'methodcaller'),
      some('_operator', 'attrgetter', 'itemgetter', 'methodcaller'),
      some('functools', 'partial', 'reduce'),
      some('_functools', 'partial', 'reduce'),
    ],
  },
  {
    category: 'process-and-os',
    why: 'Runs shell commands or programs, changes the process, or reads and writes the environment.',
    rules: all(
      'os', 'posix', 'nt', 'subprocess', '_posixsubprocess', 'pty', 'commands', 'popen2', 'multiprocessing',
      'asyncio', 'sys', '_thread', 'thread', '_osx_support', '_aix_support', '_pyrepl', 'pyrepl', 'signal',
    ).concat(
      some('platform', 'popen', '_syscmd_file', '_syscmd_ver'),
      some('uuid', '_get_command_stdout', '_popen', '_ifconfig_getnode', '_ip_getnode', '_arp_getnode', '_lanscan_getnode', '_netstat_getnode'),
      some('imaplib', 'IMAP4_stream'),
      some('ctypes.util', 'find_library'),
      some('distutils.spawn', 'spawn'),
    ),
  },
  {
    category: 'string-resolver',
    why: 'Turns a string into an object or evaluates it: any callable is one string away.',
    rules: [
      some('logging.config', '_resolve', 'dictConfig', 'fileConfig', 'listen', 'valid_ident', 'BaseConfigurator', 'DictConfigurator'),
      some('typing', '_eval_type', 'ForwardRef', 'get_type_hints', '_type_check'),
      some('pydoc', 'locate'),
      some('pkgutil', 'resolve_name'),
      some('sympy', 'sympify', 'parse_expr'),
      some('sympy.core.sympify', 'sympify'),
      some('sympy.parsing.sympy_parser', 'parse_expr'),
      some('numpy', 'safe_eval'),
      some('numpy.lib.utils', 'safe_eval'),
      some('pandas.core.computation.eval', 'eval'),
      some('pandas', 'eval'),
      some('operator', 'call'),
      some('_operator', 'call'),
      some('torch.fx.graph_module', '_forward_from_src', 'reduce_graph_module'),
      some('torch.package', 'PackageImporter'),
    ],
  },
  {
    category: 'filesystem',
    why: 'Opens, copies, moves or deletes files.',
    rules: [
      ...builtinNames('open', 'file'),
      some('io', 'open', 'open_code', 'FileIO'),
      some('_io', 'open', 'open_code', 'FileIO'),
      some('codecs', 'open'),
      some('logging', 'FileHandler'),
      ...all('logging.handlers'),
      ...all('shutil', 'pathlib', 'tempfile', 'fileinput', 'distutils.file_util'),
    ],
  },
  {
    category: 'network',
    why: 'Opens connections or sends requests: exfiltration, downloading a second stage, reverse shells.',
    rules: all(
      'socket', '_socket', 'ssl', 'socketserver', 'http', 'httplib', 'urllib', 'urllib2', 'urllib3', 'requests',
      'httpx', 'aiohttp', 'ftplib', 'smtplib', 'telnetlib', 'xmlrpc', 'webbrowser', 'paramiko',
    ),
  },
  {
    category: 'nested-deserialization',
    why: 'Loads another serialized object; the inner payload escapes this scan.',
    rules: [
      ...all('pickle', '_pickle', 'cPickle', 'dill', 'cloudpickle', 'shelve', 'jsonpickle'),
      some('copyreg', 'add_extension'),
      some('copy_reg', 'add_extension'),
      some('joblib', 'load'),
      some('joblib.numpy_pickle', 'load', 'load_compatibility', '_unpickle'),
      some('torch.serialization', 'load', '_load', '_legacy_load'),
      some('torch', 'load'),
      some('numpy', 'load'),
      some('numpy.lib.npyio', 'load'),
      some('numpy.lib._npyio_impl', 'load'),
      some('numpy.lib.format', 'read_array'),
      some('pandas', 'read_pickle'),
      some('pandas.io.pickle', 'read_pickle'),
      some('yaml', 'load', 'unsafe_load', 'full_load', 'load_all', 'unsafe_load_all', 'full_load_all', 'UnsafeLoader', 'FullLoader', 'Loader'),
      some('keras.models', 'load_model'),
      some('tensorflow.keras.models', 'load_model'),
    ],
  },
  {
    category: 'debugger-profiler',
    why: 'Debuggers, profilers and timers take Python source as a string and run it.',
    rules: [
      ...all('pdb', 'bdb', 'trace', 'timeit', 'cProfile', 'profile', 'doctest', 'pydoc'),
      some('torch.utils.collect_env', 'run'),
    ],
  },
  {
    category: 'package-install',
    why: 'Installs packages or creates environments: runs setup code fetched from elsewhere.',
    rules: all('pip', 'ensurepip', 'venv', 'setuptools'),
  },
];

export const SAFE_GLOBALS: readonly RuleGroup[] = [
  {
    category: 'pytorch-tensors',
    why: 'How torch.save writes tensors, parameters, storages, dtypes and sizes; they rebuild data, nothing else.',
    rules: [
      some(
        'torch._utils',
        '_rebuild_tensor', '_rebuild_tensor_v2', '_rebuild_tensor_v3', '_rebuild_parameter',
        '_rebuild_parameter_with_state', '_rebuild_qtensor', '_rebuild_sparse_tensor', '_rebuild_device_tensor_from_numpy',
        '_rebuild_meta_tensor_no_storage', '_rebuild_nested_tensor',
      ),
      some('torch._tensor', '_rebuild_from_type_v2'),
      some(
        'torch',
        'Size', 'Tensor', 'device', 'dtype', 'UntypedStorage', 'TypedStorage',
        'FloatStorage', 'DoubleStorage', 'HalfStorage', 'BFloat16Storage', 'LongStorage', 'IntStorage',
        'ShortStorage', 'CharStorage', 'ByteStorage', 'BoolStorage', 'ComplexFloatStorage', 'ComplexDoubleStorage',
        'QInt8Storage', 'QUInt8Storage', 'QInt32Storage', 'QUInt4x2Storage', 'QUInt2x4Storage',
        'float16', 'float32', 'float64', 'bfloat16', 'int8', 'int16', 'int32', 'int64', 'uint8', 'bool',
        'complex64', 'complex128', 'float8_e4m3fn', 'float8_e5m2',
      ),
      some('torch.nn.parameter', 'Parameter'),
      some('torch.serialization', '_get_layout'),
    ],
  },
  {
    category: 'numpy-arrays',
    why: 'How NumPy pickles arrays, scalars and dtypes.',
    rules: [
      some('numpy', 'dtype', 'ndarray'),
      some('numpy.core.multiarray', '_reconstruct', 'scalar'),
      some('numpy._core.multiarray', '_reconstruct', 'scalar'),
    ],
  },
  {
    category: 'plain-containers',
    why: 'Standard containers and the helpers protocol 2 uses to write bytes, sets and slices.',
    rules: [
      some('collections', 'OrderedDict'),
      some('builtins', 'set', 'frozenset', 'slice', 'complex', 'bytearray', 'range'),
      // protocol 2 writes Python 3's builtins under their Python 2 home (fix_imports maps them back on load)
      some('__builtin__', 'set', 'frozenset', 'slice', 'complex', 'bytearray'),
      some('_codecs', 'encode'),
    ],
  },
];

interface CompiledRules {
  wholeModules: Set<string>;
  names: Set<string>;
  categoryOf: Map<string, string>;
}

function compile(groups: readonly RuleGroup[]): CompiledRules {
  const out: CompiledRules = { wholeModules: new Set(), names: new Set(), categoryOf: new Map() };
  for (const group of groups) {
    for (const rule of group.rules) {
      const keys = rule.names === '*' ? [rule.module] : rule.names.map((n) => `${rule.module}.${n}`);
      for (const k of keys) {
        (rule.names === '*' ? out.wholeModules : out.names).add(k);
        if (!out.categoryOf.has(k)) out.categoryOf.set(k, group.category);
      }
    }
  }
  return out;
}

const denied = compile(DANGEROUS_GLOBALS);
const allowed = compile(SAFE_GLOBALS);

/** Letters, digits, '_' and '.', with no empty dotted part: what a Python module path and qualname can be. */
const PLAUSIBLE_NAME = /^[\p{L}\p{N}_]+(\.[\p{L}\p{N}_]+)+$/u;

/** Modules whose attributes reach the process, the interpreter or the shell: a dotted path through one is dangerous. */
const GATEWAY_MODULES = new Set(['os', 'sys', 'subprocess', 'builtins', '__builtin__', 'posix', 'nt', 'importlib', 'ctypes']);

export type Decider = 'denylist' | 'allowlist' | 'neither';

export interface GlobalJudgement {
  verdict: GlobalVerdict;
  /** Which list decided: the denylist (or a rule standing for it), the allowlist, or neither (suspicious). */
  decidedBy: Decider;
  /** The rule category that matched (`code-execution`, `pytorch-tensors`, …) or why no list did. */
  rule: string;
}

function denyCategory(global: string): string | undefined {
  const parts = global.split('.');
  for (let i = 1; i <= parts.length; i++) {
    const prefix = parts.slice(0, i).join('.');
    if (i < parts.length && denied.wholeModules.has(prefix)) return denied.categoryOf.get(prefix);
    if (denied.names.has(prefix)) return denied.categoryOf.get(prefix);
  }
  // a dotted path that walks through os, sys, subprocess or builtins (posixpath.os.system, torch.sys.modules)
  if (parts.slice(1, -1).some((p) => GATEWAY_MODULES.has(p))) return 'process-and-os';
  return undefined;
}

/** The verdict for one "module.name" global, and which list decided it. */
export function judgeGlobal(global: string): GlobalJudgement {
  if (global === UNRESOLVED_GLOBAL) return { verdict: 'dangerous', decidedBy: 'denylist', rule: 'unresolved-name' };
  if (!PLAUSIBLE_NAME.test(global)) return { verdict: 'dangerous', decidedBy: 'denylist', rule: 'implausible-name' };
  // a Python 2 name is judged under the Python 3 home CPython's unpickler imports instead, too
  const spellings = [global, ...python3Spellings(global)];
  for (const g of spellings) {
    const category = denyCategory(g);
    if (category) return { verdict: 'dangerous', decidedBy: 'denylist', rule: category };
  }
  for (const g of spellings) {
    if (allowed.names.has(g)) return { verdict: 'safe', decidedBy: 'allowlist', rule: allowed.categoryOf.get(g) ?? 'allowlist' };
  }
  return { verdict: 'suspicious', decidedBy: 'neither', rule: 'not-on-either-list' };
}

/** The verdict for one "module.name" global. */
export function classifyGlobal(global: string): GlobalVerdict {
  return judgeGlobal(global).verdict;
}

export interface Classification {
  verdict: GlobalVerdict;
  dangerous: string[];
  suspicious: string[];
  /** The list behind the verdict: denylist for dangerous, neither for suspicious, allowlist (or none: no globals). */
  decidedBy: Decider | 'no-globals';
}

/** The file verdict is the worst of its globals; no globals at all is safe (plain data). */
export function classifyGlobals(globals: readonly string[]): Classification {
  const dangerous: string[] = [];
  const suspicious: string[] = [];
  for (const g of globals) {
    const v = classifyGlobal(g);
    if (v === 'dangerous') dangerous.push(g);
    else if (v === 'suspicious') suspicious.push(g);
  }
  const verdict: GlobalVerdict = dangerous.length > 0 ? 'dangerous' : suspicious.length > 0 ? 'suspicious' : 'safe';
  const decidedBy = verdict === 'dangerous' ? 'denylist' : verdict === 'suspicious' ? 'neither' : globals.length ? 'allowlist' : 'no-globals';
  return { verdict, dangerous, suspicious, decidedBy };
}
