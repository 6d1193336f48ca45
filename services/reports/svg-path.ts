/**
 * Draws one attack path as a self-contained SVG: a box per node (coloured by kind) and a labelled arrow per step,
 * wrapping onto further rows so long paths stay readable. Pure string building; every text is escaped.
 */
import { labelOfKey } from '../../schema/keys.ts';
import type { ReportPath } from './model.ts';
import { colourOf } from './palette.ts';
import { escapeHtml, kindLabel } from './text.ts';

const BOX_W = 190;
const BOX_H = 46;
const GAP = 70;
const ROW_GAP = 44;
const PER_ROW = 4;
const PAD = 10;

function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function pathSvg(path: ReportPath): string {
  const n = path.nodes.length;
  const rows = Math.ceil(n / PER_ROW);
  const width = PAD * 2 + Math.min(n, PER_ROW) * BOX_W + (Math.min(n, PER_ROW) - 1) * GAP;
  const height = PAD * 2 + rows * BOX_H + (rows - 1) * ROW_GAP;
  const pos = (i: number) => ({ x: PAD + (i % PER_ROW) * (BOX_W + GAP), y: PAD + Math.floor(i / PER_ROW) * (BOX_H + ROW_GAP) });
  // One HTML page holds every diagram, so each needs its own marker id (ids are page-wide).
  const marker = `arrow-${path.rank}`;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="path-diagram" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<title>${escapeHtml(`Attack path ${path.rank}: ${path.nodes.join(' → ')}`)}</title>`,
    `<defs><marker id="${marker}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#343a40"/></marker></defs>`,
  );
  path.steps.forEach((step, i) => {
    const a = pos(i);
    const b = pos(i + 1);
    const label = escapeHtml(shorten(step.relation ? `${step.edgeKind} (${step.relation})` : step.edgeKind, 24));
    if (a.y === b.y) {
      const x1 = a.x + BOX_W;
      const x2 = b.x;
      const y = a.y + BOX_H / 2;
      parts.push(`<line x1="${x1}" y1="${y}" x2="${x2 - 2}" y2="${y}" stroke="#343a40" stroke-width="1.5" marker-end="url(#${marker})"/>`);
      parts.push(`<text x="${(x1 + x2) / 2}" y="${y - 6}" font-size="9" text-anchor="middle" fill="#343a40">${label}</text>`);
    } else {
      // Wrap: down from the last box of a row, across, and into the first box of the next.
      const x1 = a.x + BOX_W / 2;
      const y1 = a.y + BOX_H;
      const x2 = b.x + BOX_W / 2;
      const y2 = b.y;
      const mid = y1 + ROW_GAP / 2;
      parts.push(`<polyline points="${x1},${y1} ${x1},${mid} ${x2},${mid} ${x2},${y2 - 2}" fill="none" stroke="#343a40" stroke-width="1.5" marker-end="url(#${marker})"/>`);
      parts.push(`<text x="${(x1 + x2) / 2}" y="${mid - 4}" font-size="9" text-anchor="middle" fill="#343a40">${label}</text>`);
    }
  });
  path.nodes.forEach((key, i) => {
    const { x, y } = pos(i);
    const kind = path.kinds[key] ?? kindLabel(key);
    const colour = colourOf(kind);
    const name = labelOfKey(key);
    parts.push(
      `<g class="node" data-key="${escapeHtml(key)}"><title>${escapeHtml(key)}</title>`,
      `<rect x="${x}" y="${y}" width="${BOX_W}" height="${BOX_H}" rx="6" fill="${colour}" fill-opacity="0.12" stroke="${colour}" stroke-width="1.5"/>`,
      `<text x="${x + 8}" y="${y + 16}" font-size="10" font-weight="bold" fill="${colour}">${escapeHtml(kind)}</text>`,
      `<text x="${x + 8}" y="${y + 33}" font-size="11" fill="#212529">${escapeHtml(shorten(name, 27))}</text></g>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}
