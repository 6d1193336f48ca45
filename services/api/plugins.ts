/** yoga plugins: the depth/cost rule (per request, it reads the variables) and the per-request time limit. */
import { validate, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { ApiContext } from './context.ts';
import { apiError, withApiCodes } from './errors.ts';
import { limitsRule, MAX_SYNTAX_NESTING, syntaxNesting, type ApiLimits } from './limits.ts';

export function limitsPlugin(limits: ApiLimits): Plugin {
  return {
    onParse({ params }) {
      const text = typeof params.source === 'string' ? params.source : params.source.body;
      if (syntaxNesting(text) > MAX_SYNTAX_NESTING) {
        throw apiError('QUERY_TOO_DEEP', `the query nests brackets more than ${MAX_SYNTAX_NESTING} deep`);
      }
    },
    // Checked as execution starts rather than among the validation rules: the rule reads the request's variables,
    // so a validation result that held it could not be cached, and validating every request with every rule was a
    // fifth of the server's time under a load of small queries. Nothing has run yet when it refuses.
    onExecute({ args, setResultAndStopExecution }) {
      const variables = (args.variableValues ?? undefined) as Record<string, unknown> | undefined;
      const errors = validate(args.schema, args.document, [limitsRule(limits, variables)]);
      if (errors.length) setResultAndStopExecution({ errors });
    },
  };
}

/**
 * Execution races a timer, for stores that wait on the network (Neo4j): when it fires the client gets TIMEOUT and
 * the request's signal is aborted, so the abandoned work stops at its next store call. (On SQLite the guarded
 * store's clock check does the same job; see guarded-store.ts.)
 */
export function timeoutPlugin(limits: ApiLimits): Plugin {
  return {
    onExecute({ executeFn, setExecuteFn }) {
      setExecuteFn(((args: ExecutionArgs) => {
        const ctx = args.contextValue as ApiContext & { abort: AbortController };
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise((resolve) => {
          timer = setTimeout(() => {
            ctx.abort.abort();
            resolve({ data: null, errors: [apiError('TIMEOUT', `the request took longer than ${limits.timeoutMs} ms`)] });
          }, limits.timeoutMs);
        });
        return Promise.race([Promise.resolve(executeFn(args)), timedOut]).finally(() => clearTimeout(timer));
      }) as typeof executeFn);
    },
  };
}

/** Every error a client sees carries one of our codes (see withApiCodes). */
export function errorCodesPlugin(): Plugin {
  return {
    onResultProcess({ result, setResult }) {
      const fix = (r: ExecutionResult) => (r.errors?.length ? { ...r, errors: withApiCodes(r.errors) } : r);
      if (Array.isArray(result)) setResult(result.map(fix));
      else if (!isAsyncIterable(result)) setResult(fix(result as ExecutionResult));
    },
  };
}
