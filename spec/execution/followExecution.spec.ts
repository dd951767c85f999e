import { describe, expect, it } from '@jest/globals';
import { type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { ColdObservable } from 'rxjs/internal/testing/ColdObservable';
import { followExecution, type FollowDeps } from '../../lib/execution/followExecution';
import type { FlowExecution, FlowProgress } from '../../lib/api/types';
import { FlowExecutionError, SmartFlowsHttpError, SmartFlowsTimeoutError } from '../../lib/errors';
import { DEFAULTS } from '../../lib/options';
import { EXEC_ID, progress } from '../helpers/progress';

const polling = { ...DEFAULTS.polling, waitSeconds: 0, intervalMs: 10, maxIntervalMs: 10, idleIntervalMs: 100 };
const execution = (status: FlowExecution['status']): FlowExecution => ({ id: EXEC_ID, status, rawStatus: status });

const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

/** Fake API whose every call is a cold Observable from a marble; records what was requested. */
function fakeDeps(ts: TestScheduler, script: { progress: ColdObservable<FlowProgress>[]; execution?: ColdObservable<FlowExecution> }) {
  const calls: string[] = [];
  let i = 0;
  const deps: FollowDeps = {
    polling,
    scheduler: ts,
    getProgress: () => {
      calls.push(`progress@${ts.now()}`);
      return script.progress[Math.min(i++, script.progress.length - 1)]!;
    },
    api: {
      execution: () => {
        calls.push(`execution@${ts.now()}`);
        return script.execution ?? ts.createColdObservable<FlowExecution>('-#', undefined, new Error('no execution'));
      },
      cancel: (id: string): Observable<void> => {
        calls.push(`cancel ${id}@${ts.now()}`);
        return ts.createColdObservable<void>('-|');
      },
    },
  };
  return { deps, calls };
}

describe('followExecution', () => {
  it('emits the start progress, each change, then one output event at Success and completes', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable }) => {
      const p = { a: progress('Running', 0), b: progress('Running', 50), c: progress('Success', 100) };
      const ex = execution('Success');
      const { deps } = fakeDeps(ts, { progress: [cold('-(b|)', p), cold('-(c|)', p)], execution: cold('--(e|)', { e: ex }) });
      expectObservable(followExecution(deps, cold('--(a|)', p))).toBe('--a 10ms b 10ms c 1ms (o|)', {
        a: { type: 'progress', executionId: EXEC_ID, progress: p.a },
        b: { type: 'progress', executionId: EXEC_ID, progress: p.b },
        c: { type: 'progress', executionId: EXEC_ID, progress: p.c },
        o: { type: 'output', executionId: EXEC_ID, progress: p.c, execution: ex },
      });
    });
  });

  it('completes with output at Warning too', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable }) => {
      const w = progress('Warning', 100, 'post-processing failed');
      const ex = execution('Warning');
      const { deps } = fakeDeps(ts, { progress: [cold('(w|)', { w })], execution: cold('(e|)', { e: ex }) });
      expectObservable(followExecution(deps, cold('(a|)', { a: progress('Running') }))).toBe('a 9ms (wo|)', {
        a: { type: 'progress', executionId: EXEC_ID, progress: progress('Running') },
        w: { type: 'progress', executionId: EXEC_ID, progress: w },
        o: { type: 'output', executionId: EXEC_ID, progress: w, execution: ex },
      });
    });
  });

  it.each(['Error', 'Canceled', 'Interrupted'] as const)('errors with FlowExecutionError carrying the execution when the flow ends in %s', (status) => {
    const ts = newScheduler();
    ts.run(({ cold }) => {
      const end = progress(status, 40, 'it broke');
      const ex = execution(status);
      const { deps } = fakeDeps(ts, { progress: [cold('(z|)', { z: end })], execution: cold('(e|)', { e: ex }) });
      const events: unknown[] = [];
      let error: FlowExecutionError | undefined;
      followExecution(deps, cold('(a|)', { a: progress('Running') })).subscribe({ next: (e) => events.push(e), error: (e) => (error = e) });
      ts.flush();
      expect(events).toHaveLength(2);
      expect(error).toBeInstanceOf(FlowExecutionError);
      expect(error).toMatchObject({ status, executionId: EXEC_ID, progress: end, execution: ex });
    });
  });

  it('still errors with FlowExecutionError when the failed execution cannot be fetched', () => {
    const ts = newScheduler();
    ts.run(({ cold }) => {
      const { deps } = fakeDeps(ts, { progress: [cold('(z|)', { z: progress('Error', 10) })] });
      let error: unknown;
      followExecution(deps, cold('(a|)', { a: progress('Running') })).subscribe({ error: (e) => (error = e) });
      ts.flush();
      expect(error).toBeInstanceOf(FlowExecutionError);
      expect((error as FlowExecutionError).execution).toBeUndefined();
    });
  });

  it('ends with FlowExecutionError at UserInput when onUserInput is error, and waits otherwise', () => {
    const ts = newScheduler();
    ts.run(({ cold }) => {
      const u = progress('UserInput', 30, 'fill the form');
      const { deps, calls } = fakeDeps(ts, { progress: [cold('(u|)', { u }), cold('(s|)', { s: progress('Success', 100) })], execution: cold('(e|)', { e: execution('Success') }) });
      let error: FlowExecutionError | undefined;
      followExecution(deps, cold('(a|)', { a: progress('Running') }), { onUserInput: 'error' }).subscribe({ error: (e) => (error = e) });
      ts.flush();
      expect(error).toMatchObject({ name: 'FlowExecutionError', status: 'UserInput', executionId: EXEC_ID });
      expect(calls).toEqual(['progress@10']);
    });
  });

  it('puts the executionId on every error after the start, e.g. a failed poll', () => {
    const ts = newScheduler();
    ts.run(({ cold }) => {
      const http = new SmartFlowsHttpError({ status: 500, method: 'GET', url: 'https://x/api/v1/p', body: '' });
      const { deps } = fakeDeps(ts, { progress: [cold('-#', undefined, http)] });
      let error: SmartFlowsHttpError | undefined;
      followExecution(deps, cold('(a|)', { a: progress('Running') })).subscribe({ error: (e) => (error = e) });
      ts.flush();
      // A new error of the same class with the id: the one the poll raised is never changed.
      expect(error).toBeInstanceOf(SmartFlowsHttpError);
      expect(error).toMatchObject({ status: 500, url: http.url, executionId: EXEC_ID });
      expect(http.executionId).toBeUndefined();
    });
  });

  it('errors with SmartFlowsTimeoutError naming the execution when polling.timeoutMs passes', () => {
    const ts = newScheduler();
    ts.run(({ cold }) => {
      const { deps } = fakeDeps(ts, { progress: [cold('(r|)', { r: progress('Running', 5) })] });
      const source = followExecution({ ...deps, polling: { ...polling, timeoutMs: 35 } }, cold('(a|)', { a: progress('Running', 5) }));
      let error: SmartFlowsTimeoutError | undefined;
      let erroredAt = -1;
      source.subscribe({ error: (e) => ((error = e), (erroredAt = ts.now())) });
      ts.flush();
      expect(erroredAt).toBe(35);
      expect(error).toBeInstanceOf(SmartFlowsTimeoutError);
      expect(error).toMatchObject({ timeoutMs: 35, executionId: EXEC_ID });
      expect(error!.message).toContain(EXEC_ID);
    });
  });

  describe('unsubscribing', () => {
    // Each case: where the subscriber leaves, and which requests must have been made by then.
    it.each([
      ['during the start POST', '^ 1ms !', [] as string[], '^-!'],
      ['between polls', '^ 6ms !', [] as string[], null],
      ['during a poll', '^ 13ms !', ['progress@12'], null],
      ['during the output GET', '^ 24ms !', ['progress@12', 'progress@23', 'execution@24'], null],
    ])('%s stops every request and timer and sends nothing after', (_phase, unsub, expectedCalls, startSubs) => {
      const ts = newScheduler();
      ts.run(({ cold, expectObservable, expectSubscriptions }) => {
        const p = { r: progress('Running', 10), s: progress('Success', 100) };
        const start = cold('--(a|)', { a: progress('Running', 0) });
        const poll1 = cold('-(r|)', p);
        const output = cold('---(e|)', { e: execution('Success') });
        const { deps, calls } = fakeDeps(ts, { progress: [poll1, cold('-(s|)', p)], execution: output });
        expectObservable(followExecution(deps, start), unsub);
        ts.flush();
        expect(calls).toEqual(expectedCalls);
        if (startSubs) expectSubscriptions(start.subscriptions).toBe(startSubs);
        if (expectedCalls.includes('execution@24')) expectSubscriptions(output.subscriptions).toBe('24ms ^!');
      });
    });

    it('sends the cancel call once with cancelOnUnsubscribe, and never after a normal end', () => {
      const ts = newScheduler();
      ts.run(({ cold, expectObservable }) => {
        const { deps, calls } = fakeDeps(ts, { progress: [cold('-(r|)', { r: progress('Running', 10) })] });
        expectObservable(followExecution(deps, cold('(a|)', { a: progress('Running') }), { cancelOnUnsubscribe: true }), '^ 20ms !');
        ts.flush();
        expect(calls.filter((c) => c.startsWith('cancel'))).toEqual([`cancel ${EXEC_ID}@21`]);
      });
      const ts2 = newScheduler();
      ts2.run(({ cold }) => {
        const { deps, calls } = fakeDeps(ts2, { progress: [cold('(s|)', { s: progress('Success', 100) })], execution: cold('(e|)', { e: execution('Success') }) });
        const sub = followExecution(deps, cold('(a|)', { a: progress('Running') }), { cancelOnUnsubscribe: true }).subscribe();
        ts2.flush();
        sub.unsubscribe();
        expect(calls.some((c) => c.startsWith('cancel'))).toBe(false);
      });
    });
  });
});
