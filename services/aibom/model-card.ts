/**
 * The CycloneDX `modelCard` of a model node: task and architecture, datasets by reference, inputs and outputs implied
 * by the pipeline tag, performance metrics from model-index, and considerations the card front matter states.
 * Pure; returns undefined when the graph knows nothing a model card could say.
 */
import type { GraphNode, JsonValue } from '../../schema/records.ts';
import { str } from './identity.ts';

export type Json = { [key: string]: JsonValue };

/** What each Hub pipeline tag takes and gives, in the words of CycloneDX `inputOutputMLParameters.format`. */
const PIPELINE_IO: Readonly<Record<string, readonly [readonly string[], readonly string[]]>> = {
  'text-generation': [['text'], ['text']],
  'text2text-generation': [['text'], ['text']],
  'fill-mask': [['text'], ['text']],
  summarization: [['text'], ['text']],
  translation: [['text'], ['text']],
  'question-answering': [['text'], ['text']],
  'table-question-answering': [['table', 'text'], ['text']],
  conversational: [['text'], ['text']],
  'text-classification': [['text'], ['label']],
  'zero-shot-classification': [['text'], ['label']],
  'token-classification': [['text'], ['label']],
  'feature-extraction': [['text'], ['vector']],
  'sentence-similarity': [['text'], ['score']],
  'text-ranking': [['text'], ['score']],
  'image-classification': [['image'], ['label']],
  'zero-shot-image-classification': [['image', 'text'], ['label']],
  'object-detection': [['image'], ['bounding-boxes']],
  'image-segmentation': [['image'], ['mask']],
  'image-to-text': [['image'], ['text']],
  'image-text-to-text': [['image', 'text'], ['text']],
  'visual-question-answering': [['image', 'text'], ['text']],
  'text-to-image': [['text'], ['image']],
  'image-to-image': [['image'], ['image']],
  'text-to-video': [['text'], ['video']],
  'automatic-speech-recognition': [['audio'], ['text']],
  'text-to-speech': [['text'], ['audio']],
  'text-to-audio': [['text'], ['audio']],
  'audio-classification': [['audio'], ['label']],
  'tabular-classification': [['table'], ['label']],
  'tabular-regression': [['table'], ['number']],
  'reinforcement-learning': [['observation'], ['action']],
};

/** Card front-matter keys that state considerations; HF cards have no fixed names, so common spellings are read. */
const CONSIDERATION_KEYS = {
  users: ['intended_users', 'users'],
  useCases: ['intended_use', 'intended_uses', 'use_cases', 'uses'],
  technicalLimitations: ['limitations', 'technical_limitations', 'known_limitations'],
  performanceTradeoffs: ['performance_tradeoffs', 'tradeoffs'],
  ethicalConsiderations: ['ethical_considerations', 'bias_risks_limitations', 'risks'],
} as const;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A string or list of strings from the card, trimmed and bounded (a card is author-controlled text). */
function texts(v: unknown): string[] {
  const list = Array.isArray(v) ? v : [v];
  return list
    .filter((x): x is string => typeof x === 'string' && x.trim().length > 0)
    .map((x) => x.trim().slice(0, 4000))
    .slice(0, 50);
}

function considerations(card: Record<string, unknown>): Json | undefined {
  const out: Json = {};
  for (const [field, keys] of Object.entries(CONSIDERATION_KEYS)) {
    const found = [...new Set(keys.flatMap((k) => texts(card[k])))].sort();
    if (found.length === 0) continue;
    out[field] = field === 'ethicalConsiderations' ? found.map((name) => ({ name })) : found;
  }
  return Object.keys(out).length ? out : undefined;
}

/** model-index (HF's evaluation results format) → CycloneDX performance metrics, one per reported metric. */
export function performanceMetrics(modelIndex: unknown): Json[] {
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

/** The modelCard object for a model, or undefined when there is nothing to say. */
export function modelCardOf(model: GraphNode, datasetRefs: readonly string[]): Json | undefined {
  const card = isObject(model.props.cardData) ? model.props.cardData : {};
  const task = str(model.props.pipelineTag) ?? str(card.pipeline_tag);
  const architecture = str(model.props.architecture);
  const params: Json = {};
  if (task) params.task = task;
  if (architecture) params.architectureFamily = architecture;
  if (datasetRefs.length) params.datasets = [...datasetRefs].sort().map((ref) => ({ ref }));
  const io = task ? PIPELINE_IO[task] : undefined;
  if (io) {
    params.inputs = io[0].map((format) => ({ format }));
    params.outputs = io[1].map((format) => ({ format }));
  }
  const result: Json = {};
  if (Object.keys(params).length) result.modelParameters = params;
  const metrics = performanceMetrics(model.props.modelIndex ?? card['model-index']);
  if (metrics.length) result.quantitativeAnalysis = { performanceMetrics: metrics };
  const said = considerations(card);
  if (said) result.considerations = said;
  return Object.keys(result).length ? result : undefined;
}
