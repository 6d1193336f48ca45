/** The pure parts: purls as purl-spec writes them, safe file names, the completeness score, and the validator itself. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aibomFileName, SCALE, scoreCompleteness, validateAibom } from '../../services/aibom/index.ts';
import { EstateCompleteness } from '../../services/aibom/estate.ts';
import { purlOf } from '../../services/aibom/identity.ts';
import { hashesOfIntegrity } from '../../services/aibom/hashes.ts';
import { licensesOf } from '../../services/aibom/licenses.ts';
import type { GraphNode } from '../../schema/records.ts';

describe('purls', () => {
  it('follow the purl-spec huggingface and mlflow cases', () => {
    // Expected values are the canonical forms in package-url/purl-spec tests/types/{huggingface,mlflow}-test.json.
    assert.equal(
      purlOf('hf:model/distilbert/distilbert-base-uncased', '043235d6088ecd3dd5fb5ca3592b6913fd516027'),
      'pkg:huggingface/distilbert/distilbert-base-uncased@043235d6088ecd3dd5fb5ca3592b6913fd516027',
    );
    assert.equal(
      purlOf('hf:model/EleutherAI/gpt-neo-1.3B', '797174552AE47F449AB70B684CABCB6603E5E85E'),
      'pkg:huggingface/EleutherAI/gpt-neo-1.3B@797174552ae47f449ab70b684cabcb6603e5e85e',
    );
    assert.equal(purlOf('hf:model/LumiOpen/Poro-34B', '100B'), 'pkg:huggingface/LumiOpen/Poro-34B@100B');
    assert.equal(purlOf('hf:dataset/bigcode/the-stack', 'v1.1'), 'pkg:huggingface/bigcode/the-stack@v1.1?type=dataset');
    assert.equal(purlOf('mlflow:model/CreditFraud/3', undefined), 'pkg:mlflow/CreditFraud@3');
  });

  it('percent-encode what would break a purl', () => {
    assert.equal(purlOf('hf:model/o w/n@x', undefined), 'pkg:huggingface/o%20w/n%40x');
  });
});

describe('licensesOf', () => {
  const licenses = (license: string) =>
    [...licensesOf({ kind: 'Package', key: 'pkg:npm/x@1.0.0', props: { license } } as GraphNode)].map((l) => ('expression' in l ? { expression: l.expression } : 'id' in l ? { id: l.id } : { name: l.name }));

  it('writes an SPDX expression as an expression, a single SPDX id as an id, and anything else as a name', () => {
    // CycloneDX's `expression` holds a valid SPDX expression: WITH, parentheses and LicenseRef- included.
    for (const expression of ['Apache-2.0 WITH LLVM-exception', '(MIT OR CC0-1.0)', 'BSD-3-Clause AND (MIT OR Apache-2.0)', 'GPL-2.0-or-later OR LicenseRef-acme', 'MIT OR Apache-2.0']) {
      assert.deepEqual(licenses(expression), [{ expression }], expression);
    }
    assert.deepEqual(licenses('mit'), [{ id: 'MIT' }]);
    assert.deepEqual(licenses('Apache License 2.0'), [{ name: 'Apache License 2.0' }]);
    assert.deepEqual(licenses('MIT OR'), [{ name: 'MIT OR' }]);
  });
});

describe('hashesOfIntegrity', () => {
  const hex = (bytes: number, fill: number) => Buffer.alloc(bytes, fill).toString('hex');
  const b64 = (bytes: number, fill: number) => Buffer.alloc(bytes, fill).toString('base64');
  it('reads an SRI string as ssri does: several entries, options after "?", unknown or malformed entries skipped', () => {
    const sri = `sha512-${b64(64, 1)}?opt  sha1-${b64(20, 2)}\nmd5-${b64(16, 3)} sha256-${b64(31, 4)} sha384-not*base64 sha384-${b64(48, 5)}`;
    assert.deepEqual([...hashesOfIntegrity(sri)].sort(), [
      ['SHA-1', hex(20, 2)],
      ['SHA-384', hex(48, 5)],
      ['SHA-512', hex(64, 1)],
    ]);
  });
  it('gives nothing for nothing or a hostile string', () => {
    assert.equal(hashesOfIntegrity(undefined).size, 0);
    assert.equal(hashesOfIntegrity("sha512-' OR 1=1 --").size, 0);
    assert.equal(hashesOfIntegrity('x'.repeat(100_000)).size, 0);
  });
});

describe('aibomFileName', () => {
  it('never yields a path, a hidden file or a collision', () => {
    const hostile = ['hf:model/../../etc/passwd', 'hf:model/a/..', 'hf:model/.hidden/x', 'hf:model/a\\b/c', 'hf:model/a b/c', 'hf:model/a_b/c', 'hf:model/' + 'x'.repeat(3000)];
    const names = hostile.map(aibomFileName);
    for (const n of names) {
      assert.match(n, /^[A-Za-z0-9][A-Za-z0-9._-]*\.cdx\.json$/, n);
      assert.ok(!n.includes('/') && !n.includes('\\') && n.length < 120, n);
    }
    assert.equal(new Set(names).size, names.length, 'keys that sanitize alike still get distinct names');
    assert.equal(aibomFileName('hf:model/a b/c'), aibomFileName('hf:model/a b/c'), 'stable');
  });
});

describe('completeness score', () => {
  const full = {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
    version: 1,
    metadata: {
      timestamp: '2025-01-01T00:00:00Z',
      tools: { components: [{ type: 'application', name: 'aispm' }] },
      component: {
        type: 'machine-learning-model',
        name: 'm',
        version: 'abc',
        purl: 'pkg:huggingface/o/m@abc',
        description: 'd',
        supplier: { name: 'o' },
        licenses: [{ license: { id: 'MIT' } }],
        externalReferences: [
          { type: 'website', url: 'https://x' },
          { type: 'distribution', url: 'https://x/tree/abc' },
          { type: 'model-card', url: 'https://x/card' },
          { type: 'documentation', url: 'https://x/paper' },
          { type: 'vcs', url: 'https://x' },
        ],
        modelCard: {
          modelParameters: { task: 't', architectureFamily: 'a', datasets: [{ ref: 'd' }], inputs: [{ format: 'text' }], outputs: [{ format: 'text' }] },
          quantitativeAnalysis: { performanceMetrics: [{ type: 'acc', value: '1' }] },
          considerations: { useCases: ['u'], technicalLimitations: ['l'], ethicalConsiderations: [{ name: 'e' }] },
        },
      },
    },
  };

  it('is 100 when every scored field is present', () => {
    const s = scoreCompleteness(full);
    assert.equal(s.total, 100);
    assert.equal(s.penalty, 1);
    assert.deepEqual(s.missingCritical, []);
  });

  it('weighs categories and tiers, and penalises missing critical and important fields', () => {
    // No model card at all: 30 points of model card lost, task (critical) and 5 important fields missing.
    const noCard = structuredClone(full) as typeof full;
    delete (noCard.metadata.component as Partial<typeof full.metadata.component>).modelCard;
    const s = scoreCompleteness(noCard);
    assert.equal(s.categories.component_model_card.score, 0);
    // metadata: primaryPurpose (3 of 9) missing → 20 × 6/9.
    assert.equal(s.categories.metadata.score, 13.3);
    assert.deepEqual(s.missingCritical, ['primaryPurpose']);
    assert.equal(s.missingImportant.length, 5);
    assert.equal(s.penalty, 0.95);
    assert.equal(s.total, Math.round((20 + 20 * 6 / 9 + 20 + 0 + 10) * 0.95 * 10) / 10);

    // An empty document: everything missing, the heaviest penalty.
    const empty = scoreCompleteness({});
    assert.equal(empty.total, 0);
    assert.equal(empty.penalty, 0.76);
  });

  it('counts a card\'s ethical considerations, not the risks the BOM states there (named by its vulnerabilities)', () => {
    const riskOnly = structuredClone(full) as Record<string, unknown> & typeof full;
    riskOnly.metadata.component.modelCard.considerations.ethicalConsiderations = [{ name: 'x.bin imports os.system.' }];
    riskOnly.vulnerabilities = [{ id: 'pickle-dangerous:1', description: 'x.bin imports os.system.' }];
    const s = scoreCompleteness(riskOnly);
    assert.deepEqual(s.missingImportant, ['ethicalConsiderations']);
    assert.ok(s.total < 100);
    riskOnly.vulnerabilities = [];
    assert.equal(scoreCompleteness(riskOnly).total, 100, 'the same statement with no such vulnerability is the card\'s');
  });
});

describe('estate completeness (bom --all)', () => {
  it('median, spread, the least complete models and the fields most often missing, with who could fill them', () => {
    const estate = new EstateCompleteness(2);
    const score = (total: number, missing: string[]) => {
      const s = scoreCompleteness({});
      s.total = total;
      for (const c of Object.values(s.categories)) c.missing = c.missing.filter((f) => missing.includes(f));
      return s;
    };
    estate.add('hf:model/a/x', score(80, ['description']));
    estate.add('hf:model/b/y', score(60, ['description', 'paper']));
    estate.add('hf:model/c/z', score(70, []));
    estate.add('hf:model/d/w', score(60, ['description']));
    const e = estate.summary();
    assert.equal(e.scale, SCALE);
    assert.equal(e.count, 4);
    assert.equal(e.median, 65);
    assert.equal(e.mean, 67.5);
    assert.deepEqual([e.min, e.max], [60, 80]);
    assert.deepEqual(e.lowest, [{ key: 'hf:model/b/y', score: 60 }, { key: 'hf:model/d/w', score: 60 }]);
    assert.deepEqual(e.missing.map((m) => [m.field, m.count]), [['component_basic.description', 3], ['external_references.paper', 1]]);
    assert.match(e.missing[1]!.filledBy, /arxiv/);
    assert.equal(new EstateCompleteness().summary().count, 0);
  });
});

describe('validateAibom', () => {
  it('rejects what the CycloneDX schemas reject (so a passing validation means something)', () => {
    const bad = {
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      version: 1,
      components: [{ type: 'machine-learning-model', name: 'm', modelCard: { unknownField: true }, hashes: [{ alg: 'SHA-256', content: 'xyz' }] }],
      metadata: { timestamp: 'yesterday' },
    };
    for (const spec of ['1.6', '1.7'] as const) {
      const r = validateAibom({ ...bad, specVersion: spec }, spec);
      assert.equal(r.valid, false);
      assert.ok(r.errors.some((e) => /timestamp/.test(e) && /format/.test(e)), r.errors.join('\n'));
      assert.ok(r.errors.some((e) => /modelCard/.test(e)), r.errors.join('\n'));
    }
    assert.equal(validateAibom({ bomFormat: 'CycloneDX', specVersion: '1.7', version: 1 }, '1.7').valid, true);
  });
});
