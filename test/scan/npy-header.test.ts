/**
 * `.npy` headers read as numpy reads them: `ast.literal_eval` of the header (every str/bytes literal form and
 * escape Python accepts, `\N{…}` left unresolved rather than guessed), Python 2 `L` suffixes dropped for version
 * 1.0/2.0 headers as `_filter_header` drops them, and every descr form numpy builds an object dtype from (comma
 * strings, subarrays, structured fields) leading to the pickle after the header being walked. The expected values
 * are CPython 3.11's and numpy 2's (python-crosscheck.test.ts compares them where python3 is installed).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildPickle, buildStoredZip, npyWithHeader, op } from '../../ingest/scan/build.ts';
import { scanBytes } from '../../ingest/scan/index.ts';
import { dtypeKind } from '../../ingest/scan/numpy-descr.ts';
import { LiteralError, parsePythonLiteral } from '../../ingest/scan/python-literals.ts';
import { DESCR_KINDS, LITERALS } from './npy-samples.ts';

const posixSystem = buildPickle([op.proto(2), op.global('posix', 'system'), op.binunicode('id'), op.tuple1(), op.reduce(), op.stop()]);
const noImports = buildPickle([op.proto(2), op.emptyTuple(), op.stop()]);
const header = (descr: string, shape = '(1,)') => `{'descr': ${descr}, 'fortran_order': False, 'shape': ${shape}, }`;

describe('Python literals as ast.literal_eval reads them', () => {
  for (const [source, want] of LITERALS) {
    it(JSON.stringify(source), () => {
      const read = (python2Longs: boolean) => {
        try {
          const p = parsePythonLiteral(source, { python2Longs });
          return p.namedEscapes.length > 0 ? { named: p.namedEscapes } : p.value;
        } catch (err) {
          assert.ok(err instanceof LiteralError, String(err));
          return 'refused';
        }
      };
      assert.deepEqual(read(false), want.python3);
      assert.deepEqual(read(true), want.filtered ?? want.python3);
    });
  }
});

describe('numpy descr → what the dtype holds', () => {
  for (const [source, want] of DESCR_KINDS) {
    it(`${source} is ${want}`, () => assert.equal(dtypeKind(parsePythonLiteral(source).value), want));
  }
});

describe('.npy files: the pickle behind any object dtype is walked', () => {
  it('a descr spelled with \\N{…} is never read as a plain dtype: the pickle behind it decides, and never safe', async () => {
    const evil = await scanBytes('a.npy', npyWithHeader(header("'\\N{LATIN CAPITAL LETTER O}'"), posixSystem));
    assert.equal(evil.verdict, 'dangerous', evil.reason);
    assert.deepEqual(evil.globals, ['posix.system']);
    assert.match(evil.reason, /\\N\{LATIN CAPITAL LETTER O\}/);
    const benign = await scanBytes('a.npy', npyWithHeader(header("'\\N{LATIN CAPITAL LETTER O}'"), noImports));
    assert.equal(benign.verdict, 'suspicious', benign.reason);
    assert.match(benign.reason, /Unicode name table/);
    const field = await scanBytes('a.npy', npyWithHeader(header("[('a', '<f4'), ('b', '\\N{LATIN CAPITAL LETTER O}')]"), posixSystem));
    assert.equal(field.verdict, 'dangerous', field.reason);
    const npz = await scanBytes('a.npz', buildStoredZip([{ name: 'arr_0.npy', data: npyWithHeader(header("'\\N{LATIN CAPITAL LETTER O}'"), posixSystem) }]));
    assert.equal(npz.verdict, 'dangerous', npz.reason);
  });

  it('escapes decode as Python decodes them: \\u004f\\x38 is O8, an object dtype', async () => {
    const r = await scanBytes('a.npy', npyWithHeader(header("'\\u004f\\x38'"), posixSystem));
    assert.equal(r.verdict, 'dangerous', r.reason);
    assert.match(r.reason, /^object array: imports posix\.system/);
  });

  for (const descr of ["'(2,)O'", "'2O'", "'i4, O'", "('O', (2,))", "[('a', 'O', (2,))]", "['aO']", "{'aO': 1}", "[('a', [('b', '|O')])]", "'T'"]) {
    it(`an object dtype in the form ${descr} has its pickle walked`, async () => {
      const evil = await scanBytes('a.npy', npyWithHeader(header(descr), posixSystem));
      assert.equal(evil.verdict, 'dangerous', evil.reason);
      assert.equal(evil.decidedBy, 'denylist');
      assert.match(evil.reason, /^object array: imports posix\.system/);
      const benign = await scanBytes('a.npy', npyWithHeader(header(descr), noImports));
      assert.equal(benign.verdict, 'safe', benign.reason);
      assert.match(benign.reason, /^object array: imports no globals/);
    });
  }

  it('Python 2 L suffixes in a version 1.0 or 2.0 header are read as numpy reads them; a 3.0 header with them is refused', async () => {
    for (const version of [1, 2] as const) {
      const plain = await scanBytes('a.npy', npyWithHeader(header("'<f4'", '(2L,)'), new Uint8Array(8), version));
      assert.equal(plain.verdict, 'safe', `v${version}: ${plain.reason}`);
      assert.match(plain.reason, /plain numpy array/);
      const evil = await scanBytes('a.npy', npyWithHeader(header("'|O'", '(1L, 1 L)'), posixSystem, version));
      assert.equal(evil.verdict, 'dangerous', `v${version}: ${evil.reason}`);
    }
    const v3 = await scanBytes('a.npy', npyWithHeader(header("'<f4'", '(2L,)'), new Uint8Array(8), 3));
    assert.equal(v3.verdict, 'unscanned', v3.reason);
    assert.match(v3.reason, /not a Python literal/);
  });

  it('an unrecognised dtype is suspicious, and dangerous when what follows is a dangerous pickle', async () => {
    const odd = await scanBytes('a.npy', npyWithHeader(header("'<x7'"), new Uint8Array(8)));
    assert.equal(odd.verdict, 'suspicious', odd.reason);
    const evil = await scanBytes('a.npy', npyWithHeader(header("'<x7'"), posixSystem));
    assert.equal(evil.verdict, 'dangerous', evil.reason);
    assert.match(evil.reason, /^numpy dtype "<x7" is not a plain numeric dtype; numpy may read it as objects; what follows the header is a pickle that imports posix\.system/);
  });
});
