/**
 * The store as one request sees it: every call first checks the request's time limit, so that an analysis past its
 * time stops at its next store call. The check reads the clock rather than waiting for a timer: SQLite calls are
 * synchronous, so a long analysis on it runs in promise jobs without ever letting a timer fire. For the same reason
 * a call gives the event loop a turn once a request has held it for a slice of time: one heavy request must not
 * stall every other request (or `/healthz`) until it ends.
 */
import type { GraphStore } from '../../schema/store.ts';
import { apiError } from './errors.ts';

/** Longest stretch of synchronous store work one request runs before other requests get a turn. */
const SLICE_MS = 20;

export function guardedStore(store: GraphStore, signal: AbortSignal, deadline: number): GraphStore {
  let sliceStart = Date.now();
  const check = async () => {
    const now = Date.now();
    if (now - sliceStart > SLICE_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      sliceStart = Date.now();
    }
    if (signal.aborted || Date.now() > deadline) throw apiError('TIMEOUT', 'the request ran out of time');
  };
  // Checked before the call, and the turn is given after it too: a single store call (a whole reachability on
  // SQLite) can itself be the long stretch, and what waits should not also wait for the request's next call.
  const guarded = async <T>(call: () => Promise<T>): Promise<T> => {
    await check();
    const result = await call();
    await check();
    return result;
  };
  return {
    backend: store.backend,
    location: store.location,
    upsert: (batch, sync) => guarded(() => store.upsert(batch, sync)),
    getNodes: (keys) => guarded(() => store.getNodes(keys)),
    expand: (req) => guarded(() => store.expand(req)),
    reach: (req) => guarded(() => store.reach(req)),
    edgeEnds: (kinds, opts) => guarded(() => store.edgeEnds(kinds, opts)),
    find: (query) => guarded(() => store.find(query)),
    findNodesByProp: (query) => guarded(() => store.findNodesByProp(query)),
    findEdgesByProp: (query) => guarded(() => store.findEdgesByProp(query)),
    removeStale: (sync) => guarded(() => store.removeStale(sync)),
    stats: () => guarded(() => store.stats()),
    exportAll: () => store.exportAll(),
    writeGeneration: () => store.writeGeneration(),
    getMeta: (name) => guarded(() => store.getMeta(name)),
    setMeta: (name, value) => guarded(() => store.setMeta(name, value)),
    // A request never closes the server's store.
    close: async () => undefined,
  };
}
