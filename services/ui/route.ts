/**
 * The graph view served at `/`: one HTML page with its script inline (no build step, no CDN). The page is public
 * (it holds no data); every GraphQL call it makes carries the user's token when tokens are configured.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EDGE_KINDS, NODE_KINDS } from '../../schema/model.ts';
import type { Route } from '../api/routes.ts';
import { KIND_COLOURS } from '../reports/palette.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** Edge kinds are told apart by colour and dash pattern, and the analyses' "reaches" by its own. */
const EDGE_COLOURS = ['#495057', '#2b8a3e', '#adb5bd', '#d9480f', '#1864ab', '#0b7285', '#5f3dc4', '#868e96', '#c92a2a', '#a61e4d', '#e64980'];
const DASHES = ['', '6 3', '2 3', '', '8 2 2 2', '4 4', '', '1 3', '', '5 2', '3 2 1 2'];

export function edgeStyles(): Record<string, { colour: string; dash: string }> {
  const styles: Record<string, { colour: string; dash: string }> = {};
  EDGE_KINDS.forEach((kind, i) => (styles[kind] = { colour: EDGE_COLOURS[i % EDGE_COLOURS.length]!, dash: DASHES[i % DASHES.length]! }));
  styles.reaches = { colour: '#e03131', dash: '' };
  return styles;
}

let cached: string | undefined;

export function graphViewHtml(): string {
  if (cached) return cached;
  const template = readFileSync(join(here, 'graph-view.html'), 'utf8');
  const palette = Object.fromEntries(NODE_KINDS.map((k) => [k, KIND_COLOURS[k]]));
  // JSON is safe inside <script> once `<` is escaped (no `</script>` can appear).
  const json = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');
  cached = template
    // Function replacers: a `$&` or `$'` in the inserted text must stay literal.
    .replace('/*PALETTE*/{}', () => json(palette))
    .replace('/*EDGE_STYLES*/{}', () => json(edgeStyles()))
    .replace('/*QUERIES*/', () => readFileSync(join(here, 'queries.js'), 'utf8'));
  return cached;
}

export const graphViewRoute: Route = {
  path: '/',
  auth: 'none',
  handle(_req, res) {
    const html = graphViewHtml();
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': Buffer.byteLength(html),
      // The page talks only to this server.
      'content-security-policy': "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
      'x-content-type-options': 'nosniff',
    });
    res.end(html);
  },
};
