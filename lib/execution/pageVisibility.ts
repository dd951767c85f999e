import { defer, distinctUntilChanged, fromEvent, map, merge, type Observable, ReplaySubject, share, startWith } from 'rxjs';

/** An object events can be listened on (a DOM `EventTarget`, or a test double). */
export type EventSourceLike = Pick<EventTarget, 'addEventListener' | 'removeEventListener'>;

/**
 * The browser globals the polling pause reads. Every part is optional: what is missing is
 * taken as "visible" and "online". Tests pass their own (e.g. `new EventTarget()` objects).
 */
export interface PageEnvironment {
  /** Read for `visibilityState`; `visibilitychange` is listened on. */
  document?: EventSourceLike & {
    /** `'hidden'` pauses polling; anything else lets it go on. */
    readonly visibilityState?: string;
  };
  /** `online` and `offline` are listened on. */
  window?: EventSourceLike;
  /** Read for `onLine`. */
  navigator?: {
    /** `false` pauses polling until the browser is online again. */
    readonly onLine?: boolean;
  };
}

const isEventSource = (value: unknown): value is EventSourceLike =>
  typeof (value as EventSourceLike | undefined)?.addEventListener === 'function' &&
  typeof (value as EventSourceLike | undefined)?.removeEventListener === 'function';

/**
 * Whether polling may go on in this page: `true` while the page is visible and the browser
 * online, `false` while the page is hidden (`document.visibilityState === 'hidden'`) or the
 * browser offline (`navigator.onLine === false`). It emits the current state at once on each
 * subscription, then each change. Its subscribers share one set of listeners (three at most),
 * added with the first subscription and removed when the last leaves: a client calls it once
 * and every execution it polls subscribes to that one stream.
 *
 * @param env - where to read and listen; by default the global `document`, `window` and `navigator`
 * @returns the Observable, or `undefined` where there is nothing to watch (Node, workers
 *   without `document`), so callers leave polling ungated
 * @example
 * pageActivity()?.subscribe((active) => console.log(active ? 'polling' : 'paused'));
 */
export function pageActivity(env: PageEnvironment = globalThis as PageEnvironment): Observable<boolean> | undefined {
  const { document: doc, window: win, navigator: nav } = env;
  const watchesVisibility = isEventSource(doc) && typeof doc.visibilityState === 'string';
  const watchesNetwork = isEventSource(win) && typeof nav?.onLine === 'boolean';
  if (!watchesVisibility && !watchesNetwork) return undefined;

  const read = (): boolean =>
    !(watchesVisibility && doc?.visibilityState === 'hidden') && !(watchesNetwork && nav?.onLine === false);
  return defer(() =>
    merge(
      ...(watchesVisibility ? [fromEvent(doc as EventTarget, 'visibilitychange')] : []),
      ...(watchesNetwork ? [fromEvent(win as EventTarget, 'online'), fromEvent(win as EventTarget, 'offline')] : []),
    ).pipe(
      startWith(null),
      map(read),
      distinctUntilChanged(),
    ),
  ).pipe(share({ connector: () => new ReplaySubject<boolean>(1), resetOnError: true, resetOnComplete: true, resetOnRefCountZero: true }));
}

/** Polls resumed when the page shows again or the browser is back online are spread at random over this many ms, so a page with many executions does not send them all in one instant. */
export const RESUME_SPREAD_MS = 1_000;
