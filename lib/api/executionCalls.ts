import { catchError, map, type MonoTypeOperatorFunction, throwError } from 'rxjs';
import { redactError, SmartFlowsError, SmartFlowsHttpError, SmartFlowsNetworkError, SmartFlowsResponseError, withErrorContext } from '../errors';
import type { Send } from '../http/send';
import { attachExecutionId } from '../internal/attachExecutionId';
import type { Redact } from '../internal/redact';
import type { ApiSettings } from '../options';
import type { ExecutionApi } from './ExecutionApi';
import { endpoints } from './endpoints';
import { isGuid } from './ids';
import { progressHoldMs, progressTimeoutParam } from './progressTimeout';
import { parseExecution, parseProgress } from './schemas';
import { redactFailed, redactionOf } from './redaction';
import type { FlowStatus } from './types';
import { withFallback } from './withFallback';

/**
 * The calls of one execution (start, progress, full execution, cancel, form answer), each
 * answer checked by its zod schema. Part of the engine chunk (see `internal/loadEngine.ts`):
 * `createApi` reaches them through it.
 */
export function executionCalls(send: Send, settings: ApiSettings): ExecutionApi {
  const redact: Redact = redactionOf(settings.secrets) ?? ((text) => text);
  // Errors leave with what the server echoed of the secrets redacted (on the catchError each
  // call has anyway: nothing more per poll).
  const withId = <T>(executionId: string): MonoTypeOperatorFunction<T> =>
    catchError((error: unknown) => throwError(() => attachExecutionId(redactError(error, redact), executionId)));
  const clean = <T extends { status: FlowStatus }>(answer: T): T => redactFailed(answer, redact);

  return {
    start: (flowId, xml, skipUserInput, retryBusy = true) =>
      send(
        () => ({
          method: 'POST',
          path: skipUserInput ? endpoints.startSkippingInput() : endpoints.start(),
          query: { flowId: checkFlowId(flowId) },
          // The XML start always says what it sends, even with no input (a Spring endpoint
          // that consumes XML answers 415 to a POST without Content-Type); /start takes none.
          ...(skipUserInput && xml === undefined ? {} : { body: xml ?? '', contentType: 'application/xml; charset="utf-8"' }),
        }),
        retryBusy ? 'start' : 'startUnlessBusy',
      ).pipe(
        map((body) => {
          const progress = parseProgress(body);
          if (!isGuid(progress.id)) throw new SmartFlowsResponseError(`The server answered the start with an execution id that is not a GUID`);
          return clean(progress);
        }),
        catchError((error: unknown) => throwError(() => markMayExist(redactError(error, redact)))),
      ),
    progress: (executionId, waitSeconds) =>
      send(() => ({
        method: 'GET',
        path: endpoints.progress(executionId),
        // Always an explicit timeout; the http layer adds the hold it asks to the request's limit
        // (see progressTimeout.ts).
        query: { timeout: progressTimeoutParam(waitSeconds) },
        holdMs: progressHoldMs(waitSeconds),
      })).pipe(
        map((body) => {
          const progress = parseProgress(body, executionId);
          if (progress.id.toLowerCase() !== executionId.toLowerCase()) {
            throw new SmartFlowsResponseError(`The server answered with the progress of another execution (${progress.id.slice(0, 36)})`, { executionId });
          }
          return clean(progress);
        }),
        withId(executionId),
      ),
    execution: (executionId) =>
      send(() => ({ method: 'GET', path: endpoints.execution(executionId) })).pipe(
        map((body) => {
          const execution = parseExecution(body, executionId);
          // Every execution GET (getExecution, a follower's final GET, the tracker's confirm): one check.
          if (execution.id.toLowerCase() !== executionId.toLowerCase()) {
            throw new SmartFlowsResponseError(`The server answered with another execution (${execution.id.slice(0, 36)})`, { executionId });
          }
          return clean(execution);
        }),
        withId(executionId),
      ),
    cancel: (executionId) =>
      withFallback(settings.endpointStyle, (style) =>
        send(() => ({ method: 'DELETE', path: endpoints.cancel(executionId, style), responseType: 'empty' })),
      ).pipe(map(() => undefined), withId(executionId)),
    submitUserInput: (executionId, values) =>
      send(() => ({
        method: 'POST',
        path: endpoints.progress(executionId),
        body: JSON.stringify(values),
        contentType: 'application/json',
        // Not idempotent: after a 500, a reset or a timeout the form may have been taken.
      }), 'start').pipe(map((body) => clean(parseProgress(body, executionId))), withId(executionId)),
  };
}

function checkFlowId(flowId: string): string {
  // endpoints.executions checks and encodes a GUID; the query string wants it raw.
  endpoints.executions(flowId);
  return flowId;
}

/**
 * The start's error, as a new error with `executionMayExist` when the POST may have started
 * something: its message then says to look the execution up by listing before starting again.
 */
function markMayExist(error: unknown): unknown {
  return error instanceof SmartFlowsError && mayHaveStarted(error) ? withErrorContext(error, { executionMayExist: true }) : error;
}

function mayHaveStarted(error: SmartFlowsError): boolean {
  // A failure of the login a token function made: the start itself was never sent.
  if ((error instanceof SmartFlowsHttpError || error instanceof SmartFlowsNetworkError) && isLogin(error.url)) return false;
  if (error.name === 'SmartFlowsTimeoutError') return true;
  // Only a 2xx answer is read: the server took the POST, and what it started is unknown (an
  // HTML page, a cut or garbled body, the wrong shape, an id that is not a GUID, too large).
  if (error instanceof SmartFlowsResponseError) return true;
  if (error instanceof SmartFlowsNetworkError) return error.maybeReceived;
  if (error instanceof SmartFlowsHttpError) return error.status >= 500 && error.status !== 503;
  return false;
}

function isLogin(url: string): boolean {
  try {
    return new URL(url).pathname.endsWith(endpoints.login());
  } catch {
    return false;
  }
}
