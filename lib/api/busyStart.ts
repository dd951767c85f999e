import { catchError, concatMap, defer, type Observable, type SchedulerLike, throwError, timer } from 'rxjs';
import type { Reconciled } from '../batch/reconcile';
import { SmartFlowsHttpError, withErrorContext } from '../errors';
import { backoffDelay } from '../http/retry';
import type { NormalizedOptions } from '../options';
import type { FlowProgress } from './types';

/** What a start answered busy needs: the policy, the clock, and a way to look and to adopt. */
export interface BusyStartDeps {
  /** One start POST (refused connections already retried): its first progress, or its error. */
  post(): Observable<FlowProgress>;
  /** Whether `error` is a busy answer to the start itself (not to a login a token function made). @default {@link isBusyAnswer} */
  isBusy?: (error: unknown) => error is SmartFlowsHttpError;
  /** Whether the server holds an execution of this start made since `sinceMs` (reconciliation). */
  look(sinceMs: number): Observable<Reconciled>;
  /** The first progress of an execution found by `look`. */
  adopt(executionId: string): Observable<FlowProgress>;
  /** The client's retry policy (`maxRetries`, backoff). */
  retry: NormalizedOptions['retry'];
  /** Times the waits. */
  scheduler: SchedulerLike;
  /** Told of each resend, with its wait (the diagnostics channel's listener). */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Source of the jitter (tests inject one). @default Math.random */
  random?: () => number;
}

/** A busy answer: 429 or 503. Neither proves the server started nothing (a gateway may send it late). */
export function isBusyAnswer(error: unknown): error is SmartFlowsHttpError {
  return error instanceof SmartFlowsHttpError && (error.status === 429 || error.status === 503);
}

/**
 * The start POST when busy answers are the client's to retry (`retryBusy`, the default). A 429
 * or 503 does not prove the server started nothing (a gateway answered 503 after the backend
 * had made the execution), so a start is never sent again blind: after the backoff wait (the
 * server's Retry-After honoured, as for any retry), one look (`look`: the flow's listing, one
 * request, and the input of each unknown execution since the first attempt) decides:
 * - an execution with this input was made: it is adopted (its progress is the start's answer);
 * - none: the start is sent again, while `retry.maxRetries` allows; after the last busy answer
 *   the same look runs, and the error then says nothing was found (no `executionMayExist`);
 * - the look could not tell (the listing refused, 404 or 403; an input unreadable): nothing is
 *   sent again; the busy error carries `executionMayExist: true`.
 * Nothing of this runs unless a start was answered busy: the happy path costs no request.
 */
export function busyStart(deps: BusyStartDeps): Observable<FlowProgress> {
  const { retry, scheduler, random = Math.random, isBusy = isBusyAnswer } = deps;
  const attempt = (busyAnswers: number, sinceMs: number | undefined): Observable<FlowProgress> =>
    defer(() => {
      const sentAt = scheduler.now();
      return deps.post().pipe(
        catchError((error: unknown) => {
          if (!isBusy(error)) return throwError(() => error);
          // From the first attempt on: the window covers every attempt this call sent.
          const since = sinceMs ?? sentAt;
          const n = busyAnswers + 1;
          const delayMs = backoffDelay(n, retry, error.retryAfterMs, random);
          return timer(delayMs, scheduler).pipe(
            concatMap(() => deps.look(since)),
            concatMap((found) => {
              switch (found.kind) {
                case 'adopt':
                  return deps.adopt(found.executionId);
                case 'none':
                  if (n > retry.maxRetries) return throwError(() => error);
                  deps.onRetry?.(error, n, delayMs);
                  return attempt(n, since);
                case 'uncertain':
                  return throwError(() => withErrorContext(error, { executionMayExist: true }));
              }
            }),
          );
        }),
      );
    });
  return attempt(0, undefined);
}
