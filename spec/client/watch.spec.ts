import { beforeAll, describe, expect, it } from '@jest/globals';
import { firstValueFrom, lastValueFrom, take, toArray, VirtualTimeScheduler } from 'rxjs';
import { SmartFlowsClient } from '../../lib/client';
import { SmartFlowsTimeoutError } from '../../lib/errors';
import { EXEC_ID, progress } from '../helpers/progress';
import { loadEngine, marbleClient, newTestScheduler } from '../helpers/marbles';
import { fakeFetch } from '../helpers/fakeFetch';

const OTHER_ID = '11111111-2222-4333-8444-555555555555';
/** A progress call (it carries ?timeout=). */
const isProgress = (url: string) => new URL(url).pathname.endsWith('/progress');

/** A server whose progress reaches 100 % after `steps` polls of each execution. */
function steppingServer(steps: number) {
  const polls = new Map<string, number>();
  return fakeFetch((url) => {
    const id = /executions\/([0-9a-f-]+)/.exec(url)![1]!;
    if (!isProgress(url)) return { id, status: 'Success' };
    const n = (polls.get(id) ?? 0) + 1;
    polls.set(id, n);
    const percentage = Math.min(100, Math.round((n / steps) * 100));
    return { id, percentage, message: `step ${n}`, status: percentage === 100 ? 'Success' : 'Running' };
  });
}

const newClient = (fetch: ConstructorParameters<typeof SmartFlowsClient>[0]['fetch']) =>
  new SmartFlowsClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k', fetch, polling: { intervalMs: 1, maxIntervalMs: 2 } });

// The engine loads at the first subscription, outside virtual time: load it before the marbles.
beforeAll(loadEngine);

describe('watch', () => {
  it('shares one poll loop between concurrent subscribers of the same id', async () => {
    const server = steppingServer(5);
    const client = newClient(server.fetch);
    const [a, b] = await Promise.all([lastValueFrom(client.watch(EXEC_ID).pipe(toArray())), lastValueFrom(client.watch(EXEC_ID).pipe(toArray()))]);
    expect(a).toEqual(b);
    expect(a.at(-1)).toMatchObject({ type: 'output' });
    // 5 progress polls and one output GET in all, not twice that.
    expect(server.requests.filter((r) => isProgress(r.url))).toHaveLength(5);
    expect(server.requests.filter((r) => !isProgress(r.url))).toHaveLength(1);
  });

  it('gives a late subscriber the latest event at once', async () => {
    const server = steppingServer(50);
    const client = newClient(server.fetch);
    const first = client.watch(EXEC_ID).subscribe();
    await firstValueFrom(client.watch(EXEC_ID).pipe(take(3), toArray()));
    const before = server.requests.length;
    const late = await firstValueFrom(client.watch(EXEC_ID));
    expect(server.requests.length - before).toBeLessThanOrEqual(1);
    expect(late.type).toBe('progress');
    expect(late.type === 'progress' && late.progress.percentage).toBeGreaterThan(0);
    first.unsubscribe();
  });

  it('keeps separate loops for separate ids and leaves no timer when the last subscriber leaves', async () => {
    const server = steppingServer(1000);
    // Virtual time: timers run only when flushed, and the queue shows any timer left behind.
    const scheduler = new VirtualTimeScheduler();
    const client = new SmartFlowsClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k', fetch: server.fetch, scheduler });
    const events: unknown[] = [];
    const subs = [client.watch(EXEC_ID).subscribe(), client.watch(OTHER_ID).subscribe((e) => events.push(e))];
    // Advance virtual time 5 ms at a time (a full flush would also fire the request timeouts).
    let virtualMs = 0;
    const advance = async () => {
      await new Promise((resolve) => setImmediate(resolve));
      scheduler.maxFrames = virtualMs += 5;
      scheduler.flush();
    };
    while (events.length < 4) await advance();
    expect(scheduler.actions.length + server.requests.length).toBeGreaterThan(0);
    subs.forEach((s) => s.unsubscribe());
    const ids = new Set(server.requests.map((r) => /executions\/([0-9a-f-]+)/.exec(r.url)![1]));
    expect(ids).toEqual(new Set([EXEC_ID, OTHER_ID]));
    expect(scheduler.actions).toHaveLength(0);
    const count = server.requests.length;
    for (let i = 0; i < 2000; i++) await advance(); // 10 s of virtual time
    expect(server.requests.length).toBe(count);
  });

  it('starts afresh for a subscriber that comes after the end', async () => {
    const server = steppingServer(2);
    const client = newClient(server.fetch);
    const first = await lastValueFrom(client.watch(EXEC_ID).pipe(toArray()));
    expect(first.at(-1)).toMatchObject({ type: 'output' });
    const before = server.requests.length;
    // A finished execution: the new loop's first answer (still 100 %) ends it at once.
    const again = await lastValueFrom(client.watch(EXEC_ID).pipe(toArray()));
    expect(again.at(-1)).toMatchObject({ type: 'output' });
    expect(server.requests.length).toBeGreaterThan(before);
  });

  it('gives an error to every subscriber, and the next subscription starts a new loop', async () => {
    let failing = true;
    const { fetch, requests } = fakeFetch((url) => {
      const id = /executions\/([0-9a-f-]+)/.exec(url)![1]!;
      if (failing) return new Response('nope', { status: 404 });
      return isProgress(url) ? { id, percentage: 100, message: '', status: 'Success' } : { id, status: 'Success' };
    });
    const client = newClient(fetch);
    const errors = await Promise.all([0, 1].map(() => lastValueFrom(client.watch(EXEC_ID)).catch((e: unknown) => e)));
    expect(errors.map((e) => (e as { status?: number }).status)).toEqual([404, 404]);
    expect(requests).toHaveLength(1);
    failing = false;
    await expect(lastValueFrom(client.watch(EXEC_ID))).resolves.toMatchObject({ type: 'output' });
  });

  it('refuses an id that is not a GUID before any request', async () => {
    const server = steppingServer(1);
    await expect(firstValueFrom(newClient(server.fetch).watch('../../etc/passwd'))).rejects.toMatchObject({ name: 'SmartFlowsInputError' });
    expect(server.requests).toHaveLength(0);
  });
});

describe('watch timeouts', () => {
  it('count timeoutMs from each subscription, not from the shared loop’s first subscriber', () => {
    const ts = newTestScheduler();
    ts.run(({ cold }) => {
      const { client, calls } = marbleClient(ts, { progress: () => cold('-(r|)', { r: progress('Running', 10) }) }, { intervalMs: 100, maxIntervalMs: 100 });
      const erroredAt: Record<string, number> = {};
      const subscribe = (name: string) => () =>
        client.watch(EXEC_ID, { timeoutMs: 2500 }).subscribe({ error: (e: unknown) => (erroredAt[name] = ts.now(), expect(e).toBeInstanceOf(SmartFlowsTimeoutError)) });
      subscribe('first')();
      ts.schedule(subscribe('second'), 1500);
      ts.flush();
      // Before the fix: second at 2500 (1.0 s after it subscribed).
      expect(erroredAt).toEqual({ first: 2500, second: 4000 });
      // One shared loop: a single first progress request, polls every 100 ms, none after the last left.
      expect(calls.filter((c) => c === 'progress@0')).toHaveLength(1);
      // (The flush ends: no timer is left once both have gone.)
      expect(Number(calls.at(-1)!.split('@')[1])).toBeLessThan(4000);
    });
  });

  it('share one loop between subscribers with different timeouts, each ending at its own limit', () => {
    const ts = newTestScheduler();
    ts.run(({ cold, expectObservable }) => {
      const { client, calls } = marbleClient(ts, { progress: () => cold('-(r|)', { r: progress('Running', 10) }) }, { intervalMs: 100, maxIntervalMs: 100 });
      const event = { type: 'progress', executionId: EXEC_ID, progress: progress('Running', 10) };
      const error = expect.any(SmartFlowsTimeoutError) as unknown as Error;
      expectObservable(client.watch(EXEC_ID, { timeoutMs: 300 })).toBe('-a 298ms #', { a: event }, error);
      expectObservable(client.watch(EXEC_ID), '^ 500ms !').toBe('-a', { a: event });
      ts.flush();
      expect(calls.filter((c) => c === 'progress@0')).toHaveLength(1);
    });
  });
});

describe('watch bookkeeping', () => {
  const liveWatches = (client: SmartFlowsClient) => (client as unknown as { watches: Map<string, unknown> }).watches.size;

  it('forgets a loop when it ends, errors, or loses its last subscriber (no entry left behind)', () => {
    const ts = newTestScheduler();
    ts.run(({ cold }) => {
      let answer = progress('Running', 10);
      const { client } = marbleClient(ts, {
        progress: () => (answer.status === 'Error' ? cold('-#', undefined, new Error('gone')) : cold('-(r|)', { r: answer })),
        execution: () => cold('-(e|)', { e: { id: EXEC_ID, status: 'Success', rawStatus: 'Success' } }),
      }, { intervalMs: 10, maxIntervalMs: 10 });
      const left = client.watch(EXEC_ID).subscribe();
      expect(liveWatches(client)).toBe(1);
      ts.schedule(() => left.unsubscribe(), 30);
      ts.schedule(() => {
        expect(liveWatches(client)).toBe(0);
        answer = progress('Success', 100);
        client.watch(EXEC_ID).subscribe();
      }, 40);
      ts.schedule(() => {
        expect(liveWatches(client)).toBe(0);
        answer = progress('Error', 0);
        client.watch(EXEC_ID).subscribe({ error: () => undefined });
        expect(liveWatches(client)).toBe(1);
      }, 100);
      ts.flush();
      expect(liveWatches(client)).toBe(0);
    });
  });
});
