/**
 * The project's own OSV records, in the shape the PyPA and GitHub advisory databases publish (ECOSYSTEM, SEMVER and
 * GIT ranges, `versions`, CVSS v2/v3/v4 vectors, `database_specific.severity`, withdrawn), about the packages of
 * fixtures.ts, and the table of which (purl, version) each affects as OSV's own evaluation gives it.
 */
type Json = Record<string, unknown>;

const git = (repo: string, fixed: string) => ({ type: 'GIT', repo, events: [{ introduced: '0' }, { fixed }] });

export const RECORDS: Json[] = [
  {
    id: 'PYSEC-2099-1',
    modified: '2024-02-06T22:20:23.832000Z',
    published: '2023-12-18T04:15:00Z',
    aliases: ['CVE-2099-6909'],
    details: "Path traversal: '\\..\\filename' in mlflow prior to 2.9.2.",
    affected: [{
      package: { ecosystem: 'PyPI', name: 'mlflow', purl: 'pkg:pypi/mlflow' },
      ranges: [git('https://github.com/mlflow/mlflow', '1da75dfcecd4d169e34809ade55748384e8af6c1'), { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.9.2' }] }],
      versions: ['2.8.0', '2.9.0', '2.9.1'],
    }],
    severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N' }],
    references: [{ type: 'FIX', url: 'https://github.com/mlflow/mlflow/commit/1da75dfcecd4d169e34809ade55748384e8af6c1' }],
  },
  {
    id: 'PYSEC-2099-2',
    modified: '2024-01-01T00:00:00Z',
    published: '2023-11-01T00:00:00Z',
    summary: 'Information exposure in the mlflow UI',
    affected: [{ package: { ecosystem: 'PyPI', name: 'MLflow' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '2.0.0' }, { fixed: '2.8.1' }] }] }],
    severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:H/PR:L/UI:R/S:U/C:L/I:N/A:N' }],
  },
  {
    id: 'GHSA-test-flsk-0001',
    modified: '2024-03-01T00:00:00Z',
    summary: 'Session cookie disclosure in Flask',
    affected: [{ package: { ecosystem: 'PyPI', name: 'flask' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '2.0' }, { last_affected: '3.0.0' }] }] }],
    database_specific: { severity: 'MODERATE', github_reviewed: true },
  },
  {
    id: 'GHSA-test-lpad-0001',
    modified: '2024-04-01T00:00:00Z',
    summary: 'Prototype pollution in left-pad',
    affected: [{ package: { ecosystem: 'npm', name: 'left-pad' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '1.0.0' }, { fixed: '1.3.1' }] }] }],
    severity: [{ type: 'CVSS_V4', score: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N' }],
  },
  {
    id: 'OSV-test-urllib3-1',
    modified: '2024-05-01T00:00:00Z',
    summary: 'Header injection in urllib3',
    affected: [
      { package: { ecosystem: 'PyPI', name: 'urllib3' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '2.0.0' }, { fixed: '2.0.8' }, { introduced: '2.1.0' }, { fixed: '2.1.3' }] }] },
      { package: { ecosystem: 'Bogus', name: 'urllib3' }, versions: ['2.0.7'] },
    ],
    severity: [{ type: 'CVSS_V2', score: 'AV:N/AC:L/Au:N/C:P/I:P/A:P' }],
  },
  {
    id: 'PYSEC-2099-3',
    modified: '2024-06-01T00:00:00Z',
    summary: 'Known only by commit range',
    affected: [{ package: { ecosystem: 'PyPI', name: 'werkzeug' }, ranges: [git('https://github.com/pallets/werkzeug', 'f'.repeat(40))] }],
  },
  {
    id: 'PYSEC-2099-4',
    modified: '2024-07-01T00:00:00Z',
    withdrawn: '2024-07-01T00:00:00Z',
    summary: 'Withdrawn: not a vulnerability',
    affected: [{ package: { ecosystem: 'PyPI', name: 'requests' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] }],
  },
];

/** What OSV answers for each (purl, version): its own evaluation of the records above. */
export const MATCHES = new Map<string, string[]>([
  ['pkg:pypi/mlflow@2.8.0', ['PYSEC-2099-1', 'PYSEC-2099-2']],
  ['pkg:pypi/flask@3.0.0', ['GHSA-test-flsk-0001']],
  ['pkg:npm/left-pad@1.3.0', ['GHSA-test-lpad-0001']],
  ['pkg:pypi/urllib3@2.0.7', ['OSV-test-urllib3-1']],
  ['pkg:pypi/requests@2.32.0', ['PYSEC-2099-4']],
]);

/** The upstream commit PYSEC-2023-194's GIT range names as fixed: a commit, never a langchain-experimental version. */
export const LANGCHAIN_FIX_COMMIT = '4c97a10bd0d9385cfee234a63b5bd826a295e483';

/**
 * Records whose events are legal but awkward (a GIT range beside an open PyPI range, as PYSEC-2023-194 has it;
 * `limit: "*"`), and one malformed (`fixed: "*"`), about packages of fixtures.ts and langchain-experimental.
 */
export const ODD_EVENT_RECORDS: Json[] = [
  {
    id: 'PYSEC-2099-194',
    modified: '2024-01-23T00:00:00Z',
    published: '2023-10-09T00:00:00Z',
    aliases: ['CVE-2099-44467'],
    details: 'langchain_experimental allows an attacker to run arbitrary code through the prompt of PALChain.',
    affected: [{
      package: { ecosystem: 'PyPI', name: 'langchain-experimental', purl: 'pkg:pypi/langchain-experimental' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }, git('https://github.com/langchain-ai/langchain', LANGCHAIN_FIX_COMMIT)],
      versions: ['0.0.1', '0.0.14', '0.0.15'],
    }],
    severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
  },
  {
    id: 'GHSA-test-cyca-0001',
    modified: '2024-08-01T00:00:00Z',
    summary: 'Every cyc-a from 1.0.0 on, with an explicit unbounded limit',
    affected: [{ package: { ecosystem: 'npm', name: 'cyc-a' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '1.0.0' }, { limit: '*' }] }] }],
    database_specific: { severity: 'HIGH' },
  },
  {
    id: 'PYSEC-2099-5',
    modified: '2024-08-01T00:00:00Z',
    summary: 'Fixed in click 8.1.8; the range also says limit "*"',
    affected: [{ package: { ecosystem: 'PyPI', name: 'click' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '8.0.0' }, { fixed: '8.1.8' }, { limit: '*' }] }] }],
  },
  {
    id: 'PYSEC-2099-6',
    modified: '2024-08-01T00:00:00Z',
    summary: 'Only MarkupSafe 3 and later',
    affected: [{ package: { ecosystem: 'PyPI', name: 'MarkupSafe' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '3.0' }, { limit: '*' }] }] }],
  },
  {
    id: 'GHSA-test-cycb-0001',
    modified: '2024-08-01T00:00:00Z',
    summary: 'Malformed: "*" is only a limit, never a fixed version',
    affected: [{ package: { ecosystem: 'npm', name: 'cyc-b' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '*' }] }] }],
  },
];

/** What OSV answers for them (the malformed one as if the API had named it, to take the online path too). */
export const ODD_EVENT_MATCHES = new Map<string, string[]>([
  ['pkg:pypi/langchain-experimental@0.0.14', ['PYSEC-2099-194']],
  ['pkg:npm/cyc-a@1.0.0', ['GHSA-test-cyca-0001']],
  ['pkg:pypi/click@8.1.7', ['PYSEC-2099-5']],
  ['pkg:npm/cyc-b@1.0.0', ['GHSA-test-cycb-0001']],
]);
