/**
 * The report as SARIF 2.1.0 for code-scanning tools. Findings become results of their rule; each attack path
 * becomes a result of the `aispm/attack-path` rule with a code flow whose locations are the path's steps. Graph
 * nodes are not files, so locations are logical (the node key) plus an `aispm:` URI a tool can display.
 */
import { SEVERITIES, type Report, type Severity } from './model.ts';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '0.0' };

/**
 * encodeURIComponent throws on a lone surrogate, which a key read from JSON may hold; there the URI gets U+FFFD, and
 * the logical location still names the key exactly.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function location(key: string, message?: string) {
  return {
    physicalLocation: { artifactLocation: { uri: `aispm:${encodeURIComponent(key.replace(LONE_SURROGATE, '\uFFFD'))}` } },
    logicalLocations: [{ fullyQualifiedName: key, kind: 'resource' }],
    ...(message ? { message: { text: message } } : {}),
  };
}

/**
 * Rules by (rule, severity): code-scanning tools (GitHub's among them) take an alert's severity from its rule's
 * `security-severity`, not from the result, so findings of one rule at two severities are two descriptors,
 * `<rule>/<severity>`; attack paths likewise by risk band. Each descriptor's `name` is the rule it belongs to.
 */
interface RuleDescriptor {
  id: string;
  name: string;
  shortDescription: { text: string };
  help: { text: string };
  defaultConfiguration: { level: 'error' | 'warning' | 'note' };
  properties: { tags: string[]; 'security-severity': string };
}

const PATH_RULE = 'aispm/attack-path';
const PATH_BANDS = [
  { band: 'high', from: 7, level: 'error', securitySeverity: '8.0' },
  { band: 'medium', from: 4, level: 'warning', securitySeverity: '5.5' },
  { band: 'low', from: -Infinity, level: 'note', securitySeverity: '3.0' },
] as const;
const pathBand = (risk: number) => PATH_BANDS.find((b) => risk >= b.from)!;

export function renderSarif(r: Report, toolVersion = '0.1.0'): string {
  const byId = new Map<string, RuleDescriptor>();
  for (const f of r.findings) {
    const id = `${f.rule}/${f.severity}`;
    if (byId.has(id)) continue;
    byId.set(id, {
      id,
      name: f.rule,
      shortDescription: { text: f.title },
      help: { text: f.remediation },
      defaultConfiguration: { level: LEVEL[f.severity] },
      properties: { tags: ['security', 'ai-supply-chain'], 'security-severity': SECURITY_SEVERITY[f.severity] },
    });
  }
  const severityOf = (rule: RuleDescriptor) => SEVERITIES.indexOf(rule.id.slice(rule.name.length + 1) as Severity);
  const rules = [...byId.values()].sort((a, b) => a.name.localeCompare(b.name) || severityOf(a) - severityOf(b));
  for (const b of PATH_BANDS) {
    if (!r.attackPaths.some((p) => pathBand(p.risk) === b)) continue;
    rules.push({
      id: `${PATH_RULE}/${b.band}`,
      name: PATH_RULE,
      shortDescription: { text: `Attack path from an entry point to a crown jewel or endpoint (${b.band} risk)` },
      help: { text: 'Cut the path at its choke point; each step carries its own fix.' },
      defaultConfiguration: { level: b.level },
      properties: { tags: ['security', 'attack-path'], 'security-severity': b.securitySeverity },
    });
  }
  const ruleIndex = new Map(rules.map((rule, i) => [rule.id, i]));

  const results: object[] = r.findings.map((f) => ({
    ruleId: `${f.rule}/${f.severity}`,
    ruleIndex: ruleIndex.get(`${f.rule}/${f.severity}`),
    level: LEVEL[f.severity],
    message: { text: `${f.title}. ${f.evidence.join(' ')} Remediation: ${f.remediation}`.trim() },
    locations: f.nodes.slice(0, 10).map((k) => location(k)),
    partialFingerprints: { aispmFindingId: f.id },
    properties: { severity: f.severity, nodes: f.nodes },
  }));
  for (const p of r.attackPaths) {
    const band = pathBand(p.risk);
    results.push({
      ruleId: `${PATH_RULE}/${band.band}`,
      ruleIndex: ruleIndex.get(`${PATH_RULE}/${band.band}`),
      level: band.level,
      message: { text: `Attack path ${p.rank}: ${p.from} reaches ${p.to} in ${p.steps.length} steps (risk ${p.risk.toFixed(1)}/10).` },
      locations: [location(p.to)],
      codeFlows: [
        {
          threadFlows: [
            {
              locations: [
                { location: location(p.from, 'entry point') },
                ...p.steps.map((st) => ({ location: location(st.to, `${st.edgeKind}: ${st.abuse} Fix: ${st.remediation}`) })),
              ],
            },
          ],
        },
      ],
      partialFingerprints: { aispmPath: p.nodes.join('>') },
      properties: { risk: p.risk, likelihood: p.likelihood },
    });
  }
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'aispm', version: toolVersion, rules } },
        results,
        properties: { summary: r.summary },
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
