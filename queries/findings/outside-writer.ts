/**
 * A served model whose weights, bases or training data can be written by someone outside the organisation that owns
 * the serving endpoint: that person can change what the endpoint answers.
 */
import type { EdgeKind } from '../../schema/model.ts';
import { isOutsider, loadWriteAccess, ownerOf } from '../ownership.ts';
import { makeFinding, type Finding, type FindingRule } from './types.ts';

const TRAINING: EdgeKind = 'TRAINED_ON';

export const outsideWriter: FindingRule = {
  id: 'outside-writer',
  title: "Served model's lineage writable from outside the endpoint owner's org",
  severity: 'high',
  description:
    "An identity outside the endpoint owner's organisation (or anyone, for publicly writable repositories) can write the served model, one of its ancestors, or a dataset any of them was trained on.",
  remediation: "Limit write access on the model's lineage and training data to the owning organisation, or pin reviewed revisions.",
  async run(ctx) {
    const served = await ctx.servedModels();
    if (!served.size) return [];
    const store = ctx.store;
    const models = [...served.keys()];
    const modelAncestry = await ctx.ancestry(models);
    const lineageOf = new Map(models.map((m) => [m, [m, ...modelAncestry.ancestorsOf(m)]]));
    const allModels = [...new Set([...lineageOf.values()].flat())];
    const trained = await store.expand({ keys: allModels, direction: 'out', edgeKinds: [TRAINING] });
    const datasetsOf = new Map<string, string[]>();
    for (const e of trained) datasetsOf.set(e.from, [...(datasetsOf.get(e.from) ?? []), e.to]);
    const datasetAncestry = await ctx.ancestry([...new Set(trained.map((e) => e.to))]);

    // served model → every asset that shapes it, with a short reason for each
    const assetsOf = new Map<string, Map<string, string>>();
    for (const [m, lineage] of lineageOf) {
      const assets = new Map<string, string>();
      for (const x of lineage) {
        assets.set(x, x === m ? 'the served model' : `an ancestor of ${m}`);
        for (const d of datasetsOf.get(x) ?? []) {
          if (!assets.has(d)) assets.set(d, `training data of ${x}`);
          for (const a of datasetAncestry.ancestorsOf(d)) if (!assets.has(a)) assets.set(a, `a source of dataset ${d}`);
        }
      }
      assetsOf.set(m, assets);
    }
    const allAssets = [...new Set([...assetsOf.values()].flatMap((a) => [...a.keys()]))];
    const endpoints = [...new Set([...served.values()].flat())].sort();
    const [access, nodes] = await Promise.all([loadWriteAccess(store, allAssets), store.getNodes([...allAssets, ...endpoints])]);
    const byKey = new Map(nodes.map((n) => [n.key, n]));

    const findings: Finding[] = [];
    for (const endpoint of endpoints) {
      const node = byKey.get(endpoint);
      const owner = node ? ownerOf(node) : undefined;
      // writer (or "anyone") → evidence lines and assets
      const hits = new Map<string, { assets: string[]; evidence: string[] }>();
      const hit = (who: string, asset: string, line: string) => {
        const h = hits.get(who) ?? { assets: [], evidence: [] };
        if (!h.assets.includes(asset)) h.assets.push(asset);
        h.evidence.push(line);
        hits.set(who, h);
      };
      for (const [m, eps] of served) {
        if (!eps.includes(endpoint)) continue;
        for (const [asset, why] of assetsOf.get(m) ?? []) {
          if (byKey.get(asset)?.props.publicWrite === true) hit('anyone', asset, `anyone can write ${asset} (${why}; publicWrite)`);
          for (const w of access.writersOf.get(asset) ?? []) {
            if (!isOutsider(access, w.from, owner)) continue;
            const role = typeof w.props.role === 'string' ? ` as ${w.props.role}` : '';
            hit(w.from, asset, `${w.from} can write ${asset}${role} (${why}) and is not in ${owner ?? 'the owning org'}`);
          }
        }
      }
      for (const [who, h] of [...hits].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const evidence = [`${endpoint} is owned by ${owner ?? 'an unknown owner'}`, ...new Set(h.evidence)];
        findings.push(makeFinding(outsideWriter, [endpoint, ...(who === 'anyone' ? [] : [who]), ...h.assets.sort()], evidence));
      }
    }
    return findings;
  },
};
