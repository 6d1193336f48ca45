/** Parsing of numeric CLI options, with usage errors that name the option. */
import { UsageError } from '../../schema/errors.ts';

export function positiveInt(value: unknown, name: string, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new UsageError(`${name} must be a whole number from 1 to ${max}, got "${String(value).slice(0, 40)}"`);
  }
  return n;
}
