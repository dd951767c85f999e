/**
 * `smart-flows-rx/node`: what only Node can do — a batch journal in a file, so a batch
 * survives the death of its process.
 *
 * @module smart-flows-rx/node
 */

export { fileJournal } from './fileJournal';
export type { FileJournal, FileJournalOptions } from './fileJournal';
// The journal's types, so a file journal can be typed without the core entry.
export type { BatchJournal, JournalRecord, JournalContents, JournalPlannedJob, BatchOutcome, JournalDocument, JournalPlannedRecord, JournalStartingRecord, JournalStartedRecord, JournalEndedRecord, JournalUncertainRecord, JournalWrittenRecord } from '../batch/journalTypes';
export type { FlowStatus } from '../api/types';
