import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  benignStateDictPickle,
  buildStoredZip,
  buildZip,
  pytorchZip,
} from '../../ingest/scan/build.ts';
import {
  RangeReadError,
  readZipDirectory,
  readLocalHeader,
  readZipEntryLenient,
  ZipFormatError,
  type RangeReader,
  type ZipDirectory,
  type ZipEntry,
} from '../../ingest/scan/zip.ts';
import { ascii, concatBytes, memoryReader } from './helpers.ts';

const MiB = 1024 * 1024;

function list(zip: Uint8Array) {
  const r = memoryReader(zip);
  return { ...r, dir: readZipDirectory(r.read, zip.length) };
}

function entry(dir: ZipDirectory, name: string) {
  const e = dir.entries.find((x) => x.name === name);
  assert.ok(e, `entry ${name} listed`);
  return e;
}

/** Offsets of each central directory entry in a zip without a comment (EOCD = last 22 bytes). */
function centralEntryOffsets(zip: Uint8Array): number[] {
  const v = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const eocd = zip.length - 22;
  const count = v.getUint16(eocd + 10, true);
  let p = v.getUint32(eocd + 16, true);
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    out.push(p);
    p += 46 + v.getUint16(p + 28, true) + v.getUint16(p + 30, true) + v.getUint16(p + 32, true);
  }
  return out;
}

function patch(zip: Uint8Array, fn: (v: DataView) => void): Uint8Array {
  const copy = zip.slice();
  fn(new DataView(copy.buffer));
  return copy;
}

async function rejectsZip(p: Promise<unknown>, pattern: RegExp) {
  await assert.rejects(p, (err: unknown) => err instanceof ZipFormatError && pattern.test(err.message));
}

/** Reads one entry the way the scanner does; a CRC problem comes back as a finding, thrown here for the assertions. */
async function readZipEntry(read: RangeReader, e: ZipEntry, o: { maxBytes: number }): Promise<Uint8Array> {
  const r = await readZipEntryLenient(read, e, await readLocalHeader(read, e), o);
  if (r.findings.length) throw new ZipFormatError(r.findings.join('; '));
  return r.data;
}

describe('readZipDirectory and readZipEntry', () => {
  it('lists a PyTorch zip and reads data.pkl back byte for byte', async () => {
    const pkl = benignStateDictPickle();
    const zip = pytorchZip(pkl, { tensorBytes: 1000 });
    const { read, dir } = list(zip);
    const d = await dir;
    assert.deepEqual(d.entries.map((e) => e.name), ['archive/data.pkl', 'archive/byteorder', 'archive/data/0', 'archive/version']);
    const e = entry(d, 'archive/data.pkl');
    assert.equal(e.method, 0);
    assert.equal(e.uncompressedSize, pkl.length);
    assert.equal(e.localHeaderOffset, 0);
    assert.equal(entry(d, 'archive/data/0').uncompressedSize, 1000);
    assert.equal(d.zip64, false);
    assert.deepEqual(await readZipEntry(read, e, { maxBytes: MiB }), pkl);
  });

  it('reads far less than the file: a 16 MiB tensor entry is never fetched', async () => {
    const pkl = benignStateDictPickle();
    const zip = pytorchZip(pkl, { tensorBytes: 16 * MiB });
    const { read, stats, dir } = list(zip);
    const d = await dir;
    await readZipEntry(read, entry(d, 'archive/data.pkl'), { maxBytes: MiB });
    assert.ok(stats.bytesRead < 70 * 1024, `read ${stats.bytesRead} bytes of ${zip.length}`);
    assert.ok(stats.calls <= 4, `${stats.calls} range reads`);
  });

  it('inflates deflated entries (method 8)', async () => {
    const data = ascii('the same line again\n'.repeat(5000));
    const zip = buildZip([{ name: 'a/data.pkl', data, method: 8 }, { name: 'b.txt', data: ascii('x'), method: 0 }]);
    const { read, dir } = list(zip);
    const e = entry(await dir, 'a/data.pkl');
    assert.equal(e.method, 8);
    assert.ok(e.compressedSize < data.length / 10);
    assert.deepEqual(await readZipEntry(read, e, { maxBytes: MiB }), data);
  });

  it('reads ZIP64 archives (EOCD64 record, locator and extra fields)', async () => {
    const pkl = benignStateDictPickle();
    const zip = pytorchZip(pkl, { zip64: true, tensorBytes: 100 });
    const { read, dir } = list(zip);
    const d = await dir;
    assert.equal(d.zip64, true);
    assert.equal(d.entries.length, 4);
    assert.equal(entry(d, 'archive/data/0').uncompressedSize, 100);
    assert.deepEqual(await readZipEntry(read, entry(d, 'archive/data.pkl'), { maxBytes: MiB }), pkl);
  });

  it('finds the end record behind an archive comment', async () => {
    const zip = buildStoredZip([{ name: 'archive/data.pkl', data: benignStateDictPickle() }]);
    const comment = ascii('made by a test; PK\u0005\u0006 inside a comment must not confuse the search');
    const withComment = concatBytes(patch(zip, (v) => v.setUint16(zip.length - 2, comment.length, true)), comment);
    const d = await list(withComment).dir;
    assert.deepEqual(d.entries.map((e) => e.name), ['archive/data.pkl']);
  });

  it('an entry count the directory cannot hold: listed as Python\'s zipfile lists it (by the directory\'s size), with a finding', async () => {
    const zip = pytorchZip(benignStateDictPickle(), { tensorBytes: 64 });
    const bad = patch(zip, (v) => {
      v.setUint16(zip.length - 22 + 8, 0xfffe, true);
      v.setUint16(zip.length - 22 + 10, 0xfffe, true);
    });
    const d = await list(bad).dir;
    assert.equal(d.entries.length, 4);
    assert.ok(d.findings.some((f) => /counts 65534 entries, its central directory holds 4/.test(f)), JSON.stringify(d.findings));
  });
});

describe('corrupt and hostile zips are errors, not crashes', () => {
  const base = () => pytorchZip(benignStateDictPickle(), { tensorBytes: 64 });

  it('not a zip, too small, or cut short', async () => {
    await rejectsZip(list(ascii('x'.repeat(1000))).dir, /no end-of-central-directory/);
    await rejectsZip(list(ascii('PK')).dir, /too small/);
    const zip = base();
    await rejectsZip(list(zip.subarray(0, zip.length - 30)).dir, /no end-of-central-directory|does not fit|corrupt/);
  });

  it('a central directory pointing outside the file', async () => {
    const zip = base();
    await rejectsZip(list(patch(zip, (v) => v.setUint32(zip.length - 22 + 16, zip.length, true))).dir, /does not fit/);
  });

  it('overlapping entries (the densest zip-bomb trick)', async () => {
    const zip = base();
    const second = centralEntryOffsets(zip)[1]!;
    await rejectsZip(list(patch(zip, (v) => v.setUint32(second + 42, 0, true))).dir, /overlaps/);
  });

  it('absurd ZIP64 sizes', async () => {
    const zip = pytorchZip(benignStateDictPickle(), { zip64: true });
    const v = new DataView(zip.buffer);
    // the first entry's ZIP64 extra: header(4) then usize(8), csize(8), offset(8), after the 16-byte name
    const first = v.getUint32(zip.length - 22 - 20 - 56 + 48, true);
    const bad = patch(zip, (w) => w.setBigUint64(first + 46 + 16 + 4 + 8, 2n ** 62n, true));
    await rejectsZip(list(bad).dir, /overlaps/);
  });

  it('an entry bigger than the caller allows', async () => {
    const zip = base();
    const { read, dir } = list(zip);
    await rejectsZip(readZipEntry(read, entry(await dir, 'archive/data.pkl'), { maxBytes: 10 }), /over the 10-byte limit/);
  });

  it('a deflate bomb that inflates past its declared size', async () => {
    const zip = buildZip([{ name: 'a/data.pkl', data: new Uint8Array(4 * MiB), method: 8 }]);
    const cd = centralEntryOffsets(zip)[0]!;
    const lying = patch(zip, (v) => v.setUint32(cd + 24, 1000, true));
    const { read, dir } = list(lying);
    await rejectsZip(readZipEntry(read, entry(await dir, 'a/data.pkl'), { maxBytes: MiB }), /inflates past the 1048576-byte limit/);
  });

  it('a CRC-32 mismatch', async () => {
    const zip = base();
    const bad = patch(zip, (v) => v.setUint8(30 + 'archive/data.pkl'.length + 5, 0x00)); // inside data.pkl's data
    const { read, dir } = list(bad);
    await rejectsZip(readZipEntry(read, entry(await dir, 'archive/data.pkl'), { maxBytes: MiB }), /CRC-32 mismatch/);
  });

  it('unsupported compression and encryption', async () => {
    const zip = base();
    const cd = centralEntryOffsets(zip)[0]!;
    const lzma = list(patch(zip, (v) => v.setUint16(cd + 10, 14, true)));
    await rejectsZip(readZipEntry(lzma.read, entry(await lzma.dir, 'archive/data.pkl'), { maxBytes: MiB }), /unsupported compression method 14/);
  });

  it('a reader that returns fewer bytes than asked', async () => {
    const zip = base();
    const short = async (start: number, end: number) => zip.slice(start, Math.max(start, end - 3));
    await assert.rejects(readZipDirectory(short, zip.length), RangeReadError);
  });
});
