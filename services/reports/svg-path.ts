/**
 * Draws one attack path as a self-contained SVG, top to bottom in the compromise direction: a box per node
 * (coloured by kind, its full name wrapped onto as many lines as it needs) and between two boxes an arrow labelled
 * with the relation in words ("trained", "fine-tuned into", "served by"). Labels sit beside the arrow, in space no
 * box uses, so they never overlap one; the width is fixed and fits an A4 page, and the SVG scales down (viewBox)
 * where the page is narrower. Pure string building; every text is escaped.
 */
import { shortLabel } from '../../schema/keys.ts';
import type { ReportPath } from './model.ts';
import { colourOf } from './palette.ts';
import { escapeHtml, kindLabel } from './text.ts';

export const DIAGRAM_WIDTH = 640;
const PAD = 10;
const BOX_W = 400;
const LINE_H = 14;
const ARROW_H = 34;
/** Characters of an 11px sans-serif line that fit a box (measured for the widest common glyphs, with margin). */
const CHARS_PER_LINE = 56;

/** The name cut into lines at `/` or `-` where possible, never mid-word when a break exists, every line ≤ max. */
export function wrapName(name: string, max = CHARS_PER_LINE): string[] {
  const lines: string[] = [];
  let rest = name;
  while (rest.length > max) {
    const window = rest.slice(0, max + 1);
    const cut = Math.max(window.lastIndexOf('/'), window.lastIndexOf('-'), window.lastIndexOf('_'), window.lastIndexOf('.'), window.lastIndexOf('@'));
    const at = cut > max / 3 ? cut + 1 : max;
    lines.push(rest.slice(0, at));
    rest = rest.slice(at);
  }
  lines.push(rest);
  return lines;
}

export function pathSvg(path: ReportPath): string {
  const boxes = path.nodes.map((key) => ({ key, kind: path.kinds[key] ?? kindLabel(key), lines: wrapName(shortLabel(key)) }));
  const heights = boxes.map((b) => 22 + b.lines.length * LINE_H);
  const tops: number[] = [];
  let y = PAD;
  for (const h of heights) {
    tops.push(y);
    y += h + ARROW_H;
  }
  const height = y - ARROW_H + PAD;
  const marker = `arrow-${path.rank}`;
  const cx = PAD + BOX_W / 2;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="path-diagram" role="img" width="${DIAGRAM_WIDTH}" height="${height}" viewBox="0 0 ${DIAGRAM_WIDTH} ${height}">`,
    `<title>${escapeHtml(`Attack path ${path.rank}: ${path.nodes.join(' → ')}`)}</title>`,
    `<defs><marker id="${marker}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#343a40"/></marker></defs>`,
  ];
  path.steps.forEach((step, i) => {
    const y1 = tops[i]! + heights[i]!;
    const y2 = tops[i + 1]!;
    parts.push(`<line x1="${cx}" y1="${y1}" x2="${cx}" y2="${y2 - 2}" stroke="#343a40" stroke-width="1.5" marker-end="url(#${marker})"/>`);
    const revision = step.revision && step.revision.length > 24 ? `${step.revision.slice(0, 12)}…` : step.revision;
    const label = `${step.verb}${revision ? ` (revision ${revision})` : ''}`;
    parts.push(`<text class="edge-label" x="${cx + 10}" y="${(y1 + y2) / 2 + 4}" font-size="11" fill="#343a40">${escapeHtml(label)} <tspan fill="#868e96" font-size="9">${escapeHtml(step.edgeKind)} · ${step.likelihood}</tspan></text>`);
  });
  boxes.forEach((b, i) => {
    const colour = colourOf(b.kind);
    const top = tops[i]!;
    parts.push(
      `<g class="node" data-key="${escapeHtml(b.key)}"><title>${escapeHtml(b.key)}</title>`,
      `<rect x="${PAD}" y="${top}" width="${BOX_W}" height="${heights[i]}" rx="6" fill="${colour}" fill-opacity="0.12" stroke="${colour}" stroke-width="1.5"/>`,
      `<text x="${PAD + 8}" y="${top + 15}" font-size="10" font-weight="bold" fill="${colour}">${escapeHtml(b.kind)}</text>`,
      ...b.lines.map((line, j) => `<text class="node-name" x="${PAD + 8}" y="${top + 30 + j * LINE_H}" font-size="11" fill="#212529">${escapeHtml(line)}</text>`),
      '</g>',
    );
  });
  parts.push('</svg>');
  return parts.join('');
}
