import { SmartFlowsError } from '../errors';

/**
 * A journal could not be read or written, or what it holds breaks the journal's rules (a
 * damaged or hand-edited record: then `line` names it): the batch stops, or does not start,
 * since it could no longer resume safely.
 */
export class SmartFlowsJournalError extends SmartFlowsError {
  /** Always `'SmartFlowsJournalError'` (what the guard checks across realms). */
  override name = 'SmartFlowsJournalError';
  /** The line (a file journal's, 1-based) or the record's position (other stores) that is not valid, when one is. */
  readonly line?: number;

  /**
   * Wraps a journal store's failure, or says which record is not valid.
   * @param message - what could not be done, or what is wrong with which record
   * @param cause - the store's own error (undefined for a record that is not valid)
   * @param details - `line`: the record's line (or position) that is not valid
   */
  constructor(message: string, cause: unknown, details: { line?: number } = {}) {
    super(message, { cause });
    if (details.line !== undefined) this.line = details.line;
  }
}

/** True for a {@link SmartFlowsJournalError}, also across realms and duplicated package copies. */
export const isSmartFlowsJournalError = (error: unknown): error is SmartFlowsJournalError =>
  error instanceof SmartFlowsJournalError || (typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'SmartFlowsJournalError');
