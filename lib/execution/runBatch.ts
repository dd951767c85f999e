import { catchError, defer, EMPTY, ignoreElements, mergeMap, Observable, range, type SchedulerLike, type Subscription, tap, throwError } from 'rxjs';
import type { ExecutionEvent } from '../api/types';
import { BatchTally } from './BatchTally';
import type { BatchControlOptions, BatchJob, BatchSnapshot } from './batchTypes';
import { checkBatch } from './checkBatch';
import { SmartFlowsBatchError } from './SmartFlowsBatchError';

/** What a batch needs: a way to run one job (the client's `run`) and the clock. */
export interface BatchDeps {
  /** Runs one job as `run` does: progress events, one output event, or an error. */
  run: (job: BatchJob, index: number) => Observable<ExecutionEvent>;
  scheduler: SchedulerLike;
}

/**
 * Runs `jobs` with at most `concurrency` of them subscribed at once (`mergeMap` over `run`)
 * and emits coalesced {@link BatchSnapshot}s: at most one per `snapshotIntervalMs` on the
 * scheduler, then the last one (`done: true`) at once when every job has ended, and completes.
 * A failed job is recorded and the others go on, unless `failFast`: then the stream errors
 * with {@link SmartFlowsBatchError}, which unsubscribes the running jobs and starts no more.
 * Arguments are checked at subscription, before any request.
 */
export function runBatch(deps: BatchDeps, jobs: readonly BatchJob[], options: BatchControlOptions = {}): Observable<BatchSnapshot> {
  return defer(() => {
    const { keys, concurrency, failFast, snapshotIntervalMs } = checkBatch(jobs, options);
    const { scheduler } = deps;
    // Hand-written: one tally, the snapshot-coalescing timer and failFast share this subscriber's state across all jobs.
    return new Observable<BatchSnapshot>((subscriber) => {
      const tally = new BatchTally(keys);
      let lastEmitAt = Number.NEGATIVE_INFINITY;
      let pending: Subscription | undefined;
      let scheduled = false;
      const emit = () => {
        scheduled = false;
        lastEmitAt = scheduler.now();
        subscriber.next(tally.snapshot(false));
      };
      // Leading and trailing: a change after a quiet interval shows at once (in the next
      // scheduler turn, so a synchronous burst is one snapshot); later ones wait out the interval.
      const changed = () => {
        if (scheduled) return;
        scheduled = true;
        pending = scheduler.schedule(emit, Math.max(0, lastEmitAt + snapshotIntervalMs - scheduler.now()));
      };
      const runJob = (index: number): Observable<never> =>
        defer(() => {
          tally.start(index);
          changed();
          return deps.run(jobs[index]!, index);
        }).pipe(
          tap({
            next: (event) => {
              tally.record(index, event);
              changed();
            },
            complete: () => {
              tally.complete(index);
              changed();
            },
          }),
          ignoreElements(),
          catchError((error: unknown) => {
            tally.fail(index, error);
            if (failFast) {
              const { key, executionId } = tally.item(index);
              return throwError(() => new SmartFlowsBatchError({ key, index, ...(executionId ? { executionId } : {}) }, error));
            }
            changed();
            return EMPTY;
          }),
        );

      const work = range(0, keys.length)
        .pipe(mergeMap(runJob, concurrency))
        .subscribe({
          error: (error: unknown) => {
            pending?.unsubscribe();
            subscriber.error(error);
          },
          complete: () => {
            pending?.unsubscribe();
            subscriber.next(tally.snapshot(true));
            subscriber.complete();
          },
        });
      return () => {
        work.unsubscribe();
        pending?.unsubscribe();
      };
    });
  });
}
