/**
 * A public, served model was trained — itself or through one of the bases it derives from — on a dataset that is
 * gated (`gated` true, "auto" or "manual") or private: data released under access conditions now shapes what anyone
 * can get out of the model.
 */
import type { EdgeKind } from '../../schema/model.ts';
import type { GraphNode } from '../../schema/records.ts';
import { makeFinding, type Finding, type FindingRule } from './types.ts';

const TRAINING: EdgeKind = 'TRAINED_ON';
const GATED_VALUES: readonly unknown[] = [true, 'auto', 'manual'];

/** Why a dataset's access is restricted, or undefined when it is open. */
function restriction(dataset: GraphNode): string | undefined {
  const gated = dataset.props.gated;
  const reasons: string[] = [];
  if (GATED_VALUES.includes(typeof gated === 'string' ? gated.toLowerCase() : gated)) reasons.push(`gated: ${JSON.stringify(gated)}`);
  if (dataset.props.private === true) reasons.push('private: true');
  return reasons.length ? reasons.join(', ') : undefined;
}

export const gatedDataInPublicModel: FindingRule = {
  id: 'gated-data-in-public-model',
  title: 'Public served model trained on gated or private data',
  severity: 'medium',
  description:
    'A served model that is not private was trained, directly or through a model it derives from, on a dataset that is gated (true, "auto" or "manual") or private; the access conditions of the data do not carry over to the model.',
  remediation:
    "Review the dataset's license, access terms and the consent under which its data was collected before publishing the model; restrict the model to the same terms, or retrain without the gated data.",
  async run(ctx) {
    const served = await ctx.servedModels();
    if (!served.size) return [];
    const publicModels = (await ctx.store.getNodes([...served.keys()]))
      .filter((n) => n.props.private !== true)
      .map((n) => n.key)
      .sort();
    if (!publicModels.length) return [];
    const ancestry = await ctx.ancestry(publicModels);
    // served model → its lineage, itself first, then ancestors nearest first
    const lineageOf = new Map(publicModels.map((m) => [m, [m, ...ancestry.ancestorsOf(m)]]));
    const trained = await ctx.store.expand({ keys: [...new Set([...lineageOf.values()].flat())], direction: 'out', edgeKinds: [TRAINING] });
    const datasetsOf = new Map<string, string[]>();
    for (const e of trained) datasetsOf.set(e.from, [...new Set([...(datasetsOf.get(e.from) ?? []), e.to])].sort());
    const datasets = new Map((await ctx.store.getNodes([...new Set(trained.map((e) => e.to))])).map((n) => [n.key, n]));

    const findings: Finding[] = [];
    for (const [model, lineage] of lineageOf) {
      // dataset → the nearest model in the lineage trained on it
      const trainerOf = new Map<string, string>();
      for (const x of lineage) for (const d of datasetsOf.get(x) ?? []) if (!trainerOf.has(d)) trainerOf.set(d, x);
      for (const [dataset, trainer] of [...trainerOf].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const node = datasets.get(dataset);
        const why = node && restriction(node);
        if (!why) continue;
        const evidence = [`${dataset} is ${why}`, `${trainer} was trained on ${dataset}`];
        if (trainer !== model) evidence.push(`lineage: ${ancestry.chain(model, trainer).join(' → ')}`);
        evidence.push(`${model} is not private and is served by ${(served.get(model) ?? []).join(', ')}`);
        findings.push(makeFinding(gatedDataInPublicModel, [dataset, ...(trainer === model ? [] : [trainer]), model], evidence));
      }
    }
    return findings;
  },
};
