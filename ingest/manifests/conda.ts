/**
 * MLflow's environment files. `conda.yaml` is a conda environment: channels, conda match specs
 * (`[channel::]name[ version[ build]]`, `name=1.2`, `name==1.2.3`, `name=1.2.3=build`, `name>=1,<2`) and a `pip:`
 * list of requirement lines. `python_env.yaml` names the interpreter, `build_dependencies` and `dependencies`
 * (requirement lines, `-r requirements.txt` among them). Line numbers come from the YAML parser.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { readRequirementLines, emptyResult, type LogicalLine } from './requirements-txt.ts';
import type { DependencyScope, ManifestResult } from './types.ts';

function load(text: string, path: string, result: ManifestResult): { root: unknown; lineOf: (n: YamlNode) => number } | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false });
  if (doc.errors.length) {
    result.warnings.push(`${path}: not valid YAML (${doc.errors[0]!.message.split('\n')[0]})`);
    return undefined;
  }
  return { root: doc.contents, lineOf: (n) => lineCounter.linePos(n.range?.[0] ?? 0).line };
}

/** The string items of a YAML list as requirement lines, each with its own line number. */
function listLines(list: unknown, lineOf: (n: YamlNode) => number): { lines: LogicalLine[]; others: YamlNode[] } {
  const lines: LogicalLine[] = [];
  const others: YamlNode[] = [];
  if (!isSeq(list)) return { lines, others };
  for (const item of list.items as YamlNode[]) {
    if (isScalar(item) && (typeof item.value === 'string' || typeof item.value === 'number')) {
      const text = String(item.value).trim();
      if (text) lines.push({ text, line: lineOf(item) });
    } else others.push(item);
  }
  return { lines, others };
}

function mapGet(node: unknown, key: string): unknown {
  return isMap(node) ? node.get(key, true) : undefined;
}

/** A conda match spec split into name and version spec; the version spec is kept as conda writes it. */
function matchSpec(spec: string): { name: string; version?: string; pinned?: string } | undefined {
  const noChannel = spec.includes('::') ? spec.slice(spec.lastIndexOf('::') + 2) : spec;
  const m = /^\s*([A-Za-z0-9_][A-Za-z0-9_.-]*)\s*(.*?)\s*$/.exec(noChannel);
  if (!m) return undefined;
  const name = m[1]!;
  const rest = m[2]!.replace(/^\[.*\]$/, (b) => /version=['"]?([^'",\]]+)/.exec(b)?.[1] ?? '');
  if (!rest) return { name };
  // `name 1.2.3 build` and `name=1.2.3=build` fix the version; `==1.2.3` too; `=1.2` is a prefix match.
  const spaced = /^([^\s=<>!~*,|]+)\s+\S+$/.exec(rest);
  const triple = /^=([^=<>!~*,|]+)=\S+$/.exec(rest);
  const exact = /^==([^=<>!~*,|\s]+)$/.exec(rest);
  const pinned = spaced?.[1] ?? triple?.[1] ?? exact?.[1];
  return { name, version: rest, ...(pinned ? { pinned } : {}) };
}

export function parseCondaYaml(text: string, path: string): ManifestResult {
  const result = emptyResult('conda.yaml');
  const loaded = load(text, path, result);
  if (!loaded) return result;
  const { root, lineOf } = loaded;
  for (const c of listLines(mapGet(root, 'channels'), lineOf).lines) result.indexes.push(c.text);
  const deps = mapGet(root, 'dependencies');
  const { lines, others } = listLines(deps, lineOf);
  for (const { text: spec, line } of lines) {
    const where = `${path}:${line}`;
    const parsed = matchSpec(spec);
    if (!parsed) {
      result.warnings.push(`${where}: not a conda match spec: ${spec.slice(0, 120)}`);
      continue;
    }
    result.dependencies.push({
      ecosystem: 'conda',
      name: parsed.name,
      ...(parsed.version ? { versionRange: parsed.version } : {}),
      ...(parsed.pinned ? { pinnedVersion: parsed.pinned } : {}),
      scope: 'runtime',
      evidence: where,
      direct: true,
      source: 'registry',
    });
  }
  for (const other of others) {
    const pip = mapGet(other, 'pip');
    if (pip === undefined) {
      result.warnings.push(`${path}:${lineOf(other)}: a dependency entry that is neither a match spec nor a pip list`);
      continue;
    }
    readRequirementLines(listLines(pip, lineOf).lines, { path, scope: 'runtime' }, result);
  }
  return result;
}

export function parsePythonEnvYaml(text: string, path: string): ManifestResult {
  const result = emptyResult('python_env.yaml');
  const loaded = load(text, path, result);
  if (!loaded) return result;
  const { root, lineOf } = loaded;
  const sections: ReadonlyArray<readonly [string, DependencyScope]> = [
    ['build_dependencies', 'build'],
    ['dependencies', 'runtime'],
  ];
  for (const [key, scope] of sections) {
    const { lines, others } = listLines(mapGet(root, key), lineOf);
    readRequirementLines(lines, { path, scope }, result);
    for (const o of others) result.warnings.push(`${path}:${lineOf(o)}: ${key} entries must be requirement strings`);
  }
  return result;
}
