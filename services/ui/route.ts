/**
 * The graph view served at `/`: one HTML page with its script inline, drawn by Cytoscape.js with the dagre layered
 * layout, both served by this server from node_modules (no build step, no CDN). The page is public (it holds no
 * data); every GraphQL call it makes carries the user's token when one is given.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ANALYST_TAGS, EDGE_KINDS, EDGE_SPECS, NODE_KINDS } from '../../schema/model.ts';
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

/** How compromise moves along each kind and the words for it (schema/model.ts), so the view draws and says it. */
export function flowTable(): Record<string, { flow: string; verb: string; verbBy?: { prop: string; verbs: Record<string, string> } }> {
  return Object.fromEntries(EDGE_KINDS.map((k) => [k, { flow: EDGE_SPECS[k].flow, verb: EDGE_SPECS[k].flowVerb, ...(EDGE_SPECS[k].flowVerbBy ? { verbBy: EDGE_SPECS[k].flowVerbBy } : {}) }]));
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
    .replace('/*FLOW*/{}', () => json(flowTable()))
    .replace('/*ANALYST_TAGS*/{}', () => json(ANALYST_TAGS))
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
      'content-security-policy': "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data: blob:; frame-ancestors 'none'",
      'x-content-type-options': 'nosniff',
    });
    res.end(html);
  },
};

/** The graph library and its layered layout, as their packages ship them (the minified UMD builds beside `main`). */
const require = createRequire(import.meta.url);
const shipped = (pkg: string, file: string) => join(dirname(require.resolve(pkg)), file);
const VENDOR: Record<string, string> = {
  '/ui/cytoscape.min.js': shipped('cytoscape', 'cytoscape.min.js'),
  '/ui/cytoscape-dagre.min.js': shipped('cytoscape-dagre', 'cytoscape-dagre.min.js'),
};
const vendorCache = new Map<string, Buffer>();

export const vendorRoute: Route = {
  path: /^\/ui\/[a-z-]+\.min\.js$/,
  auth: 'none',
  handle(req, res) {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const file = VENDOR[path];
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
      res.end('not found');
      return;
    }
    let body = vendorCache.get(path);
    if (!body) vendorCache.set(path, (body = readFileSync(file)));
    res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'content-length': body.length, 'cache-control': 'max-age=3600', 'x-content-type-options': 'nosniff' });
    res.end(body);
  },
};

/** Everything the graph view needs mounted: the page and the scripts it loads. */
export const graphViewRoutes: Route[] = [graphViewRoute, vendorRoute];
