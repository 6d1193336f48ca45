/**
 * The model's AI fields by the names the OWASP AIBOM field registry gives them (the SPDX 3 AI profile's names), as
 * `metadata.properties` of the BOM, which is where that registry, its generator and its scorer read them. Only what
 * the graph knows is written: the task, the supplier, the domain the Hub files the task under, how the model was
 * trained (its lineage and data) and its reported metrics. Pure.
 */
import { labelOfKey } from '../../schema/keys.ts';
import type { Neighbourhood } from './gather.ts';
import { propStr, repoNameOf } from './identity.ts';
import type { InheritedDataset } from './inherited-data.ts';
import { domainOfTask, metricsOf, taskOf } from './model-card.ts';

export interface AiField {
  name: string;
  value: string;
}

/** The registry's field names, in the order a reader meets them. */
export const AI_FIELDS = ['primaryPurpose', 'suppliedBy', 'domain', 'informationAboutTraining', 'metric'] as const;

const list = (keys: readonly string[]) => keys.map(labelOfKey).join(', ');

/** How a derivative relates to its bases, in words. */
const DERIVED_AS: Readonly<Record<string, string>> = {
  finetune: 'fine-tuned from',
  adapter: 'an adapter on',
  merge: 'a merge of',
  quantized: 'quantized from',
};

/** How the model came to be, from its lineage and training data: "fine-tuned from a/b; trained on c/d". */
function trainingInformation(n: Neighbourhood, inherited: readonly InheritedDataset[]): string | undefined {
  const subject = n.model.key;
  const byRelation = new Map<string, string[]>();
  for (const l of n.lineage) if (l.from === subject) byRelation.set(l.relation, [...(byRelation.get(l.relation) ?? []), l.to]);
  const parts: string[] = [];
  for (const [relation, bases] of [...byRelation].sort(([a], [b]) => (a < b ? -1 : 1))) {
    parts.push(`${Object.hasOwn(DERIVED_AS, relation) ? DERIVED_AS[relation] : 'derived from'} ${list([...bases].sort())}`);
  }
  const own = n.datasetUse.get(subject)?.training ?? [];
  if (own.length) parts.push(`trained on ${list(own)}`);
  const from = new Map<string, string[]>();
  for (const d of inherited) from.set(d.from, [...(from.get(d.from) ?? []), d.dataset]);
  for (const [base, datasets] of from) parts.push(`inherits the training data of ${labelOfKey(base)}: ${list(datasets)}`);
  return parts.length ? parts.join('; ') : undefined;
}

export function aiFieldsOf(n: Neighbourhood, inherited: readonly InheritedDataset[]): AiField[] {
  const task = taskOf(n.model);
  const metrics = metricsOf(n.model);
  const values: Record<(typeof AI_FIELDS)[number], string | undefined> = {
    primaryPurpose: task,
    suppliedBy: repoNameOf(n.model.key).owner ?? propStr(n.model, 'author'),
    domain: domainOfTask(task),
    informationAboutTraining: trainingInformation(n, inherited),
    metric: metrics.length ? metrics.map((m) => `${m.type} ${m.value}${m.slice ? ` (${m.slice})` : ''}`).join('; ') : undefined,
  };
  return AI_FIELDS.flatMap((name) => (values[name] === undefined ? [] : [{ name, value: values[name]!.slice(0, 4000) }]));
}
