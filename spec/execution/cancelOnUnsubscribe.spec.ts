import { beforeAll, describe, expect, it } from '@jest/globals';
import { first, lastValueFrom, take } from 'rxjs';
import { SmartFlowsClient } from '../../lib/client';
import type { FlowExecution } from '../../lib/api/types';
import { CANCEL_LIMIT_MS } from '../../lib/execution/cancelWhenLeft';
import { EXEC_ID, FLOW_ID, progress } from '../helpers/progress';
import { fakeFetch } from '../helpers/fakeFetch';
import { loadEngine, marbleClient, newTestScheduler } from '../helpers/marbles';

const execution = (status: FlowExecution['status']): FlowExecution => ({ id: EXEC_ID, status, rawStatus: status });
const polling = { intervalMs: 10, maxIntervalMs: 10 };

// The engine loads at the first subscription, outside virtual time: load it before the marbles.
beforeAll(loadEngine);

describe('cancelOnUnsubscribe', () => {
  it('sends no cancel when the subscriber leaves on the output event (the execution has ended)', () => {
    const ts = newTestScheduler();
    ts.run(({ cold }) => {
      const { client, calls } = marbleClient(ts, {
        progress: () => cold('-(s|)', { s: progress('Success', 100) }),
        execution: () => cold('-(e|)', { e: execution('Success') }),
      }, polling);
      const seen: string[] = [];
      client.run(FLOW_ID, '<A/>', { cancelOnUnsubscribe: true }).pipe(first((e) => e.type === 'output')).subscribe((e) => seen.push(e.type));
      ts.flush();
      expect(seen).toEqual(['output']);
      // Before the fix: ['cancel@13'] — a DELETE for an execution that had already succeeded.
      expect(calls.filter((c) => c.startsWith('cancel'))).toEqual([]);
    });
  });

  it('sends no cancel when the subscriber leaves during the output GET of a finished execution', () => {
    const ts = newTestScheduler();
    ts.run(({ cold, expectObservable }) => {
      const { client, calls } = marbleClient(ts, {
        progress: () => cold('-(s|)', { s: progress('Success', 100) }),
        execution: () => cold('-----(e|)', { e: execution('Success') }),
      }, polling);
      // Started at 1, polled at 11, Success at 12, output GET from 12 to 17: leave at 14.
      expectObservable(client.run(FLOW_ID, '<A/>', { cancelOnUnsubscribe: true }), '^ 13ms !');
      ts.flush();
      expect(calls).toEqual(['start@0', 'progress@11', 'execution@12']);
    });
  });

  it('still sends one cancel when the subscriber leaves while the execution runs', () => {
    const ts = newTestScheduler();
    ts.run(({ cold, expectObservable }) => {
      const { client, calls } = marbleClient(ts, { progress: () => cold('-(r|)', { r: progress('Running', 10) }) }, polling);
      expectObservable(client.run(FLOW_ID, '<A/>', { cancelOnUnsubscribe: true }), '^ 30ms !');
      ts.flush();
      expect(calls.filter((c) => c.startsWith('cancel'))).toEqual(['cancel@31']);
    });
  });

  it('watch: sends one cancel when the subscriber leaves before the first event (the id is known from the start)', () => {
    const ts = newTestScheduler();
    ts.run(({ cold, expectObservable }) => {
      // The first progress call is held (a long poll): no event before the subscriber leaves at 5.
      const { client, calls } = marbleClient(ts, { progress: () => cold('-----------------------(r|)', { r: progress('Running', 10) }) }, polling);
      expectObservable(client.watch(EXEC_ID, { cancelOnUnsubscribe: true }), '^ 4ms !');
      ts.flush();
      // Before the fix (outside attack on issue 28): [] — the execution ran on, although the
      // docs promise that leaving (an unsubscribe, an aborted signal) with cancelOnUnsubscribe stops it.
      expect(calls.filter((c) => c.startsWith('cancel'))).toEqual(['cancel@5']);
    });
  });

  it('watch: a timeout before the first event still cancels nothing (a timeout never cancels)', () => {
    const ts = newTestScheduler();
    ts.run(({ cold, expectObservable }) => {
      const { client, calls } = marbleClient(ts, { progress: () => cold('-----------------------(r|)', { r: progress('Running', 10) }) }, polling);
      expectObservable(client.watch(EXEC_ID, { cancelOnUnsubscribe: true, timeoutMs: 5 })).toBe('-----#', undefined, expect.anything());
      ts.flush();
      expect(calls.filter((c) => c.startsWith('cancel'))).toEqual([]);
    });
  });

  it('gives the cancel request at most CANCEL_LIMIT_MS (no retry timer keeps the process alive)', () => {
    const ts = newTestScheduler();
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      // A cancel that never answers (a server that hangs, or retries that go on and on).
      const hanging = cold<void>('-');
      const { client } = marbleClient(ts, { progress: () => cold('-(r|)', { r: progress('Running', 10) }), cancel: () => hanging }, polling);
      expectObservable(client.run(FLOW_ID, '<A/>', { cancelOnUnsubscribe: true }), '^ 30ms !');
      ts.flush();
      // Before the fix: '31ms ^' — still subscribed (a socket and timers) for as long as the transport retries.
      expectSubscriptions(hanging.subscriptions).toBe(`31ms ^ ${CANCEL_LIMIT_MS - 1}ms !`);
    });
  });

  it('sends no DELETE over HTTP for run(…).pipe(first(output))', async () => {
    const server = fakeFetch((url, init) => {
      if (init.method === 'POST') return { id: EXEC_ID, percentage: 0, message: '', status: 'Running' };
      if (new URL(url).pathname.endsWith('/progress')) return { id: EXEC_ID, percentage: 100, message: 'done', status: 'Success' };
      return { id: EXEC_ID, status: 'Success' };
    });
    const client = new SmartFlowsClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k', fetch: server.fetch, polling: { intervalMs: 1 } });
    await lastValueFrom(client.run(FLOW_ID, '<A/>', { cancelOnUnsubscribe: true }).pipe(first((e) => e.type === 'output')));
    // A cancel sent at unsubscription is recorded before the next call is answered.
    await lastValueFrom(client.getExecution(EXEC_ID));
    // Before the fix: 1 DELETE.
    expect(server.requests.filter((r) => r.method === 'DELETE')).toHaveLength(0);
    await lastValueFrom(client.run(FLOW_ID, '<A/>', { cancelOnUnsubscribe: true }).pipe(take(1)));
    await lastValueFrom(client.getExecution(EXEC_ID));
    expect(server.requests.filter((r) => r.method === 'DELETE')).toHaveLength(1);
  });
});
