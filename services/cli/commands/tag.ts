import { UsageError } from '../../../schema/errors.ts';
import { ANALYST_TAGS } from '../../../schema/model.ts';
import { checkAnalystTag } from '../../../schema/tags.ts';
import { setAnalystTag } from '../../analyst-tags.ts';
import type { Command } from '../command.ts';
import { resolveNodeKey } from '../resolve-key.ts';

const TAG_LIST = Object.entries(ANALYST_TAGS).map(([tag, doc]) => `  ${tag.padEnd(12)} ${doc}`).join('\n');

export const tagCommand: Command = {
  name: 'tag',
  summary: 'Add (or --remove) an analyst tag on a node: crown-jewel (attack-path target), compromised (assumed breach), …',
  usage: 'tag <key> <tag> [--remove]',
  help: `Analyst tags live apart from the tags an upstream writes: no ingestor sets or clears them, so they survive
every re-ingest. A tag outside this list is refused.
${TAG_LIST}`,
  options: { remove: { type: 'boolean', default: false, description: 'remove the tag instead of adding it' } },
  examples: ['tag hf:space/acme/chat crown-jewel', 'tag hf:dataset/openweb-collective/crawl-2024 compromised', 'tag hf:space/acme/chat crown-jewel --remove'],
  async run(ctx) {
    const [given, tag, ...extra] = ctx.positionals;
    if (!given || !tag || extra.length) throw new UsageError('give a node key and a tag: aispm tag <key> <tag>');
    const wanted = checkAnalystTag(tag);
    const remove = Boolean(ctx.values.remove);
    const store = await ctx.store();
    const key = await resolveNodeKey(store, given);
    const [node] = await store.getNodes([key]);
    if (!node) throw new UsageError(`unknown node ${key}`);
    const { tags, changed } = await setAnalystTag(store, node, wanted, !remove);
    if (ctx.json) ctx.printJson({ key, analystTags: tags, changed });
    else ctx.print(`${key}: ${changed ? (remove ? `removed tag ${wanted}` : `added tag ${wanted}`) : `tag ${wanted} already ${remove ? 'absent' : 'present'}`}; tags: ${tags.join(', ') || '(none)'}`);
    return 0;
  },
};
