import { RateLimitError, UnrecoverableError } from 'bullmq';
import { isSmartFlowsHttpError } from 'smart-flows-rx';

/**
 * The error a processor fails a job with when no retry can change the outcome: BullMQ's
 * `UnrecoverableError` (BullMQ 5 and 6 both fail the job at once on it; 6 has no
 * `job.discard()`), with the client's error as `cause`, its message (what BullMQ keeps as
 * `failedReason`) and its `executionId`.
 */
export function unrecoverable(error: unknown): UnrecoverableError {
  const final = new UnrecoverableError(error instanceof Error ? error.message : String(error));
  const executionId = (error as { executionId?: unknown } | null)?.executionId;
  return Object.assign(final, { cause: error }, typeof executionId === 'string' ? { executionId } : {});
}

/** Whether BullMQ will take `error` as a rate limit (it checks the message: a copy of the package elsewhere counts too). */
export function isRateLimitError(error: unknown): boolean {
  return error instanceof RateLimitError || (error instanceof Error && error.message === new RateLimitError().message);
}

/** BullMQ's `RateLimitError`: the job goes back to the queue without using an attempt. */
export function rateLimitError(): RateLimitError {
  return new RateLimitError();
}

/**
 * How long the whole queue waits after a start answered `error`, or `undefined` when it is not
 * a busy answer. One rule: a 429 or a 503 is busy; the pause is its `Retry-After`, else
 * `fallbackMs`, as a whole number of ms (what Redis takes for `worker.rateLimit`: a fraction of
 * a ms would make it throw) and at least {@link MIN_BUSY_PAUSE_MS}: a `Retry-After` of 0 or a
 * past date would make it throw too, and a 1 ms pause would let a whole fleet send starts
 * back to back to a server that just said it is busy (the attack measured 208 in 3 s).
 */
export function busyDelayMs(error: unknown, fallbackMs: number): number | undefined {
  if (!isSmartFlowsHttpError(error) || (error.status !== 429 && error.status !== 503)) return undefined;
  return Math.max(MIN_BUSY_PAUSE_MS, Math.ceil(error.retryAfterMs ?? fallbackMs));
}

/** The shortest fleet pause after a busy answer, whatever its `Retry-After` says: 250 ms. */
export const MIN_BUSY_PAUSE_MS = 250;
