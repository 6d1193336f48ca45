/**
 * What a broken or hostile upstream can make a read throw — a network failure after the retries, a body over a
 * bound, a redirect or link out of the endpoint, a body of the wrong shape or one that drips past the deadline,
 * parser recursion on a document nested far too deep. Each fails the one item being read (a warning; the run goes
 * on); anything else (a store failure, a bug) ends the run. Sources add their client's own error types.
 */
import { UpstreamLimitError } from './bounds.ts';
import { HttpNetworkError, OriginRefusedError } from './http.ts';

export function isTransportFault(err: unknown): boolean {
  return (
    err instanceof HttpNetworkError ||
    err instanceof UpstreamLimitError ||
    err instanceof OriginRefusedError ||
    err instanceof TypeError ||
    err instanceof SyntaxError ||
    (err instanceof DOMException && (err.name === 'TimeoutError' || err.name === 'AbortError')) ||
    (err instanceof RangeError && /call stack/i.test(err.message))
  );
}
