import {
  connect, defer, distinctUntilChanged, EMPTY, expand, merge, NEVER, type Observable, of, ReplaySubject, type SchedulerLike,
  skip, switchMap, take, takeWhile, tap, timer,
} from 'rxjs';
import { isIdleStatus, isTerminalStatus } from '../api/status';
import type { FlowProgress } from '../api/types';
import type { NormalizedOptions } from '../options';
import { afterAnswer, firstMemory, type PollMemory, progressChanged } from './nextDelay';

export { progressChanged };

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
}

const sameProgress = (a: FlowProgress, b: FlowProgress): boolean => !progressChanged(a, b);

/**
 * Polls an execution from `first` until a terminal status, emitting each progress that
 * changed (not `first` itself) and completing after the terminal one. Each poll is
 * `timer(delay)` then one request through `switchMap`; `expand` schedules the next poll only
 * from an answer, so requests never overlap and a slow answer is never cancelled by a tick.
 * A request that ends without an answer ends the loop quietly.
 */
export function pollProgress(deps: PollDeps, first: FlowProgress): Observable<FlowProgress> {
  if (isTerminalStatus(first.status)) return EMPTY;
  const { mayPoll } = deps;
  // The loop holds one subscription to `mayPoll` for its whole life (each wait reads the
  // latest state from the ReplaySubject), instead of subscribing again at every wait.
  return mayPoll
    ? mayPoll.pipe(distinctUntilChanged(), connect((activity$) => pollLoop(deps, first, activity$), { connector: () => new ReplaySubject<boolean>(1) }))
    : pollLoop(deps, first, undefined);
}

function pollLoop(deps: PollDeps, first: FlowProgress, activity$: Observable<boolean> | undefined): Observable<FlowProgress> {
  const { polling, scheduler } = deps;
  const id = first.id;
  return defer(() => {
    // The loop's only state: when and how to ask next (see nextDelay.ts, where the rule lives).
    let memory: PollMemory = firstMemory(polling, first, scheduler.now());

    const ask = (previous: FlowProgress): Observable<FlowProgress> =>
      wait(deps, id, memory.delayMs, previous, activity$).pipe(
        switchMap(() => {
          const sentAt = scheduler.now();
          return deps.getProgress(id, polling.waitSeconds).pipe(
            take(1),
            tap((progress) => (memory = afterAnswer(polling, memory, previous, progress, scheduler.now(), sentAt))),
          );
        }),
      );

    return of(first).pipe(
      expand((previous) => (isTerminalStatus(previous.status) ? EMPTY : ask(previous))),
      distinctUntilChanged(sameProgress),
      skip(1),
      takeWhile((progress) => !isTerminalStatus(progress.status), true),
    );
  });
}

/**
 * The wait before one poll: `timer(delayMs)`, held while `activity$` says no (a poll resumed
 * after a pause is overdue: it waits only its share of `resumeSpreadMs`), cut short by a nudge
 * while the execution waits for a person or an event. Emits once, then completes.
 */
function wait(deps: PollDeps, id: string, delayMs: number, previous: FlowProgress, activity$: Observable<boolean> | undefined): Observable<unknown> {
  const { scheduler } = deps;
  const tick$ = activity$
    ? activity$.pipe(
        switchMap((may, i) => (!may ? NEVER : timer(i === 0 ? delayMs : resumeDelay(deps), scheduler))),
      )
    : timer(delayMs, scheduler);
  // Only a waiting execution is nudged (this client answered its form): a running one does
  // not hold a subscription on the client's nudges between polls.
  const nudge$ = deps.nudges && isIdleStatus(previous.status) ? deps.nudges(id) : undefined;
  if (nudge$) return merge(tick$, nudge$).pipe(take(1));
  return activity$ ? tick$.pipe(take(1)) : tick$;
}

const resumeDelay = ({ resumeSpreadMs = 0, random = Math.random }: PollDeps): number =>
  resumeSpreadMs > 0 ? Math.floor(random() * resumeSpreadMs) : 0;
