import type { ExecutionEvent } from '../api/types';
import type { BatchOutcome } from '../batch/journalTypes';
import { failedOutcome, succeededOutcome } from '../batch/outcome';
import type { BatchItem, BatchItemState, BatchJournalSummary, BatchResumption, BatchSnapshot } from './batchTypes';

type Counts = Record<BatchItemState, number>;

/** What an item adds to the sum behind the batch percentage. */
const share = (item: BatchItem): number =>
  item.state === 'queued' ? 0 : item.state === 'running' ? (item.progress?.percentage ?? 0) : 100;

const settledStates: readonly BatchItemState[] = ['succeeded', 'failed', 'uncertain'];

/**
 * The mutable state of a batch. Each change replaces one item and adjusts the counters and
 * the percentage sum, O(1); the items array is copied only when a snapshot is taken, so a
 * 1,000-job batch costs nothing per poll beyond the changed item.
 */
export class BatchTally {
  private readonly items: BatchItem[];
  private readonly counts: Counts;
  private percentSum = 0;
  /** With a journal: what it held; shown in every snapshot. */
  journal?: BatchJournalSummary;

  constructor(keys: readonly string[]) {
    this.items = keys.map((key) => ({ key, state: 'queued' }));
    this.counts = { queued: keys.length, running: 0, succeeded: 0, failed: 0, uncertain: 0 };
  }

  /** The item of job `index`. */
  item(index: number): BatchItem {
    return this.items[index]!;
  }

  /** Job `index` was subscribed: it holds a slot now. */
  start(index: number, resumedAs?: BatchResumption): void {
    this.replace(index, { key: this.item(index).key, state: 'running', ...(resumedAs ? { resumedAs } : {}) });
  }

  /** Job `index` had ended in an earlier run: its outcome comes from the journal. */
  ended(index: number, outcome: BatchOutcome, executionId: string | undefined): void {
    this.replace(index, { key: this.item(index).key, state: outcome.state, ...(executionId ? { executionId } : {}), outcome, resumedAs: 'journal' });
  }

  /** Job `index` may have been started by an earlier run; reconciliation could not tell. */
  uncertain(index: number, reason: string, candidateIds: readonly string[]): void {
    this.replace(index, { key: this.item(index).key, state: 'uncertain', uncertainty: { reason, candidateIds } });
  }

  /** An event of job `index`'s run: a new progress, or the output (success). */
  record(index: number, event: ExecutionEvent): void {
    const { executionId, progress } = event;
    const state = event.type === 'output' ? 'succeeded' : this.item(index).state;
    this.replace(index, {
      ...this.item(index),
      state,
      executionId,
      progress,
      ...(event.type === 'output' ? { execution: event.execution, outcome: succeededOutcome(event) } : {}),
    });
  }

  /** Job `index`'s run completed; it succeeded (its output was recorded already). */
  complete(index: number): void {
    if (this.item(index).state === 'running') this.replace(index, { ...this.item(index), state: 'succeeded' });
  }

  /** Job `index`'s run errored. */
  fail(index: number, error: unknown): void {
    const known = this.item(index).executionId;
    const carried = (error as { executionId?: unknown } | null)?.executionId;
    const executionId = known ?? (typeof carried === 'string' ? carried : undefined);
    this.replace(index, { ...this.item(index), state: 'failed', error, outcome: failedOutcome(error), ...(executionId ? { executionId } : {}) });
  }

  /** The batch as it is now; the items array is a fresh copy of immutable items. */
  snapshot(done: boolean): BatchSnapshot {
    const total = this.items.length;
    const settled = settledStates.reduce((n, state) => n + this.counts[state], 0);
    // Exact 100 at the end whatever the float sum drifted to; two decimals otherwise.
    const percentage = total === 0 || settled === total ? 100 : Math.min(100, Math.round((this.percentSum / total) * 100) / 100);
    return { total, ...this.counts, percentage, items: this.items.slice(), done, ...(this.journal ? { journal: this.journal } : {}) };
  }

  private replace(index: number, next: BatchItem): void {
    const previous = this.item(index);
    this.counts[previous.state] -= 1;
    this.counts[next.state] += 1;
    this.percentSum += share(next) - share(previous);
    this.items[index] = next;
  }
}
