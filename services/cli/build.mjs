#!/usr/bin/env node
// `npm run build` (also run by `npm install` in a clone, and before `npm pack`): compiles the application's
// TypeScript to JavaScript in dist/, copies the files it reads at run time (SDL, HTML, sample data) beside it,
// and writes dist/sources.json, the size and modification time of every source it was built from. The CLI
// launcher (aispm.js) runs dist/ only while every one of those sources is unchanged, so an edited checkout never
// runs a stale build.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const DIST = join(ROOT, 'dist');
/** The folders an installed CLI runs from (tests and benchmarks are not part of it). */
const FOLDERS = ['schema', 'services', 'ingest', 'queries'];

rmSync(DIST, { recursive: true, force: true });
let tsc;
try {
  tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin/tsc');
} catch {
  // An install without dev dependencies (npm install --omit=dev) has no compiler: the CLI runs the sources.
  console.log('typescript is not installed: no dist/ built, the CLI runs the TypeScript sources through tsx');
  process.exit(0);
}
const built = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
if (built.status !== 0) {
  rmSync(DIST, { recursive: true, force: true });
  console.error('build failed: dist/ removed, so the CLI runs the TypeScript sources');
  process.exit(built.status ?? 1);
}

const sources = {};
for (const folder of FOLDERS) {
  for (const file of filesUnder(join(ROOT, folder))) {
    const rel = relative(ROOT, file);
    const { size, mtimeMs } = statSync(file);
    sources[rel] = [size, mtimeMs];
    if (!file.endsWith('.ts')) {
      mkdirSync(dirname(join(DIST, rel)), { recursive: true });
      cpSync(file, join(DIST, rel));
    }
  }
}
writeFileSync(join(DIST, 'sources.json'), JSON.stringify(sources));
console.log(`built dist/ from ${Object.keys(sources).length} source files`);

function* filesUnder(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(path);
    // Documentation is not run: editing a README leaves the build current.
    else if (entry.isFile() && !entry.name.endsWith('.md')) yield path;
  }
}
