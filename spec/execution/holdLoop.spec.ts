import { describe, expect, it } from '@jest/globals';
import type { Observable } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import type { FlowProgress } from '../../lib/api/types';
import { createHoldMemory, QUICK_NEWS_LIMIT } from '../../lib/execution/holdPolicy';
import { followLoop } from '../helpers/followLoop';
import { DEFAULTS } from '../../lib/options';
import { newTestScheduler } from '../helpers/marbles';
import { progress } from '../helpers/progress';

const polling = { ...DEFAULTS.polling, waitSeconds: 'auto' as const, intervalMs: 10, maxIntervalMs: 40, idleIntervalMs: 100 };

/**
 * A fake server on the TestScheduler. `holds`: a request asking a hold is answered at the next
 * change (the scripted `changesAt` frames) or when the hold is up; otherwise after 1 frame.
 * The progress is the number of changes passed; records each request as [sent at, asked s].
 */
function fakeServer(ts: TestScheduler, holds: boolean, changesAt: number[]) {
  const sent: [number, number][] = [];
  const at = (t: number) => changesAt.filter((c) => c <= t).length;
  const progressAt = (n: number): FlowProgress => (n >= changesAt.length ? progress('Success', 100) : progress('Running', n * 10, `step ${n}`));
  const getProgress = (_id: string, waitSeconds: number): Observable<FlowProgress> => {
    const now = ts.now();
    sent.push([now, waitSeconds]);
    const seen = at(now);
    let answerAt = now + 1;
    if (holds && waitSeconds > 0 && seen < changesAt.length) {
      const next = changesAt.find((c) => c > now)!;
      answerAt = Math.min(next, now + waitSeconds * 1000);
    }
    return ts.createColdObservable(`${'-'.repeat(answerAt - now)}(a|)`, { a: progressAt(at(answerAt)) });
  };
  return { getProgress, sent };
}

describe("the poll loop (followExecution) with waitSeconds 'auto'", () => {
  it('long polls a server that holds: asks 30 s at once, then again at once after each answer', () => {
    const ts = newTestScheduler();
    ts.run(({ flush }) => {
      const server = fakeServer(ts, true, [500, 40_000, 40_100]);
      const hold = createHoldMemory();
      followLoop({ getProgress: server.getProgress, polling, scheduler: ts, hold }, progress('Running', 0, 'step 0')).subscribe();
      flush();
      // at 0 (asked at once), held to the change at 500, then 30 s with no change, then to the
      // change at 40 000, which ends at 40 100: one request per change, plus one per 30 s quiet.
      expect(server.sent).toEqual([[0, 30], [500, 30], [30_500, 30], [40_000, 30]]);
      expect(hold.verdict).toBe('holds');
    });
  });

  it('falls back where the server answers at once: no hold asked after the first answer, the adaptive delay, and the next execution does not ask', () => {
    const ts = newTestScheduler();
    ts.run(({ flush }) => {
      const server = fakeServer(ts, false, [1_000]);
      const hold = createHoldMemory();
      followLoop({ getProgress: server.getProgress, polling, scheduler: ts, hold }, progress('Running', 0, 'step 0')).subscribe();
      flush();
      expect(hold.verdict).toBe('answersAtOnce');
      expect(server.sent[0]).toEqual([0, 30]);
      // every later request asks no hold, on the growing delay (10 → ×1.3 … capped at 40)
      expect(server.sent.slice(1).every(([, asked]) => asked === 0)).toBe(true);
      expect(server.sent.slice(1, 4).map(([t]) => t)).toEqual([14, 32, 55]);

      // A second execution of the same client starts on intervalMs and never asks.
      const second = fakeServer(ts, false, [ts.now() + 100]);
      followLoop({ getProgress: second.getProgress, polling, scheduler: ts, hold }, progress('Running', 0, 'step 0')).subscribe();
      const start = ts.now();
      flush();
      expect(second.sent[0]).toEqual([start + 10, 0]);
      expect(second.sent.every(([, asked]) => asked === 0)).toBe(true);
    });
  });

  it('a number keeps asking it, whatever the server does (no verdict is used)', () => {
    const ts = newTestScheduler();
    ts.run(({ flush }) => {
      const server = fakeServer(ts, false, [100]);
      followLoop({ getProgress: server.getProgress, polling: { ...polling, waitSeconds: 5 }, scheduler: ts, hold: createHoldMemory() }, progress('Running', 0, 'step 0')).subscribe();
      flush();
      expect(server.sent.every(([, asked]) => asked === 5)).toBe(true);
    });
  });
});

// Issue 24 item 7: a hold is recognised by how long the server took, on the client's scheduler.
describe("waitSeconds 'auto' against a server that never holds", () => {
  /** Answers every request after `latency` frames, with a message that changes on every read (a clock, a counter). */
  function restlessServer(ts: TestScheduler, latency: number, endAt = Infinity) {
    const sent: [number, number][] = [];
    const getProgress = (_id: string, waitSeconds: number): Observable<FlowProgress> => {
      sent.push([ts.now(), waitSeconds]);
      const answer = ts.now() + latency >= endAt ? progress('Success', 100) : progress('Running', 10, `read ${sent.length}`);
      return ts.createColdObservable(`${'-'.repeat(latency)}(a|)`, { a: answer });
    };
    return { getProgress, sent };
  }

  it('never polls faster than intervalMs when each answer changes but comes at once', () => {
    const ts = newTestScheduler();
    ts.run(({ flush }) => {
      const server = restlessServer(ts, 5, 3_000);
      const realistic = { ...DEFAULTS.polling, waitSeconds: 'auto' as const, intervalMs: 900, maxIntervalMs: 5_000 };
      followLoop({ getProgress: server.getProgress, polling: realistic, scheduler: ts, hold: createHoldMemory() }, progress('Running', 0, 'start')).subscribe();
      flush();
      // Before the fix: 600 requests in 3 s (each changed answer read as a hold, asked again at once).
      // After: the first at once (it asks a hold), then one per intervalMs + latency: 0, 905, 1810, 2715, 3620.
      expect(server.sent.length).toBeLessThanOrEqual(2 + Math.ceil(3_000 / 900));
      const gaps = server.sent.slice(1).map(([t], i) => t - server.sent[i]![0]);
      expect(gaps.slice(1).every((gap) => gap >= 900)).toBe(true);
    });
  });

  it('still asks again at once after an answer the server demonstrably held (it took at least intervalMs)', () => {
    const ts = newTestScheduler();
    ts.run(({ flush }) => {
      // A holding server that changes every 2 s: each held request ends at the change.
      const server = fakeServer(ts, true, [2_000, 4_000, 6_000]);
      const realistic = { ...DEFAULTS.polling, waitSeconds: 'auto' as const, intervalMs: 900, maxIntervalMs: 5_000 };
      followLoop({ getProgress: server.getProgress, polling: realistic, scheduler: ts, hold: createHoldMemory() }, progress('Running', 0, 'step 0')).subscribe();
      flush();
      expect(server.sent).toEqual([[0, 30], [2_000, 30], [4_000, 30]]);
    });
  });

  it('a server that holds but whose message changes every 10 ms is followed at once in bursts of QUICK_NEWS_LIMIT, then at intervalMs', () => {
    const ts = newTestScheduler();
    ts.run(({ flush }) => {
      // Quiet for 2 s (the first held answer shows the hold), then a change every 10 ms until 5 s.
      const changes = [2_000, ...Array.from({ length: 300 }, (_, i) => 2_010 + 10 * i), 5_010];
      const server = fakeServer(ts, true, changes);
      const realistic = { ...DEFAULTS.polling, waitSeconds: 'auto' as const, intervalMs: 900, maxIntervalMs: 5_000 };
      followLoop({ getProgress: server.getProgress, polling: realistic, scheduler: ts, hold: createHoldMemory() }, progress('Running', 0, 'step 0')).subscribe();
      flush();
      const busy = server.sent.filter(([t]) => t >= 2_000 && t < 5_000);
      // Without the limit: a request every 10 ms (300). With it: bursts of QUICK_NEWS_LIMIT quick ones, then one wait of 900 ms (30).
      expect(busy.length).toBeLessThanOrEqual((QUICK_NEWS_LIMIT + 1) * Math.ceil(3_000 / 900) + 1);
      expect(busy.length).toBeGreaterThan(Math.floor(3_000 / 900));
    });
  });

  it('sends a long poll only at once after an answer: a form asked during a wait is seen at the next poll, not when a 30 s hold ends', () => {
    const ts = newTestScheduler();
    ts.run(({ flush }) => {
      // A holding server: a stage change at 200 (answered quickly), then the flow asks for input at 600.
      const sent: [number, number][] = [];
      const stateAt = (t: number) => (t >= 600 ? progress('UserInput', 30, 'form') : t >= 200 ? progress('Running', 30, 'quote') : progress('Running', 0, 'step 0'));
      const getProgress = (_id: string, waitSeconds: number): Observable<FlowProgress> => {
        const now = ts.now();
        sent.push([now, waitSeconds]);
        const next = [200, 600].find((c) => c > now);
        const answerAt = waitSeconds > 0 && next !== undefined ? Math.min(next, now + waitSeconds * 1000) : waitSeconds > 0 ? now + waitSeconds * 1000 : now + 1;
        return ts.createColdObservable(`${answerAt - now}ms (a|)`, { a: stateAt(answerAt) });
      };
      const realistic = { ...DEFAULTS.polling, waitSeconds: 'auto' as const, intervalMs: 900, maxIntervalMs: 5_000 };
      let endedAt: number | undefined;
      followLoop({ getProgress, polling: realistic, scheduler: ts, hold: createHoldMemory() }, progress('Running', 0, 'step 0'), { onUserInput: 'error' }).subscribe({
        complete: () => (endedAt = ts.now()),
      });
      flush();
      // Before (a long poll sent 900 ms after the quick answer at 200, when the form was already
      // there): held until 31 100. After: a plain poll at 1 100 sees the form.
      expect(endedAt).toBe(1_101);
      expect(sent).toEqual([[0, 30], [1_100, 0]]);
    });
  });

  it('one quick unchanged answer does not disable long polling for the client’s whole life: it asks again later', () => {
    const ts = newTestScheduler();
    ts.run(({ flush }) => {
      // Answers at once the first time (a hiccup), then holds like the server above; the flow
      // changes once an hour for three hours.
      const server = fakeServer(ts, true, [3_600_000, 7_200_000, 10_800_000]);
      let first = true;
      const getProgress = (id: string, waitSeconds: number) => {
        if (!first) return server.getProgress(id, waitSeconds);
        first = false;
        server.sent.push([ts.now(), waitSeconds]);
        return ts.createColdObservable('-(a|)', { a: progress('Running', 0, 'step 0') });
      };
      const hold = createHoldMemory();
      followLoop({ getProgress, polling: { ...polling, maxIntervalMs: 5_000 }, scheduler: ts, hold }, progress('Running', 0, 'step 0')).subscribe();
      flush();
      // Before the fix: after the first answer every request asked 0 s, for three hours (2,180 requests).
      // After: it probes again 5 min later, sees the hold, and long polls (431 requests in all).
      const later = server.sent.filter(([t]) => t > 3_600_000);
      expect(later.some(([, asked]) => asked === 30)).toBe(true);
      expect(hold.verdict).toBe('holds');
    });
  });
});
