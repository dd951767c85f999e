import { catchError, concatMap, defer, EMPTY, finalize, ignoreElements, mergeMap, Observable, range, type SchedulerLike, type Subscription, tap, throwError } from 'rxjs';
import type { ExecutionEvent } from '../api/types';
import { isSmartFlowsJournalError } from '../batch/appendRecord';
import { claimJournal } from '../batch/journalInUse';
import type { JournalDeps } from '../batch/journaledJob';
import type { BatchJournal } from '../batch/journalTypes';
import type { OpenedJournal } from '../batch/openJournal';
import { traceRun } from '../diagnostics/traceRun';
import { SmartFlowsInputError } from '../errors';
import { withJournal } from '../internal/loadParts';
import { BatchTally } from './BatchTally';
import type { BatchControlOptions, BatchJob, BatchSnapshot } from './batchTypes';
import { type CheckedBatch, checkBatch } from './checkBatch';
import { SmartFlowsBatchError } from './SmartFlowsBatchError';

/** What a batch needs: a way to run one job (the client's `run`) and the clock. */
export interface BatchDeps {
  /** Runs one job as `run` does: progress events, one output event, or an error. */
  run: (job: BatchJob, index: number) => Observable<ExecutionEvent>;
  scheduler: SchedulerLike;
  /** The start, follow, watch and listing calls a journaled batch needs (required with `journal`). */
  journaled?: JournalDeps;
}

/**
 * Runs `jobs` with at most `concurrency` of them subscribed at once (`mergeMap` over `run`)
 * and emits coalesced {@link BatchSnapshot}s: at most one per `snapshotIntervalMs` on the
 * scheduler, then the last one (`done: true`) at once when every job has ended, and completes.
 * A failed job is recorded and the others go on, unless `failFast`: then the stream errors
 * with {@link SmartFlowsBatchError}, which unsubscribes the running jobs and starts no more.
 * Arguments are checked at subscription, before any request.
 *
 * With a `journal`, one batch at a time uses it: while a batch of this process runs on it (or,
 * for `fileJournal`, on its file), another errors with `SmartFlowsJournalError` at once. The
 * journal is read first (a new one gets the plan; a resumed one is
 * checked against the jobs and its unsettled starts reconciled), and each job's life is
 * written as it goes; a journal that cannot be written errors the stream with
 * `SmartFlowsJournalError`.
 */
export function runBatch(deps: BatchDeps, jobs: readonly BatchJob[], options: BatchControlOptions = {}): Observable<BatchSnapshot> {
  return defer(() => {
    const checked = checkBatch(jobs, options);
    const { journal } = checked;
    if (!journal) return drive(deps, jobs, checked);
    const journaled = deps.journaled;
    if (!journaled) throw new SmartFlowsInputError('This batch runner cannot keep a journal');
    // One batch at a time per journal: a second one in this process is refused here, before
    // anything is read or sent (and, refused, it lets go of nothing the first one holds).
    const unclaim = claimJournal(journal);
    // The journal's code is loaded only for a batch that keeps one. When the batch ends, the
    // journal is free for the next batch, and lets go of what it holds for it (fileJournal: its
    // lock), so a process that runs many batches does not keep every journal locked until it exits.
    return withJournal(({ openJournal, journaledJob }) =>
      openJournal(journaled, journal, deps.scheduler, jobs, checked.keys).pipe(
        concatMap((opened) => drive(deps, jobs, checked, { journal, deps: journaled, opened, journaledJob })),
      ),
    ).pipe(
      finalize(() => {
        unclaim();
        release(journal);
      }),
    );
  });
}

/** The journal's `release`, if it has one; the batch has ended: what it throws or rejects with is dropped. */
function release(journal: BatchJournal): void {
  try {
    const released = journal.release?.();
    if (released) Promise.resolve(released).catch(() => undefined);
  } catch {
    /* ignored: see BatchJournal.release */
  }
}

interface Journaled {
  journal: BatchJournal;
  deps: JournalDeps;
  opened: OpenedJournal;
  journaledJob: typeof import('../batch/journaledJob').journaledJob;
}

function drive(deps: BatchDeps, jobs: readonly BatchJob[], checked: CheckedBatch, journaled?: Journaled): Observable<BatchSnapshot> {
  const { keys, concurrency, failFast, snapshotIntervalMs } = checked;
  const { scheduler } = deps;
  // Hand-written: no operator fits the snapshot limiter. A snapshot is read from the tally
  // shared with every job's stream at the moment it goes out (not a value passed along), a
  // synchronous burst of changes must become one snapshot in the next scheduler turn, and the
  // final `done` snapshot must replace a pending trailing one rather than follow it, which
  // `throttleTime`/`auditTime` on a stream of changes would emit after the work completed.
  return new Observable<BatchSnapshot>((subscriber) => {
    const tally = new BatchTally(keys);
    if (journaled) tally.journal = journaled.opened.summary;
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
    // Each job's diagnostics context (kind 'batch', lib/diagnostics): none built when nobody listens.
    const traced = (index: number, events$: Observable<ExecutionEvent>, resumedFrom?: string, trace?: { traceparent?: string }) =>
      traceRun({ kind: 'batch', flowId: jobs[index]!.flowId, key: keys[index]!, ...(resumedFrom ? { resumedFrom } : {}) }, events$, trace && ((c) => void (trace.traceparent = c.traceparent)));
    const eventsOf = (index: number): Observable<ExecutionEvent> => {
      if (!journaled) {
        tally.start(index);
        return traced(index, deps.run(jobs[index]!, index));
      }
      const plan = journaled.opened.plans[index]!;
      const job = { key: keys[index]!, job: jobs[index]!, xml: journaled.opened.xmls[index] };
      switch (plan.kind) {
        case 'ended':
          tally.ended(index, plan.outcome, plan.executionId);
          return EMPTY;
        case 'uncertain':
          tally.uncertain(index, plan.reason, plan.candidateIds);
          return EMPTY;
        case 'watch':
          tally.start(index, plan.adopted ? 'adopted' : 'watched');
          return traced(index, journaled.journaledJob(journaled.deps, journaled.journal, scheduler, { ...job, executionId: plan.executionId }), plan.traceparent);
        case 'start': {
          tally.start(index, plan.restarted ? 'restarted' : undefined);
          const trace: { traceparent?: string } = {};
          return traced(index, journaled.journaledJob(journaled.deps, journaled.journal, scheduler, { ...job, trace }), plan.traceparent, trace);
        }
      }
    };
    const runJob = (index: number): Observable<never> =>
      defer(() => {
        const events$ = eventsOf(index);
        changed();
        return events$;
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
          // The journal is what makes a resume safe: without it the batch must not go on.
          if (isSmartFlowsJournalError(error)) return throwError(() => error);
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
}

