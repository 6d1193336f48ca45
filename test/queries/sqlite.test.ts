import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { SqliteStore } from '../../services/store/sqlite.ts';
import { runAnalysisSuite } from './analysis-suite.ts';

const dir = mkdtempSync(join(tmpdir(), 'aispm-analyses-'));
let n = 0;
after(() => rmSync(dir, { recursive: true, force: true }));

runAnalysisSuite('sqlite', async () => SqliteStore.open(join(dir, `store-${n++}.db`)));
