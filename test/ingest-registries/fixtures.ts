/** The project's own small registry universe (PyPI projects, npm packages) in the shapes the replay serves. */
import type { NpmPackageSpec, PypiProjectSpec } from '../../ingest/registries/replay/server.ts';

export const MLFLOW_COMMIT = '1da75dfcecd4d169e34809ade55748384e8af6c1';

export const PYPI: PypiProjectSpec[] = [
  {
    name: 'mlflow',
    roles: [{ role: 'Owner', user: 'alice' }, { role: 'Maintainer', user: 'bob' }],
    releases: {
      '2.8.0': {
        license_expression: 'Apache-2.0',
        project_urls: { Documentation: 'https://mlflow.example/docs', Source: 'https://github.com/mlflow/mlflow' },
        requires_dist: ['Flask<4', 'requests (>=2.17.3,<3)', "gunicorn<22; platform_system != 'Windows'", "azureml-core>=1.2.0; extra == 'aliyun-oss'"],
      },
      '2.9.2': {
        license_expression: 'Apache-2.0',
        requires_dist: ['Flask<4', 'requests>=2.17.3,<3'],
        provenance: { repository: 'mlflow/mlflow', workflow: 'release.yml', commit: MLFLOW_COMMIT },
      },
      '3.0.0rc1': { requires_dist: ['Flask<4'] },
    },
  },
  {
    name: 'Flask',
    roles: [{ role: 'Owner', user: 'pallets' }],
    releases: {
      '3.0.0': { classifiers: ['License :: OSI Approved :: BSD License'], license: 'BSD-3-Clause', requires_dist: ['Werkzeug>=3.0.0', 'click>=8.1.3'] },
      '3.1.0': { yanked: 'broken import', requires_dist: ['Werkzeug>=3.0.0'] },
    },
  },
  { name: 'Werkzeug', releases: { '3.0.1': { requires_dist: ['MarkupSafe>=2.1.1'] } } },
  { name: 'MarkupSafe', releases: { '2.1.3': {} } },
  { name: 'click', releases: { '8.1.7': { classifiers: ['License :: OSI Approved :: BSD License'] } } },
  {
    name: 'requests',
    releases: {
      '2.31.0': { requires_dist: ['urllib3<3,>=1.21.1', 'certifi>=2017.4.17'] },
      '2.32.0': { classifiers: ['License :: OSI Approved :: Apache Software License'], requires_dist: ['urllib3<3,>=1.21.1', 'certifi>=2017.4.17', "PySocks!=1.5.7,>=1.5.6; extra == 'socks'"] },
    },
  },
  { name: 'urllib3', releases: { '1.26.18': {}, '2.0.7': {}, '2.2.0': { noFiles: true } } },
  { name: 'certifi', releases: { '2024.2.2': { license: 'MPL-2.0' } } },
  { name: 'PySocks', releases: { '1.7.1': {} } },
  { name: 'unsatisfiable', releases: { '1.0': { requires_dist: ['click>=99'] } } },
];

export const NPM: NpmPackageSpec[] = [
  {
    name: '@acme/app',
    maintainers: ['carol', 'dave'],
    versions: {
      '1.0.0': {
        dependencies: { 'left-pad': '^1.1.0', 'cyc-a': '^1.0.0', ghost: '^1.0.0' },
        devDependencies: { jest: '^29' },
        repository: { type: 'git', url: 'git+https://github.com/acme/app.git' },
        provenance: { repository: 'acme/app', workflow: 'publish.yml', commit: 'a'.repeat(40) },
      },
    },
  },
  { name: 'left-pad', maintainers: ['stevemao'], versions: { '1.1.0': {}, '1.2.0': { deprecated: 'use String.prototype.padStart' }, '1.3.0': {}, '2.0.0-beta.1': {} }, distTags: { latest: '1.3.0' } },
  { name: 'cyc-a', versions: { '1.0.0': { dependencies: { 'cyc-b': '^1.0.0' } } } },
  { name: 'cyc-b', versions: { '1.0.0': { dependencies: { 'cyc-a': '^1.0.0' }, peerDependencies: { react: '>=17' }, peerDependenciesMeta: { react: { optional: true } }, repository: 'github:acme/cyc' } } },
];
