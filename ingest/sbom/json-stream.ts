/**
 * Reads one JSON document whose top level is an object, delivering each top-level member as a parsed value, except
 * the members named as streamed (`components`, `packages`, `@graph`, …): those must be arrays, and their items are
 * delivered one at a time, so a document of 500k components never has to be held whole. A structural scan finds
 * where each value ends (strings, escapes and nesting tracked byte by byte; UTF-8 needs no decoding for that, as
 * every structural character is ASCII) and `JSON.parse` reads each value — the same parser every JavaScript
 * consumer of these documents uses, so a value means here what it means there.
 *
 * A top-level member named twice is refused: `JSON.parse` keeps the last, other readers the first, and an SBOM
 * whose meaning depends on the reader is not one to import.
 */

export type TopLevelEvent =
  | { type: 'member'; name: string; value: unknown }
  /** A streamed array begins (its items follow, if it has any). */
  | { type: 'array'; name: string }
  | { type: 'item'; name: string; index: number; value: unknown };

export class JsonStreamError extends Error {
  constructor(message: string, readonly offset: number) {
    super(`${message} at byte ${offset}`);
    this.name = 'JsonStreamError';
  }
}

/** Past this one value (one component, one member) is refused: a bounded reader must bound its unit. */
export const MAX_VALUE_BYTES = 256 * 1024 * 1024;

/**
 * Past this nesting inside one value is refused: the schema check and the mapping walk nested components
 * recursively, and a hostile document nested thousands deep would otherwise end in a stack overflow.
 */
export const MAX_DEPTH = 512;

const UTF8_BOM = [0xef, 0xbb, 0xbf];
const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJ = 0x7b;
const CLOSE_OBJ = 0x7d;
const OPEN_ARR = 0x5b;
const CLOSE_ARR = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

type State =
  | 'start' // before '{'
  | 'key-or-end' // after '{'
  | 'key' // after ','
  | 'colon'
  | 'value'
  | 'after-value' // ',' or '}'
  | 'array-start' // a streamed member: expect '['
  | 'item-or-end' // after '['
  | 'item' // after ','
  | 'after-item' // ',' or ']'
  | 'done';

/** Where a captured value is going: a key, a member's value, or an item of a streamed array. */
type Target = 'key' | 'member' | 'item';

export class TopLevelReader {
  private state: State = 'start';
  private offset = 0;
  private seen = new Set<string>();
  private name = '';
  private index = 0;
  // The value being captured.
  private capturing = false;
  private target: Target = 'member';
  private pieces: Uint8Array[] = [];
  private bytes = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** A number, true, false or null: ends at the first byte that cannot continue it. */
  private scalar = false;
  private valueStart = 0;

  /** `parseItems: false` scans the streamed arrays' items without keeping or parsing them (a look at the top level). */
  constructor(
    private readonly streamed: ReadonlySet<string>,
    private readonly parseItems = true,
  ) {}

  /** Feeds the next bytes; returns the events they complete. */
  feed(chunk: Uint8Array): TopLevelEvent[] {
    const events: TopLevelEvent[] = [];
    let i = 0;
    // A UTF-8 byte-order mark, as some Windows tools write one (its bytes may come in separate chunks).
    while (this.offset + i < 3 && i < chunk.length && chunk[i] === UTF8_BOM[this.offset + i]) i++;
    let captureFrom = -1;
    while (i < chunk.length) {
      const b = chunk[i]!;
      if (this.capturing) {
        if (captureFrom < 0) captureFrom = i;
        const end = this.scan(chunk, i);
        if (end < 0) break; // the value goes on in the next chunk
        this.keep(chunk.subarray(captureFrom, end));
        captureFrom = -1;
        this.finishValue(events);
        i = end;
        continue;
      }
      if (WS.has(b)) {
        i++;
        continue;
      }
      switch (this.state) {
        case 'start':
          if (b !== OPEN_OBJ) this.fail(`the document must be a JSON object`, i);
          this.state = 'key-or-end';
          break;
        case 'key-or-end':
        case 'key':
          if (b === CLOSE_OBJ && this.state === 'key-or-end') this.state = 'done';
          else if (b === QUOTE) this.begin('key', i, chunk);
          else this.fail('expected a member name', i);
          break;
        case 'colon':
          if (b !== COLON) this.fail("expected ':'", i);
          this.state = this.streamed.has(this.name) ? 'array-start' : 'value';
          break;
        case 'value':
          this.begin('member', i, chunk);
          break;
        case 'array-start':
          if (b !== OPEN_ARR) this.fail(`"${this.name}" must be an array`, i);
          events.push({ type: 'array', name: this.name });
          this.index = 0;
          this.state = 'item-or-end';
          break;
        case 'item-or-end':
        case 'item':
          if (b === CLOSE_ARR && this.state === 'item-or-end') this.state = 'after-value';
          else this.begin('item', i, chunk);
          break;
        case 'after-item':
          if (b === COMMA) this.state = 'item';
          else if (b === CLOSE_ARR) this.state = 'after-value';
          else this.fail(`expected ',' or ']' in "${this.name}"`, i);
          break;
        case 'after-value':
          if (b === COMMA) this.state = 'key';
          else if (b === CLOSE_OBJ) this.state = 'done';
          else this.fail("expected ',' or '}'", i);
          break;
        case 'done':
          this.fail('unexpected data after the document', i);
      }
      if (!this.capturing) i++;
      else captureFrom = i;
    }
    if (this.capturing && captureFrom >= 0) this.keep(chunk.subarray(captureFrom));
    this.offset += chunk.length;
    return events;
  }

  /** Call after the last chunk: throws unless the document ended. */
  end(): TopLevelEvent[] {
    const events: TopLevelEvent[] = [];
    // A scalar top-level member value at the very end cannot happen (a '}' must follow), so an open capture is an error.
    if (this.state !== 'done' || this.capturing) this.fail('the document ends early', 0, this.offset);
    return events;
  }

  private begin(target: Target, at: number, chunk: Uint8Array): void {
    this.capturing = true;
    this.target = target;
    this.pieces = [];
    this.bytes = 0;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.valueStart = this.offset + at;
    const b = chunk[at]!;
    this.scalar = b !== QUOTE && b !== OPEN_OBJ && b !== OPEN_ARR;
    if (target === 'key' && b !== QUOTE) this.fail('expected a member name', at);
  }

  /**
   * Scans a value from `i`; returns the index just past its end in this chunk, or -1 when it continues. Strings
   * and nesting are tracked; a scalar ends at the first delimiter (which is not part of it).
   */
  private scan(chunk: Uint8Array, i: number): number {
    for (; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (this.scalar) {
        if (WS.has(b) || b === COMMA || b === CLOSE_OBJ || b === CLOSE_ARR || b === COLON) return i;
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (b === BACKSLASH) this.escaped = true;
        else if (b === QUOTE) {
          this.inString = false;
          if (this.depth === 0) return i + 1;
        }
        continue;
      }
      if (b === QUOTE) this.inString = true;
      else if (b === OPEN_OBJ || b === OPEN_ARR) {
        if (++this.depth > MAX_DEPTH) this.fail(`nested deeper than ${MAX_DEPTH} levels`, i);
      } else if (b === CLOSE_OBJ || b === CLOSE_ARR) {
        this.depth--;
        if (this.depth === 0) return i + 1;
        if (this.depth < 0) this.fail('unbalanced brackets', i);
      }
    }
    return -1;
  }

  private keep(piece: Uint8Array): void {
    if (piece.length === 0 || (this.target === 'item' && !this.parseItems)) return;
    this.bytes += piece.length;
    if (this.bytes > MAX_VALUE_BYTES) this.fail(`one value is over ${MAX_VALUE_BYTES} bytes`, 0, this.valueStart);
    // The chunk's memory is reused by the stream: keep a copy.
    this.pieces.push(Uint8Array.prototype.slice.call(piece));
  }

  private finishValue(events: TopLevelEvent[]): void {
    this.capturing = false;
    if (this.target === 'item' && !this.parseItems) {
      this.index++;
      this.state = 'after-item';
      return;
    }
    const text = Buffer.concat(this.pieces).toString('utf8');
    this.pieces = [];
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      const at = /position (\d+)/u.exec((err as Error).message);
      const reason = (err as Error).message.replace(/ in JSON at position \d+.*$/su, '').replace(/\s*\(line \d+ column \d+\)$/u, '');
      this.fail(`not JSON (${reason.slice(0, 120)})`, 0, this.valueStart + (at ? Number(at[1]) : 0));
    }
    if (this.target === 'key') {
      this.name = value as string;
      if (this.seen.has(this.name)) this.fail(`the member "${this.name.slice(0, 80)}" appears twice`, 0, this.valueStart);
      this.seen.add(this.name);
      this.state = 'colon';
    } else if (this.target === 'member') {
      events.push({ type: 'member', name: this.name, value });
      this.state = 'after-value';
    } else {
      events.push({ type: 'item', name: this.name, index: this.index++, value });
      this.state = 'after-item';
    }
  }

  private fail(message: string, at: number, absolute?: number): never {
    throw new JsonStreamError(message, absolute ?? this.offset + at);
  }
}

/** The events of a whole byte stream (a file read stream), in order. */
export async function* readTopLevel(source: AsyncIterable<Uint8Array>, streamed: ReadonlySet<string>, parseItems = true): AsyncGenerator<TopLevelEvent> {
  const reader = new TopLevelReader(streamed, parseItems);
  for await (const chunk of source) yield* reader.feed(chunk);
  yield* reader.end();
}
