/** Writing an analyst tag (see ANALYST_TAGS): the one write `aispm tag`, the GraphQL mutation and the demo share. */
import { ANALYST_TAGS_PROP, type AnalystTag } from '../schema/model.ts';
import type { GraphNode, Props } from '../schema/records.ts';
import type { GraphStore } from '../schema/store.ts';
import { analystTagsOf, withTag } from '../schema/tags.ts';

export async function setAnalystTag(store: GraphStore, node: GraphNode, tag: AnalystTag, present: boolean): Promise<{ tags: AnalystTag[]; changed: boolean }> {
  const before = analystTagsOf(node);
  const tags = withTag(before, tag, present);
  const changed = tags.length !== before.length;
  if (changed) {
    // No sync context: the tag is no source's, so no stale sweep removes it and the node's ownership is unchanged.
    // A written record counts as a full one unless it says otherwise; tagging must not turn a stub into one.
    const props: Props = { [ANALYST_TAGS_PROP]: tags, stub: node.props.stub === true ? true : null };
    await store.upsert({ nodes: [{ kind: node.kind, key: node.key, props }], edges: [] });
  }
  return { tags, changed };
}
