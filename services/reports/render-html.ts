/** The report as one self-contained HTML page: inline CSS, an SVG per attack path, no scripts, no network. */
import { SEVERITIES, type Report } from './model.ts';
import { pathSvg } from './svg-path.ts';
import { chokeReach, countsText, escapeHtml as h, pct, plural, storedEnds } from './text.ts';
import { escapeUnsafeKeepLayout } from '../../schema/text.ts';

const CSS = `
body{font:14px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#212529;max-width:1100px;margin:2rem auto;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{border-bottom:1px solid #dee2e6;padding-bottom:.2rem;margin-top:2rem}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;background:#f1f3f5;padding:1px 4px;border-radius:3px;word-break:break-all}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #dee2e6;padding:4px 8px;text-align:left;vertical-align:top}
.meta{color:#868e96}.cards{display:flex;flex-wrap:wrap;gap:.8rem}.card{border:1px solid #dee2e6;border-radius:8px;padding:.6rem 1rem;min-width:150px}
.card b{display:block;font-size:1.4rem}.card small{display:block;word-break:break-all;max-width:260px}.sev{display:inline-block;border-radius:3px;padding:0 6px;color:#fff;font-size:12px}
.sev-critical{background:#c92a2a}.sev-high{background:#e8590c}.sev-medium{background:#f08c00}.sev-low{background:#1971c2}.sev-info{background:#868e96}
.warn{background:#fff5f5;border:1px solid #fa5252;border-radius:8px;padding:.5rem 1rem}.card small{display:block;color:#495057;max-width:260px}
.path{border:1px solid #dee2e6;border-radius:8px;padding:.5rem 1rem;margin:1rem 0}.diagram{overflow-x:auto}
ol.steps li{margin-bottom:.5rem}.choke{background:#fff9db;border:1px solid #fab005;border-radius:8px;padding:.5rem 1rem}
.executive{font-size:1.05rem;background:#f8f9fa;border-left:4px solid #1971c2;padding:.6rem 1rem}.toc ol{columns:2}
svg.path-diagram{max-width:100%;height:auto}.card{overflow-wrap:anywhere;word-break:normal}.card small{word-break:normal;overflow-wrap:anywhere}
@page{size:A4;margin:14mm 12mm}
@media print{body{max-width:none;margin:0;padding:0;font-size:11px}.diagram{overflow:visible}h2{break-after:avoid}
.card,.path,.choke,.executive,ol.steps li,li,tr{break-inside:avoid}.toc{display:none}a{color:inherit;text-decoration:none}}
`;

export function renderHtml(r: Report): string {
  const s = r.summary;
  const body: string[] = [];
  body.push(`<h1>${h(r.title)}</h1>`, `<p class="meta">Generated ${h(r.generatedAt)} from ${h(r.store)}. Targets: ${scopeHtml(r)}.</p>`);
  body.push(`<p class="executive" id="executive-summary"><b>Executive summary.</b> ${h(s.executive)}</p>`);
  body.push(
    '<nav class="toc"><b>Contents</b><ol>',
    ...[
      ['summary', 'Summary'],
      ['fixes', 'Fixes that cut the most paths'],
      ['paths', 'Top attack paths'],
      ...(r.chokePoint ? [['choke-point', 'Choke point']] : []),
      ['findings', 'Findings'],
      ['blast-radius', 'Blast radius of the top entry points'],
    ].map(([id, title]) => `<li><a href="#${id}">${h(title!)}</a></li>`),
    '</ol></nav>',
  );
  if (s.truncated) body.push('<p class="warn"><b>Incomplete:</b> a search was cut by the depth limit or the node budget, so paths, exposure and blast radii may be missing some nodes. Re-run with a larger <code>--max-depth</code>.</p>');
  body.push('<h2 id="summary">Summary</h2><div class="cards">');
  body.push(card('Assets in scope', String(s.assets.total), `nodes: ${countsText(s.assets.byKind)}`));
  body.push(card('Crown jewels', String(s.crownJewels.length), s.crownJewels.length ? s.crownJewels.join(', ') : 'none tagged; targets are every endpoint'));
  body.push(card('Entry points', String(s.entryPoints)));
  body.push(
    card(
      'Exposure',
      pct(s.exposure.percent),
      s.exposure.entries ? `${s.exposure.entriesReachingTargets} of ${plural(s.exposure.entries, 'entry point')} ${s.exposure.entriesReachingTargets === 1 ? 'has' : 'have'} an attack path to a target` : 'no entry points',
    ),
  );
  body.push(
    card(
      'Impact',
      pct(s.impact.percent),
      s.impact.entry ? `${s.impact.reached} of ${plural(s.impact.total, 'node')} reached from ${s.impact.entry}, the widest blast radius of the top ${plural(s.impact.entriesCompared, 'entry point')}` : 'no entry point',
    ),
  );
  for (const sev of SEVERITIES) body.push(card(`${sev} findings`, String(s.findingsBySeverity[sev])));
  body.push('</div>');
  body.push(
    '<p class="meta"><i>Exposure</i> and <i>impact</i> follow BloodHound: exposure is the share of entry points from which compromise can reach a target; impact is the share of the whole graph that the most far-reaching top entry point compromises. Likelihood is the product of the steps&#39; likelihoods; risk is 10 × likelihood.</p>',
  );

  body.push('<h2 id="fixes">Fixes that cut the most paths</h2>');
  if (!s.fixes.length) body.push('<p>No path to cut.</p>');
  else body.push('<ol>', ...s.fixes.map((f) => `<li>${h(f.remediation)} <span class="meta">(${h(f.edgeKind)} steps: on ${f.pathsCut} of ${plural(r.attackPaths.length, 'path')})</span></li>`), '</ol>');

  body.push('<h2 id="paths">Top attack paths</h2>');
  if (!r.attackPaths.length) body.push('<p>No attack path from an entry point to a target was found.</p>');
  for (const p of r.attackPaths) {
    body.push(`<section class="path" id="path-${p.rank}"><h3>${p.rank}. <code>${h(p.from)}</code> → <code>${h(p.to)}</code></h3>`);
    body.push(`<p>Risk <b>${p.risk.toFixed(1)}</b>/10 · likelihood ${p.likelihood} · ${plural(p.steps.length, 'step')}</p>`);
    body.push(`<p>Entry: ${p.entryReasons.length ? h(p.entryReasons.join(', ')) : 'given'} · Who must act (owners of the target): ${p.owners.length ? p.owners.map((o) => `<code>${h(o)}</code>`).join(', ') : 'none recorded'}</p>`);
    body.push(`<div class="diagram">${pathSvg(p)}</div><ol class="steps">`);
    for (const st of p.steps) {
      body.push(
        `<li><code>${h(st.from)}</code> <b>${h(st.verb)}</b> <code>${h(st.to)}</code> (${h(st.edgeKind)}${st.relation ? ` ${h(st.relation)}` : ''}${st.revision ? `, revision <code>${h(st.revision)}</code>` : ''})<br>`,
        `<i>Means:</i> <code>${h(storedEnds(st).from)}</code> ${h(st.edgeKind)} <code>${h(storedEnds(st).to)}</code>: ${h(st.meaning)}<br><i>Abuse:</i> ${h(st.abuse)}<br>`,
        `<i>Evidence:</i> ${st.evidence ? `<code>${h(st.evidence)}</code>` : 'none recorded'} (source ${st.source ? `<code>${h(st.source)}</code>` : 'unknown'})<br>`,
        `<i>Fix:</i> ${h(st.remediation)}</li>`,
      );
    }
    body.push('</ol></section>');
  }
  if (r.chokePoint) {
    const c = r.chokePoint;
    body.push(
      `<h2 id="choke-point">Choke point</h2><div class="choke"><p>Cutting <code>${h(c.from)}</code> → <code>${h(c.to)}</code> (<b>${h(c.edgeKind)}</b>) ${h(chokeReach(c))}.</p><p>Fix: ${h(c.remediation)}</p></div>`,
    );
  }

  body.push('<h2 id="findings">Findings</h2>');
  if (!r.findings.length) body.push('<p>No findings.</p>');
  for (const sev of SEVERITIES) {
    const group = r.findings.filter((f) => f.severity === sev);
    if (!group.length) continue;
    body.push(`<h3><span class="sev sev-${sev}">${sev}</span> ${group.length}</h3><ul>`);
    for (const f of group) {
      body.push(
        `<li><b>${h(f.title)}</b> <span class="meta">(${h(f.rule)})</span><br>Nodes: ${f.nodes.map((k) => `<code>${h(k)}</code>`).join(', ')}`,
        ...f.evidence.map((e) => `<br>Evidence: ${h(e)}`),
        `<br>Remediation: ${h(f.remediation)}</li>`,
      );
    }
    body.push('</ul>');
  }

  body.push('<h2 id="blast-radius">Blast radius of the top entry points</h2>');
  if (!r.blastRadii.length) body.push('<p>No entry points.</p>');
  for (const b of r.blastRadii) {
    body.push(`<h3><code>${h(b.from)}</code></h3><p>Reaches ${plural(b.total, 'node')} (${pct(b.percentOfGraph)} of the graph): ${h(countsText(b.byKind, 'nothing'))}.</p>`);
    if (b.endpoints.length) {
      body.push('<table><tr><th>endpoint</th><th>depth</th><th>owners</th></tr>');
      for (const e of b.endpoints) body.push(`<tr><td><code>${h(e.key)}</code></td><td>${e.depth}</td><td>${e.owners.map((o) => `<code>${h(o)}</code>`).join(', ') || 'unknown'}</td></tr>`);
      body.push('</table>');
    }
  }
  // Names from upstream may carry bidi overrides or zero-width characters that make a line say something else.
  return escapeUnsafeKeepLayout(`<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${h(r.title)}</title><style>${CSS}</style></head><body>\n${body.join('\n')}\n</body></html>\n`);
}

function scopeHtml(r: Report): string {
  if (r.scope.mode === 'endpoints') return `every endpoint (${r.scope.targets.length})`;
  if (r.scope.mode === 'crown-jewels') return `the crown jewels (${r.scope.targets.length})`;
  return r.scope.targets.map((k) => `<code>${h(k)}</code>`).join(', ');
}

function card(label: string, value: string, note?: string): string {
  return `<div class="card"><span>${h(label)}</span><b>${h(value)}</b>${note ? `<small>${h(note)}</small>` : ''}</div>`;
}
