import { beforeAll, describe, expect, it } from '@jest/globals';
import { getEventListeners } from 'node:events';
import type { Observable } from 'rxjs';
import type { ColdObservable } from 'rxjs/internal/testing/ColdObservable';
import type { TestScheduler } from 'rxjs/testing';
import type { FlowExecution, FlowProgress } from '../../lib/api/types';
import { isSmartFlowsAbortError, isSmartFlowsError, SmartFlowsAbortError, SmartFlowsTimeoutError } from '../../lib/errors';
import { SmartFlowsClient } from '../../lib/client';
import { EXEC_ID, FLOW_ID, progress } from '../helpers/progress';
import { loadEngine, marbleClient, newTestScheduler } from '../helpers/marbles';

// The `signal` option in virtual time: the abort is scheduled on the TestScheduler, the calls are
// scripted marbles (`name@frame`), and every assertion is on what was sent and when.
const polling = { intervalMs: 10, maxIntervalMs: 10 };
const running = (pct = 10) => progress('Running', pct, `stage ${pct}`);
const execution = (status: FlowExecution['status']): FlowExecution => ({ id: EXEC_ID, status, rawStatus: status });
const reason = new Error('the user went away');

beforeAll(loadEngine);

/** A marble client whose start answers after `startFrames` frames (the default helper's answers after 1). */
function slowStart(ts: TestScheduler, cold: <T>(marbles: string, values?: Record<string, T>) => ColdObservable<T>, startFrames: number, script: Parameters<typeof marbleClient>[1]) {
  const made = marbleClient(ts, script, polling);
  const api = (made.client as unknown as { api: Record<string, unknown> }).api;
  const start = cold<FlowProgress>(`${'-'.repeat(startFrames)}(a|)`, { a: running(0) });
  api.start = () => {
    made.calls.push(`start@${ts.now()}`);
    return start;
  };
  return { ...made, start };
}

/** Subscribes and keeps what the stream did. */
function follow(events$: Observable<{ type: string } | object>) {
  const seen: { events: string[]; error?: unknown; completed: boolean } = { events: [], completed: false };
  events$.subscribe({ next: (e) => seen.events.push('type' in e ? e.type : 'snapshot'), error: (e: unknown) => (seen.error = e), complete: () => (seen.completed = true) });
  return seen;
}

describe('signal on run', () => {
  it('an abort while polling ends the poll at once and errors with an AbortError carrying the executionId and the reason', () => {
    const ts = newTestScheduler();
    ts.run(({ cold, expectSubscriptions }) => {
      const poll = cold<FlowProgress>('---(r|)', { r: running(20) });
      const { client, calls } = marbleClient(ts, { progress: () => poll }, polling);
      const controller = new AbortController();
      const seen = follow(client.run(FLOW_ID, '<A/>', { signal: controller.signal }));
      // Start answers at 1, the first poll goes at 11 and would answer at 14: abort at 12.
      ts.schedule(() => controller.abort(reason), 12);
      ts.flush();
      expect(calls).toEqual(['start@0', 'progress@11']);
      expectSubscriptions(poll.subscriptions).toBe('11ms ^ !');
      expect(seen.events).toEqual(['progress']);
      const error = seen.error as SmartFlowsAbortError;
      expect(error).toBeInstanceOf(SmartFlowsAbortError);
      expect(error).toMatchObject({ name: 'AbortError', executionId: EXEC_ID, reason, cause: reason });
      expect(error.executionMayExist).toBeUndefined();
      expect(isSmartFlowsAbortError(error) && isSmartFlowsError(error)).toBe(true);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    });
  });

  it('with cancelOnUnsubscribe, an abort while polling sends one cancel, at the abort', () => {
    const ts = newTestScheduler();
    ts.run(({ cold }) => {
      const { client, calls } = marbleClient(ts, { progress: () => cold('-(r|)', { r: running() }) }, polling);
      const controller = new AbortController();
      const seen = follow(client.run(FLOW_ID, '<A/>', { signal: controller.signal, cancelOnUnsubscribe: true }));
      ts.schedule(() => controller.abort(reason), 30);
      ts.flush();
      expect(calls.filter((c) => !c.startsWith('progress'))).toEqual(['start@0', 'cancel@30']);
      expect(calls.filter((c) => c.startsWith('progress')).every((c) => Number(c.split('@')[1]) < 30)).toBe(true);
      expect(seen.error).toMatchObject({ name: 'AbortError', executionId: EXEC_ID });
    });
  });

  it('an abort during the start aborts the POST and says the execution may exist (as a timeout does)', () => {
    const ts = newTestScheduler();
    ts.run(({ cold, expectSubscriptions }) => {
      const { client, calls, start } = slowStart(ts, cold, 5, { progress: () => cold('-(r|)', { r: running() }) });
      const controller = new AbortController();
      const seen = follow(client.run(FLOW_ID, '<A/>', { signal: controller.signal }));
      ts.schedule(() => controller.abort(reason), 3);
      ts.flush();
      expectSubscriptions(start.subscriptions).toBe('^ 2ms !');
      expect(calls).toEqual(['start@0']);
      expect(seen.error).toMatchObject({ name: 'AbortError', executionMayExist: true, cause: reason });
      expect((seen.error as SmartFlowsAbortError).executionId).toBeUndefined();
      expect((seen.error as Error).message).toMatch(/an execution may exist/);
    });
  });

  it('with cancelOnUnsubscribe, an abort during the start keeps the POST and cancels what it made (as a leave does)', () => {
    const ts = newTestScheduler();
    ts.run(({ cold, expectSubscriptions }) => {
      const { client, calls, start } = slowStart(ts, cold, 5, { progress: () => cold('-(r|)', { r: running() }) });
      const controller = new AbortController();
      const seen = follow(client.run(FLOW_ID, '<A/>', { signal: controller.signal, cancelOnUnsubscribe: true }));
      ts.schedule(() => controller.abort(reason), 3);
      ts.flush();
      // The start answers at 5: its execution is canceled then, and nothing is polled.
      expectSubscriptions(start.subscriptions).toBe('^ 4ms !');
      expect(calls).toEqual(['start@0', 'cancel@5']);
      expect(seen.error).toMatchObject({ name: 'AbortError', executionMayExist: true });
    });
  });

  it('an already aborted signal sends nothing and errors at once', () => {
    const ts = newTestScheduler();
    ts.run(({ cold }) => {
      const { client, calls } = marbleClient(ts, { progress: () => cold('-(r|)', { r: running() }) }, polling);
      const seen = follow(client.run(FLOW_ID, '<A/>', { signal: AbortSignal.abort(reason), cancelOnUnsubscribe: true }));
      ts.flush();
      expect(calls).toEqual([]);
      expect(seen.error).toMatchObject({ name: 'AbortError', cause: reason });
      expect((seen.error as SmartFlowsAbortError).executionMayExist).toBeUndefined();
    });
  });

  it('an abort after the end does nothing: no request, no error, no listener left', () => {
    const ts = newTestScheduler();
    ts.run(({ cold }) => {
      const { client, calls } = marbleClient(ts, {
        progress: () => cold('-(s|)', { s: progress('Success', 100) }),
        execution: () => cold('-(e|)', { e: execution('Success') }),
      }, polling);
      const controller = new AbortController();
      const seen = follow(client.run(FLOW_ID, '<A/>', { signal: controller.signal, cancelOnUnsubscribe: true }));
      ts.schedule(() => controller.abort(reason), 50);
      ts.flush();
      expect(seen.events).toEqual(['progress', 'progress', 'output']);
      expect(seen.completed).toBe(true);
      expect(seen.error).toBeUndefined();
      expect(calls).toEqual(['start@0', 'progress@11', 'execution@12']);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    });
  });

  it('a timeout before the abort wins; the abort then does nothing', () => {
    const ts = newTestScheduler();
    ts.run(({ cold }) => {
      const { client, calls } = marbleClient(ts, { progress: () => cold('-(r|)', { r: running() }) }, polling);
      const controller = new AbortController();
      const seen = follow(client.run(FLOW_ID, '<A/>', { signal: controller.signal, timeoutMs: 25, cancelOnUnsubscribe: true }));
      ts.schedule(() => controller.abort(reason), 40);
      ts.flush();
      expect(seen.error).toBeInstanceOf(SmartFlowsTimeoutError);
      // A timeout never cancels, and the later abort sends nothing.
      expect(calls.filter((c) => c.startsWith('cancel'))).toEqual([]);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    });
  });
});

describe('signal on watch', () => {
  it("one follower's abort ends its own stream only: the shared loop goes on for the other", () => {
    const ts = newTestScheduler();
    ts.run(({ cold }) => {
      const { client, calls } = marbleClient(ts, { progress: () => cold('-(r|)', { r: running() }) }, polling);
      const controller = new AbortController();
      const aborted = follow(client.watch(EXEC_ID, { signal: controller.signal, cancelOnUnsubscribe: true }));
      const other = client.watch(EXEC_ID, { cancelOnUnsubscribe: true }).subscribe();
      ts.schedule(() => controller.abort(reason), 15);
      ts.schedule(() => other.unsubscribe(), 45);
      ts.flush();
      expect(aborted.error).toMatchObject({ name: 'AbortError', executionId: EXEC_ID });
      // One loop for both: the first poll at 0, then every 11 frames until the other leaves at 45.
      expect(calls).toEqual(['progress@0', 'progress@11', 'progress@22', 'progress@33', 'progress@44', 'cancel@45']);
    });
  });

  it('the abort of the last follower with cancelOnUnsubscribe sends the cancel', () => {
    const ts = newTestScheduler();
    ts.run(({ cold }) => {
      const { client, calls } = marbleClient(ts, { progress: () => cold('-(r|)', { r: running() }) }, polling);
      const controller = new AbortController();
      follow(client.watch(EXEC_ID, { signal: controller.signal, cancelOnUnsubscribe: true }));
      ts.schedule(() => controller.abort(reason), 15);
      ts.flush();
      expect(calls).toEqual(['progress@0', 'progress@11', 'cancel@15']);
    });
  });

  it('an already aborted signal sends nothing and leaves no loop behind', () => {
    const ts = newTestScheduler();
    ts.run(({ cold }) => {
      const { client, calls } = marbleClient(ts, { progress: () => cold('-(r|)', { r: running() }) }, polling);
      const seen = follow(client.watch(EXEC_ID, { signal: AbortSignal.abort(reason) }));
      ts.flush();
      expect(calls).toEqual([]);
      expect(seen.error).toMatchObject({ name: 'AbortError', executionId: EXEC_ID });
      expect((client as unknown as { watches: Map<string, unknown> }).watches.size).toBe(0);
    });
  });
});

describe('signal on runBatch', () => {
  it('an abort stops every job (each cancels with cancelOnUnsubscribe) and errors the batch; one listener for the whole batch', () => {
    const ts = newTestScheduler();
    ts.run(({ cold }) => {
      const { client, calls } = marbleClient(ts, { progress: () => cold('-(r|)', { r: running() }) }, polling);
      const controller = new AbortController();
      const jobs = Array.from({ length: 12 }, () => ({ flowId: FLOW_ID, input: '<A/>' }));
      const seen = follow(client.runBatch(jobs, { signal: controller.signal, cancelOnUnsubscribe: true, concurrency: 12 }));
      ts.schedule(() => {
        // 12 jobs running, one abort listener (Node warns past 10 on one signal).
        expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
        controller.abort(reason);
      }, 20);
      ts.flush();
      expect(seen.error).toMatchObject({ name: 'AbortError', cause: reason });
      expect(calls.filter((c) => c.startsWith('cancel'))).toEqual(Array.from({ length: 12 }, () => 'cancel@20'));
      expect(calls.filter((c) => Number(c.split('@')[1]) > 20)).toEqual([]);
    });
  });
});

describe('signal on startExecution', () => {
  it('an abort during the POST aborts it and says the execution may exist', () => {
    const ts = newTestScheduler();
    ts.run(({ cold, expectSubscriptions }) => {
      const { client, start } = slowStart(ts, cold, 5, { progress: () => cold('-') });
      const controller = new AbortController();
      let error: unknown;
      client.startExecution(FLOW_ID, '<A/>', { signal: controller.signal }).subscribe({ error: (e: unknown) => (error = e) });
      ts.schedule(() => controller.abort(reason), 2);
      ts.flush();
      expectSubscriptions(start.subscriptions).toBe('^ 1ms !');
      expect(error).toMatchObject({ name: 'AbortError', executionMayExist: true, cause: reason });
    });
  });

  it('refuses a signal that is not an AbortSignal, before any request', () => {
    const ts = newTestScheduler();
    ts.run(({ cold }) => {
      const { client, calls } = marbleClient(ts, { progress: () => cold('-') }, polling);
      let error: unknown;
      client.startExecution(FLOW_ID, '<A/>', { signal: { aborted: 'no' } as unknown as AbortSignal }).subscribe({ error: (e: unknown) => (error = e) });
      client.run(FLOW_ID, '<A/>', { signal: 'x' as unknown as AbortSignal }).subscribe({ error: () => undefined });
      ts.flush();
      expect(error).toMatchObject({ name: 'SmartFlowsInputError', message: 'signal must be an AbortSignal' });
      expect(calls).toEqual([]);
    });
  });

  it('refuses a signal-like object without removeEventListener (its teardown threw an uncaught error)', () => {
    const ts = newTestScheduler();
    ts.run(({ cold }) => {
      const { client, calls } = marbleClient(ts, { progress: () => cold('-') }, polling);
      let error: unknown;
      const halfSignal = { aborted: false, addEventListener: () => undefined } as unknown as AbortSignal;
      client.run(FLOW_ID, '<A/>', { signal: halfSignal }).subscribe({ error: (e: unknown) => (error = e) });
      ts.flush();
      // Before the fix (outside attack on issue 28): accepted, and the unsubscription threw
      // `signal.removeEventListener is not a function` as an uncaught exception.
      expect(error).toMatchObject({ name: 'SmartFlowsInputError', message: 'signal must be an AbortSignal' });
      expect(calls).toEqual([]);
    });
  });
});

describe('SmartFlowsTimeoutError of a follower carries where it stood', () => {
  it('gives the last status, percentage and message seen, so the caller can decide to watch again', () => {
    const ts = newTestScheduler();
    ts.run(({ cold }) => {
      let n = 0;
      const { client } = marbleClient(ts, { progress: () => cold('-(r|)', { r: running(++n >= 2 ? 40 : 20) }) }, polling);
      const seen = follow(client.run(FLOW_ID, '<A/>', { timeoutMs: 30 }));
      ts.flush();
      const error = seen.error as SmartFlowsTimeoutError;
      expect(error).toBeInstanceOf(SmartFlowsTimeoutError);
      expect(error.lastProgress).toEqual({ status: 'Running', percentage: 40, message: 'stage 40' });
      expect(error.message).toMatch(/last seen: Running, 40 %/);
      expect(error.toJSON()).toMatchObject({ lastProgress: { status: 'Running', percentage: 40 } });
    });
  });

  it('has none when the start did not answer (no progress was seen)', () => {
    const ts = newTestScheduler();
    ts.run(({ cold }) => {
      const { client } = slowStart(ts, cold, 50, { progress: () => cold('-') });
      const seen = follow(client.run(FLOW_ID, '<A/>', { timeoutMs: 30 }));
      ts.flush();
      expect(seen.error).toBeInstanceOf(SmartFlowsTimeoutError);
      expect((seen.error as SmartFlowsTimeoutError).lastProgress).toBeUndefined();
    });
  });

  it('watch: the last progress of the shared loop, with the message redacted of the client\'s secrets', () => {
    const ts = newTestScheduler();
    ts.run(({ cold }) => {
      const secret = 'sk-live-5f4e3d2c1b0a9988';
      const client = new SmartFlowsClient({ baseUrl: 'http://127.0.0.1:9', apiKey: secret, scheduler: ts, polling: { pauseWhenHidden: false, waitSeconds: 0, ...polling } });
      // A server that echoes the key in a running progress (never redacted on the poll path).
      const echo = progress('Waiting', 55, `waiting for the printer (key ${secret})`);
      Object.assign((client as unknown as { api: Record<string, unknown> }).api, { progress: () => cold('-(r|)', { r: echo }) });
      const seen = follow(client.watch(EXEC_ID, { timeoutMs: 20 }));
      ts.flush();
      const error = seen.error as SmartFlowsTimeoutError;
      expect(error.lastProgress).toMatchObject({ status: 'Waiting', percentage: 55 });
      expect(error.lastProgress!.message).toMatch(/^waiting for the printer \(key .*redacted.*\)$/);
      expect(JSON.stringify(error.toJSON()) + error.message).not.toContain(secret);
    });
  });
});
