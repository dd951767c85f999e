import { beforeAll, describe, expect, it } from '@jest/globals';
import { SmartFlowsTimeoutError } from '../../lib/errors';
import { EXEC_ID, FLOW_ID, progress } from '../helpers/progress';
import { loadEngine, marbleClient, newTestScheduler } from '../helpers/marbles';

const polling = { intervalMs: 10, maxIntervalMs: 10 };
const running = () => progress('Running', 10);
const cancels = (calls: string[]) => calls.filter((c) => c.startsWith('cancel'));

// The engine loads at the first subscription, outside virtual time: load it before the marbles.
beforeAll(loadEngine);

// Issue 24 item 5: a timeout ends only that subscriber's stream, never cancels; leaving does
// (with cancelOnUnsubscribe). One operator (followerBounds) for run, watch and what uses them.
describe('a follower’s timeout and cancel-on-leave', () => {
  it('watch: a timeout with cancelOnUnsubscribe sends no cancel', () => {
    const ts = newTestScheduler();
    ts.run(({ cold }) => {
      const { client, calls } = marbleClient(ts, { progress: () => cold('-(r|)', { r: running() }) }, polling);
      let error: unknown;
      client.watch(EXEC_ID, { cancelOnUnsubscribe: true, timeoutMs: 25 }).subscribe({ error: (e: unknown) => (error = e) });
      ts.flush();
      expect(error).toBeInstanceOf(SmartFlowsTimeoutError);
      // Before the fix: ['cancel@25'].
      expect(cancels(calls)).toEqual([]);
    });
  });

  it('run: a timeout with cancelOnUnsubscribe sends no cancel', () => {
    const ts = newTestScheduler();
    ts.run(({ cold }) => {
      const { client, calls } = marbleClient(ts, { progress: () => cold('-(r|)', { r: running() }) }, polling);
      let error: unknown;
      client.run(FLOW_ID, '<A/>', { cancelOnUnsubscribe: true, timeoutMs: 25 }).subscribe({ error: (e: unknown) => (error = e) });
      ts.flush();
      expect(error).toBeInstanceOf(SmartFlowsTimeoutError);
      expect(cancels(calls)).toEqual([]);
    });
  });

  it('watch: leaving before the timeout sends one cancel', () => {
    const ts = newTestScheduler();
    ts.run(({ cold, expectObservable }) => {
      const { client, calls } = marbleClient(ts, { progress: () => cold('-(r|)', { r: running() }) }, polling);
      expectObservable(client.watch(EXEC_ID, { cancelOnUnsubscribe: true, timeoutMs: 100 }), '^ 30ms !');
      ts.flush();
      expect(cancels(calls)).toEqual(['cancel@31']);
    });
  });

  it('watch: a subscriber that leaves while another stays sends no cancel; the last to leave does', () => {
    const ts = newTestScheduler();
    ts.run(({ cold, expectObservable }) => {
      const { client, calls } = marbleClient(ts, { progress: () => cold('-(r|)', { r: running() }) }, polling);
      expectObservable(client.watch(EXEC_ID, { cancelOnUnsubscribe: true }), '^ 20ms !');
      expectObservable(client.watch(EXEC_ID, { cancelOnUnsubscribe: true }), '^ 40ms !');
      ts.flush();
      expect(cancels(calls)).toEqual(['cancel@41']);
    });
  });

  it('watch: when the other subscriber timed out, the last one to leave by unsubscribing still cancels', () => {
    const ts = newTestScheduler();
    ts.run(({ cold, expectObservable }) => {
      const { client, calls } = marbleClient(ts, { progress: () => cold('-(r|)', { r: running() }) }, polling);
      client.watch(EXEC_ID, { cancelOnUnsubscribe: true, timeoutMs: 15 }).subscribe({ error: () => undefined });
      expectObservable(client.watch(EXEC_ID, { cancelOnUnsubscribe: true }), '^ 40ms !');
      ts.flush();
      expect(cancels(calls)).toEqual(['cancel@41']);
    });
  });

  it('watch: when the last subscriber times out, no cancel is sent (another left earlier)', () => {
    const ts = newTestScheduler();
    ts.run(({ cold, expectObservable }) => {
      const { client, calls } = marbleClient(ts, { progress: () => cold('-(r|)', { r: running() }) }, polling);
      expectObservable(client.watch(EXEC_ID, { cancelOnUnsubscribe: true }), '^ 10ms !');
      client.watch(EXEC_ID, { cancelOnUnsubscribe: true, timeoutMs: 30 }).subscribe({ error: () => undefined });
      ts.flush();
      expect(cancels(calls)).toEqual([]);
    });
  });
});
