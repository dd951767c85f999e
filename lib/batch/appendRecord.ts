import { catchError, defer, from, ignoreElements, type Observable, of, tap, throwError } from 'rxjs';
import { journalChannel } from '../diagnostics/channels';
import { isSmartFlowsJournalError, SmartFlowsJournalError } from './journalError';
import type { BatchJournal, JournalContents, JournalRecord } from './journalTypes';

// The error lives in its own module (no RxJS), so `smart-flows-rx/node` can throw it without loading RxJS.
export { isSmartFlowsJournalError, SmartFlowsJournalError } from './journalError';

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
    const record = build();
    const done = journal.append(record);
    return (isThenable<void>(done) ? from(done) : of(undefined)).pipe(tap({ complete: () => journalChannel.hasSubscribers && publishRecord(record) }));
  }).pipe(ignoreElements(), wrap<never>('written'));
}

/** Reads a journal (its contents, or a promise of them) as one value. */
export function readJournal(journal: BatchJournal): Observable<JournalContents> {
  return defer(() => {
    const contents = journal.read();
    return isThenable<JournalContents>(contents) ? from(contents) : of(contents);
  }).pipe(wrap<JournalContents>('read'));
}

/** Tells the journal channel a record is durable: its kind, key and execution only. */
function publishRecord(record: JournalRecord): void {
  const executionId = (record as { executionId?: unknown }).executionId;
  journalChannel.publish({ type: 'record', record: record.type, ...('key' in record ? { key: record.key } : {}), ...(typeof executionId === 'string' ? { executionId } : {}) });
}
