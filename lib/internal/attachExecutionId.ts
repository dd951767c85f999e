import { SmartFlowsError, withErrorContext } from '../errors';

/**
 * The error to deliver once `executionId` is known: `error` itself when it already carries an
 * id, else a new error of the same class that does (a foreign error is wrapped as `cause`).
 * Never changes `error`: another subscriber may already hold it.
 */
export function attachExecutionId(error: unknown, executionId: string): SmartFlowsError {
  if (error instanceof SmartFlowsError) return withErrorContext(error, { executionId });
  return new SmartFlowsError(`Unexpected failure: ${String((error as Error)?.message ?? error)}`, { cause: error, executionId });
}
