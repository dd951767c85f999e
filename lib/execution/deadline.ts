import { defer, map, type MonoTypeOperatorFunction, type SchedulerLike, takeUntil, tap, timer } from 'rxjs';
import type { ExecutionEvent } from '../api/types';
import { SmartFlowsTimeoutError } from '../errors';

/**
 * Bounds a stream of execution events to `limitMs` from its subscription (0 = no bound): then
 * it errors with `SmartFlowsTimeoutError` naming the execution, which goes on on the server (or,
 * before the start answered, with `executionMayExist`: the server may have made one).
 * @param knownId - the execution's id when known before any event (`watch`)
 */
export function deadline(limitMs: number, scheduler: SchedulerLike, knownId?: string): MonoTypeOperatorFunction<ExecutionEvent> {
  if (!(limitMs > 0)) return (source) => source;
  return (source) =>
    defer(() => {
      let executionId = knownId;
      const expired = timer(limitMs, scheduler).pipe(
        map(() => {
          // Before any id, the start was sent and not answered: the server may have made it.
          if (!executionId) throw new SmartFlowsTimeoutError(`The start did not answer within ${limitMs} ms`, limitMs, { executionMayExist: true });
          const message = `Execution ${executionId} did not end within ${limitMs} ms; it may still be running: watch it again with its executionId`;
          throw new SmartFlowsTimeoutError(message, limitMs, { executionId });
        }),
      );
      // takeUntil passes its notifier's error on: the stream errors at the limit.
      return source.pipe(
        tap((event) => (executionId = event.executionId)),
        takeUntil(expired),
      );
    });
}
