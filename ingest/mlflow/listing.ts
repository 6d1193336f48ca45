/**
 * The registry as listed: every registered model (with its aliases and tags), every version, and on MLflow 3 every
 * logged model of every active experiment. A listing that stops part-way is kept with `complete: false`, so what was
 * listed is still read and nothing is removed on its account.
 */
import type { Props } from '../../schema/records.ts';
import { isObject, type Json } from '../pipeline/fields.ts';
import type { MlflowClient } from './client.ts';
import { kvObject } from './props.ts';

export interface RegisteredModel {
  name: string;
  description?: string;
  tags: Props;
  /** alias → version, from `aliases: [{alias, version}]`. */
  aliases: Map<string, string>;
}

export interface Listed<T> {
  items: T[];
  complete: boolean;
  /** Why the listing is incomplete. */
  stoppedBy?: unknown;
  /** Entries of the wrong shape, skipped. */
  malformed: number;
}

export function registeredModelOf(raw: unknown): RegisteredModel | undefined {
  if (!isObject(raw) || typeof raw.name !== 'string' || raw.name === '') return undefined;
  const aliases = new Map<string, string>();
  if (Array.isArray(raw.aliases)) {
    for (const a of raw.aliases) if (isObject(a) && typeof a.alias === 'string' && (typeof a.version === 'string' || typeof a.version === 'number')) aliases.set(a.alias, String(a.version));
  }
  return { name: raw.name, ...(typeof raw.description === 'string' && raw.description ? { description: raw.description } : {}), tags: kvObject(raw.tags), aliases };
}

/** A version entry as the mappers need it: a name and a version string (MLflow sends it as a string; some proxies a number). */
export function versionOf(raw: unknown): Json | undefined {
  if (!isObject(raw) || typeof raw.name !== 'string' || raw.name === '') return undefined;
  if (typeof raw.version === 'number' && Number.isSafeInteger(raw.version)) return { ...raw, version: String(raw.version) };
  return typeof raw.version === 'string' && raw.version !== '' ? raw : undefined;
}

export function loggedModelOf(raw: unknown): Json | undefined {
  return isObject(raw) && isObject(raw.info) && typeof raw.info.model_id === 'string' && raw.info.model_id !== '' ? raw : undefined;
}

/** Every item of a paged listing; a failure part-way (after the pipeline's retries) ends it as incomplete. */
export async function collect<T>(pages: AsyncGenerator<unknown[]>, pick: (raw: unknown) => T | undefined, isFatal: (err: unknown) => boolean): Promise<Listed<T>> {
  const out: Listed<T> = { items: [], complete: true, malformed: 0 };
  try {
    for await (const page of pages) {
      for (const raw of page) {
        const item = pick(raw);
        if (item === undefined) out.malformed++;
        else out.items.push(item);
      }
    }
  } catch (err) {
    if (isFatal(err)) throw err;
    out.complete = false;
    out.stoppedBy = err;
  }
  return out;
}

/** Active experiments, then their logged models in batches of experiment ids (the search takes a list). */
export async function listLoggedModels(client: MlflowClient, pageSize: number, isFatal: (err: unknown) => boolean): Promise<Listed<Json>> {
  const experiments = await collect(client.experiments(pageSize), (raw) => (isObject(raw) && typeof raw.experiment_id === 'string' ? raw.experiment_id : undefined), isFatal);
  const out: Listed<Json> = { items: [], complete: experiments.complete, malformed: 0, ...(experiments.stoppedBy ? { stoppedBy: experiments.stoppedBy } : {}) };
  const ids = experiments.items;
  for (let i = 0; i < ids.length; i += 100) {
    const batch = await collect(client.loggedModels(ids.slice(i, i + 100), pageSize), loggedModelOf, isFatal);
    out.items.push(...batch.items);
    out.malformed += batch.malformed;
    if (!batch.complete) {
      out.complete = false;
      out.stoppedBy ??= batch.stoppedBy;
    }
  }
  return out;
}
