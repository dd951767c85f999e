import { isFlowExecutionError, isSmartFlowsHttpError, isSmartFlowsInputError } from '../errors';

/**
 * The one rule deciding whether a failure is final, that is whether no retry can change it:
 * a journaled batch journals such a job as ended, the BullMQ processor discards such a job
 * (no retry), and the command line's exit codes follow it.
 *
 * Final: the flow itself ended badly ({@link FlowExecutionError}: Error, Canceled,
 * Interrupted, or input asked for under `onUserInput: 'error'`), or the request was refused
 * while no execution can exist (input refused before sending; a 4xx answer other than 408
 * and 429 to a start). Not final: everything after which an execution may exist and run on
 * (the caller knows its `executionId`, the error carries one, or says `executionMayExist`),
 * and whatever another try may change (network, timeouts, 408, 429, 5xx, answers that could
 * not be read, errors from elsewhere): a retry or a resumed batch follows or reconciles it.
 * @param error - what the run or the job failed with
 * @param executionId - the execution the caller knows the job started, if any
 * @returns true when the failure is the job's final outcome
 * @example
 * catchError((error) => { if (isFinalFailure(error, job.executionId)) job.discard(); return throwError(() => error); })
 */
export function isFinalFailure(error: unknown, executionId: string | undefined): boolean {
  if (isFlowExecutionError(error)) return true;
  const e = error as { executionId?: unknown; executionMayExist?: unknown } | null | undefined;
  if (executionId !== undefined || typeof e?.executionId === 'string' || e?.executionMayExist === true) return false;
  if (isSmartFlowsInputError(error)) return true;
  return isSmartFlowsHttpError(error) && error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429;
}
