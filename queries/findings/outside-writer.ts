/**
 * A served model whose weights, bases or training data can be written by someone outside the organisation that owns
 * the serving endpoint: that person can change what the endpoint answers.
 *
 * Graded by who the writer is, since an upstream owner writing its own public model is the normal supply chain:
 *  - high: anyone can write the asset (publicWrite, an `anyone` identity); or an outsider can write one of the
 *    organisation's own assets (owned by the endpoint's owner); or a third party (neither the organisation nor the
 *    asset's owner) can write the very model the endpoint serves at a floating revision.
 *  - medium: a third party can write some other asset of the lineage (a base, a dataset).
 *  - info: the writer is the asset's own owner (its org or user): the normal supply chain. Where the endpoint loads
 *    it unpinned, `unpinned-revision` is the finding that matters.
 * A finding takes the gravest grade among its writer's assets.
 */
import type { EdgeKind } from '../../schema/model.ts';
import { isOutsider, loadWriteAccess, ownerOf, type WriteAccess } from '../ownership.ts';
import { floatingConsumptions } from '../revisions.ts';
import { SEVERITIES, makeFinding, type Finding, type FindingRule, type Severity } from './types.ts';

const TRAINING: EdgeKind = 'TRAINED_ON';
const SERVING: EdgeKind = 'SERVES';

/** How grave one outside write is (see the module comment). */
function gradeOf(access: WriteAccess, writer: string, at: { owner?: string; assetOwner?: string; servedUnpinned: boolean }): { severity: Severity; why: string } {
  if (isOutsider(access, writer, undefined)) return { severity: 'high', why: 'it stands for anyone' };
  if (at.assetOwner && at.assetOwner === at.owner) return { severity: 'high', why: "an outsider can write the organisation's own asset" };
  if (at.assetOwner && !isOutsider(access, writer, at.assetOwner)) return { severity: 'info', why: `the upstream owner (${at.assetOwner}) writing its own asset, the normal supply chain` };
  if (at.servedUnpinned) return { severity: 'high', why: 'a third party can write the model the endpoint serves at a floating revision' };
  return { severity: 'medium', why: 'a third party can write part of the lineage' };
}

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
    const [access, nodes, floating] = await Promise.all([loadWriteAccess(store, allAssets), store.getNodes([...allAssets, ...endpoints]), floatingConsumptions(store)]);
    const byKey = new Map(nodes.map((n) => [n.key, n]));
    const servedFloating = new Set(floating.filter((e) => e.kind === SERVING).map((e) => `${e.from}\u0000${e.to}`));
    const assetOwner = (asset: string) => {
      const n = byKey.get(asset);
      return n ? ownerOf(n) : undefined;
    };

    const findings: Finding[] = [];
    for (const endpoint of endpoints) {
      const node = byKey.get(endpoint);
      const owner = node ? ownerOf(node) : undefined;
      // writer (or "anyone") → evidence lines, assets and the gravest grade
      const hits = new Map<string, { assets: string[]; evidence: string[]; severity: Severity }>();
      const hit = (who: string, asset: string, line: string, severity: Severity) => {
        const h = hits.get(who) ?? { assets: [], evidence: [], severity: 'info' };
        if (!h.assets.includes(asset)) h.assets.push(asset);
        h.evidence.push(line);
        if (SEVERITIES.indexOf(severity) < SEVERITIES.indexOf(h.severity)) h.severity = severity;
        hits.set(who, h);
      };
      for (const [m, eps] of served) {
        if (!eps.includes(endpoint)) continue;
        for (const [asset, why] of assetsOf.get(m) ?? []) {
          if (byKey.get(asset)?.props.publicWrite === true) hit('anyone', asset, `anyone can write ${asset} (${why}; publicWrite)`, 'high');
          for (const w of access.writersOf.get(asset) ?? []) {
            if (!isOutsider(access, w.from, owner)) continue;
            const role = typeof w.props.role === 'string' ? ` as ${w.props.role}` : '';
            const grade = gradeOf(access, w.from, { owner, assetOwner: assetOwner(asset), servedUnpinned: asset === m && servedFloating.has(`${endpoint}\u0000${m}`) });
            hit(w.from, asset, `${w.from} can write ${asset}${role} (${why}) and is not in ${owner ?? 'the owning org'}: ${grade.why}`, grade.severity);
          }
        }
      }
      for (const [who, h] of [...hits].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const evidence = [`${endpoint} is owned by ${owner ?? 'an unknown owner'}`, ...new Set(h.evidence)];
        findings.push(makeFinding(outsideWriter, [endpoint, ...(who === 'anyone' ? [] : [who]), ...h.assets.sort()], evidence, h.severity));
      }
    }
    return findings;
  },
};
