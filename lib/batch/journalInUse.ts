import type { BatchJournal } from './journalTypes';
import { SmartFlowsJournalError } from './journalError';

/**
 * The property by which a journal object names the store it writes to, when two objects can
 * write to one store (`fileJournal` sets it to the file's absolute path). By its registered
 * symbol, so that duplicated copies of the package agree. Without it, the object is the store.
 */
export const JOURNAL_STORE = Symbol.for('smart-flows-rx.journalStore');

/** The stores a running batch of this process uses (a store's name, or the journal object). */
const inUse = new Set<unknown>();

const storeOf = (journal: BatchJournal): unknown => {
  const named = (journal as { [JOURNAL_STORE]?: unknown })[JOURNAL_STORE];
  return typeof named === 'string' ? named : journal;
};

/**
 * Marks the journal's store as used by a batch, until the function returned is called (the
 * batch's end). One batch at a time per journal: a second batch on the same journal object, or
 * on another object naming the same store, in this process, would start every job again.
 * @returns the function that marks it free again (once; later calls do nothing)
 * @throws SmartFlowsJournalError while another batch of this process uses the store
 */
export function claimJournal(journal: BatchJournal): () => void {
  const store = storeOf(journal);
  if (inUse.has(store)) {
    const which = typeof store === 'string' ? `journal ${store}` : 'the journal';
    throw new SmartFlowsJournalError(
      `${which} is in use by another batch in this process (one batch at a time per journal: run this one again once that batch has ended, and it resumes)`,
      undefined,
    );
  }
  inUse.add(store);
  let claimed = true;
  return () => {
    if (claimed) inUse.delete(store);
    claimed = false;
  };
}
