/**
 * The graph view in a real browser (Debian's Chromium, driven by playwright-core) on Cytoscape.js with the dagre
 * layered layout, both served by this server: the start screen, search ranked by kind, the details panel, each mode
 * (neighbourhood, blast radius, path, attack-path overlay) drawn left to right in the compromise direction with
 * relation words, back and forward, tagging with an admin token, and SVG export. Screenshots are saved under
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
import { graphViewRoutes } from '../../services/ui/route.ts';
import { ROOT, tempWorkspace } from '../helpers/cli.ts';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const ARTIFACTS = join(ROOT, 'test-artifacts');
const ADMIN = 'admin-token-for-the-view-test-0123456789';
const READ = 'read-token-for-the-view-test-0123456789';
const DATASET = 'hf:dataset/openweb/reviews-poisoned';
const PICKLE = 'hf:file/acme/base-7b/pytorch_model.bin@0123456789abcdef0123456789abcdef01234567';

// Reached from the poisoned dataset, worked out by hand from test/fixtures/ui/graph.json: base-7b (trained on it),
// chat-7b (finetune), chat-coder-merge and chat-7b-GGUF (derived from chat-7b), chat-demo (serves chat-7b),
// merge-arena (serves the merge). coder-7b only evaluates on it: EVALUATED_ON carries nothing.
const BLAST_REACHED = 6;

type Drawn = { nodes: string[]; edges: { source: string; target: string; label: string; onPath: boolean }[]; mode: string };
const drawn = (page: Page) =>
  page.evaluate((): Drawn => {
    const cy = (window as unknown as { AISPM_VIEW: { cy: any } }).AISPM_VIEW.cy;
    return {
      nodes: cy.nodes().map((n: any) => n.id()).sort(),
      edges: cy.edges().map((e: any) => ({ source: e.source().id(), target: e.target().id(), label: e.data('label'), onPath: e.hasClass('on-path') })),
      mode: document.body.dataset.mode ?? '',
    };
  });
const x = (page: Page, key: string) => page.evaluate((k) => (window as unknown as { AISPM_VIEW: { cy: any } }).AISPM_VIEW.cy.getElementById(k).position().x, key);
const waitStatus = (page: Page, prefix: string) => page.waitForFunction((p) => document.querySelector('#status')?.textContent?.startsWith(p), prefix, { timeout: 20_000 });

describe('graph view in Chromium', { skip: CHROMIUM ? false : "no Chromium found (install Debian's chromium package): graph-view browser test skipped" }, () => {
  const ws = tempWorkspace();
  let store: SqliteStore;
  let server: { url: string; close(): Promise<void> };
  let browser: Browser;
  let page: Page;
  const foreign: string[] = [];

  before(async () => {
    store = SqliteStore.open(ws.dbPath);
    const records = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/ui/graph.json'), 'utf8')) as RecordBatch;
    await store.upsert({ nodes: records.nodes, edges: records.edges.map((e) => ({ ...e, source: 'ui-test' })) });
    server = await startServer({
      store,
      host: '127.0.0.1',
      port: 0,
      routes: graphViewRoutes,
      tokens: [{ name: 'admin', role: 'admin', token: ADMIN }, { name: 'reader', role: 'read', token: READ }],
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM!,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 820 }, acceptDownloads: true });
    page.on('request', (r) => {
      if (!r.url().startsWith(server.url) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) foreign.push(r.url());
    });
    // The read token first: the page is useful to a reader; tagging needs the admin one.
    await page.addInitScript((t) => sessionStorage.setItem('aispm-token', t), READ);
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await store?.close();
    ws.cleanup();
  });

  it('starts on the top attack paths with endpoints, crown jewels and top findings listed; nothing loads from elsewhere', async () => {
    const res = await page.goto(server.url + '/');
    assert.equal(res?.status(), 200);
    assert.equal(await page.title(), 'aispm graph view');
    assert.ok(await page.locator('link[rel=icon]').count(), 'a favicon');
    await waitStatus(page, 'attack paths:');
    const view = await drawn(page);
    assert.match(view.mode, /^top attack paths/);
    // The crown jewel chat-demo is the target: the pickle and the poisoned dataset reach it through base-7b and chat-7b.
    assert.ok(view.nodes.includes('hf:space/acme/chat-demo') && view.nodes.includes(PICKLE), view.nodes.join(', '));
    assert.ok(view.edges.every((e) => e.onPath), 'every drawn step is on a path');
    assert.ok(view.edges.some((e) => e.source === 'hf:model/acme/base-7b' && e.target === 'hf:model/acme/chat-7b' && e.label === 'fine-tuned into'));
    assert.ok((await x(page, PICKLE)) < (await x(page, 'hf:space/acme/chat-demo')), 'left to right: compromised first on the left');
    assert.deepEqual(await page.getByTestId('start-endpoints').locator('li').evaluateAll((ls) => ls.map((l) => l.getAttribute('data-key'))), ['hf:space/acme/chat-demo', 'hf:space/dev/merge-arena']);
    assert.deepEqual(await page.getByTestId('start-jewels').locator('li').evaluateAll((ls) => ls.map((l) => l.getAttribute('data-key'))), ['hf:space/acme/chat-demo']);
    assert.match(await page.getByTestId('start-findings').innerText(), /critical\s*Dangerous pickle/i);
    const legend = await page.getByTestId('legend').innerText();
    for (const kind of ['Model', 'Dataset', 'Endpoint', 'Identity', 'DERIVED_FROM', 'SERVES: served by']) assert.ok(legend.includes(kind), kind);
    await page.screenshot({ path: join(ARTIFACTS, 'graph-view-start.png') });
    assert.deepEqual(foreign, []);
  });

  it('search ranks by kind relevance (models before their files) and shows a node\'s neighbourhood', async () => {
    await page.getByTestId('search').fill('base-7b');
    await page.getByTestId('search').press('Enter');
    await page.locator('li.result').first().waitFor({ timeout: 10_000 });
    const kinds = await page.locator('li.result').evaluateAll((ls) => ls.map((l) => l.getAttribute('data-kind')));
    assert.deepEqual(kinds, ['Model', 'File']);
    await page.getByTestId('search').fill('poisoned');
    await page.getByTestId('search').press('Enter');
    const item = page.locator(`li.result[data-key="${DATASET}"]`);
    await item.waitFor({ timeout: 10_000 });
    await item.click();
    assert.equal(await page.getByTestId('selected').innerText(), DATASET);
    await waitStatus(page, 'neighbourhood');
    // Itself, base-7b (TRAINED_ON) and coder-7b (EVALUATED_ON); drawn as compromise moves: the dataset trained base-7b.
    const view = await drawn(page);
    assert.deepEqual(view.nodes, [DATASET, 'hf:model/acme/base-7b', 'hf:model/other/coder-7b'].sort());
    assert.ok(view.edges.some((e) => e.source === DATASET && e.target === 'hf:model/acme/base-7b' && e.label === 'trained'));
  });

  it('a blast radius draws every reached node plus the start, left to right, with relation words', async () => {
    await page.getByTestId('blast-radius').click();
    await waitStatus(page, 'blast radius:');
    assert.match(await page.getByTestId('status').innerText(), new RegExp(`blast radius: ${BLAST_REACHED} nodes reached`));
    const view = await drawn(page);
    assert.equal(view.nodes.length, BLAST_REACHED + 1);
    assert.ok(!view.nodes.includes('hf:model/other/coder-7b'), 'EVALUATED_ON carries nothing');
    assert.deepEqual(view.edges.map((e) => e.label).sort(), ['fine-tuned into', 'merged into', 'quantized as', 'served by', 'served by', 'trained']);
    assert.ok((await x(page, DATASET)) < (await x(page, 'hf:model/acme/chat-7b')) && (await x(page, 'hf:model/acme/chat-7b')) < (await x(page, 'hf:space/acme/chat-demo')));
    await page.screenshot({ path: join(ARTIFACTS, 'graph-view-blast-radius.png') });
  });

  it('back and forward move between the views shown', async () => {
    await page.getByTestId('back').click();
    await waitStatus(page, 'neighbourhood');
    assert.equal((await drawn(page)).nodes.length, 3);
    await page.getByTestId('forward').click();
    await waitStatus(page, 'blast radius:');
    assert.equal((await drawn(page)).nodes.length, BLAST_REACHED + 1);
  });

  it('the details panel says kind, scan verdict, revision, license, owner and links to the source', async () => {
    await page.evaluate((k) => (window as unknown as { AISPM_VIEW: { cy: any } }).AISPM_VIEW.cy.getElementById(k).emit('tap'), 'hf:model/acme/base-7b');
    await page.locator('[data-field="license"]').waitFor({ timeout: 10_000 });
    const details = await page.getByTestId('details').innerText();
    assert.match(details, /kind\s+Model/);
    assert.match(details, /license\s+apache-2\.0/);
    assert.match(details, /owner\s+acme/);
    assert.match(await page.getByTestId('source-link').getAttribute('href') ?? '', /\/acme\/base-7b$/);
  });

  it('path-to autocompletes from search and draws the path; a hostile key is reported, not drawn', async () => {
    await page.evaluate((k) => (window as unknown as { AISPM_VIEW: { cy: any } }).AISPM_VIEW.cy.getElementById(k).emit('tap'), DATASET);
    await page.getByTestId('path-to').fill('merge-ar');
    await page.waitForFunction(() => document.querySelectorAll('#path-to-options option').length > 0, undefined, { timeout: 10_000 });
    assert.equal(await page.locator('#path-to-options option').first().getAttribute('value'), 'hf:space/dev/merge-arena');
    await page.getByTestId('path-to').fill('hf:space/dev/merge-arena');
    await page.getByTestId('path').click();
    await waitStatus(page, 'path:');
    // A path uses edges either way round, so the shortest goes through the evaluation edge: 3 steps, 4 nodes.
    assert.match(await page.getByTestId('status').innerText(), /path: 3 steps/);
    assert.deepEqual((await drawn(page)).nodes, [DATASET, 'hf:model/dev/chat-coder-merge', 'hf:model/other/coder-7b', 'hf:space/dev/merge-arena']);
    await page.screenshot({ path: join(ARTIFACTS, 'graph-view-path.png') });
    await page.getByTestId('path-to').fill("hf:model/x/'); MATCH (n) DETACH DELETE n //");
    await page.getByTestId('path').click();
    await page.waitForFunction(() => document.querySelector('#status')?.className === 'error' || /no path/.test(document.querySelector('#status')?.textContent ?? ''));
    assert.equal((await store.stats()).nodes, 11, 'the hostile key changed nothing');
  });

  it('the attack-path overlay marks every step red; tagging needs the admin token and retargets the paths', async () => {
    await page.getByTestId('attack-paths').click();
    await waitStatus(page, 'attack paths:');
    assert.ok((await drawn(page)).edges.every((e) => e.onPath));
    const fileLabel = await page.evaluate((k) => (window as unknown as { AISPM_VIEW: { cy: any } }).AISPM_VIEW.cy.getElementById(k).data('label'), PICKLE);
    assert.equal(fileLabel, 'acme/base-7b/pytorch_model.bin@0123456789ab', 'the sha is cut to 12 hex digits');
    await page.screenshot({ path: join(ARTIFACTS, 'graph-view-attack-paths.png') });
    // merge-arena is no target yet, so it is not drawn: pick it from the start screen's endpoint list.
    await page.locator('[data-testid="start-endpoints"] li[data-key="hf:space/dev/merge-arena"]').click();
    await page.waitForFunction(() => document.querySelector('[data-field="key"]')?.textContent === 'hf:space/dev/merge-arena', undefined, { timeout: 10_000 });
    await page.getByTestId('tag-crown-jewel').click();
    await page.waitForFunction(() => document.querySelector('#status')?.className === 'error');
    assert.match(await page.getByTestId('status').innerText(), /admin token/);
    await page.locator('details summary').click();
    await page.getByTestId('token').fill(ADMIN);
    await page.getByTestId('token').dispatchEvent('change');
    await page.getByTestId('tag-crown-jewel').click();
    await waitStatus(page, 'tagged hf:space/dev/merge-arena crown-jewel');
    await page.locator('[data-testid="analyst-tags"] .tag').first().waitFor({ timeout: 10_000 });
    assert.equal(await page.getByTestId('analyst-tags').innerText(), 'crown-jewel');
    const [node] = await store.getNodes(['hf:space/dev/merge-arena']);
    assert.deepEqual(node!.props.analystTags, ['crown-jewel']);
    await page.getByTestId('attack-paths').click();
    await waitStatus(page, 'attack paths:');
    assert.ok((await drawn(page)).nodes.includes('hf:space/dev/merge-arena'), 'the new crown jewel is a target');
    await page.screenshot({ path: join(ARTIFACTS, 'graph-view-tagged.png') });
  });

  it('exports what is drawn as SVG (and PNG)', async () => {
    const svg = await page.evaluate(() => (window as unknown as { AISPM_VIEW: { toSvg(): string } }).AISPM_VIEW.toSvg());
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.ok((svg.match(/<circle /g) ?? []).length === (await drawn(page)).nodes.length);
    assert.match(svg, />served by</);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-png').click()]);
    assert.equal(download.suggestedFilename(), 'aispm-graph.png');
  });

  it('shows markup in keys as text: no element is made from graph data', async () => {
    const evil = 'hf:model/x"><img src=x onerror="window.__xss=1">';
    const evilSpace = 'hf:space/x/<svg onload=window.__xss=2>';
    await store.upsert({
      nodes: [{ kind: 'Model', key: evil, props: { name: '<b>zz-evil</b>', license: '<i>mit</i>' } }, { kind: 'Endpoint', key: evilSpace, props: {} }],
      edges: [{ kind: 'SERVES', from: evilSpace, to: evil, source: 'ui-test', evidence: '<i>e</i>', confidence: 'declared', observedAt: '2026-01-01T00:00:00.000Z' }],
    });
    await page.getByTestId('search').fill('onerror');
    await page.getByTestId('search').press('Enter');
    const item = page.locator('li.result').filter({ hasText: 'onerror' });
    await item.waitFor({ timeout: 10_000 });
    assert.equal(await item.getAttribute('data-key'), evil);
    await item.click();
    await waitStatus(page, 'neighbourhood');
    assert.deepEqual((await drawn(page)).nodes, [evil, evilSpace].sort());
    await page.locator('[data-field="license"]').waitFor({ timeout: 10_000 });
    const injected = await page.evaluate(() => ({ flag: (window as unknown as { __xss?: number }).__xss, tags: document.querySelectorAll('img, i, aside b:not(#legend b)').length }));
    assert.deepEqual(injected, { flag: undefined, tags: 0 });
  });
});
