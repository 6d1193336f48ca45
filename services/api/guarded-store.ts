/**
 * The store as one request sees it: every call first checks the request's time limit, so that an analysis past its
 * time stops at its next store call. The check reads the clock rather than waiting for a timer: SQLite calls are
 * synchronous, so a long analysis on it runs in promise jobs without ever letting a timer fire.
 */
import type { GraphStore } from '../../schema/store.ts';
import { apiError } from './errors.ts';

export function guardedStore(store: GraphStore, signal: AbortSignal, deadline: number): GraphStore {
  const check = () => {
    if (signal.aborted || Date.now() > deadline) throw apiError('TIMEOUT', 'the request ran out of time');
  };
  return {
    backend: store.backend,
    location: store.location,
    upsert: (batch, sync) => (check(), store.upsert(batch, sync)),
    getNodes: async (keys) => (check(), store.getNodes(keys)),
    expand: async (req) => (check(), store.expand(req)),
    find: async (query) => (check(), store.find(query)),
    removeStale: async (sync) => (check(), store.removeStale(sync)),
    stats: async () => (check(), store.stats()),
    exportAll: () => store.exportAll(),
    getMeta: async (name) => (check(), store.getMeta(name)),
    setMeta: async (name, value) => (check(), store.setMeta(name, value)),
    // A request never closes the server's store.
    close: async () => undefined,
  };
}
