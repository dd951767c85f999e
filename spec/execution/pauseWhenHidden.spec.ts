import { afterEach, describe, expect, it } from '@jest/globals';
import { restoreGlobals, stubGlobal } from '../helpers/globals';
import { VirtualTimeScheduler } from 'rxjs';
import { SmartFlowsClient } from '../../lib/client';
import { SmartFlowsInputError } from '../../lib/errors';
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
  const server = fakeFetch(() => ({ id: EXEC_ID, percentage: 10, message: 'working', status: 'Running' }));
  const scheduler = new VirtualTimeScheduler();
  const client = new SmartFlowsClient({
    baseUrl: 'http://127.0.0.1:9',
    apiKey: 'k',
    fetch: server.fetch,
    scheduler,
    polling: { intervalMs: 100, maxIntervalMs: 100, ...(pauseWhenHidden === undefined ? {} : { pauseWhenHidden }) },
  });
  let virtualMs = 0;
  const advance = async (ms: number) => {
    for (const end = virtualMs + ms; virtualMs < end; ) {
      await new Promise((resolve) => setImmediate(resolve));
      scheduler.maxFrames = virtualMs += 10;
      scheduler.flush();
    }
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { client, server, advance, progressCalls: () => server.requests.filter((r) => new URL(r.url).pathname.endsWith('/progress')).length };
}

afterEach(() => {
  restoreGlobals();
});

describe('polling in a browser page', () => {
  it('pauses while the page is hidden and polls at once when it shows again', async () => {
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
    page.show(true);
    await advance(0);
    expect(progressCalls()).toBe(hiddenCalls + 1);
    sub.unsubscribe();
  });

  it('pauses while the browser is offline and polls at once when it is back online', async () => {
    const page = stubPage(false);
    const { client, advance, progressCalls } = setup();
    const sub = client.watch(EXEC_ID).subscribe();
    await advance(300);
    page.connect(false);
    await advance(50);
    const offlineCalls = progressCalls();
    await advance(5000);
    expect(progressCalls()).toBe(offlineCalls);
    page.connect(true);
    await advance(0);
    expect(progressCalls()).toBe(offlineCalls + 1);
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
    page.show(true);
    await advance(0);
    expect(progressCalls()).toBe(2);
    sub.unsubscribe();
  });

  it('refuses a pauseWhenHidden that is not boolean', () => {
    expect(() => new SmartFlowsClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k', polling: { pauseWhenHidden: 'no' as never } })).toThrow(SmartFlowsInputError);
  });
});
