/**
 * API error codes and the mapping from anything a resolver throws to what a client may see. Clients get a code in
 * `extensions.code` and a redacted message; stack traces and internal messages never leave the server.
 */
import { GraphQLError } from 'graphql';
import { AispmError } from '../../schema/errors.ts';
import { redact } from '../../schema/secrets.ts';
import { ValidationError } from '../../schema/validate.ts';

export const API_ERROR_CODES = [
  'BAD_INPUT',
  'NOT_FOUND',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'QUERY_TOO_DEEP',
  'QUERY_TOO_COSTLY',
  'TIMEOUT',
  'NOT_AVAILABLE',
  'INTERNAL',
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

const HTTP_STATUS: Partial<Record<ApiErrorCode, number>> = { UNAUTHENTICATED: 401, FORBIDDEN: 403 };

/** An error meant for the client, with its code. */
export function apiError(code: ApiErrorCode, message: string): GraphQLError {
  const status = HTTP_STATUS[code];
  return new GraphQLError(redact(message), { extensions: { code, ...(status ? { http: { status } } : {}) } });
}

/** The codes graphql-js and yoga put on request errors, folded into ours so that clients handle one vocabulary. */
const FOREIGN_INPUT_CODES = new Set([
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'REQUEST_ENTITY_TOO_LARGE',
  'PERSISTED_QUERY_NOT_FOUND',
  // An operationName the document does not define.
  'OPERATION_RESOLUTION_FAILURE',
]);

function isApiCode(code: unknown): code is ApiErrorCode {
  return typeof code === 'string' && (API_ERROR_CODES as readonly string[]).includes(code);
}

/**
 * A GraphQLError, recognised by shape: yoga's request-parsing errors may come from another copy of graphql-js
 * (ESM next to CJS), which `instanceof` would not recognise.
 */
interface GraphQLErrorLike extends Error {
  extensions?: Record<string, unknown>;
  originalError?: unknown;
  path?: ReadonlyArray<string | number>;
  nodes?: GraphQLError['nodes'];
  source?: GraphQLError['source'];
  positions?: GraphQLError['positions'];
}

function isGraphQLErrorLike(e: unknown): e is GraphQLErrorLike {
  return e instanceof Error && typeof (e as GraphQLErrorLike).extensions === 'object';
}

/**
 * The extensions a client may see on an error we did not make: our code, and yoga's `http` (the status it answers
 * with). Everything else goes: yoga puts the JSON parser's own message in `originalError`, and that message quotes
 * the request body (tokens included), unredacted.
 */
function foreignExtensions(extensions: Record<string, unknown> | undefined, code: ApiErrorCode): Record<string, unknown> {
  if (!extensions?.http) return { code };
  // yoga answers 400 (not the spec's 200 for application/json) to a body it could not parse by spotting that
  // originalError; with it gone, clearing `spec` keeps that 400.
  const http = extensions.originalError ? { ...(extensions.http as object), spec: false } : extensions.http;
  return { code, http };
}

function rebuilt(from: GraphQLErrorLike | undefined, message: string, extensions: Record<string, unknown>): GraphQLError {
  return new GraphQLError(redact(message), { nodes: from?.nodes, source: from?.source, positions: from?.positions, path: from?.path, extensions });
}

/**
 * yoga's maskError hook: every error that reaches a client passes through here. Known errors keep their message
 * (redacted) and get our code; anything unexpected becomes INTERNAL with a fixed message and is logged server-side.
 */
export function maskError(error: unknown, log: (text: string) => void = (t) => process.stderr.write(t + '\n')): Error {
  const gql = isGraphQLErrorLike(error) ? error : undefined;
  const original = gql?.originalError ?? error;

  if (isGraphQLErrorLike(original) && isApiCode(original.extensions?.code)) {
    return rebuilt(gql, original.message, original.extensions!);
  }
  if ((original instanceof AispmError && original.code === 'BAD_INPUT') || original instanceof ValidationError) {
    return rebuilt(gql, original.message, { code: 'BAD_INPUT' });
  }
  // Errors without a result path are about the request itself (parse, validation, variable coercion, the HTTP
  // body): the client's request was wrong. Errors with a path come from executing it: ours to explain.
  if (gql && !gql.path && (original === gql || isGraphQLErrorLike(original))) {
    const code = gql.extensions?.code;
    if (code === undefined || FOREIGN_INPUT_CODES.has(String(code))) return rebuilt(gql, gql.message, foreignExtensions(gql.extensions, 'BAD_INPUT'));
  }
  const detail = original instanceof Error ? (original.stack ?? original.message) : String(original);
  log(`aispm serve: internal error: ${redact(detail)}`);
  return rebuilt(gql, 'internal error', { code: 'INTERNAL' });
}

/**
 * Request errors that never reach maskError (parse and validation failures, malformed HTTP requests) keep yoga's
 * codes; this folds them into ours, on the final result, so that every error a client sees has one of our codes.
 */
export function withApiCodes(errors: readonly unknown[]): GraphQLError[] {
  return errors.map((e) => {
    const err: GraphQLErrorLike = isGraphQLErrorLike(e) ? e : new GraphQLError(String((e as Error)?.message ?? e));
    const code = err.extensions?.code;
    if (isApiCode(code) && err instanceof GraphQLError) return err;
    if (isApiCode(code)) return rebuilt(err, err.message, err.extensions!);
    const mapped: ApiErrorCode = code === undefined || FOREIGN_INPUT_CODES.has(String(code)) ? 'BAD_INPUT' : 'INTERNAL';
    return rebuilt(err, mapped === 'INTERNAL' ? 'internal error' : err.message, foreignExtensions(err.extensions, mapped));
  });
}
