import type { ExecutionEvent } from '../api/types';
import type { BatchItem, BatchItemState, BatchSnapshot } from './batchTypes';

type Counts = Record<BatchItemState, number>;

/** What an item adds to the sum behind the batch percentage. */
const share = (item: BatchItem): number =>
  item.state === 'queued' ? 0 : item.state === 'running' ? (item.progress?.percentage ?? 0) : 100;

/**
 * The mutable state of a batch. Each change replaces one item and adjusts the counters and
 * the percentage sum, O(1); the items array is copied only when a snapshot is taken, so a
 * 1,000-job batch costs nothing per poll beyond the changed item.
 */
export class BatchTally {
  private readonly items: BatchItem[];
  private readonly counts: Counts;
  private percentSum = 0;

  constructor(keys: readonly string[]) {
    this.items = keys.map((key) => ({ key, state: 'queued' }));
    this.counts = { queued: keys.length, running: 0, succeeded: 0, failed: 0 };
  }

  /** The item of job `index`. */
  item(index: number): BatchItem {
    return this.items[index]!;
  }

  /** Job `index` was subscribed: it holds a slot now. */
  start(index: number): void {
    this.replace(index, { key: this.item(index).key, state: 'running' });
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
      ...(event.type === 'output' ? { execution: event.execution } : {}),
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
    this.replace(index, { ...this.item(index), state: 'failed', error, ...(executionId ? { executionId } : {}) });
  }

  /** The batch as it is now; the items array is a fresh copy of immutable items. */
  snapshot(done: boolean): BatchSnapshot {
    const total = this.items.length;
    const settled = this.counts.succeeded + this.counts.failed;
    // Exact 100 at the end whatever the float sum drifted to; two decimals otherwise.
    const percentage = total === 0 || settled === total ? 100 : Math.min(100, Math.round((this.percentSum / total) * 100) / 100);
    return { total, ...this.counts, percentage, items: this.items.slice(), done };
  }

  private replace(index: number, next: BatchItem): void {
    const previous = this.item(index);
    this.counts[previous.state] -= 1;
    this.counts[next.state] += 1;
    this.percentSum += share(next) - share(previous);
    this.items[index] = next;
  }
}
