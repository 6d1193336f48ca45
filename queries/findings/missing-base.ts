/** A base model that no longer exists upstream: its lineage cannot be audited, and its name can be re-registered. */
import { lineageKinds } from '../flow.ts';
import { nodesOfKind } from '../nodes.ts';
import { makeFinding, type Finding, type FindingRule } from './types.ts';

export const missingBase: FindingRule = {
  id: 'missing-base',
  title: 'Base model missing upstream (deleted or never existed)',
  severity: 'high',
  description:
    'A model derives from a base marked missing: the base cannot be inspected, and whoever registers the freed name next controls what a re-download fetches.',
  remediation: 'Pin the base by commit sha from a mirror you control, or re-derive from an available, reviewed base.',
  // Reliance on Insufficiently Trustworthy Component: nobody can inspect the base, anyone may take its name.
  cwes: [1357],
  async run(ctx) {
    const findings: Finding[] = [];
    for await (const page of nodesOfKind(ctx.store, 'Model', { missing: true })) {
      const derived = await ctx.store.expand({ keys: page.map((n) => n.key), direction: 'in', edgeKinds: lineageKinds() });
      for (const base of page) {
        const children = [...new Set(derived.filter((e) => e.to === base.key).map((e) => e.from))].sort();
        if (!children.length) continue;
        findings.push(
          makeFinding(missingBase, [base.key, ...children], [
            `${base.key} is marked missing upstream`,
            ...children.map((c) => `${c} derives from it`),
          ]),
        );
      }
    }
    return findings;
  },
};
