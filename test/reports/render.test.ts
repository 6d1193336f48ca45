/**
 * The four renderings of a report built from real SQLite stores: Markdown (content, escaping, table shape), HTML
 * (parses without error, self-contained, one diagram per path, hostile text inert), SARIF 2.1.0 (valid against the
 * official schema, results per finding and per path, levels) and JSON (valid against report.schema.json).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EDGE_SPECS, type EdgeKind } from '../../schema/model.ts';
import { buildReport, renderReport, type Report } from '../../services/reports/index.ts';
import {
  FIXED_NOW,
  HOSTILE,
  K,
  assertValidReportJson,
  assertValidSarif,
  attr,
  codeSpans,
  elements,
  hostileBatch,
  outsideCode,
  parseHtmlStrictly,
  splitTableRow,
  storeWith,
  textOf,
} from './helpers.ts';

/** What a reader sees on one Markdown line: code spans as their content, emphasis marks dropped, escapes resolved. */
function visible(line: string, table = false): string {
  const spans = codeSpans(line, table);
  let i = 0;
  return outsideCode(line)
    .replace(/(?<!\\)\*+/g, '')
    .replace(/\\([!-/:-@[-`{-~])/g, '$1')
    .replace(/␣/g, () => spans[i++] ?? '');
}

const isTableRow = (line: string) => line.startsWith('|');

/** Every line that is part of a table has as many cells as its header. */
function assertTablesWellFormed(md: string): void {
  const lines = md.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!isTableRow(lines[i]!) || (i > 0 && isTableRow(lines[i - 1]!))) continue;
    const width = splitTableRow(lines[i]!).length;
    assert.match(lines[i + 1]!, /^\|(---\|)+$/, `delimiter row after ${lines[i]}`);
    for (let j = i + 2; j < lines.length && isTableRow(lines[j]!); j++) {
      assert.equal(splitTableRow(lines[j]!).length, width, `row has ${width} cells: ${lines[j]}`);
    }
  }
}

/** Outside code spans nothing may start HTML, and outside tables no bare pipe may turn a line into a table row. */
function assertNoLiveMarkup(md: string): void {
  for (const line of md.split('\n')) {
    const bare = outsideCode(line).replace(/\\./g, '');
    assert.ok(!bare.includes('<'), `raw < outside code: ${line}`);
    assert.ok(!bare.includes('&'), `raw & outside code (an entity would be decoded): ${line}`);
    if (!isTableRow(line)) assert.ok(!bare.includes('|'), `bare pipe outside a table: ${line}`);
  }
}

describe('report renderings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aispm-report-render-'));
  let report: Report;
  let hostile: Report;
  let empty: Report;
  before(async () => {
    const stores = await Promise.all([storeWith(join(dir, 'a.db')), storeWith(join(dir, 'h.db'), hostileBatch()), storeWith(join(dir, 'e.db'), { nodes: [], edges: [] })]);
    [report, hostile, empty] = await Promise.all([
      buildReport(stores[0], { now: FIXED_NOW }),
      buildReport(stores[1], { now: FIXED_NOW, title: 'Review <script>alert(3)</script> | `x`' }),
      buildReport(stores[2], { now: FIXED_NOW }),
    ]);
    await Promise.all(stores.map((s) => s.close()));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('bidi overrides, isolates and zero-width characters in names are shown as \\uXXXX in Markdown and HTML', async () => {
    const bidi = hostileBatch();
    const renamed = (k: string) => (k === HOSTILE.dataset ? 'hf:dataset/evil/d\u202Eata\u200B' : k);
    bidi.nodes = bidi.nodes.map((n) => ({ ...n, key: renamed(n.key) }));
    bidi.edges = bidi.edges.map((e) => ({ ...e, from: renamed(e.from), to: renamed(e.to), evidence: e.evidence === HOSTILE.evidence ? 'card\u2066Data' : e.evidence }));
    const store = await storeWith(join(dir, 'bidi.db'), bidi);
    const r = await buildReport(store, { now: FIXED_NOW });
    await store.close();
    for (const format of ['md', 'html'] as const) {
      const text = renderReport(r, format);
      assert.doesNotMatch(text, /[\u202A-\u202E\u2066-\u2069\u200B]/, `${format}: no raw format character`);
      assert.ok(text.includes('d\\u202Eata\\u200B') && text.includes('card\\u2066Data'), `${format}: the escapes are visible`);
    }
  });

  describe('Markdown', () => {
    let md: string;
    let lines: string[];
    before(() => {
      md = renderReport(report, 'md');
      lines = md.split('\n');
    });

    it('has the sections a review reads, in order', () => {
      const headings = lines.filter((l) => /^#{1,2} /.test(l));
      assert.deepEqual(headings, ['# AI supply-chain attack-path report', '## Summary', '## Fixes that cut the most paths', '## Top attack paths', '## Choke point', '## Findings', '## Blast radius of the top entry points']);
      assertTablesWellFormed(md);
      assertNoLiveMarkup(md);
    });

    it('summary: assets, crown jewels, findings by severity, exposure and impact worded precisely', () => {
      const row = (name: string) => visible(lines.find((l) => l.startsWith(`| ${name} |`)) ?? assert.fail(`no ${name} row`), true);
      assert.match(row('assets in scope'), /\| 16 nodes \(Dataset 2, Endpoint 2, File 1, Identity 3, Model 4, Package 2, Vulnerability 2\) \|/);
      assert.match(row('crown jewels'), /none tagged; targets are every endpoint \(2\)/);
      assert.match(row('findings'), /critical 2 · high 2 · medium 6 · low 0 · info 0/);
      assert.match(row('exposure'), /85\.7% — 6 of 7 entry points have an attack path to a target/);
      assert.match(row('impact'), new RegExp(`31\\.3% — ${K.pickle.replace(/[.]/g, '\\.')} reaches 5 of the 16 nodes; the widest blast radius of the top 3 entry points`));
    });

    it('every path with its risk and likelihood, every step with meaning, abuse, evidence and fix', () => {
      for (const p of report.attackPaths) {
        const at = lines.findIndex((l) => l.startsWith(`### ${p.rank}. `));
        assert.ok(at >= 0, `heading for path ${p.rank}`);
        assert.deepEqual(codeSpans(lines[at]!), [p.from, p.to]);
        // A one-step path (a model served at a floating revision) says "1 step".
        assert.equal(visible(lines[at + 2]!), `Risk ${p.risk.toFixed(1)}/10 · likelihood ${p.likelihood} · ${p.steps.length} step${p.steps.length === 1 ? '' : 's'}`);
        // Who must act on this path, and why its first node is an entry point.
        assert.equal(visible(lines[at + 4]!), `Entry: ${p.entryReasons.join(', ')} · Who must act (owners of the target): ${p.owners.join(', ')}`);
        assert.ok(p.owners.length > 0, `path ${p.rank} names its owners`);
        const block = lines.slice(at + 6, at + 6 + p.steps.length * 5).map((l) => visible(l));
        p.steps.forEach((st, i) => {
          const spec = EDGE_SPECS[st.edgeKind as EdgeKind];
          const [head, meaning, abuse, evidence, fix] = block.slice(i * 5, i * 5 + 5);
          // Said in the compromise direction, in the model's words.
          assert.equal(head, `${i + 1}. ${st.from} ${st.verb} ${st.to} (${st.edgeKind}${st.relation ? ` ${st.relation}` : ''}${st.revision ? `, revision ${st.revision}` : ''})`);
          // The meaning speaks of the stored edge, so the stored direction is named (chat-7b DERIVED_FROM base-7b).
          const [storedFrom, storedTo] = spec.flow === 'forward' ? [st.from, st.to] : [st.to, st.from];
          assert.equal(meaning, `   - What it means: ${storedFrom} ${st.edgeKind} ${storedTo}: ${spec.meaning}`);
          assert.equal(abuse, `   - How it is abused: ${spec.abuse}`);
          assert.equal(evidence, `   - Evidence: ${st.evidence} (source ${st.source})`);
          assert.equal(fix, `   - Fix: ${spec.remediation}`);
        });
      }
      // The markup around the text, for the first pickle path: bold kind, code keys, a numbered list with nested bullets.
      assert.ok(lines.includes('1. `hf:file/basecorp/base-7b/pytorch_model.bin@abc123` **ships in** `hf:model/basecorp/base-7b` (CONTAINS)'));
      assert.ok(lines.includes('   - *Evidence:* `siblings` (source `hf`)'));
    });

    it('the choke point and its fix', () => {
      const at = lines.indexOf('## Choke point');
      assert.equal(visible(lines[at + 2]!), `Cutting ${K.chat} → ${K.chatSpace} (SERVES) breaks 5 of the 9 paths above.`);
      assert.equal(visible(lines[at + 4]!), `Fix: ${EDGE_SPECS.SERVES.remediation}`);
    });

    it('findings grouped by severity, most severe first, each with nodes, evidence and remediation', () => {
      const groups = lines.filter((l) => /^### (Critical|High|Medium|Low|Info) /.test(l));
      assert.deepEqual(groups, ['### Critical (2)', '### High (2)', '### Medium (6)']);
      const section = lines.slice(lines.indexOf('## Findings'), lines.indexOf('## Blast radius of the top entry points'));
      const under = (heading: string) => {
        const start = section.indexOf(heading);
        const end = section.findIndex((l, i) => i > start && l.startsWith('### '));
        return section.slice(start, end < 0 ? undefined : end).map((l) => visible(l));
      };
      const critical = under('### Critical (2)');
      assert.ok(critical.some((l) => l === '- Dangerous pickle in a served model or its ancestors (pickle-dangerous)'));
      assert.ok(critical.some((l) => l === '- Served model depends on a vulnerable package (vulnerable-dependency)'));
      assert.ok(critical.includes(`  - Evidence: ${K.ghsa} affects ${K.transformers} (fixed in 4.36.0): Deserialization of untrusted data in transformers`));
      assert.ok(critical.includes('  - Remediation: Remove the file, convert the weights to safetensors, and redeploy from a scanned revision.'));
      assert.equal(under('### High (2)').filter((l) => l.startsWith('- ')).length, 2);
      const medium = under('### Medium (6)');
      assert.deepEqual(medium.filter((l) => l.startsWith('- ')).sort(), [
        '- Derived model licensed more loosely than an ancestor (license-drift)',
        '- Model or dataset consumed at a floating revision (unpinned-revision)',
        '- Model or dataset consumed at a floating revision (unpinned-revision)',
        '- Served model needs custom code to load (custom-code)',
        "- Served model's lineage writable from outside the endpoint owner's org (outside-writer)",
        "- Served model's lineage writable from outside the endpoint owner's org (outside-writer)",
      ]);
      assert.ok(medium.includes(`  - Evidence: ${K.chatSpace} SERVES ${K.chat} at revision "main" (source hf, evidence app.py from_pretrained)`));
    });

    it('blast radius of each top entry point with its endpoints and owners', () => {
      const at = lines.indexOf('## Blast radius of the top entry points');
      const rest = lines.slice(at).map((l) => visible(l, isTableRow(l)));
      assert.deepEqual(
        rest.filter((l) => l.startsWith('### ')),
        [`### ${K.chat}`, `### ${K.summarizer}`, `### ${K.pickle}`],
      );
      assert.ok(rest.includes('Reaches 5 nodes (31.3% of the graph): Model 3, Endpoint 2.'));
      assert.ok(rest.includes(`| ${K.chatSpace} | 1 | ${K.acme}, ${K.alice} |`));
      assert.ok(rest.includes(`| ${K.chatSpace} | 3 | ${K.acme}, ${K.alice} |`));
    });

    it('hostile keys (backticks, pipes, <script>) stay literal text: exact code spans, tables intact, no live HTML', () => {
      const text = renderReport(hostile, 'md');
      assertTablesWellFormed(text);
      assertNoLiveMarkup(text);
      const hl = text.split('\n');
      const spans = hl.flatMap((l) => codeSpans(l, isTableRow(l)));
      for (const key of [HOSTILE.dataset, HOSTILE.model, HOSTILE.endpoint, HOSTILE.evidence]) assert.ok(spans.includes(key), `code span with exactly ${key}`);
      // The path headings in prose: pipes are not backslash-escaped there (they would show as \|). The model is served
      // at a floating revision, so its one-step path comes first.
      assert.deepEqual(codeSpans(hl.find((l) => l.startsWith('### 1. '))!), [HOSTILE.model, HOSTILE.endpoint]);
      assert.deepEqual(codeSpans(hl.find((l) => l.startsWith('### 2. '))!), [HOSTILE.dataset, HOSTILE.endpoint]);
      assert.equal(visible(hl[0]!), '# Review <script>alert(3)</script> | `x`');
    });

    it('an empty graph says there is no path, no finding and no entry point', () => {
      const text = renderReport(empty, 'md');
      assert.match(text, /No attack path from an entry point to a target was found\./);
      assert.match(text, /No findings\./);
      assert.match(text, /No entry points\./);
      assert.doesNotMatch(text, /## Choke point/);
      assertTablesWellFormed(text);
    });
  });

  describe('HTML', () => {
    it('parses without a single error and loads nothing from anywhere', () => {
      const html = renderReport(report, 'html');
      const doc = parseHtmlStrictly(html);
      assert.doesNotMatch(html, /<script|<link|<iframe|<object|<embed|@import/i);
      // url() only for in-page references (the arrow markers), never to a network location.
      for (const m of html.matchAll(/url\(([^)]*)\)/g)) assert.match(m[1]!, /^#[\w-]+$/, `url(${m[1]})`);
      assert.doesNotMatch(html, /(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
      for (const el of elements(doc)) {
        for (const a of el.attrs) assert.ok(!/^(src|href|xlink:href|srcset|action|poster)$/i.test(a.name) || !/^\s*(https?:)?\/\//i.test(a.value), `${el.tagName} ${a.name}=${a.value}`);
      }
      const ids = elements(doc).map((el) => attr(el, 'id')).filter((id): id is string => id !== undefined);
      assert.deepEqual(ids, [...new Set(ids)], 'element ids are unique (each diagram its own arrow marker)');
      assert.equal(elements(doc).filter((el) => el.tagName === 'style').length, 1);
    });

    it('one SVG per path, drawn by the project, with one box per node and one arrow per step', () => {
      const doc = parseHtmlStrictly(renderReport(report, 'html'));
      const svgs = elements(doc).filter((el) => el.tagName === 'svg');
      assert.equal(svgs.length, report.attackPaths.length);
      svgs.forEach((svg, i) => {
        const p = report.attackPaths[i]!;
        const inside = elements(svg);
        assert.equal(inside.filter((el) => el.tagName === 'rect').length, p.nodes.length);
        assert.deepEqual(inside.filter((el) => el.tagName === 'g').map((g) => attr(g, 'data-key')), p.nodes);
        assert.equal(inside.filter((el) => (el.tagName === 'line' || el.tagName === 'polyline') && attr(el, 'marker-end')).length, p.steps.length);
        const marker = inside.find((el) => el.tagName === 'marker')!;
        for (const el of inside.filter((e) => attr(e, 'marker-end'))) assert.equal(attr(el, 'marker-end'), `url(#${attr(marker, 'id')})`);
      });
    });

    it('has the summary, every step text, the choke point, findings by severity and blast radii', () => {
      const doc = parseHtmlStrictly(renderReport(report, 'html'));
      const text = textOf(doc).replace(/\s+/g, ' ');
      const cards = elements(doc)
        .filter((el) => attr(el, 'class') === 'card')
        .map((c) => elements(c).filter((e) => e !== c).map((e) => textOf(e)));
      const card = (label: string) => cards.find((c) => c[0] === label) ?? assert.fail(`no ${label} card`);
      assert.deepEqual(card('Assets in scope'), ['Assets in scope', '16', 'nodes: Dataset 2, Endpoint 2, File 1, Identity 3, Model 4, Package 2, Vulnerability 2']);
      assert.deepEqual(card('Crown jewels'), ['Crown jewels', '0', 'none tagged; targets are every endpoint']);
      assert.deepEqual(card('Entry points'), ['Entry points', '7']);
      assert.deepEqual(card('Exposure'), ['Exposure', '85.7%', '6 of 7 entry points have an attack path to a target']);
      assert.deepEqual(card('Impact'), ['Impact', '31.3%', `5 of 16 nodes reached from ${K.pickle}, the widest blast radius of the top 3 entry points`]);
      assert.deepEqual(
        ['critical', 'high', 'medium', 'low', 'info'].map((sev) => card(`${sev} findings`)[1]),
        ['2', '2', '6', '0', '0'],
      );
      for (const kind of ['CONTAINS', 'TRAINED_ON', 'CAN_WRITE', 'DERIVED_FROM', 'SERVES', 'DEPENDS_ON'] as const) {
        assert.ok(text.includes(EDGE_SPECS[kind].meaning), `${kind} meaning`);
        assert.ok(text.includes(EDGE_SPECS[kind].abuse), `${kind} abuse`);
        assert.ok(text.includes(EDGE_SPECS[kind].remediation), `${kind} fix`);
      }
      assert.ok(text.includes(`Cutting ${K.chat} → ${K.chatSpace} (SERVES) breaks 5 of the 9 paths above.`));
      const sev = elements(doc).filter((el) => el.tagName === 'h3' && elements(el).some((s) => attr(s, 'class')?.startsWith('sev ')));
      assert.deepEqual(sev.map((h) => textOf(h)), ['critical 2', 'high 2', 'medium 6']);
      const lists = elements(doc).filter((el) => el.tagName === 'ol' && attr(el, 'class') === 'steps');
      assert.deepEqual(lists.map((ol) => elements(ol).filter((e) => e.tagName === 'li').length), report.attackPaths.map((p) => p.steps.length));
    });

    it('hostile keys and titles are text, not markup', () => {
      const html = renderReport(hostile, 'html');
      const doc = parseHtmlStrictly(html);
      for (const key of Object.values(HOSTILE)) assert.ok(!html.includes(key), `raw ${key} in the page`);
      const tags = new Set(elements(doc).map((el) => el.tagName));
      assert.ok(!tags.has('script') && !tags.has('img'));
      // The only <b> elements are the report's own (edge kinds, the choke point count), none from the app key.
      assert.ok(elements(doc).filter((el) => el.tagName === 'b').every((b) => !textOf(b).includes('app')));
      const codes = elements(doc).filter((el) => el.tagName === 'code').map((el) => textOf(el));
      for (const key of [HOSTILE.dataset, HOSTILE.model, HOSTILE.endpoint, HOSTILE.evidence]) assert.ok(codes.includes(key), `code element with ${key}`);
      const title = elements(doc).find((el) => el.tagName === 'title')!;
      assert.equal(textOf(title), 'Review <script>alert(3)</script> | `x`');
      // Two diagrams: model → endpoint (the model is served at a floating revision), then dataset → model → endpoint.
      const keys = elements(doc).filter((el) => el.tagName === 'g').map((g) => attr(g, 'data-key'));
      assert.deepEqual(keys, [HOSTILE.model, HOSTILE.endpoint, HOSTILE.dataset, HOSTILE.model, HOSTILE.endpoint]);
    });

    it('an empty graph renders a valid page saying there is no path', () => {
      const doc = parseHtmlStrictly(renderReport(empty, 'html'));
      assert.match(textOf(doc), /No attack path from an entry point to a target was found\./);
      assert.equal(elements(doc).filter((el) => el.tagName === 'svg').length, 0);
    });
  });

  describe('SARIF', () => {
    type Result = { ruleId: string; ruleIndex: number; level: string; codeFlows?: { threadFlows: { locations: { location: { logicalLocations: { fullyQualifiedName: string }[] } }[] }[] }[] };
    type Log = { version: string; runs: { tool: { driver: { rules: { id: string; name: string; defaultConfiguration: { level: string }; properties: Record<string, string> }[] } }; results: Result[] }[] };

    it('validates against the official SARIF 2.1.0 schema, for the incident, hostile and empty graphs', () => {
      for (const r of [report, hostile, empty]) assertValidSarif(JSON.parse(renderReport(r, 'sarif')));
    });

    it('stays valid for a key holding a lone surrogate (JSON allows one; encodeURIComponent throws on it)', () => {
      const odd = 'hf:dataset/evil/d\uD800x';
      const swap = (k: string) => (k === HOSTILE.dataset ? odd : k);
      const r: Report = {
        ...hostile,
        attackPaths: hostile.attackPaths.map((p) => ({ ...p, from: swap(p.from), nodes: p.nodes.map(swap), steps: p.steps.map((s) => ({ ...s, from: swap(s.from), to: swap(s.to) })) })),
      };
      assert.ok(r.attackPaths.some((p) => p.from === odd), 'the odd key is on a path');
      const log = JSON.parse(renderReport(r, 'sarif')) as { runs: { results: { codeFlows?: { threadFlows: { locations: { location: { logicalLocations: { fullyQualifiedName: string }[] } }[] }[] }[] }[] }[] };
      assertValidSarif(log);
      // The path results follow the report's paths in order; look at the one that starts at the odd key.
      const at = r.attackPaths.findIndex((p) => p.from === odd);
      const flow = log.runs[0]!.results.filter((x) => x.codeFlows)[at]!.codeFlows![0]!.threadFlows[0]!.locations;
      assert.equal(flow[0]!.location.logicalLocations[0]!.fullyQualifiedName, odd);
    });

    it('one result per finding and per path, each pointing at its rule, with levels from severity and risk', () => {
      const log = JSON.parse(renderReport(report, 'sarif')) as Log;
      assert.equal(log.version, '2.1.0');
      const run = log.runs[0]!;
      const rules = run.tool.driver.rules.map((r) => r.id);
      // A rule per (rule, severity) and per risk band: tools take an alert's severity from its rule, so outside-writer
      // findings at high and at medium are two rules.
      assert.deepEqual(rules, [
        'custom-code/medium',
        'license-drift/medium',
        'outside-writer/high',
        'outside-writer/medium',
        'pickle-dangerous/critical',
        'unpinned-revision/medium',
        'vulnerable-dependency/critical',
        'aispm/attack-path/high',
        'aispm/attack-path/medium',
      ]);
      for (const res of run.results) assert.equal(rules[res.ruleIndex], res.ruleId);
      for (const rule of run.tool.driver.rules) {
        const own = run.results.filter((res) => res.ruleId === rule.id);
        assert.ok(own.length > 0 && own.every((res) => res.level === rule.defaultConfiguration.level), `${rule.id}: its results' level is its own`);
      }
      assert.deepEqual(
        run.tool.driver.rules.filter((r) => r.name === 'outside-writer').map((r) => r.properties['security-severity']),
        ['8.0', '5.5'],
      );
      const findings = run.results.filter((r) => !r.ruleId.startsWith('aispm/attack-path/'));
      const paths = run.results.filter((r) => r.ruleId.startsWith('aispm/attack-path/'));
      assert.equal(findings.length, 10);
      // critical and high → error; medium → warning.
      assert.deepEqual(findings.map((r) => r.level), [...Array(4).fill('error'), ...Array(6).fill('warning')]);
      // risk 9.5 ×2 and 8.12 ×2 → error; 5.99 ×2, 5.7, 4.28 ×2 → warning (error from 7, warning from 4).
      assert.deepEqual(paths.map((r) => r.level), [...Array(4).fill('error'), ...Array(5).fill('warning')]);
      paths.forEach((r, i) => {
        const flow = r.codeFlows![0]!.threadFlows[0]!.locations.map((l) => l.location.logicalLocations[0]!.fullyQualifiedName);
        assert.deepEqual(flow, report.attackPaths[i]!.nodes);
      });
    });
  });

  describe('JSON', () => {
    it('is the report model itself and validates against report.schema.json', () => {
      for (const r of [report, hostile, empty]) {
        const doc = JSON.parse(renderReport(r, 'json')) as unknown;
        assertValidReportJson(doc);
        assert.deepEqual(doc, r);
      }
    });
  });
});
