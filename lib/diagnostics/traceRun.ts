import { Observable, type Subscription } from 'rxjs';
import type { ExecutionEvent, FlowStatus } from '../api/types';
import { captureContext, progressChannel, runChannel } from './channels';
import type { RunTraceContext } from './types';

/** What a run's context starts with (see {@link RunTraceContext}). */
export interface RunFields extends Pick<RunTraceContext, 'kind' | 'flowId' | 'executionId' | 'key' | 'resumedFrom'> {
  /** How it is followed. @default 'polling' */
  tracking?: 'polling' | 'listing';
}

/** What a job's result tells its run context ({@link traceJob}). */
export interface JobOutcome {
  /** The execution that ran the job. */
  executionId: string;
  /** Its final status. */
  status: FlowStatus;
}

/**
 * `events$` as is when nobody listens to the run or progress channels (checked at each
 * subscription: nothing is built then), else traced: see {@link traced}. Call it at
 * subscription (inside the caller's `defer`).
 */
export function traceRun(fields: RunFields, events$: Observable<ExecutionEvent>, started?: (context: RunTraceContext) => void): Observable<ExecutionEvent> {
  return runChannel.hasSubscribers || progressChannel.hasSubscribers ? traced(fields, events$, started, seeEvent) : events$;
}

/**
 * For a job queue built on the client (the BullMQ entry uses it): publishes one job's life on
 * the `smart-flows-rx:run` tracing channel like a batch job's (kind `job`), from subscription
 * to its result (`{ executionId, status }`) or error; the job's own `watch` has its own context
 * inside. `result$` as it is when nobody listens.
 * @param fields - `kind`, `flowId`, `key`, and `resumedFrom` (the `traceparent` kept at the job's start)
 * @param started - called at subscription with the context, once a tracer may have set its `traceparent` (keep it with the job)
 */
export function traceJob<R extends JobOutcome>(
  fields: RunFields, result$: Observable<R>, started?: (context: RunTraceContext) => void,
): Observable<R> {
  return runChannel.hasSubscribers ? traced(fields, result$, started, seeResult) : result$;
}

/** What an event tells the run's context (and the progress channel). */
function seeEvent(event: ExecutionEvent, context: RunTraceContext): void {
  context.executionId ??= event.executionId;
  context.status = event.type === 'output' ? event.execution.status : event.progress.status;
  if (progressChannel.hasSubscribers) {
    progressChannel.publish({ type: event.type, executionId: event.executionId, status: context.status, percentage: event.progress.percentage });
  }
}

function seeResult(result: JobOutcome, context: RunTraceContext): void {
  context.executionId = result.executionId;
  context.status = result.status;
}

/**
 * Publishes one run on the `smart-flows-rx:run` tracing channel: `start` with the subscribers'
 * stores entered around the subscription (so every request of the run, sent from it or from a
 * timer or promise it set, sees them), `end` once subscribed, and at the end `error` (for a
 * failure), `asyncStart` and `asyncEnd`; and each event on `smart-flows-rx:progress`.
 * Hand-written: the subscription itself must run inside `runStores`, which no operator does.
 * @param started - called with the context after `start` (a tracer may have set its `traceparent`)
 */
function traced<T>(fields: RunFields, events$: Observable<T>, started: ((context: RunTraceContext) => void) | undefined, see: (value: T, context: RunTraceContext) => void): Observable<T> {
  return new Observable<T>((subscriber) => {
    const context: RunTraceContext = { ...fields, tracking: fields.tracking ?? 'polling' };
    const tracing = runChannel.hasSubscribers;
    // The subscriber hears of the run in its own context, outside the stores the run entered.
    const outside = tracing ? captureContext() : undefined;
    let ended = false;
    const end = (error?: unknown) => {
      if (ended) return;
      ended = true;
      if (!tracing) return;
      if (error !== undefined) {
        context.error = error;
        const carried = (error as { executionId?: unknown } | null)?.executionId;
        if (context.executionId === undefined && typeof carried === 'string') context.executionId = carried;
        runChannel.error.publish(context);
      }
      runChannel.asyncStart.publish(context);
      runChannel.asyncEnd.publish(context);
    };
    const subscribe = (): Subscription => {
      started?.(context);
      return events$.subscribe({
        next: (value) => {
          see(value, context);
          if (outside) outside(() => subscriber.next(value));
          else subscriber.next(value);
        },
        error: (error: unknown) => {
          end(error);
          if (outside) outside(() => subscriber.error(error));
          else subscriber.error(error);
        },
        complete: () => {
          end();
          if (outside) outside(() => subscriber.complete());
          else subscriber.complete();
        },
      });
    };
    let inner: Subscription;
    if (tracing) {
      inner = runChannel.start.runStores(context, subscribe);
      runChannel.end.publish(context);
    } else inner = subscribe();
    return () => {
      inner.unsubscribe();
      if (!ended) {
        context.unsubscribed = true;
        end();
      }
    };
  });
}
