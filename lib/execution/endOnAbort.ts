import { type MonoTypeOperatorFunction, Observable, Subscription, throwError } from 'rxjs';
import { SmartFlowsAbortError, SmartFlowsInputError } from '../errors';
import { isAbortSignal } from '../internal/abortSignal';

/** What the abort error of a stream can say about its execution. */
export interface AbortContext<T> {
  /** The execution's id when known before any value (`watch`). */
  knownId?: string;
  /** The execution's id a value tells (a progress's, an event's). */
  idOf?: (value: T) => string | undefined;
  /** The stream starts an execution: before any id, the start may have reached the server (`executionMayExist`). */
  starts?: boolean;
}

/**
 * The `signal` option: when `signal` aborts, the stream is left as an unsubscription leaves it
 * (the request in flight aborted, timers stopped, a `cancelOnUnsubscribe` inside it sends its
 * cancel, a start on its way is kept for that cancel) and then errors with
 * {@link SmartFlowsAbortError} (the reason as `cause`, the execution's id when known). A signal
 * already aborted at subscription subscribes nothing, so sends nothing. One abort listener per
 * subscription, removed when the stream ends; no signal: the stream as it is. A `signal` that
 * is not an `AbortSignal` (of any realm: checked by its shape) errors with `SmartFlowsInputError`
 * at subscription, before anything is sent (the one place this option is checked).
 * @param signal - the caller's signal; `undefined`: no operator at all
 * @param context - how the error names the execution
 */
export function endOnAbort<T>(signal: AbortSignal | undefined, context: AbortContext<T> = {}): MonoTypeOperatorFunction<T> {
  if (signal === undefined) return (source) => source;
  if (!isAbortSignal(signal)) return () => throwError(() => new SmartFlowsInputError('signal must be an AbortSignal'));
  return (source) =>
    // Hand-written: on abort the source must be left *before* the error goes down. `takeUntil`
    // (and every operator that ends on a notifier) sends the error first and unsubscribes after,
    // and what sits above reads an error as an end, not a leave: `cancelOnUnsubscribe` would
    // then keep neither its cancel nor the start it waits for.
    new Observable<T>((subscriber) => {
      let executionId = context.knownId;
      const aborted = () =>
        new SmartFlowsAbortError(signal.reason, {
          ...(executionId ? { executionId } : {}),
          ...(!executionId && context.starts ? { executionMayExist: true } : {}),
        });
      if (signal.aborted) {
        // Before anything was sent: nothing may exist.
        subscriber.error(new SmartFlowsAbortError(signal.reason, context.knownId ? { executionId: context.knownId } : {}));
        return;
      }
      const inner = new Subscription();
      const onAbort = () => {
        inner.unsubscribe();
        subscriber.error(aborted());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      inner.add(
        source.subscribe({
          next: (value) => {
            if (context.idOf) executionId = context.idOf(value) ?? executionId;
            subscriber.next(value);
          },
          error: (error: unknown) => subscriber.error(error),
          complete: () => subscriber.complete(),
        }),
      );
      return () => {
        signal.removeEventListener('abort', onAbort);
        inner.unsubscribe();
      };
    });
}
