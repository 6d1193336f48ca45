/**
 * Key meanings: every key format of schema/model.ts parses, builds, maps to its purl and page URL and back, on
 * generated keys (seeded, so a failure reproduces), plus the purl specification's own pkg:huggingface and
 * pkg:mlflow test cases.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createRng, type Rng } from '../../bench/lib/prng.ts';
import {
  KeyError,
  identityName,
  keyOf,
  keyOfPurl,
  keyOfUrl,
  kindOfKey,
  labelOfKey,
  ownerOfKey,
  packageKey,
  parseKey,
  parsePurl,
  purlOfKey,
  urlOfKey,
} from '../../schema/keys.ts';
import { KEY_FORMATS, NODE_KINDS, SOURCE_SPECS, type KeyFormatSpec } from '../../schema/model.ts';
import { validateBatch } from '../../schema/validate.ts';

const SAFE = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
/** Characters real names hold, and some that hostile ones do (they must survive as data). */
const ODD = [...'-_.~@%#?&=+!$\'()*,;: é中🙂'];

function word(rng: Rng, min = 1, max = 12): string {
  const n = min + rng.int(max - min + 1);
  let out = SAFE[rng.int(SAFE.length)]!;
  while (out.length < n) out += rng.chance(0.2) ? rng.pick(ODD) : SAFE[rng.int(SAFE.length)]!;
  // Dot segments have no safe page URL (a URL parser would resolve them), and no source names a thing "." or "..".
  return out === '.' || out === '..' ? `${out}x` : out;
}

/** A value for one part: its own pattern where the format narrows it, a path of segments for a `…` part. */
function partValue(rng: Rng, format: KeyFormatSpec, name: string, many: boolean): string {
  const pattern = format.partPatterns?.[name];
  if (pattern === '[0-9a-f]{64}') return Array.from({ length: 64 }, () => '0123456789abcdef'[rng.int(16)]).join('');
  if (pattern?.startsWith('[0-9a-f]{40}')) return Array.from({ length: 40 }, () => '0123456789abcdef'[rng.int(16)]).join('');
  if (pattern === '[0-9A-Za-z._-]+') return Array.from({ length: 1 + rng.int(40) }, () => SAFE[rng.int(SAFE.length)]).join('');
  if (many) return Array.from({ length: 1 + rng.int(4) }, () => word(rng)).join('/');
  // One-segment parts may hold '/' (an MLflow model name can): keys encode it so they still split one way.
  return rng.chance(0.1) ? `${word(rng)}/${word(rng)}` : word(rng);
}

const partsOf = (format: KeyFormatSpec) => [...format.template.matchAll(/<([a-z0-9]+)(…)?>/giu)].map((m) => ({ name: m[1]!, many: m[2] !== undefined }));

function generated(format: KeyFormatSpec, rng: Rng): Record<string, string> {
  return Object.fromEntries(partsOf(format).map((p) => [p.name, partValue(rng, format, p.name, p.many)]));
}

const TEMPLATED = KEY_FORMATS.filter((f) => f.id !== 'package');
const fold = (format: KeyFormatSpec, parts: Record<string, string>) =>
  format.caseInsensitive ? Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, v.toLowerCase()])) : parts;

describe('key formats', () => {
  it('every node kind has a format and every format id is unique', () => {
    for (const kind of NODE_KINDS) assert.ok(KEY_FORMATS.some((f) => f.kind === kind), kind);
    assert.equal(new Set(KEY_FORMATS.map((f) => f.id)).size, KEY_FORMATS.length);
  });

  it('schema/README.md lists every key format with its id', () => {
    const readme = readFileSync(new URL('../../schema/README.md', import.meta.url), 'utf8');
    for (const f of KEY_FORMATS) assert.ok(readme.includes(`| \`${f.template}\` |`) && readme.includes(`\`${f.id}\``), f.id);
  });

  it('generated keys of every format parse back to their format and parts, and build the same key again', () => {
    const rng = createRng(15);
    for (const format of TEMPLATED) {
      for (let i = 0; i < 200; i++) {
        const parts = generated(format, rng);
        const key = keyOf(format.id, parts);
        const parsed = parseKey(key);
        assert.equal(parsed?.format.id, format.id, `${key} parsed as ${parsed?.format.id}`);
        assert.deepEqual(parsed.parts, fold(format, parts), key);
        assert.equal(kindOfKey(key), format.kind);
        assert.equal(keyOf(format.id, parsed.parts), key);
        // The fast paths (an owner-only pattern, a label cut after the prefix) say what the full parse says.
        assert.equal(ownerOfKey(key), format.owner ? parsed.parts[format.owner] : undefined, key);
        if (format.kind === 'Identity') assert.equal(identityName(key), labelOfKey(key).toLowerCase(), key);
        // Every generated key is a valid record key of its kind.
        validateBatch({ nodes: [{ kind: format.kind, key }], edges: [] });
      }
    }
  });

  it('key → purl → key round-trips for every format with a purl, with the purl spec canonical version', () => {
    const rng = createRng(16);
    const withPurl = KEY_FORMATS.filter((f) => f.purl);
    assert.ok(withPurl.length >= 6);
    for (const format of withPurl) {
      for (let i = 0; i < 200; i++) {
        const key = keyOf(format.id, generated(format, rng));
        const sha = rng.chance(0.5) ? 'ABCDEF0123456789abcdef0123456789ABCDEF01' : undefined;
        const purl = purlOfKey(key, sha);
        assert.ok(purl !== undefined && purl.startsWith(`pkg:${format.purl!.type}/`), `${key} → ${purl}`);
        const back = keyOfPurl(purl);
        assert.equal(back?.key, key, `${key} → ${purl} → ${back?.key}`);
        if (format.purl!.version === undefined) assert.equal(back.version, sha?.toLowerCase());
      }
    }
  });

  it('package keys are canonical purls: built, read back from any spelling, and their own purl', () => {
    const rng = createRng(17);
    for (let i = 0; i < 300; i++) {
      const type = rng.pick(['pypi', 'npm', 'maven', 'generic', 'cargo']);
      const namespace = type === 'npm' ? (rng.chance(0.5) ? [`@${word(rng)}`] : []) : type === 'maven' ? [word(rng), word(rng)] : [];
      const key = packageKey(type, word(rng), word(rng), namespace);
      assert.equal(kindOfKey(key), 'Package', key);
      assert.equal(purlOfKey(key), key);
      assert.equal(keyOfPurl(key)?.key, key);
      assert.equal(keyOfPurl(`${key}?arch=x86_64#sub/dir`)?.key, key, 'qualifiers and subpath are not part of the key');
    }
    assert.equal(packageKey('pypi', 'Torch_Audio', '2.1.0'), 'pkg:pypi/torch-audio@2.1.0');
    assert.equal(keyOfPurl('pkg:PyPI/Django_REST.framework@3.14')?.key, 'pkg:pypi/django-rest-framework@3.14');
    assert.equal(packageKey('npm', 'core', '17.0.0', ['@angular']), 'pkg:npm/%40angular/core@17.0.0');
    assert.equal(keyOfPurl('pkg:npm/lodash'), undefined, 'a package key needs a version');
  });

  it('key → page URL → key round-trips on the public sites and on configured endpoints with a base path', () => {
    const rng = createRng(18);
    const endpoints = { hf: 'https://hub.example.org/mirror', gh: 'https://ghe.example.com', mlflow: 'http://10.0.0.5:5000', osv: 'https://osv.example' };
    for (const format of TEMPLATED.filter((f) => f.url && f.kind !== 'Identity')) {
      for (let i = 0; i < 150; i++) {
        const key = keyOf(format.id, generated(format, rng));
        for (const config of [{}, endpoints]) {
          const url = urlOfKey(key, config);
          if (format.source === 'mlflow' && config !== endpoints) {
            assert.equal(url, undefined, 'no MLflow server is public: without a configured endpoint there is no page');
            continue;
          }
          assert.ok(url, `${key} has a page`);
          assert.equal(keyOfUrl(url, config), key, `${key} → ${url}`);
        }
      }
    }
    // Package pages too.
    // The public index's origin is the model's default (SOURCE_SPECS), not a literal here.
    const pypi = SOURCE_SPECS.pypi.defaultWebUrl;
    assert.equal(urlOfKey('pkg:pypi/torch@2.1.0'), `${pypi}/project/torch/2.1.0/`);
    assert.equal(keyOfUrl(`${pypi}/project/torch/2.1.0/`), 'pkg:pypi/torch@2.1.0');
    assert.equal(keyOfUrl(urlOfKey('pkg:npm/%40angular/core@17.0.0')!), 'pkg:npm/%40angular/core@17.0.0');
  });

  it('reads VCS URLs the way package metadata and SBOMs write them', () => {
    for (const url of [
      'https://github.com/Acme/Repo',
      'https://github.com/acme/repo.git',
      'git+https://github.com/acme/repo.git',
      'git+ssh://git@github.com/acme/repo.git',
      'git@github.com:acme/repo.git',
      'https://github.com/acme/repo/tree/main/src',
    ]) {
      assert.equal(keyOfUrl(url), 'gh:repo/acme/repo', url);
    }
    assert.equal(keyOfUrl('https://ghe.example.com/acme/repo', { gh: 'https://ghe.example.com' }), 'gh:repo/acme/repo');
    const hub = SOURCE_SPECS.hf.defaultWebUrl;
    assert.equal(keyOfUrl(`${hub}/datasets/acme/d/tree/main`), 'hf:dataset/acme/d');
    assert.equal(keyOfUrl(`${hub}/acme/m/resolve/main/model.bin`), 'hf:model/acme/m');
    assert.equal(keyOfUrl('https://example.com/acme/repo'), undefined, 'a URL on no known endpoint names nothing');
    assert.equal(keyOfUrl('javascript:alert(1)'), undefined);
  });

  it('the purl specification test cases for pkg:huggingface and pkg:mlflow', () => {
    const hf: [string, string, string | undefined][] = [
      ['pkg:huggingface/distilbert/distilbert-base-uncased@043235d6088ecd3dd5fb5ca3592b6913fd516027', 'hf:model/distilbert/distilbert-base-uncased', '043235d6088ecd3dd5fb5ca3592b6913fd516027'],
      ['pkg:huggingface/microsoft/deberta-v3-base@559062ad13d311b87b2c455e67dcd5f1c8f65111?repository_url=https://hub-ci.huggingface.co', 'hf:model/microsoft/deberta-v3-base', '559062ad13d311b87b2c455e67dcd5f1c8f65111'],
      ['pkg:huggingface/EleutherAI/gpt-neo-1.3B@797174552AE47F449AB70B684CABCB6603E5E85E', 'hf:model/EleutherAI/gpt-neo-1.3B', '797174552ae47f449ab70b684cabcb6603e5e85e'],
      ['pkg:huggingface/LumiOpen/Poro-34B@100B', 'hf:model/LumiOpen/Poro-34B', '100B'],
      ['pkg:huggingface/LumiOpen/Poro-34B@14d8824c28d782fcd1cd9579ac06644f60e62450?type=model', 'hf:model/LumiOpen/Poro-34B', '14d8824c28d782fcd1cd9579ac06644f60e62450'],
      ['pkg:huggingface/bigcode/the-stack@v1.1?type=dataset', 'hf:dataset/bigcode/the-stack', 'v1.1'],
      ['pkg:huggingface/black-forest-labs/FLUX.1-Kontext-Dev?type=space', 'hf:space/black-forest-labs/FLUX.1-Kontext-Dev', undefined],
    ];
    for (const [purl, key, version] of hf) {
      assert.deepEqual(keyOfPurl(purl), version === undefined ? { key } : { key, version }, purl);
      // Writing it back gives the canonical form (hex versions lower-cased; the repository_url is not part of the key).
      if (!purl.includes('repository_url')) assert.equal(purlOfKey(key, version), purl.replace(/@[0-9A-F]{40}$/u, (v) => v.toLowerCase()).replace('?type=model', ''));
    }
    const databricks = 'https://adb-5245952564735461.0.azuredatabricks.net/api/2.0/mlflow';
    const azureml = 'https://westus2.api.azureml.ms/mlflow/v1.0/subscriptions/a50f2011-fab8-4164-af23-c62881ef8c95/resourceGroups/TestResourceGroup/providers/Microsoft.MachineLearningServices/workspaces/TestWorkspace';
    assert.equal(keyOfPurl(`pkg:mlflow/CreditFraud@3?repository_url=${databricks}`)?.key, 'mlflow:model/creditfraud/3', 'Databricks names are case-insensitive');
    assert.equal(keyOfPurl(`pkg:mlflow/CreditFraud@3?repository_url=${azureml}`)?.key, 'mlflow:model/CreditFraud/3', 'Azure ML keeps case');
    assert.equal(keyOfPurl(`pkg:mlflow/trafficsigns@10?model_uuid=36233173b22f4c89b451f1228d700d49&run_id=410a3121-2709-4f88-98dd-dba0ef056b0a&repository_url=${databricks}`)?.key, 'mlflow:model/trafficsigns/10');
    assert.equal(purlOfKey('mlflow:model/CreditFraud/3'), 'pkg:mlflow/CreditFraud@3');
    assert.deepEqual(parsePurl(`pkg:mlflow/CreditFraud@3?repository_url=${azureml}`)?.qualifiers, { repository_url: azureml });
  });

  it('says who owns a key, a short label, and an identity name', () => {
    assert.equal(ownerOfKey('hf:model/Acme/x'), 'Acme');
    assert.equal(ownerOfKey('hf:file/datasets/acme/d/a.pkl@1'), 'acme');
    assert.equal(ownerOfKey('gh:deployment/acme/repo/prod'), 'acme');
    assert.equal(ownerOfKey('gh:team/acme/ml-platform'), 'acme', "a team's owner is its organisation");
    assert.equal(ownerOfKey('hf:model/gpt2'), undefined);
    assert.equal(ownerOfKey('pkg:pypi/torch@1.0.0'), undefined);
    assert.equal(labelOfKey('hf:model/acme/x'), 'acme/x');
    assert.equal(labelOfKey('pkg:pypi/torch@2.1.0'), 'torch@2.1.0');
    assert.equal(labelOfKey('vuln:GHSA-xxxx'), 'GHSA-xxxx');
    assert.equal(labelOfKey('not a key'), 'not a key');
    assert.equal(identityName('hf:org/Acme'), 'acme');
    assert.equal(identityName('gh:team/acme/ml'), 'acme/ml');
    assert.equal(identityName('Acme'), 'acme');
  });

  it('refuses parts that would not parse back, and hostile strings match no format', () => {
    assert.throws(() => keyOf('hf-model', { owner: 'acme', name: '' }), KeyError);
    assert.throws(() => keyOf('hf-model', { owner: 'acme' }), KeyError);
    assert.throws(() => keyOf('hf-model', { owner: 'ac\nme', name: 'x' }), KeyError);
    assert.throws(() => keyOf('gh-file', { owner: 'a', repo: 'b', path: 'x.py', sha: 'main' }), KeyError, 'a file key needs a commit sha');
    assert.throws(() => keyOf('no-such-format', {}), KeyError);
    for (const hostile of ["hf:model/a/b' OR 1=1 --", 'MATCH (n) DETACH DELETE n', '', ':', 'hf:', 'hf:model/', 'hf:model/a/b/c', 'x'.repeat(10_000)]) {
      const parsed = parseKey(hostile);
      if (parsed) assert.equal(keyOf(parsed.format.id, parsed.parts), hostile, 'a hostile string that is a key is one key, as data');
    }
    assert.equal(kindOfKey('hf:model/a/b/c'), undefined);
    assert.equal(urlOfKey('hf:file/a/b/../../etc/passwd@1'), undefined, 'a path with dot segments has no page URL');
  });
});
