/**
 * The graph view in a real browser (Debian's Chromium, driven by playwright-core): it loads, a search finds a node,
 * a blast radius draws the expected number of nodes, a path draws its steps. Screenshots are saved under
 * test-artifacts/. Without a Chromium on the machine the test says plainly that it is skipped.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { RecordBatch } from '../../schema/records.ts';
import { startServer } from '../../services/api/server.ts';
import { SqliteStore } from '../../services/store/sqlite.ts';
import { graphViewRoute } from '../../services/ui/route.ts';
import { ROOT, tempWorkspace } from '../helpers/cli.ts';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const ARTIFACTS = join(ROOT, 'test-artifacts');

// Reached from the poisoned dataset, worked out by hand from test/fixtures/ui/graph.json: base-7b (trained on it),
// chat-7b (finetune), chat-coder-merge and chat-7b-GGUF (derived from chat-7b), chat-demo (serves chat-7b),
// merge-arena (serves the merge). coder-7b only evaluates on it: EVALUATED_ON carries nothing.
const BLAST_REACHED = 6;

describe('graph view in Chromium', { skip: CHROMIUM ? false : 'no Chromium found (install Debian\'s chromium package): graph-view browser test skipped' }, () => {
  const ws = tempWorkspace();
  let store: SqliteStore;
  let server: { url: string; close(): Promise<void> };
  let browser: Browser;
  let page: Page;

  before(async () => {
    store = SqliteStore.open(ws.dbPath);
    const records = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/ui/graph.json'), 'utf8')) as RecordBatch;
    await store.upsert({ nodes: records.nodes, edges: records.edges.map((e) => ({ ...e, source: 'ui-test' })) });
    server = await startServer({ store, host: '127.0.0.1', port: 0, routes: [graphViewRoute] });
    browser = await chromium.launch({
      executablePath: CHROMIUM!,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await store?.close();
    ws.cleanup();
  });

  it('loads with a legend for every node kind, and no request leaves this server', async () => {
    const foreign: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(server.url)) foreign.push(r.url());
    });
    const res = await page.goto(server.url + '/');
    assert.equal(res?.status(), 200);
    assert.equal(await page.title(), 'aispm graph view');
    const legend = await page.getByTestId('legend').innerText();
    for (const kind of ['Model', 'Dataset', 'Endpoint', 'Identity', 'DERIVED_FROM', 'SERVES']) assert.match(legend, new RegExp(kind));
    assert.deepEqual(foreign, []);
  });

  it('a search finds the node by part of its name', async () => {
    await page.getByTestId('search').fill('poisoned');
    await page.getByTestId('search').press('Enter');
    const item = page.locator('li.result[data-key="hf:dataset/openweb/reviews-poisoned"]');
    await item.waitFor({ timeout: 10_000 });
    assert.match(await page.getByTestId('status').innerText(), /1 match/);
    await item.click();
    assert.equal(await page.getByTestId('selected').innerText(), 'hf:dataset/openweb/reviews-poisoned');
    // Its neighbourhood: itself, base-7b (TRAINED_ON) and coder-7b (EVALUATED_ON).
    await page.waitForFunction(() => document.querySelector('#status')?.textContent?.startsWith('neighbourhood'));
    assert.equal(await page.locator('#canvas g.node').count(), 3);
  });

  it('a blast radius draws every reached node plus the start', async () => {
    await page.getByTestId('blast-radius').click();
    await page.waitForFunction(() => document.querySelector('#status')?.textContent?.startsWith('blast radius'));
    assert.match(await page.getByTestId('status').innerText(), new RegExp(`blast radius: ${BLAST_REACHED} nodes reached`));
    assert.equal(await page.locator('#canvas g.node').count(), BLAST_REACHED + 1);
    const kinds = await page.locator('#canvas g.node').evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')));
    assert.equal(kinds.filter((k) => k === 'Endpoint').length, 2);
    assert.ok(!(await page.locator('#canvas g.node[data-key="hf:model/other/coder-7b"]').count()), 'EVALUATED_ON carries nothing');
    await page.screenshot({ path: join(ARTIFACTS, 'graph-view-blast-radius.png') });
  });

  it('a path between two nodes draws its steps, and an unknown key is reported, not drawn', async () => {
    await page.getByTestId('path-to').fill('hf:space/dev/merge-arena');
    await page.getByTestId('path').click();
    await page.waitForFunction(() => document.querySelector('#status')?.textContent?.startsWith('path'));
    // A path uses edges either way round, so the shortest goes through the evaluation edge:
    // dataset – coder-7b (EVALUATED_ON) – merge (DERIVED_FROM) – merge-arena (SERVES): 3 steps, 4 nodes.
    assert.match(await page.getByTestId('status').innerText(), /path: 3 steps/);
    const keys = await page.locator('#canvas g.node').evaluateAll((els) => els.map((e) => e.getAttribute('data-key')).sort());
    assert.deepEqual(keys, ['hf:dataset/openweb/reviews-poisoned', 'hf:model/dev/chat-coder-merge', 'hf:model/other/coder-7b', 'hf:space/dev/merge-arena']);
    await page.screenshot({ path: join(ARTIFACTS, 'graph-view-path.png') });
    await page.getByTestId('path-to').fill("hf:model/x/'); MATCH (n) DETACH DELETE n //");
    await page.getByTestId('path').click();
    await page.waitForFunction(() => document.querySelector('#status')?.className === 'error' || /no path/.test(document.querySelector('#status')?.textContent ?? ''));
    assert.equal((await store.stats()).nodes, 10, 'the hostile key changed nothing');
  });

  it('shows markup in keys and kinds of edges as text: no element is made from graph data', async () => {
    const evil = 'hf:model/x"><img src=x onerror="window.__xss=1">';
    const evilSpace = 'hf:space/x/<svg onload=window.__xss=2>';
    await store.upsert({
      nodes: [{ kind: 'Model', key: evil, props: { name: '<b>zz-evil</b>' } }, { kind: 'Endpoint', key: evilSpace, props: {} }],
      edges: [{ kind: 'SERVES', from: evilSpace, to: evil, source: 'ui-test', evidence: '<i>e</i>', confidence: 'declared', observedAt: '2026-01-01T00:00:00.000Z' }],
    });
    await page.getByTestId('search').fill('onerror');
    await page.getByTestId('search').press('Enter');
    const item = page.locator('li.result').filter({ hasText: 'onerror' });
    await item.waitFor({ timeout: 10_000 });
    assert.equal(await item.getAttribute('data-key'), evil);
    await item.click();
    await page.waitForFunction(() => document.querySelector('#status')?.textContent?.startsWith('neighbourhood'));
    const keys = await page.locator('#canvas g.node').evaluateAll((els) => els.map((e) => e.getAttribute('data-key')).sort());
    assert.deepEqual(keys, [evil, evilSpace].sort());
    assert.equal(await page.getByTestId('selected').innerText(), evil);
    const injected = await page.evaluate(() => ({
      flag: (window as unknown as { __xss?: number }).__xss,
      tags: document.querySelectorAll('img, b, i, script:not(body > script), svg svg').length,
    }));
    assert.deepEqual(injected, { flag: undefined, tags: 0 });
  });
});
