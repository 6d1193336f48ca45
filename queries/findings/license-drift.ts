/** A derived model licensed more loosely than one of its ancestors (see license.ts for the strictness order). */
import { nodesOfKind } from '../nodes.ts';
import { loadAncestry } from './context.ts';
import { LICENSE_RANK, isLooser, licenseClass, type LicenseClass } from './license.ts';
import { makeFinding, type Finding, type FindingRule } from './types.ts';

export const licenseDrift: FindingRule = {
  id: 'license-drift',
  title: 'Derived model licensed more loosely than an ancestor',
  severity: 'medium',
  description:
    'A model derived (fine-tuned, merged, adapted, quantized) from a base carries a looser license than that base. Order: restricted (proprietary, other, non-commercial, unknown) > copyleft > responsible-AI (OpenRAIL, Llama, Gemma) > permissive.',
  remediation: "Apply the strictest ancestor's license terms to the derivative, or re-derive from a base whose terms allow the intended use.",
  async run(ctx) {
    const licenses = new Map<string, { raw: string; cls: LicenseClass }>();
    const models: string[] = [];
    for await (const page of nodesOfKind(ctx.store, 'Model')) {
      for (const n of page) {
        models.push(n.key);
        const cls = licenseClass(n.props.license);
        if (cls) licenses.set(n.key, { raw: String(n.props.license), cls });
      }
    }
    // Every model is a start here, so one closure load covers them all.
    const ancestry = await loadAncestry(ctx.store, models);
    const findings: Finding[] = [];
    for (const model of models) {
      const own = licenses.get(model);
      if (!own || !ancestry.parents.has(model)) continue;
      let worst: string | undefined;
      for (const a of ancestry.ancestorsOf(model)) {
        const theirs = licenses.get(a);
        if (!theirs || !isLooser(own.cls, theirs.cls)) continue;
        if (!worst || LICENSE_RANK[theirs.cls] > LICENSE_RANK[licenses.get(worst)!.cls]) worst = a;
      }
      if (!worst) continue;
      const base = licenses.get(worst)!;
      findings.push(
        makeFinding(licenseDrift, [model, worst], [
          `${model} is licensed ${own.raw} (${own.cls})`,
          `its ancestor ${worst} is licensed ${base.raw} (${base.cls})`,
          `lineage: ${ancestry.chain(model, worst).join(' → ')}`,
        ]),
      );
    }
    return findings;
  },
};
