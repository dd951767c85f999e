import type { BatchJournal, JournalContents, JournalRecord } from './journalTypes';

/** A journal in memory: survives unsubscribing and running the batch again, not the process. */
export interface MemoryJournal extends BatchJournal {
  /** The records appended so far (a copy; for tests and for showing a batch's history). */
  readonly records: readonly JournalRecord[];
}

/**
 * A {@link BatchJournal} kept in memory (browser-safe): for tests, and for a page that runs a
 * batch again after an error without reloading. Appends are synchronous, so a batch on it runs
 * in virtual time under `TestScheduler`. For a batch that must survive its process, use
 * `fileJournal` from `smart-flows-rx/node`, or implement `BatchJournal` on your own store.
 * @param records - records to start from (e.g. read from elsewhere); they are copied
 * @example
 * const journal = memoryJournal();
 * client.runBatch(jobs, { journal }).subscribe(...);   // later, the same call resumes it
 */
export function memoryJournal(records: readonly JournalRecord[] = []): MemoryJournal {
  // Records are copied in and out, so no caller can change what was written.
  const kept: string[] = records.map((r) => JSON.stringify(r));
  return {
    get records() {
      return kept.map((line) => JSON.parse(line) as JournalRecord);
    },
    read: (): JournalContents => ({ records: kept.map((line) => JSON.parse(line) as JournalRecord) }),
    append: (record) => {
      kept.push(JSON.stringify(record));
    },
  };
}
