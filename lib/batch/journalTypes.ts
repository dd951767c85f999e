import type { FlowStatus } from '../api/types';

/** A document an ended job produced, as the journal keeps it. */
export interface JournalDocument {
  /** The document's id (for `downloadDocument`). */
  id: string;
  /** Its name, when the server gave one. */
  displayName?: string;
}

/**
 * How a job ended, as the journal keeps it and a resumed batch reports it: no secrets, no
 * bodies; enough to tell the user what happened and where the documents are.
 */
export interface BatchOutcome {
  /** `succeeded` (Success, Warning) or `failed`. */
  state: 'succeeded' | 'failed';
  /** The execution's last status, when an execution existed. */
  status?: FlowStatus;
  /** The documents it produced (empty when none). */
  documents: JournalDocument[];
  /** Why it failed: the error's name and message (at most 500 characters), and the HTTP status of a refused start. */
  error?: {
    /** The error's class name, e.g. `FlowExecutionError`. */
    name: string;
    /** Its message (no secrets: messages are built without them). */
    message: string;
    /** The HTTP status, for a `SmartFlowsHttpError`. */
    httpStatus?: number;
  };
}

/** One job of a journaled batch, as the `planned` record lists it. */
export interface JournalPlannedJob {
  /** The job's key. */
  key: string;
  /** The job's flow GUID. */
  flowId: string;
  /** A hash of the flow id and the XML sent, to notice a job list that changed. */
  inputHash: string;
}

/** Written once, before the first start: every job's key and input hash. */
export interface JournalPlannedRecord {
  /** The record's kind. */
  type: 'planned';
  /** The journal format's version. */
  v: 1;
  /** When it was written (ISO 8601, the client's clock). */
  at: string;
  /** Every job of the batch, in job order. */
  jobs: JournalPlannedJob[];
}

/** Written (and flushed) before a job's start request is sent. */
export interface JournalStartingRecord {
  /** The record's kind. */
  type: 'starting';
  /** When it was written (ISO 8601, the client's clock); reconciliation looks at executions since. */
  at: string;
  /** The job's key. */
  key: string;
  /** The W3C trace context of the run that wrote it, when a tracer gave one (see `DIAGNOSTICS_CHANNELS`): a resumed run links to it. */
  traceparent?: string;
}

/** Written as soon as the start answered (or reconciliation found the execution: `adopted`). */
export interface JournalStartedRecord {
  /** The record's kind. */
  type: 'started';
  /** When it was written (ISO 8601, the client's clock). */
  at: string;
  /** The job's key. */
  key: string;
  /** The execution the server created for the job. */
  executionId: string;
  /** True when reconciliation found it (the start's answer was lost). */
  adopted?: true;
}

/** Written when a job's outcome is final: the flow ended, or the server refused the start. */
export interface JournalEndedRecord {
  /** The record's kind. */
  type: 'ended';
  /** When it was written (ISO 8601, the client's clock). */
  at: string;
  /** The job's key. */
  key: string;
  /** The job's execution, when one was created. */
  executionId?: string;
  /** How the job ended. */
  outcome: BatchOutcome;
}

/** Reconciliation could not tell whether a start reached the server; nothing was started. */
export interface JournalUncertainRecord {
  /** The record's kind. */
  type: 'uncertain';
  /** When it was written (ISO 8601, the client's clock). */
  at: string;
  /** The job's key. */
  key: string;
  /** What went wrong. */
  reason: string;
  /** Executions that may be the job's. */
  candidateIds: string[];
}

/**
 * Written by a caller that saves a job's documents (the command line's `--out`), once a document's
 * file is durable (written under a temporary name, fsynced, renamed): a resumed run writes only
 * the documents without one. The batch itself ignores it.
 */
export interface JournalWrittenRecord {
  /** The record's kind. */
  type: 'written';
  /** When it was written (ISO 8601, the client's clock). */
  at: string;
  /** The job's key. */
  key: string;
  /** The document's id. */
  documentId: string;
  /** The file it was written to. */
  file: string;
  /** The file's size in bytes. */
  bytes: number;
}

/**
 * One line of a batch journal. A job's life is `starting` → `started` → `ended` (then a
 * `written` per document saved, when the caller saves them); a job that has a `starting`
 * without a `started` may or may not exist on the server.
 */
export type JournalRecord = JournalPlannedRecord | JournalStartingRecord | JournalStartedRecord | JournalEndedRecord | JournalUncertainRecord | JournalWrittenRecord;

/** What {@link BatchJournal.read} gives back. */
export interface JournalContents {
  /** Every complete record, in the order written. */
  records: JournalRecord[];
  /** A last record cut short by a crash (its text), dropped and reported rather than failing the read. */
  tornLine?: string;
  /** Each record's line in the store (1-based), for a store that has lines (a file): an error about a record names it. Else records are named by position. */
  lines?: readonly number[];
}

/**
 * Where a batch keeps its journal. Implement it on any store (a database row per record, a
 * queue, a file): `append` must resolve only once the record is durable, keep records in the
 * order they were appended, and `read` must give them back in that order. One batch writes
 * one journal; two processes must not write the same journal at once (`fileJournal` enforces it
 * with a lock file; a store of your own must see to it). Whatever the store, what `read` gives is
 * checked before the batch acts on it: a record that is not valid, or records that do not fit
 * together, fail the batch with `SmartFlowsJournalError` naming the record.
 *
 * @example
 * // A journal in a SQL table (sketch):
 * const journal: BatchJournal = {
 *   read: async () => ({ records: (await db.all('SELECT line FROM journal ORDER BY seq')).map((r) => JSON.parse(r.line)) }),
 *   append: async (record) => void (await db.run('INSERT INTO journal(line) VALUES (?)', JSON.stringify(record))),
 * };
 */
export interface BatchJournal {
  /** Every record appended so far (none for a new journal). May return the contents or a promise of them. */
  read(): JournalContents | PromiseLike<JournalContents>;
  /** Appends one record; the returned promise (if any) resolves once the record is durable. */
  append(record: JournalRecord): void | PromiseLike<void>;
  /**
   * Called once when a batch on this journal ends (completed, errored or unsubscribed), maybe
   * while appends of jobs it left are still on their way: a store that holds something for the
   * batch (`fileJournal`'s lock) lets go of it once those appends are done. A later read or
   * append may take it again. What it throws or rejects with is ignored (the batch has ended).
   * Optional.
   */
  release?(): void | PromiseLike<void>;
}
