/**
 * The CycloneDX `modelCard` of a model node: task and architecture, datasets by reference, inputs and outputs implied
 * by the pipeline tag, performance metrics from model-index, the considerations the card front matter states and the
 * risks the BOM knows of.
 * Pure; returns undefined when the graph knows nothing a model card could say.
 */
import type { GraphNode, JsonValue } from '../../schema/records.ts';
import { str } from './identity.ts';

export type Json = { [key: string]: JsonValue };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

type Domain = 'Natural Language Processing' | 'Computer Vision' | 'Audio' | 'Multimodal' | 'Tabular' | 'Reinforcement Learning';

/**
 * What each Hub pipeline tag takes and gives (in the words of CycloneDX `inputOutputMLParameters.format`), and the
 * group the Hub's task list files it under, which is the model's domain in the SPDX 3 AI sense.
 */
const HUB_TASKS: Readonly<Record<string, { inputs: readonly string[]; outputs: readonly string[]; domain: Domain }>> = {
  'text-generation': { inputs: ['text'], outputs: ['text'], domain: 'Natural Language Processing' },
  'text2text-generation': { inputs: ['text'], outputs: ['text'], domain: 'Natural Language Processing' },
  'fill-mask': { inputs: ['text'], outputs: ['text'], domain: 'Natural Language Processing' },
  summarization: { inputs: ['text'], outputs: ['text'], domain: 'Natural Language Processing' },
  translation: { inputs: ['text'], outputs: ['text'], domain: 'Natural Language Processing' },
  'question-answering': { inputs: ['text'], outputs: ['text'], domain: 'Natural Language Processing' },
  'table-question-answering': { inputs: ['table', 'text'], outputs: ['text'], domain: 'Natural Language Processing' },
  conversational: { inputs: ['text'], outputs: ['text'], domain: 'Natural Language Processing' },
  'text-classification': { inputs: ['text'], outputs: ['label'], domain: 'Natural Language Processing' },
  'zero-shot-classification': { inputs: ['text'], outputs: ['label'], domain: 'Natural Language Processing' },
  'token-classification': { inputs: ['text'], outputs: ['label'], domain: 'Natural Language Processing' },
  'feature-extraction': { inputs: ['text'], outputs: ['vector'], domain: 'Natural Language Processing' },
  'sentence-similarity': { inputs: ['text'], outputs: ['score'], domain: 'Natural Language Processing' },
  'text-ranking': { inputs: ['text'], outputs: ['score'], domain: 'Natural Language Processing' },
  'image-classification': { inputs: ['image'], outputs: ['label'], domain: 'Computer Vision' },
  'zero-shot-image-classification': { inputs: ['image', 'text'], outputs: ['label'], domain: 'Computer Vision' },
  'object-detection': { inputs: ['image'], outputs: ['bounding-boxes'], domain: 'Computer Vision' },
  'image-segmentation': { inputs: ['image'], outputs: ['mask'], domain: 'Computer Vision' },
  'image-to-text': { inputs: ['image'], outputs: ['text'], domain: 'Computer Vision' },
  'image-text-to-text': { inputs: ['image', 'text'], outputs: ['text'], domain: 'Multimodal' },
  'visual-question-answering': { inputs: ['image', 'text'], outputs: ['text'], domain: 'Multimodal' },
  'text-to-image': { inputs: ['text'], outputs: ['image'], domain: 'Computer Vision' },
  'image-to-image': { inputs: ['image'], outputs: ['image'], domain: 'Computer Vision' },
  'text-to-video': { inputs: ['text'], outputs: ['video'], domain: 'Computer Vision' },
  'automatic-speech-recognition': { inputs: ['audio'], outputs: ['text'], domain: 'Audio' },
  'text-to-speech': { inputs: ['text'], outputs: ['audio'], domain: 'Audio' },
  'text-to-audio': { inputs: ['text'], outputs: ['audio'], domain: 'Audio' },
  'audio-classification': { inputs: ['audio'], outputs: ['label'], domain: 'Audio' },
  'tabular-classification': { inputs: ['table'], outputs: ['label'], domain: 'Tabular' },
  'tabular-regression': { inputs: ['table'], outputs: ['number'], domain: 'Tabular' },
  'reinforcement-learning': { inputs: ['observation'], outputs: ['action'], domain: 'Reinforcement Learning' },
};

/** The task a model performs: the Hub pipeline tag, else the card's. */
export function taskOf(model: GraphNode): string | undefined {
  const card = isObject(model.props.cardData) ? model.props.cardData : {};
  return str(model.props.pipelineTag) ?? str(card.pipeline_tag);
}

/** The domain the Hub files a task under; undefined for tasks it does not list. */
export function domainOfTask(task: string | undefined): Domain | undefined {
  return task !== undefined && Object.hasOwn(HUB_TASKS, task) ? HUB_TASKS[task]!.domain : undefined;
}

/** Card front-matter keys that state considerations; HF cards have no fixed names, so common spellings are read. */
const CONSIDERATION_KEYS = {
  users: ['intended_users', 'users'],
  useCases: ['intended_use', 'intended_uses', 'use_cases', 'uses'],
  technicalLimitations: ['limitations', 'technical_limitations', 'known_limitations'],
  performanceTradeoffs: ['performance_tradeoffs', 'tradeoffs'],
  ethicalConsiderations: ['ethical_considerations', 'bias_risks_limitations', 'risks'],
} as const;

/** A string or list of strings from the card, trimmed and bounded (a card is author-controlled text). */
function texts(v: unknown): string[] {
  const list = Array.isArray(v) ? v : [v];
  return list
    .filter((x): x is string => typeof x === 'string' && x.trim().length > 0)
    .map((x) => x.trim().slice(0, 4000))
    .slice(0, 50);
}

/**
 * What the card front matter states, field by field; where it states nothing, what an imported ML-BOM's own
 * `modelCard.considerations` states (the SBOM import keeps that card as the model's `modelCard`).
 */
function considerations(card: Record<string, unknown>, imported: Record<string, unknown>): Json | undefined {
  const out: Json = {};
  for (const [field, keys] of Object.entries(CONSIDERATION_KEYS)) {
    const fromCard = keys.flatMap((k) => texts(card[k]));
    const found = [...new Set(fromCard.length ? fromCard : importedTexts(imported[field]))].sort();
    if (found.length === 0) continue;
    out[field] = field === 'ethicalConsiderations' ? found.map((name) => ({ name })) : found;
  }
  return Object.keys(out).length ? out : undefined;
}

/** An imported card's consideration: a list of strings, or of risks (`{name}`), as CycloneDX writes them. */
const importedTexts = (v: unknown): string[] => texts(Array.isArray(v) ? v.map((x) => (isObject(x) ? x.name : x)) : []);

/** An imported card's performance metrics (`{type, value, slice?}`), bounded like the rest of a card. */
function importedMetrics(imported: Record<string, unknown>): Json[] {
  const qa = isObject(imported.quantitativeAnalysis) ? imported.quantitativeAnalysis : {};
  const list = Array.isArray(qa.performanceMetrics) ? qa.performanceMetrics : [];
  return list
    .filter(isObject)
    .slice(0, 200)
    .flatMap((m) => {
      const type = str(m.type);
      const value = typeof m.value === 'string' || typeof m.value === 'number' ? String(m.value) : undefined;
      if (type === undefined || value === undefined) return [];
      return [{ type: type.slice(0, 200), value: value.slice(0, 200), ...(str(m.slice) ? { slice: str(m.slice)!.slice(0, 200) } : {}) }];
    });
}

/** A run's logged values (MLflow `metrics`, `params`: name → value), finite numbers and strings only, bounded. */
function runValues(v: unknown, limit: number): [string, string][] {
  if (!isObject(v)) return [];
  return Object.entries(v)
    .filter(([, x]) => (typeof x === 'number' && Number.isFinite(x)) || typeof x === 'string')
    .map(([k, x]): [string, string] => [k.slice(0, 200), String(x).slice(0, 1000)])
    .sort(([a], [b]) => cmp(a, b))
    .slice(0, limit);
}

/** model-index (HF's evaluation results format) → CycloneDX performance metrics, one per reported metric. */
function performanceMetrics(modelIndex: unknown): Json[] {
  if (!Array.isArray(modelIndex)) return [];
  const metrics: Json[] = [];
  for (const entry of modelIndex) {
    if (!isObject(entry) || !Array.isArray(entry.results)) continue;
    for (const result of entry.results) {
      if (!isObject(result) || !Array.isArray(result.metrics)) continue;
      const dataset = isObject(result.dataset) ? result.dataset : {};
      const task = isObject(result.task) ? result.task : {};
      const slice = [str(dataset.name) ?? str(dataset.type), str(dataset.config), str(dataset.split), str(task.type)]
        .filter((s): s is string => s !== undefined)
        .join(' / ');
      for (const m of result.metrics) {
        if (!isObject(m)) continue;
        const type = str(m.type) ?? str(m.name);
        const value = typeof m.value === 'number' || typeof m.value === 'string' ? String(m.value) : undefined;
        if (type === undefined || value === undefined) continue;
        metrics.push({ type, value, ...(slice ? { slice } : {}) });
      }
    }
  }
  return metrics.sort((a, b) => cmp(JSON.stringify(a), JSON.stringify(b)));
}

export const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A model's reported metrics: the graph's model-index, else the card's; else those of the run that made it (MLflow's
 * latest value of each metric); else an imported ML-BOM's.
 */
export function metricsOf(model: GraphNode): Json[] {
  const card = isObject(model.props.cardData) ? model.props.cardData : {};
  const fromIndex = performanceMetrics(model.props.modelIndex ?? card['model-index']);
  if (fromIndex.length) return fromIndex;
  const fromRun = runValues(model.props.metrics, 200).map(([type, value]) => ({ type, value }));
  if (fromRun.length) return fromRun;
  return importedMetrics(importedCard(model)).sort((a, b) => cmp(JSON.stringify(a), JSON.stringify(b)));
}

const importedCard = (model: GraphNode): Record<string, unknown> => {
  const card = isObject(model.props.modelCard) ? model.props.modelCard : {};
  return isObject(card.considerations) || isObject(card.quantitativeAnalysis) ? card : {};
};

/** The GenAI Security Project's property for a hyperparameter, which the OWASP field registry reads on the card. */
export const HYPERPARAMETER = 'genai:aibom:modelcard:hyperparameter';

/** A risk as CycloneDX writes one in `considerations` (its `risk` type). */
export interface CardRisk {
  name: string;
  mitigationStrategy?: string;
}

export interface ModelCardInput {
  /** Refs of the datasets the model was trained or evaluated on, its own and inherited ones. */
  datasets: readonly string[];
  /** Risks the BOM knows of (its vulnerabilities), stated beside the card's own ethical considerations. */
  risks?: readonly CardRisk[];
}

/**
 * The architecture in CycloneDX's two words: `modelArchitecture` is the specific one (the class that loads it,
 * config.architectures[0]), `architectureFamily` the family (config.model_type). Graphs read before modelType was
 * recorded hold only `architecture`, which is then the most specific name known.
 */
function architectureOf(model: GraphNode): Json {
  const architecture = str(model.props.architecture);
  const family = str(model.props.modelType);
  const out: Json = {};
  if (family) out.architectureFamily = family;
  if (architecture && architecture !== family) out.modelArchitecture = architecture;
  return out;
}

/** The modelCard object for a model, or undefined when there is nothing to say. */
export function modelCardOf(model: GraphNode, input: ModelCardInput): Json | undefined {
  const card = isObject(model.props.cardData) ? model.props.cardData : {};
  const task = taskOf(model);
  const params: Json = {};
  if (task) params.task = task;
  Object.assign(params, architectureOf(model));
  if (input.datasets.length) params.datasets = [...new Set(input.datasets)].sort().map((ref) => ({ ref }));
  const io = task !== undefined && Object.hasOwn(HUB_TASKS, task) ? HUB_TASKS[task] : undefined;
  if (io) {
    params.inputs = io.inputs.map((format) => ({ format }));
    params.outputs = io.outputs.map((format) => ({ format }));
  }
  const result: Json = {};
  if (Object.keys(params).length) result.modelParameters = params;
  const metrics = metricsOf(model);
  if (metrics.length) result.quantitativeAnalysis = { performanceMetrics: metrics };
  const imported = importedCard(model);
  const said = considerations(card, isObject(imported.considerations) ? imported.considerations : {}) ?? {};
  if (input.risks?.length) {
    // An imported card may be an earlier aispm export that already states these risks: each is stated once.
    const risks = new Set(input.risks.map((r) => r.name));
    const stated = (Array.isArray(said.ethicalConsiderations) ? said.ethicalConsiderations : []).filter((e) => !(isObject(e) && risks.has(String(e.name))));
    said.ethicalConsiderations = [...stated, ...input.risks.map((r) => ({ name: r.name, ...(r.mitigationStrategy ? { mitigationStrategy: r.mitigationStrategy } : {}) }))];
  }
  if (Object.keys(said).length) result.considerations = said;
  // The run's parameters (MLflow `params`) are the model's hyperparameters.
  const hyperparameters = runValues(model.props.params, 500);
  if (hyperparameters.length) result.properties = hyperparameters.map(([k, v]) => ({ name: HYPERPARAMETER, value: `${k}=${v}` }));
  return Object.keys(result).length ? result : undefined;
}
