import { describe, expect, it } from '@jest/globals';
import { BehaviorSubject } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { PollDeps } from '../../lib/execution/poller';
import { followLoop } from '../helpers/followLoop';
import { pageActivity, type PageEnvironment } from '../../lib/execution/pageVisibility';
import { DEFAULTS } from '../../lib/options';
import { progress } from '../helpers/progress';
import { fakeProgressServer, newTestScheduler } from '../helpers/marbles';

const polling = { ...DEFAULTS.polling, waitSeconds: 0, intervalMs: 10, maxIntervalMs: 10, idleIntervalMs: 100 };

const scheduler = newTestScheduler;
const fakeServer = fakeProgressServer;

/** A "may poll" signal driven by a marble: h = hidden (false), v = visible (true). */
function visibility(ts: TestScheduler, marble: string, initial = true) {
  const state = new BehaviorSubject(initial);
  ts.createColdObservable(marble, { h: false, v: true }).subscribe((may) => state.next(may));
  return state;
}

describe('the poll loop (followExecution) paused by a "may poll" signal', () => {
  it('runs no timer and sends nothing while paused, and polls at once when it resumes', () => {
    const ts = scheduler();
    ts.run(({ flush }) => {
      const { getProgress, sentAt } = fakeServer(ts, [progress('Running', 0)], 0);
      const mayPoll = visibility(ts, '25ms h 200ms v');
      const sub = followLoop({ getProgress, polling, scheduler: ts, mayPoll }, progress('Running', 0)).subscribe();
      ts.schedule(() => sub.unsubscribe(), 260);
      flush();
      // Every 10 ms until hidden at 25; nothing in 25–226; at once at 226, then every 10 ms again.
      expect(sentAt).toEqual([10, 20, 226, 236, 246, 256]);
    });
  });

  it('waits for the page to show before the first poll when it starts hidden', () => {
    const ts = scheduler();
    ts.run(({ flush }) => {
      const { getProgress, sentAt } = fakeServer(ts, [progress('Running', 50), progress('Success', 100)], 0);
      const mayPoll = visibility(ts, '500ms v', false);
      const seen: number[] = [];
      followLoop({ getProgress, polling, scheduler: ts, mayPoll }, progress('Running', 0)).subscribe(() => seen.push(ts.now()));
      flush();
      expect(sentAt).toEqual([500, 510]);
      expect(seen).toEqual([500, 510]);
    });
  });

  it('lets a request in flight finish while hidden, and holds the next one', () => {
    const ts = scheduler();
    ts.run(({ flush }) => {
      const { getProgress, sentAt } = fakeServer(ts, [progress('Running', 20), progress('Success', 100)], 5);
      const mayPoll = visibility(ts, '12ms h 100ms v');
      const seen: [number, number][] = [];
      followLoop({ getProgress, polling, scheduler: ts, mayPoll }, progress('Running', 0)).subscribe((p) => seen.push([ts.now(), p.percentage]));
      flush();
      // Sent at 10, answered at 15 despite the page hiding at 12; the next poll waits for 113.
      expect(seen).toEqual([
        [15, 20],
        [118, 100],
      ]);
      expect(sentAt).toEqual([10, 113]);
    });
  });

  it('also pauses the idle cadence, and a short blink resumes with an immediate poll', () => {
    const ts = scheduler();
    ts.run(({ flush }) => {
      const { getProgress, sentAt } = fakeServer(ts, [progress('UserInput', 50), progress('UserInput', 50), progress('Success', 100)], 0);
      const mayPoll = visibility(ts, '50ms h 9ms v');
      followLoop({ getProgress, polling, scheduler: ts, mayPoll }, progress('UserInput', 50)).subscribe();
      flush();
      // Idle: the first poll was due at 100; hidden at 50, visible at 60 → polls at 60, then every 100.
      expect(sentAt).toEqual([60, 160, 260]);
    });
  });

  it('spreads the polls of many loops resumed at once over resumeSpreadMs, drawn from the injected random source', () => {
    const ts = scheduler();
    ts.run(({ flush }) => {
      const mayPoll = visibility(ts, '25ms h 200ms v');
      const draws = [0, 0.25, 0.5, 0.999];
      const queue = [...draws];
      const random = () => queue.shift()!;
      const servers = draws.map(() => fakeServer(ts, [progress('Running', 0)], 0));
      const subs = servers.map(({ getProgress }) =>
        followLoop({ getProgress, polling, scheduler: ts, mayPoll, resumeSpreadMs: 100, random }, progress('Running', 0)).subscribe(),
      );
      ts.schedule(() => subs.forEach((s) => s.unsubscribe()), 400);
      flush();
      // Hidden at 25, visible at 226: each loop's first poll after it waits floor(r × 100) ms.
      // Before the spread: all four at 226.
      expect(servers.map((s) => s.sentAt.find((t) => t > 25))).toEqual([226, 251, 276, 325]);
      expect(servers.map((s) => s.sentAt.slice(0, 2))).toEqual(draws.map(() => [10, 20]));
    });
  });

  it('keeps the usual timings when the signal always says yes', () => {
    const ts = scheduler();
    ts.run(({ flush }) => {
      const answers = [progress('Running', 10), progress('Running', 10), progress('Success', 100)];
      const gated = fakeServer(ts, answers, 1);
      followLoop({ getProgress: gated.getProgress, polling, scheduler: ts, mayPoll: new BehaviorSubject(true) }, progress('Running', 10)).subscribe();
      flush();
      const ts2 = scheduler();
      const plain = fakeServer(ts2, answers, 1);
      ts2.run(() => {
        const deps: PollDeps = { getProgress: plain.getProgress, polling, scheduler: ts2 };
        followLoop(deps, progress('Running', 10)).subscribe();
      });
      expect(gated.sentAt).toEqual(plain.sentAt);
    });
  });
});

/** A fake browser: document and window are real EventTargets, state is set by hand. */
function fakePage(init: { hidden?: boolean; online?: boolean } = {}) {
  const document = Object.assign(new EventTarget(), { visibilityState: init.hidden ? 'hidden' : 'visible' });
  const window = new EventTarget();
  const navigator = { onLine: init.online ?? true };
  return {
    env: { document, window, navigator } satisfies PageEnvironment,
    hide: (hidden: boolean) => {
      document.visibilityState = hidden ? 'hidden' : 'visible';
      document.dispatchEvent(new Event('visibilitychange'));
    },
    connect: (online: boolean) => {
      navigator.onLine = online;
      window.dispatchEvent(new Event(online ? 'online' : 'offline'));
    },
  };
}

describe('pageActivity', () => {
  it('emits the current state at once, then each change of visibility or network', () => {
    const page = fakePage();
    const seen: boolean[] = [];
    const sub = pageActivity(page.env)!.subscribe((active) => seen.push(active));
    page.hide(true);
    page.hide(true);
    page.hide(false);
    page.connect(false);
    page.hide(true);
    page.connect(true);
    page.hide(false);
    sub.unsubscribe();
    page.hide(true);
    expect(seen).toEqual([true, false, true, false, true]);
  });

  it('starts paused in a hidden or offline page', () => {
    for (const init of [{ hidden: true }, { online: false }]) {
      const seen: boolean[] = [];
      pageActivity(fakePage(init).env)!.subscribe((active) => seen.push(active)).unsubscribe();
      expect(seen).toEqual([false]);
    }
  });

  it('removes its listeners when unsubscribed', () => {
    const page = fakePage();
    const added: string[] = [];
    const removed: string[] = [];
    for (const target of [page.env.document, page.env.window]) {
      const add = target.addEventListener.bind(target);
      const remove = target.removeEventListener.bind(target);
      target.addEventListener = (type: string, ...rest: [EventListenerOrEventListenerObject | null]) => (added.push(type), add(type, ...rest));
      target.removeEventListener = (type: string, ...rest: [EventListenerOrEventListenerObject | null]) => (removed.push(type), remove(type, ...rest));
    }
    pageActivity(page.env)!.subscribe().unsubscribe();
    expect(added.sort()).toEqual(['offline', 'online', 'visibilitychange']);
    expect(removed.sort()).toEqual(added);
  });

  it('watches only what exists: visibility without navigator, network without document', () => {
    const page = fakePage();
    const seen: boolean[] = [];
    pageActivity({ document: page.env.document })!.subscribe((a) => seen.push(a));
    page.connect(false);
    page.hide(true);
    const net: boolean[] = [];
    pageActivity({ window: page.env.window, navigator: page.env.navigator })!.subscribe((a) => net.push(a));
    page.connect(true);
    expect(seen).toEqual([true, false]);
    // It started offline (the first page's navigator went offline above).
    expect(net).toEqual([false, true]);
  });

  it('is undefined where there is no page (Node)', () => {
    expect(pageActivity({})).toBeUndefined();
    expect(pageActivity({ navigator: { onLine: true } })).toBeUndefined();
    // Node 21+ has a navigator without onLine, and no document or window.
    expect(pageActivity()).toBeUndefined();
  });
});
