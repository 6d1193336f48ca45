/**
 * What the format mappers share: where their records go, how an element becomes a node identity (its purl as the
 * owning source writes it, an aispm key where the document is one of our own exports, a VCS URL), and how a link
 * between two identities becomes a valid edge. Pure.
 */
import { keyOfPurl, keyOfUrl, kindOfKey, parseKey, parsePurl, tryKeyOf } from '../../schema/keys.ts';
import type { EdgeKind, NodeKind } from '../../schema/model.ts';
import type { EdgeRecord, NodeRecord, Props } from '../../schema/records.ts';
import { linkKind, type LinkMeaning } from './links.ts';

export interface Sink {
  node(n: NodeRecord): void;
  edge(e: EdgeRecord): void;
  warn(message: string): void;
}

/** A node an element of the document stands for. */
export interface Identity {
  key: string;
  kind: NodeKind;
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The node a purl names (owner's key), or undefined. Versionless purls of plain packages name no node. */
export function identityOfPurl(purl: string | undefined): (Identity & { version?: string }) | undefined {
  if (!purl) return undefined;
  const found = keyOfPurl(purl);
  const kind = found && kindOfKey(found.key);
  return found && kind ? { key: found.key, kind, ...(found.version !== undefined ? { version: found.version } : {}) } : undefined;
}

/** An element id that is itself a graph key (aispm's own exports use keys as bom-refs), when its kind is one of `kinds`. */
export function identityOfKey(ref: unknown, kinds: readonly NodeKind[]): Identity | undefined {
  if (typeof ref !== 'string') return undefined;
  const parsed = parseKey(ref);
  const kind = parsed?.format.kind;
  if (!parsed || !kind || !kinds.includes(kind)) return undefined;
  // Only a key as its owner writes it: `pkg:pypi/numpy@1.26.4?package-id=…` (syft's bom-ref) is a purl, not a key.
  const canonical = kind === 'Package' ? keyOfPurl(ref)?.key : tryKeyOf(parsed.format.id, parsed.parts);
  return canonical === ref ? { key: ref, kind } : undefined;
}

/** The repository a VCS URL names (`git+https://github.com/o/r`), when it is on a known host. */
export function identityOfVcs(url: string | undefined): Identity | undefined {
  const key = url ? keyOfUrl(url) : undefined;
  return key && kindOfKey(key) === 'Repository' ? { key, kind: 'Repository' } : undefined;
}

/** A service or container no crawled source owns: `sbom:service/<name…>`. */
export function serviceIdentity(name: string | undefined): Identity | undefined {
  const key = name ? tryKeyOf('sbom-service', { name: name.trim() }) : undefined;
  return key ? { key, kind: 'Endpoint' } : undefined;
}

/**
 * A container image's name without tag or digest: the purl's `repository_url` qualifier (`ghcr.io/acme/inference`),
 * else the name the document gives it (`ghcr.io/acme/inference:1.4`), else the purl's own name (`inference`).
 */
export function containerName(purl: string | undefined, given: string | undefined): string | undefined {
  const p = purl ? parsePurl(purl) : undefined;
  const image = p && (p.type === 'oci' || p.type === 'docker') ? p : undefined;
  const named = given?.replace(/@sha256:[0-9a-f]+$/iu, '').replace(/:[\w][\w.-]{0,127}$/u, '');
  return image?.qualifiers.repository_url ?? named ?? (image ? [...image.namespace, image.name].join('/') : undefined);
}

/**
 * The recorded elements a reference stands for: itself when the graph can name it, else what the element it names
 * needs or contains, followed down until named elements (Trivy puts elements without identity in between: the
 * lock-file component of its CycloneDX, the Application and OperatingSystem packages of its SPDX). Each reference
 * is visited once, so a cycle among unnamed elements ends; the walk keeps its own stack, so a long chain cannot
 * overflow the call stack.
 */
export function seeThrough<T>(ref: string, resolve: (ref: string) => T | undefined, children: (ref: string) => readonly string[] | undefined): T[] {
  const out: T[] = [];
  const seen = new Set<string>();
  const stack = [ref];
  while (stack.length) {
    const r = stack.pop()!;
    if (seen.has(r)) continue;
    seen.add(r);
    const known = resolve(r);
    if (known) {
      out.push(known);
      continue;
    }
    // Pushed last first, so children come out in the document's order (one by one: a lock file may have 100k).
    const next = children(r) ?? [];
    for (let i = next.length - 1; i >= 0; i--) stack.push(next[i]!);
  }
  return out;
}

export interface LinkOptions {
  source: string;
  evidence: string;
  props?: Props;
}

/** The edge for `from` needing `to`, or a warning when the model has no edge between those kinds. */
export function link(sink: Sink, meaning: LinkMeaning, from: Identity, to: Identity, opts: LinkOptions): EdgeKind | undefined {
  if (from.key === to.key) return undefined;
  const kind = linkKind(meaning, from.kind, to.kind);
  if (!kind) {
    sink.warn(`${opts.evidence}: a ${from.kind} ${meaning} a ${to.kind} has no edge in the graph model, not recorded`);
    return undefined;
  }
  sink.edge({ kind, from: from.key, to: to.key, source: opts.source, evidence: opts.evidence, confidence: 'declared', ...(opts.props ? { props: opts.props } : {}) });
  return kind;
}

/** Properties without undefined values (records carry JSON only). */
export function props(values: Record<string, Props[string] | undefined>): Props {
  const out: Props = {};
  for (const [k, v] of Object.entries(values)) if (v !== undefined) out[k] = v;
  return out;
}
