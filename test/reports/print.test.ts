/**
 * The HTML report printed at A4 in a real browser (Debian's Chromium through playwright-core): no path diagram is
 * wider than the page, no text inside a diagram runs past its drawing, no relation label overlaps a box, the
 * culprit file's full name is drawn, and cards and paths are kept whole across pages. A PDF and a screenshot are
 * saved under test-artifacts/. Without a Chromium on the machine the test says plainly that it is skipped.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { shortLabel } from '../../schema/keys.ts';
import { buildReport, renderReport } from '../../services/reports/index.ts';
import { ROOT, tempWorkspace } from '../helpers/cli.ts';
import { FIXED_NOW, K, fixtureBatch, storeWith } from './helpers.ts';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const ARTIFACTS = join(ROOT, 'test-artifacts');
/** A4 (210 mm) less the report's 12 mm side margins, at 96 px per inch. */
const A4_PRINTABLE_PX = Math.floor(((210 - 24) / 25.4) * 96);
/** A culprit with a long name, the kind that used to be cut to `trai…`. */
const LONG_FILE = 'hf:file/basecorp/base-7b/checkpoints/step-000120000/optimizer_state_and_training_arguments_for_resume.pkl@abc123';

describe('HTML report printed at A4 in Chromium', { skip: CHROMIUM ? false : "no Chromium found (install Debian's chromium package): the A4 print test skipped" }, () => {
  const ws = tempWorkspace('aispm-print-');
  let browser: Browser;
  let page: Page;
  let html: string;

  before(async () => {
    const batch = fixtureBatch();
    batch.nodes.push({ kind: 'File', key: LONG_FILE, props: { format: 'pickle', scanStatus: 'dangerous', scanGlobals: ['builtins.exec'] } });
    batch.edges.push({ kind: 'CONTAINS', from: K.base, to: LONG_FILE, source: 'test', evidence: 'siblings' });
    const store = await storeWith(ws.dbPath, batch);
    try {
      html = renderReport(await buildReport(store, { now: FIXED_NOW }), 'html');
    } finally {
      await store.close();
    }
    browser = await chromium.launch({ executablePath: CHROMIUM!, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
    page = await browser.newPage({ viewport: { width: A4_PRINTABLE_PX, height: 1100 } });
    await page.emulateMedia({ media: 'print' });
    await page.setContent(html, { waitUntil: 'load' });
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    ws.cleanup();
  });

  it('no diagram is wider than the printable width of an A4 page, and nothing scrolls sideways', async () => {
    const boxes = await page.$$eval('svg.path-diagram', (svgs) => svgs.map((s) => s.getBoundingClientRect()).map((r) => ({ left: r.left, right: r.right })));
    assert.ok(boxes.length >= 3, 'the report draws its paths');
    for (const b of boxes) assert.ok(b.left >= 0 && b.right <= A4_PRINTABLE_PX + 0.5, `diagram spans ${b.left}–${b.right} px of ${A4_PRINTABLE_PX}`);
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(scrollWidth <= A4_PRINTABLE_PX + 1, `page scrolls to ${scrollWidth} px`);
  });

  it('no text runs past its diagram, and no relation label overlaps a box', async () => {
    const problems = await page.$$eval('svg.path-diagram', (svgs) => {
      const out: string[] = [];
      for (const svg of svgs as SVGSVGElement[]) {
        const view = svg.viewBox.baseVal;
        const rects = [...svg.querySelectorAll('rect')].map((r) => (r as SVGGraphicsElement).getBBox());
        for (const t of svg.querySelectorAll('text')) {
          const b = (t as SVGGraphicsElement).getBBox();
          if (b.x < 0 || b.y < 0 || b.x + b.width > view.width + 0.5 || b.y + b.height > view.height + 0.5) out.push(`clipped: "${t.textContent}"`);
          if (!t.classList.contains('edge-label')) continue;
          for (const r of rects) {
            const overlaps = b.x < r.x + r.width && b.x + b.width > r.x && b.y < r.y + r.height && b.y + b.height > r.y;
            if (overlaps) out.push(`label over a box: "${t.textContent}"`);
          }
        }
        for (const g of svg.querySelectorAll('g.node')) {
          const r = (g.querySelector('rect') as SVGGraphicsElement).getBBox();
          for (const t of g.querySelectorAll('text')) {
            const b = (t as SVGGraphicsElement).getBBox();
            if (b.x + b.width > r.x + r.width + 0.5) out.push(`name past its box: "${t.textContent}"`);
          }
        }
      }
      return out;
    });
    assert.deepEqual(problems, []);
  });

  it('draws the culprit file with its full name and each hop with its relation words', async () => {
    const names = await page.$$eval(`svg.path-diagram g.node[data-key="${LONG_FILE}"]`, (gs) => gs.map((g) => [...g.querySelectorAll('text.node-name')].map((t) => t.textContent).join('')));
    assert.ok(names.length > 0, 'the long-named pickle starts a path');
    for (const n of names) assert.equal(n, shortLabel(LONG_FILE));
    const labels = await page.$$eval('svg.path-diagram text.edge-label', (ts) => ts.map((t) => t.textContent ?? ''));
    assert.ok(labels.some((l) => l.startsWith('ships in')));
    assert.ok(labels.some((l) => l.startsWith('served by')));
  });

  it('keeps cards, paths and steps whole across pages, and prints to a PDF', async () => {
    const breaks = await page.$$eval('.card, section.path, ol.steps li', (els) => [...new Set(els.map((e) => getComputedStyle(e).breakInside))]);
    assert.deepEqual(breaks, ['avoid']);
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    assert.ok(pdf.length > 10_000);
    writeFileSync(join(ARTIFACTS, 'report-a4.pdf'), pdf);
    await page.screenshot({ path: join(ARTIFACTS, 'report-a4.png'), fullPage: false });
  });
});
