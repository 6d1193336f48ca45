// Reads the node:test TAP output of a test run (stdin) and prints how many tests of the Neo4j suites ran, passed,
// failed and were skipped, so that a CI log shows the Neo4j tests ran. Exits 1 when a server was given
// (NEO4J_URI) but no Neo4j test ran, or some were skipped: a configured server must be used, not passed over.
import { createInterface } from 'node:readline';

const NEO4J_SUITE = /neo4j|across stores/i;
const counts = new Map(); // top-level suite → { pass, fail, skip }
let top = '';
let pending; // the last result line, until its YAML block says whether it was a suite
const flush = (isSuite) => {
  if (pending && !isSuite && NEO4J_SUITE.test(top)) {
    const c = counts.get(top) ?? { pass: 0, fail: 0, skip: 0 };
    c[pending]++;
    counts.set(top, c);
  }
  pending = undefined;
};
for await (const line of createInterface({ input: process.stdin })) {
  const sub = /^# Subtest: (.*)$/.exec(line);
  if (sub) top = sub[1];
  const result = /^\s+(not )?ok \d+ - .*?( # (SKIP|TODO)\b.*)?$/.exec(line);
  if (result) {
    flush(false);
    pending = result[1] ? 'fail' : result[2] ? 'skip' : 'pass';
  } else if (pending && /^\s+type: 'suite'/.test(line)) flush(true);
  else if (pending && /^\s+\.\.\.$/.test(line)) flush(false);
}
flush(false);

let ran = 0;
let skipped = 0;
console.log('\nNeo4j tests in this run:');
for (const [suite, c] of counts) {
  console.log(`  ${suite}: ${c.pass} passed, ${c.fail} failed, ${c.skip} skipped`);
  ran += c.pass + c.fail;
  skipped += c.skip;
}
if (!counts.size) console.log('  none');
console.log(`  total: ${ran} ran, ${skipped} skipped`);
if (process.env.NEO4J_URI && (ran === 0 || skipped > 0)) {
  console.log(`a Neo4j server was configured (${process.env.NEO4J_URI}) but ${ran === 0 ? 'no Neo4j test ran' : `${skipped} Neo4j tests were skipped`}`);
  process.exit(1);
}
