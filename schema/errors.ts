/**
 * Errors that carry the CLI exit code they map to: 2 for usage or input errors, 3 for upstream or store failures.
 * (1 is reserved for "findings above the threshold", which is not an error.)
 */
export const EXIT = { ok: 0, findings: 1, usage: 2, upstream: 3 } as const;

export class AispmError extends Error {
  readonly exitCode: number;
  readonly code: string;
  constructor(message: string, exitCode: number, code: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AispmError';
    this.exitCode = exitCode;
    this.code = code;
  }
}

/** Bad arguments, unknown keys, malformed input files. */
export class UsageError extends AispmError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, EXIT.usage, 'BAD_INPUT', options);
    this.name = 'UsageError';
  }
}

/** An upstream API or the store failed. */
export class UpstreamError extends AispmError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, EXIT.upstream, 'UPSTREAM', options);
    this.name = 'UpstreamError';
  }
}
