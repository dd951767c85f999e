import { catchError, concat, concatMap, concatWith, defer, EMPTY, type Observable, of, type SchedulerLike, tap, throwError } from 'rxjs';
import { redactionOf } from '../api/redaction';
import type { ExecutionEvent, FlowProgress } from '../api/types';
import type { BatchJob } from '../execution/batchTypes';
import type { SecretBook } from '../internal/secretBook';
import { appendRecord, isSmartFlowsJournalError } from './appendRecord';
import type { BatchJournal } from './journalTypes';
import type { OpenJournalDeps } from './openJournal';
import { failedOutcome, isFinalFailure, type RedactText, succeededOutcome } from './outcome';

/** What a journaled batch needs from the client besides opening the journal. */
export interface JournalDeps extends OpenJournalDeps {
  /** One start request with the job's prepared XML: the first progress. */
  start(job: BatchJob, xml: string | undefined): Observable<FlowProgress>;
  /** Follows an execution from its first progress, as `run` does after the start. */
  follow(first$: Observable<FlowProgress>): Observable<ExecutionEvent>;
  /** Follows an execution that exists, as `watch` does. */
  watch(executionId: string): Observable<ExecutionEvent>;
  /** The client's secrets: what the journal keeps of the server's answers (document names) is redacted of them. */
  secrets?: SecretBook;
}

/**
 * One job's run with its journal records: `starting` is durable before the start request is
 * sent (the request is subscribed only after the append resolved), `started` as soon as the
 * answer came (before the first progress is passed on), `ended` once the outcome is final
 * (before the job counts as done). A job given `executionId` is watched instead of started.
 * A journal failure errors with `SmartFlowsJournalError` as it is. What the `ended` record keeps
 * of the server's answers (document ids and names) is redacted of the client's secrets.
 */
export function journaledJob(
  deps: JournalDeps,
  journal: BatchJournal,
  scheduler: SchedulerLike,
  job: { key: string; job: BatchJob; xml: string | undefined; executionId?: string; trace?: { traceparent?: string } },
): Observable<ExecutionEvent> {
  const { key } = job;
  const at = () => new Date(scheduler.now()).toISOString();
  // Reads the client's book when used (a job's end), so a token given later is hidden too.
  const redact: RedactText = redactionOf(deps.secrets) ?? ((text) => text);
  let executionId = job.executionId;
  const first$ = concat(
    // With the run's `traceparent` when a tracer gave one (lib/diagnostics): a resume links to it.
    appendRecord(journal, () => ({ type: 'starting', at: at(), key, ...(job.trace?.traceparent ? { traceparent: job.trace.traceparent } : {}) })),
    defer(() => deps.start(job.job, job.xml)),
  ).pipe(
    concatMap((progress) => {
      executionId = progress.id;
      return concat(appendRecord(journal, () => ({ type: 'started', at: at(), key, executionId: progress.id })), of(progress));
    }),
  );
  let output: Extract<ExecutionEvent, { type: 'output' }> | undefined;
  const events$ = executionId === undefined ? deps.follow(first$) : deps.watch(executionId);
  return events$.pipe(
    tap((event) => {
      executionId = event.executionId;
      if (event.type === 'output') output = event;
    }),
    concatWith(defer(() => (output ? appendRecord(journal, () => ({ type: 'ended', at: at(), key, executionId: output!.executionId, outcome: succeededOutcome(output!, redact) })) : EMPTY))),
    catchError((error: unknown) => {
      if (isSmartFlowsJournalError(error) || !isFinalFailure(error, executionId)) return throwError(() => error);
      const carried = (error as { executionId?: unknown }).executionId;
      const id = executionId ?? (typeof carried === 'string' ? carried : undefined);
      return concat(
        appendRecord(journal, () => ({ type: 'ended', at: at(), key, ...(id ? { executionId: id } : {}), outcome: failedOutcome(error, redact) })),
        throwError(() => error),
      );
    }),
  );
}
