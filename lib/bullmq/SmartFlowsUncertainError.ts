import { SmartFlowsError } from 'smart-flows-rx';

/**
 * A job whose earlier attempt sent a start that may have reached the server, and reconciliation
 * could not tell whether it did (the listing failed, an execution's input could not be read):
 * nothing was started. A later attempt reconciles again; a person can look at `candidateIds`.
 */
export class SmartFlowsUncertainError extends SmartFlowsError {
  /** Always `'SmartFlowsUncertainError'` (what {@link isSmartFlowsUncertainError} checks across package copies). */
  override name = 'SmartFlowsUncertainError';
  /** Why reconciliation could not tell. */
  readonly reason: string;
  /** Executions that may be the job's. */
  readonly candidateIds: readonly string[];

  /**
   * Builds the error from what reconciliation found.
   * @param job - the job's key or id, for the message
   * @param found - what reconciliation found
   */
  constructor(job: string, found: { reason: string; candidateIds: readonly string[] }) {
    super(
      `Job ${job}: cannot tell whether its earlier start reached the server (${found.reason}); nothing was started` +
        (found.candidateIds.length > 0 ? `; candidates: ${found.candidateIds.join(', ')}` : ''),
    );
    this.reason = found.reason;
    this.candidateIds = [...found.candidateIds];
  }
}

/** Whether `error` is a {@link SmartFlowsUncertainError} (checks `name` too, across package copies). */
export function isSmartFlowsUncertainError(error: unknown): error is SmartFlowsUncertainError {
  return error instanceof SmartFlowsUncertainError || (error instanceof Error && error.name === 'SmartFlowsUncertainError');
}
