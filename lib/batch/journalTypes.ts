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
  error?: { name: string; message: string; httpStatus?: number };
}

/** One job of a journaled batch, as the `planned` record lists it. */
export interface JournalPlannedJob {
  key: string;
  flowId: string;
  /** A hash of the flow id and the XML sent, to notice a job list that changed. */
  inputHash: string;
}

/**
 * One line of a batch journal. A job's life is `starting` → `started` → `ended`; a job that
 * has a `starting` without a `started` may or may not exist on the server.
 */
export type JournalRecord =
  /** Written once, before the first start: every job's key and input hash. */
  | { type: 'planned'; v: 1; at: string; jobs: JournalPlannedJob[] }
  /** Written (and flushed) before the start request is sent. */
  | { type: 'starting'; at: string; key: string }
  /** Written as soon as the start answered (or reconciliation found the execution: `adopted`). */
  | { type: 'started'; at: string; key: string; executionId: string; adopted?: true }
  /** Written when the outcome is final: the flow ended, or the server refused the start. */
  | { type: 'ended'; at: string; key: string; executionId?: string; outcome: BatchOutcome }
  /** Reconciliation could not tell whether the start reached the server; nothing was started. */
  | { type: 'uncertain'; at: string; key: string; reason: string; candidateIds: string[] };

/** What {@link BatchJournal.read} gives back. */
export interface JournalContents {
  /** Every complete record, in the order written. */
  records: JournalRecord[];
  /** A last record cut short by a crash (its text), dropped and reported rather than failing the read. */
  tornLine?: string;
}

/**
 * Where a batch keeps its journal. Implement it on any store (a database row per record, a
 * queue, a file): `append` must resolve only once the record is durable, keep records in the
 * order they were appended, and `read` must give them back in that order. One batch writes
 * one journal; two processes must not write the same journal at once.
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
}
