import { defer, type Observable } from 'rxjs';

// The browser build's request tracing (rollup.config.mjs swaps traceRequest.ts for this file):
// no channels there, so a request's attempts are the plain `defer`, and nothing is shipped for them.

/** See traceRequest.ts: `defer(() => via(build()))`. */
export const attempts = <R, A>(via: (request: R) => Observable<A>, build: () => R): Observable<A> => defer(() => via(build()));

/** See traceRequest.ts: nobody listens in a browser. */
export const retryListener = (_build: () => unknown): undefined => undefined;
