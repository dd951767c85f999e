import { repeatWithoutNote, SmartFlowsError } from '../errors';

/**
 * A job of a `failFast` batch failed, so the batch stopped. Carries the job's `key`, `index`
 * and (when the server had created it) `executionId`; the job's own error is the `cause`.
 */
export class SmartFlowsBatchError extends SmartFlowsError {
  /** Always `'SmartFlowsBatchError'` (what the guard checks across realms). */
  override name = 'SmartFlowsBatchError';
  /** The failed job's key. */
  readonly key: string;
  /** The failed job's position in `jobs`. */
  readonly index: number;

  /**
   * Builds the error for the failed job; its message names the job's key and repeats the job's error message.
   * @param init - the failed job's key, index and execution id (if created)
   * @param cause - the job's own error
   */
  constructor(init: { key: string; index: number; executionId?: string }, cause: unknown) {
    const failed = (reason: string) => `Batch job "${init.key}" failed: ${reason}`;
    super(failed(cause instanceof Error ? cause.message : String(cause)), { cause, ...(init.executionId ? { executionId: init.executionId } : {}) });
    this.key = init.key;
    this.index = init.index;
    // The job's error may end with the note an executionMayExist error appends: kept without it too.
    repeatWithoutNote(this, cause, failed);
  }
}

/** True for a {@link SmartFlowsBatchError}, also across realms and duplicated package copies. */
export const isSmartFlowsBatchError = (error: unknown): error is SmartFlowsBatchError =>
  error instanceof SmartFlowsBatchError ||
  (typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'SmartFlowsBatchError');
