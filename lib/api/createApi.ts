import { catchError, defer, map, type MonoTypeOperatorFunction, type Observable, throwError } from 'rxjs';
import { SmartFlowsError, SmartFlowsHttpError, SmartFlowsResponseError } from '../errors';
import { retryRequest } from '../http/retry';
import type { HttpRequest, Transport } from '../http/transport';
import type { NormalizedOptions } from '../options';
import { endpoints, type EndpointStyle, otherStyle } from './endpoints';
import { isGuid } from './ids';
import { parseExecution, parseProgress } from './schemas';
import type { FlowExecution, FlowProgress } from './types';

/** The calls the execution layer needs, each a cold Observable of one parsed answer. */
export interface ExecutionApi {
  start(flowId: string, xml: string | undefined, skipUserInput: boolean): Observable<FlowProgress>;
  progress(executionId: string, waitSeconds: number): Observable<FlowProgress>;
  execution(executionId: string): Observable<FlowExecution>;
  cancel(executionId: string): Observable<void>;
  submitUserInput(executionId: string, values: Record<string, unknown>): Observable<FlowProgress>;
}

/** Endpoints, schemas and retry policy over one transport: the client's API layer. */
export function createApi(transport: Transport, options: NormalizedOptions): ExecutionApi & { send: Send } {
  const { retry, scheduler } = options;
  // Ids are checked inside `defer`, so a bad one errors the stream before any request.
  const send: Send = (build, mode = 'idempotent') =>
    defer(() => transport(build())).pipe(retryRequest(retry, scheduler, mode), map((r) => r.body));

  const withId = <T>(executionId: string): MonoTypeOperatorFunction<T> =>
    catchError((error: unknown) => throwError(() => attachExecutionId(error, executionId)));

  return {
    send,
    start: (flowId, xml, skipUserInput) =>
      send(
        () => ({
          method: 'POST',
          path: skipUserInput ? endpoints.startSkippingInput() : endpoints.start(),
          query: { flowId: checkFlowId(flowId) },
          ...(xml !== undefined ? { body: xml, contentType: 'application/xml; charset="utf-8"' } : {}),
        }),
        'start',
      ).pipe(
        map((body) => {
          const progress = parseProgress(body);
          if (!isGuid(progress.id)) throw new SmartFlowsResponseError(`The server answered the start with an execution id that is not a GUID`);
          return progress;
        }),
        catchError((error: unknown) => throwError(() => markMayExist(error))),
      ),
    progress: (executionId, waitSeconds) =>
      send(() => ({
        method: 'GET',
        path: endpoints.progress(executionId),
        ...(waitSeconds > 0 ? { query: { timeout: waitSeconds }, timeoutMs: options.requestTimeoutMs + waitSeconds * 1000 } : {}),
      })).pipe(
        map((body) => {
          const progress = parseProgress(body, executionId);
          if (progress.id.toLowerCase() !== executionId.toLowerCase()) {
            throw new SmartFlowsResponseError(`The server answered with the progress of another execution (${progress.id.slice(0, 36)})`, { executionId });
          }
          return progress;
        }),
        withId(executionId),
      ),
    execution: (executionId) =>
      send(() => ({ method: 'GET', path: endpoints.execution(executionId) })).pipe(
        map((body) => parseExecution(body, executionId)),
        withId(executionId),
      ),
    cancel: (executionId) =>
      withFallback(options.endpointStyle, (style) =>
        send(() => ({ method: 'DELETE', path: endpoints.cancel(executionId, style), responseType: 'empty' })),
      ).pipe(map(() => undefined), withId(executionId)),
    submitUserInput: (executionId, values) =>
      send(() => ({
        method: 'POST',
        path: endpoints.progress(executionId),
        body: JSON.stringify(values),
        contentType: 'application/json',
      })).pipe(map((body) => parseProgress(body, executionId)), withId(executionId)),
  };
}

/** Sends the request `build` describes, retried per `mode`, and gives the answer's body. */
export type Send = (build: () => HttpRequest, mode?: 'idempotent' | 'start') => Observable<unknown>;

/** Tries the configured spelling of a path, and once the other one after a 404 or 405. */
export function withFallback<T>(style: EndpointStyle, call: (style: EndpointStyle) => Observable<T>): Observable<T> {
  return call(style).pipe(
    catchError((error: unknown) =>
      error instanceof SmartFlowsHttpError && (error.status === 404 || error.status === 405)
        ? call(otherStyle(style))
        : throwError(() => error),
    ),
  );
}

function checkFlowId(flowId: string): string {
  // endpoints.executions checks and encodes a GUID; the query string wants it raw.
  endpoints.executions(flowId);
  return flowId;
}

/** Puts the execution id on an error (wrapping a foreign one) so the caller can watch again. */
export function attachExecutionId(error: unknown, executionId: string): SmartFlowsError {
  const e = error instanceof SmartFlowsError ? error : new SmartFlowsError(`Unexpected failure: ${String((error as Error)?.message ?? error)}`, { cause: error });
  e.executionId ??= executionId;
  return e;
}

function markMayExist(error: unknown): unknown {
  if (error instanceof SmartFlowsError && mayHaveStarted(error)) {
    error.executionMayExist = true;
    error.message += ' (the request may have reached the server: an execution may exist; see listExecutions)';
  }
  return error;
}

function mayHaveStarted(error: SmartFlowsError): boolean {
  if (error.name === 'SmartFlowsTimeoutError') return true;
  if (error.name === 'SmartFlowsNetworkError') return (error as { maybeReceived?: boolean }).maybeReceived === true;
  if (error instanceof SmartFlowsHttpError) return error.status >= 500 && error.status !== 503;
  return false;
}
