/**
 * Validation of record batches against the graph model. Pure: stores call it before writing anything, so an
 * invalid batch is rejected whole and the store is unchanged.
 */
import { CONFIDENCES, EDGE_SPECS, LIMITS, NODE_SPECS, isEdgeKind, isNodeKind, type PropSpec } from './model.ts';
import { canonicalPackageKey, keyFormatsOf, kindOfKey } from './keys.ts';
import { clip, describeEdge, describeNode, type EdgeRecord, type NodeRecord, type Props, type RecordBatch } from './records.ts';

export class ValidationError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    const shown = problems.slice(0, 10);
    const more = problems.length > shown.length ? `\n  … and ${problems.length - shown.length} more` : '';
    super(`invalid records (nothing written):\n  ${shown.join('\n  ')}${more}`);
    this.name = 'ValidationError';
    this.problems = problems;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeProblem(spec: PropSpec, value: unknown): string | undefined {
  if (value === null) return undefined; // null clears a property; always allowed
  switch (spec.type) {
    case 'string':
      if (typeof value !== 'string') return `must be a string, got ${typeName(value)}`;
      if (spec.oneOf && !spec.oneOf.includes(value)) return `must be one of ${spec.oneOf.join(', ')}, got "${value}"`;
      return undefined;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : `must be a finite number, got ${typeName(value)}`;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `must be a boolean, got ${typeName(value)}`;
    case 'string[]': {
      if (!Array.isArray(value) || !value.every((x) => typeof x === 'string')) return `must be an array of strings, got ${typeName(value)}`;
      const allowed = spec.oneOf;
      const bad = allowed ? (value as string[]).find((x) => !allowed.includes(x)) : undefined;
      return bad === undefined ? undefined : `items must be among ${allowed!.join(', ')}, got "${clip(bad, 60)}"`;
    }
    case 'string|boolean':
      return typeof value === 'string' || typeof value === 'boolean' ? undefined : `must be a string or boolean, got ${typeName(value)}`;
    case 'json':
      return undefined;
  }
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/**
 * How a record is named in messages, built only when there is a problem to report: building it for every record
 * (clipping and escaping three keys per edge) used to be a large share of validating a valid batch.
 */
type Label = () => string;

function lazyLabel(build: () => string): Label {
  let text: string | undefined;
  return () => (text ??= build());
}

function checkProps(where: Label, props: unknown, specs: Readonly<Record<string, PropSpec>>, problems: string[]): void {
  if (props === undefined) return;
  if (!isPlainObject(props)) {
    problems.push(`${where()}: props must be an object, got ${typeName(props)}`);
    return;
  }
  // Serialising every props object just to measure it is the costliest step for a valid batch; most are far
  // below the limit, which a quick upper bound shows. Only when the bound cannot rule it out is it measured.
  if (jsonBytesUpperBound(props, LIMITS.propsBytes) > LIMITS.propsBytes) {
    let bytes: number;
    try {
      bytes = Buffer.byteLength(JSON.stringify(props));
    } catch {
      problems.push(`${where()}: props are not JSON-serialisable`);
      return;
    }
    if (bytes > LIMITS.propsBytes) {
      problems.push(`${where()}: props are ${bytes} bytes, over the limit of ${LIMITS.propsBytes}`);
      return;
    }
  }
  for (const name in props) {
    if (!Object.hasOwn(props, name)) continue; // own enumerable keys, as Object.entries gives them
    const value = props[name];
    const spec = specs[name];
    const p = (spec && typeProblem(spec, value)) || jsonProblem(value);
    if (p) problems.push(`${where()}: property "${clip(name, 60)}" ${p}`);
  }
}

/**
 * An upper bound on Buffer.byteLength(JSON.stringify(value)), or Infinity when no cheap bound holds (anything
 * JSON.stringify might treat specially: toJSON, non-plain objects, BigInt, very deep or cyclic values) — the
 * caller then measures exactly, so the outcome and the messages are those of the exact measure. A UTF-16 unit
 * takes at most 6 bytes in JSON (`\u001f`; a non-ASCII unit takes at most 3 in UTF-8). Stops early past `limit`.
 */
export function jsonBytesUpperBound(value: unknown, limit: number): number {
  try {
    return boundOf(value, limit, 0);
  } catch {
    return Infinity; // a throwing getter: let the exact measure report it
  }
}

const MAX_BOUND_DEPTH = 64;
/** `-1.2345678901234567e+308` */
const MAX_NUMBER_CHARS = 24;

function boundOf(value: unknown, limit: number, depth: number): number {
  switch (typeof value) {
    case 'string':
      return 2 + 6 * value.length;
    case 'number':
      return MAX_NUMBER_CHARS;
    case 'boolean':
    case 'undefined': // omitted from objects, `null` in arrays
    case 'function':
    case 'symbol':
      return 5;
    case 'object': {
      if (value === null) return 4;
      if (depth >= MAX_BOUND_DEPTH || typeof (value as { toJSON?: unknown }).toJSON === 'function') return Infinity;
      let total = 2;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length && total <= limit; i++) total += 1 + boundOf(value[i], limit, depth + 1);
        return total;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) return Infinity;
      const record = value as Record<string, unknown>;
      for (const key in record) {
        total += 4 + 6 * key.length + boundOf(record[key], limit, depth + 1); // "key": and a comma
        if (total > limit) return total;
      }
      return total;
    }
    default:
      return Infinity; // bigint: JSON.stringify throws
  }
}

/**
 * Why a value is not a storable JSON value (a non-finite number, a function, a class instance, nesting deeper
 * than `LIMITS.propsDepth`), or undefined. Iterative, so a hostile value millions of levels deep cannot exhaust
 * the stack.
 */
function jsonProblem(root: unknown): string | undefined {
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v === 'string' || typeof v === 'boolean') continue;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return 'is not a JSON value (a non-finite number)';
      continue;
    }
    const isArray = Array.isArray(v);
    if (!isArray && !isPlainObject(v)) return 'is not a JSON value';
    if (depth > LIMITS.propsDepth) return `nests deeper than ${LIMITS.propsDepth} levels`;
    const children = isArray ? (v as unknown[]) : Object.values(v as Record<string, unknown>);
    for (const c of children) stack.push([c, depth + 1]);
  }
  return undefined;
}

/** The fields a record may have: an unknown one (a typo such as `prop`) would otherwise be dropped without a word. */
const NODE_FIELDS: ReadonlySet<string> = new Set(['kind', 'key', 'props', 'owner']);
const EDGE_FIELDS: ReadonlySet<string> = new Set(['kind', 'from', 'to', 'props', 'source', 'evidence', 'confidence', 'observedAt', 'owner']);
const OWNER_FIELDS = ['source', 'scope', 'syncId'] as const;

/** `owner`, when present: exactly a source, a scope and a sync id, each a non-empty string no longer than a key. */
function checkOwner(where: Label, owner: unknown, problems: string[]): void {
  if (owner === undefined) return;
  if (!isPlainObject(owner)) {
    problems.push(`${where()}: "owner" must be an object with source, scope and syncId`);
    return;
  }
  for (const name of OWNER_FIELDS) {
    const value = (owner as Record<string, unknown>)[name];
    if (typeof value !== 'string' || value.length === 0 || value.length > LIMITS.keyLength) {
      problems.push(`${where()}: owner.${name} must be a non-empty string of at most ${LIMITS.keyLength} characters`);
    }
  }
  for (const name in owner) {
    if (Object.hasOwn(owner, name) && !(OWNER_FIELDS as readonly string[]).includes(name)) {
      problems.push(`${where()}: unknown field "owner.${clip(name, 60)}" (allowed: ${OWNER_FIELDS.join(', ')})`);
    }
  }
}

function checkFields(where: Label, record: Record<string, unknown>, allowed: ReadonlySet<string>, problems: string[]): void {
  for (const name in record) {
    if (!Object.hasOwn(record, name) || allowed.has(name)) continue;
    problems.push(`${where()}: unknown field "${clip(name, 60)}" (allowed: ${[...allowed].join(', ')})`);
  }
}

function checkKey(where: Label, end: string, key: unknown, problems: string[]): boolean {
  if (typeof key !== 'string' || key.length === 0) {
    problems.push(`${where()}${end}: key must be a non-empty string`);
    return false;
  }
  if (key.length > LIMITS.keyLength) {
    problems.push(`${where()}${end}: key is ${key.length} characters, over the limit of ${LIMITS.keyLength}`);
    return false;
  }
  // A lone surrogate cannot be stored as UTF-8 unchanged, so the key would not come back as written.
  if (!isWellFormed(key)) {
    problems.push(`${where()}${end}: key is not well-formed Unicode (it holds a lone surrogate)`);
    return false;
  }
  return true;
}

/** A Package key as every source writes it (keys.ts canonicalPackageKey), else a problem naming that form. */
function checkCanonicalPackage(where: Label, end: string, key: string, problems: string[]): void {
  const canonical = canonicalPackageKey(key);
  if (canonical === key) return;
  problems.push(
    canonical
      ? `${where()}${end}: package key is not written as every source writes it; write ${JSON.stringify(clip(canonical))}`
      : `${where()}${end}: package key is not a purl with a name and a version`,
  );
}

function isWellFormed(text: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

/** `label` names the record in messages (default `nodes[index]`), e.g. `line 12` for NDJSON input. */
export function validateNode(node: unknown, index: number, problems: string[], label?: string): void {
  const n = node as Partial<NodeRecord> | null;
  if (!isPlainObject(n)) {
    problems.push(`${label ?? `nodes[${index}]`}: must be an object`);
    return;
  }
  const where = lazyLabel(() => (label ? `${label}${typeof n.key === 'string' ? ` (${clip(n.key)})` : ''}` : describeNode(index, n.key)));
  if (!isNodeKind(n.kind)) {
    problems.push(`${where()}: unknown node kind ${JSON.stringify(n.kind)}`);
    return;
  }
  if (!checkKey(where, '', n.key, problems)) return;
  const spec = NODE_SPECS[n.kind];
  if (kindOfKey(n.key!) !== n.kind) {
    problems.push(`${where()}: key does not match the ${n.kind} formats (${keyFormatsOf(n.kind).join(' | ')})`);
    return;
  }
  if (n.kind === 'Package') checkCanonicalPackage(where, '', n.key!, problems);
  checkFields(where, n as Record<string, unknown>, NODE_FIELDS, problems);
  checkOwner(where, n.owner, problems);
  checkProps(where, n.props, spec.props, problems);
}

export function validateEdge(edge: unknown, index: number, problems: string[], label?: string): void {
  const e = edge as Partial<EdgeRecord> | null;
  if (!isPlainObject(e)) {
    problems.push(`${label ?? `edges[${index}]`}: must be an object`);
    return;
  }
  const where = lazyLabel(() => (label ? `${label} ${describeEdge(index, e).replace(/^edges\[\d+\] /, '')}` : describeEdge(index, e)));
  if (!isEdgeKind(e.kind)) {
    problems.push(`${where()}: unknown edge kind ${JSON.stringify(e.kind)}`);
    return;
  }
  if (!checkKey(where, ' from', e.from, problems) || !checkKey(where, ' to', e.to, problems)) return;
  const fromKind = kindOfKey(e.from!);
  const toKind = kindOfKey(e.to!);
  if (!fromKind) problems.push(`${where()}: "from" key matches no node kind's format`);
  if (!toKind) problems.push(`${where()}: "to" key matches no node kind's format`);
  if (!fromKind || !toKind) return;
  if (fromKind === 'Package') checkCanonicalPackage(where, ' from', e.from!, problems);
  if (toKind === 'Package') checkCanonicalPackage(where, ' to', e.to!, problems);
  const spec = EDGE_SPECS[e.kind];
  if (!spec.pairs.some(([f, t]) => f === fromKind && t === toKind)) {
    const allowed = spec.pairs.map(([f, t]) => `${f}→${t}`).join(', ');
    problems.push(`${where()}: ${e.kind} may not join ${fromKind}→${toKind} (allowed: ${allowed})`);
  }
  if (typeof e.source !== 'string' || e.source.length === 0) problems.push(`${where()}: provenance "source" is required`);
  if (e.evidence !== undefined && typeof e.evidence !== 'string') problems.push(`${where()}: "evidence" must be a string`);
  if (e.confidence !== undefined && !(CONFIDENCES as readonly string[]).includes(e.confidence as string)) {
    problems.push(`${where()}: "confidence" must be one of ${CONFIDENCES.join(', ')}`);
  }
  if (e.observedAt !== undefined && (typeof e.observedAt !== 'string' || Number.isNaN(Date.parse(e.observedAt)))) {
    problems.push(`${where()}: "observedAt" must be an ISO-8601 time`);
  }
  checkFields(where, e as Record<string, unknown>, EDGE_FIELDS, problems);
  checkOwner(where, e.owner, problems);
  checkProps(where, e.props, spec.props, problems);
}

/** Throws ValidationError listing every problem; returns the batch typed when it is valid. */
export function validateBatch(batch: unknown): RecordBatch {
  const problems: string[] = [];
  if (!isPlainObject(batch)) throw new ValidationError(['batch must be an object with "nodes" and "edges" arrays']);
  const nodes = batch.nodes ?? [];
  const edges = batch.edges ?? [];
  if (!Array.isArray(nodes)) problems.push('"nodes" must be an array');
  if (!Array.isArray(edges)) problems.push('"edges" must be an array');
  if (problems.length) throw new ValidationError(problems);
  (nodes as unknown[]).forEach((n, i) => validateNode(n, i, problems));
  (edges as unknown[]).forEach((e, i) => validateEdge(e, i, problems));
  if (problems.length) throw new ValidationError(problems);
  return { nodes: nodes as NodeRecord[], edges: edges as EdgeRecord[] };
}

export type { Props };
