/**
 * Python literals and numpy descrs with what CPython 3.11's `ast.literal_eval` and numpy 2's `descr_to_dtype` make
 * of them (python-crosscheck.test.ts asks both again where they are installed). `filtered` is the reading after
 * numpy's `_filter_header`, where it differs.
 */
import type { PyValue } from '../../ingest/scan/python-literals.ts';

export type LiteralReading = PyValue | 'refused' | { named: string[] };

const bytes = (...b: number[]) => ({ bytes: Uint8Array.from(b) });
const tuple = (...items: PyValue[]) => ({ tuple: items });

export const LITERALS: ReadonlyArray<readonly [string, { python3: LiteralReading; filtered?: LiteralReading }]> = [
  ["'\\x4f'", { python3: 'O' }],
  ["'\\117'", { python3: 'O' }],
  ["'\\u004f\\x38'", { python3: 'O8' }],
  ["'\\U0000004f'", { python3: 'O' }],
  ["'\\777'", { python3: '\u01ff' }],
  ["'\\8'", { python3: '\\8' }],
  ["'O\\\n'", { python3: 'O' }],
  ["'O\\\r\n'", { python3: 'O' }],
  ["'O' ''", { python3: 'O' }],
  ["'' \"O\" '''''' # a comment\n", { python3: 'O' }],
  ["('O'\n  '8')", { python3: 'O8' }],
  ["'''O'''", { python3: 'O' }],
  ["u'O'", { python3: 'O' }],
  ["U'O'", { python3: 'O' }],
  ["r'\\x4f'", { python3: '\\x4f' }],
  ["R'\\''", { python3: "\\'" }],
  ["b'O'", { python3: bytes(0x4f) }],
  ["Rb'\\x4f'", { python3: bytes(0x5c, 0x78, 0x34, 0x66) }],
  ["bR'x'", { python3: bytes(0x78) }],
  ["b'\\777'", { python3: bytes(0xff) }],
  ["b'\\u0041'", { python3: bytes(0x5c, 0x75, 0x30, 0x30, 0x34, 0x31) }],
  ["'\\N{LATIN CAPITAL LETTER O}'", { python3: { named: ['LATIN CAPITAL LETTER O'] } }],
  ["r'\\N{X}'", { python3: '\\N{X}' }],
  ["b'\\N{X}'", { python3: bytes(0x5c, 0x4e, 0x7b, 0x58, 0x7d) }],
  ["ur'O'", { python3: 'refused' }],
  ["f'O'", { python3: 'refused' }],
  ["'a' b'b'", { python3: 'refused' }],
  ["'\\x4'", { python3: 'refused' }],
  ["'\\N{}'", { python3: 'refused' }],
  ["'\\N'", { python3: 'refused' }],
  ["'\\U00110000'", { python3: 'refused' }],
  ["b'\u00e9'", { python3: 'refused' }],
  ["'a\rb'", { python3: 'refused' }],
  ["'a'\u000b", { python3: 'refused' }],
  ["'a\u0000'", { python3: 'refused' }],
  ['(0_0, 00, 0x_1f, 0o17, 0b1)', { python3: tuple(0n, 0n, 31n, 15n, 1n) }],
  ['(07,)', { python3: 'refused' }],
  ['(1_,)', { python3: 'refused' }],
  ['(1__0,)', { python3: 'refused' }],
  ['(0b12,)', { python3: 'refused' }],
  ['(1., .5, 1e5, 1_0.0_1, 07.5)', { python3: tuple(1, 0.5, 1e5, 10.01, 7.5) }],
  ['(- 1, -(1), +2)', { python3: tuple(-1n, -1n, 2n) }],
  ['(--1,)', { python3: 'refused' }],
  ['(-True,)', { python3: 'refused' }],
  ['(1 if 1 else 2,)', { python3: 'refused' }],
  ['(1+2j, -1-2j, 1+(2j), 07j)', { python3: tuple({ opaque: 'complex' }, { opaque: 'complex' }, { opaque: 'complex' }, { opaque: 'complex' }) }],
  ['(1j+2j,)', { python3: 'refused' }],
  ['(1+2,)', { python3: 'refused' }],
  ['({1, 2}, set(), ..., {1: 2})', { python3: tuple({ opaque: 'set' }, { opaque: 'set' }, { opaque: 'ellipsis' }, { opaque: 'dict' }) }],
  ['{1, [2]}', { python3: 'refused' }],
  ['set(1)', { python3: 'refused' }],
  ["{'a': 1, 'a': 2, 'b': (True, None)}", { python3: new Map<string, PyValue>([['a', 2n], ['b', tuple(true, null)]]) }],
  ['\f{}', { python3: new Map() }],
  ['[1,,2]', { python3: 'refused' }],
  ['(,)', { python3: 'refused' }],
  ['Truex', { python3: 'refused' }],
  ['(2L,)', { python3: 'refused', filtered: tuple(2n) }],
  ['(2 L, 0x1fL, 1.5L)', { python3: 'refused', filtered: tuple(2n, 31n, 1.5) }],
  ['(2 \\\n L,)', { python3: 'refused', filtered: tuple(2n) }],
  ['(2\nL,)', { python3: 'refused' }],
  ['(2Lx,)', { python3: 'refused' }],
  ['(2l,)', { python3: 'refused' }],
  ["'2L'", { python3: '2L' }],
];

/** A descr (Python source) and what numpy builds from it: plain data, objects, or (for us) not recognised. */
export const DESCR_KINDS: ReadonlyArray<readonly [string, 'plain' | 'object' | 'unknown']> = [
  ["'<f4'", 'plain'], ["'?'", 'plain'], ["'|S5'", 'plain'], ["'<U10'", 'plain'], ["'<M8[ns]'", 'plain'],
  ["'f4,f4'", 'plain'], ["'(2,)f4'", 'plain'], ["[('x', '<f4'), ('y', '<i8', (3,))]", 'plain'], ["('<f4', (2,))", 'plain'],
  ["[('a', 'i4'), ('', '|V8')]", 'plain'], ['[]', 'plain'],
  ["'O'", 'object'], ["'|O'", 'object'], ["'>O8'", 'object'], ["'object'", 'object'], ["'\\x4f'", 'object'],
  ["'(2,)O'", 'object'], ["' (2,)O'", 'object'], ["'2O'", 'object'], ["'2,3O'", 'object'], ["'()O'", 'object'],
  ["'<(2,)O'", 'object'], ["'(2,)|O8'", 'object'], ["'O,i4'", 'object'], ["'i4, O'", 'object'], ["'O ,'", 'object'],
  ["'i4,(2,)O'", 'object'], ["'T'", 'object'], ["'|T'", 'object'], ["('O', (2,))", 'object'], ["('O', 2)", 'object'],
  ["('O', (2,), 5)", 'object'], ["(('O', (2,)), (3,))", 'object'], ["[('a', 'O')]", 'object'], ["[('a', 'O', 2)]", 'object'],
  ["[(('title', 'a'), 'O')]", 'object'], ["['aO']", 'object'], ["[['a', 'O']]", 'object'], ["[{'a': 1, 'O': 2}]", 'object'],
  ["{'aO': 1}", 'object'], ["[('a', ('O', (2,)))]", 'object'], ["[('a', [('b', 'O')])]", 'object'],
  ["[('f0', '<i4'), ('f1', '(2,)O')]", 'object'],
  ["'<x7'", 'unknown'], ["b'O'", 'unknown'], ["('O',)", 'unknown'], ["('i8', 'O')", 'unknown'], ["{'a': 1}", 'unknown'],
  ["'i4,O[ns]'", 'unknown'], ["[('a', 'i4', (2,), 1)]", 'unknown'],
];
