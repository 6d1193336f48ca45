/** Bounds every analysis accepts, checked in one place so that the CLI, the API and tests refuse alike. */
import { UsageError } from '../schema/errors.ts';

export const DEFAULT_MAX_DEPTH = 25;
export const MAX_DEPTH_LIMIT = 100;
export const DEFAULT_NODE_BUDGET = 200_000;
/** A budget above this would hold more of a graph in memory than one process should. */
export const NODE_BUDGET_LIMIT = 10_000_000;

export function checkMaxDepth(value: number | undefined, fallback = DEFAULT_MAX_DEPTH): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0 || value > MAX_DEPTH_LIMIT) {
    throw new UsageError(`maxDepth must be a whole number from 0 to ${MAX_DEPTH_LIMIT}, got ${String(value).slice(0, 40)}`);
  }
  return value;
}

export function checkNodeBudget(value: number | undefined): number {
  if (value === undefined) return DEFAULT_NODE_BUDGET;
  if (!Number.isInteger(value) || value < 1 || value > NODE_BUDGET_LIMIT) {
    throw new UsageError(`nodeBudget must be a whole number from 1 to ${NODE_BUDGET_LIMIT}, got ${String(value).slice(0, 40)}`);
  }
  return value;
}

export function checkPositive(name: string, value: number | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new UsageError(`${name} must be a whole number from 1 to ${max}, got ${String(value).slice(0, 40)}`);
  }
  return value;
}
