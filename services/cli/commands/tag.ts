import { clip } from '../../../schema/records.ts';
import { requireNodes } from '../../../queries/nodes.ts';
import { UsageError } from '../../../schema/errors.ts';
import type { Command } from '../command.ts';

/** Tags are short labels; anything else is almost certainly a mistake (or an attack on the output). */
const TAG = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

export const tagCommand: Command = {
  name: 'tag',
  summary: 'Add (or --remove) a tag on a node, e.g. crown-jewel to mark an attack-path target',
  usage: 'tag <key> <tag> [--remove]',
  options: { remove: { type: 'boolean', default: false } },
  async run(ctx) {
    const [key, tag, ...extra] = ctx.positionals;
    if (!key || !tag || extra.length) throw new UsageError('give a node key and a tag: aispm tag <key> <tag>');
    if (!TAG.test(tag)) throw new UsageError(`invalid tag "${clip(tag, 60)}": use letters, digits, ".", "_", ":" or "-" (at most 100)`);
    const remove = Boolean(ctx.values.remove);
    const store = await ctx.store();
    const node = (await requireNodes(store, [key])).get(key)!;
    const before = Array.isArray(node.props.tags) ? node.props.tags.filter((t): t is string => typeof t === 'string') : [];
    const tags = remove ? before.filter((t) => t !== tag) : before.includes(tag) ? before : [...before, tag];
    const changed = tags.length !== before.length;
    if (changed) {
      // Keep a stub a stub: writing a node record otherwise marks it as fully read.
      await store.upsert({ nodes: [{ kind: node.kind, key, props: { tags, stub: node.props.stub === true ? true : null } }], edges: [] });
    }
    if (ctx.json) ctx.printJson({ key, tags, changed });
    else ctx.print(`${key}: ${changed ? (remove ? `removed tag ${tag}` : `added tag ${tag}`) : `tag ${tag} already ${remove ? 'absent' : 'present'}`}; tags: ${tags.join(', ') || '(none)'}`);
    return 0;
  },
};
