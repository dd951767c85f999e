import { catchError, defer, map, mergeMap, Observable, of, Subscription, throwError } from 'rxjs';
import type { ExecutionApi } from '../api/ExecutionApi';
import { attachExecutionId } from '../internal/attachExecutionId';
import { isFailureStatus, isSuccessStatus, needsUserAction } from '../api/status';
import type { DownloadedDocument, ExecutionEvent, FlowExecution, FlowProgress } from '../api/types';
import { FlowExecutionError, SmartFlowsTimeoutError } from '../errors';
import { pollProgress, type PollDeps } from './pollProgress';

/** Options of `run` and `watch`. */
export interface FollowOptions {
  /** What a `UserInput` or `SelectFlow` status does: keep the stream open, or end it with `FlowExecutionError`. @default 'wait' */
  onUserInput?: 'wait' | 'error';
  /** Sends the cancel call when the subscriber leaves before the end (best effort). @default false */
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
 * overall timeout (`timeoutMs`) and `cancelOnUnsubscribe`. Only the first value of `first$`
 * is followed.
 *
 * One Observable per execution rather than a chain of operators: thousands are followed at
 * once, and each keeps only this closure, the poll loop's, and a timer.
 */
export function followExecution(deps: FollowDeps, first$: Observable<FlowProgress>, options: FollowOptions = {}): Observable<ExecutionEvent> {
  const limitMs = options.timeoutMs ?? deps.polling.timeoutMs;
  return new Observable<ExecutionEvent>((subscriber) => {
    let executionId: string | undefined;
    let ended = false;
    let started = false;
    const work = new Subscription();
    const end = (error?: { error: unknown }) => {
      ended = true;
      if (error) subscriber.error(error.error);
      else subscriber.complete();
    };
    const emit = (event: ExecutionEvent) => {
      executionId = event.executionId;
      subscriber.next(event);
    };
    if (limitMs > 0) {
      work.add(
        deps.scheduler.schedule(() => {
          const message = `Execution ${executionId ?? '(not started)'} did not end within ${limitMs} ms; it may still be running: watch it again with its executionId`;
          end({ error: new SmartFlowsTimeoutError(message, limitMs, executionId ? { executionId } : {}) });
        }, limitMs),
      );
    }

    const follow = (first: FlowProgress) => {
      let last = first;
      const id = first.id;
      const fail = (error: unknown) => end({ error: attachExecutionId(error, id) });
      const onProgress = (progress: FlowProgress) => {
        last = progress;
        if (options.onUserInput === 'error' && needsUserAction(progress.status)) fail(new FlowExecutionError(progress));
        else emit(progressEvent(progress));
      };
      onProgress(first);
      if (subscriber.closed) return;
      work.add(
        pollProgress(deps, first).subscribe({
          next: onProgress,
          error: fail,
          complete: () =>
            work.add(
              defer(() => finish(deps, last, options)).subscribe({ next: emit, error: fail, complete: () => end() }),
            ),
        }),
      );
    };

    work.add(
      first$.subscribe({
        next: (first) => {
          if (started) return;
          started = true;
          follow(first);
        },
        error: (error: unknown) => end({ error }),
        complete: () => started || end(),
      }),
    );

    return () => {
      work.unsubscribe();
      if (!ended && options.cancelOnUnsubscribe && executionId) {
        // Best effort, after the subscriber left: a failure has nowhere to go, by design.
        deps.api.cancel(executionId).subscribe({ error: () => undefined });
      }
    };
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
