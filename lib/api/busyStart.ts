import { catchError, concatMap, defer, type Observable, type SchedulerLike, throwError, timer } from 'rxjs';
import type { Reconciled } from '../batch/reconcile';
import { SmartFlowsHttpError, withErrorContext } from '../errors';
import { backoffDelay } from '../http/retry';
import type { ServerDate } from '../http/serverDate';
import { serverDateOf } from '../http/serverDateOf';
import type { NormalizedOptions } from '../options';
import type { FlowProgress } from './types';

/**
 * Most execution GETs one look sends: the newest unknown executions of the flow in its window.
 * When the window holds more and none of these is the start's, the look cannot tell (the busy
 * error with `executionMayExist: true`, nothing sent again). Every request of the look is sent
 * once (never retried; the first that fails makes it uncertain), so with {@link MAX_LOOK_PAGES}
 * one busy answer costs the server at most 20 requests: its POST, 3 listing requests and 16
 * GETs. One call: at most `retry.maxRetries + 1` busy answers, then an adopted execution's first
 * progress GET (retried as every GET, `1 + maxRetries` at most): 5 × 20 + 5 = 105 with the
 * default `maxRetries` of 4. Not counted: connections refused before sending, and a token
 * function's one resend after a 401 (as for every request).
 */
export const MAX_LOOK_READS = 16;
/** Most listing pages (of 100 executions, newest first) one look reads; a window reaching beyond them cannot be told. */
export const MAX_LOOK_PAGES = 3;
/**
 * Taken off the window a busy answer's `Date` gives: the gateway's clock (the `Date`) against the
 * backend's (`createdAt`), and the header's whole seconds. An execution made by the call was
 * created no earlier than the `Date` less the time the POST was in flight less this. A `Date`
 * later than this machine's clock is not kept on the error (`http/serverDate.ts`): the hour's window applies.
 */
export const SERVER_DATE_TOLERANCE_MS = 30_000;
/**
 * The least wait after a busy answer before the one read that decides (a busy start's look, a
 * busy form answer's progress read): full jitter may draw a backoff near 0 ms, and a backend or
 * listing a few hundred ms behind its gateway would then not show what the POST did yet (a
 * second execution, a second answer). Not jittered; a longer backoff or Retry-After is kept.
 * @default 1000
 */
export const DECISIVE_READ_MIN_MS = 1_000;

/**
 * The wait before the read that decides after the `attempt`-th busy answer: the backoff (the
 * server's Retry-After honoured, as for any retry), and at least {@link DECISIVE_READ_MIN_MS}.
 */
export function decisiveWaitMs(attempt: number, retry: NormalizedOptions['retry'], retryAfterMs: number | undefined, random: () => number): number {
  return Math.max(DECISIVE_READ_MIN_MS, backoffDelay(attempt, retry, retryAfterMs, random));
}

/** What a start answered busy needs: the policy, the clock, and a way to look and to adopt. */
export interface BusyStartDeps {
  /** One start POST (refused connections already retried): its first progress, or its error. */
  post(): Observable<FlowProgress>;
  /** Whether `error` is a busy answer to the start itself (not to a login a token function made). @default {@link isBusyAnswer} */
  isBusy?: (error: unknown) => error is SmartFlowsHttpError;
  /**
   * Whether the server holds an execution of this start (reconciliation, bounded by
   * {@link MAX_LOOK_PAGES} and {@link MAX_LOOK_READS}): made since `sinceMs` (the first attempt, on
   * the scheduler's clock) less an hour, or, when a busy answer told the server's time, at or
   * after `cutoffMs` on the server's clock.
   */
  look(sinceMs: number, cutoffMs?: number): Observable<Reconciled>;
  /** The first progress of an execution found by `look`. */
  adopt(executionId: string): Observable<FlowProgress>;
  /** The client's retry policy (`maxRetries`, backoff). */
  retry: NormalizedOptions['retry'];
  /** Times the waits. */
  scheduler: SchedulerLike;
  /** Told of each resend, with its wait (the diagnostics channel's listener). */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** The server's `Date` a busy answer told and when it came, read from that answer's error. @default {@link serverDateOf}: what the transport noted on it */
  serverDateOf?: (error: SmartFlowsHttpError) => ServerDate | undefined;
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
 * server's Retry-After honoured, as for any retry; at least {@link DECISIVE_READ_MIN_MS}), one look (`look`: the flow's listing, one
 * request, and the input of each unknown execution since the first attempt) decides. The look is
 * bounded: its window is the hour before the first attempt, or, when a busy answer carried the
 * server's `Date` (one no later than this machine's clock), that `Date` less the time since the
 * first attempt was sent less {@link SERVER_DATE_TOLERANCE_MS}; it reads at most {@link MAX_LOOK_PAGES} listing pages and
 * {@link MAX_LOOK_READS} executions (newest first), and past either it cannot tell:
 * - an execution with this input was made: it is adopted (its progress is the start's answer);
 * - none: the start is sent again, while `retry.maxRetries` allows; after the last busy answer
 *   the same look runs, and the error then says nothing was found (no `executionMayExist`);
 * - the look could not tell (the listing refused, 404 or 403; a listing page or execution GET
 *   failed, a 503 or a reset: each is sent once, never retried; an input unreadable; more
 *   executions in the window than it may read): nothing is
 *   sent again; the busy error carries `executionMayExist: true`.
 * Nothing of this runs unless a start was answered busy: the happy path costs no request.
 */
export function busyStart(deps: BusyStartDeps): Observable<FlowProgress> {
  const { retry, scheduler, random = Math.random, isBusy = isBusyAnswer, serverDateOf: dateOf = serverDateOf } = deps;
  // The server's time of the first attempt, less the tolerance: from the Date of this attempt's own
  // busy answer (one that came before the attempt was sent is not used), else the last one had.
  const serverCutoff = (error: SmartFlowsHttpError, firstSentAt: number, sentAt: number, previous: number | undefined) => {
    const told = dateOf(error);
    return told !== undefined && told.atMs >= sentAt ? told.dateMs - (told.atMs - firstSentAt) - SERVER_DATE_TOLERANCE_MS : previous;
  };
  const attempt = (busyAnswers: number, sinceMs: number | undefined, cutoffMs: number | undefined): Observable<FlowProgress> =>
    defer(() => {
      const sentAt = scheduler.now();
      return deps.post().pipe(
        catchError((error: unknown) => {
          if (!isBusy(error)) return throwError(() => error);
          // From the first attempt on: the window covers every attempt this call sent.
          const since = sinceMs ?? sentAt;
          const cutoff = serverCutoff(error, since, sentAt, cutoffMs);
          const n = busyAnswers + 1;
          const delayMs = decisiveWaitMs(n, retry, error.retryAfterMs, random);
          return timer(delayMs, scheduler).pipe(
            concatMap(() => deps.look(since, cutoff)),
            concatMap((found) => {
              switch (found.kind) {
                case 'adopt':
                  return deps.adopt(found.executionId);
                case 'none':
                  if (n > retry.maxRetries) return throwError(() => error);
                  deps.onRetry?.(error, n, delayMs);
                  return attempt(n, since, cutoff);
                case 'uncertain':
                  return throwError(() => withErrorContext(error, { executionMayExist: true }));
              }
            }),
          );
        }),
      );
    });
  return attempt(0, undefined, undefined);
}
