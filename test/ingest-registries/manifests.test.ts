/**
 * Manifest parsers against the rules of the tools that read the files: PEP 508 examples and packaging's error
 * cases, pip's requirements-file format, PEP 621/735 and Poetry's documented constraint table, npm's spec types and
 * lockfile versions 1–3, conda environments and MLflow's python_env.yaml.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  declaredPackageKey,
  manifestFormatOf,
  MAX_MANIFEST_CHARS,
  parseManifest,
  parseRequirement,
  poetryToPep440,
  RequirementSyntaxError,
  type DeclaredDependency,
  type ManifestResult,
} from '../../ingest/manifests/index.ts';

const parse = (path: string, text: string): ManifestResult => {
  const r = parseManifest(path, text);
  assert.ok(r, `${path} is a manifest`);
  return r;
};
const byName = (r: ManifestResult, name: string): DeclaredDependency[] => r.dependencies.filter((d) => d.name === name);
const one = (r: ManifestResult, name: string): DeclaredDependency => {
  const found = byName(r, name);
  assert.equal(found.length, 1, `one entry for ${name}: ${JSON.stringify(r.dependencies.map((d) => d.name))}`);
  return found[0]!;
};

describe('PEP 508 requirement strings', () => {
  it('reads the examples of the specification', () => {
    assert.deepEqual(parseRequirement('A'), { name: 'A', extras: [], specifier: '', markerExtras: [] });
    assert.equal(parseRequirement('A.B-C_D').name, 'A.B-C_D');
    assert.equal(parseRequirement('name<=1').specifier, '<=1');
    assert.equal(parseRequirement('name>=3,<2').specifier, '>=3,<2');
    assert.equal(parseRequirement('name ( >= 3 , < 2 )').specifier, '>=3,<2');
    assert.deepEqual(parseRequirement('name@http://foo.com'), { name: 'name', extras: [], specifier: '', url: 'http://foo.com', markerExtras: [] });
    const full = parseRequirement("name [fred,bar] @ http://foo.com ; python_version=='2.7'");
    assert.deepEqual(full, { name: 'name', extras: ['fred', 'bar'], specifier: '', url: 'http://foo.com', marker: "python_version=='2.7'", markerExtras: [] });
    const marker = parseRequirement('name[quux, strange];python_version<"2.7" and platform_version=="2"');
    assert.deepEqual(marker.extras, ['quux', 'strange']);
    assert.equal(marker.marker, 'python_version<"2.7" and platform_version=="2"');
    assert.equal(parseRequirement('name; os_name=="a" or os_name=="b"').marker, 'os_name=="a" or os_name=="b"');
  });

  it('reads the old parenthesised form PyPI serves in requires_dist, and extras in markers', () => {
    const r = parseRequirement("cryptography (>=1.3.4); extra == 'security'");
    assert.equal(r.specifier, '>=1.3.4');
    assert.deepEqual(r.markerExtras, ['security']);
    assert.deepEqual(parseRequirement('x; "Dev_Tools" == extra').markerExtras, ['dev-tools'], 'PEP 685 normalisation');
    const nested = parseRequirement('win-inet-pton; sys_platform == "win32" and (python_version == "2.7" or python_version == "2.6") and extra == \'socks\'');
    assert.deepEqual(nested.markerExtras, ['socks']);
  });

  it('refuses what packaging refuses, naming the column', () => {
    const bad = [
      'name @', // URL after @
      'name[bar baz]', // comma between extras
      'name >= 1.0 ;', // marker after ;
      'name; python_version < "3" and', // incomplete marker
      'foo>=1.0.*', // a prefix match only with == and !=
      'foo~=1', // ~= needs two release segments
      'foo==1.0+local.*',
      '-foo',
      'name (>=1.0',
      'name; unknown_var == "1"',
      'name; python_version not "3"',
      'name==1.0 extra',
    ];
    for (const text of bad) {
      assert.throws(() => parseRequirement(text), (err: unknown) => err instanceof RequirementSyntaxError && /column \d+/.test(err.message), text);
    }
  });
});

describe('requirements.txt (pip)', () => {
  const text = [
    '# top comment',
    '--index-url https://mirror.example/simple',
    '--extra-index-url=https://extra.example/simple',
    'requests[security,socks]>=2.8.1,==2.8.*; python_version < "2.7"  # trailing comment',
    'numpy==1.26.0 \\',
    '    --hash=sha256:aaaa \\',
    '    --hash=sha256:bbbb',
    '-r other.txt',
    '--requirement=more.txt',
    '-cconstraints.txt',
    '-e git+https://github.com/acme/tool.git@v1#egg=acme-tool',
    'https://files.example/pkgs/torch-2.1.0-cp311-cp311-linux_x86_64.whl ; sys_platform == "linux"',
    'foo @ https://example.com/foo-1.0.tar.gz ; python_version >= "3"',
    'Django_Rest.framework  ===  3.0',
    'cryptography (>=1.3.4); extra == "security"',
    'pkg>=1.0 --config-settings=a=b',
    'bad line here !!',
    './local/project',
  ].join('\n');
  const r = parse('requirements.txt', text);

  it('reads names, ranges, pins, extras, markers and hashes as pip does', () => {
    const req = one(r, 'requests');
    assert.equal(req.versionRange, '>=2.8.1,==2.8.*');
    assert.equal(req.pinnedVersion, undefined, 'a wildcard is not a pin');
    assert.deepEqual(req.extras, ['security', 'socks']);
    assert.equal(req.marker, 'python_version < "2.7"');
    assert.equal(req.evidence, 'requirements.txt:4');
    const numpy = one(r, 'numpy');
    assert.equal(numpy.pinnedVersion, '1.26.0');
    assert.deepEqual(numpy.hashes, ['sha256:aaaa', 'sha256:bbbb']);
    assert.equal(numpy.evidence, 'requirements.txt:5', 'a continued line is evidenced by its first line');
    assert.equal(one(r, 'Django_Rest.framework').pinnedVersion, '3.0');
    assert.equal(one(r, 'pkg').versionRange, '>=1.0');
    assert.equal(one(r, 'cryptography').scope, 'optional', 'an extra-only requirement is optional');
    assert.equal(one(r, 'requests').scope, 'runtime');
  });

  it('reads direct references: editable VCS, wheel URLs (pinned by file name) and name @ url', () => {
    const tool = one(r, 'acme-tool');
    assert.equal(tool.source, 'git');
    assert.equal(tool.reference, 'git+https://github.com/acme/tool.git@v1#egg=acme-tool');
    const torch = one(r, 'torch');
    assert.equal(torch.pinnedVersion, '2.1.0');
    assert.equal(torch.source, 'url');
    assert.equal(torch.marker, 'sys_platform == "linux"');
    assert.equal(one(r, 'foo').reference, 'https://example.com/foo-1.0.tar.gz');
    assert.equal(declaredPackageKey(torch), undefined, 'a URL install is not the registry package');
  });

  it('reports includes, indexes, bad lines and nameless paths instead of failing', () => {
    assert.deepEqual(r.includes.map((i) => [i.kind, i.path]), [['requirements', 'other.txt'], ['requirements', 'more.txt'], ['constraints', 'constraints.txt']]);
    assert.deepEqual(r.indexes, ['https://mirror.example/simple', 'https://extra.example/simple']);
    assert.ok(r.warnings.some((w) => w.startsWith('requirements.txt:17: not a valid requirement')), r.warnings.join('\n'));
    assert.ok(r.warnings.some((w) => w.includes('./local/project names no package')));
    assert.ok(one(r, 'acme-tool').reference?.endsWith('#egg=acme-tool'), 'a # not after whitespace is not a comment');
  });

  it('names a dev requirements file dev, and pins make package keys', () => {
    const dev = parse('ci/requirements-dev.txt', 'pytest==8.0.0\n');
    assert.equal(dev.dependencies[0]!.scope, 'dev');
    assert.equal(declaredPackageKey(dev.dependencies[0]!), 'pkg:pypi/pytest@8.0.0');
    assert.equal(declaredPackageKey(one(r, 'Django_Rest.framework')), 'pkg:pypi/django-rest-framework@3.0');
  });
});

describe('pyproject.toml and poetry.lock', () => {
  it('translates Poetry constraints by its documented table', () => {
    const table: Array<[string, string]> = [
      ['^1.2.3', '>=1.2.3,<2'],
      ['^1.2', '>=1.2,<2'],
      ['^1', '>=1,<2'],
      ['^0.2.3', '>=0.2.3,<0.3'],
      ['^0.0.3', '>=0.0.3,<0.0.4'],
      ['^0.0', '>=0.0,<0.1'],
      ['^0', '>=0,<1'],
      ['~1.2.3', '>=1.2.3,<1.3'],
      ['~1.2', '>=1.2,<1.3'],
      ['~1', '>=1,<2'],
      ['1.2.*', '==1.2.*'],
      ['1.2.3', '==1.2.3'],
      ['>= 1.2, < 1.5', '>=1.2,<1.5'],
      ['>=1.2 <1.5', '>=1.2,<1.5'],
      ['*', ''],
      ['^1.0 || ^3.1', '>=1.0,<2 || >=3.1,<4'],
    ];
    for (const [poetry, pep440] of table) assert.equal(poetryToPep440(poetry), pep440, poetry);
  });

  it('reads PEP 621, PEP 735 groups, build requirements and Poetry tables', () => {
    const r = parse('svc/pyproject.toml', `
[build-system]
requires = ["setuptools>=68", "wheel"]

[project]
name = "svc"
dependencies = ["mlflow>=2.8,<3", "torch==2.1.0"]

[project.optional-dependencies]
gpu = ["nvidia-cublas-cu12"]

[dependency-groups]
test = ["pytest>=8", {include-group = "lint"}]
lint = ["ruff"]

[tool.poetry.dependencies]
python = "^3.10"
mlflow = { version = "^2.8", source = "internal" }
gradio = { version = "^4.0", optional = true, extras = ["oauth"] }

[tool.poetry.group.dev.dependencies]
black = "^24.1"

[[tool.poetry.source]]
name = "internal"
url = "https://pypi.internal.example/simple"
`);
    assert.equal(one(r, 'mlflow').versionRange, '>=2.8,<3', 'Poetry adds nothing for a name [project] declares');
    assert.equal(one(r, 'torch').pinnedVersion, '2.1.0');
    assert.equal(one(r, 'nvidia-cublas-cu12').scope, 'optional');
    assert.equal(one(r, 'pytest').scope, 'dev');
    assert.equal(one(r, 'ruff').evidence, 'svc/pyproject.toml:dependency-groups.lint');
    assert.equal(one(r, 'setuptools').scope, 'build');
    const gradio = one(r, 'gradio');
    assert.deepEqual([gradio.versionRange, gradio.scope, gradio.extras], ['>=4.0,<5', 'optional', ['oauth']]);
    assert.equal(one(r, 'black').scope, 'dev');
    assert.equal(byName(r, 'python').length, 0);
    assert.deepEqual(r.indexes, ['https://pypi.internal.example/simple']);
  });

  it('reads poetry.lock entries and what each locked package requires', () => {
    const r = parse('poetry.lock', `
[[package]]
name = "requests"
version = "2.31.0"
optional = false
groups = ["main"]
files = [{file = "requests-2.31.0.tar.gz", hash = "sha256:942c5a758f98d790eaed1a29cb6eefc7ffb0d1cf7af05c3d2791656dbd6ad1e1"}]

[package.dependencies]
urllib3 = ">=1.21.1,<3"
idna = ">=2.5,<4"

[[package]]
name = "urllib3"
version = "2.0.7"
category = "main"

[[package]]
name = "pytest"
version = "8.0.0"
groups = ["dev"]
`);
    const requests = byName(r, 'requests');
    assert.equal(requests.length, 1);
    assert.deepEqual([requests[0]!.pinnedVersion, requests[0]!.scope, requests[0]!.hashes?.length], ['2.31.0', 'runtime', 1]);
    const edge = byName(r, 'urllib3').find((d) => d.requiredBy);
    assert.deepEqual(edge?.requiredBy, { name: 'requests', version: '2.31.0' });
    assert.deepEqual([edge?.pinnedVersion, edge?.versionRange], ['2.0.7', '>=1.21.1,<3']);
    assert.equal(byName(r, 'idna').length, 0, 'a requirement the lock does not hold is not invented');
    assert.equal(one(r, 'pytest').scope, 'dev');
  });

  it('warns on TOML that does not parse', () => {
    const r = parse('pyproject.toml', '[project\nname = 1');
    assert.equal(r.dependencies.length, 0);
    assert.match(r.warnings[0]!, /^pyproject\.toml: not valid TOML/);
  });
});

describe('package.json and package-lock.json (npm)', () => {
  it('classifies each spec as npm-package-arg does', () => {
    const r = parse('web/package.json', JSON.stringify({
      dependencies: { '@huggingface/transformers': '^3.0.0', 'onnxruntime-node': '1.20.0', sharp: 'latest', old: 'npm:left-pad@^1.3.0', tool: 'github:acme/tool#v1', local: 'file:../local', ws: 'workspace:*', 'Bad Name': '1.0.0' },
      devDependencies: { typescript: '~5.4.0', react: '^18' },
      peerDependencies: { react: '>=17' },
      optionalDependencies: { 'onnxruntime-node': '1.20.0' },
    }));
    const tf = one(r, '@huggingface/transformers');
    assert.deepEqual([tf.versionRange, tf.scope, tf.source], ['^3.0.0', 'runtime', 'registry']);
    const ort = one(r, 'onnxruntime-node');
    assert.deepEqual([ort.pinnedVersion, ort.scope], ['1.20.0', 'optional'], 'optionalDependencies win over dependencies');
    assert.equal(one(r, 'sharp').versionRange, 'latest');
    assert.equal(one(r, 'left-pad').versionRange, '^1.3.0', 'an alias names the real package');
    assert.equal(one(r, 'tool').source, 'git');
    assert.equal(one(r, 'local').source, 'path');
    assert.equal(one(r, 'ws').source, 'workspace');
    assert.equal(one(r, 'react').scope, 'peer');
    assert.equal(one(r, 'typescript').scope, 'dev');
    assert.ok(r.warnings.some((w) => w.startsWith('web/package.json:dependencies.Bad Name')), r.warnings.join('\n'));
    assert.equal(declaredPackageKey(ort), 'pkg:npm/onnxruntime-node@1.20.0');
  });

  const v3 = {
    name: 'app', lockfileVersion: 3, requires: true,
    packages: {
      '': { name: 'app', dependencies: { a: '^1.0.0', '@s/b': '^2.0.0' }, devDependencies: { d: '*' } },
      'node_modules/a': { version: '1.2.0', resolved: 'https://registry.example/a/-/a-1.2.0.tgz', integrity: 'sha512-AAA', dependencies: { c: '^1.0.0' } },
      'node_modules/a/node_modules/c': { version: '1.5.0', integrity: 'sha512-CCC' },
      'node_modules/c': { version: '2.0.0', dependencies: { a: '^1.0.0' } },
      'node_modules/@s/b': { version: '2.1.0', dependencies: { c: '^2.0.0', missing: '^1' }, peerDependencies: { a: '1' } },
      'node_modules/d': { version: '0.1.0', dev: true },
      'node_modules/alias': { name: 'real', version: '3.0.0' },
      'node_modules/g': { version: '1.0.0', resolved: 'git+ssh://git@github.com/acme/g.git#0123456789abcdef0123456789abcdef01234567' },
      'node_modules/linked': { resolved: 'packages/linked', link: true },
      'packages/linked': { name: 'linked', version: '0.0.1' },
    },
  };

  it('reads lockfile v3 paths and resolves requirements the way Node does (nearest node_modules first)', () => {
    const r = parse('package-lock.json', JSON.stringify(v3));
    const top = r.dependencies.filter((d) => !d.requiredBy);
    assert.deepEqual(top.map((d) => `${d.name}@${d.pinnedVersion}${d.direct ? '*' : ''}`).sort(), ['@s/b@2.1.0*', 'a@1.2.0*', 'c@1.5.0', 'c@2.0.0', 'd@0.1.0*', 'g@1.0.0', 'real@3.0.0'], 'workspace links and folders are not installed packages');
    assert.equal(one(r, 'd').scope, 'dev');
    assert.deepEqual(top.find((d) => d.name === 'a')?.hashes, ['sha512-AAA']);
    assert.equal(top.find((d) => d.name === 'g')?.source, 'git');
    const edges = r.dependencies.filter((d) => d.requiredBy).map((d) => `${d.requiredBy!.name}@${d.requiredBy!.version}->${d.name}@${d.pinnedVersion}:${d.scope}`).sort();
    assert.deepEqual(edges, ['@s/b@2.1.0->a@1.2.0:peer', '@s/b@2.1.0->c@2.0.0:runtime', 'a@1.2.0->c@1.5.0:runtime', 'c@2.0.0->a@1.2.0:runtime']);
  });

  it('reads lockfile v1 nested trees, aliases included, to the same packages', () => {
    const v1 = {
      name: 'app', lockfileVersion: 1, requires: true,
      dependencies: {
        a: { version: '1.2.0', integrity: 'sha512-AAA', requires: { c: '^1.0.0' }, dependencies: { c: { version: '1.5.0' } } },
        c: { version: '2.0.0', requires: { a: '^1.0.0' } },
        alias: { version: 'npm:real@3.0.0' },
        d: { version: '0.1.0', dev: true },
      },
    };
    const r = parse('npm-shrinkwrap.json', JSON.stringify(v1));
    assert.deepEqual(r.dependencies.filter((d) => !d.requiredBy).map((d) => `${d.name}@${d.pinnedVersion}`).sort(), ['a@1.2.0', 'c@1.5.0', 'c@2.0.0', 'd@0.1.0', 'real@3.0.0']);
    const edges = r.dependencies.filter((d) => d.requiredBy).map((d) => `${d.requiredBy!.name}->${d.name}@${d.pinnedVersion}`).sort();
    assert.deepEqual(edges, ['a->c@1.5.0', 'c->a@1.2.0']);
  });

  it('warns on malformed JSON and unknown lockfile versions', () => {
    assert.match(parse('package.json', '{"dependencies": ').warnings[0]!, /not valid JSON/);
    assert.match(parse('package-lock.json', '[]').warnings[0]!, /not a JSON object/);
    assert.match(parse('package-lock.json', JSON.stringify({ ...v3, lockfileVersion: 9 })).warnings[0]!, /lockfileVersion 9/);
  });
});

describe('MLflow environment files', () => {
  it('reads conda.yaml: channels, match specs and the pip list with line numbers', () => {
    const r = parse('model/conda.yaml', [
      'name: mlflow-env',
      'channels:',
      '  - conda-forge',
      'dependencies:',
      '  - python=3.10.12',
      '  - conda-forge::numpy==1.26.4',
      '  - libgcc 13.2.0 h77fa898_7',
      '  - pip<=23.0',
      '  - pip:',
      '    - mlflow==2.8.0',
      '    - cloudpickle>=2.2',
      '    - -r extra.txt',
    ].join('\n'));
    assert.deepEqual(r.indexes, ['conda-forge']);
    const python = one(r, 'python');
    assert.deepEqual([python.ecosystem, python.versionRange, python.pinnedVersion], ['conda', '=3.10.12', undefined], 'a single = is a prefix match in conda');
    assert.equal(one(r, 'numpy').pinnedVersion, '1.26.4');
    assert.equal(one(r, 'libgcc').pinnedVersion, '13.2.0');
    const mlflow = one(r, 'mlflow');
    assert.deepEqual([mlflow.ecosystem, mlflow.pinnedVersion, mlflow.evidence], ['pypi', '2.8.0', 'model/conda.yaml:10']);
    assert.deepEqual(r.includes.map((i) => i.path), ['extra.txt']);
  });

  it('reads python_env.yaml: build dependencies and dependencies', () => {
    const r = parse('model/python_env.yaml', 'python: 3.10.12\nbuild_dependencies:\n  - pip==23.3.1\n  - setuptools\ndependencies:\n  - -r requirements.txt\n  - scikit-learn==1.3.2\n');
    assert.equal(one(r, 'pip').scope, 'build');
    assert.equal(one(r, 'scikit-learn').scope, 'runtime');
    assert.equal(one(r, 'scikit-learn').evidence, 'model/python_env.yaml:7');
    assert.deepEqual(r.includes.map((i) => i.path), ['requirements.txt']);
    assert.match(parse('conda.yaml', 'dependencies: [a\n').warnings[0]!, /not valid YAML/);
  });
});

describe('formats and hostile input', () => {
  it('knows manifests by name and ignores other files', () => {
    assert.equal(manifestFormatOf('a/b/requirements.txt'), 'requirements.txt');
    assert.equal(manifestFormatOf('requirements/base.in'), undefined);
    assert.equal(manifestFormatOf('dev-requirements.in'), 'requirements.txt');
    assert.equal(manifestFormatOf('environment.yml'), 'conda.yaml');
    assert.equal(manifestFormatOf('README.md'), undefined);
    assert.equal(parseManifest('setup.py', 'x'), undefined);
  });

  it('refuses a huge manifest with a warning, and keeps hostile names as data', () => {
    const huge = parse('requirements.txt', 'a'.repeat(MAX_MANIFEST_CHARS + 1));
    assert.equal(huge.dependencies.length, 0);
    assert.match(huge.warnings[0]!, /over the .*limit/);
    const r = parse('package.json', '{"dependencies": {"x\'; DROP TABLE nodes; --": "1.0.0", "__proto__": "1.0.0"}}');
    assert.equal(r.dependencies.length, 0);
    assert.equal(r.warnings.length, 2);
    const lines = parse('requirements.txt', 'x'.repeat(5000) + '==1\n' + '\u0000evil==1\n');
    assert.equal(lines.dependencies.length, 1);
    assert.equal(lines.warnings.length, 1);
  });
});
