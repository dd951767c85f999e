import { defer, distinctUntilChanged, EMPTY, expand, filter, map, NEVER, type Observable, of, race, type SchedulerLike, switchMap, take, timer } from 'rxjs';
import { isTerminalStatus, isIdleStatus } from '../api/status';
import type { FlowProgress } from '../api/types';
import type { NormalizedOptions } from '../options';
import { nextDelay, remember, type PollMemory } from './nextDelay';

/** What the poll loop needs: one progress request, the timing options and the clock. */
export interface PollDeps {
  /** One progress request (already retried per the client's policy). */
  getProgress: (executionId: string, waitSeconds: number) => Observable<FlowProgress>;
  polling: NormalizedOptions['polling'];
  scheduler: SchedulerLike;
  /** Emits when a poll should happen now (e.g. this client just answered a form). */
  nudges?: (executionId: string) => Observable<unknown>;
  /**
   * Whether polling may go on (see `pageActivity`): while it is `false` no timer runs and no
   * poll is sent; when it turns `true` again the loop polls at once. It must emit its current
   * state on subscription. Absent: polling is never paused.
   */
  mayPoll?: Observable<boolean>;
}

interface Step {
  progress: FlowProgress;
  changed: boolean;
  memory: PollMemory;
}

/** True when status, percentage or message differ: the only changes worth an event. */
export const progressChanged = (a: FlowProgress, b: FlowProgress): boolean =>
  a.status !== b.status || a.percentage !== b.percentage || a.message !== b.message;

/**
 * Polls an execution from `first` until a terminal status, emitting each progress that
 * changed (not `first` itself) and completing after the terminal one. Each poll is
 * `timer(delay)` then one request; the next is scheduled only after the answer, so requests
 * never overlap and a slow answer is never cancelled by the next tick.
 */
export function pollProgress(deps: PollDeps, first: FlowProgress): Observable<FlowProgress> {
  const { polling, scheduler } = deps;
  return defer(() => {
    if (isTerminalStatus(first.status)) return EMPTY;
    const initial: Step = {
      progress: first,
      changed: false,
      memory: {
        delayMs: isIdleStatus(first.status) ? polling.idleIntervalMs : polling.waitSeconds > 0 ? 0 : polling.intervalMs,
        origin: { atMs: scheduler.now(), percentage: first.percentage },
      },
    };
    const nudge$ = deps.nudges?.(first.id);

    const poll = (step: Step): Observable<Step> => {
      const wait$ = gate(step.memory.delayMs > 0 ? timer(step.memory.delayMs, scheduler) : of(0), deps.mayPoll);
      const trigger$ = nudge$ ? race(wait$, nudge$) : wait$;
      return trigger$.pipe(
        take(1),
        switchMap(() => {
          const sentAt = scheduler.now();
          return deps.getProgress(first.id, polling.waitSeconds).pipe(
            take(1),
            map((progress): Step => {
              const now = scheduler.now();
              const changed = progressChanged(step.progress, progress);
              const memory = remember(step.memory, progress, now);
              const delayMs = nextDelay(polling, memory, progress, changed, now, now - sentAt);
              return { progress, changed, memory: { ...memory, delayMs } };
            }),
          );
        }),
      );
    };

    return of(initial).pipe(
      expand((step) => (isTerminalStatus(step.progress.status) ? EMPTY : poll(step))),
      filter((step) => step.changed),
      map((step) => step.progress),
    );
  });
}

/**
 * Holds `wait$` while `mayPoll` says no. The first state decides: `true` runs the normal wait;
 * after a pause (any later `true`) the wait was overdue or cut short, so it fires at once.
 */
function gate(wait$: Observable<unknown>, mayPoll: Observable<boolean> | undefined): Observable<unknown> {
  if (!mayPoll) return wait$;
  return mayPoll.pipe(
    distinctUntilChanged(),
    switchMap((may, index) => (!may ? NEVER : index === 0 ? wait$ : of(0))),
  );
}
