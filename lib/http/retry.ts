import { type MonoTypeOperatorFunction, retry, type SchedulerLike, throwError, timer } from 'rxjs';
import {
  SmartFlowsHttpError,
  SmartFlowsNetworkError,
  SmartFlowsResponseError,
  SmartFlowsTimeoutError,
} from '../errors';
import type { NormalizedOptions } from '../options';

/** Which failures a request may be sent again after. */
export type RetryMode =
  /** GET, DELETE: network errors, timeouts, garbled bodies, 408, 429, 5xx. */
  | 'idempotent'
  /** A POST that must not be done twice but may be sent again after a refused connection, 429 or 503 (a login). */
  | 'start'
  /** The start POST and a form answer: only a refused connection (busy answers are looked up first by `api/busyStart.ts` or read up by `api/busyFormAnswer.ts`, or the caller's, with `retryBusy: false`). */
  | 'startUnlessBusy'
  /** Sent once, never again (the listing and execution GETs of a busy start's look: a failure makes the look uncertain, see `api/busyStart.ts`). */
  | 'once';

const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/** True when `error` may be retried under `mode`. 400, 401, 403 and 404 never are. */
export function isRetryable(error: unknown, mode: RetryMode): boolean {
  if (mode === 'once') return false;
  if (error instanceof SmartFlowsHttpError) {
    if (mode === 'startUnlessBusy') return false;
    return mode === 'start' ? error.status === 429 || error.status === 503 : RETRY_STATUS.has(error.status) || error.status >= 500;
  }
  if (error instanceof SmartFlowsNetworkError) return mode === 'idempotent' || !error.maybeReceived;
  if (mode !== 'idempotent') return false;
  if (error instanceof SmartFlowsTimeoutError) return true;
  return error instanceof SmartFlowsResponseError && error.retryable;
}

/**
 * Backoff before retry `attempt` (1-based): `delayMs · 2^(attempt−1)` capped at `maxDelayMs`,
 * with full jitter; a server's Retry-After (already clamped) wins when it asks for longer.
 */
export function backoffDelay(attempt: number, retry: NormalizedOptions['retry'], retryAfterMs?: number, random = Math.random): number {
  const cap = Math.min(retry.maxDelayMs, retry.delayMs * 2 ** Math.min(attempt - 1, 30));
  const jittered = retry.jitter ? Math.round(cap * random()) : cap;
  return retryAfterMs === undefined ? jittered : Math.min(retry.maxDelayMs, Math.max(retryAfterMs, jittered));
}

/**
 * Retries a request Observable per the client's policy: up to `retry.maxRetries` consecutive
 * failures, exponential backoff with jitter, Retry-After honoured, every wait on `scheduler`.
 * @param random - source of the jitter (injectable for tests)
 * @param onRetry - told of each retry before its wait (the diagnostics channel's listener)
 */
export function retryRequest<T>(
  retryOptions: NormalizedOptions['retry'],
  scheduler: SchedulerLike,
  mode: RetryMode,
  random: () => number = Math.random,
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void,
): MonoTypeOperatorFunction<T> {
  return retry({
    count: retryOptions.maxRetries,
    delay: (error: unknown, attempt: number) => {
      if (!isRetryable(error, mode)) return throwError(() => error);
      const delayMs = backoffDelay(attempt, retryOptions, error instanceof SmartFlowsHttpError ? error.retryAfterMs : undefined, random);
      onRetry?.(error, attempt, delayMs);
      return timer(delayMs, scheduler);
    },
  });
}
