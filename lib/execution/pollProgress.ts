import { Observable, type SchedulerLike, Subscription } from 'rxjs';
import { isTerminalStatus, isIdleStatus } from '../api/status';
import type { FlowProgress } from '../api/types';
import type { NormalizedOptions } from '../options';
import { createHoldMemory, firstDelayMs, type HoldMemory, holdToAsk, nextHold } from './holdPolicy';
import { nextDelay, remember, type PollMemory } from './nextDelay';

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
   * poll is sent; when it turns `true` again the loop polls at once. It must emit its current
   * state on subscription. Absent: polling is never paused.
   */
  mayPoll?: Observable<boolean>;
  /**
   * What the client learned of its server's long polls (`waitSeconds: 'auto'`), shared by
   * every loop of one client: one server, one behaviour. Absent: each loop learns alone.
   */
  hold?: HoldMemory;
}

/** True when status, percentage or message differ: the only changes worth an event. */
export const progressChanged = (a: FlowProgress, b: FlowProgress): boolean =>
  a.status !== b.status || a.percentage !== b.percentage || a.message !== b.message;

/**
 * Polls an execution from `first` until a terminal status, emitting each progress that
 * changed (not `first` itself) and completing after the terminal one. Each poll is a timer
 * then one request; the next is scheduled only after the answer, so requests never overlap
 * and a slow answer is never cancelled by the next tick.
 *
 * Written as one small state machine (a wait, or a request in flight) rather than a chain of
 * operators: thousands of executions are watched at once, and each keeps only this closure.
 */
export function pollProgress(deps: PollDeps, first: FlowProgress): Observable<FlowProgress> {
  const { polling, scheduler } = deps;
  return new Observable<FlowProgress>((subscriber) => {
    if (isTerminalStatus(first.status)) {
      subscriber.complete();
      return undefined;
    }
    let last = first;
    // What the client knows of its server's holds (holdPolicy.ts): which hold each poll asks.
    const hold = deps.hold ?? createHoldMemory();
    let memory: PollMemory = {
      delayMs: firstDelayMs(polling, hold.verdict, first.status),
      origin: { atMs: scheduler.now(), percentage: first.percentage },
    };
    const id = first.id;
    const nudge$ = deps.nudges?.(id);
    let wait: Subscription | undefined;
    let request: Subscription | undefined;

    const answered = (progress: FlowProgress, sentAt: number, askedSeconds: number) => {
      const now = scheduler.now();
      const changed = progressChanged(last, progress);
      const step = nextHold(polling.waitSeconds, hold.verdict, { askedSeconds, answeredAfterMs: now - sentAt, changed });
      hold.verdict = step.verdict;
      memory = remember(memory, progress, now);
      memory = { ...memory, delayMs: nextDelay(polling, memory, progress, changed, now, step.atOnce) };
      if (changed) {
        last = progress;
        subscriber.next(progress);
      }
      // (An unchanged answer is dropped: each execution keeps one progress object, not two.)
      // The subscriber may have left on that event (take, an error thrown downstream).
      if (subscriber.closed) return;
      if (isTerminalStatus(progress.status)) subscriber.complete();
      else schedule();
    };

    const send = () => {
      wait?.unsubscribe();
      if (subscriber.closed) return;
      const sentAt = scheduler.now();
      const askedSeconds = holdToAsk(polling.waitSeconds, hold.verdict);
      const current = new Subscription();
      request = current;
      current.add(
        deps.getProgress(id, askedSeconds).subscribe({
          next: (progress) => {
            if (current.closed) return;
            current.unsubscribe();
            request = undefined;
            answered(progress, sentAt, askedSeconds);
          },
          error: (error: unknown) => subscriber.error(error),
          // A request that ends without an answer ends the loop quietly.
          complete: () => current.closed || subscriber.complete(),
        }),
      );
    };

    // The wait before the next poll: a timer on the scheduler, held while `mayPoll` says no
    // (after a pause the poll is overdue: it fires at once), cut short by a nudge.
    const schedule = () => {
      const current = new Subscription();
      wait = current;
      let timer: Subscription | undefined;
      const startTimer = () => {
        timer = scheduler.schedule(send, memory.delayMs);
        current.add(timer);
      };
      if (deps.mayPoll) {
        let seen = 0;
        let previous: boolean | undefined;
        current.add(
          deps.mayPoll.subscribe((may) => {
            if (may === previous) return;
            previous = may;
            const resumed = seen++ > 0;
            timer?.unsubscribe();
            if (may) {
              if (resumed) send();
              else startTimer();
            }
          }),
        );
      } else {
        startTimer();
      }
      // Only a waiting execution is nudged (this client answered its form): a running one
      // does not hold a subscription on the client's nudge Subject between polls.
      if (nudge$ && isIdleStatus(last.status) && !current.closed) current.add(nudge$.subscribe(() => send()));
    };

    schedule();
    return () => {
      wait?.unsubscribe();
      request?.unsubscribe();
    };
  });
}
