import { describe, expect, it } from 'vitest';
import { type Observable, Subject } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { pollProgress, type PollDeps } from '../../lib/execution/pollProgress';
import type { FlowProgress } from '../../lib/api/types';
import { DEFAULTS } from '../../lib/options';
import { progress } from '../helpers/progress';

const polling = { ...DEFAULTS.polling, intervalMs: 10, maxIntervalMs: 40, idleIntervalMs: 100 };

function scheduler() {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

/** A fake progress call: answer i is `answers[i]` after `latency` frames; records send times. */
function fakeServer(ts: TestScheduler, answers: FlowProgress[], latency = 1) {
  const sentAt: number[] = [];
  let i = 0;
  const getProgress = (): Observable<FlowProgress> => {
    sentAt.push(ts.now());
    const answer = answers[Math.min(i++, answers.length - 1)]!;
    return ts.createColdObservable(`${'-'.repeat(latency)}(a|)`, { a: answer });
  };
  return { getProgress, sentAt };
}

describe('pollProgress', () => {
  it('emits only changes and completes after the terminal status', () => {
    const ts = scheduler();
    ts.run(({ expectObservable }) => {
      const answers = [progress('Running', 10), progress('Running', 10), progress('Running', 50), progress('Success', 100)];
      const { getProgress } = fakeServer(ts, answers);
      const deps: PollDeps = { getProgress, polling, scheduler: ts };
      const values = { b: answers[2]!, c: answers[3]! };
      // polls at 10 and 27 (unchanged: delay 16, then 26), at 54 (answer 55: 50 %), then the delay
      // halves to 13 (the predicted end, 69 ms away, is later) → success at 69.
      expectObservable(pollProgress(deps, progress('Running', 10))).toBe('55ms b 13ms (c|)', values);
    });
  });

  it('never overlaps requests: the next poll waits for a slow answer', () => {
    const ts = scheduler();
    ts.run(({ expectObservable, flush }) => {
      const { getProgress, sentAt } = fakeServer(ts, [progress('Running', 10), progress('Running', 10), progress('Success', 100)], 50);
      expectObservable(pollProgress({ getProgress, polling, scheduler: ts }, progress('Running', 10)));
      flush();
      // first poll at 10, answer at 60, next delay 16 → 76, answer 126, next 25.6→26 → 152
      expect(sentAt).toEqual([10, 76, 152]);
    });
  });

  it('backs off while nothing changes, up to maxIntervalMs', () => {
    const ts = scheduler();
    ts.run(({ expectObservable, flush }) => {
      const answers = Array.from({ length: 8 }, () => progress('Running', 0));
      const { getProgress, sentAt } = fakeServer(ts, [...answers, progress('Success', 100)], 0);
      expectObservable(pollProgress({ getProgress, polling, scheduler: ts }, progress('Running', 0)));
      flush();
      const gaps = sentAt.slice(1).map((t, i) => t - sentAt[i]!);
      expect(gaps).toEqual([16, 26, 40, 40, 40, 40, 40, 40]);
    });
  });

  it('polls near the predicted end when the percentage rises steadily', () => {
    const ts = scheduler();
    ts.run(({ expectObservable, flush }) => {
      const p = (n: number) => progress('Running', n);
      // 10 % per 10 ms from 0: at 20 ms it is at 20 %, so 80 % is 80 ms away, more than the cap.
      const slow = { ...polling, maxIntervalMs: 1000 };
      const { getProgress, sentAt } = fakeServer(ts, [p(90), progress('Success', 100)], 0);
      expectObservable(pollProgress({ getProgress, polling: slow, scheduler: ts }, p(0)));
      flush();
      // at 10 ms: 90 % → rate 9 %/ms → eta 1.1 ms, clamped to intervalMs 10 instead of halving.
      expect(sentAt).toEqual([10, 20]);
    });
  });

  it('slows to idleIntervalMs while the execution waits for user input', () => {
    const ts = scheduler();
    ts.run(({ expectObservable, flush }) => {
      const { getProgress, sentAt } = fakeServer(ts, [progress('UserInput', 50), progress('UserInput', 50), progress('Success', 100)], 0);
      expectObservable(pollProgress({ getProgress, polling, scheduler: ts }, progress('Running', 40)));
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
      expectObservable(pollProgress({ getProgress, polling, scheduler: ts, nudges: () => nudge }, progress('UserInput', 50)));
      flush();
      // nudged at 5 instead of waiting 100; then 60 % after 5 ms predicts the end 20 ms later.
      expect(sentAt).toEqual([5, 25]);
    });
  });

  it('asks again at once when a long poll was held by the server, and backs off when it was not', () => {
    const ts = scheduler();
    ts.run(({ expectObservable, flush }) => {
      const lp = { ...polling, waitSeconds: 1 };
      // held: 1000 ms answers with no change → immediate re-poll
      const held = fakeServer(ts, [progress('Running', 10), progress('Running', 20), progress('Success', 100)], 1000);
      expectObservable(pollProgress({ getProgress: held.getProgress, polling: lp, scheduler: ts }, progress('Running', 10)));
      flush();
      expect(held.sentAt).toEqual([0, 1000, 2000]);
    });
    const ts2 = scheduler();
    ts2.run(({ expectObservable, flush }) => {
      const lp = { ...polling, waitSeconds: 1 };
      const ignored = fakeServer(ts2, [progress('Running', 10), progress('Running', 10), progress('Success', 100)], 1);
      expectObservable(pollProgress({ getProgress: ignored.getProgress, polling: lp, scheduler: ts2 }, progress('Running', 10)));
      flush();
      // a server that answers at once: no busy loop, the adaptive delay applies.
      expect(ignored.sentAt).toEqual([0, 17, 44]);
    });
  });

  it('stops every timer and request when unsubscribed between polls and during a poll', () => {
    const ts = scheduler();
    ts.run(({ expectObservable, flush }) => {
      const { getProgress, sentAt } = fakeServer(ts, [progress('Running', 10)], 5);
      expectObservable(pollProgress({ getProgress, polling, scheduler: ts }, progress('Running', 0)), '^ 12ms !');
      flush();
      expect(sentAt).toEqual([10]);
    });
  });

  it('sends nothing for a progress that is already terminal', () => {
    const ts = scheduler();
    ts.run(({ expectObservable }) => {
      const { getProgress } = fakeServer(ts, [progress('Running')]);
      expectObservable(pollProgress({ getProgress, polling, scheduler: ts }, progress('Error', 30))).toBe('|');
    });
  });
});
