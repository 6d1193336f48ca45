/** The top-level streaming reader reads a document as JSON.parse does, whatever the chunk boundaries. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { JsonStreamError, TopLevelReader, type TopLevelEvent } from '../../ingest/sbom/json-stream.ts';

const STREAMED = new Set(['components', 'dependencies', 'packages', 'relationships', '@graph']);

function readAll(bytes: Uint8Array, chunk: number, streamed = STREAMED, parseItems = true): TopLevelEvent[] {
  const reader = new TopLevelReader(streamed, parseItems);
  const out: TopLevelEvent[] = [];
  for (let i = 0; i < bytes.length; i += chunk) out.push(...reader.feed(bytes.subarray(i, i + chunk)));
  out.push(...reader.end());
  return out;
}

/** The document rebuilt from the events, for comparison with JSON.parse. */
function rebuild(events: TopLevelEvent[]): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  for (const e of events) {
    if (e.type === 'member') doc[e.name] = e.value;
    else if (e.type === 'array') doc[e.name] = [];
    else {
      const list = (doc[e.name] ??= []) as unknown[];
      assert.equal(e.index, list.length, 'items come in order, numbered from 0');
      list.push(e.value);
    }
  }
  return doc;
}

const dir = join(import.meta.dirname, 'fixtures');
const samples = readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => readFileSync(join(dir, f)));

test('every fixture reads as JSON.parse reads it, at chunk sizes from 1 byte up', () => {
  for (const bytes of samples) {
    const expected = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
    for (const chunk of [1, 2, 3, 7, 64, 4096, bytes.length]) {
      const got = rebuild(readAll(bytes, chunk));
      assert.deepEqual(got, expected);
    }
  }
});

test('strings with escaped quotes, brackets and multi-byte characters inside items', () => {
  const doc = { components: [{ name: 'a"]}[{,', note: '\\"', emoji: 'dé😀' }, 1, 'x', null, [2, [3]]], tail: { z: true } };
  const bytes = new TextEncoder().encode(`\uFEFF ${JSON.stringify(doc, null, 1)} `);
  for (const chunk of [1, 5]) assert.deepEqual(rebuild(readAll(bytes, chunk)), doc);
});

test('a look at the top level counts items without parsing them', () => {
  const bytes = new TextEncoder().encode('{"components":[{"a":1},{"b":[]}], "x": 1}');
  const events = readAll(bytes, 3, STREAMED, false);
  assert.deepEqual(events, [{ type: 'array', name: 'components' }, { type: 'member', name: 'x', value: 1 }]);
});

test('malformed documents are refused with the byte where reading stopped', () => {
  const cases: [string, RegExp][] = [
    ['[1,2]', /must be a JSON object at byte 0/],
    ['{"a":1,"a":2}', /"a" appears twice/],
    ['{"components":{"x":1}}', /"components" must be an array at byte 14/],
    ['{"components":[{"x":1}', /ends early/],
    ['{"a":tru}', /not JSON/],
    ['{"a":1} {"b":2}', /unexpected data after the document at byte 8/],
    ['{"a" 1}', /expected ':'/],
    ['{"components":[{"a":1} {"b":2}]}', /expected ',' or '\]' in "components"/],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => readAll(new TextEncoder().encode(text), 2), (err: unknown) => err instanceof JsonStreamError && message.test(err.message), text);
  }
});
