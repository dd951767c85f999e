import { isFlowExecutionError, isTerminalStatus } from 'smart-flows-rx';

/**
 * The one rule for running again what failed, shared by `retry()` / `reload()` of a single
 * execution and `retry()` of a batch: whether the flow may be started anew without ever running
 * twice. True when no execution of it can still run: its flow ended (a `FlowExecutionError`
 * with Error, Canceled or Interrupted), or its start failed before any execution existed.
 * False when one may still run: an execution is known (`executionId`, or the error names one)
 * after a network failure or a timeout while following it, or the start's answer was lost
 * (`executionMayExist`). Then watch that execution again, or, without its id, leave it as it
 * is (the server's `listExecutions` finds it).
 * @param error - what the run failed with
 * @param executionId - the execution the caller knows was started, if any
 */
export function mayStartAgain(error: unknown, executionId: string | undefined): boolean {
  if (isFlowExecutionError(error)) return isTerminalStatus(error.status);
  const e = error as { executionMayExist?: unknown } | null | undefined;
  return executionId === undefined && executionIdOf(error) === undefined && e?.executionMayExist !== true;
}

/** The execution an error names, if any. */
export function executionIdOf(error: unknown): string | undefined {
  const id = (error as { executionId?: unknown } | null | undefined)?.executionId;
  return typeof id === 'string' ? id : undefined;
}
