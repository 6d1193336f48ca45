/**
 * The single fix that cuts the most reported attack paths: the step (edge, as compromise moves) that the most of them
 * pass through, as BloodHound's choke point is the edge the most attack paths must use. Counted over the reported
 * (top-k) paths only. Ties go to the more likely step, since cutting it removes the path an attacker would sooner
 * take, then to key order so the answer is the same on every run.
 */
import type { ChokePoint, ReportPath } from './model.ts';

export function chokePoint(paths: readonly ReportPath[]): ChokePoint | null {
  const counts = new Map<string, { count: number; likelihood: number; step: ReportPath['steps'][number] }>();
  for (const path of paths) {
    const seen = new Set<string>();
    for (const step of path.steps) {
      const id = `${step.from}\u0000${step.edgeKind}\u0000${step.to}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const entry = counts.get(id);
      if (entry) entry.count++;
      else counts.set(id, { count: 1, likelihood: step.likelihood, step });
    }
  }
  let best: { id: string; count: number; likelihood: number; step: ReportPath['steps'][number] } | undefined;
  for (const [id, c] of counts) {
    if (
      !best ||
      c.count > best.count ||
      (c.count === best.count && c.likelihood > best.likelihood) ||
      (c.count === best.count && c.likelihood === best.likelihood && id < best.id)
    ) {
      best = { id, ...c };
    }
  }
  if (!best) return null;
  return {
    from: best.step.from,
    to: best.step.to,
    edgeKind: best.step.edgeKind,
    pathsCut: best.count,
    pathsTotal: paths.length,
    remediation: best.step.remediation,
  };
}
