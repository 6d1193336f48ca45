/** What every resolver receives: the store, the caller, the request's loaders, and server-wide shared state. */
import type { GraphStore } from '../../schema/store.ts';
import type { Caller } from './auth.ts';
import type { ApiLimits } from './limits.ts';
import type { Loaders } from './loader.ts';
import type { ResultCache } from './result-cache.ts';

export interface ApiContext {
  store: GraphStore;
  caller: Caller;
  loaders: Loaders;
  /** Computed analyses shared between requests for a short time (paging). */
  results: ResultCache;
  limits: ApiLimits;
  /** Aborted when the request's time limit passes: no new store work starts after that. */
  signal: AbortSignal;
}

/** What the HTTP layer hands to yoga for each request (merged into the context by yoga). */
export interface ServerContext {
  caller: Caller;
}
