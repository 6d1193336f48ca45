import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../services/store/sqlite.ts';
import { runStoreContract } from './contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'aispm-contract-'));
let n = 0;

runStoreContract('sqlite', {
  async open() {
    return SqliteStore.open(join(dir, `store-${n++}.db`));
  },
  async cliSpec() {
    return `sqlite:${join(dir, `store-${n++}.db`)}`;
  },
  async freshSpec() {
    return `sqlite:${join(dir, `store-${n++}.db`)}`;
  },
  async cleanup() {
    rmSync(dir, { recursive: true, force: true });
  },
});
