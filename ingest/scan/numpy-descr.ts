/**
 * What a `.npy` header's `descr` makes numpy build, as far as it matters here: whether the dtype holds Python
 * objects (`dtype.hasobject`: then `numpy.load` unpickles what follows the header). `descr` goes through numpy's
 * `descr_to_dtype`: a str is `numpy.dtype(str)` (a type code, a name, or a comma string such as `'(2,)O'` or
 * `'i4, O'`); a tuple is a subarray `(descr, shape)`; anything else is iterated as structured fields, each unpacked
 * as `(name, descr)` or `(name, descr, shape)` — so a field may be a list, a 2-character str (`'aO'`) or a dict's
 * keys. Only forms known to be plain are `plain`; every form that can name an object is `object`.
 */
import type { PyValue } from './python-literals.ts';

export type DtypeKind = 'plain' | 'object' | 'unknown';

/** Type strings numpy reads as plain numbers, booleans, dates or fixed-size bytes/text (no Python objects). */
const PLAIN_DTYPE = /^[<>|=]?(b1|[iu][1248]|f[248]|f16|c(8|16|32)|[?bBhHiIlLqQpPefdgFDG]|[SUVa]\d*|[Mm]8(\[\d*\w+\])?)$/;
const PLAIN_NAMES = new Set([
  'bool', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'float16', 'float32', 'float64',
  'complex64', 'complex128', 'bytes', 'str', 'float', 'int', 'complex', 'longlong', 'ulonglong', 'half', 'single', 'double',
]);
/**
 * Object type strings: the `O` code (with any size; numpy takes O4 and O8), numpy 2's `T` (StringDType, whose
 * arrays `numpy.save` pickles too) and the names numpy 1 and 2 know. Wider than numpy on purpose: calling a
 * dtype numpy refuses an object only makes the scanner walk what follows.
 */
const OBJECT_DTYPE = /^[<>|=]?(O\d*|T)$|^[oO]bject(_|0)?$/;

/** numpy's `format_re` for one item of a comma string: byte order, repeats (a shape), byte order, type. */
const COMMA_ITEM = /([<>|=]?)( *[(]?[ ,0-9]*[)]? *)([<>|=]?)([A-Za-z0-9.?]*(?:\[[a-zA-Z0-9,.]+\])?)/y;

const worst = (kinds: DtypeKind[]): DtypeKind =>
  kinds.includes('object') ? 'object' : kinds.includes('unknown') ? 'unknown' : 'plain';

/** numpy reads a str as a comma string when it starts with digits or `()` (after a byte order) or has a comma outside `[]`. */
function isCommaString(s: string): boolean {
  if (/^[<>|=]?[0-9]/.test(s) || /^[<>|=]?\(\)/.test(s)) return true;
  let depth = 0;
  for (const c of s) {
    if (c === '[') depth++;
    else if (c === ']') depth--;
    else if (c === ',' && depth === 0) return true;
  }
  // a leading shape such as '(2)O' is refused by numpy; it is read here as one anyway (the wider reading is safer)
  return /^[<>|=]?\s*\(/.test(s);
}

/** The type of each item of a comma string, as numpy's `_commastring` splits it; undefined where numpy refuses it. */
function commaItems(s: string): string[] | undefined {
  const items: string[] = [];
  let pos = 0;
  while (pos < s.length) {
    COMMA_ITEM.lastIndex = pos;
    const m = COMMA_ITEM.exec(s)!;
    items.push((m[3] || m[1]!) + m[4]!); // the byte order does not change what the type holds
    pos = COMMA_ITEM.lastIndex;
    if (pos >= s.length) break;
    const sep = /\s*,\s*|\s+$/y;
    sep.lastIndex = pos;
    if (!sep.exec(s)) return undefined;
    pos = sep.lastIndex;
  }
  return items;
}

function stringKind(s: string, depth: number): DtypeKind {
  if (OBJECT_DTYPE.test(s)) return 'object';
  if (PLAIN_DTYPE.test(s) || PLAIN_NAMES.has(s)) return 'plain';
  if (depth > 8 || !isCommaString(s)) return 'unknown';
  const items = commaItems(s);
  // an item's type is read by numpy.dtype again (so '2,3O' is a subarray of objects)
  const kinds = (items ?? []).map((t) => (t === s || t === '' ? 'unknown' : stringKind(t, depth + 1)));
  if (kinds.includes('object')) return 'object';
  return items && items.length > 0 ? worst(kinds) : 'unknown';
}

/** A shape as `numpy.dtype((base, shape))` takes it: an int or a tuple of ints (a bool is an int in Python). */
function isShape(v: PyValue | undefined): boolean {
  const isInt = (x: PyValue) => typeof x === 'bigint' || typeof x === 'boolean';
  return v !== undefined && (isInt(v) || (typeof v === 'object' && v !== null && 'tuple' in v && v.tuple.every(isInt)));
}

/** What Python's unpacking `name, descr[, shape] = field` sees: the items of the field, or undefined if it has none. */
function fieldItems(field: PyValue): PyValue[] | undefined {
  if (typeof field === 'string') return [...field];
  if (Array.isArray(field)) return field;
  if (field instanceof Map) return [...field.keys()];
  if (typeof field === 'object' && field !== null && 'tuple' in field) return field.tuple;
  return undefined;
}

/** What a descr holds: plain data, Python objects (a pickle follows the header), or something not recognised. */
export function dtypeKind(descr: PyValue, depth = 0): DtypeKind {
  if (depth > 32) return 'unknown';
  if (typeof descr === 'string') return stringKind(descr, 0);
  if (typeof descr === 'object' && descr !== null && 'tuple' in descr) {
    // a subarray (descr, shape); numpy ignores a third item. (old, new) views that involve objects numpy refuses.
    const [base, shape] = descr.tuple;
    if (base === undefined || shape === undefined) return 'unknown';
    const kind = dtypeKind(base, depth + 1);
    return isShape(shape) || kind === 'object' ? kind : 'unknown';
  }
  if (Array.isArray(descr) || descr instanceof Map) {
    // structured: the fields, each (name, descr) or (name, descr, shape); the worst field decides
    const fields = Array.isArray(descr) ? descr : [...descr.keys()];
    return worst(
      fields.map((field) => {
        const parts = fieldItems(field);
        if (!parts || parts.length < 2 || parts.length > 3) return 'unknown';
        const kind = dtypeKind(parts[1]!, depth + 1);
        return parts.length === 2 || isShape(parts[2]) || kind === 'object' ? kind : 'unknown';
      }),
    );
  }
  return 'unknown';
}
