import {
  catchError, concat, defer, EMPTY, map, mergeMap, type MonoTypeOperatorFunction, type Observable, of, repeat, switchMap, take, tap, throwError,
} from 'rxjs';
import type { ExecutionApi } from '../api/ExecutionApi';
import { attachExecutionId } from '../internal/attachExecutionId';
import type { SecretBook } from '../internal/secretBook';
import { isFailureStatus, isSuccessStatus, isTerminalStatus, needsUserAction } from '../api/status';
import type { DownloadedDocument, ExecutionEvent, FlowExecution, FlowProgress } from '../api/types';
import { FlowExecutionError, SmartFlowsResponseError, SmartFlowsTimeoutError } from '../errors';
import { keepStartWhenLeft } from './cancelWhenLeft';
import { followerBounds } from './followerBounds';
import { progressChanged } from './nextDelay';
import { poller, type Poller, type PollDeps, withActivity } from './poller';

/** Options of `run` and `watch`. */
export interface FollowOptions {
  /** What a `UserInput` or `SelectFlow` status does: keep the stream open, or end it with `FlowExecutionError`. @default 'wait' */
  onUserInput?: 'wait' | 'error';
  /**
   * Sends the cancel call when the subscriber leaves (unsubscribes) while the execution may still
   * run, also while the start's answer is on its way (best effort, bounded in time); never after a
   * timeout or an error. A shared `watch` sends it when its last subscriber leaves so.
   * @default false
   */
  cancelOnUnsubscribe?: boolean;
  /** Downloads every document of a successful execution and attaches them to the output event. @default false */
  downloadDocuments?: boolean;
  /** Bound on this stream, from subscription to the end (then `SmartFlowsTimeoutError`; the execution goes on, it is never cancelled); 0 = none. @default the client's `polling.timeoutMs` */
  timeoutMs?: number;
  /**
   * Ends the stream when the signal aborts: as an unsubscription ends it (the request in flight
   * aborted, every timer stopped, the cancel sent if `cancelOnUnsubscribe`), then it errors with
   * `SmartFlowsAbortError` (`name` `'AbortError'`, the signal's `reason` as `cause`, the
   * `executionId` when known). A signal already aborted sends nothing.
   * @default none
   */
  signal?: AbortSignal;
  /**
   * How the execution is followed: `'polling'`, its own progress requests; `'listing'`, the
   * client's listing tracker (one listing request per cycle for all its executions, see the
   * client's `tracker` option), falling back to its own polling where the listing cannot be trusted.
   * @default 'polling'
   */
  tracking?: 'polling' | 'listing';
}

/** What following an execution needs besides polling. */
export interface FollowDeps extends PollDeps {
  api: Pick<ExecutionApi, 'execution' | 'cancel'>;
  /** Makes the loop's poller (default: `poller`, one progress request per poll); the listing tracker brings its own. */
  poller?: typeof poller;
  /** The client's secrets: redacted from the server's text that a timeout error keeps. */
  secrets?: SecretBook;
  /** Downloads the documents an execution produced (only with `downloadDocuments`). */
  downloadAll?: (progress: FlowProgress, execution: FlowExecution) => Observable<DownloadedDocument[]>;
}

/**
 * How many final GETs in a row may say the execution has not ended after its progress said it
 * succeeded (a lagging read replica) before the run ends with `SmartFlowsResponseError`.
 */
const MAX_CONTRADICTIONS = 3;

const progressEvent = (progress: FlowProgress): ExecutionEvent => ({ type: 'progress', executionId: progress.id, progress });

/** Puts the execution's id on every error of a step, so the caller can watch it again. */
const withExecutionId = <T>(executionId: string): MonoTypeOperatorFunction<T> =>
  catchError((error: unknown) => throwError(() => attachExecutionId(error, executionId)));

/**
 * Steps 2–6 of the contract, from a first progress: emit it, poll (a percentage never goes
 * down: a lower one is held at the highest seen, and alone is no event), and at the end emit the
 * output event (Success, Warning) or error with `FlowExecutionError` (Error, Canceled,
 * Interrupted). Every error after `first$` gave an id carries that `executionId`. Adds the
 * subscriber's `timeoutMs` and `cancelOnUnsubscribe` (one operator, {@link followerBounds}:
 * a timeout never cancels). `first$` gives one progress (the start answer, or a first poll).
 *
 * A `repeat` of one step: step 0 subscribes `first$`, each later step sends one progress
 * request, and `repeat({ delay })` waits `timer(nextDelay)` between steps, so requests never
 * overlap. `switchMap` turns an answer into its events (none if nothing changed; at a
 * terminal status the progress event then the output GET). Between polls only `repeat` and
 * its timer stay subscribed: thousands of executions are followed at once, and each operator
 * left subscribed would cost each of them about 600 bytes.
 */
export function followExecution(deps: FollowDeps, first$: Observable<FlowProgress>, options: FollowOptions = {}): Observable<ExecutionEvent> {
  const limits = {
    timeoutMs: options.timeoutMs ?? deps.polling.timeoutMs,
    cancelOnUnsubscribe: options.cancelOnUnsubscribe === true,
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
    ...(deps.secrets ? { secrets: deps.secrets } : {}),
  };
  const bounds = followerBounds(limits, deps.api.cancel, deps.scheduler);
  if (!limits.cancelOnUnsubscribe) return pollLoop(deps, first$, options).pipe(bounds);
  // A subscriber that leaves while the start's answer is on its way cancels what it started.
  return defer(() => {
    const start = keepStartWhenLeft(first$, deps.api.cancel, deps.scheduler);
    return pollLoop(deps, start.first$, options).pipe(bounds, tap({ error: start.end, complete: start.end }));
  });
}

/** The poll loop of {@link followExecution}, without the follower's bounds. */
function pollLoop(deps: FollowDeps, first$: Observable<FlowProgress>, options: FollowOptions): Observable<ExecutionEvent> {
  return withActivity(deps, (activity$) =>
    defer(() => {
      let last: FlowProgress | undefined;
      // The last progress emitted: `last` too, except after a final GET that contradicted it
      // (then `last` is what that GET told, and an unchanged progress emits nothing again).
      let shown: FlowProgress | undefined;
      // Final GETs in a row that said the execution runs after a progress said it succeeded.
      let contradictions = 0;
      let poll: Poller | undefined;
      let answered = false;
      // Since when the answers have shown a status this client does not know (none: undefined).
      let unknownSince: number | undefined;
      // Each answer's events: the progress event if it changed, and after a terminal status the end.
      const settle = (answer: FlowProgress): Observable<ExecutionEvent> => {
        // A follower's percentage never goes down (a retried stage, a requeue): the highest seen
        // is kept, status and message are the server's. (A copy only for such an answer.)
        const progress = last && answer.percentage < last.percentage ? { ...answer, percentage: last.percentage } : answer;
        const changed = !shown || progressChanged(shown, progress);
        last = progress;
        if (changed) shown = progress;
        answered = true;
        if (options.onUserInput === 'error' && needsUserAction(progress.status)) return throwError(() => new FlowExecutionError(progress));
        if (progress.status !== 'Unknown') unknownSince = undefined;
        else if (unknownTooLong(deps, (unknownSince ??= deps.scheduler.now()))) return throwError(() => unknownTimeout(deps, progress));
        const event$ = changed ? of(progressEvent(progress)) : EMPTY;
        if (!isTerminalStatus(progress.status)) {
          contradictions = 0;
          return event$;
        }
        // If the final GET says the execution has not ended, polling goes on from what it says,
        // MAX_CONTRADICTIONS times in a row at most.
        return concat(event$, finish(deps, progress, options, (told) => {
          last = told;
          return ++contradictions < MAX_CONTRADICTIONS;
        }));
      };
      const step$ = defer(() => {
        if (!last) return first$.pipe(take(1), switchMap((first) => settle(first).pipe(withExecutionId(first.id))));
        answered = false;
        poll ??= (deps.poller ?? poller)(deps, last, activity$);
        return poll.ask(last).pipe(switchMap(settle), withExecutionId(last.id));
      });
      const next = (): Observable<unknown> => {
        if (!last || isTerminalStatus(last.status)) return EMPTY;
        // A poll that ended without an answer ends the stream with what is known.
        if (!answered) return throwError(() => new FlowExecutionError(last!));
        return (poll ??= (deps.poller ?? poller)(deps, last, activity$)).wait(last);
      };
      return step$.pipe(repeat({ delay: next }));
    }),
  );
}

/**
 * The end after a terminal progress. At Success or Warning the execution's GET gives the output,
 * checked as a progress answer is: another execution's answer is a `SmartFlowsResponseError`
 * (the API layer's check, `executionCalls`), and a status that disagrees is followed (a failure errors with `FlowExecutionError`; a status
 * that has not ended goes back to polling through `reopen`, with no event, unless `reopen` says
 * it has done so {@link MAX_CONTRADICTIONS} times in a row: then `SmartFlowsResponseError`).
 */
function finish(deps: FollowDeps, last: FlowProgress, options: FollowOptions, reopen: (told: FlowProgress) => boolean): Observable<ExecutionEvent> {
  if (isSuccessStatus(last.status)) {
    return deps.api.execution(last.id).pipe(
      mergeMap((execution): Observable<ExecutionEvent> => {
        if (!isSuccessStatus(execution.status)) {
          const told = toldByExecution(last, execution);
          if (isTerminalStatus(execution.status)) return throwError(() => new FlowExecutionError(told, execution));
          if (reopen(told)) return EMPTY;
          return throwError(() => contradiction(last, execution));
        }
        const output = { type: 'output' as const, executionId: last.id, progress: last, execution };
        if (!options.downloadDocuments || !deps.downloadAll) return of(output);
        return deps.downloadAll(last, execution).pipe(map((documents) => ({ ...output, documents })));
      }),
    );
  }
  if (isFailureStatus(last.status)) {
    // The execution explains the failure (report, stages); without it (or with another
    // execution's answer, which the API refuses) the error still tells.
    return deps.api.execution(last.id).pipe(
      catchError(() => of(undefined)),
      mergeMap((execution) => throwError(() => new FlowExecutionError(last, execution))),
    );
  }
  return throwError(() => new FlowExecutionError(last));
}

/** The end of a run whose final GETs kept saying the execution runs after its progress said it succeeded. */
const contradiction = (last: FlowProgress, execution: FlowExecution) =>
  new SmartFlowsResponseError(
    `The server says ${last.status} for execution ${last.id} but the execution is ${execution.status}, ${MAX_CONTRADICTIONS} times in a row; it may still be running: watch it again with its executionId`,
    { executionId: last.id },
  );

/** Whether an unknown status first seen at `sinceMs` has lasted past `polling.unknownStatusTimeoutMs` (0: never). */
const unknownTooLong = ({ polling, scheduler }: FollowDeps, sinceMs: number): boolean =>
  polling.unknownStatusTimeoutMs > 0 && scheduler.now() - sinceMs >= polling.unknownStatusTimeoutMs;

const unknownTimeout = ({ polling }: FollowDeps, progress: FlowProgress) =>
  new SmartFlowsTimeoutError(
    `Execution ${progress.id} has reported the status '${progress.rawStatus.slice(0, 40).replace(/[\p{Cc}\p{Cf}]/gu, '')}', which this client does not know, for ${polling.unknownStatusTimeoutMs} ms (polling.unknownStatusTimeoutMs); it may still be running: watch it again with its executionId`,
    polling.unknownStatusTimeoutMs,
    { executionId: progress.id },
  );

/**
 * The progress a follower knows once the execution's own GET told it a status its last progress
 * answer did not give (the output GET, the listing tracker's confirm). A status that has not
 * ended keeps that answer's text; a successful end is 100 %. A failure keeps only the id and the
 * percentage: the answer's message, model and other fields spoke of a running or successful
 * execution, and no redaction read them (only failure answers are redacted, not every poll),
 * yet a `FlowExecutionError` would carry them; the failure's own text is the execution's, which
 * the API layer redacted.
 * @param last - the last progress answer
 * @param execution - the execution's GET
 */
export function toldByExecution(last: FlowProgress, execution: FlowExecution): FlowProgress {
  const { status, rawStatus } = execution;
  if (isFailureStatus(status)) return { id: last.id, percentage: last.percentage, message: '', status, rawStatus };
  return { ...last, status, rawStatus, percentage: isSuccessStatus(status) ? 100 : last.percentage };
}
