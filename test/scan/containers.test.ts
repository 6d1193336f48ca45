/**
 * Containers read the way their consumers read them, where a scanner reading them another way was a way past it:
 * a pickle with a zip appended (torch.load unpickles the front), tar headers only Python's tarfile rules reveal
 * (PAX sizes and names, GNU long names, directories with sizes, unknown types, no magic), a ZIP64 locator that
 * sends miniz (torch.load) to another central directory than Python's zipfile reads, joblib's old "ZF" format,
 * and a pickle that starts with bzip2's magic. Python's zipfile and tarfile, where present, check that the inputs
 * are what the consumers read (listing only; nothing is unpickled).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { crc32, deflateSync } from 'node:zlib';
import { benignStateDictPickle, buildPickle, buildStoredZip, concat, maliciousPickleGlobal, maliciousPickleStackGlobal, op, pytorchZip } from '../../ingest/scan/build.ts';
import { scanBytes } from '../../ingest/scan/index.ts';
import { ByteSource } from '../../ingest/scan/source.ts';
import { listTar } from '../../ingest/scan/tar.ts';
import { fixture } from './corpus.ts';
import { ascii } from './helpers.ts';
import { base256, extensionHeader, padded, paxRecord, tarEnd, tarHeader, tarMember } from './tar-headers.ts';

const MiB = 1024 * 1024;

/** Little-endian fields, each [width in bytes, value]. */
function le(fields: ReadonlyArray<readonly [1 | 2 | 4 | 8, number]>): Uint8Array {
  const out = new Uint8Array(fields.reduce((n, [w]) => n + w, 0));
  const v = new DataView(out.buffer);
  let at = 0;
  for (const [w, n] of fields) {
    if (w === 1) v.setUint8(at, n);
    else if (w === 2) v.setUint16(at, n, true);
    else if (w === 4) v.setUint32(at, n >>> 0, true);
    else v.setBigUint64(at, BigInt(n), true);
    at += w;
  }
  return out;
}

/**
 * `zipfile.ZipFile(f, 'a')` on a file that is not a zip: the archive is written after the existing bytes and its
 * offsets count from the start of the file (no "data in front" for zipfile to allow for).
 */
function appendZipWithAbsoluteOffsets(front: Uint8Array, entries: ReadonlyArray<{ name: string; data: Uint8Array }>): Uint8Array {
  const zip = buildStoredZip(entries).slice();
  const v = new DataView(zip.buffer);
  const eocd = zip.length - 22;
  const cd = v.getUint32(eocd + 16, true);
  v.setUint32(eocd + 16, cd + front.length, true);
  for (let p = cd, i = 0; i < v.getUint16(eocd + 10, true); i++) {
    v.setUint32(p + 42, v.getUint32(p + 42, true) + front.length, true);
    p += 46 + v.getUint16(p + 28, true) + v.getUint16(p + 30, true) + v.getUint16(p + 32, true);
  }
  return concat([front, zip]);
}

const local = (name: string, data: Uint8Array) =>
  concat([le([[4, 0x04034b50], [2, 20], [2, 0], [2, 0], [2, 0], [2, 0], [4, crc32(data)], [4, data.length], [4, data.length], [2, name.length], [2, 0]]), ascii(name), data]);
const central = (name: string, data: Uint8Array, offset: number) =>
  concat([le([[4, 0x02014b50], [2, 45], [2, 20], [2, 0], [2, 0], [2, 0], [2, 0], [4, crc32(data)], [4, data.length], [4, data.length], [2, name.length], [2, 0], [2, 0], [2, 0], [2, 0], [4, 0], [4, offset]]), ascii(name)]);
const eocd64 = (entries: number, cdSize: number, cdOffset: number) => le([[4, 0x06064b50], [8, 44], [2, 45], [2, 45], [4, 0], [4, 0], [8, entries], [8, entries], [8, cdSize], [8, cdOffset]]);

/**
 * A torch checkpoint with two ZIP64 views: central directory A (a benign data.pkl) sits right before the locator,
 * where Python's zipfile reads the ZIP64 record; the locator names another ZIP64 record, hidden with directory B
 * (a hostile data.pkl) inside a stored tensor member, which is where miniz — torch.load — reads it.
 */
function zip64LocatorToHiddenDirectory(benign: Uint8Array, hostile: Uint8Array): Uint8Array {
  const version = ascii('3\n');
  const parts: Uint8Array[] = [];
  const listed: Array<[string, Uint8Array, number]> = [];
  let offset = 0;
  const add = (name: string, data: Uint8Array) => {
    listed.push([name, data, offset]);
    const l = local(name, data);
    parts.push(l);
    offset += l.length;
  };
  add('archive/data.pkl', benign);
  add('archive/version', version);
  const blobStart = offset + 30 + 'archive/data/0'.length;
  const zeros = new Uint8Array(70_000);
  const hostileAt = blobStart + zeros.length;
  const hostileLocal = local('archive/data.pkl', hostile);
  const cdB = concat([central('archive/data.pkl', hostile, hostileAt), central('archive/version', version, listed[1]![2])]);
  const cdBAt = hostileAt + hostileLocal.length;
  const recordBAt = cdBAt + cdB.length;
  add('archive/data/0', concat([zeros, hostileLocal, cdB, eocd64(2, cdB.length, cdBAt)]));
  const cdA = concat(listed.map(([n, d, o]) => central(n, d, o)));
  const cdAAt = offset;
  return concat([
    ...parts,
    cdA,
    eocd64(listed.length, cdA.length, cdAAt),
    le([[4, 0x07064b50], [4, 0], [8, recordBAt], [4, 1]]),
    le([[4, 0x06054b50], [2, 0], [2, 0], [2, listed.length], [2, listed.length], [4, cdA.length], [4, cdAAt], [2, 0]]),
  ]);
}

/** joblib < 0.10's format: `ZF`, the length as '{:#x}' padded to 19 bytes (20 under Python 2), zlib data. */
function joblibZfile(pickle: Uint8Array, opts: { python2Space?: boolean } = {}): Uint8Array {
  const header = `ZF${`0x${pickle.length.toString(16)}`.padEnd(19, ' ')}${opts.python2Space ? ' ' : ''}`;
  return concat([ascii(header), new Uint8Array(deflateSync(pickle))]);
}

/**
 * A pickle that starts with bzip2's magic: `B` is BINBYTES, `Zh9` and the next byte its length, so the unpickler
 * skips a bytes object, POPs it, and runs what follows.
 */
function pickleBehindBzipMagic(payload: Uint8Array): Uint8Array {
  const length = 0x5a | (0x68 << 8) | (0x39 << 16); // 'Z', 'h', '9', then 0
  return concat([ascii('BZh9'), Uint8Array.of(0), new Uint8Array(length), Uint8Array.of(0x30), payload]);
}

/**
 * The oldest torch.save layout with a PAX size: the `storages` header says 0 bytes, its PAX record 1024. Its first
 * data block is both a valid tar header (what a reader going by the ustar size finds next) and the start of a
 * pickle: BINBYTES of 507 swallows the rest of the block, then the payload.
 */
function torchTarWithPaxSize(payload: Uint8Array): Uint8Array {
  const tail = concat([Uint8Array.of(0x30), payload]);
  const block0 = tarHeader({ name: Uint8Array.of(0x42, 0xfb, 0x01, 0x00, 0x00), size: tail.length });
  const storages = concat([block0, padded(tail)]);
  return concat([
    tarMember('sys_info', buildPickle([op.proto(2), op.emptyDict(), op.stop()])),
    tarMember('pickle', benignStateDictPickle()),
    extensionHeader('x', paxRecord('size', String(storages.length))),
    tarHeader({ name: 'storages', size: 0 }),
    storages,
    tarMember('tensors', buildPickle([op.proto(2), op.binint1(0), op.stop()])),
    tarEnd(),
  ]);
}

/** Tars whose hostile member only tarfile's own rules find. */
function hiddenTarMembers(): Record<string, Uint8Array> {
  const evil = maliciousPickleStackGlobal('id');
  return {
    // a directory's size field is not followed by data blocks: the next header comes right after it
    'directory with a size': concat([tarHeader({ name: 'dir/', size: 1024, type: '5' }), tarMember('weights', evil), new Uint8Array(1024), tarEnd()]),
    // a type tarfile does not know is extracted as a regular file
    'unknown type flag': concat([tarMember('sys_info', benignStateDictPickle()), tarMember('storages', evil, { type: 'Z' }), tarEnd()]),
    // no ustar magic: tarfile needs only a checksum
    'no ustar magic': concat([tarMember('storages', evil, { magic: false }), tarEnd()]),
  };
}

/** The torch layout named only through extension headers: a PAX path and a GNU long name. */
function torchTarNamedByExtensions(payload: Uint8Array): Uint8Array {
  return concat([
    extensionHeader('x', paxRecord('path', 'sys_info')),
    tarMember('a', buildPickle([op.proto(2), op.emptyDict(), op.stop()])),
    extensionHeader('L', ascii('pickle\0')),
    tarMember('b', payload, { sizeField: base256(payload.length) }),
    tarEnd(),
  ]);
}

describe('a pickle with a zip appended: torch.load unpickles the front', () => {
  it('offsets counted from the file start (zipfile\'s append mode): the leading pickle is scanned, the worst wins', async () => {
    const file = appendZipWithAbsoluteOffsets(maliciousPickleStackGlobal('id'), [{ name: 'archive/readme.txt', data: ascii('hello') }]);
    const r = await scanBytes('model.bin', file);
    assert.equal(r.verdict, 'dangerous', r.reason);
    assert.deepEqual(r.globals, ['os.system']);
    assert.match(r.reason, /bytes before the archive \(pickle\): imports os\.system/);
    assert.ok(r.findings.some((f) => /come before the first entry: .* torch\.load and numpy\.load see no zip at byte 0/.test(f)), JSON.stringify(r.findings));
  });

  it('a benign pickle in front is still a file two readers read differently: suspicious; an ordinary zip is not', async () => {
    const file = appendZipWithAbsoluteOffsets(benignStateDictPickle(), [{ name: 'archive/readme.txt', data: ascii('hello') }]);
    const r = await scanBytes('model.bin', file);
    assert.equal(r.verdict, 'suspicious', r.reason);
    assert.equal(r.decidedBy, 'format-check');
    const plain = await scanBytes('model.pt', pytorchZip(benignStateDictPickle()));
    assert.equal(plain.verdict, 'safe', plain.reason);
  });
});

describe('tar members as Python\'s tarfile lists them', () => {
  it('a PAX size= record replaces the ustar size: the storages member is read with it', async () => {
    const r = await scanBytes('model.pth.tar', torchTarWithPaxSize(maliciousPickleGlobal()));
    assert.equal(r.verdict, 'dangerous', r.reason);
    assert.equal(r.format, 'pytorch-tar');
    assert.match(r.reason, /^storages: .*imports builtins\.exec/);
  });

  for (const [label, bytes] of Object.entries(hiddenTarMembers())) {
    it(`a member found only by tarfile's rules: ${label}`, async () => {
      const r = await scanBytes('model.tar', bytes);
      assert.equal(r.verdict, 'dangerous', `${label}: ${r.reason}`);
      assert.deepEqual(r.globals.filter((g) => g === 'os.system'), ['os.system']);
    });
  }

  it('member names come from PAX path= records and GNU long names: the torch layout and the labels say so', async () => {
    const r = await scanBytes('model.tar', torchTarNamedByExtensions(maliciousPickleStackGlobal('id')));
    assert.equal(r.verdict, 'dangerous', r.reason);
    assert.equal(r.format, 'pytorch-tar');
    assert.match(r.reason, /^pickle: imports os\.system/);
  });

  it('names and sizes come from PAX, GNU and global headers, the outermost header last', async () => {
    const d = (n: number) => new Uint8Array(n).fill(0x41);
    const bytes = concat([
      extensionHeader('g', paxRecord('size', '700')),
      tarMember('a', d(10)),
      extensionHeader('x', paxRecord('path', 'from-pax')),
      extensionHeader('L', ascii('from-gnu\0')),
      tarMember('b', d(1000)),
      tarEnd(),
    ]);
    const l = await listTar(new ByteSource(bytes.length, async (s, e) => bytes.subarray(s, e + 1), Infinity));
    // a global size changes what each member holds, not where the next header is; the PAX path wins over the
    // GNU name because its header comes first (applied last)
    assert.deepEqual(l.members.map((m) => [m.name, m.size, m.offset]), [['a', 700, 1536], ['from-pax', 700, 4608]]);
  });

  it('a malformed PAX record (read by Python 3.11, refused by newer releases) makes an otherwise safe tar suspicious', async () => {
    const bytes = concat([extensionHeader('x', concat([ascii('30 path=a\n'), ascii('junk')])), tarMember('weights', benignStateDictPickle()), tarEnd()]);
    const r = await scanBytes('model.tar', bytes);
    assert.equal(r.verdict, 'suspicious', r.reason);
    assert.ok(r.findings.some((f) => /newer releases refuse the archive/.test(f)), JSON.stringify(r.findings));
  });

  it('a tar whose first header tarfile refuses is what torch.load unpickles instead', async () => {
    const bytes = concat([maliciousPickleGlobal(), new Uint8Array(512 - maliciousPickleGlobal().length)]);
    bytes.set(ascii('ustar\u000000'), 257); // the magic without a valid checksum
    const r = await scanBytes('model.pt', bytes);
    assert.equal(r.verdict, 'dangerous', r.reason);
    assert.ok(r.findings.some((f) => /tarfile refuses the archive/.test(f)), JSON.stringify(r.findings));
  });
});

describe('ZIP64: the record the locator names, as miniz (torch.load) reads it', () => {
  it('a second central directory behind the locator\'s offset is scanned, and the file is flagged', async () => {
    const file = zip64LocatorToHiddenDirectory(benignStateDictPickle(), maliciousPickleStackGlobal('id'));
    const r = await scanBytes('model.pt', file);
    assert.equal(r.verdict, 'dangerous', r.reason);
    assert.match(r.reason, /^archive\/data\.pkl \(as miniz lists the archive\): imports os\.system/);
    assert.ok(r.findings.some((f) => /miniz .* and Python's zipfile read different central directories/.test(f)), JSON.stringify(r.findings));
  });

  it('the same two directories both benign: suspicious, the archive shows different contents to different readers', async () => {
    const file = zip64LocatorToHiddenDirectory(benignStateDictPickle(), benignStateDictPickle(['other']));
    const r = await scanBytes('model.pt', file);
    assert.equal(r.verdict, 'suspicious', r.reason);
    assert.match(r.reason, /different central directories/);
  });

  it('an ordinary ZIP64 checkpoint reads the same to both: safe, no finding', async () => {
    const r = await scanBytes('model.pt', pytorchZip(benignStateDictPickle(), { zip64: true, tensorBytes: 4096 }));
    assert.equal(r.verdict, 'safe', r.reason);
    assert.deepEqual(r.findings, []);
  });
});

describe('joblib\'s "ZF" format (joblib < 0.10, still loaded by joblib.load)', () => {
  it('is inflated and walked, whatever the name, with or without Python 2\'s extra space', async () => {
    for (const [name, bytes] of [['clf.joblib', joblibZfile(maliciousPickleStackGlobal('id'))], ['clf.pkl', joblibZfile(maliciousPickleStackGlobal('id'), { python2Space: true })], ['data', joblibZfile(maliciousPickleGlobal())]] as const) {
      const r = await scanBytes(name, bytes);
      assert.equal(r.verdict, 'dangerous', `${name}: ${r.reason}`);
      assert.equal(r.format, 'joblib', name);
      assert.match(r.recognisedBy, /^joblib ZF → pickle opcodes/, name);
    }
    const benign = await scanBytes('clf.joblib', joblibZfile(benignStateDictPickle()));
    assert.equal(benign.verdict, 'safe', benign.reason);
  });

  it('inflation is bounded like the other decompressors; a length field int() refuses is no ZF file', async () => {
    const bomb = await scanBytes('clf.joblib', joblibZfile(new Uint8Array(8 * MiB)), { maxScanBytes: 256 * 1024 });
    assert.equal(bomb.verdict, 'unscanned');
    assert.match(bomb.reason, /^limit: joblib ZF data decompresses to more than the scan limit/);
    const notHex = await scanBytes('notes.txt', concat([ascii('ZF not a length here'), new Uint8Array(deflateSync(maliciousPickleGlobal()))]));
    assert.doesNotMatch(notHex.recognisedBy, /joblib ZF/);
  });
});

describe('a pickle that starts with bzip2\'s magic', () => {
  it('fails as bz2 (what joblib reads) but torch.load and pickle.load unpickle it: walked as a pickle, the worst wins', async () => {
    const r = await scanBytes('model.pt', pickleBehindBzipMagic(maliciousPickleGlobal()));
    assert.equal(r.verdict, 'dangerous', r.reason);
    assert.deepEqual(r.globals, ['builtins.exec']);
    assert.ok(r.findings.some((f) => /start as bz2 data and are also a pickle/.test(f)), JSON.stringify(r.findings));
    // a benign one keeps the bz2 reading's verdict (corrupt data joblib cannot load), and the finding
    const benign = await scanBytes('model.pt', pickleBehindBzipMagic(benignStateDictPickle()));
    assert.equal(benign.verdict, 'unscanned', benign.reason);
    assert.match(benign.reason, /bz2 data is corrupt/);
  });

  it('a real bz2 stream is not read as a pickle too', async () => {
    const r = await scanBytes('m.pkl.bz2', fixture('evil.pkl.bz2'));
    assert.equal(r.verdict, 'dangerous', r.reason);
    assert.deepEqual(r.findings, []);
    assert.match(r.recognisedBy, /^bz2 → pickle opcodes/);
  });
});

const probe = spawnSync('python3', ['-c', 'import tarfile, zipfile'], { encoding: 'utf8' });
const skip = probe.error || probe.status !== 0 ? 'python3 (with tarfile and zipfile) not available on this machine' : false;

describe('python3 cross-check: these inputs are what tarfile and zipfile read', { skip }, () => {
  const dir = skip ? '' : mkdtempSync(join(tmpdir(), 'aispm-containers-'));
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const python = (script: string, path: string) => {
    const r = spawnSync('python3', ['-c', script, path], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  };

  it('tarfile lists each tar as listTar does: names, sizes, where the data is', async () => {
    const tars = { 'pax-size.tar': torchTarWithPaxSize(maliciousPickleGlobal()), 'named-by-extensions.tar': torchTarNamedByExtensions(maliciousPickleGlobal()), ...Object.fromEntries(Object.entries(hiddenTarMembers()).map(([k, v]) => [`${k}.tar`, v])) };
    for (const [file, bytes] of Object.entries(tars)) {
      const path = join(dir, file);
      writeFileSync(path, bytes);
      const theirs = python(
        'import sys, tarfile, json\nt = tarfile.open(sys.argv[1], "r:")\nprint(json.dumps([[m.name, m.size, m.offset_data] for m in t.getmembers() if m.isreg() or m.type not in tarfile.SUPPORTED_TYPES]))',
        path,
      );
      const ours = await listTar(new ByteSource(bytes.length, async (s, e) => bytes.subarray(s, e + 1), Infinity));
      assert.deepEqual(ours.members.map((m) => [m.name, m.size, m.offset]), JSON.parse(theirs), file);
    }
  });

  it('zipfile reads the appended zip by its absolute offsets; it reads directory A of the ZIP64 file (or, since late 2025, refuses it)', () => {
    const appended = join(dir, 'appended.bin');
    writeFileSync(appended, appendZipWithAbsoluteOffsets(maliciousPickleStackGlobal('id'), [{ name: 'archive/readme.txt', data: ascii('hello') }]));
    assert.equal(python('import sys, zipfile\nprint(zipfile.ZipFile(sys.argv[1]).read("archive/readme.txt").decode())', appended), 'hello');
    const two = join(dir, 'zip64-locator.pt');
    const benign = benignStateDictPickle();
    writeFileSync(two, zip64LocatorToHiddenDirectory(benign, maliciousPickleStackGlobal('id')));
    const out = python(
      'import sys, zipfile, hashlib\ntry:\n  z = zipfile.ZipFile(sys.argv[1])\n  print(",".join(z.namelist()), hashlib.sha256(z.read("archive/data.pkl")).hexdigest())\nexcept zipfile.BadZipFile as e:\n  print("refused", e)',
      two,
    );
    if (!out.startsWith('refused')) {
      const sha = spawnSync('python3', ['-c', 'import sys, hashlib; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())'], { input: benign, encoding: 'utf8' }).stdout.trim();
      assert.equal(out, `archive/data.pkl,archive/version,archive/data/0 ${sha}`);
    }
  });
});
