/**
 * Version resolution and OSV range evaluation against the ecosystems' documented rules: PEP 440 (ordering,
 * pre-releases, `~=`, `==X.*`, local versions) and PEP 592 (yanked), npm's semver and npm-pick-manifest (caret,
 * tilde, dist-tags, pre-release tuples, deprecated), the OSV schema's evaluation (introduced/fixed/last_affected/
 * limit), CVSS scoring, and provenance statements.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateAffected } from '../../ingest/osv/evaluate.ts';
import { levelOf, scoreVector, severityOf } from '../../ingest/osv/severity.ts';
import { npmProvenance, pypiProvenance } from '../../ingest/registries/provenance.ts';
import { resolveNpm, resolvePypi, type PypiRelease } from '../../ingest/registries/resolve.ts';

const releases = (...versions: string[]): PypiRelease[] => versions.map((v) => ({ version: v, yanked: false, files: 1 }));
const pick = (list: PypiRelease[], range: string) => {
  const r = resolvePypi(list, range);
  return r.ok ? r.version : `! ${r.reason}`;
};

describe('PyPI resolution (PEP 440, PEP 592)', () => {
  const all = releases('1.0', '1.0.post1', '1.1.dev1', '1.1a1', '1.1rc1', '1.1', '1.2', '2.0b1', '2.0', '2.1.0', '10.0');
  it('orders versions numerically, not as text', () => assert.equal(pick(all, ''), '10.0'));
  it('excludes pre-releases unless the specifier names one', () => {
    assert.equal(pick(all, '<2.0'), '1.2');
    assert.equal(pick(releases('1.0', '2.0b1'), '>=2.0b1'), '2.0b1');
    assert.match(pick(all, '>=2.0b1,<2.0'), /^! /, '<2.0 excludes the pre-releases of 2.0 itself');
  });
  it('falls back to a pre-release when nothing else satisfies, as pip installs it', () => assert.equal(pick(releases('1.0', '2.0b1'), '>=1.5'), '2.0b1'));
  it('reads ~= as a compatible release and ==X.* as a prefix', () => {
    assert.equal(pick(all, '~=1.0'), '1.2');
    assert.equal(pick(all, '~=1.0.0'), '1.0.post1');
    assert.equal(pick(all, '==1.*'), '1.2');
    assert.equal(pick(all, '!=2.1.0,>=2'), '10.0');
  });
  it('treats a post-release as newer and a local version as equal under ==', () => {
    assert.equal(pick(all, '==1.0.post1'), '1.0.post1');
    assert.equal(pick(all, '>=1.0,<1.1'), '1.0.post1');
    assert.match(pick(releases('1.0', '1.0.post1'), '>1.0'), /^! /, '>V excludes the post-releases of V');
    assert.equal(pick(releases('1.0', '2.0+local'), '==2.0'), '2.0+local');
  });
  it('skips yanked releases except for an exact pin (PEP 592), and releases without files', () => {
    const list: PypiRelease[] = [...releases('1.0'), { version: '1.1', yanked: true, yankedReason: 'broken', files: 2 }, { version: '1.2', yanked: false, files: 0 }];
    assert.equal(pick(list, '>=1.0'), '1.0');
    assert.deepEqual(resolvePypi(list, '==1.1'), { ok: true, version: '1.1', yanked: true, yankedReason: 'broken' });
    assert.equal(pick(list, '>=1.1'), '! no release satisfies ">=1.1" (only yanked releases do)');
    assert.equal(pick(releases('not a version'), ''), '! the project has no installable release');
  });
  it('takes the best of Poetry alternatives', () => assert.equal(pick(all, '>=1.0,<1.1 || >=2.0,<2.1'), '2.0'));
});

describe('npm resolution (npm-pick-manifest)', () => {
  const packument = (versions: string[], extra: Record<string, Record<string, unknown>> = {}, latest?: string) => ({
    name: 'x',
    'dist-tags': { latest: latest ?? versions.filter((v) => !v.includes('-')).at(-1)!, next: versions.at(-1)! },
    versions: Object.fromEntries(versions.map((v) => [v, { name: 'x', version: v, ...(extra[v] ?? {}) }])),
  });
  const npm = (p: ReturnType<typeof packument>, range: string) => {
    const r = resolveNpm(p, range);
    return r.ok ? r.version : `! ${r.reason}`;
  };
  const p = packument(['0.2.3', '0.2.9', '0.3.0', '1.2.3', '1.2.9', '1.3.0-beta.1', '1.9.0', '2.0.0', '3.0.0-rc.1']);
  it('reads caret, tilde, x-ranges and hyphen ranges', () => {
    assert.equal(npm(p, '^1.2.3'), '1.9.0');
    assert.equal(npm(p, '^0.2.3'), '0.2.9', 'caret on 0.x keeps the minor');
    assert.equal(npm(p, '~1.2.3'), '1.2.9');
    assert.equal(npm(p, '1.x'), '1.9.0');
    assert.equal(npm(p, '1.2.3 - 1.3'), '1.2.9');
    assert.equal(npm(p, '>=1.0.0 <2.0.0 || >=2.5'), '1.9.0');
  });
  it('admits a pre-release only on the tuple the range names', () => {
    assert.equal(npm(p, '>=1.3.0-beta.0 <1.4.0'), '1.3.0-beta.1');
    assert.equal(npm(p, '>=2.0.0'), '2.0.0');
  });
  it('prefers dist-tags.latest when it satisfies, reads dist-tags as ranges, and avoids deprecated versions', () => {
    const tagged = packument(['1.0.0', '1.1.0', '1.2.0'], {}, '1.1.0');
    assert.equal(npm(tagged, '^1.0.0'), '1.1.0');
    assert.equal(npm(tagged, 'next'), '1.2.0');
    const deprecated = packument(['1.0.0', '1.1.0'], { '1.1.0': { deprecated: 'do not use' } }, '1.0.0');
    assert.equal(npm(deprecated, '>=1.1.0 || 1.0.0'), '1.0.0');
  });
  it('says when nothing satisfies', () => assert.match(npm(p, '^9'), /^! no version satisfies "\^9"/));
});

describe('OSV range evaluation (the schema’s rules)', () => {
  const pypi = (ranges: unknown[], versions: string[] = []) => [{ package: { ecosystem: 'PyPI', name: 'x' }, ranges, versions }];
  const eco = (...events: object[]) => ({ type: 'ECOSYSTEM', events });
  it('opens at introduced and closes at fixed, with several intervals', () => {
    const entries = pypi([eco({ introduced: '1.0' }, { fixed: '1.5' }, { introduced: '2.0' }, { fixed: '2.0.3' })]);
    const at = (v: string) => evaluateAffected(entries, v);
    assert.deepEqual([at('0.9').affected, at('1.0').affected, at('1.4.9').affected, at('1.5').affected, at('2.0.1').affected, at('2.0.3').affected], [false, true, true, false, true, false]);
    assert.equal(at('1.2').fixed, '1.5');
    assert.equal(at('2.0.1').fixed, '2.0.3');
  });
  it('compares PEP 440 versions, not strings (1.10 after 1.9; rc before final)', () => {
    const entries = pypi([eco({ introduced: '0' }, { fixed: '1.10' })]);
    assert.equal(evaluateAffected(entries, '1.9').affected, true);
    assert.equal(evaluateAffected(entries, '1.10rc1').affected, true);
    assert.equal(evaluateAffected(entries, '1.10.0').affected, false, '1.10.0 equals 1.10');
  });
  it('closes after last_affected, and bounds with limit', () => {
    const last = pypi([eco({ introduced: '0' }, { last_affected: '2.0' })]);
    assert.deepEqual(['2.0', '2.0.1'].map((v) => evaluateAffected(last, v).affected), [true, false]);
    const limited = [{ package: { ecosystem: 'npm', name: 'x' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '1.0.0' }, { limit: '1.5.0' }] }] }];
    assert.deepEqual(['1.4.0', '1.6.0'].map((v) => evaluateAffected(limited, v).affected), [true, false]);
  });
  it('reads the versions list, skips GIT and unknown comparators, and says so', () => {
    const r = evaluateAffected(pypi([{ type: 'GIT', repo: 'https://example.invalid/x', events: [{ introduced: '0' }, { fixed: 'abc' }] }], ['1.0']), '1.0');
    assert.equal(r.affected, true);
    assert.equal(r.evaluatedRanges, 0);
    assert.deepEqual(r.skipped, ['GIT range (commits) skipped']);
    const maven = evaluateAffected([{ package: { ecosystem: 'Maven', name: 'g:a' }, ranges: [eco({ introduced: '0' }, { fixed: '2.0' })] }], '1.0');
    assert.equal(maven.affected, false);
    assert.match(maven.skipped[0]!, /ecosystem Maven skipped/);
  });
  it('never offers a GIT range’s commit as the fixed version (PYSEC-2023-194: the PyPI range names no fix)', () => {
    const commit = '4c97a10bd0d9385cfee234a63b5bd826a295e483';
    const entries = [{
      package: { ecosystem: 'PyPI', name: 'langchain-experimental', purl: 'pkg:pypi/langchain-experimental' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }, { type: 'GIT', repo: 'https://github.com/langchain-ai/langchain', events: [{ introduced: '0' }, { fixed: commit }] }],
    }];
    const r = evaluateAffected(entries, '0.0.14');
    assert.deepEqual([r.affected, r.fixed, r.evaluatedRanges], [true, undefined, 1], 'affected by the PyPI range, fix unknown');
    const withFix = [{ ...entries[0]!, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '0.0.15' }] }, entries[0]!.ranges[1]!] }];
    assert.equal(evaluateAffected(withFix, '0.0.14').fixed, '0.0.15', 'an ordered fix is still named');
    assert.equal(evaluateAffected(withFix, '0.0.15').affected, false, 'the GIT range does not make a fixed release affected');
  });
  it('reads a limit of "*" as no limit, in PyPI, npm and SEMVER ranges', () => {
    for (const [type, ecosystem] of [['ECOSYSTEM', 'npm'], ['ECOSYSTEM', 'PyPI'], ['SEMVER', 'Go']] as const) {
      const entries = [{ package: { ecosystem, name: 'x' }, ranges: [{ type, events: [{ introduced: '1.0.0' }, { fixed: '1.3.0' }, { limit: '*' }] }] }];
      const at = (v: string) => evaluateAffected(entries, v);
      assert.deepEqual(['0.9.0', '1.2.0', '1.3.0'].map((v) => at(v).affected), [false, true, false], `${type} ${ecosystem}`);
      assert.equal(at('1.2.0').fixed, '1.3.0');
      const open = [{ package: { ecosystem, name: 'x' }, ranges: [{ type, events: [{ limit: '*' }, { introduced: '1.0.0' }] }] }];
      assert.deepEqual(['0.9.0', '1.2.0', '99.0.0'].map((v) => evaluateAffected(open, v).affected), [false, true, true], `${type} ${ecosystem}, limit first`);
    }
    const bounded = [{ package: { ecosystem: 'npm', name: 'x' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '1.0.0' }, { limit: '1.5.0' }, { limit: '*' }] }] }];
    assert.equal(evaluateAffected(bounded, '2.0.0').affected, true, 'one "*" among several limits leaves the range unbounded');
  });
  it('says which event is malformed instead of throwing ("*" or "0" where the schema does not allow them)', () => {
    const npm = (...events: object[]) => [{ package: { ecosystem: 'npm', name: 'x' }, ranges: [{ type: 'ECOSYSTEM', events }] }];
    const starFixed = evaluateAffected(npm({ introduced: '0' }, { fixed: '*' }), '1.2.0');
    assert.deepEqual([starFixed.affected, starFixed.fixed, starFixed.evaluatedRanges], [false, undefined, 0]);
    assert.deepEqual(starFixed.invalid, ['ECOSYSTEM range not evaluated: its fixed event "*" is not a valid npm version']);
    assert.match(evaluateAffected(npm({ introduced: '1.0.0' }, { fixed: '0' }), '1.2.0').invalid[0]!, /its fixed event "0" is not a valid npm version/);
    const pypi = evaluateAffected([{ package: { ecosystem: 'PyPI', name: 'x' }, ranges: [eco({ introduced: '*' }, { fixed: '2.0' })], versions: ['1.0'] }], '1.0');
    assert.equal(pypi.affected, true, 'the versions list still decides');
    assert.match(pypi.invalid[0]!, /its introduced event "\*" is not a valid PyPI version/);
  });
  it('evaluates SEMVER ranges with semver for any ecosystem, a leading v ignored', () => {
    const go = [{ package: { ecosystem: 'Go', name: 'example.com/m' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.2.4' }] }] }];
    assert.equal(evaluateAffected(go, 'v1.2.3').affected, true);
    assert.equal(evaluateAffected(go, 'v1.2.4').affected, false);
  });
});

describe('CVSS severity', () => {
  it('scores vectors of every version with the FIRST formulas and rates them', () => {
    assert.deepEqual(scoreVector('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'), { level: 'critical', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8, cvssVersion: '3.1' });
    assert.equal(scoreVector('CVSS:3.0/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N')?.score, 3.1);
    assert.equal(scoreVector('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N')?.score, 9.3);
    assert.equal(scoreVector('AV:N/AC:L/Au:N/C:P/I:P/A:P')?.level, 'high');
    assert.equal(scoreVector('CVSS:3.1/AV:N'), undefined, 'an incomplete vector has no base score');
    assert.equal(scoreVector('garbage'), undefined);
    assert.deepEqual([levelOf(0, '3.1'), levelOf(3.9, '3.1'), levelOf(4, '3.1'), levelOf(7, '3.1'), levelOf(9, '4.0'), levelOf(9, '2.0')], ['none', 'low', 'medium', 'high', 'critical', 'high']);
  });
  it('prefers the newest CVSS version, then per-package vectors, then GitHub’s rating', () => {
    const both = { severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N' }, { type: 'CVSS_V4', score: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N' }] };
    assert.equal(severityOf(both).cvssVersion, '4.0');
    assert.equal(severityOf({ affected: [{ severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N' }] }] }).level, 'high');
    assert.equal(severityOf({ database_specific: { severity: 'MODERATE' } }).level, 'medium');
    assert.equal(severityOf({ severity: [{ type: 'CVSS_V3', score: 'nonsense' }] }).level, 'unknown');
  });
});

describe('provenance statements', () => {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64');
  it('reads the SLSA v0.2 statement of an npm provenance bundle (configSource, materials)', () => {
    const statement = { _type: 'https://in-toto.io/Statement/v0.1', predicateType: 'https://slsa.dev/provenance/v0.2', predicate: { invocation: { configSource: { uri: 'git+https://github.com/sigstore/sigstore-js@refs/tags/v1.0.0', digest: { sha1: '06528997c3c8ab9f864fad9a3658446aca7fd86d' }, entryPoint: 'sigstore/sigstore-js/.github/workflows/publish.yml@refs/tags/v1.0.0' } } } };
    const body = { attestations: [{ predicateType: 'https://github.com/npm/attestation/tree/main/specs/publish/v0.1', bundle: {} }, { predicateType: 'https://slsa.dev/provenance/v0.2', bundle: { dsseEnvelope: { payload: b64(statement) } } }] };
    assert.deepEqual(npmProvenance(body), { repository: 'https://github.com/sigstore/sigstore-js', repositoryKey: 'gh:repo/sigstore/sigstore-js', workflow: '.github/workflows/publish.yml', commit: '06528997c3c8ab9f864fad9a3658446aca7fd86d', evidence: 'npm provenance attestation (https://slsa.dev/provenance/v0.2)' });
  });
  it('reads a PEP 740 Trusted Publisher; a GitLab publisher names no GitHub repository', () => {
    const github = { version: 1, attestation_bundles: [{ publisher: { kind: 'GitHub', repository: 'trailofbits/pypi-attestations', workflow: 'release.yml', environment: null }, attestations: [] }] };
    assert.equal(pypiProvenance(github)?.repositoryKey, 'gh:repo/trailofbits/pypi-attestations');
    const gitlab = { version: 1, attestation_bundles: [{ publisher: { kind: 'GitLab', repository: 'acme/proj', workflow: '.gitlab-ci.yml' }, attestations: [] }] };
    assert.deepEqual(pypiProvenance(gitlab), { repository: 'gitlab:acme/proj', workflow: '.gitlab-ci.yml', evidence: 'PEP 740 provenance: GitLab publisher' });
    assert.equal(pypiProvenance({ attestation_bundles: 'x' }), undefined);
  });
});
