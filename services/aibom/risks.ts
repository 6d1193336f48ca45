/**
 * The risks a BOM states about its model, beyond library advisories: files whose loading runs code or that no scan
 * has cleared (the model's own and its ancestors'), and a lineage that needs remote code or has a base nobody can
 * inspect. Each becomes a CycloneDX vulnerability (rated, classified by CWE, `affects` the components concerned) and
 * a risk in the model card's considerations. Rule ids, severities, remediations and CWEs are the posture rules' own
 * (queries/findings), so a BOM and `aispm findings` name a risk alike. Pure.
 */
import { customCode } from '../../queries/findings/custom-code.ts';
import { missingBase } from '../../queries/findings/missing-base.ts';
import { pickleDangerous } from '../../queries/findings/pickle-dangerous.ts';
import { pickleUnscanned } from '../../queries/findings/pickle-unscanned.ts';
import { makeFinding, type Finding, type FindingRule } from '../../queries/findings/types.ts';
import { detectFormatByName } from '../../ingest/scan/format.ts';
import { FILE_FORMAT_NAMES, UNPICKLING_FORMATS, type FileFormat } from '../../schema/model.ts';
import { labelOfKey, parseKey } from '../../schema/keys.ts';
import { clip, type GraphNode } from '../../schema/records.ts';
import type { Neighbourhood } from './gather.ts';
import { propStr } from './identity.ts';

export interface Risk {
  finding: Finding;
  cwes: readonly number[];
  /** One sentence: what is wrong and why it matters. */
  description: string;
  /** BOM refs of the components concerned: the file when it is one of the BOM's parts, the model holding it, the subject. */
  affects: string[];
}

const stringList = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** A file that unpickles on load, as the scanner judges formats: by the recorded format, else by the file's name. */
function mayUnpickle(file: GraphNode, path: string): boolean {
  const recorded = propStr(file, 'format');
  const format = recorded !== undefined && (FILE_FORMAT_NAMES as readonly string[]).includes(recorded) ? (recorded as FileFormat) : detectFormatByName(path);
  return UNPICKLING_FORMATS.includes(format);
}

/**
 * A risk about one node (a file or a model): its id depends on the rule and that node only, so the same file's risk
 * has the same id in every BOM that meets it, whichever model the BOM is about.
 */
function risk(rule: FindingRule, about: string, description: string, evidence: string[], affects: string[]): Risk {
  return { finding: makeFinding(rule, [about], evidence), cwes: rule.cwes ?? [], description, affects: [...new Set(affects)] };
}

function fileRisks(file: GraphNode, holder: string, subject: string, isPart: boolean): Risk[] {
  const path = propStr(file, 'path') ?? parseKey(file.key)?.parts.path ?? file.key;
  // Sentences are for people: upstream text in them is made printable and bounded (keys stay verbatim elsewhere).
  const name = clip(path, 300);
  const format = clip(propStr(file, 'format') ?? 'unknown format', 40);
  const status = propStr(file, 'scanStatus');
  const where = holder === subject ? '' : ` in base model ${clip(labelOfKey(holder))}`;
  const evidence = [`${file.key}: ${format}, scan ${status ?? 'none'}`];
  const reason = propStr(file, 'scanReason');
  if (reason) evidence.push(clip(reason, 500));
  if (holder !== subject) evidence.push(`${labelOfKey(holder)} is in the lineage of ${labelOfKey(subject)}`);
  const affects = [...(isPart ? [file.key] : []), holder, subject];
  if (status === 'dangerous') {
    const globals = stringList(file.props.scanGlobals);
    const imports = globals.length ? `imports ${globals.slice(0, 10).map((g) => clip(g, 100)).join(', ')}` : 'runs code';
    return [risk(pickleDangerous, file.key, `${name}${where} (${format}) ${imports}: loading it runs that code.`, evidence, affects)];
  }
  if (status !== 'safe' && mayUnpickle(file, path)) {
    const verdict = status === undefined ? 'was never scanned' : status === 'suspicious' ? 'was found suspicious' : `was not scanned (${status})`;
    return [risk(pickleUnscanned, file.key, `${name}${where} (${format}) ${verdict}: unpickling it may run code.`, evidence, affects)];
  }
  return [];
}

function modelRisks(model: GraphNode, subject: string): Risk[] {
  const out: Risk[] = [];
  const name = model.key === subject ? 'the model' : `base model ${clip(labelOfKey(model.key))}`;
  const affects = [model.key, subject];
  if (model.props.customCode === true) {
    out.push(risk(customCode, model.key, `Loading ${name} needs trust_remote_code: Python from its repository runs on the host.`, [`${model.key} has customCode: true`], affects));
  }
  if (model.key !== subject && model.props.missing === true) {
    out.push(risk(missingBase, model.key, `${name} is missing upstream: it cannot be inspected, and whoever registers its name next controls what a re-download fetches.`, [`${model.key} is marked missing upstream`], affects));
  }
  return out;
}

/** Every risk of the neighbourhood's model, in a stable order (by finding id). */
export function risksOf(n: Neighbourhood): Risk[] {
  const subject = n.model.key;
  const out: Risk[] = [...modelRisks(n.model, subject)];
  for (const file of n.files) out.push(...fileRisks(file, subject, subject, true));
  for (const { node } of n.ancestors) {
    out.push(...modelRisks(node, subject));
    for (const file of n.ancestorFiles.get(node.key) ?? []) out.push(...fileRisks(file, node.key, subject, false));
  }
  const byId = new Map(out.map((r) => [r.finding.id, r]));
  return [...byId.values()].sort((a, b) => (a.finding.id < b.finding.id ? -1 : a.finding.id > b.finding.id ? 1 : 0));
}
