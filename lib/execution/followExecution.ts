import { catchError, defer, map, mergeMap, Observable, of, Subscription, switchMap, takeUntil, tap, throwError, timer } from 'rxjs';
import { attachExecutionId, type ExecutionApi } from '../api/createApi';
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
 * Interrupted). Every error after `first$` gave an id carries that `executionId`.
 */
export function followExecution(deps: FollowDeps, first$: Observable<FlowProgress>, options: FollowOptions = {}): Observable<ExecutionEvent> {
  const events$ = first$.pipe(
    // One closure per execution rather than a chain of operators: thousands are followed at once.
    switchMap((first) =>
      new Observable<ExecutionEvent>((subscriber) => {
        let last = first;
        const fail = (error: unknown) => subscriber.error(attachExecutionId(error, first.id));
        const onProgress = (progress: FlowProgress) => {
          last = progress;
          if (options.onUserInput === 'error' && needsUserAction(progress.status)) fail(new FlowExecutionError(progress));
          else subscriber.next(progressEvent(progress));
        };
        onProgress(first);
        if (subscriber.closed) return undefined;
        const tail = new Subscription();
        tail.add(
          pollProgress(deps, first).subscribe({
            next: onProgress,
            error: fail,
            complete: () =>
              tail.add(
                defer(() => finish(deps, last, options)).subscribe({
                  next: (event) => subscriber.next(event),
                  error: fail,
                  complete: () => subscriber.complete(),
                }),
              ),
          }),
        );
        return tail;
      }),
    ),
  );
  return guardLifetime(deps, events$, options);
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

/** Adds the overall timeout and the cancel-on-unsubscribe behaviour around a stream of events. */
function guardLifetime(deps: FollowDeps, events$: Observable<ExecutionEvent>, options: FollowOptions): Observable<ExecutionEvent> {
  const limitMs = options.timeoutMs ?? deps.polling.timeoutMs;
  return new Observable<ExecutionEvent>((subscriber) => {
    let executionId: string | undefined;
    let ended = false;
    const limited$ =
      limitMs > 0
        ? events$.pipe(
            takeUntil(
              timer(limitMs, deps.scheduler).pipe(
                tap(() => {
                  throw new SmartFlowsTimeoutError(
                    `Execution ${executionId ?? '(not started)'} did not end within ${limitMs} ms; it may still be running: watch it again with its executionId`,
                    limitMs,
                    executionId ? { executionId } : {},
                  );
                }),
              ),
            ),
          )
        : events$;
    const inner = limited$.subscribe({
      next: (event) => {
        executionId = event.executionId;
        subscriber.next(event);
      },
      error: (error: unknown) => {
        ended = true;
        subscriber.error(error);
      },
      complete: () => {
        ended = true;
        subscriber.complete();
      },
    });
    return () => {
      inner.unsubscribe();
      if (!ended && options.cancelOnUnsubscribe && executionId) {
        // Best effort, after the subscriber left: a failure has nowhere to go, by design.
        deps.api.cancel(executionId).subscribe({ error: () => undefined });
      }
    };
  });
}
