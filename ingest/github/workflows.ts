/**
 * The posture of one GitHub Actions workflow file, read as Actions reads it (YAML 1.2, so `on:` is a key): which events
 * start it, which environments it deploys to, the third-party actions and reusable workflows it runs that are not
 * pinned to a full commit sha, whether it runs on `pull_request_target` and checks out the pull request's head (the
 * "pwn request": untrusted code with the base repository's token and secrets), and whether it grants
 * `permissions: write-all`. Pure.
 */
import { LineCounter, parseDocument, type Document } from 'yaml';

export interface WorkflowUse {
  /** As written: `owner/repo[/path]@ref`, or `docker://image[:tag]`. */
  uses: string;
  line: number;
}

export interface WorkflowPosture {
  triggers: string[];
  /** Environments its jobs name (an expression counts as `${{…}}`). */
  deploysTo: string[];
  /** Third-party actions / reusable workflows / images not pinned to a commit sha or digest. */
  unpinned: WorkflowUse[];
  prTargetCheckout: boolean;
  /** Where the pull request's head is checked out, for evidence. */
  prTargetCheckoutLine?: number;
  writeAll: boolean;
  /** YAML problems (the file is still described as far as it parsed). */
  problems: string[];
}

/** Action owners whose actions ship with GitHub itself. */
const FIRST_PARTY = new Set(['actions', 'github']);
const COMMIT_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
/** Expressions that name the pull request's head (the code the pull request brings). */
const PR_HEAD = /github\.event\.pull_request\.head\.(?:sha|ref|repo)|github\.head_ref|refs\/pull\/|github\.event\.number|pull_request\.number/;
const HEAD_CHECKOUT_COMMAND = /\b(?:git\s+(?:checkout|fetch|switch)|gh\s+pr\s+checkout)\b/;

const MAX_WORKFLOW_BYTES = 1024 * 1024;

/** `.github/workflows/<name>.yml|yaml` directly under the workflows directory: the files Actions runs. */
export function isWorkflowPath(path: string): boolean {
  return /^\.github\/workflows\/[^/]+\.ya?ml$/i.test(path);
}

/** A workflow's posture; `owner` is the repository's owner, whose own actions are not third-party. */
export function analyseWorkflow(text: string, owner: string): WorkflowPosture {
  const posture: WorkflowPosture = { triggers: [], deploysTo: [], unpinned: [], prTargetCheckout: false, writeAll: false, problems: [] };
  if (text.length > MAX_WORKFLOW_BYTES) {
    posture.problems.push(`over ${MAX_WORKFLOW_BYTES} bytes; not read`);
    return posture;
  }
  const lines = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false });
  } catch (err) {
    posture.problems.push(`does not parse as YAML: ${(err as Error).message.split('\n')[0]}`);
    return posture;
  }
  for (const e of doc.errors.slice(0, 3)) posture.problems.push(`YAML: ${e.message.split('\n')[0]}`);
  let root: unknown;
  try {
    root = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    posture.problems.push(`does not parse as YAML: ${(err as Error).message.split('\n')[0]}`);
    return posture;
  }
  if (!isRecord(root)) {
    if (root !== null && root !== undefined) posture.problems.push('is not a mapping');
    return posture;
  }
  const lineOf = (path: (string | number)[]): number => {
    const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
    return node?.range ? lines.linePos(node.range[0]).line : 0;
  };

  posture.triggers = triggersOf(root.on);
  posture.writeAll = isWriteAll(root.permissions);
  const prTarget = posture.triggers.includes('pull_request_target');
  const jobs = isRecord(root.jobs) ? root.jobs : {};
  const deploys = new Set<string>();
  const addUse = (uses: unknown, path: (string | number)[]) => {
    if (typeof uses !== 'string') return;
    if (isUnpinnedThirdParty(uses.trim(), owner)) posture.unpinned.push({ uses: uses.trim().slice(0, 300), line: lineOf(path) });
  };
  for (const [jobId, job] of Object.entries(jobs)) {
    if (!isRecord(job)) continue;
    if (isWriteAll(job.permissions)) posture.writeAll = true;
    const env = job.environment;
    const envName = typeof env === 'string' ? env : isRecord(env) && typeof env.name === 'string' ? env.name : undefined;
    if (envName?.trim()) deploys.add(envName.trim().slice(0, 255));
    addUse(job.uses, ['jobs', jobId, 'uses']);
    const steps = Array.isArray(job.steps) ? job.steps : [];
    steps.forEach((step, i) => {
      if (!isRecord(step)) return;
      addUse(step.uses, ['jobs', jobId, 'steps', i, 'uses']);
      if (!prTarget || posture.prTargetCheckout) return;
      if (checksOutHead(step)) {
        posture.prTargetCheckout = true;
        posture.prTargetCheckoutLine = lineOf(['jobs', jobId, 'steps', i]);
      }
    });
  }
  posture.deploysTo = [...deploys].sort();
  return posture;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function triggersOf(on: unknown): string[] {
  const names = typeof on === 'string' ? [on] : Array.isArray(on) ? on.filter((x): x is string => typeof x === 'string') : isRecord(on) ? Object.keys(on) : [];
  return [...new Set(names.map((n) => n.trim()).filter((n) => n && n.length <= 100))].sort();
}

function isWriteAll(permissions: unknown): boolean {
  return typeof permissions === 'string' && permissions.trim().toLowerCase() === 'write-all';
}

/**
 * Whether `uses` runs code from outside GitHub and the repository's owner without a pin: `owner/repo@ref` whose ref
 * is not a full commit sha, or a `docker://` image without an `@sha256:` digest. Local actions (`./…`) are the
 * repository's own code.
 */
export function isUnpinnedThirdParty(uses: string, owner: string): boolean {
  if (!uses || uses.startsWith('./')) return false;
  if (uses.startsWith('docker://')) return !/@sha256:[0-9a-f]{64}$/i.test(uses);
  const at = uses.lastIndexOf('@');
  const target = at > 0 ? uses.slice(0, at) : uses;
  const ref = at > 0 ? uses.slice(at + 1) : '';
  const actionOwner = target.split('/')[0]!.toLowerCase();
  if (FIRST_PARTY.has(actionOwner) || actionOwner === owner.toLowerCase()) return false;
  return !COMMIT_SHA.test(ref);
}

/** A step that checks out the pull request's head: `actions/checkout` with a head `ref`/`repository`, or a git command. */
function checksOutHead(step: Record<string, unknown>): boolean {
  const uses = typeof step.uses === 'string' ? step.uses : '';
  if (/^actions\/checkout@/i.test(uses.trim())) {
    const w = isRecord(step.with) ? step.with : {};
    return [w.ref, w.repository].some((v) => typeof v === 'string' && PR_HEAD.test(v));
  }
  const run = typeof step.run === 'string' ? step.run : '';
  return HEAD_CHECKOUT_COMMAND.test(run) && PR_HEAD.test(run);
}
