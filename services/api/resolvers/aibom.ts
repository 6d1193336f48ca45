/** `aibom(model, spec)`: the CycloneDX ML-BOM of one model, as a JSON document plus its completeness score. */
import { buildAibomFor, checkSpec } from '../aibom.ts';
import type { ApiContext } from '../context.ts';
import { apiError } from '../errors.ts';
import { requireNode } from './args.ts';

export const aibomResolvers = {
  async aibom(_: unknown, args: { model: string; spec?: { version?: string | null; deterministic?: boolean | null } | null }, ctx: ApiContext) {
    const node = await requireNode(ctx, args.model, 'model');
    if (node.kind !== 'Model') throw apiError('BAD_INPUT', `model must name a Model node; this one is a ${node.kind}`);
    const spec = checkSpec(args.spec?.version);
    const out = await buildAibomFor(ctx.store, node.key, { spec, deterministic: args.spec?.deterministic ?? false });
    return { model: node.key, document: out.bom, score: out.score, weakestLink: out.weakestLink };
  },
};
