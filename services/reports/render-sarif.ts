/**
 * The report as SARIF 2.1.0 for code-scanning tools. Findings become results of their rule; each attack path
 * becomes a result of the `aispm/attack-path` rule with a code flow whose locations are the path's steps. Graph
 * nodes are not files, so locations are logical (the node key) plus an `aispm:` URI a tool can display.
 */
import type { Report, Severity } from './model.ts';

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

export function renderSarif(r: Report, toolVersion = '0.1.0'): string {
  const ruleIds = new Map<string, { id: string; title: string; severity: Severity; remediation: string }>();
  for (const f of r.findings) if (!ruleIds.has(f.rule)) ruleIds.set(f.rule, { id: f.rule, title: f.title, severity: f.severity, remediation: f.remediation });
  const rules = [...ruleIds.values()]
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((rule) => ({
      id: rule.id,
      shortDescription: { text: rule.title },
      help: { text: rule.remediation },
      defaultConfiguration: { level: LEVEL[rule.severity] },
      properties: { tags: ['security', 'ai-supply-chain'], 'security-severity': SECURITY_SEVERITY[rule.severity] },
    }));
  rules.push({
    id: 'aispm/attack-path',
    shortDescription: { text: 'Attack path from an entry point to a crown jewel or endpoint' },
    help: { text: 'Cut the path at its choke point; each step carries its own fix.' },
    defaultConfiguration: { level: 'error' },
    properties: { tags: ['security', 'attack-path'], 'security-severity': '8.0' },
  });
  const ruleIndex = new Map(rules.map((rule, i) => [rule.id, i]));

  const results: object[] = r.findings.map((f) => ({
    ruleId: f.rule,
    ruleIndex: ruleIndex.get(f.rule),
    level: LEVEL[f.severity],
    message: { text: `${f.title}. ${f.evidence.join(' ')} Remediation: ${f.remediation}`.trim() },
    locations: f.nodes.slice(0, 10).map((k) => location(k)),
    partialFingerprints: { aispmFindingId: f.id },
    properties: { severity: f.severity, nodes: f.nodes },
  }));
  for (const p of r.attackPaths) {
    results.push({
      ruleId: 'aispm/attack-path',
      ruleIndex: ruleIndex.get('aispm/attack-path'),
      level: p.risk >= 7 ? 'error' : p.risk >= 4 ? 'warning' : 'note',
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
