import { defer, Observable } from 'rxjs';
import { requestChannel, retryChannel } from './channels';
import type { RequestTraceContext } from './types';

// The http layer's hooks (send.ts, retry.ts): one context per attempt on the request tracing
// channel, a message per retry. Own minimal types (no import of lib/http: no cycle).

/** What the request channel reads of a request. */
interface RequestLike {
  method: string;
  path: string;
  holdMs?: number;
}

const GUID_SEGMENT = /\/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?=\/|$)/g;

/** A path's template: every GUID segment as `{id}` (`/flows/executions/{id}/progress`). */
export const routeOf = (path: string): string => path.replace(GUID_SEGMENT, '/{id}');

/**
 * The attempts of one request: `defer(() => via(build()))` when nobody listens to the request
 * channel (checked once per request: nothing more is built), else each attempt traced.
 */
export function attempts<R extends RequestLike, A extends { status: number }>(via: (request: R) => Observable<A>, build: () => R): Observable<A> {
  if (!requestChannel.hasSubscribers) return defer(() => via(build()));
  let attempt = 0;
  return defer(() => traced(via, build(), ++attempt));
}

/**
 * One attempt on the `smart-flows-rx:request` tracing channel: `start`, `end` once sent, then
 * `error` for a failure and `asyncStart`/`asyncEnd`. `start` enters no stores (the run's
 * context does, around the whole run): entered around a send, they would reach whatever the
 * answer sets off (the next poll), and keeping them out of that costs an async-context snapshot
 * per request (bench/otel.mjs: CPU per request with OpenTelemetry on 1.19× off with it, 1.135× without).
 * A tracer keeps its per-request state by the context object.
 * Hand-written: one context must span the attempt's subscription, answer and teardown.
 */
function traced<R extends RequestLike, A extends { status: number }>(via: (request: R) => Observable<A>, request: R, attempt: number): Observable<A> {
  return new Observable<A>((subscriber) => {
    const context: RequestTraceContext = { method: request.method, route: routeOf(request.path), attempt };
    if (request.holdMs) context.holdSeconds = request.holdMs / 1000;
    let ended = false;
    const end = () => {
      ended = true;
      requestChannel.asyncStart.publish(context);
      requestChannel.asyncEnd.publish(context);
    };
    requestChannel.start.publish(context);
    const inner = via(request).subscribe({
      next: (answer) => {
        context.status = answer.status;
        subscriber.next(answer);
      },
      error: (error: unknown) => {
        const status = (error as { status?: unknown } | null)?.status;
        if (typeof status === 'number') context.status = status;
        context.errorType = (error as Error | null)?.name ?? typeof error;
        context.error = error;
        requestChannel.error.publish(context);
        end();
        subscriber.error(error);
      },
      complete: () => {
        if (!ended) end();
        subscriber.complete();
      },
      });
    requestChannel.end.publish(context);
    return () => {
      inner.unsubscribe();
      if (!ended) {
        // Left after its answer (a `take(1)` downstream) is a success; before it, abandoned.
        if (context.status === undefined) context.aborted = true;
        end();
      }
    };
  });
}

/**
 * What `retryRequest` calls before each retry's wait, for `build`'s request: undefined when
 * nobody listens to the retry channel (nothing is built then).
 */
export function retryListener(build: () => RequestLike): ((error: unknown, attempt: number, delayMs: number) => void) | undefined {
  if (!retryChannel.hasSubscribers) return undefined;
  return (error, attempt, delayMs) => {
    if (!retryChannel.hasSubscribers) return;
    const { method, path } = build();
    const { status, retryAfterMs, name } = (error ?? {}) as { status?: unknown; retryAfterMs?: unknown; name?: unknown };
    retryChannel.publish({
      method,
      route: routeOf(path),
      attempt,
      delayMs,
      errorType: typeof name === 'string' ? name : typeof error,
      ...(typeof status === 'number' ? { status } : {}),
      ...(typeof retryAfterMs === 'number' ? { retryAfterMs } : {}),
    });
  };
}
