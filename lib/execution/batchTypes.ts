import type { FlowInput } from '../api/prepareInput';
import type { FlowExecution, FlowProgress } from '../api/types';

/** One job of a batch: a flow to run, its input, and a key to find it again. */
export interface BatchJob {
  /** The flow's GUID. */
  flowId: string;
  /** An XML string, or a plain object turned into XML (as `run` takes it). */
  input?: FlowInput;
  /** Names the job in snapshots and errors; unique within the batch. @default the job's index, as a string ('0', '1', …) */
  key?: string;
}

/** Where a job is: waiting for a slot, started and not ended, or ended. */
export type BatchItemState = 'queued' | 'running' | 'succeeded' | 'failed';

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
  /** Why the job failed: a `FlowExecutionError`, `SmartFlowsHttpError`, … */
  readonly error?: unknown;
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
  /** Mean over all jobs of their percentage (queued count as 0, ended as 100); 0–100. */
  readonly percentage: number;
  /** One item per job, in job order. */
  readonly items: readonly BatchItem[];
  /** True on the last snapshot, when every job has ended; the stream then completes. */
  readonly done: boolean;
}

/** How a batch is run (the batch part of `runBatch`'s options). */
export interface BatchControlOptions {
  /** Most executions started and not ended at once. @default 4 */
  concurrency?: number;
  /** Errors the stream with `SmartFlowsBatchError` on the first failed job, starts nothing more and unsubscribes the rest. @default false */
  failFast?: boolean;
  /** At most one snapshot per this many ms (the last one always comes at once); 0 = one per change. @default 100 */
  snapshotIntervalMs?: number;
}

/** Defaults of {@link BatchControlOptions}. */
export const BATCH_DEFAULTS = { concurrency: 4, failFast: false, snapshotIntervalMs: 100 } as const;
