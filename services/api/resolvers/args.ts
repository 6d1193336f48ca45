/** Checks on arguments that GraphQL's types cannot express, and node look-ups that answer NOT_FOUND. */
import { LIMITS } from '../../../schema/model.ts';
import { clip, type GraphNode } from '../../../schema/records.ts';
import { redact } from '../../../schema/secrets.ts';
import type { ApiContext } from '../context.ts';
import { apiError } from '../errors.ts';

export function checkKey(key: unknown, name = 'key'): string {
  if (typeof key !== 'string' || key.length === 0) throw apiError('BAD_INPUT', `${name} must be a non-empty node key`);
  if (key.length > LIMITS.keyLength) throw apiError('BAD_INPUT', `${name} is longer than ${LIMITS.keyLength} characters`);
  return key;
}

/**
 * The node, or NOT_FOUND naming the key (clipped and with control characters escaped). Redacted before clipping:
 * a clip through the middle of a token would leave a prefix that redaction no longer recognises.
 */
export async function requireNode(ctx: ApiContext, key: unknown, name = 'key'): Promise<GraphNode> {
  const k = checkKey(key, name);
  const node = await ctx.loaders.node.load(k);
  if (!node) throw apiError('NOT_FOUND', `no node with key ${clip(redact(k))}`);
  return node;
}

export async function requireNodes(ctx: ApiContext, keys: readonly unknown[], name: string): Promise<string[]> {
  if (keys.length > 1000) throw apiError('BAD_INPUT', `${name} may name at most 1000 nodes`);
  const nodes = await Promise.all(keys.map((k) => requireNode(ctx, k, name)));
  return nodes.map((n) => n.key);
}

/** Optional whole numbers from arguments (maxDepth, k); the analyses check their ranges. */
export function optionalInt(value: number | null | undefined): number | undefined {
  return value === null || value === undefined ? undefined : value;
}
