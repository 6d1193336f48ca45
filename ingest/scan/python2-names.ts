/**
 * Python 2 names in pickles, and the Python 3 homes CPython's unpickler imports instead. A protocol 0–2 pickle
 * (what Python 2 wrote, and what protocol 2 still writes for a few builtins) goes through `find_class` with
 * `fix_imports` on (the default, and torch.load's): a (module, name) pair that moved on its own is renamed first;
 * otherwise a module that was renamed is. The table is CPython's `Lib/_compat_pickle.py` (`NAME_MAPPING`, then
 * `IMPORT_MAPPING`), grouped here by Python 3 home, with the entries any 3.x version has had.
 */

/** Python 3 module ← the Python 2 modules that were renamed to it. */
const MODULE_HOMES: Readonly<Record<string, readonly string[]>> = {
  builtins: ['__builtin__'],
  copyreg: ['copy_reg'],
  pickle: ['cPickle'],
  queue: ['Queue'],
  socketserver: ['SocketServer'],
  configparser: ['ConfigParser'],
  reprlib: ['repr'],
  io: ['StringIO', 'cStringIO'],
  collections: ['UserDict', 'UserList', 'UserString'],
  'collections.abc': ['_abcoll'],
  subprocess: ['commands'],
  _thread: ['thread'],
  _dummy_thread: ['dummy_thread'],
  _markupbase: ['markupbase'],
  winreg: ['_winreg'],
  dbm: ['anydbm', 'whichdb'],
  'dbm.bsd': ['dbhash'],
  'dbm.dumb': ['dumbdbm'],
  'dbm.ndbm': ['dbm'],
  'dbm.gnu': ['gdbm'],
  'http.client': ['httplib'],
  'http.server': ['BaseHTTPServer', 'SimpleHTTPServer', 'CGIHTTPServer'],
  'http.cookies': ['Cookie'],
  'http.cookiejar': ['cookielib'],
  'html.entities': ['htmlentitydefs'],
  'html.parser': ['HTMLParser'],
  'urllib.request': ['urllib2'],
  'urllib.parse': ['urlparse'],
  'urllib.robotparser': ['robotparser'],
  'xmlrpc.client': ['xmlrpclib'],
  'xmlrpc.server': ['SimpleXMLRPCServer', 'DocXMLRPCServer'],
  'xml.etree.ElementTree': ['_elementtree'],
  'test.support': ['test.test_support'],
  tkinter: ['Tkinter'],
  'tkinter.filedialog': ['tkFileDialog', 'FileDialog'],
  'tkinter.simpledialog': ['tkSimpleDialog', 'SimpleDialog'],
  'tkinter.colorchooser': ['tkColorChooser'],
  'tkinter.commondialog': ['tkCommonDialog'],
  'tkinter.dialog': ['Dialog'],
  'tkinter.dnd': ['Tkdnd'],
  'tkinter.font': ['tkFont'],
  'tkinter.messagebox': ['tkMessageBox'],
  'tkinter.scrolledtext': ['ScrolledText'],
  'tkinter.constants': ['Tkconstants'],
  'tkinter.tix': ['Tix'],
  'tkinter.ttk': ['ttk'],
};

/** Python 2 exception classes, all in `exceptions`, found in `builtins` by the same name. */
const EXCEPTIONS = [
  'ArithmeticError', 'AssertionError', 'AttributeError', 'BaseException', 'BufferError', 'BytesWarning',
  'DeprecationWarning', 'EOFError', 'EnvironmentError', 'Exception', 'FloatingPointError', 'FutureWarning',
  'GeneratorExit', 'IOError', 'ImportError', 'ImportWarning', 'IndentationError', 'IndexError', 'KeyError',
  'KeyboardInterrupt', 'LookupError', 'MemoryError', 'NameError', 'NotImplementedError', 'OSError', 'OverflowError',
  'PendingDeprecationWarning', 'ReferenceError', 'RuntimeError', 'RuntimeWarning', 'StopIteration', 'SyntaxError',
  'SyntaxWarning', 'SystemError', 'SystemExit', 'TabError', 'TargetScopeError', 'TypeError', 'UnboundLocalError',
  'UnicodeDecodeError', 'UnicodeEncodeError', 'UnicodeError', 'UnicodeTranslateError', 'UnicodeWarning',
  'UserWarning', 'ValueError', 'Warning', 'WindowsError', 'ZeroDivisionError',
];

/** `multiprocessing` exceptions, now defined in `multiprocessing.context`. */
const MULTIPROCESSING_EXCEPTIONS = ['AuthenticationError', 'BufferTooShort', 'ProcessError', 'TimeoutError'];

type Pair = readonly [module: string, name: string];

/** Python 3 home ← the Python 2 (module, name) pairs that moved there one by one. */
const NAME_HOMES: ReadonlyArray<readonly [home: Pair, from: readonly Pair[]]> = [
  [['builtins', 'range'], [['__builtin__', 'xrange']]],
  [['builtins', 'chr'], [['__builtin__', 'unichr']]],
  [['builtins', 'str'], [['__builtin__', 'unicode'], ['__builtin__', 'basestring']]],
  [['builtins', 'int'], [['__builtin__', 'long']]],
  [['builtins', 'zip'], [['itertools', 'izip']]],
  [['builtins', 'map'], [['itertools', 'imap']]],
  [['builtins', 'filter'], [['itertools', 'ifilter']]],
  [['builtins', 'Exception'], [['exceptions', 'StandardError']]],
  ...EXCEPTIONS.map((e): readonly [Pair, Pair[]] => [['builtins', e], [['exceptions', e]]]),
  [['functools', 'reduce'], [['__builtin__', 'reduce']]],
  [['sys', 'intern'], [['__builtin__', 'intern']]],
  [['itertools', 'filterfalse'], [['itertools', 'ifilterfalse']]],
  [['itertools', 'zip_longest'], [['itertools', 'izip_longest']]],
  [['collections', 'UserDict'], [['UserDict', 'UserDict'], ['UserDict', 'IterableUserDict']]],
  [['collections', 'UserList'], [['UserList', 'UserList']]],
  [['collections', 'UserString'], [['UserString', 'UserString']]],
  [['dbm', 'whichdb'], [['whichdb', 'whichdb']]],
  [['socket', 'fromfd'], [['_socket', 'fromfd']]],
  [['socket', 'SocketType'], [['socket', '_socketobject']]],
  [['multiprocessing.connection', 'Connection'], [['_multiprocessing', 'Connection']]],
  [['multiprocessing.context', 'Process'], [['multiprocessing.process', 'Process']]],
  [['multiprocessing.popen_fork', 'Popen'], [['multiprocessing.forking', 'Popen']]],
  ...MULTIPROCESSING_EXCEPTIONS.map((e): readonly [Pair, Pair[]] => [['multiprocessing.context', e], [['multiprocessing', e]]]),
  [['urllib.error', 'ContentTooShortError'], [['urllib', 'ContentTooShortError']]],
  [['urllib.error', 'HTTPError'], [['urllib2', 'HTTPError']]],
  [['urllib.error', 'URLError'], [['urllib2', 'URLError']]],
  ...['quote', 'quote_plus', 'unquote', 'unquote_plus', 'urlencode'].map((n): readonly [Pair, Pair[]] => [['urllib.parse', n], [['urllib', n]]]),
  ...['getproxies', 'pathname2url', 'url2pathname', 'urlcleanup', 'urlopen', 'urlretrieve'].map((n): readonly [Pair, Pair[]] => [['urllib.request', n], [['urllib', n]]]),
];

/** Python 2 module → its Python 3 name (CPython's IMPORT_MAPPING). */
export const PYTHON2_MODULES: ReadonlyMap<string, string> = new Map(Object.entries(MODULE_HOMES).flatMap(([home, olds]) => olds.map((old) => [old, home] as const)));

/** Python 2 (module, name) → its Python 3 (module, name) (CPython's NAME_MAPPING). */
export const PYTHON2_NAMES: ReadonlyArray<{ from: Pair; to: Pair }> = NAME_HOMES.flatMap(([to, froms]) => froms.map((from) => ({ from, to })));

/** Keyed by module and name with a newline between them (a character neither can hold). */
const RENAMED = new Map(PYTHON2_NAMES.map(({ from, to }) => [`${from[0]}\n${from[1]}`, `${to[0]}.${to[1]}`]));

/**
 * The "module.name" CPython imports instead of a global a protocol 0–2 pickle names: the pair's new home if it
 * moved on its own, else the module's new name. A scan lists a global as module and name joined by a dot, so
 * each dotted prefix is tried as the module (`test.test_support` is one module); empty when nothing is renamed.
 */
export function python3Spellings(global: string): string[] {
  const out: string[] = [];
  for (let dot = global.indexOf('.'); dot > 0; dot = global.indexOf('.', dot + 1)) {
    const [module, name] = [global.slice(0, dot), global.slice(dot + 1)];
    const renamed = RENAMED.get(`${module}\n${name}`) ?? (PYTHON2_MODULES.has(module) ? `${PYTHON2_MODULES.get(module)}.${name}` : undefined);
    if (renamed) out.push(renamed);
  }
  return out;
}
