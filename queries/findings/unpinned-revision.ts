/**
 * A consumer (an endpoint serving, or a repository, endpoint or package using) loads a model or dataset at a floating
 * revision: no revision, a branch such as `main`, or anything but a full commit sha (see ../revisions.ts).
 */
import { describeRevision, floatingConsumptions } from '../revisions.ts';
import { makeFinding, type Finding, type FindingRule } from './types.ts';

export const unpinnedRevision: FindingRule = {
  id: 'unpinned-revision',
  title: 'Model or dataset consumed at a floating revision',
  severity: 'medium',
  description:
    'An endpoint serves, or a repository, endpoint or package uses, a model or dataset without pinning a commit: the edge has no revision, or a branch or tag name (main, master, v1) instead of a full 40- or 64-hex commit sha. Whoever can push to the asset changes what the consumer loads next.',
  remediation: 'Pin the consumer to a reviewed commit sha of the model or dataset (revision=<sha>), verify file hashes, and move the pin only after reviewing the new revision.',
  async run(ctx) {
    // One finding per (consumer, asset); every floating edge between them (other kinds or sources) is evidence.
    const byPair = new Map<string, { consumer: string; asset: string; evidence: string[] }>();
    for (const e of await floatingConsumptions(ctx.store)) {
      const pair = `${e.from}\u0000${e.to}`;
      const entry = byPair.get(pair) ?? { consumer: e.from, asset: e.to, evidence: [] };
      const provenance = [e.source && `source ${e.source}`, e.evidence && `evidence ${e.evidence}`].filter(Boolean).join(', ');
      entry.evidence.push(`${e.from} ${e.kind} ${e.to} at ${describeRevision(e)}${provenance ? ` (${provenance})` : ''}`);
      byPair.set(pair, entry);
    }
    const findings: Finding[] = [];
    for (const { consumer, asset, evidence } of byPair.values()) findings.push(makeFinding(unpinnedRevision, [consumer, asset], evidence));
    return findings;
  },
};
