/**
 * The expressions of a Jinja template, parsed with jinja2's grammar (precedence, filters and tests, postfix
 * subscripts and calls, slices, the statement forms of its tags), so a check can see what each attribute lookup,
 * subscript key and filter argument is. Template text is not kept, and statements are only read for the
 * expressions they hold. A tag jinja2 does not know (beyond the `do`, `break`, `continue` and `generation` tags of
 * the extensions chat templates are written for) is a JinjaSyntaxError, as it is for jinja2.
 */
import { JinjaSyntaxError, type JinjaToken } from './jinja-lexer.ts';

export type JinjaArgs = { args: JinjaExpr[]; kwargs: Array<[string, JinjaExpr]>; dynamic: JinjaExpr[] };

export type JinjaExpr =
  | { k: 'name'; name: string }
  | { k: 'const'; value: string | number | boolean | null; namedEscapes?: string[] }
  | { k: 'list' | 'tuple'; items: JinjaExpr[] }
  | { k: 'dict'; pairs: Array<[JinjaExpr, JinjaExpr]> }
  | { k: 'getattr'; obj: JinjaExpr; attr: string }
  | { k: 'getitem'; obj: JinjaExpr; key: JinjaExpr }
  | { k: 'slice'; parts: JinjaExpr[] }
  | ({ k: 'call'; fn: JinjaExpr } & JinjaArgs)
  | ({ k: 'filter'; node?: JinjaExpr; name: string } & JinjaArgs)
  | ({ k: 'test'; node: JinjaExpr; name: string } & JinjaArgs)
  | { k: 'unary'; op: '-' | '+' | 'not'; node: JinjaExpr }
  | { k: 'binary'; op: string; left: JinjaExpr; right: JinjaExpr }
  | { k: 'concat' | 'compare'; items: JinjaExpr[] }
  | { k: 'cond'; test: JinjaExpr; then: JinjaExpr; otherwise?: JinjaExpr };

const COMPARE = new Set(['==', '!=', '>', '>=', '<', '<=']);
const CONSTANTS: Readonly<Record<string, boolean | null>> = { true: true, True: true, false: false, False: false, none: null, None: null };
const BARE_TAGS = new Set([
  'else', 'endif', 'endfor', 'endmacro', 'endcall', 'endfilter', 'endset', 'endwith', 'endautoescape', 'endblock',
  'break', 'continue', 'generation', 'endgeneration',
]);

/** jinja2's parser is recursive Python: it gives up (RecursionError) long before this many nested operands. */
const MAX_NESTING = 200;


/**
 * What the template binds each name to: the values `{% set %}` and `{% with %}` give it, and for a loop variable
 * the sequence it runs over. A name bound nowhere (`messages`, `tools`, a macro parameter) comes from the renderer.
 */
export type JinjaBindings = ReadonlyMap<string, readonly { value: JinjaExpr; element?: true }[]>;

/**
 * Every expression in the template's tokens (statements' targets, defaults, tests and values included), in order,
 * and the names the template binds.
 */
export function parseJinjaTemplate(tokens: JinjaToken[]): { expressions: JinjaExpr[]; bindings: JinjaBindings } {
  const parser = new JinjaParser(tokens);
  return { expressions: parser.all(), bindings: parser.bindings };
}

class JinjaParser {
  private i = 0;
  private nesting = 0;
  private readonly found: JinjaExpr[] = [];
  readonly bindings = new Map<string, { value: JinjaExpr; element?: true }[]>();
  constructor(private readonly tokens: JinjaToken[]) {}

  /** Each name of a target (`x`, `a, b`) bound to `value` (for a loop, to an element of it). */
  private bind(target: JinjaExpr, value: JinjaExpr, element?: true): void {
    const names = target.k === 'tuple' ? target.items : [target];
    for (const t of names) {
      if (t.k !== 'name') continue;
      const list = this.bindings.get(t.name) ?? [];
      list.push(element ? { value, element } : { value });
      this.bindings.set(t.name, list);
    }
  }

  all(): JinjaExpr[] {
    while (this.i < this.tokens.length) {
      const t = this.next();
      if (t.type === 'variable_begin') {
        this.found.push(this.tuple());
        this.expect('variable_end');
      } else if (t.type === 'block_begin') this.statement();
      else this.fail(`unexpected ${t.type}`);
    }
    return this.found;
  }

  private get cur(): JinjaToken | undefined {
    return this.tokens[this.i];
  }
  private next(): JinjaToken {
    const t = this.tokens[this.i++];
    if (!t) this.fail('unexpected end of template');
    return t!;
  }
  private fail(why: string): never {
    throw new JinjaSyntaxError(`${why} (at character ${this.cur?.pos ?? 'end'})`);
  }
  private is(type: JinjaToken['type'], value?: string, t = this.cur): boolean {
    return t !== undefined && t.type === type && (value === undefined || t.value === value);
  }
  private isOp(value: string): boolean {
    return this.is('operator', value);
  }
  private isName(value: string, t = this.cur): boolean {
    return this.is('name', value, t);
  }
  private skipOp(value: string): boolean {
    if (!this.isOp(value)) return false;
    this.i++;
    return true;
  }
  private skipName(value: string): boolean {
    if (!this.isName(value)) return false;
    this.i++;
    return true;
  }
  private expect(type: JinjaToken['type'], value?: string): JinjaToken {
    if (!this.is(type, value)) this.fail(`expected ${value ?? type}`);
    return this.next();
  }
  private expectName(): string {
    return this.expect('name').value;
  }
  private keep(e: JinjaExpr): JinjaExpr {
    this.found.push(e);
    return e;
  }

  private statement(): void {
    const tag = this.expectName();
    switch (tag) {
      case 'for': {
        const target = this.keep(this.tuple({ simplified: true, endNames: ['in'] }));
        this.expect('name', 'in');
        this.bind(target, this.keep(this.tuple({ condexpr: false, endNames: ['recursive'] })), true);
        if (this.skipName('if')) this.keep(this.expression());
        this.skipName('recursive');
        break;
      }
      case 'if':
      case 'elif':
        this.keep(this.tuple({ condexpr: false }));
        break;
      case 'set': {
        const target = this.keep(this.tuple({ simplified: true, namespace: true }));
        if (this.skipOp('=')) this.bind(target, this.keep(this.tuple()));
        else {
          // `{% set x %}…{% endset %}`: the name holds template text, a string the template makes.
          this.bind(target, { k: 'const', value: '' });
          if (this.isOp('|')) this.keep(this.filters(undefined, false)!);
        }
        break;
      }
      case 'macro':
        this.expectName();
        this.signature();
        break;
      case 'call':
        if (this.isOp('(')) this.signature();
        this.keep(this.expression());
        break;
      case 'filter':
        this.keep(this.filters(undefined, true)!);
        break;
      case 'with':
        while (!this.is('block_end')) {
          this.skipOp(',');
          const target = this.keep(this.tuple({ simplified: true }));
          this.expect('operator', '=');
          this.bind(target, this.keep(this.expression()));
        }
        break;
      case 'block':
        this.expectName();
        this.skipName('scoped');
        this.skipName('required');
        break;
      case 'endblock':
        if (this.is('name')) this.i++;
        break;
      case 'extends':
      case 'include':
      case 'import':
      case 'from':
        this.keep(this.expression());
        // the rest (as, import lists, ignore missing, with/without context) only names things
        while (this.is('name') || this.isOp(',')) this.i++;
        break;
      case 'print':
      case 'autoescape':
      case 'do':
        this.keep(this.tuple());
        break;
      default:
        if (!BARE_TAGS.has(tag)) this.fail(`unknown tag "${tag.slice(0, 40)}"`);
    }
    this.skipOp(':');
    this.expect('block_end');
  }

  /** A macro's or call block's parameters, `(a, b=default)`: the defaults are expressions. */
  private signature(): void {
    this.expect('operator', '(');
    while (!this.isOp(')')) {
      this.skipOp(',');
      this.expectName();
      if (this.skipOp('=')) this.keep(this.expression());
    }
    this.expect('operator', ')');
  }

  private tuple(opts: { simplified?: boolean; condexpr?: boolean; endNames?: string[]; parens?: boolean; namespace?: boolean } = {}): JinjaExpr {
    const items: JinjaExpr[] = [];
    let isTuple = false;
    for (;;) {
      if (items.length > 0) this.expect('operator', ',');
      if (this.is('variable_end') || this.is('block_end') || this.isOp(')') || (opts.endNames ?? []).some((n) => this.isName(n))) break;
      items.push(opts.simplified ? this.primary(opts.namespace) : this.expression(opts.condexpr ?? true));
      if (this.isOp(',')) isTuple = true;
      else break;
    }
    if (!isTuple) {
      if (items.length > 0) return items[0]!;
      if (!opts.parens) this.fail('expected an expression');
    }
    return { k: 'tuple', items };
  }

  private expression(condexpr = true): JinjaExpr {
    return condexpr ? this.condexpr() : this.or();
  }
  private condexpr(): JinjaExpr {
    let e = this.or();
    while (this.skipName('if')) {
      const test = this.or();
      e = { k: 'cond', test, then: e, otherwise: this.skipName('else') ? this.condexpr() : undefined };
    }
    return e;
  }
  private or(): JinjaExpr {
    let e = this.and();
    while (this.skipName('or')) e = { k: 'binary', op: 'or', left: e, right: this.and() };
    return e;
  }
  private and(): JinjaExpr {
    let e = this.not();
    while (this.skipName('and')) e = { k: 'binary', op: 'and', left: e, right: this.not() };
    return e;
  }
  private not(): JinjaExpr {
    if (this.skipName('not')) return { k: 'unary', op: 'not', node: this.not() };
    return this.compare();
  }
  private compare(): JinjaExpr {
    const items = [this.math1()];
    for (;;) {
      if (this.is('operator') && COMPARE.has(this.cur!.value)) this.i++;
      else if (this.skipName('in')) {
        /* in */
      } else if (this.isName('not') && this.isName('in', this.tokens[this.i + 1])) this.i += 2;
      else break;
      items.push(this.math1());
    }
    return items.length === 1 ? items[0]! : { k: 'compare', items };
  }
  private math1(): JinjaExpr {
    let e = this.concat();
    while (this.isOp('+') || this.isOp('-')) {
      const op = this.next().value;
      e = { k: 'binary', op, left: e, right: this.concat() };
    }
    return e;
  }
  private concat(): JinjaExpr {
    const items = [this.math2()];
    while (this.skipOp('~')) items.push(this.math2());
    return items.length === 1 ? items[0]! : { k: 'concat', items };
  }
  private math2(): JinjaExpr {
    let e = this.pow();
    while (['*', '/', '//', '%'].some((o) => this.isOp(o))) {
      const op = this.next().value;
      e = { k: 'binary', op, left: e, right: this.pow() };
    }
    return e;
  }
  private pow(): JinjaExpr {
    let e = this.unary();
    while (this.skipOp('**')) e = { k: 'binary', op: '**', left: e, right: this.unary() };
    return e;
  }
  private unary(withFilter = true): JinjaExpr {
    if (++this.nesting > MAX_NESTING) this.fail(`operands nested more than ${MAX_NESTING} deep`);
    try {
      let e: JinjaExpr;
      if (this.isOp('-') || this.isOp('+')) {
        const op = this.next().value as '-' | '+';
        e = { k: 'unary', op, node: this.unary(false) };
      } else e = this.primary();
      e = this.postfix(e);
      return withFilter ? this.filterExpr(e) : e;
    } finally {
      this.nesting--;
    }
  }

  private primary(namespace = false): JinjaExpr {
    const t = this.next();
    if (t.type === 'name') {
      if (t.value in CONSTANTS) return { k: 'const', value: CONSTANTS[t.value]! };
      if (namespace && this.isOp('.')) {
        this.i++;
        return { k: 'getattr', obj: { k: 'name', name: t.value }, attr: this.expectName() };
      }
      return { k: 'name', name: t.value };
    }
    if (t.type === 'string') {
      // adjacent strings are one constant, as in Python
      let value = t.value;
      const namedEscapes = [...t.namedEscapes];
      while (this.cur?.type === 'string') {
        const s = this.next() as Extract<JinjaToken, { type: 'string' }>;
        value += s.value;
        namedEscapes.push(...s.namedEscapes);
      }
      return { k: 'const', value, namedEscapes };
    }
    if (t.type === 'integer' || t.type === 'float') return { k: 'const', value: Number(t.value.replaceAll('_', '')) };
    if (t.type === 'operator' && t.value === '(') {
      const e = this.tuple({ parens: true });
      this.expect('operator', ')');
      return e;
    }
    if (t.type === 'operator' && t.value === '[') {
      const items: JinjaExpr[] = [];
      while (!this.isOp(']')) {
        if (items.length > 0) this.expect('operator', ',');
        if (this.isOp(']')) break;
        items.push(this.expression());
      }
      this.expect('operator', ']');
      return { k: 'list', items };
    }
    if (t.type === 'operator' && t.value === '{') {
      const pairs: Array<[JinjaExpr, JinjaExpr]> = [];
      while (!this.isOp('}')) {
        if (pairs.length > 0) this.expect('operator', ',');
        if (this.isOp('}')) break;
        const key = this.expression();
        this.expect('operator', ':');
        pairs.push([key, this.expression()]);
      }
      this.expect('operator', '}');
      return { k: 'dict', pairs };
    }
    this.i--;
    return this.fail(`unexpected ${t.type} "${t.value.slice(0, 20)}"`);
  }

  private postfix(e: JinjaExpr): JinjaExpr {
    for (;;) {
      if (this.skipOp('.')) {
        const t = this.next();
        if (t.type === 'name') e = { k: 'getattr', obj: e, attr: t.value };
        else if (t.type === 'integer') e = { k: 'getitem', obj: e, key: { k: 'const', value: Number(t.value.replaceAll('_', '')) } };
        else this.fail('expected a name or a number after "."');
      } else if (this.skipOp('[')) {
        const keys: JinjaExpr[] = [];
        while (!this.isOp(']')) {
          if (keys.length > 0) this.expect('operator', ',');
          keys.push(this.subscribed());
        }
        this.expect('operator', ']');
        e = { k: 'getitem', obj: e, key: keys.length === 1 ? keys[0]! : { k: 'tuple', items: keys } };
      } else if (this.isOp('(')) e = { k: 'call', fn: e, ...this.callArgs() };
      else return e;
    }
  }

  /** A subscript: an expression, or a slice `a:b:c` with any part left out. */
  private subscribed(): JinjaExpr {
    const parts: JinjaExpr[] = [];
    if (!this.isOp(':')) {
      const e = this.expression();
      if (!this.isOp(':')) return e;
      parts.push(e);
    }
    this.i++;
    const open = () => !this.isOp(']') && !this.isOp(',') && !this.isOp(':');
    if (open()) parts.push(this.expression());
    if (this.skipOp(':') && open()) parts.push(this.expression());
    return { k: 'slice', parts };
  }

  private callArgs(): JinjaArgs {
    this.expect('operator', '(');
    const out: JinjaArgs = { args: [], kwargs: [], dynamic: [] };
    let first = true;
    while (!this.isOp(')')) {
      if (!first) {
        this.expect('operator', ',');
        if (this.isOp(')')) break;
      }
      first = false;
      if (this.skipOp('*') || this.skipOp('**')) out.dynamic.push(this.expression());
      else if (this.is('name') && this.is('operator', '=', this.tokens[this.i + 1])) {
        const key = this.next().value;
        this.i++;
        out.kwargs.push([key, this.expression()]);
      } else out.args.push(this.expression());
    }
    this.expect('operator', ')');
    return out;
  }

  private filterExpr(e: JinjaExpr): JinjaExpr {
    for (;;) {
      if (this.isOp('|')) e = this.filters(e, false)!;
      else if (this.isName('is')) e = this.test(e);
      else if (this.isOp('(')) e = { k: 'call', fn: e, ...this.callArgs() };
      else return e;
    }
  }

  /** `|name(args)` filters (a `{% filter %}` tag starts without the pipe); dotted names are kept whole, as jinja2 keeps them. */
  private filters(node: JinjaExpr | undefined, inline: boolean): JinjaExpr | undefined {
    let e = node;
    while (this.isOp('|') || inline) {
      if (!inline) this.i++;
      inline = false;
      let name = this.expectName();
      while (this.skipOp('.')) name += `.${this.expectName()}`;
      const args = this.isOp('(') ? this.callArgs() : { args: [], kwargs: [], dynamic: [] };
      e = { k: 'filter', node: e, name, ...args };
    }
    return e;
  }

  private test(node: JinjaExpr): JinjaExpr {
    this.i++; // is
    const negated = this.skipName('not');
    let name = this.expectName();
    while (this.skipOp('.')) name += `.${this.expectName()}`;
    let args: JinjaArgs = { args: [], kwargs: [], dynamic: [] };
    if (this.isOp('(')) args = this.callArgs();
    else if (
      (['name', 'string', 'integer', 'float'].includes(this.cur?.type ?? '') || this.isOp('[') || this.isOp('{')) &&
      !['else', 'or', 'and'].some((n) => this.isName(n))
    ) {
      if (this.isName('is')) this.fail('tests cannot be chained with is');
      args.args.push(this.postfix(this.primary()));
    }
    const e: JinjaExpr = { k: 'test', node, name, ...args };
    return negated ? { k: 'unary', op: 'not', node: e } : e;
  }
}
