import { defer, EMPTY, finalize, mergeMap, type MonoTypeOperatorFunction, type Observable, ReplaySubject, type SchedulerLike, take, takeUntil, tap, timer } from 'rxjs';
import { isTerminalStatus } from '../api/status';
import type { ExecutionEvent, FlowProgress } from '../api/types';

/** Longest a cancel sent on unsubscription may take, retries included: then it is dropped. */
export const CANCEL_LIMIT_MS = 5_000;

/**
 * `cancelOnUnsubscribe`: when the subscriber leaves while the execution may still be running
 * on the server (an event was seen, none terminal, or — for `watch` — its id was known from the
 * start and no event came yet; and the stream neither completed nor errored), sends
 * `cancel(executionId)` once, fire-and-forget: a failure has nowhere to go,
 * and the request (retries included) is dropped after {@link CANCEL_LIMIT_MS}, so it never
 * keeps a process alive for long.
 */
export function cancelWhenLeft(cancel: (executionId: string) => Observable<unknown>, scheduler: SchedulerLike, knownId?: string): MonoTypeOperatorFunction<ExecutionEvent> {
  return (source) =>
    defer(() => {
      // The id of an execution that may still be running, while the stream is open: a watched
      // one's from the start (its first progress call may be held for 30 s before any event).
      let running: string | undefined = knownId;
      return source.pipe(
        tap({
          next: (event) => (running = isTerminalStatus(event.progress.status) ? undefined : event.executionId),
          error: () => (running = undefined),
          complete: () => (running = undefined),
        }),
        finalize(() => {
          if (running === undefined) return;
          cancel(running)
            .pipe(takeUntil(timer(CANCEL_LIMIT_MS, scheduler)))
            .subscribe({ error: () => undefined });
        }),
      );
    });
}

/** A start that a subscriber with `cancelOnUnsubscribe` may leave while its answer is on its way (see {@link keepStartWhenLeft}). */
export interface KeptStart {
  /** The start's answer, for the poll loop. */
  first$: Observable<FlowProgress>;
  /** Tells that the stream ended (error, completion; a timeout is an error) rather than being left: a start still on its way is then aborted. */
  end: () => void;
}

/**
 * `cancelOnUnsubscribe` for the start itself. Once the POST is sent, the server may have made
 * the execution before its answer arrives; aborting the request then leaves an execution nobody
 * knows about. So a subscriber that leaves while the answer is on its way does not abort it:
 * the answer is awaited and its execution cancelled, both within {@link CANCEL_LIMIT_MS} of the
 * leaving (then the request is aborted). A stream that *ended* instead (a timeout, see `end`)
 * aborts the start at once and cancels nothing: a timeout never cancels.
 */
export function keepStartWhenLeft(start$: Observable<FlowProgress>, cancel: (executionId: string) => Observable<unknown>, scheduler: SchedulerLike): KeptStart {
  let ended = false;
  const first$ = defer(() => {
    let answered = false;
    const answer = new ReplaySubject<FlowProgress>(1);
    const started = start$.pipe(tap(() => (answered = true))).subscribe(answer);
    return answer.pipe(
      finalize(() => {
        if (answered || started.closed) return;
        if (ended) return started.unsubscribe();
        answer
          .pipe(
            take(1),
            mergeMap((first) => (isTerminalStatus(first.status) ? EMPTY : cancel(first.id))),
            takeUntil(timer(CANCEL_LIMIT_MS, scheduler)),
            finalize(() => started.unsubscribe()),
          )
          .subscribe({ error: () => undefined });
      }),
    );
  });
  return { first$, end: () => void (ended = true) };
}
