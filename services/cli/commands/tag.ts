import { requireNodes } from '../../../queries/nodes.ts';
import { UsageError } from '../../../schema/errors.ts';
import { ANALYST_TAGS, ANALYST_TAGS_PROP } from '../../../schema/model.ts';
import { analystTagsOf, checkAnalystTag, withTag } from '../../../schema/tags.ts';
import type { Command } from '../command.ts';

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
    const [key, tag, ...extra] = ctx.positionals;
    if (!key || !tag || extra.length) throw new UsageError('give a node key and a tag: aispm tag <key> <tag>');
    const wanted = checkAnalystTag(tag);
    const remove = Boolean(ctx.values.remove);
    const store = await ctx.store();
    const node = (await requireNodes(store, [key])).get(key)!;
    const before = analystTagsOf(node);
    const tags = withTag(before, wanted, !remove);
    const changed = tags.length !== before.length;
    if (changed) {
      // Keep a stub a stub: writing a node record otherwise marks it as fully read. No sync context: the tag is not
      // any source's, so no stale sweep ever removes it and the node's ownership is unchanged.
      await store.upsert({ nodes: [{ kind: node.kind, key, props: { [ANALYST_TAGS_PROP]: tags, stub: node.props.stub === true ? true : null } }], edges: [] });
    }
    if (ctx.json) ctx.printJson({ key, analystTags: tags, changed });
    else ctx.print(`${key}: ${changed ? (remove ? `removed tag ${wanted}` : `added tag ${wanted}`) : `tag ${wanted} already ${remove ? 'absent' : 'present'}`}; tags: ${tags.join(', ') || '(none)'}`);
    return 0;
  },
};
