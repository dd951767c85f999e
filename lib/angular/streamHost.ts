import { ApplicationRef, InjectionToken, type Injector, makeStateKey, NgZone, PendingTasks, PLATFORM_ID, type StateKey, TransferState } from '@angular/core';
import { catchError, defer, finalize, map, type Observable, type Observer, of, ReplaySubject, share, type Subscription, switchMap, tap, timeout, timer } from 'rxjs';
import { type FlowExecution, type FlowProgress, isSuccessStatus, type SmartFlowsClient } from 'smart-flows-rx';
import { NO_SNAPSHOT, SMART_FLOWS_SERVER_RENDERING } from './withServerRendering';

/** What the server rendered of a watched execution: its progress, and its output once it ended in Success or Warning. */
export interface Snapshot {
  readonly progress: FlowProgress;
  readonly execution?: FlowExecution;
}

/**
 * Where the entry's streams run in one app: the one place for the rules of the platform (nothing
 * starts or polls on the server) and of the zone (polls outside Angular's zone, so an app with
 * zone.js becomes stable between them; each notification re-enters the zone to set signals).
 */
export interface StreamHost {
  /** True on the server platform: no flow is started there, nothing is polled. */
  readonly server: boolean;
  /**
   * Subscribes outside Angular's zone, and calls the observer inside it (in a zoneless app both
   * are plain calls).
   */
  follow<T>(source: Observable<T>, observer: Observer<T>): Subscription;
  /**
   * On the server, with `withServerRendering({ snapshot: true })`: reads one progress of the
   * execution (and its output, once it ended in Success or Warning), bounded and under
   * `PendingTasks` (the render waits for it, and no longer), gives it to `set` and keeps it in
   * `TransferState` for the browser. Otherwise reads nothing. Every ref of the app watching the
   * same execution shares that one read.
   */
  readSnapshot(client: SmartFlowsClient, executionId: string, set: (snapshot: Snapshot) => void): Subscription | undefined;
  /**
   * In the browser: the progress the server rendered for this execution, for every ref that
   * asks until the app is first stable (hydration); then it is dropped (a later follow asks the server).
   */
  takeSnapshot(executionId: string): Snapshot | undefined;
}

/** The host of the app `injector` belongs to. */
export function streamHost(injector: Injector): StreamHost {
  // Both are absent only from a bare injector (no platform, no app): then this is no server, no zone.
  const zone = injector.get(NgZone, null);
  // isPlatformServer's own test, without loading @angular/common for it.
  const server = injector.get(PLATFORM_ID, null) === 'server';
  const follow = <T>(source: Observable<T>, observer: Observer<T>): Subscription => {
    if (!zone) return source.subscribe(observer);
    return zone.runOutsideAngular(() =>
      source.subscribe({
        next: (value) => zone.run(() => observer.next(value)),
        error: (error: unknown) => zone.run(() => observer.error(error)),
        complete: () => zone.run(() => observer.complete()),
      }),
    );
  };
  return {
    server,
    follow,
    readSnapshot: (client, executionId, set) => {
      const options = injector.get(SMART_FLOWS_SERVER_RENDERING, NO_SNAPSHOT);
      if (!server || !options.snapshot) return undefined;
      const reads = injector.get(SERVER_READS);
      const key = snapshotKey(executionId);
      let read = reads.get(key);
      if (!read) {
        const transfer = injector.get(TransferState);
        const pending = injector.get(PendingTasks);
        read = defer(() => {
          const done = pending.add();
          return client.getProgress(executionId).pipe(
            // Ended well: its output too, so the page renders it resolved and the browser needs no request.
            switchMap((progress) =>
              isSuccessStatus(progress.status)
                ? client.getExecution(executionId).pipe(
                    map((execution): Snapshot => ({ progress, execution })),
                    catchError(() => of<Snapshot>({ progress })),
                  )
                : of<Snapshot>({ progress }),
            ),
            timeout(options.snapshotTimeoutMs),
            finalize(done),
          );
        }).pipe(
          tap((snapshot) => transfer.set(key, snapshot)),
          // One GET per execution and render, whatever it answered, for every ref watching it.
          share({ connector: () => new ReplaySubject<Snapshot>(1), resetOnError: false, resetOnComplete: false, resetOnRefCountZero: false }),
        );
        reads.set(key, read);
      }
      return follow(read, {
        next: set,
        // No snapshot in time (or none at all): the page renders the initial state, the browser follows.
        error: () => undefined,
        complete: () => undefined,
      });
    },
    takeSnapshot: (executionId) => {
      if (server) return undefined;
      const transfer = injector.get(TransferState);
      const key = snapshotKey(executionId);
      const snapshot = transfer.get(key, null);
      // Kept while the app hydrates (every ref watching it renders the same), then dropped.
      if (snapshot) void injector.get(ApplicationRef).whenStable().then(() => transfer.remove(key));
      return snapshot ?? undefined;
    },
  };
}

/**
 * `source` after the client's first poll interval: the browser already shows the snapshot the
 * server rendered, so its first request for the execution is its first poll.
 */
export function afterFirstInterval<T>(client: SmartFlowsClient, source: Observable<T>): Observable<T> {
  const polling = client.toJSON()['polling'] as { intervalMs?: unknown } | undefined;
  const intervalMs = typeof polling?.intervalMs === 'number' ? polling.intervalMs : 0;
  return timer(intervalMs).pipe(switchMap(() => source));
}

/** The server's snapshot reads of one app (one render), by key. */
const SERVER_READS = new InjectionToken<Map<string, Observable<Snapshot>>>('smart-flows-rx server snapshot reads', {
  providedIn: 'root',
  factory: () => new Map(),
});

function snapshotKey(executionId: string): StateKey<Snapshot> {
  return makeStateKey<Snapshot>(`smart-flows-rx:progress:${executionId.toLowerCase()}`);
}
