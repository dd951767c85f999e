import type { Observable } from 'rxjs';
import type { ExecutionEvent } from '../api/types';
import type { RunFields } from './traceRun';
import type { RunTraceContext } from './types';

// The browser build's run tracing (rollup.config.mjs swaps traceRun.ts for this file): no
// channels there, so the streams go through as they are, and no tracing code is shipped.

export type { JobOutcome, RunFields } from './traceRun';

/** See traceRun.ts: the stream as it is. */
export const traceRun = (_fields: RunFields, events$: Observable<ExecutionEvent>, _started?: (context: RunTraceContext) => void): Observable<ExecutionEvent> => events$;

/** See traceRun.ts: the stream as it is. */
export const traceJob = <R>(_fields: RunFields, result$: Observable<R>, _started?: (context: RunTraceContext) => void): Observable<R> => result$;
