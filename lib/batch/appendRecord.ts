import { catchError, defer, from, ignoreElements, type Observable, of, throwError } from 'rxjs';
import { SmartFlowsError } from '../errors';
import type { BatchJournal, JournalContents, JournalRecord } from './journalTypes';

/** A journal could not be read or written: the batch stops, since it could no longer resume safely. */
export class SmartFlowsJournalError extends SmartFlowsError {
  /** Always `'SmartFlowsJournalError'` (what the guard checks across realms). */
  override name = 'SmartFlowsJournalError';

  /**
   * Wraps a journal store's failure.
   * @param message - what could not be done
   * @param cause - the store's own error
   */
  constructor(message: string, cause: unknown) {
    super(message, { cause });
  }
}

/** True for a {@link SmartFlowsJournalError}, also across realms and duplicated package copies. */
export const isSmartFlowsJournalError = (error: unknown): error is SmartFlowsJournalError =>
  error instanceof SmartFlowsJournalError || (typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'SmartFlowsJournalError');

const isThenable = <T>(value: unknown): value is PromiseLike<T> => typeof (value as { then?: unknown } | null)?.then === 'function';

const wrap = <T>(what: string) =>
  catchError<T, Observable<never>>((cause: unknown) =>
    throwError(() => (isSmartFlowsJournalError(cause) ? cause : new SmartFlowsJournalError(`The batch journal could not be ${what}: ${cause instanceof Error ? cause.message : String(cause)}`, cause))),
  );

/**
 * Appends the record `build` gives (built at subscription, so its time is the moment of
 * writing) and completes once the journal says it is durable; emits nothing.
 */
export function appendRecord(journal: BatchJournal, build: () => JournalRecord): Observable<never> {
  return defer(() => {
    const done = journal.append(build());
    return isThenable<void>(done) ? from(done) : of(undefined);
  }).pipe(ignoreElements(), wrap<never>('written'));
}

/** Reads a journal (its contents, or a promise of them) as one value. */
export function readJournal(journal: BatchJournal): Observable<JournalContents> {
  return defer(() => {
    const contents = journal.read();
    return isThenable<JournalContents>(contents) ? from(contents) : of(contents);
  }).pipe(wrap<JournalContents>('read'));
}
