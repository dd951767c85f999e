import { describe, expect, it } from '@jest/globals';
import { Subject } from 'rxjs';
import type { PollDeps } from '../../lib/execution/poller';
import { followLoop } from '../helpers/followLoop';
import { DEFAULTS } from '../../lib/options';
import { progress } from '../helpers/progress';
import { fakeProgressServer, newTestScheduler } from '../helpers/marbles';

const polling = { ...DEFAULTS.polling, waitSeconds: 0, intervalMs: 10, maxIntervalMs: 40, idleIntervalMs: 100 };

const scheduler = newTestScheduler;
const fakeServer = fakeProgressServer;

describe('the poll loop (followExecution, as run and watch use it)', () => {
  it('emits only changes and completes after the terminal status', () => {
    const ts = scheduler();
    ts.run(({ expectObservable }) => {
      const answers = [progress('Running', 10), progress('Running', 10), progress('Running', 50), progress('Success', 100)];
      const { getProgress } = fakeServer(ts, answers);
      const deps: PollDeps = { getProgress, polling, scheduler: ts };
      const values = { b: answers[2]!, c: answers[3]! };
      // polls at 10, 24 and 42 (unchanged: the delay grows ×1.3: 13, then 17); the answer at 43
      // says 50 %: from 10 % at 0 that predicts the end at 97, so the next poll waits a fifth of
      // the 54 ms left (11) → success at 55.
      expectObservable(followLoop(deps, progress('Running', 10))).toBe('43ms b 11ms (c|)', values);
    });
  });

  it('never overlaps requests: the next poll waits for a slow answer', () => {
    const ts = scheduler();
    ts.run(({ expectObservable, flush }) => {
      const { getProgress, sentAt } = fakeServer(ts, [progress('Running', 10), progress('Running', 10), progress('Success', 100)], 50);
      expectObservable(followLoop({ getProgress, polling, scheduler: ts }, progress('Running', 10)));
      flush();
      // first poll at 10, answer at 60, next delay 13 → 73, answer 123, next 17 → 140
      expect(sentAt).toEqual([10, 73, 140]);
    });
  });

  it('backs off while nothing changes, up to maxIntervalMs', () => {
    const ts = scheduler();
    ts.run(({ expectObservable, flush }) => {
      const answers = Array.from({ length: 8 }, () => progress('Running', 0));
      const { getProgress, sentAt } = fakeServer(ts, [...answers, progress('Success', 100)], 0);
      expectObservable(followLoop({ getProgress, polling, scheduler: ts }, progress('Running', 0)));
      flush();
      const gaps = sentAt.slice(1).map((t, i) => t - sentAt[i]!);
      expect(gaps).toEqual([13, 17, 22, 29, 38, 40, 40, 40]);
    });
  });

  it('polls near the predicted end when the percentage rises steadily', () => {
    const ts = scheduler();
    ts.run(({ expectObservable, flush }) => {
      const p = (n: number) => progress('Running', n);
      // 10 % per 10 ms from 0: at 20 ms it is at 20 %, so 80 % is 80 ms away, more than the cap.
      const slow = { ...polling, maxIntervalMs: 1000 };
      const { getProgress, sentAt } = fakeServer(ts, [p(90), progress('Success', 100)], 0);
      expectObservable(followLoop({ getProgress, polling: slow, scheduler: ts }, p(0)));
      flush();
      // at 10 ms: 90 % → rate 9 %/ms → eta 1.1 ms, clamped to intervalMs 10 instead of halving.
      expect(sentAt).toEqual([10, 20]);
    });
  });

  it('polls sparsely mid-flow and densely where the predicted end is, and again soon after it passes', () => {
    const ts = scheduler();
    ts.run(({ expectObservable, flush }) => {
      // The server's truth: +10 % every 100 ms from 0; done at 1000 ms.
      const sentAt: number[] = [];
      const getProgress = () => {
        sentAt.push(ts.now());
        const p = Math.min(100, Math.floor(ts.now() / 100) * 10);
        return ts.createColdObservable('(a|)', { a: progress(p === 100 ? 'Success' : 'Running', p) });
      };
      const wide = { ...polling, intervalMs: 10, maxIntervalMs: 1000 };
      expectObservable(followLoop({ getProgress, polling: wide, scheduler: ts }, progress('Running', 0)));
      flush();
      const gaps = sentAt.slice(1).map((t, i) => t - sentAt[i]!);
      // Before any rise the delay grows ×1.3 (10, 13, 17, …); once 10 % shows, each wait is a
      // fifth of the time left to the predicted end, so the gaps shrink towards it.
      const afterFirstRise = gaps.slice(sentAt.findIndex((t) => t >= 100));
      expect(afterFirstRise.length).toBeGreaterThan(2);
      for (let i = 1; i < afterFirstRise.length - 1; i++) expect(afterFirstRise[i]!).toBeLessThanOrEqual(afterFirstRise[i - 1]! + 1);
      // Far fewer polls than a fixed 10 ms loop (100), and the end is seen within 10 % of the flow.
      expect(sentAt.length).toBeLessThan(30);
      expect(sentAt.at(-1)!).toBeGreaterThanOrEqual(1000);
      expect(sentAt.at(-1)!).toBeLessThanOrEqual(1100);
    });
  });

  it('slows to idleIntervalMs while the execution waits for user input', () => {
    const ts = scheduler();
    ts.run(({ expectObservable, flush }) => {
      const { getProgress, sentAt } = fakeServer(ts, [progress('UserInput', 50), progress('UserInput', 50), progress('Success', 100)], 0);
      expectObservable(followLoop({ getProgress, polling, scheduler: ts }, progress('Running', 40)));
      flush();
      expect(sentAt).toEqual([10, 110, 210]);
    });
  });

  it('polls at once when nudged (a form was answered by this client)', () => {
    const ts = scheduler();
    ts.run(({ expectObservable, cold, flush }) => {
      const nudge = new Subject<string>();
      const { getProgress, sentAt } = fakeServer(ts, [progress('Running', 60), progress('Success', 100)], 0);
      cold('-----a').subscribe(() => nudge.next('x'));
      expectObservable(followLoop({ getProgress, polling, scheduler: ts, nudges: () => nudge }, progress('UserInput', 50)));
      flush();
      // nudged at 5 instead of waiting 100; then 50 → 60 % in 5 ms predicts the end at 25: a
      // fifth of the 20 ms left is below intervalMs, so the next poll is 10 ms later.
      expect(sentAt).toEqual([5, 15]);
    });
  });

  it('asks again at once when a long poll was held by the server, and backs off when it was not', () => {
    const ts = scheduler();
    ts.run(({ expectObservable, flush }) => {
      const lp = { ...polling, waitSeconds: 1 };
      // held: 1000 ms answers with no change → immediate re-poll
      const held = fakeServer(ts, [progress('Running', 10), progress('Running', 20), progress('Success', 100)], 1000);
      expectObservable(followLoop({ getProgress: held.getProgress, polling: lp, scheduler: ts }, progress('Running', 10)));
      flush();
      expect(held.sentAt).toEqual([0, 1000, 2000]);
    });
    const ts2 = scheduler();
    ts2.run(({ expectObservable, flush }) => {
      const lp = { ...polling, waitSeconds: 1 };
      const ignored = fakeServer(ts2, [progress('Running', 10), progress('Running', 10), progress('Success', 100)], 1);
      expectObservable(followLoop({ getProgress: ignored.getProgress, polling: lp, scheduler: ts2 }, progress('Running', 10)));
      flush();
      // a server that answers at once: no busy loop, the adaptive delay applies.
      expect(ignored.sentAt).toEqual([0, 14, 32]);
    });
  });

  it('stops every timer and request when unsubscribed between polls and during a poll', () => {
    const ts = scheduler();
    ts.run(({ expectObservable, flush }) => {
      const { getProgress, sentAt } = fakeServer(ts, [progress('Running', 10)], 5);
      expectObservable(followLoop({ getProgress, polling, scheduler: ts }, progress('Running', 0)), '^ 12ms !');
      flush();
      expect(sentAt).toEqual([10]);
    });
  });

  it('sends nothing for a progress that is already terminal', () => {
    const ts = scheduler();
    ts.run(({ expectObservable }) => {
      const { getProgress } = fakeServer(ts, [progress('Running')]);
      expectObservable(followLoop({ getProgress, polling, scheduler: ts }, progress('Error', 30))).toBe('|');
    });
  });
});
