import { connect, distinctUntilChanged, merge, NEVER, type Observable, ReplaySubject, type SchedulerLike, switchMap, take, tap, timer } from 'rxjs';
import { isIdleStatus } from '../api/status';
import type { FlowProgress } from '../api/types';
import type { NormalizedOptions } from '../options';
import { createHoldMemory, holdForPoll, type HoldMemory, keepVerdict, nextHold, verdictAt } from './holdPolicy';
import { afterAnswer, firstMemory, type PollMemory, progressChanged } from './nextDelay';

// The pieces of the one poll loop, `followExecution` (followExecution.ts): its dependencies,
// the poller of one execution (timing state, wait, ask), and the page-activity gate. The
// listing tracker (lib/tracker) brings its own poller on the same interface.

/** What the poll loop needs: one progress request, the timing options and the clock. */
export interface PollDeps {
  /** One progress request (already retried per the client's policy). */
  getProgress: (executionId: string, waitSeconds: number) => Observable<FlowProgress>;
  polling: NormalizedOptions['polling'];
  scheduler: SchedulerLike;
  /** Emits when a poll should happen now (this client just answered a form); listened to only while the execution waits (UserInput, SelectFlow, Waiting). */
  nudges?: (executionId: string) => Observable<unknown>;
  /**
   * Whether polling may go on (see `pageActivity`): while it is `false` no timer runs and no
   * poll is sent; when it turns `true` again the loop polls within `resumeSpreadMs`. It must
   * emit its current state on subscription. Subscribed once per loop, for the loop's life.
   * Absent: polling is never paused.
   */
  mayPoll?: Observable<boolean>;
  /** A resumed poll waits a random share of this, so the executions of a page that shows again do not all poll in the same instant. @default 0 */
  resumeSpreadMs?: number;
  /** The random source of that spread, in [0, 1). @default Math.random */
  random?: () => number;
  /**
   * What the client learned of its server's long polls (`waitSeconds: 'auto'`), shared by
   * every loop of one client: one server, one behaviour. Absent: each loop learns alone.
   */
  hold?: HoldMemory;
}

/**
 * Runs `loop` with the loop's view of `deps.mayPoll`: subscribed once for the loop's whole
 * life (the page's listeners are not added again at each wait), each wait reading the latest
 * state from a `ReplaySubject(1)`. Without `mayPoll`, `loop(undefined)` as is.
 */
export function withActivity<T>(deps: PollDeps, loop: (activity$: Observable<boolean> | undefined) => Observable<T>): Observable<T> {
  const { mayPoll } = deps;
  if (!mayPoll) return loop(undefined);
  return mayPoll.pipe(distinctUntilChanged(), connect((activity$) => loop(activity$), { connector: () => new ReplaySubject<boolean>(1) }));
}

/** One execution's polls: the wait before a poll, and the poll itself. */
export interface Poller {
  /** `timer(delay)` on the scheduler, held while the page is hidden, cut short by a nudge; emits once. */
  wait(previous: FlowProgress): Observable<unknown>;
  /** One progress request; its answer moves the timing state. */
  ask(previous: FlowProgress): Observable<FlowProgress>;
}

/**
 * The polls of one execution. The timing state lives here, moved only by
 * `firstMemory`/`afterAnswer` (nextDelay.ts, where the delay rule is): `ask` updates it from
 * each answer, `wait` reads the delay it chose.
 * @param first - the progress the loop starts from (its time and percentage anchor the rate)
 */
export function poller(deps: PollDeps, first: FlowProgress, activity$: Observable<boolean> | undefined): Poller {
  const { polling, scheduler } = deps;
  const id = first.id;
  // What the client knows of its server's holds (holdPolicy.ts): which hold each poll asks.
  const hold = deps.hold ?? createHoldMemory();
  let memory: PollMemory = firstMemory(polling, first, scheduler.now(), verdictAt(hold, scheduler.now()));
  // Quick answers with news followed at once in a row (see QUICK_NEWS_LIMIT).
  let quickNews = 0;
  return {
    wait: (previous) => wait(deps, id, memory.delayMs, previous, activity$),
    ask: (previous) => {
      const sentAt = scheduler.now();
      const askedSeconds = holdForPoll(polling.waitSeconds, verdictAt(hold, sentAt), memory.delayMs);
      return deps.getProgress(id, askedSeconds).pipe(
        take(1),
        tap((progress) => {
          const now = scheduler.now();
          const before = verdictAt(hold, now);
          const seen = { askedSeconds, answeredAfterMs: now - sentAt, changed: progressChanged(previous, progress) };
          const step = nextHold(polling.waitSeconds, before, seen, polling.intervalMs, quickNews);
          quickNews = step.quickNews;
          keepVerdict(hold, before, step.verdict, now);
          memory = afterAnswer(polling, memory, previous, progress, now, step.atOnce);
        }),
      );
    },
  };
}

/**
 * The wait before one poll: `timer(delayMs)`, held while `activity$` says no (a poll resumed
 * after a pause is overdue: it waits only its share of `resumeSpreadMs`), cut short by a nudge
 * while the execution waits for a person or an event. Emits once, then completes.
 */
function wait(deps: PollDeps, id: string, delayMs: number, previous: FlowProgress, activity$: Observable<boolean> | undefined): Observable<unknown> {
  const { scheduler } = deps;
  const tick$ = activity$
    ? activity$.pipe(switchMap((may, i) => (!may ? NEVER : timer(i === 0 ? delayMs : resumeDelay(deps), scheduler))))
    : timer(delayMs, scheduler);
  // Only a waiting execution is nudged (this client answered its form): a running one does
  // not hold a subscription on the client's nudges between polls.
  const nudge$ = deps.nudges && isIdleStatus(previous.status) ? deps.nudges(id) : undefined;
  if (nudge$) return merge(tick$, nudge$).pipe(take(1));
  return activity$ ? tick$.pipe(take(1)) : tick$;
}

const resumeDelay = ({ resumeSpreadMs = 0, random = Math.random }: PollDeps): number =>
  resumeSpreadMs > 0 ? Math.floor(random() * resumeSpreadMs) : 0;
