/**
 * Completeness score of an AIBOM, 0–100, on aispm's own scale (SCALE; SCORING.md lists each field and says where it
 * differs from the OWASP AIBOM generator's method). It is computed from the BOM document alone: five categories with
 * fixed weights; inside a category each field counts by its tier (critical 3, important 2, supplementary 1); then a
 * penalty when critical or important fields are missing. Only the document header, its vulnerabilities (to tell the
 * risks aispm states in a model card from what the card itself states) and the model component (`metadata.component`)
 * are read, so an ancestor's score can be computed from its component in a descendant's BOM.
 */

type JsonObject = Record<string, unknown>;

/** The name and version of this scale, written into every BOM beside the score. */
export const SCALE = 'aispm-completeness/2';

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
  /** Descriptions of the document's vulnerabilities: the risk entries aispm adds to a card are named by them. */
  riskNames: Set<string>;
}

export interface ScoredField {
  id: string;
  category: CategoryId;
  tier: Tier;
  /** Where in the BOM the field is looked for. */
  path: string;
  /** Which source could fill the field when it is missing. */
  filledBy: string;
  present(view: View): boolean;
}

const obj = (v: unknown): JsonObject => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as JsonObject) : {});
const text = (v: unknown) => typeof v === 'string' && v.trim().length > 0;
const nonEmpty = (v: unknown) => Array.isArray(v) && v.length > 0;
const refTypes = (c: JsonObject) =>
  new Set((Array.isArray(c.externalReferences) ? c.externalReferences : []).map((r) => obj(r).type).filter(text));
const ALWAYS = 'aispm (every BOM has it)';

/** The scored fields, in the order SCORING.md lists them. */
export const SCORED_FIELDS: readonly ScoredField[] = [
  { id: 'bomFormat', category: 'required_fields', tier: 'critical', path: '$.bomFormat', filledBy: ALWAYS, present: (v) => v.doc.bomFormat === 'CycloneDX' },
  { id: 'specVersion', category: 'required_fields', tier: 'critical', path: '$.specVersion', filledBy: ALWAYS, present: (v) => text(v.doc.specVersion) },
  {
    id: 'serialNumber',
    category: 'required_fields',
    tier: 'critical',
    path: '$.serialNumber',
    filledBy: ALWAYS,
    present: (v) => typeof v.doc.serialNumber === 'string' && /^urn:uuid:[0-9a-f-]{36}$/u.test(v.doc.serialNumber),
  },
  { id: 'version', category: 'required_fields', tier: 'critical', path: '$.version', filledBy: ALWAYS, present: (v) => Number.isInteger(v.doc.version) && (v.doc.version as number) >= 1 },

  {
    id: 'primaryPurpose',
    category: 'metadata',
    tier: 'critical',
    path: '$.metadata.component.modelCard.modelParameters.task',
    filledBy: 'the task: the Hub pipeline_tag (set in the model card) or the card\'s pipeline_tag',
    present: (v) => text(v.params.task),
  },
  {
    id: 'suppliedBy',
    category: 'metadata',
    tier: 'critical',
    path: '$.metadata.component.supplier.name | authors[].name',
    filledBy: 'the owner a key names (Hub repos); MLflow models have none',
    present: (v) =>
      text(obj(v.component.supplier).name) ||
      (Array.isArray(v.component.authors) && v.component.authors.some((a) => text(obj(a).name))),
  },
  { id: 'timestamp', category: 'metadata', tier: 'important', path: '$.metadata.timestamp', filledBy: ALWAYS, present: (v) => text(obj(v.doc.metadata).timestamp) },
  {
    id: 'tools',
    category: 'metadata',
    tier: 'supplementary',
    path: '$.metadata.tools',
    filledBy: ALWAYS,
    present: (v) => nonEmpty(obj(obj(v.doc.metadata).tools).components) || nonEmpty(obj(obj(v.doc.metadata).tools).services),
  },

  { id: 'name', category: 'component_basic', tier: 'critical', path: '$.metadata.component.name', filledBy: ALWAYS, present: (v) => text(v.component.name) },
  { id: 'type', category: 'component_basic', tier: 'critical', path: '$.metadata.component.type', filledBy: ALWAYS, present: (v) => v.component.type === 'machine-learning-model' },
  {
    id: 'component_version',
    category: 'component_basic',
    tier: 'critical',
    path: '$.metadata.component.version',
    filledBy: 'the commit sha a Hub read records (`aispm ingest hf <id>`), an MLflow version',
    present: (v) => text(v.component.version),
  },
  { id: 'purl', category: 'component_basic', tier: 'important', path: '$.metadata.component.purl', filledBy: 'a Hub or MLflow key (with its sha or version)', present: (v) => text(v.component.purl) },
  {
    id: 'description',
    category: 'component_basic',
    tier: 'important',
    path: '$.metadata.component.description',
    filledBy: 'an MLflow registry description or an imported SBOM; the Hub API gives models none',
    present: (v) => text(v.component.description),
  },
  { id: 'licenses', category: 'component_basic', tier: 'important', path: '$.metadata.component.licenses', filledBy: 'the card\'s license (or a license: tag) on the Hub', present: (v) => nonEmpty(v.component.licenses) },
  {
    id: 'external_references',
    category: 'component_basic',
    tier: 'supplementary',
    path: '$.metadata.component.externalReferences',
    filledBy: 'any page the source has (Hub, MLflow with a configured URL)',
    present: (v) => nonEmpty(v.component.externalReferences),
  },

  {
    id: 'datasets',
    category: 'component_model_card',
    tier: 'important',
    path: '…modelCard.modelParameters.datasets',
    filledBy: 'the card\'s datasets: or dataset: tags, model-index, MLflow dataset inputs, or a quantized base\'s data',
    present: (v) => nonEmpty(v.params.datasets),
  },
  {
    id: 'typeOfModel',
    category: 'component_model_card',
    tier: 'important',
    path: '…modelCard.modelParameters.modelArchitecture | architectureFamily',
    filledBy: 'config.json architectures / model_type (the Hub API\'s config)',
    present: (v) => text(v.params.modelArchitecture) || text(v.params.architectureFamily),
  },
  {
    id: 'intendedUse',
    category: 'component_model_card',
    tier: 'important',
    path: '…modelCard.considerations.useCases',
    filledBy: 'the card front matter (intended_use, uses), or an imported ML-BOM\'s model card',
    present: (v) => nonEmpty(v.considerations.useCases),
  },
  {
    id: 'technicalLimitations',
    category: 'component_model_card',
    tier: 'important',
    path: '…modelCard.considerations.technicalLimitations',
    filledBy: 'the card front matter (limitations), or an imported ML-BOM\'s model card',
    present: (v) => nonEmpty(v.considerations.technicalLimitations),
  },
  {
    id: 'ethicalConsiderations',
    category: 'component_model_card',
    tier: 'important',
    path: '…modelCard.considerations.ethicalConsiderations (stated by the card, not the BOM\'s risks)',
    filledBy: 'the card front matter (ethical_considerations, bias_risks_limitations, risks), or an imported ML-BOM\'s model card',
    present: (v) =>
      Array.isArray(v.considerations.ethicalConsiderations) &&
      v.considerations.ethicalConsiderations.some((e) => text(obj(e).name) && !v.riskNames.has(obj(e).name as string)),
  },
  {
    id: 'metric',
    category: 'component_model_card',
    tier: 'supplementary',
    path: '…modelCard.quantitativeAnalysis.performanceMetrics',
    filledBy: 'model-index in the card, the MLflow run that made the model, or an imported ML-BOM\'s model card',
    present: (v) => nonEmpty(obj(v.card.quantitativeAnalysis).performanceMetrics),
  },
  {
    id: 'inputsOutputs',
    category: 'component_model_card',
    tier: 'supplementary',
    path: '…modelCard.modelParameters.inputs and outputs',
    filledBy: 'a task aispm knows the inputs and outputs of',
    present: (v) => nonEmpty(v.params.inputs) && nonEmpty(v.params.outputs),
  },

  {
    id: 'downloadLocation',
    category: 'external_references',
    tier: 'important',
    path: '…externalReferences[type=distribution]',
    filledBy: 'a Hub read that records the commit sha (the repo\'s files at that revision)',
    present: (v) => refTypes(v.component).has('distribution'),
  },
  { id: 'website', category: 'external_references', tier: 'supplementary', path: '…externalReferences[type=website]', filledBy: 'the model\'s page at its source', present: (v) => refTypes(v.component).has('website') },
  {
    id: 'modelCardReference',
    category: 'external_references',
    tier: 'supplementary',
    path: '…externalReferences[type=model-card]',
    filledBy: 'a Hub repo (its README at the revision read)',
    present: (v) => refTypes(v.component).has('model-card'),
  },
  { id: 'paper', category: 'external_references', tier: 'supplementary', path: '…externalReferences[type=documentation]', filledBy: 'arxiv: tags on the Hub (the card cites a paper)', present: (v) => refTypes(v.component).has('documentation') },
  { id: 'vcs', category: 'external_references', tier: 'supplementary', path: '…externalReferences[type=vcs]', filledBy: 'a Hub repo (a git repository)', present: (v) => refTypes(v.component).has('vcs') },
];

export interface CategoryScore {
  /** Points earned, out of `weight`. */
  score: number;
  weight: number;
  present: string[];
  missing: string[];
}

export interface CompletenessScore {
  /** The scale the total is on (SCALE): aispm's own, not OWASP's. */
  scale: string;
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
  const riskNames = new Set<string>();
  for (const v of Array.isArray(doc.vulnerabilities) ? doc.vulnerabilities : []) {
    const description = obj(v).description;
    if (typeof description === 'string') riskNames.add(description);
  }
  const view: View = { doc, component, card, params: obj(card.modelParameters), considerations: obj(card.considerations), riskNames };
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
  return { scale: SCALE, total: round1(Math.min(100, Math.max(0, sum * penalty))), penalty: Math.round(penalty * 1000) / 1000, categories, missingCritical, missingImportant };
}

/**
 * The score of a model component as the header of a BOM would frame it: the same fields as `scoreCompleteness`
 * reads, with the model component swapped in. Used for ancestors (lineage weakest link).
 */
export function scoreModelComponent(bom: object, component: object): CompletenessScore {
  const doc = bom as JsonObject;
  return scoreCompleteness({ ...doc, metadata: { ...obj(doc.metadata), component } });
}
