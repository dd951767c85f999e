import type { BatchItem, BatchSnapshot } from '../../index';

/** A job that ended in an earlier run of a journaled batch (so no error and no progress, its outcome instead). */
export const fromJournal = (item: BatchItem): boolean => item.resumedAs === 'journal';

/** What changed between two snapshots, as the batch command shows it. */
export interface BatchChanges {
  /** True for the run's first snapshot (the one that says what the journal held). */
  first: boolean;
  /** Jobs that got their execution since the previous snapshot (not those reported from the journal). */
  started: BatchItem[];
  /** Jobs that ended (or became uncertain) since the previous snapshot. */
  ended: BatchItem[];
}

/**
 * The batch command's one record of where the batch is: the last snapshot, what changed since
 * the one before, and the failures reported so far (the exit code reads them). Only
 * `runJobs` writes it; the view, the exit-code rule and the interrupt handler read it.
 */
export class BatchState {
  /** When the command started the batch (for the summary's seconds). */
  readonly startedAt = Date.now();
  private last: BatchSnapshot | undefined;
  private previous: readonly BatchItem[] = [];
  private readonly errors: unknown[] = [];
  private readonly onTake = new Set<() => void>();
  /** Jobs that succeeded on the server but whose documents could not be saved: failed, for the command. */
  private unsaved = 0;
  /** Jobs that ended (a snapshot said so) and are not reported yet: their documents are being saved. */
  private readonly unreported = new Map<string, BatchItem>();

  /** The latest snapshot, if one came. */
  get snapshot(): BatchSnapshot | undefined {
    return this.last;
  }

  /** The failures of the jobs reported as failed so far (for a job from the journal, its outcome's error summary). */
  get failures(): readonly unknown[] {
    return this.errors;
  }

  /** Takes the next snapshot; gives what changed since the previous one. */
  take(snapshot: BatchSnapshot): BatchChanges {
    const first = this.last === undefined;
    const started: BatchItem[] = [];
    const ended: BatchItem[] = [];
    snapshot.items.forEach((item, i) => {
      const before = this.previous[i];
      if (item.executionId && !before?.executionId && !fromJournal(item)) started.push(item);
      if (item.state !== 'queued' && item.state !== 'running' && before?.state !== item.state) {
        ended.push(item);
        this.unreported.set(item.key, item);
      }
    });
    this.previous = snapshot.items;
    this.last = snapshot;
    this.onTake.forEach((listener) => listener());
    return { first, started, ended };
  }

  /** Notes that an ended job was reported (its line shown, its documents saved or not). */
  reported(key: string): void {
    this.unreported.delete(key);
  }

  /** Jobs that ended on the server and were not reported yet (their documents being saved, or waiting their turn). */
  endedUnreported(): BatchItem[] {
    return [...this.unreported.values()];
  }

  /** Notes a job reported as failed. */
  failed(item: BatchItem): void {
    this.errors.push(fromJournal(item) ? item.outcome?.error : item.error);
  }

  /** Notes a succeeded job whose documents could not be saved: it counts as failed, for `failure`. */
  unsavedDocuments(failure: Error): void {
    this.unsaved++;
    this.errors.push(failure);
  }

  /** The last snapshot's counts as the command reports them: a job whose documents were not saved counts as failed. */
  counts(): BatchSnapshot | undefined {
    const last = this.last;
    if (!last || this.unsaved === 0) return last;
    return { ...last, succeeded: last.succeeded - this.unsaved, failed: last.failed + this.unsaved };
  }

  /** Whether a job was already reported failed by a snapshot (`--fail-fast` errors may name one). */
  endedAsFailed(key: string): boolean {
    return this.previous.some((p) => p.key === key && p.state === 'failed');
  }

  /** Counts a `--fail-fast` failure that no snapshot showed: one more failed, one fewer running. */
  countFailFast(): void {
    if (this.last) this.last = { ...this.last, failed: this.last.failed + 1, running: Math.max(0, this.last.running - 1) };
  }

  /** Jobs whose start was sent and whose answer was not seen yet (an execution may exist), as of the last snapshot. */
  startsUnanswered(): BatchItem[] {
    return (this.last?.items ?? []).filter((item) => item.state === 'running' && !item.executionId);
  }

  /**
   * Resolves once no start is waiting for its answer (each got its execution, or failed), or
   * after `limitMs`: Ctrl-C right after the starts lets their answers arrive, so their ids are known.
   */
  startsAnswered(limitMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const check = () => {
        if (this.startsUnanswered().length > 0) return;
        done();
      };
      const done = () => {
        clearTimeout(timer);
        this.onTake.delete(check);
        resolve();
      };
      const timer = setTimeout(done, limitMs);
      this.onTake.add(check);
      check();
    });
  }

  /** Jobs running with a known execution, as of the last snapshot. */
  running(): BatchItem[] {
    return (this.last?.items ?? []).filter((item) => item.state === 'running' && item.executionId);
  }
}
