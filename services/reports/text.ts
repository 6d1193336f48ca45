/** Escaping and small wording helpers shared by the renderers. */
import { EDGE_SPECS, NODE_SPECS, isEdgeKind } from '../../schema/model.ts';
import { kindOfKey } from '../../schema/keys.ts';
import type { ChokePoint, Report, ReportStep } from './model.ts';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * Inline code in Markdown that survives backticks and newlines inside the text. Pipes are escaped only for a table
 * cell: GFM splits cells before it reads code spans and turns `\|` back into `|` there, while in prose a code span
 * shows every character as it is, so an escaped pipe would read `\|`.
 */
export function mdCode(text: string, where: 'prose' | 'table' = 'prose'): string {
  const oneLine = text.replace(/[\r\n]+/g, ' ');
  const flat = where === 'table' ? oneLine.replace(/\|/g, '\\|') : oneLine;
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  // CommonMark strips one space from each side when both have one, so such text (and text at a backtick) is padded.
  const pad = flat.startsWith('`') || flat.endsWith('`') || (flat.startsWith(' ') && flat.endsWith(' ')) ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/**
 * Prose from the graph (finding titles, evidence) in Markdown: neutralise markup and keep it on one line. `&` is
 * escaped too, or an entity such as `&lt;` in the data would be shown decoded.
 */
export function mdText(text: string): string {
  // Only what can start markup in the middle of a line: `(`, `#`, `!` and the like need a `[` or a line start to act.
  return text.replace(/[\r\n]+/g, ' ').replace(/([\\`*_\[\]<>|~&])/g, '\\$1');
}

/** A table cell of counts by kind, e.g. `Model 3, Endpoint 2`. */
export function countsText(counts: Record<string, number>, none = 'none'): string {
  return Object.entries(counts).map(([k, n]) => `${k} ${n}`).join(', ') || none;
}

export function kindLabel(key: string): string {
  return kindOfKey(key) ?? 'Unknown';
}

export function describeKind(key: string): string {
  const kind = kindOfKey(key);
  return kind ? NODE_SPECS[kind].doc : '';
}

export function pct(n: number): string {
  return `${n.toFixed(1)}%`;
}

export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** Exposure in words (plain text: the numbers and fixed words only, so every renderer may use it as it is). */
export function exposureText(r: Report): string {
  const e = r.summary.exposure;
  if (!e.entries) return `${pct(0)} — no entry points`;
  return `${pct(e.percent)} — ${e.entriesReachingTargets} of ${plural(e.entries, 'entry point')} ${e.entriesReachingTargets === 1 ? 'has' : 'have'} an attack path to a target`;
}

/** Impact in words; `key` renders the entry point's key for the output format (code span, <code>). */
export function impactText(r: Report, key: (k: string) => string): string {
  const i = r.summary.impact;
  if (!i.entry) return `${pct(0)} — no entry point`;
  return `${pct(i.percent)} — ${key(i.entry)} reaches ${i.reached} of the ${plural(i.total, 'node')}; the widest blast radius of the top ${plural(i.entriesCompared, 'entry point')}`;
}

/** What cutting the choke point does to the reported paths, e.g. "breaks 4 of the 7 paths above". */
export function chokeReach(c: ChokePoint): string {
  if (c.pathsCut < c.pathsTotal) return `breaks ${c.pathsCut} of the ${c.pathsTotal} paths above`;
  return c.pathsTotal === 1 ? 'breaks the only path above' : `breaks all ${c.pathsTotal} paths above`;
}

/**
 * The step's edge as it is stored. Steps run the way compromise moves, which for most kinds is against the stored
 * edge (base → derived for DERIVED_FROM), while an edge's meaning speaks of its stored source and target.
 */
export function storedEnds(step: ReportStep): { from: string; to: string } {
  const forward = isEdgeKind(step.edgeKind) && EDGE_SPECS[step.edgeKind].flow === 'forward';
  return forward ? { from: step.from, to: step.to } : { from: step.to, to: step.from };
}
