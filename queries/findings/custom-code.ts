/** A served model that needs trust_remote_code: loading it runs Python from the model repository. */
import { makeFinding, type FindingRule } from './types.ts';

export const customCode: FindingRule = {
  id: 'custom-code',
  title: 'Served model needs custom code to load',
  severity: 'medium',
  description: 'Loading the served model requires trust_remote_code, so code from the model repository runs on the endpoint host.',
  remediation: 'Pin the model revision and review its code, or port the model to a library architecture that needs no remote code.',
  // Download of Code Without Integrity Check: the code is fetched from the repo at load time.
  cwes: [494],
  async run(ctx) {
    const served = await ctx.servedModels();
    const nodes = await ctx.store.getNodes([...served.keys()]);
    return nodes
      .filter((n) => n.props.customCode === true)
      .sort((a, b) => (a.key < b.key ? -1 : 1))
      .map((n) => {
        const endpoints = served.get(n.key) ?? [];
        return makeFinding(customCode, [n.key, ...endpoints], [`${n.key} has customCode: true`, `served by ${endpoints.join(', ')}`]);
      });
  },
};
