/**
 * Neighbourhood → the final BOM document: the library builds and normalizes what it models, the ML extensions are
 * added, every list is put in a stable order, the serial number is set (derived from the content in deterministic
 * mode), and the completeness and lineage scores are computed from the document and recorded in its properties.
 * Pure apart from the clock and the random serial of a non-deterministic BOM.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Serialize, Spec } from '@cyclonedx/cyclonedx-library';
import { canonicalize } from './canonical.ts';
import type { Neighbourhood } from './gather.ts';
import { mapNeighbourhood, P } from './map-components.ts';
import { addMlExtensions } from './ml-extensions.ts';
import type { AibomSpec } from './options.ts';
import { SCALE, scoreCompleteness, scoreModelComponent, type CompletenessScore } from './scoring.ts';

export interface WeakestLink {
  /** The lowest completeness score among the model and its ancestors. */
  score: number;
  /** Whose score it is (the model itself when it is the weakest, or on a tie). */
  key: string;
}

export interface AibomResult {
  /** The final JSON document (equal to `JSON.parse(json)`). */
  bom: Record<string, unknown>;
  json: string;
  score: CompletenessScore;
  weakestLink: WeakestLink;
}

/** A fixed instant for deterministic BOMs of models whose modification time the graph does not know. */
export const FIXED_EPOCH = new Date('1970-01-01T00:00:00.000Z');

const factories = new Map<AibomSpec, Serialize.JSON.Normalize.Factory>();
function factoryFor(spec: AibomSpec): Serialize.JSON.Normalize.Factory {
  let f = factories.get(spec);
  if (!f) {
    f = new Serialize.JSON.Normalize.Factory(spec === '1.7' ? Spec.Spec1dot7 : Spec.Spec1dot6);
    factories.set(spec, f);
  }
  return f;
}

function graphTimestamp(n: Neighbourhood): Date {
  const raw = n.model.props.lastModified;
  const d = typeof raw === 'string' ? new Date(raw) : undefined;
  return d && !Number.isNaN(d.getTime()) ? d : FIXED_EPOCH;
}

/** A UUID-shaped serial from a content hash (version 8, "custom", per RFC 9562; variant bits set). */
export function uuidFromContent(content: string): string {
  const h = createHash('sha256').update(content, 'utf8').digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Top-level members in the order the CycloneDX examples use, so documents read alike. */
const DOC_ORDER = ['$schema', 'bomFormat', 'specVersion', 'serialNumber', 'version', 'metadata', 'components', 'services', 'dependencies', 'compositions', 'vulnerabilities'];

function ordered(doc: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of DOC_ORDER) if (doc[k] !== undefined) out[k] = doc[k];
  for (const k of Object.keys(doc).sort()) if (!(k in out)) out[k] = doc[k];
  return out;
}

function weakestLinkOf(doc: Record<string, unknown>, n: Neighbourhood, own: CompletenessScore): WeakestLink {
  let weakest: WeakestLink = { score: own.total, key: n.model.key };
  const byRef = new Map<string, object>();
  for (const c of (doc.components as Record<string, unknown>[] | undefined) ?? []) {
    if (typeof c['bom-ref'] === 'string') byRef.set(c['bom-ref'], c);
  }
  // Ancestors in key order, so a tie always names the same one.
  for (const { node } of n.ancestors) {
    const component = byRef.get(node.key);
    if (!component) continue;
    const score = scoreModelComponent(doc, component).total;
    if (score < weakest.score) weakest = { score, key: node.key };
  }
  return weakest;
}

function scoreProperties(score: CompletenessScore, weakest: WeakestLink): { name: string; value: string }[] {
  const props = [
    { name: P('completeness:score'), value: score.total.toFixed(1) },
    // aispm's own scale, not the OWASP AIBOM generator's (SCORING.md says how they differ).
    { name: P('completeness:method'), value: `${SCALE} (see services/aibom/SCORING.md)` },
    { name: P('completeness:penalty'), value: String(score.penalty) },
    { name: P('lineage:weakest-link:score'), value: weakest.score.toFixed(1) },
    { name: P('lineage:weakest-link:ref'), value: weakest.key },
  ];
  for (const [id, c] of Object.entries(score.categories)) {
    props.push({ name: P(`completeness:category:${id}`), value: `${c.score.toFixed(1)}/${c.weight}` });
    for (const missing of c.missing) props.push({ name: P('completeness:missing'), value: `${id}.${missing}` });
  }
  return props;
}

export function assembleAibom(n: Neighbourhood, opts: { spec: AibomSpec; deterministic: boolean; now?: Date }): AibomResult {
  const { bom, extensions } = mapNeighbourhood(n);
  bom.metadata.timestamp = opts.deterministic ? graphTimestamp(n) : (opts.now ?? new Date());
  const factory = factoryFor(opts.spec);
  const normalized = factory.makeForBom().normalize(bom, { sortLists: true }) as unknown as Record<string, unknown>;
  addMlExtensions(normalized, extensions, factory);
  let doc = canonicalize(normalized) as Record<string, unknown>;
  // The serial is derived from everything else, which includes nothing random in deterministic mode.
  const serial = opts.deterministic ? uuidFromContent(JSON.stringify(doc)) : randomUUID();
  doc = ordered({ ...doc, serialNumber: `urn:uuid:${serial}` });

  const score = scoreCompleteness(doc);
  const weakestLink = weakestLinkOf(doc, n, score);
  const metadata = doc.metadata as Record<string, unknown>;
  const existing = (metadata.properties as { name: string; value: string }[] | undefined) ?? [];
  metadata.properties = canonicalize([...existing, ...scoreProperties(score, weakestLink)]);
  const json = JSON.stringify(doc, null, 2);
  return { bom: doc, json, score, weakestLink };
}
