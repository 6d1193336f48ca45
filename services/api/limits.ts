/**
 * What one request may ask of the server: query depth and an estimated cost (checked as GraphQL validation rules,
 * before anything runs), a time limit on execution, and a body size limit.
 *
 * Cost estimate: each field costs 1 (or its FIELD_COST, for the analyses) plus its children's cost times a
 * multiplier: for a connection's `edges` the connection's `first` (or its declared default), for other fields with
 * `first` that, the length of a `keys` list argument, and LIST_GUESS for other lists. Arguments given as variables
 * count with the request's values, or the variable's declared default when the request leaves it out.
 * Introspection (`__schema`, `__type`) is bounded by the schema's own size, so it is checked separately: a depth
 * ceiling that the standard introspection query fits and at most three nested lists (types → fields → args), which
 * stops exponential `fields { type { fields … } }` queries; and each use has a fixed cost, so aliases cannot repeat it
 * thousands of times. The walk itself is bounded too (MAX_WALK_STEPS): fragments that spread another fragment twice
 * would otherwise make it exponential, and it runs synchronously, before any time limit applies.
 */
import {
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  valueFromASTUntyped,
  type OperationDefinitionNode,
  type ASTVisitor,
  type FieldNode,
  type GraphQLField,
  type GraphQLNamedType,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { apiError } from './errors.ts';
import { MAX_FIRST } from './connection.ts';

export interface ApiLimits {
  /** Deepest field nesting in a query. */
  maxDepth: number;
  /** Highest estimated cost. */
  maxCost: number;
  /** Execution time per request, in milliseconds. */
  timeoutMs: number;
  /** Largest request body, in bytes. */
  maxBodyBytes: number;
  /**
   * Analyses (the FIELD_COST fields, aliases counted) in one request. Their real cost grows with the graph, which
   * a per-field estimate cannot know, so their number is capped as well as their estimated cost.
   */
  maxAnalyses: number;
}

export const DEFAULT_LIMITS: ApiLimits = { maxDepth: 12, maxCost: 10_000, timeoutMs: 10_000, maxBodyBytes: 1_000_000, maxAnalyses: 4 };

export const LIST_GUESS = 10;

/**
 * Root fields that run an analysis over the graph rather than read a page: their cost is the work, not the size of
 * the answer. Without these an alias could repeat a whole report (attack paths, findings, a reach-back traversal and
 * three blast radii) for the price of one field; with the default maxCost at most a few fit in one request.
 */
export const FIELD_COST: Readonly<Record<string, number>> = {
  report: 2000,
  attackPaths: 500,
  findings: 200,
  blastRadius: 100,
  aibom: 100,
  path: 50,
  lineage: 50,
};

/** `__schema` answers with the whole schema; `__type` with one type. */
export const INTROSPECTION_COST: Readonly<Record<string, number>> = { __schema: 1000, __type: 50 };

/** Selections the estimate may visit (fragments expanded) before it gives up and refuses the query. */
export const MAX_WALK_STEPS = 50_000;
/** Counts fragments as levels too (so nested fragments cannot recurse unbounded); the standard query needs ~20. */
const INTROSPECTION_MAX_DEPTH = 30;
const INTROSPECTION_MAX_LISTS = 3;

type Variables = Readonly<Record<string, unknown>> | undefined;

interface Measure {
  depth: number;
  cost: number;
}

/** Counts the selections visited, and the analyses among them, shared by the whole walk of one operation. */
interface Walk {
  steps: number;
  analyses: number;
}

function step(walk: Walk): void {
  if (++walk.steps > MAX_WALK_STEPS) {
    throw new LimitExceeded('QUERY_TOO_COSTLY', `the query expands (through its fragments) to more than ${MAX_WALK_STEPS} selections`);
  }
}

/** The request's variables, with each declared default filled in where the request leaves the variable out. */
function withDefaults(op: OperationDefinitionNode, variables: Variables): Variables {
  const out: Record<string, unknown> = { ...variables };
  for (const def of op.variableDefinitions ?? []) {
    const name = def.variable.name.value;
    if (out[name] === undefined && def.defaultValue) out[name] = valueFromASTUntyped(def.defaultValue);
  }
  return out;
}

/** Numbers from a literal or a variable; undefined when absent or not a number. */
function argNumber(field: FieldNode, name: string, variables: Variables): number | undefined {
  const arg = field.arguments?.find((a) => a.name.value === name);
  if (!arg) return undefined;
  const value = valueFromASTUntyped(arg.value, variables as Record<string, unknown> | undefined);
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function argListLength(field: FieldNode, name: string, variables: Variables): number | undefined {
  const arg = field.arguments?.find((a) => a.name.value === name);
  if (!arg) return undefined;
  const value = valueFromASTUntyped(arg.value, variables as Record<string, unknown> | undefined);
  return Array.isArray(value) ? value.length : 1;
}

/** A connection type: its `edges` list holds one page. */
function isConnection(type: GraphQLNamedType): boolean {
  return (isObjectType(type) || isInterfaceType(type)) && 'edges' in type.getFields() && 'pageInfo' in type.getFields();
}

/** The page size a field asks for: its `first` argument or the declared default, within 1..MAX_FIRST. */
function pageSizeOf(field: FieldNode, def: GraphQLField<unknown, unknown>, variables: Variables): number | undefined {
  const arg = def.args.find((a) => a.name === 'first');
  if (!arg) return undefined;
  const declared = typeof arg.defaultValue === 'number' ? arg.defaultValue : LIST_GUESS;
  // A bad `first` is refused by the resolver; here it only must not make the estimate meaningless.
  return Math.min(Math.max(argNumber(field, 'first', variables) ?? declared, 1), MAX_FIRST);
}

/**
 * How many times a field's children are resolved. For a connection the page size multiplies only its `edges` (the
 * counts and pageInfo beside them are resolved once), so it is handed down as `page`.
 */
function multiplier(field: FieldNode, def: GraphQLField<unknown, unknown>, parent: GraphQLNamedType, variables: Variables, page: number | undefined): number {
  if (field.name.value === 'edges' && isConnection(parent)) return page ?? LIST_GUESS;
  if (isConnection(getNamedType(def.type))) return 1;
  const first = pageSizeOf(field, def, variables);
  if (first !== undefined) return first;
  const keys = argListLength(field, 'keys', variables);
  if (keys !== undefined) return Math.min(Math.max(keys, 1), MAX_FIRST);
  return isListType(getNullableType(def.type)) ? LIST_GUESS : 1;
}

/** Walks a selection set against the schema; fragments are followed, each at most once per path. */
function measure(
  ctx: ValidationContext,
  set: SelectionSetNode,
  parent: GraphQLNamedType,
  variables: Variables,
  seen: ReadonlySet<string>,
  level: number,
  maxDepth: number,
  walk: Walk,
  nesting = 0,
  page?: number,
): Measure {
  // Stop at the first field past the limit: a hostile query thousands of levels deep (in fields or in nested
  // fragments) must not exhaust the stack.
  if (level > maxDepth || nesting > 4 * maxDepth + 16) throw new LimitExceeded('QUERY_TOO_DEEP', `query depth exceeds the limit of ${maxDepth}`);
  let depth = 0;
  let cost = 0;
  for (const sel of set.selections) {
    step(walk);
    if (sel.kind === Kind.FIELD) {
      const name = sel.name.value;
      if (name === '__typename') continue;
      if (name === '__schema' || name === '__type') {
        checkIntrospection(sel.selectionSet, ctx, 1, 0, seen, walk);
        cost += INTROSPECTION_COST[name]!;
        continue;
      }
      const def = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
      // Unknown fields are reported by the standard rules; they cost nothing here.
      if (!def) continue;
      const type = getNamedType(def.type);
      const childPage = isConnection(type) ? pageSizeOf(sel, def, variables) : undefined;
      const child = sel.selectionSet ? measure(ctx, sel.selectionSet, type, variables, seen, level + 1, maxDepth, walk, nesting + 1, childPage) : { depth: 0, cost: 0 };
      depth = Math.max(depth, 1 + child.depth);
      const analysis = parent === ctx.getSchema().getQueryType() ? FIELD_COST[name] : undefined;
      if (analysis !== undefined) walk.analyses++;
      const own = analysis ?? 1;
      cost += own + multiplier(sel, def, parent, variables, page) * child.cost;
    } else {
      let inner: SelectionSetNode | undefined;
      let type: GraphQLNamedType | undefined = parent;
      let nextSeen = seen;
      if (sel.kind === Kind.INLINE_FRAGMENT) {
        inner = sel.selectionSet;
        if (sel.typeCondition) type = ctx.getSchema().getType(sel.typeCondition.name.value) ?? undefined;
      } else {
        const name = sel.name.value;
        if (seen.has(name)) continue; // a cycle; NoFragmentCyclesRule reports it
        const frag = ctx.getFragment(name);
        inner = frag?.selectionSet;
        type = frag ? (ctx.getSchema().getType(frag.typeCondition.name.value) ?? undefined) : undefined;
        nextSeen = new Set([...seen, name]);
      }
      if (!inner || !type) continue;
      const m = measure(ctx, inner, type, variables, nextSeen, level, maxDepth, walk, nesting + 1, page);
      depth = Math.max(depth, m.depth);
      cost += m.cost;
    }
  }
  return { depth, cost };
}

class LimitExceeded extends Error {
  constructor(readonly code: 'QUERY_TOO_DEEP' | 'QUERY_TOO_COSTLY', message: string) {
    super(message);
  }
}

/** Introspection has no schema walk here (its types are the meta-types); only nesting is bounded. */
function checkIntrospection(set: SelectionSetNode | undefined, ctx: ValidationContext, depth: number, lists: number, seen: ReadonlySet<string>, walk: Walk): void {
  if (depth > INTROSPECTION_MAX_DEPTH) throw new LimitExceeded('QUERY_TOO_DEEP', `introspection nested deeper than ${INTROSPECTION_MAX_DEPTH}`);
  if (!set) return;
  const LISTS = new Set(['types', 'fields', 'args', 'inputFields', 'interfaces', 'possibleTypes', 'enumValues', 'directives', 'locations']);
  for (const sel of set.selections) {
    step(walk);
    if (sel.kind === Kind.FIELD) {
      const nested = lists + (LISTS.has(sel.name.value) && sel.selectionSet ? 1 : 0);
      if (nested > INTROSPECTION_MAX_LISTS) {
        throw new LimitExceeded('QUERY_TOO_COSTLY', `introspection nests more than ${INTROSPECTION_MAX_LISTS} lists`);
      }
      checkIntrospection(sel.selectionSet, ctx, depth + 1, nested, seen, walk);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      checkIntrospection(sel.selectionSet, ctx, depth + 1, lists, seen, walk);
    } else if (!seen.has(sel.name.value)) {
      checkIntrospection(ctx.getFragment(sel.name.value)?.selectionSet, ctx, depth + 1, lists, new Set([...seen, sel.name.value]), walk);
    }
  }
}

/**
 * Depth and cost as one validation rule. It needs the request's variables (a `first: $n` counts as n), so it is
 * made per request.
 */
export function limitsRule(limits: Pick<ApiLimits, 'maxDepth' | 'maxCost' | 'maxAnalyses'>, variables: Variables): ValidationRule {
  return function aispmQueryLimits(ctx: ValidationContext): ASTVisitor {
    return {
      OperationDefinition(op) {
        const root = op.operation === 'mutation' ? ctx.getSchema().getMutationType() : op.operation === 'query' ? ctx.getSchema().getQueryType() : undefined;
        if (!root) return;
        try {
          const walk: Walk = { steps: 0, analyses: 0 };
          const m = measure(ctx, op.selectionSet, root, withDefaults(op, variables), new Set(), 0, limits.maxDepth, walk);
          if (walk.analyses > limits.maxAnalyses) {
            throw new LimitExceeded('QUERY_TOO_COSTLY', `the query runs ${walk.analyses} analyses; at most ${limits.maxAnalyses} may run in one request`);
          }
          if (m.depth > limits.maxDepth) {
            throw new LimitExceeded('QUERY_TOO_DEEP', `query depth ${m.depth} exceeds the limit of ${limits.maxDepth}`);
          }
          if (m.cost > limits.maxCost) {
            throw new LimitExceeded('QUERY_TOO_COSTLY', `estimated query cost ${Math.round(m.cost)} exceeds the limit of ${limits.maxCost}; ask for fewer items per page (first) or fewer nested lists`);
          }
        } catch (err) {
          if (!(err instanceof LimitExceeded)) throw err;
          const e = apiError(err.code, err.message);
          ctx.reportError(e);
        }
      },
    };
  };
}

/** Deeper bracket nesting than this is refused before parsing (graphql-js parses recursively). */
export const MAX_SYNTAX_NESTING = 64;

/**
 * The deepest nesting of `{`, `[` and `(` in a GraphQL document, skipping strings, block strings and comments.
 * Run before the parser, so that a document thousands of levels deep is refused instead of overflowing its stack.
 */
export function syntaxNesting(text: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '#') {
      while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
    } else if (c === '"') {
      if (text.startsWith('"""', i)) {
        i += 3;
        while (i < text.length && !text.startsWith('"""', i)) i += text.startsWith('\\"""', i) ? 4 : 1;
        i += 2;
      } else {
        i++;
        while (i < text.length && text[i] !== '"' && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
      }
    } else if (c === '{' || c === '[' || c === '(') {
      if (++depth > max) max = depth;
    } else if (c === '}' || c === ']' || c === ')') {
      depth--;
    }
  }
  return max;
}
