import { catchError, defer, map, type MonoTypeOperatorFunction, type Observable, throwError } from 'rxjs';
import { SmartFlowsError, SmartFlowsHttpError, SmartFlowsResponseError } from '../errors';
import { retryRequest, type RetryMode } from '../http/retry';
import { createTransport, type HttpRequest, type HttpResponse, type Transport } from '../http/transport';
import type { NormalizedOptions } from '../options';
import { type DocumentMetadata, documentCalls } from './documents';
import { endpoints } from './endpoints';
import { isGuid } from './ids';
import { type ExecutionPage, type ListExecutionsOptions, listExecutionsCall } from './listings';
import { type LoginCredentials, loginCall, type LoginToken } from './login';
import { progressRequestTimeoutMs, progressTimeoutParam } from './progressTimeout';
import { parseExecution, parseProgress } from './schemas';
import { withFallback } from './withFallback';
import type { DownloadedDocument, FlowExecution, FlowProgress } from './types';

/** The calls the execution layer needs, each a cold Observable of one parsed answer. */
export interface ExecutionApi {
  start(flowId: string, xml: string | undefined, skipUserInput: boolean): Observable<FlowProgress>;
  progress(executionId: string, waitSeconds: number): Observable<FlowProgress>;
  execution(executionId: string): Observable<FlowExecution>;
  cancel(executionId: string): Observable<void>;
  submitUserInput(executionId: string, values: Record<string, unknown>): Observable<FlowProgress>;
}

/** The calls beyond following an execution: documents, listings, login. */
export interface ExtraApi {
  getDocument(documentId: string): Observable<DocumentMetadata>;
  /** `knownName` is used when the answer names no file, before asking the metadata. */
  downloadDocument(documentId: string, knownName?: string): Observable<DownloadedDocument>;
  listExecutions(options: ListExecutionsOptions): Observable<ExecutionPage>;
  /** Sent without the client's credentials. */
  login(credentials: LoginCredentials): Observable<LoginToken>;
}

/** The whole API layer the client wires: every call, and `send` for anything else. */
export type SmartFlowsApi = ExecutionApi & ExtraApi & { send: Send };

/**
 * Endpoints, schemas and retry policy over one transport: the client's API layer.
 * @param anonymous - transport without credentials, for login (default: one built from `options`)
 */
export function createApi(transport: Transport, options: NormalizedOptions, anonymous?: Transport): SmartFlowsApi {
  const { retry, scheduler } = options;
  const refreshable = typeof options.bearerToken === 'function';
  const sendOnce = (via: Transport, build: () => HttpRequest, mode: RetryMode, refreshToken: boolean): Observable<HttpResponse> =>
    // Ids are checked inside `defer`, so a bad one errors the stream before any request.
    defer(() => via(refreshToken ? { ...build(), refreshToken: true } : build())).pipe(retryRequest(retry, scheduler, mode));
  const rawVia = (via: Transport): SendRaw => (build, mode = 'idempotent') =>
    sendOnce(via, build, mode, false).pipe(
      // A token function may hold an expired token: ask it once for a fresh one, send once more.
      catchError((error: unknown) =>
        refreshable && via === transport && isRefusedToken(error)
          ? sendOnce(via, build, mode, true)
          : throwError(() => error),
      ),
    );
  const sendRaw = rawVia(transport);
  const send: Send = (build, mode) => sendRaw(build, mode).pipe(map((r) => r.body));
  let anonymousTransport = anonymous;
  const sendAnonymous: Send = (build, mode) => {
    anonymousTransport ??= createTransport({ ...options, apiKey: undefined, bearerToken: undefined });
    return rawVia(anonymousTransport)(build, mode).pipe(map((r) => r.body));
  };
  const documents = documentCalls(sendRaw, options.endpointStyle);

  const withId = <T>(executionId: string): MonoTypeOperatorFunction<T> =>
    catchError((error: unknown) => throwError(() => attachExecutionId(error, executionId)));

  return {
    send,
    ...documents,
    listExecutions: (listOptions) => listExecutionsCall(send, listOptions),
    login: (credentials) => loginCall(sendAnonymous, credentials),
    start: (flowId, xml, skipUserInput) =>
      send(
        () => ({
          method: 'POST',
          path: skipUserInput ? endpoints.startSkippingInput() : endpoints.start(),
          query: { flowId: checkFlowId(flowId) },
          // The XML start always says what it sends, even with no input (a Spring endpoint
          // that consumes XML answers 415 to a POST without Content-Type); /start takes none.
          ...(skipUserInput && xml === undefined ? {} : { body: xml ?? '', contentType: 'application/xml; charset="utf-8"' }),
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
        // Always an explicit timeout, and a limit that covers it (see progressTimeout.ts).
        query: { timeout: progressTimeoutParam(waitSeconds) },
        timeoutMs: progressRequestTimeoutMs(waitSeconds, options.requestTimeoutMs),
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
        // Not idempotent: after a 500, a reset or a timeout the form may have been taken.
      }), 'start').pipe(map((body) => parseProgress(body, executionId)), withId(executionId)),
  };
}

export { withFallback };

/** Sends the request `build` describes, retried per `mode`, and gives the answer's body. */
export type Send = (build: () => HttpRequest, mode?: RetryMode) => Observable<unknown>;

/** Like {@link Send}, but gives the whole answer (status, headers, body). */
export type SendRaw = (build: () => HttpRequest, mode?: RetryMode) => Observable<HttpResponse>;

/** A 401 to the request itself (not to a login a token function made: logging in again would not help). */
function isRefusedToken(error: unknown): boolean {
  if (!(error instanceof SmartFlowsHttpError) || error.status !== 401) return false;
  try {
    return !new URL(error.url).pathname.endsWith(endpoints.login());
  } catch {
    return true;
  }
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
