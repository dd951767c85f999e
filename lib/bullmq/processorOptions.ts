import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { SmartFlowsInputError, type XmlConverter } from 'smart-flows-rx';

/** Options of {@link flowProcessor}; every field optional. */
export interface FlowProcessorOptions {
  /** Least time between two `job.updateProgress` calls (each is a Redis write); the final progress is always sent. @default 1000 */
  progressIntervalMs?: number;
  /** Starts with `POST /flows/executions/start`: forms take their default values. @default false */
  skipUserInput?: boolean;
  /**
   * What a `UserInput` or `SelectFlow` status does: fail the job with `FlowExecutionError`
   * (final: the job is discarded, the execution is left waiting on the server under its
   * `executionId`), or keep the job (and its worker slot) until the form is answered elsewhere
   * or `timeoutMs` passes.
   * @default 'error'
   */
  onUserInput?: 'wait' | 'error';
  /**
   * Bound on following one execution, per attempt, in ms; 0 = none. Past it the job fails with
   * `SmartFlowsTimeoutError` (carrying the `executionId`), which is not final: with BullMQ
   * `attempts` left, the retry follows the same execution.
   * @default the client's `polling.timeoutMs` when it sets one, else 3,600,000 (one hour)
   */
  timeoutMs?: number;
  /** Sends the cancel call when BullMQ cancels the job (its AbortSignal) while the execution may still run. @default false */
  cancelOnAbort?: boolean;
  /** Turns an object input into XML (the XML sent is the XML reconciliation compares). @default `toXml` of `smart-flows-rx/xml` */
  toXml?: XmlConverter;
  /** The scheduler of the progress throttle and of the `startingAt` clock (tests pass a virtual one). @default asyncScheduler */
  scheduler?: SchedulerLike;
  /**
   * How a job follows its execution: `'polling'`, a progress loop per job; `'listing'`, the
   * client's one listing tracker, shared by every job of the worker process (one listing request
   * per cycle for all its live executions, per-execution polling as its fallback). Switch to
   * `'listing'` when a worker runs more than a few dozen jobs at once.
   * @default 'polling'
   */
  tracking?: 'polling' | 'listing';
  /**
   * Pauses every worker of the queue: `(ms) => worker.rateLimit(ms)` (the Worker needs a
   * `limiter` for it to take effect). Given, a start answered 429 or 503 is not sent again by
   * this worker: the processor calls it with the server's `Retry-After` (else `rateLimitMs`),
   * rounded up to a whole number of ms ≥ 1, and fails the attempt with BullMQ's
   * `RateLimitError`, which puts the job back in the queue without using an attempt (also when
   * `rateLimit` itself throws). The job keeps its `startingAt`: a gateway may answer 503 after
   * the server made the execution, so the next attempt reconciles (one listing request) before
   * it starts anything.
   * @default none: the client's own retries answer a 429, per job
   */
  rateLimit?: (delayMs: number) => unknown;
  /** How long `rateLimit` pauses the queue after a 429 or 503 without `Retry-After`, in whole ms ≥ 1. @default 5000 */
  rateLimitMs?: number;
}

/** The processor's defaults, in one place. */
export const PROCESSOR_DEFAULTS = {
  /** One `job.updateProgress` per second at most. */
  progressIntervalMs: 1000,
  /** Starts with the plain start call. */
  skipUserInput: false,
  /** A flow asking for user input fails its job (headless: nobody can answer the form there). */
  onUserInput: 'error',
  /** A job follows its execution for one hour at most (unless the client's `polling.timeoutMs` sets a bound). */
  timeoutMs: 3_600_000,
  /** BullMQ's cancel leaves the execution running. */
  cancelOnAbort: false,
  /** A poll loop per job. */
  tracking: 'polling',
  /** A 429 or 503 without Retry-After pauses the queue for 5 s (with `rateLimit`). */
  rateLimitMs: 5000,
} as const;

/** Options with the defaults filled in. */
export type ProcessorSettings = Required<Omit<FlowProcessorOptions, 'toXml' | 'rateLimit'>> & Pick<FlowProcessorOptions, 'toXml' | 'rateLimit'>;

/**
 * Checks the options and fills in the defaults.
 * @param clientTimeoutMs - the client's `polling.timeoutMs` (0 = none): the bound when `timeoutMs` is not given
 * @throws SmartFlowsInputError for a wrong option
 */
export function normalizeProcessorOptions(options: FlowProcessorOptions, clientTimeoutMs = 0): ProcessorSettings {
  if (typeof options !== 'object' || options === null) throw new SmartFlowsInputError('options must be an object');
  const { progressIntervalMs = PROCESSOR_DEFAULTS.progressIntervalMs, onUserInput = PROCESSOR_DEFAULTS.onUserInput, timeoutMs, toXml } = options;
  if (typeof progressIntervalMs !== 'number' || !(progressIntervalMs >= 0) || !Number.isFinite(progressIntervalMs)) throw new SmartFlowsInputError('progressIntervalMs must be a number ≥ 0');
  if (onUserInput !== 'wait' && onUserInput !== 'error') throw new SmartFlowsInputError(`onUserInput must be 'wait' or 'error'`);
  if (timeoutMs !== undefined && (typeof timeoutMs !== 'number' || !(timeoutMs >= 0) || !Number.isFinite(timeoutMs))) throw new SmartFlowsInputError('timeoutMs must be a number ≥ 0');
  if (toXml !== undefined && typeof toXml !== 'function') throw new SmartFlowsInputError('toXml must be a function');
  const { tracking = PROCESSOR_DEFAULTS.tracking, rateLimit, rateLimitMs = PROCESSOR_DEFAULTS.rateLimitMs } = options;
  if (tracking !== 'polling' && tracking !== 'listing') throw new SmartFlowsInputError(`tracking must be 'polling' or 'listing'`);
  if (rateLimit !== undefined && typeof rateLimit !== 'function') throw new SmartFlowsInputError('rateLimit must be a function, e.g. (ms) => worker.rateLimit(ms)');
  // Redis' `SET … PX` (worker.rateLimit) takes whole ms ≥ 1 only.
  if (typeof rateLimitMs !== 'number' || !Number.isSafeInteger(rateLimitMs) || rateLimitMs < 1) throw new SmartFlowsInputError('rateLimitMs must be a whole number of ms ≥ 1');
  for (const key of ['skipUserInput', 'cancelOnAbort'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'boolean') throw new SmartFlowsInputError(`${key} must be true or false`);
  }
  return {
    progressIntervalMs,
    skipUserInput: options.skipUserInput ?? PROCESSOR_DEFAULTS.skipUserInput,
    onUserInput,
    cancelOnAbort: options.cancelOnAbort ?? PROCESSOR_DEFAULTS.cancelOnAbort,
    scheduler: options.scheduler ?? asyncScheduler,
    // A headless job always ends: the client's bound if it has one, else the processor's.
    timeoutMs: timeoutMs ?? (clientTimeoutMs > 0 ? clientTimeoutMs : PROCESSOR_DEFAULTS.timeoutMs),
    tracking,
    rateLimitMs,
    ...(toXml ? { toXml } : {}),
    ...(rateLimit ? { rateLimit } : {}),
  };
}
