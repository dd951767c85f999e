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
 * `fallbackMs`, as a whole number of ms ≥ 1 (what Redis takes for `worker.rateLimit`: a
 * `Retry-After` of 0, a past date or a fraction of a ms would make it throw).
 */
export function busyDelayMs(error: unknown, fallbackMs: number): number | undefined {
  if (!isSmartFlowsHttpError(error) || (error.status !== 429 && error.status !== 503)) return undefined;
  return Math.max(1, Math.ceil(error.retryAfterMs ?? fallbackMs));
}
