/** The report as Markdown that renders cleanly on a code host (GitHub, GitLab). */
import { SEVERITIES, type Report } from './model.ts';
import { chokeReach, countsText, exposureText, impactText, mdCode, mdText, pct, plural, storedEnds } from './text.ts';
import { escapeUnsafeKeepLayout } from '../../schema/text.ts';

export function renderMarkdown(r: Report): string {
  const out: string[] = [];
  const s = r.summary;
  out.push(`# ${mdText(r.title)}`, '');
  out.push(`Generated ${r.generatedAt} from ${mdText(r.store)}. Targets: ${scopeText(r)}.`, '');
  if (s.truncated) out.push('> **Incomplete:** a search was cut by the depth limit or the node budget, so paths, exposure and blast radii may be missing some nodes. Re-run with a larger `--max-depth`.', '');
  out.push(`**Executive summary.** ${mdText(s.executive)}`, '');
  out.push('Contents: [Summary](#summary) · [Fixes](#fixes-that-cut-the-most-paths) · [Top attack paths](#top-attack-paths) · [Findings](#findings) · [Blast radius](#blast-radius-of-the-top-entry-points)', '');
  out.push('## Summary', '');
  out.push('| measure | value |', '|---|---|');
  out.push(`| assets in scope | ${s.assets.total} nodes (${countsText(s.assets.byKind)}) |`);
  out.push(`| crown jewels | ${s.crownJewels.length ? s.crownJewels.map((k) => mdCode(k, 'table')).join(', ') : `none tagged; targets are every endpoint (${r.scope.mode === 'endpoints' ? r.scope.targets.length : 0})`} |`);
  out.push(`| entry points | ${s.entryPoints} |`);
  out.push(`| findings | ${SEVERITIES.map((sev) => `${sev} ${s.findingsBySeverity[sev]}`).join(' · ')} |`);
  out.push(`| exposure | ${exposureText(r)} |`);
  out.push(`| impact | ${impactText(r, (k) => mdCode(k, 'table'))} |`);
  out.push('');
  out.push(
    '*Exposure* and *impact* follow BloodHound: exposure is the share of entry points from which compromise can reach a target; impact is the share of the whole graph that the most far-reaching top entry point compromises. Likelihood is the product of the steps\' likelihoods; risk is 10 × likelihood.',
    '',
  );

  out.push('## Fixes that cut the most paths', '');
  if (!s.fixes.length) out.push('No path to cut.', '');
  s.fixes.forEach((f, i) => out.push(`${i + 1}. ${mdText(f.remediation)} (${mdText(f.edgeKind)} steps: on ${f.pathsCut} of ${plural(r.attackPaths.length, 'path')})`));
  if (s.fixes.length) out.push('');
  out.push('## Top attack paths', '');
  if (!r.attackPaths.length) out.push('No attack path from an entry point to a target was found.', '');
  for (const p of r.attackPaths) {
    out.push(`### ${p.rank}. ${mdCode(p.from)} → ${mdCode(p.to)}`, '');
    out.push(`Risk **${p.risk.toFixed(1)}**/10 · likelihood ${p.likelihood} · ${plural(p.steps.length, 'step')}`, '');
    out.push(`Entry: ${p.entryReasons.length ? mdText(p.entryReasons.join(', ')) : 'given'} · Who must act (owners of the target): ${p.owners.length ? p.owners.map((o) => mdCode(o)).join(', ') : 'none recorded'}`, '');
    p.steps.forEach((st, i) => {
      out.push(`${i + 1}. ${mdCode(st.from)} **${mdText(st.verb)}** ${mdCode(st.to)} (${st.edgeKind}${st.relation ? ` ${mdText(st.relation)}` : ''}${st.revision ? `, revision ${mdCode(st.revision)}` : ''})`);
      const stored = storedEnds(st);
      out.push(`   - *What it means:* ${mdCode(stored.from)} ${mdText(st.edgeKind)} ${mdCode(stored.to)}: ${mdText(st.meaning)}`);
      out.push(`   - *How it is abused:* ${mdText(st.abuse)}`);
      out.push(`   - *Evidence:* ${st.evidence ? mdCode(st.evidence) : 'none recorded'} (source ${st.source ? mdCode(st.source) : 'unknown'})`);
      out.push(`   - *Fix:* ${mdText(st.remediation)}`);
    });
    out.push('');
  }
  if (r.chokePoint) {
    const c = r.chokePoint;
    out.push('## Choke point', '');
    out.push(`Cutting ${mdCode(c.from)} → ${mdCode(c.to)} (**${mdText(c.edgeKind)}**) ${chokeReach(c)}.`, '');
    out.push(`Fix: ${mdText(c.remediation)}`, '');
  }

  out.push('## Findings', '');
  if (!r.findings.length) out.push('No findings.', '');
  for (const sev of SEVERITIES) {
    const group = r.findings.filter((f) => f.severity === sev);
    if (!group.length) continue;
    out.push(`### ${sev[0]!.toUpperCase()}${sev.slice(1)} (${group.length})`, '');
    for (const f of group) {
      out.push(`- **${mdText(f.title)}** (${mdCode(f.rule)})`);
      out.push(`  - Nodes: ${f.nodes.map((k) => mdCode(k)).join(', ')}`);
      for (const e of f.evidence) out.push(`  - Evidence: ${mdText(e)}`);
      out.push(`  - Remediation: ${mdText(f.remediation)}`);
    }
    out.push('');
  }

  out.push('## Blast radius of the top entry points', '');
  if (!r.blastRadii.length) out.push('No entry points.', '');
  for (const b of r.blastRadii) {
    out.push(`### ${mdCode(b.from)}`, '');
    out.push(`Reaches ${plural(b.total, 'node')} (${pct(b.percentOfGraph)} of the graph): ${countsText(b.byKind, 'nothing')}.`, '');
    if (b.endpoints.length) {
      out.push('| endpoint | depth | owners |', '|---|---|---|');
      for (const e of b.endpoints) out.push(`| ${mdCode(e.key, 'table')} | ${e.depth} | ${e.owners.map((o) => mdCode(o, 'table')).join(', ') || 'unknown'} |`);
      out.push('');
    }
  }
  // Names from upstream may carry bidi overrides or zero-width characters that make a line say something else.
  return escapeUnsafeKeepLayout(out.join('\n') + '\n');
}

function scopeText(r: Report): string {
  if (r.scope.mode === 'endpoints') return `every endpoint (${r.scope.targets.length})`;
  if (r.scope.mode === 'crown-jewels') return `the crown jewels (${r.scope.targets.length})`;
  return r.scope.targets.map((k) => mdCode(k)).join(', ');
}
