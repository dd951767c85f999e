import { catchError, defer, map, type Observable, throwError } from 'rxjs';
import { SmartFlowsHttpError } from '../errors';
import type { Credentials, HttpSettings } from '../options';
import { retryRequest, type RetryMode } from './retry';
import { buildUrl, createTransport, type HttpRequest, type HttpResponse, type Transport } from './transport';
import { attempts, retryListener } from '../diagnostics/traceRequest';

/** Sends the request `build` describes, retried per `mode`, and gives the answer's body. */
export type Send = (build: () => HttpRequest, mode?: RetryMode) => Observable<unknown>;

/** Like {@link Send}, but gives the whole answer (status, headers, body). */
export type SendRaw = (build: () => HttpRequest, mode?: RetryMode) => Observable<HttpResponse>;

/** The http layer as the API layer sees it. */
export interface Sender {
  send: Send;
  sendRaw: SendRaw;
  /** Sent without the client's credentials (a login). */
  sendAnonymous: Send;
}

/**
 * The http layer: transport, retry policy and the one fresh-token retry after a 401, over the
 * client's settings. The credentials stay here, in the transport's closure.
 * @param transports - prebuilt transports (tests); by default built from `settings`
 */
export function createSender(
  settings: HttpSettings,
  credentials: Credentials,
  transports: { main?: Transport; anonymous?: Transport } = {},
): Sender {
  const main = transports.main ?? createTransport({ ...settings, ...credentials });
  let anonymous = transports.anonymous;
  const refreshable = typeof credentials.bearerToken === 'function';
  const once = (via: Transport, build: () => HttpRequest, mode: RetryMode): Observable<HttpResponse> =>
    // Ids are checked inside `defer`, so a bad one errors the stream before any request.
    // `attempts` is that `defer`, each attempt traced while someone listens (lib/diagnostics).
    attempts(via, build).pipe(retryRequest(settings.retry, settings.scheduler, mode, Math.random, retryListener(build)));
  const rawVia = (via: Transport, mayRefresh: boolean): SendRaw => (build, mode = 'idempotent') =>
    // Without a token function there is no fresh token to ask for, and no layer for it on each request.
    !mayRefresh
      ? once(via, build, mode)
      : once(via, build, mode).pipe(
          // A token function may hold an expired token: ask it once for a fresh one, send once more.
          catchError((error: unknown) =>
            isRefusedToken(error, settings.apiRoot, build) ? once(via, () => ({ ...build(), refreshToken: true }), mode) : throwError(() => error),
          ),
        );
  const sendRaw = rawVia(main, refreshable);
  return {
    sendRaw,
    send: (build, mode) => sendRaw(build, mode).pipe(map((r) => r.body)),
    sendAnonymous: (build, mode) =>
      defer(() => {
        anonymous ??= createTransport(settings);
        return rawVia(anonymous, false)(build, mode);
      }).pipe(map((r) => r.body)),
  };
}

/**
 * A 401 answering this very request. Not one the token function passed on (a login it made
 * was refused: logging in again would not help); that one names another URL.
 */
function isRefusedToken(error: unknown, apiRoot: string, build: () => HttpRequest): boolean {
  if (!(error instanceof SmartFlowsHttpError) || error.status !== 401) return false;
  const request = build();
  return error.url === buildUrl(apiRoot, request.path, request.query);
}
