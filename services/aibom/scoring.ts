/**
 * Completeness score of an AIBOM, 0–100, computed from the BOM document alone (see SCORING.md for each field).
 * Modelled on the OWASP AIBOM generator: five categories with fixed weights; inside a category each field counts by
 * its tier (critical 3, important 2, supplementary 1); then a penalty when critical or important fields are missing.
 * Only the document header and the model component (`metadata.component`) are read, so an ancestor's score can be
 * computed from its component in the descendant's BOM and equals the score of the ancestor's own BOM.
 */

type JsonObject = Record<string, unknown>;

export type Tier = 'critical' | 'important' | 'supplementary';
export type CategoryId = 'required_fields' | 'metadata' | 'component_basic' | 'component_model_card' | 'external_references';

export const CATEGORY_WEIGHTS: Readonly<Record<CategoryId, number>> = {
  required_fields: 20,
  metadata: 20,
  component_basic: 20,
  component_model_card: 30,
  external_references: 10,
};

export const TIER_WEIGHTS: Readonly<Record<Tier, number>> = { critical: 3, important: 2, supplementary: 1 };

interface View {
  doc: JsonObject;
  component: JsonObject;
  card: JsonObject;
  params: JsonObject;
  considerations: JsonObject;
}

export interface ScoredField {
  id: string;
  category: CategoryId;
  tier: Tier;
  /** Where in the BOM the field is looked for. */
  path: string;
  present(view: View): boolean;
}

const obj = (v: unknown): JsonObject => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as JsonObject) : {});
const text = (v: unknown) => typeof v === 'string' && v.trim().length > 0;
const nonEmpty = (v: unknown) => Array.isArray(v) && v.length > 0;
const refTypes = (c: JsonObject) =>
  new Set((Array.isArray(c.externalReferences) ? c.externalReferences : []).map((r) => obj(r).type).filter(text));

/** The scored fields, in the order SCORING.md lists them. */
export const SCORED_FIELDS: readonly ScoredField[] = [
  { id: 'bomFormat', category: 'required_fields', tier: 'critical', path: '$.bomFormat', present: (v) => v.doc.bomFormat === 'CycloneDX' },
  { id: 'specVersion', category: 'required_fields', tier: 'critical', path: '$.specVersion', present: (v) => text(v.doc.specVersion) },
  {
    id: 'serialNumber',
    category: 'required_fields',
    tier: 'critical',
    path: '$.serialNumber',
    present: (v) => typeof v.doc.serialNumber === 'string' && /^urn:uuid:[0-9a-f-]{36}$/u.test(v.doc.serialNumber),
  },
  { id: 'version', category: 'required_fields', tier: 'critical', path: '$.version', present: (v) => Number.isInteger(v.doc.version) && (v.doc.version as number) >= 1 },

  { id: 'primaryPurpose', category: 'metadata', tier: 'critical', path: '$.metadata.component.modelCard.modelParameters.task', present: (v) => text(v.params.task) },
  {
    id: 'suppliedBy',
    category: 'metadata',
    tier: 'critical',
    path: '$.metadata.component.supplier.name | authors[].name',
    present: (v) => text(obj(v.component.supplier).name) || (Array.isArray(v.component.authors) && v.component.authors.some((a) => text(obj(a).name))),
  },
  { id: 'timestamp', category: 'metadata', tier: 'important', path: '$.metadata.timestamp', present: (v) => text(obj(v.doc.metadata).timestamp) },
  {
    id: 'tools',
    category: 'metadata',
    tier: 'supplementary',
    path: '$.metadata.tools',
    present: (v) => nonEmpty(obj(obj(v.doc.metadata).tools).components) || nonEmpty(obj(obj(v.doc.metadata).tools).services),
  },

  { id: 'name', category: 'component_basic', tier: 'critical', path: '$.metadata.component.name', present: (v) => text(v.component.name) },
  { id: 'type', category: 'component_basic', tier: 'critical', path: '$.metadata.component.type', present: (v) => v.component.type === 'machine-learning-model' },
  { id: 'component_version', category: 'component_basic', tier: 'critical', path: '$.metadata.component.version', present: (v) => text(v.component.version) },
  { id: 'purl', category: 'component_basic', tier: 'important', path: '$.metadata.component.purl', present: (v) => text(v.component.purl) },
  { id: 'description', category: 'component_basic', tier: 'important', path: '$.metadata.component.description', present: (v) => text(v.component.description) },
  { id: 'licenses', category: 'component_basic', tier: 'important', path: '$.metadata.component.licenses', present: (v) => nonEmpty(v.component.licenses) },
  { id: 'external_references', category: 'component_basic', tier: 'supplementary', path: '$.metadata.component.externalReferences', present: (v) => nonEmpty(v.component.externalReferences) },

  { id: 'datasets', category: 'component_model_card', tier: 'important', path: '…modelCard.modelParameters.datasets', present: (v) => nonEmpty(v.params.datasets) },
  {
    id: 'typeOfModel',
    category: 'component_model_card',
    tier: 'important',
    path: '…modelCard.modelParameters.architectureFamily | modelArchitecture',
    present: (v) => text(v.params.architectureFamily) || text(v.params.modelArchitecture),
  },
  { id: 'intendedUse', category: 'component_model_card', tier: 'important', path: '…modelCard.considerations.useCases', present: (v) => nonEmpty(v.considerations.useCases) },
  { id: 'technicalLimitations', category: 'component_model_card', tier: 'important', path: '…modelCard.considerations.technicalLimitations', present: (v) => nonEmpty(v.considerations.technicalLimitations) },
  { id: 'ethicalConsiderations', category: 'component_model_card', tier: 'important', path: '…modelCard.considerations.ethicalConsiderations', present: (v) => nonEmpty(v.considerations.ethicalConsiderations) },
  {
    id: 'metric',
    category: 'component_model_card',
    tier: 'supplementary',
    path: '…modelCard.quantitativeAnalysis.performanceMetrics',
    present: (v) => nonEmpty(obj(v.card.quantitativeAnalysis).performanceMetrics),
  },
  {
    id: 'inputsOutputs',
    category: 'component_model_card',
    tier: 'supplementary',
    path: '…modelCard.modelParameters.inputs and outputs',
    present: (v) => nonEmpty(v.params.inputs) && nonEmpty(v.params.outputs),
  },

  {
    id: 'downloadLocation',
    category: 'external_references',
    tier: 'important',
    path: '…externalReferences[type=distribution|website]',
    present: (v) => refTypes(v.component).has('distribution') || refTypes(v.component).has('website'),
  },
  {
    id: 'modelCardReference',
    category: 'external_references',
    tier: 'supplementary',
    path: '…externalReferences[type=model-card|documentation]',
    present: (v) => refTypes(v.component).has('model-card') || refTypes(v.component).has('documentation'),
  },
  { id: 'vcs', category: 'external_references', tier: 'supplementary', path: '…externalReferences[type=vcs]', present: (v) => refTypes(v.component).has('vcs') },
];

export interface CategoryScore {
  /** Points earned, out of `weight`. */
  score: number;
  weight: number;
  present: string[];
  missing: string[];
}

export interface CompletenessScore {
  /** 0–100, one decimal. */
  total: number;
  /** Multiplier applied for missing critical / important fields (1 when none). */
  penalty: number;
  categories: Record<CategoryId, CategoryScore>;
  missingCritical: string[];
  missingImportant: string[];
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/** Score a BOM document (a parsed CycloneDX JSON BOM). */
export function scoreCompleteness(bom: object): CompletenessScore {
  const doc = bom as JsonObject;
  const component = obj(obj(doc.metadata).component);
  const card = obj(component.modelCard);
  const view: View = { doc, component, card, params: obj(card.modelParameters), considerations: obj(card.considerations) };
  const categories = {} as Record<CategoryId, CategoryScore>;
  const missingCritical: string[] = [];
  const missingImportant: string[] = [];
  let sum = 0;
  for (const [id, weight] of Object.entries(CATEGORY_WEIGHTS) as [CategoryId, number][]) {
    const fields = SCORED_FIELDS.filter((f) => f.category === id);
    let earned = 0;
    let possible = 0;
    const present: string[] = [];
    const missing: string[] = [];
    for (const f of fields) {
      possible += TIER_WEIGHTS[f.tier];
      if (f.present(view)) {
        earned += TIER_WEIGHTS[f.tier];
        present.push(f.id);
      } else {
        missing.push(f.id);
        if (f.tier === 'critical') missingCritical.push(f.id);
        if (f.tier === 'important') missingImportant.push(f.id);
      }
    }
    const score = possible ? (earned / possible) * weight : 0;
    sum += score;
    categories[id] = { score: round1(score), weight, present, missing };
  }
  let penalty = 1;
  if (missingCritical.length > 3) penalty *= 0.8;
  else if (missingCritical.length >= 2) penalty *= 0.9;
  if (missingImportant.length >= 5) penalty *= 0.95;
  return { total: round1(Math.min(100, Math.max(0, sum * penalty))), penalty: Math.round(penalty * 1000) / 1000, categories, missingCritical, missingImportant };
}

/**
 * The score of a model component as the header of a BOM would frame it: the same fields as `scoreCompleteness`
 * reads, with the model component swapped in. Used for ancestors (lineage weakest link).
 */
export function scoreModelComponent(bom: object, component: object): CompletenessScore {
  const doc = bom as JsonObject;
  return scoreCompleteness({ ...doc, metadata: { ...obj(doc.metadata), component } });
}
