#!/usr/bin/env node
// Runs the JavaScript that `npm run build` compiled into dist/ (no TypeScript is transpiled on the way to an
// answer) while every source it was built from is unchanged (dist/sources.json: size and mtime per file); after an
// edit, or with no build, runs the TypeScript sources through tsx, so a checkout never runs stale code.
import { readFileSync, statSync } from 'node:fs';

const root = new URL('../../', import.meta.url);

function buildIsCurrent() {
  let sources;
  try {
    sources = JSON.parse(readFileSync(new URL('dist/sources.json', root), 'utf8'));
  } catch {
    return false;
  }
  for (const [path, [size, mtimeMs]] of Object.entries(sources)) {
    const st = statSync(new URL(path, root), { throwIfNoEntry: false });
    if (!st || st.size !== size || st.mtimeMs !== mtimeMs) return false;
  }
  return true;
}

let main;
if (process.env.AISPM_FROM_SOURCE !== '1' && buildIsCurrent()) {
  ({ main } = await import(new URL('dist/services/cli/main.js', root)));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('./main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
