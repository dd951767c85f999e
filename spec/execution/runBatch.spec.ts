import { describe, expect, it } from '@jest/globals';
import { defer, finalize, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { ColdObservable } from 'rxjs/internal/testing/ColdObservable';
import { runBatch, type BatchDeps } from '../../lib/execution/runBatch';
import type { BatchControlOptions, BatchJob, BatchSnapshot } from '../../lib/execution/batchTypes';
import type { ExecutionEvent, FlowExecution, FlowStatus } from '../../lib/api/types';
import { FlowExecutionError, SmartFlowsInputError } from '../../lib/errors';
import { SmartFlowsBatchError } from '../../lib/execution/SmartFlowsBatchError';
import { FLOW_ID, progress } from '../helpers/progress';

const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

/** Execution id of job i. */
const idOf = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const jobsOf = (n: number, extra: Partial<BatchJob> = {}): BatchJob[] => Array.from({ length: n }, () => ({ flowId: FLOW_ID, ...extra }));

/** Marble values for job i: p = Running n %, o = output at Success. */
function eventsOf(i: number) {
  const ev = (status: FlowStatus, pct: number): ExecutionEvent => ({ type: 'progress', executionId: idOf(i), progress: progress(status, pct, '', idOf(i)) });
  const execution: FlowExecution = { id: idOf(i), status: 'Success', rawStatus: 'Success' };
  return {
    a: ev('Running', 0),
    b: ev('Running', 50),
    c: ev('Running', 80),
    o: { type: 'output', executionId: idOf(i), progress: progress('Success', 100, '', idOf(i)), execution } as ExecutionEvent,
  };
}

/** Deps whose `run` plays job i's marble; records how many runs are subscribed at once. */
function fakeDeps(ts: TestScheduler, script: (i: number) => ColdObservable<ExecutionEvent>) {
  const runs: ColdObservable<ExecutionEvent>[] = [];
  const stats = { active: 0, maxActive: 0, started: [] as number[] };
  const deps: BatchDeps = {
    scheduler: ts,
    run: (_job, i) =>
      defer(() => {
        stats.active += 1;
        stats.maxActive = Math.max(stats.maxActive, stats.active);
        stats.started.push(i);
        runs[i] ??= script(i);
        return runs[i]!;
      }).pipe(finalize(() => (stats.active -= 1))),
  };
  return { deps, runs, stats };
}

/** The counters of each snapshot with the frame it came at. */
function record(ts: TestScheduler, source: Observable<BatchSnapshot>) {
  const seen: { at: number; q: number; r: number; s: number; f: number; pct: number; done: boolean }[] = [];
  const snapshots: BatchSnapshot[] = [];
  const end: { error?: unknown; completeAt?: number } = {};
  const sub = source.subscribe({
    next: (s) => {
      snapshots.push(s);
      seen.push({ at: ts.now(), q: s.queued, r: s.running, s: s.succeeded, f: s.failed, pct: s.percentage, done: s.done });
    },
    error: (error) => (end.error = error),
    complete: () => (end.completeAt = ts.now()),
  });
  return { seen, snapshots, end, sub };
}

describe('runBatch', () => {
  it('runs every job with at most `concurrency` at once, in job order, and ends with a done snapshot', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectSubscriptions, flush }) => {
      const { deps, runs, stats } = fakeDeps(ts, (i) => cold(['a-b-(o|)', 'a---(o|)', 'a-(o|)', 'a(o|)', 'a-----(o|)'][i]!, eventsOf(i)));
      const { seen, snapshots, end } = record(ts, runBatch(deps, jobsOf(5), { concurrency: 2, snapshotIntervalMs: 0 }));
      flush();
      expect(stats.maxActive).toBe(2);
      expect(stats.started).toEqual([0, 1, 2, 3, 4]);
      // A slot frees when a run ends, and the next job starts in that same frame.
      expectSubscriptions(runs[0]!.subscriptions).toBe('^---!');
      expectSubscriptions(runs[1]!.subscriptions).toBe('^---!');
      expectSubscriptions(runs[2]!.subscriptions).toBe('----^-!');
      expectSubscriptions(runs[3]!.subscriptions).toBe('----^!');
      expectSubscriptions(runs[4]!.subscriptions).toBe('-----^-----!');
      const last = snapshots.at(-1)!;
      expect(last).toMatchObject({ total: 5, queued: 0, running: 0, succeeded: 5, failed: 0, percentage: 100, done: true });
      expect(last.items.map((item) => [item.key, item.state, item.executionId])).toEqual([0, 1, 2, 3, 4].map((i) => [String(i), 'succeeded', idOf(i)]));
      expect(last.items[0]!.execution).toEqual({ id: idOf(0), status: 'Success', rawStatus: 'Success' });
      expect(seen.every((s) => s.r <= 2)).toBe(true);
      expect(seen.slice(0, -1).every((s) => !s.done)).toBe(true);
      expect(end.completeAt).toBe(11);
    });
  });

  it('coalesces snapshots to at most one per snapshotIntervalMs, and sends the last one at once', () => {
    const ts = newScheduler();
    ts.run(({ cold, flush }) => {
      // One progress event per frame for 40 frames, then the output at 41.
      const busy = `${'a'.repeat(40)}(o|)`;
      const { deps } = fakeDeps(ts, (i) => cold(busy, { ...eventsOf(i), a: eventsOf(i).b }));
      const { seen } = record(ts, runBatch(deps, jobsOf(3), { concurrency: 3, snapshotIntervalMs: 10 }));
      flush();
      expect(seen.map((s) => s.at)).toEqual([0, 10, 20, 30, 40]);
      expect(seen.at(-1)).toMatchObject({ at: 40, s: 3, done: true });
    });
  });

  it('waits the rest of the interval after a quiet spell (trailing), and shows a change after a long quiet one at once (leading)', () => {
    const ts = newScheduler();
    ts.run(({ cold, flush }) => {
      const { deps } = fakeDeps(ts, (i) => cold('a 2ms b 30ms c 2ms (o|)', eventsOf(i)));
      const { seen } = record(ts, runBatch(deps, jobsOf(1), { snapshotIntervalMs: 10 }));
      flush();
      // a at 0 → shown at 0; b at 3 → held until 10; c at 34 → shown at 34; output at 37 → final at once.
      expect(seen.map((s) => [s.at, s.pct, s.done])).toEqual([
        [0, 0, false],
        [10, 50, false],
        [34, 80, false],
        [37, 100, true],
      ]);
    });
  });

  it('gives the percentage as the mean over jobs: queued 0, running its progress, ended 100', () => {
    const ts = newScheduler();
    ts.run(({ cold, flush }) => {
      const { deps } = fakeDeps(ts, (i) => (i === 0 ? cold('a-b-(o|)', eventsOf(i)) : cold('a-b----c---(o|)', eventsOf(i))));
      const { seen } = record(ts, runBatch(deps, jobsOf(4), { concurrency: 2, snapshotIntervalMs: 0 }));
      flush();
      // At 2: job 0 at 50 %, job 1 at 50 %, two queued → 25 %. At 4: job 0 done (100), job 2 starts at 0.
      expect(seen.find((s) => s.at === 2)?.pct).toBe(25);
      expect(seen.find((s) => s.at === 4)).toMatchObject({ pct: 37.5, q: 1, r: 2, s: 1 });
      expect(seen.at(-1)?.pct).toBe(100);
    });
  });

  it('records a failed job and goes on with the others', () => {
    const ts = newScheduler();
    ts.run(({ cold, flush }) => {
      const failure = new FlowExecutionError(progress('Error', 60, 'Template field not found', idOf(1)));
      const { deps, stats } = fakeDeps(ts, (i) => (i === 1 ? cold('a-#', eventsOf(i), failure) : cold('a-(o|)', eventsOf(i))));
      const { snapshots, end } = record(ts, runBatch(deps, jobsOf(4), { concurrency: 1, snapshotIntervalMs: 0 }));
      flush();
      expect(stats.started).toEqual([0, 1, 2, 3]);
      expect(end.error).toBeUndefined();
      const last = snapshots.at(-1)!;
      expect(last).toMatchObject({ succeeded: 3, failed: 1, done: true, percentage: 100 });
      expect(last.items[1]).toMatchObject({ key: '1', state: 'failed', executionId: idOf(1), error: failure });
    });
  });

  it('takes the executionId of a failure from the error when no event gave one', () => {
    const ts = newScheduler();
    ts.run(({ cold, flush }) => {
      const failure = Object.assign(new Error('timed out'), { executionId: idOf(7) });
      const { deps } = fakeDeps(ts, () => cold('--#', {}, failure));
      const { snapshots } = record(ts, runBatch(deps, jobsOf(1)));
      flush();
      expect(snapshots.at(-1)!.items[0]).toMatchObject({ state: 'failed', executionId: idOf(7), error: failure });
    });
  });

  it('with failFast, errors on the first failure with the job key and executionId, unsubscribes the rest and starts nothing more', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectSubscriptions, flush }) => {
      const failure = new FlowExecutionError(progress('Interrupted', 40, '', idOf(1)));
      const { deps, runs, stats } = fakeDeps(ts, (i) => (i === 1 ? cold('a--#', eventsOf(i), failure) : cold('a-b-----(o|)', eventsOf(i))));
      const jobs = jobsOf(6).map((job, i) => ({ ...job, key: `letter-${i}` }));
      const { end, snapshots } = record(ts, runBatch(deps, jobs, { concurrency: 3, failFast: true, snapshotIntervalMs: 0 }));
      flush();
      expect(stats.started).toEqual([0, 1, 2]);
      expectSubscriptions(runs[0]!.subscriptions).toBe('^--!');
      expectSubscriptions(runs[2]!.subscriptions).toBe('^--!');
      expect(end.error).toBeInstanceOf(SmartFlowsBatchError);
      expect(end.error).toMatchObject({ name: 'SmartFlowsBatchError', key: 'letter-1', index: 1, executionId: idOf(1), cause: failure });
      expect((end.error as Error).message).toBe(`Batch job "letter-1" failed: ${failure.message}`);
      expect(snapshots.every((s) => !s.done)).toBe(true);
    });
  });

  it('stops every job and every timer when unsubscribed', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectSubscriptions, flush }) => {
      const { deps, runs, stats } = fakeDeps(ts, (i) => cold('a-b-c-(o|)', eventsOf(i)));
      const { sub, seen } = record(ts, runBatch(deps, jobsOf(10), { concurrency: 2, snapshotIntervalMs: 100 }));
      cold('---a').subscribe(() => sub.unsubscribe());
      flush();
      expectSubscriptions(runs[0]!.subscriptions).toBe('^--!');
      expectSubscriptions(runs[1]!.subscriptions).toBe('^--!');
      expect(stats.started).toEqual([0, 1]);
      expect(stats.active).toBe(0);
      // The snapshot due at 100 never came: its timer went with the subscription.
      expect(seen.map((s) => s.at)).toEqual([0]);
    });
  });

  it('keeps unchanged items as the same objects from one snapshot to the next', () => {
    const ts = newScheduler();
    ts.run(({ cold, flush }) => {
      const { deps } = fakeDeps(ts, (i) => (i === 0 ? cold('a-(o|)', eventsOf(i)) : cold('a---b---(o|)', eventsOf(i))));
      const { snapshots } = record(ts, runBatch(deps, jobsOf(2), { concurrency: 2, snapshotIntervalMs: 0 }));
      flush();
      // Snapshots at 0 (started), 0 (first events), 2 (job 0 ended: job 1's item is the same object).
      const [, first, second] = snapshots;
      expect(second!.items[0]).not.toBe(first!.items[0]);
      expect(second!.items[1]).toBe(first!.items[1]);
      expect(second!.items).not.toBe(first!.items);
    });
  });

  it('uses the given keys, and the job index as the key otherwise', () => {
    const ts = newScheduler();
    ts.run(({ cold, flush }) => {
      const { deps } = fakeDeps(ts, (i) => cold('(o|)', eventsOf(i)));
      const { snapshots } = record(ts, runBatch(deps, [{ flowId: FLOW_ID, key: 'invoice-42' }, { flowId: FLOW_ID }], {}));
      flush();
      expect(snapshots.at(-1)!.items.map((item) => item.key)).toEqual(['invoice-42', '1']);
    });
  });

  it('emits one done snapshot at 100 % for an empty batch', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable, cold }) => {
      const { deps } = fakeDeps(ts, () => cold('|'));
      expectObservable(runBatch(deps, [])).toBe('(s|)', {
        s: { total: 0, queued: 0, running: 0, succeeded: 0, failed: 0, percentage: 100, items: [], done: true },
      });
    });
  });

  it('handles 1,000 jobs with few snapshots, each a consistent count', () => {
    const ts = newScheduler();
    ts.run(({ cold, flush }) => {
      const { deps, stats } = fakeDeps(ts, (i) => cold('a-b-c-(o|)', eventsOf(i)));
      const { seen, snapshots } = record(ts, runBatch(deps, jobsOf(1000), { concurrency: 50, snapshotIntervalMs: 100 }));
      flush();
      // 20 waves of 6 frames: 120 frames → a snapshot at 0 and 100, and the final one.
      expect(stats.maxActive).toBe(50);
      expect(seen.map((s) => s.at)).toEqual([0, 100, 120]);
      for (const s of snapshots) expect(s.queued + s.running + s.succeeded + s.failed).toBe(1000);
      expect(snapshots.at(-1)).toMatchObject({ succeeded: 1000, done: true });
    });
  });

  describe('refuses bad arguments before running anything', () => {
    const cases: [string, unknown, unknown][] = [
      ['jobs that are not an array', { flowId: FLOW_ID }, {}],
      ['a job that is not an object', [FLOW_ID], {}],
      ['a flowId that is not a GUID', [{ flowId: '../x' }], {}],
      ['an empty key', [{ flowId: FLOW_ID, key: '' }], {}],
      ['a key that is not a string', [{ flowId: FLOW_ID, key: 3 }], {}],
      ['two jobs with one key', [{ flowId: FLOW_ID, key: '1' }, { flowId: FLOW_ID }], {}],
      ['options that are not an object', [], 'fast'],
      ['a concurrency of 0', [], { concurrency: 0 }],
      ['a fractional concurrency', [], { concurrency: 1.5 }],
      ['a concurrency given as text', [], { concurrency: '2' }],
      ['an infinite concurrency', [], { concurrency: Infinity }],
      ['a failFast that is not boolean', [], { failFast: 'yes' }],
      ['a negative snapshotIntervalMs', [], { snapshotIntervalMs: -1 }],
      ['a NaN snapshotIntervalMs', [], { snapshotIntervalMs: NaN }],
    ];
    it.each(cases)('%s', (_what, jobs, options) => {
      const ts = newScheduler();
      ts.run(({ cold, flush }) => {
        const { deps, stats } = fakeDeps(ts, () => cold('(o|)', eventsOf(0)));
        const { end } = record(ts, runBatch(deps, jobs as BatchJob[], options as BatchControlOptions));
        flush();
        expect(end.error).toBeInstanceOf(SmartFlowsInputError);
        expect(stats.started).toEqual([]);
      });
    });
  });
});
