import { catchError, concat, defer, map, mergeMap, type Observable, of, take, tap, throwError } from 'rxjs';
import { attachExecutionId, type ExecutionApi } from '../api/createApi';
import { isFailureStatus, isSuccessStatus, needsUserAction } from '../api/status';
import type { DownloadedDocument, ExecutionEvent, FlowExecution, FlowProgress } from '../api/types';
import { FlowExecutionError } from '../errors';
import { cancelWhenLeft } from './cancelWhenLeft';
import { deadline } from './deadline';
import { pollProgress, type PollDeps } from './pollProgress';

/** Options of `run` and `watch`. */
export interface FollowOptions {
  /** What a `UserInput` or `SelectFlow` status does: keep the stream open, or end it with `FlowExecutionError`. @default 'wait' */
  onUserInput?: 'wait' | 'error';
  /** Sends the cancel call when the subscriber leaves while the execution may still run (best effort, bounded in time). @default false */
  cancelOnUnsubscribe?: boolean;
  /** Downloads every document of a successful execution and attaches them to the output event. @default false */
  downloadDocuments?: boolean;
  /** Bound on this stream, from subscription to the end; overrides `polling.timeoutMs`; 0 = none. */
  timeoutMs?: number;
}

/** What following an execution needs besides polling. */
export interface FollowDeps extends PollDeps {
  api: Pick<ExecutionApi, 'execution' | 'cancel'>;
  /** Downloads the documents an execution produced (only with `downloadDocuments`). */
  downloadAll?: (progress: FlowProgress, execution: FlowExecution) => Observable<DownloadedDocument[]>;
}

const progressEvent = (progress: FlowProgress): ExecutionEvent => ({ type: 'progress', executionId: progress.id, progress });

/**
 * Steps 2–6 of the contract, from a first progress: emit it, poll, and at the end emit the
 * output event (Success, Warning) or error with `FlowExecutionError` (Error, Canceled,
 * Interrupted). Every error after `first$` gave an id carries that `executionId`. Adds the
 * overall timeout (`timeoutMs`, see {@link deadline}) and `cancelOnUnsubscribe` (see
 * {@link cancelWhenLeft}). Only the first value of `first$` is followed.
 */
export function followExecution(deps: FollowDeps, first$: Observable<FlowProgress>, options: FollowOptions = {}): Observable<ExecutionEvent> {
  const events$ = first$.pipe(
    take(1),
    mergeMap((first) => followFrom(deps, first, options)),
    deadline(options.timeoutMs ?? deps.polling.timeoutMs, deps.scheduler),
  );
  // After the deadline: a stream that timed out has ended, and sends no cancel.
  return options.cancelOnUnsubscribe ? events$.pipe(cancelWhenLeft(deps.api.cancel, deps.scheduler)) : events$;
}

/** The events of one execution from its first progress: that progress, each change, the end. */
function followFrom(deps: FollowDeps, first: FlowProgress, options: FollowOptions): Observable<ExecutionEvent> {
  return defer(() => {
    let last = first;
    const progress$ = concat(of(first), pollProgress(deps, first)).pipe(
      tap((progress) => {
        last = progress;
        if (options.onUserInput === 'error' && needsUserAction(progress.status)) throw new FlowExecutionError(progress);
      }),
      map(progressEvent),
    );
    return concat(progress$, defer(() => finish(deps, last, options))).pipe(
      catchError((error: unknown) => throwError(() => attachExecutionId(error, first.id))),
    );
  });
}

function finish(deps: FollowDeps, last: FlowProgress, options: FollowOptions): Observable<ExecutionEvent> {
  if (isSuccessStatus(last.status)) {
    return deps.api.execution(last.id).pipe(
      mergeMap((execution) => {
        const output = { type: 'output' as const, executionId: last.id, progress: last, execution };
        if (!options.downloadDocuments || !deps.downloadAll) return of(output);
        return deps.downloadAll(last, execution).pipe(map((documents) => ({ ...output, documents })));
      }),
    );
  }
  if (isFailureStatus(last.status)) {
    // The execution explains the failure (report, stages); without it the error still tells.
    return deps.api.execution(last.id).pipe(
      catchError(() => of(undefined)),
      mergeMap((execution) => throwError(() => new FlowExecutionError(last, execution))),
    );
  }
  return throwError(() => new FlowExecutionError(last));
}
