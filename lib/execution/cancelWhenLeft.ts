import { defer, finalize, type MonoTypeOperatorFunction, type Observable, type SchedulerLike, takeUntil, tap, timer } from 'rxjs';
import { isTerminalStatus } from '../api/status';
import type { ExecutionEvent } from '../api/types';

/** Longest a cancel sent on unsubscription may take, retries included: then it is dropped. */
export const CANCEL_LIMIT_MS = 5_000;

/**
 * `cancelOnUnsubscribe`: when the subscriber leaves while the execution may still be running
 * on the server (an event was seen, none terminal, and the stream neither completed nor
 * errored), sends `cancel(executionId)` once, fire-and-forget: a failure has nowhere to go,
 * and the request (retries included) is dropped after {@link CANCEL_LIMIT_MS}, so it never
 * keeps a process alive for long.
 */
export function cancelWhenLeft(cancel: (executionId: string) => Observable<unknown>, scheduler: SchedulerLike): MonoTypeOperatorFunction<ExecutionEvent> {
  return (source) =>
    defer(() => {
      // The id of an execution that may still be running, while the stream is open.
      let running: string | undefined;
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
