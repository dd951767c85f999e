import type { FlowInput } from '../api/prepareInput';
import type { FlowExecution, FlowProgress } from '../api/types';
import type { BatchJournal, BatchOutcome } from '../batch/journalTypes';

/** One job of a batch: a flow to run, its input, and a key to find it again. */
export interface BatchJob {
  /** The flow's GUID. */
  flowId: string;
  /** An XML string, or a plain object turned into XML (as `run` takes it). */
  input?: FlowInput;
  /** Names the job in snapshots, errors and the journal; unique within the batch; required with a `journal`. @default the job's index, as a string ('0', '1', …) */
  key?: string;
}

/**
 * Where a job is: waiting for a slot, started and not ended, or ended. `uncertain` (journaled
 * batches only): a start request of an earlier run may or may not have reached the server and
 * reconciliation could not tell, so nothing was started; see {@link BatchItem.uncertainty}.
 */
export type BatchItemState = 'queued' | 'running' | 'succeeded' | 'failed' | 'uncertain';

/** How a resumed journaled batch took a job up (absent for a job this run started first). */
export type BatchResumption =
  /** It had ended: reported from the journal, with no request. */
  | 'journal'
  /** It had started: followed with `watch(executionId)`. */
  | 'watched'
  /** Its start's answer was lost; reconciliation found its execution, which is followed. */
  | 'adopted'
  /** Its start's answer was lost; the server certainly had no execution for it, so it was started again. */
  | 'restarted';

/**
 * One job in a {@link BatchSnapshot}. Items are immutable: an item that did not change
 * since the previous snapshot is the same object, so UIs can compare by reference.
 */
export interface BatchItem {
  /** The job's key (its index as a string unless the job named one). */
  readonly key: string;
  /** Where the job is: queued, running, succeeded or failed. */
  readonly state: BatchItemState;
  /** Set once the server created the execution (also on most failures after that). */
  readonly executionId?: string;
  /** The latest progress seen. */
  readonly progress?: FlowProgress;
  /** The full execution, once the job succeeded (Success or Warning). */
  readonly execution?: FlowExecution;
  /** Why the job failed: a `FlowExecutionError`, `SmartFlowsHttpError`, … (for a job reported from the journal, `outcome.error` instead) */
  readonly error?: unknown;
  /** How the job ended, in the form the journal keeps (status, documents, error summary); set once it ended. */
  readonly outcome?: BatchOutcome;
  /** How a resumed journaled batch took this job up. */
  readonly resumedAs?: BatchResumption;
  /** Why an `uncertain` job is: what reconciliation could not rule out. */
  readonly uncertainty?: {
    /** What went wrong (the listing failed, an execution's input could not be read…). */
    readonly reason: string;
    /** Executions that may be this job's; `watch` one to follow it, or start the job by hand. */
    readonly candidateIds: readonly string[];
  };
}

/** What a journaled batch found in its journal (the same in every snapshot of a run). */
export interface BatchJournalSummary {
  /** Jobs taken up from the journal: ended ones reported, started ones watched. */
  readonly resumed: number;
  /** Jobs left `starting` whose execution reconciliation found. */
  readonly adopted: number;
  /** Jobs left `starting` started again: the server certainly had none. */
  readonly restarted: number;
  /** Jobs left `starting` that reconciliation could not settle (state `uncertain`). */
  readonly uncertain: number;
  /** The journal's last line, cut short by a crash and dropped, when there was one. */
  readonly tornLine?: string;
}

/** The state of a whole batch, as `runBatch` emits it. */
export interface BatchSnapshot {
  /** Number of jobs. */
  readonly total: number;
  /** Jobs not started yet. */
  readonly queued: number;
  /** Jobs started and not ended (never more than `concurrency`). */
  readonly running: number;
  /** Jobs ended in Success or Warning. */
  readonly succeeded: number;
  /** Jobs that failed (the flow's failure, a refused start, a network that gave up). */
  readonly failed: number;
  /** Jobs whose start may or may not have reached the server (journaled batches only; see {@link BatchItemState}). */
  readonly uncertain: number;
  /** Mean over all jobs of their percentage (queued count as 0, ended as 100); 0–100. */
  readonly percentage: number;
  /** One item per job, in job order. */
  readonly items: readonly BatchItem[];
  /** True on the last snapshot, when every job has ended; the stream then completes. */
  readonly done: boolean;
  /** With a `journal`: how many jobs were resumed, adopted, restarted or left uncertain. */
  readonly journal?: BatchJournalSummary;
}

/** How a batch is run (the batch part of `runBatch`'s options). */
export interface BatchControlOptions {
  /** Most executions started and not ended at once. @default 4 */
  concurrency?: number;
  /** Errors the stream with `SmartFlowsBatchError` on the first failed job, starts nothing more and unsubscribes the rest. @default false */
  failFast?: boolean;
  /** At most one snapshot per this many ms (the last one always comes at once); 0 = one per change. @default 100 */
  snapshotIntervalMs?: number;
  /**
   * Records each job's life (planned, starting, started, ended) so the batch survives the death
   * of its process: run the same jobs with the same journal again and it resumes, never starting
   * a job twice. Every job then needs a `key`. `memoryJournal()` here, `fileJournal(path)` in
   * `smart-flows-rx/node`, or your own {@link BatchJournal}.
   */
  journal?: BatchJournal;
}

/** Defaults of {@link BatchControlOptions}. */
export const BATCH_DEFAULTS = { concurrency: 4, failFast: false, snapshotIntervalMs: 100 } as const;
