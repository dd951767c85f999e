import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { restoreGlobals, stubGlobal } from '../helpers/globals';
import { VirtualTimeScheduler } from 'rxjs';
import { SmartFlowsClient } from '../../lib/client';
import { SmartFlowsInputError } from '../../lib/errors';
import { RESUME_SPREAD_MS } from '../../lib/execution/pageVisibility';
import { EXEC_ID } from '../helpers/progress';
import { fakeFetch } from '../helpers/fakeFetch';

/** Browser globals for one test: a hidden or visible page, online or not. */
function stubPage(hidden: boolean) {
  const document = Object.assign(new EventTarget(), { visibilityState: hidden ? 'hidden' : 'visible' });
  const window = new EventTarget();
  const navigator = { onLine: true };
  stubGlobal('document', document);
  stubGlobal('window', window);
  stubGlobal('navigator', navigator);
  return {
    show(visible: boolean) {
      document.visibilityState = visible ? 'visible' : 'hidden';
      document.dispatchEvent(new Event('visibilitychange'));
    },
    connect(online: boolean) {
      navigator.onLine = online;
      window.dispatchEvent(new Event(online ? 'online' : 'offline'));
    },
  };
}

/** A client on virtual time whose server always answers Running; `advance` moves time by 10 ms steps. */
function setup(pauseWhenHidden?: boolean) {
  const server = fakeFetch((url) => ({ id: /executions\/([0-9a-f-]+)/.exec(url)?.[1] ?? EXEC_ID, percentage: 10, message: 'working', status: 'Running' }));
  const scheduler = new VirtualTimeScheduler();
  const sent: { url: string; virtualMs: number }[] = [];
  const client = new SmartFlowsClient({
    baseUrl: 'http://127.0.0.1:9',
    apiKey: 'k',
    fetch: (url, init) => (sent.push({ url, virtualMs: scheduler.now() }), server.fetch(url, init)),
    scheduler,
    polling: { intervalMs: 100, maxIntervalMs: 100, ...(pauseWhenHidden === undefined ? {} : { pauseWhenHidden }) },
  });
  let virtualMs = 0;
  const advance = async (ms: number) => {
    for (const end = virtualMs + ms; virtualMs < end; ) {
      await new Promise((resolve) => setImmediate(resolve));
      scheduler.maxFrames = virtualMs += 10;
      scheduler.flush();
      // The scheduler's clock stops at its last action: timers set from outside a flush (a
      // visibility event) must count from the step's end.
      scheduler.frame = virtualMs;
    }
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { client, server, sent, advance, progressCalls: () => server.requests.filter((r) => new URL(r.url).pathname.endsWith('/progress')).length };
}

afterEach(() => {
  restoreGlobals();
});

describe('polling in a browser page', () => {
  it('pauses while the page is hidden and polls within RESUME_SPREAD_MS (its random share) when it shows again', async () => {
    const page = stubPage(false);
    const { client, advance, progressCalls } = setup();
    const sub = client.watch(EXEC_ID).subscribe();
    await advance(1000);
    const visibleCalls = progressCalls();
    expect(visibleCalls).toBeGreaterThanOrEqual(8);
    page.show(false);
    await advance(5000);
    // At most the poll already due when the page hid.
    expect(progressCalls() - visibleCalls).toBeLessThanOrEqual(1);
    const hiddenCalls = progressCalls();
    // The resumed poll waits its random share of RESUME_SPREAD_MS: here half of it.
    const random = jest.spyOn(Math, 'random').mockReturnValue(0.5);
    page.show(true);
    await advance(RESUME_SPREAD_MS / 2 - 10);
    expect(progressCalls()).toBe(hiddenCalls);
    await advance(10);
    expect(progressCalls()).toBe(hiddenCalls + 1);
    random.mockRestore();
    sub.unsubscribe();
  });

  it('pauses while the browser is offline and polls again when it is back online', async () => {
    const page = stubPage(false);
    const { client, advance, progressCalls } = setup();
    const sub = client.watch(EXEC_ID).subscribe();
    await advance(300);
    page.connect(false);
    await advance(50);
    const offlineCalls = progressCalls();
    await advance(5000);
    expect(progressCalls()).toBe(offlineCalls);
    const random = jest.spyOn(Math, 'random').mockReturnValue(0);
    page.connect(true);
    await advance(10);
    expect(progressCalls()).toBe(offlineCalls + 1);
    random.mockRestore();
    sub.unsubscribe();
  });

  it('keeps polling in a hidden page with polling.pauseWhenHidden: false', async () => {
    stubPage(true);
    const { client, advance, progressCalls } = setup(false);
    const sub = client.watch(EXEC_ID).subscribe();
    await advance(1000);
    expect(progressCalls()).toBeGreaterThanOrEqual(8);
    sub.unsubscribe();
  });

  it('sends only the first progress call of a hidden page until it shows', async () => {
    const page = stubPage(true);
    const { client, advance, progressCalls } = setup();
    const sub = client.watch(EXEC_ID).subscribe();
    await advance(3000);
    expect(progressCalls()).toBe(1);
    const random = jest.spyOn(Math, 'random').mockReturnValue(0.25);
    page.show(true);
    await advance(RESUME_SPREAD_MS / 4 - 10);
    expect(progressCalls()).toBe(1);
    await advance(10);
    expect(progressCalls()).toBe(2);
    random.mockRestore();
    sub.unsubscribe();
  });

  it('refuses a pauseWhenHidden that is not boolean', () => {
    expect(() => new SmartFlowsClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k', polling: { pauseWhenHidden: 'no' as never } })).toThrow(SmartFlowsInputError);
  });
});

const OTHER_IDS = Array.from({ length: 20 }, (_, i) => `6de9206a-de42-4182-8f86-${String(i).padStart(12, '0')}`);

/** Counts listeners added and removed on an EventTarget double. */
function countListeners(target: EventTarget) {
  const count = { added: 0, removed: 0 };
  const add = target.addEventListener.bind(target);
  const remove = target.removeEventListener.bind(target);
  target.addEventListener = (...args: Parameters<EventTarget['addEventListener']>) => (count.added++, add(...args));
  target.removeEventListener = (...args: Parameters<EventTarget['removeEventListener']>) => (count.removed++, remove(...args));
  return count;
}

describe('page activity shared by every execution of a client', () => {
  it('listens with 3 listeners in all for 20 executions, and removes them when nothing polls', async () => {
    stubPage(false);
    const doc = countListeners(globalThis.document as unknown as EventTarget);
    const win = countListeners(globalThis.window as unknown as EventTarget);
    const { client, advance, progressCalls } = setup();
    const subs = OTHER_IDS.map((id) => client.watch(id).subscribe());
    await advance(1000);
    expect(progressCalls()).toBeGreaterThanOrEqual(20 * 8);
    // Before the fix: 660 listeners added in this second (3 per wait: 20 executions × 11 waits).
    expect(doc.added + win.added).toBe(3);
    subs.forEach((s) => s.unsubscribe());
    expect(doc.removed + win.removed).toBe(3);
  });

  it('spreads the polls resumed when the page shows again over up to RESUME_SPREAD_MS', async () => {
    const page = stubPage(false);
    const { client, sent, advance } = setup();
    const subs = OTHER_IDS.map((id) => client.watch(id).subscribe());
    await advance(500);
    page.show(false);
    await advance(2000);
    const shownAt = sent.length;
    page.show(true);
    await advance(RESUME_SPREAD_MS);
    subs.forEach((s) => s.unsubscribe());
    // The first poll of each execution after the page showed, in virtual ms after showing.
    const firstAfter = new Map<string, number>();
    for (const r of sent.slice(shownAt)) {
      const id = /executions\/([0-9a-f-]+)/.exec(r.url)![1]!;
      if (!firstAfter.has(id)) firstAfter.set(id, r.virtualMs - 2500);
    }
    expect(firstAfter.size).toBe(20);
    const times = [...firstAfter.values()];
    // Before the fix: all 20 at 0 ms (one distinct time).
    expect(new Set(times).size).toBeGreaterThan(5);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...times)).toBeLessThan(RESUME_SPREAD_MS);
  });
});
