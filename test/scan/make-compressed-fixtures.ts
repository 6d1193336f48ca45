/**
 * Writes the compressed fixtures in `fixtures/` from `compressed-plaintexts.ts` with Debian's bzip2 (1.0.8), xz and
 * lzma (xz-utils 5.4) — run once, by hand, and committed; the tests never run these tools:
 *
 *   node --import tsx test/scan/make-compressed-fixtures.ts [fixture …]
 *
 * Each fixture's command is in COMMANDS below (input on stdin, output to the fixture).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { maliciousPickleStackGlobal, pytorchZip, maliciousPickleGlobal } from '../../ingest/scan/build.ts';
import { BENIGN_PICKLE, BOMB_PAIRS, EVIL_PICKLE, mixedPlaintext, noisePlaintext, opcodeBomb } from './compressed-plaintexts.ts';

const DIR = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const mixed = mixedPlaintext();

const COMMANDS: Array<[file: string, input: Uint8Array, cmd: string[]]> = [
  ['benign.pkl.bz2', BENIGN_PICKLE, ['bzip2', '-9', '-c']],
  ['evil.pkl.bz2', EVIL_PICKLE, ['bzip2', '-9', '-c']],
  ['benign.joblib.xz', BENIGN_PICKLE, ['xz', '-c', '--check=crc64']],
  ['evil.joblib.xz', EVIL_PICKLE, ['xz', '-c', '--check=crc32']],
  ['benign-alone.joblib', BENIGN_PICKLE, ['lzma', '-c']],
  ['evil-alone.joblib', EVIL_PICKLE, ['lzma', '-c']],
  ['mixed.bz2', mixed, ['bzip2', '-1', '-c']], // 100 kB blocks: three blocks
  ['mixed.xz', mixed, ['xz', '-c', '-6', '--check=sha256', '--block-size=120000']], // three blocks, sizes in their headers
  ['noise.xz', noisePlaintext(), ['xz', '-c', '--check=crc64']], // LZMA2 stored chunks
  ['mixed-crc32.xz', mixed, ['xz', '-c', '-1', '--check=crc32']],
  ['mixed-nocheck.xz', mixed, ['xz', '-c', '--check=none', '--lzma2=preset=6,lc=1,lp=2,pb=0']],
  ['mixed.lzma', mixed, ['lzma', '-c', '-9']],
  ['mixed-props.lzma', mixed, ['xz', '--format=lzma', '-c', '--lzma1=preset=3,lc=1,lp=3,pb=4']], // liblzma: lc + lp ≤ 4
  // hostile variants from the project's pickle builder: a bz2'd torch zip, an xz'd STACK_GLOBAL joblib
  ['evil-torch.pt.bz2', pytorchZip(maliciousPickleGlobal()), ['bzip2', '-9', '-c']],
  ['evil-stack.joblib.xz', maliciousPickleStackGlobal('id'), ['xz', '-c']],
  ['x86-filter.xz', BENIGN_PICKLE, ['xz', '-c', '--x86', '--lzma2']], // a BCJ filter: not decoded
  ['bomb.pkl.bz2', opcodeBomb(BOMB_PAIRS), ['bzip2', '-9', '-c']],
  ['bomb.joblib.xz', opcodeBomb(BOMB_PAIRS), ['xz', '-c', '-9']],
  ['bomb-alone.joblib', opcodeBomb(BOMB_PAIRS), ['lzma', '-c', '-9']],
];

const only = new Set(process.argv.slice(2));
for (const [file, input, [cmd, ...args]] of COMMANDS) {
  if (only.size && !only.has(file)) continue;
  writeFileSync(join(DIR, file), execFileSync(cmd!, args, { input, maxBuffer: 1 << 30 }));
  console.log(file);
}
