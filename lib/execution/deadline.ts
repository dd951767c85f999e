import { defer, map, type MonoTypeOperatorFunction, type SchedulerLike, takeUntil, tap, timer } from 'rxjs';
import type { ExecutionEvent, FlowProgress } from '../api/types';
import { SmartFlowsTimeoutError } from '../errors';

/**
 * Bounds a stream of execution events to `limitMs` from its subscription (0 = no bound): then
 * it errors with `SmartFlowsTimeoutError` naming the execution, which goes on on the server, and
 * where it stood (`lastProgress`: the last event's status, percentage and message); or, before
 * the start answered, with `executionMayExist`: the server may have made one.
 * @param knownId - the execution's id when known before any event (`watch`)
 * @param redact - the client's redaction, for the server's message that the error keeps (a
 *   running progress was never redacted: only failure answers are)
 */
export function deadline(limitMs: number, scheduler: SchedulerLike, knownId?: string, redact?: (text: string) => string): MonoTypeOperatorFunction<ExecutionEvent> {
  if (!(limitMs > 0)) return (source) => source;
  return (source) =>
    defer(() => {
      let executionId = knownId;
      let last: FlowProgress | undefined;
      const expired = timer(limitMs, scheduler).pipe(
        map(() => {
          // Before any id, the start was sent and not answered: the server may have made it.
          if (!executionId) throw new SmartFlowsTimeoutError(`The start did not answer within ${limitMs} ms`, limitMs, { executionMayExist: true });
          const where = last ? ` (last seen: ${last.status}, ${last.percentage} %)` : '';
          const message = `Execution ${executionId} did not end within ${limitMs} ms${where}; it may still be running: watch it again with its executionId`;
          const lastProgress = last && { status: last.status, percentage: last.percentage, message: redact ? redact(last.message) : last.message };
          throw new SmartFlowsTimeoutError(message, limitMs, { executionId, ...(lastProgress ? { lastProgress } : {}) });
        }),
      );
      // takeUntil passes its notifier's error on: the stream errors at the limit.
      return source.pipe(
        tap((event) => {
          executionId = event.executionId;
          last = event.progress;
        }),
        takeUntil(expired),
      );
    });
}
