import { defer, finalize, merge, type Observable, of, switchMap, take, tap } from 'rxjs';
import { isIdleStatus, isTerminalStatus, needsUserAction } from '../api/status';
import type { ExecutionEvent, FlowProgress } from '../api/types';
import { type FollowDeps, followExecution, type FollowOptions, toldByExecution } from '../execution/followExecution';
import { type Poller, poller } from '../execution/poller';
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
 * The {@link Poller} of one follower of a tracked execution: `wait` ends when the entry has news
 * for this follower (a status other than its last progress, a check due, a fallback), `ask`
 * turns it into a progress (with the one request a confirm, a form or a check needs). The entry
 * is the tracker's (shared by every follower of the id): this poller only reads it and reports
 * through the tracker's methods. Once the execution polls on its own, both are the ordinary poller's.
 */
export function trackerPoller(tracker: ListingTracker, entry: TrackedEntry, deps: FollowDeps, ownPoller: () => Poller): Poller {
  let own: Poller | undefined;
  const polling = () => (own ??= ownPoller());
  // This client answered the form: the next ask reads the execution at once, as polling would.
  let nudged = false;
  return {
    wait: (previous) =>
      defer(() => {
        if (entry.polling) return polling().wait(previous);
        // News this follower has not taken yet (another follower's request, a change while it asked).
        if (entry.audit || entry.status !== previous.status) return of(0);
        const nudge$ = deps.nudges && isIdleStatus(previous.status) ? deps.nudges(entry.id) : undefined;
        const news$ = entry.news.pipe(take(1), switchMap(() => (entry.polling ? polling().wait(previous) : of(0))));
        return nudge$ ? merge(news$, nudge$.pipe(tap(() => (nudged = true)))).pipe(take(1)) : news$;
      }),
    ask: (previous) =>
      defer(() => {
        if (entry.polling) return polling().ask(previous);
        if (tracker.takeAudit(entry)) return check(tracker, entry, deps, previous);
        const { status, rawStatus } = entry;
        if (status === previous.status) {
          // Woken by a nudge: one request. Else the news was not for this follower (another took
          // the check): the same progress, no event, and it waits again.
          const wasNudged = nudged;
          nudged = false;
          return wasNudged ? ownRequest(tracker, entry, deps, previous) : of(previous);
        }
        if (isTerminalStatus(status)) return confirm(tracker, entry, deps, previous, { status, rawStatus }, polling);
        if (needsUserAction(status)) return ownRequest(tracker, entry, deps, previous);
        return of({ ...previous, status, rawStatus });
      }),
  };
}

/** One progress request outside the listing (a form, a nudge): its status becomes the known one. */
function ownRequest(tracker: ListingTracker, entry: TrackedEntry, deps: FollowDeps, previous: FlowProgress): Observable<FlowProgress> {
  return deps.getProgress(previous.id, 0).pipe(
    take(1),
    tap((progress) => tracker.readDirectly(entry, progress)),
  );
}

/** A quiet execution's check: a status the listing never showed means the listing misses changes. */
function check(tracker: ListingTracker, entry: TrackedEntry, deps: FollowDeps, previous: FlowProgress): Observable<FlowProgress> {
  const known = entry.status;
  let answered = false;
  return deps.getProgress(previous.id, 0).pipe(
    take(1),
    tap((progress) => {
      answered = true;
      if (progress.status === known) tracker.readDirectly(entry, progress);
      else {
        tracker.fallBack(entry, 'missing', `Execution ${previous.id} is ${progress.status}, but the listing has shown ${known} for ${tracker.options.missingAfterMs} ms`);
      }
    }),
    // Left (or failed) before the answer: another follower of the execution makes the check.
    finalize(() => answered || tracker.returnAudit(entry)),
  );
}

/** The execution's own GET for a terminal status the listing showed (one for every follower); a contradiction falls back to polling. */
function confirm(tracker: ListingTracker, entry: TrackedEntry, deps: FollowDeps, previous: FlowProgress, listed: Pick<FlowProgress, 'status' | 'rawStatus'>, polling: () => Poller): Observable<FlowProgress> {
  return tracker.confirmation(entry, () => deps.api.execution(previous.id)).pipe(
    take(1),
    switchMap((execution) => {
      if (execution.status !== listed.status) {
        tracker.fallBack(entry, 'contradiction', `The listing shows execution ${previous.id} ${listed.rawStatus}, its own GET ${execution.rawStatus}`);
        return polling().ask(previous);
      }
      // The listing carries no percentage: a successful end is 100 %, any other keeps the last one
      // (and a failure none of the running progress's text, which was not redacted).
      return of(toldByExecution(previous, execution));
    }),
  );
}
