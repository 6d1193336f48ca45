/**
 * Typed reads of untrusted upstream JSON. A field of the wrong type is reported (once, naming the field) and
 * treated as absent, so one odd value never stops a repo from being mapped.
 */
export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  return Array.isArray(v) ? 'list' : typeof v;
}

export class FieldReader {
  constructor(
    private readonly obj: Json,
    private readonly warn: (message: string) => void,
    private readonly prefix = '',
  ) {}

  private wrong(name: string, expected: string, v: unknown): undefined {
    this.warn(`field "${this.prefix}${name}" should be ${expected}, got ${kind(v)}; ignored`);
    return undefined;
  }

  raw(name: string): unknown {
    return this.obj[name];
  }

  str(name: string): string | undefined {
    const v = this.obj[name];
    if (v === undefined || v === null) return undefined;
    return typeof v === 'string' ? v : this.wrong(name, 'a string', v);
  }

  num(name: string): number | undefined {
    const v = this.obj[name];
    if (v === undefined || v === null) return undefined;
    return typeof v === 'number' && Number.isFinite(v) ? v : this.wrong(name, 'a number', v);
  }

  bool(name: string): boolean | undefined {
    const v = this.obj[name];
    if (v === undefined || v === null) return undefined;
    return typeof v === 'boolean' ? v : this.wrong(name, 'a boolean', v);
  }

  /** ISO-8601 time, normalised; an unparseable date is a warning. */
  date(name: string): string | undefined {
    const v = this.str(name);
    if (v === undefined) return undefined;
    const t = Date.parse(v);
    return Number.isNaN(t) ? this.wrong(name, 'an ISO-8601 time', v) : new Date(t).toISOString();
  }

  /** A list of strings; non-string members are dropped with a warning. */
  strings(name: string): string[] | undefined {
    const v = this.obj[name];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) return this.wrong(name, 'a list of strings', v);
    const out = v.filter((x): x is string => typeof x === 'string');
    if (out.length !== v.length) this.warn(`field "${this.prefix}${name}" has ${v.length - out.length} non-string entries; ignored`);
    return out;
  }

  /** A string or a list of strings (card fields such as `base_model`, `datasets`, `license`). */
  stringOrList(name: string): string[] | undefined {
    const v = this.obj[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return [v];
    return this.strings(name);
  }

  object(name: string): Json | undefined {
    const v = this.obj[name];
    if (v === undefined || v === null) return undefined;
    return isObject(v) ? v : this.wrong(name, 'a mapping', v);
  }
}
