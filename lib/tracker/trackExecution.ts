import { defer, finalize, map, merge, type Observable, of, switchMap, take } from 'rxjs';
import { isIdleStatus, isSuccessStatus, isTerminalStatus, needsUserAction } from '../api/status';
import type { ExecutionEvent, FlowExecution, FlowProgress } from '../api/types';
import { type FollowDeps, followExecution, type FollowOptions } from '../execution/followExecution';
import { type Poller, poller } from '../execution/pollProgress';
import type { ListingTracker, TrackedEntry } from './ListingTracker';

/**
 * Follows one execution through the client's {@link ListingTracker}: `followExecution` (so the
 * events, outcomes, errors, timeout and unsubscribe are those of `run`/`watch`) with the waits and
 * answers of its poll loop taken from the listing instead of progress requests:
 * - a status change the listing shows becomes a progress event (percentage and message as last
 *   known: the listing carries neither);
 * - a terminal status is confirmed by the execution's own GET (the output GET, sent once); an
 *   answer that is not that terminal status puts the execution back on its own polling;
 * - `UserInput`/`SelectFlow` are read with one progress request (the form is in it);
 * - an execution the listing has not shown for `missingAfterMs` is checked with one progress
 *   request; a change the listing never showed puts it back on its own polling.
 * When the tracker (or this execution) falls back, the loop goes on with the ordinary poller.
 */
export function trackExecution(tracker: ListingTracker, deps: FollowDeps, first$: Observable<FlowProgress>, options: FollowOptions = {}): Observable<ExecutionEvent> {
  return defer(() => {
    let entry: TrackedEntry | undefined;
    const tracked: FollowDeps = {
      ...deps,
      // The confirm GET of a terminal status is the output GET: `finish` gets it without a request.
      api: { ...deps.api, execution: (id) => (entry?.confirmed ? of(entry.confirmed) : deps.api.execution(id)) },
      poller: (pollDeps, first, activity$) => {
        entry = tracker.add(first);
        return trackerPoller(tracker, entry, tracked, () => poller(pollDeps, first, activity$));
      },
    };
    return followExecution(tracked, first$, options).pipe(
      finalize(() => {
        if (entry) tracker.remove(entry);
      }),
    );
  });
}

/**
 * The {@link Poller} of one tracked execution: `wait` ends when the tracker has news for it,
 * `ask` turns the news into a progress (with the one request a confirm, a form or a check
 * needs). Once the execution polls on its own, both are the ordinary poller's.
 */
export function trackerPoller(tracker: ListingTracker, entry: TrackedEntry, deps: FollowDeps, ownPoller: () => Poller): Poller {
  let own: Poller | undefined;
  const polling = () => (own ??= ownPoller());
  return {
    wait: (previous) =>
      defer(() => {
        if (entry.polling) return polling().wait(previous);
        if (entry.pending || entry.audit) return of(0);
        // This client answered the form: one progress request at once, as polling would.
        const nudge$ = deps.nudges && isIdleStatus(previous.status) ? deps.nudges(entry.id) : undefined;
        const news$ = entry.news.pipe(take(1), switchMap(() => (entry.polling ? polling().wait(previous) : of(0))));
        return nudge$ ? merge(news$, nudge$).pipe(take(1)) : news$;
      }),
    ask: (previous) =>
      defer(() => {
        if (entry.polling) return polling().ask(previous);
        const item = entry.pending;
        entry.pending = undefined;
        if (entry.audit) {
          entry.audit = false;
          return check(tracker, entry, deps, previous, item);
        }
        if (!item) return ownRequest(tracker, entry, deps, previous);
        if (isTerminalStatus(item.status)) return confirm(tracker, entry, deps, previous, item, polling);
        if (needsUserAction(item.status)) return ownRequest(tracker, entry, deps, previous);
        return of({ ...previous, status: item.status, rawStatus: item.rawStatus });
      }),
  };
}

/** One progress request outside the listing (a form, a nudge): its status becomes the known one. */
function ownRequest(tracker: ListingTracker, entry: TrackedEntry, deps: FollowDeps, previous: FlowProgress): Observable<FlowProgress> {
  return deps.getProgress(previous.id, 0).pipe(
    take(1),
    map((progress) => {
      tracker.readDirectly(entry, progress.status);
      return progress;
    }),
  );
}

/** A quiet execution's check: a status the listing never showed means the listing misses changes. */
function check(tracker: ListingTracker, entry: TrackedEntry, deps: FollowDeps, previous: FlowProgress, item: FlowExecution | undefined): Observable<FlowProgress> {
  const known = item?.status ?? entry.status;
  return deps.getProgress(previous.id, 0).pipe(
    take(1),
    map((progress) => {
      if (progress.status === known) tracker.readDirectly(entry, progress.status);
      else {
        tracker.fallBack(entry, 'missing', `Execution ${previous.id} is ${progress.status}, but the listing has shown ${known} for ${tracker.options.missingAfterMs} ms`);
      }
      return progress;
    }),
  );
}

/** The execution's own GET for a terminal status the listing showed; a contradiction falls back to polling. */
function confirm(tracker: ListingTracker, entry: TrackedEntry, deps: FollowDeps, previous: FlowProgress, item: FlowExecution, polling: () => Poller): Observable<FlowProgress> {
  return deps.api.execution(previous.id).pipe(
    take(1),
    switchMap((execution) => {
      if (execution.status !== item.status) {
        tracker.fallBack(entry, 'contradiction', `The listing shows execution ${previous.id} ${item.rawStatus}, its own GET ${execution.rawStatus}`);
        return polling().ask(previous);
      }
      entry.confirmed = execution;
      // The listing carries no percentage: a successful end is 100 %, any other keeps the last one.
      return of({ ...previous, status: execution.status, rawStatus: execution.rawStatus, percentage: isSuccessStatus(execution.status) ? 100 : previous.percentage });
    }),
  );
}
