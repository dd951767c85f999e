import { describe, expect, it } from '@jest/globals';
import { type Observable, throwError } from 'rxjs';
import type { ExecutionPage } from '../../lib/api/listings';
import type { FlowExecution, FlowStatus } from '../../lib/api/types';
import { SmartFlowsHttpError } from '../../lib/errors';
import { ListingTracker } from '../../lib/tracker/ListingTracker';
import type { FeedApi } from '../../lib/tracker/readFeed';
import { normalizeTrackerOptions, type TrackerDebugEvent, type TrackerOptions } from '../../lib/tracker/trackerOptions';
import { newTestScheduler } from '../helpers/marbles';

const ID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const T0 = Date.parse('2026-12-01T00:00:00Z');
const item = (n: number, status: FlowStatus, atS: number): FlowExecution => ({ id: ID(n), status, rawStatus: status, modifiedAt: new Date(T0 + atS * 1000).toISOString() });
const progress = (n: number, status: FlowStatus) => ({ id: ID(n), status, rawStatus: status, percentage: 0, message: '' });

interface Call { atFrame: number; kind: 'list' | 'filter'; page: number; size: number; horizon?: string }

/**
 * A fake listing server on the TestScheduler: `answer(call, index)` gives each call's page (or an
 * error), answered one frame later; every call is recorded with its frame.
 */
function fakeFeed(ts: ReturnType<typeof newTestScheduler>, answer: (call: Call, index: number) => FlowExecution[] | Error) {
  const calls: Call[] = [];
  const reply = (call: Call): Observable<ExecutionPage> => {
    calls.push(call);
    const a = answer(call, calls.length - 1);
    if (a instanceof Error) return throwError(() => a);
    return ts.createColdObservable('-(a|)', { a: { items: a, page: call.page, size: call.size } });
  };
  const api: FeedApi = {
    listExecutions: (o) => reply({ atFrame: ts.now(), kind: 'list', page: o.page ?? 0, size: o.size ?? 20 }),
    filterExecutions: (f, o) => reply({ atFrame: ts.now(), kind: 'filter', page: o.page ?? 0, size: o.size ?? 20, horizon: (f.group.nodes[0] as { condition: { values: string[] } }).condition.values[0] }),
  };
  return { api, calls };
}

function newTracker(ts: ReturnType<typeof newTestScheduler>, api: FeedApi, options: TrackerOptions = {}) {
  const debug: TrackerDebugEvent[] = [];
  const tracker = new ListingTracker({ api, scheduler: ts }, normalizeTrackerOptions({ intervalMs: 10, safetyMarginMs: 2000, missingAfterMs: 1000, onDebug: (e) => debug.push(e), ...options }));
  return { tracker, debug };
}

describe('ListingTracker (marbles)', () => {
  it('sends one listing request per cycle while an execution is tracked, and none once the last one leaves', () => {
    const ts = newTestScheduler();
    ts.run(({ flush }) => {
      const { api, calls } = fakeFeed(ts, () => []);
      const { tracker } = newTracker(ts, api);
      const entry = tracker.add(progress(1, 'Running'));
      ts.schedule(() => tracker.remove(entry), 35);
      flush();
      // 10 ms timer, 1 frame answer, 10 ms timer…: cycles at 10, 21, 32; none after the removal at 35.
      expect(calls.map((c) => c.atFrame)).toEqual([10, 21, 32]);
    });
  });

  it("reads one page first, then filters from the newest modifiedAt seen minus the safety margin", () => {
    const ts = newTestScheduler();
    ts.run(({ flush }) => {
      const { api, calls } = fakeFeed(ts, (_c, i) => (i === 0 ? [item(1, 'Running', 50), item(2, 'Running', 40)] : []));
      const { tracker } = newTracker(ts, api);
      const entry = tracker.add(progress(1, 'Queued'));
      ts.schedule(() => tracker.remove(entry), 25);
      flush();
      expect(calls.map((c) => [c.kind, c.horizon])).toEqual([['list', undefined], ['filter', new Date(T0 + 48_000).toISOString()]]);
    });
  });

  it('pages the list feed until an item is older than the horizon, then stops', () => {
    const ts = newTestScheduler();
    ts.run(({ flush }) => {
      const full = (fromS: number) => Array.from({ length: 50 }, (_, k) => item(100 + k, 'Running', fromS - k * 0.01));
      const { api, calls } = fakeFeed(ts, (c, i) => (i === 0 ? [item(1, 'Running', 100)] : c.page === 0 ? full(101) : c.page === 1 ? full(99) : full(90)));
      const { tracker, debug } = newTracker(ts, api, { feed: 'list' });
      const entry = tracker.add(progress(1, 'Running'));
      ts.schedule(() => tracker.remove(entry), 30);
      flush();
      // Horizon 98 s: page 0 ends at 100.51 s, page 1 at 98.51 s, page 2 crosses it.
      expect(calls.map((c) => `${c.atFrame}:${c.page}`)).toEqual(['10:0', '21:0', '22:1', '23:2']);
      expect(debug.filter((e) => e.type === 'cycle').map((e) => e.type === 'cycle' && e.requests)).toEqual([1, 3]);
    });
  });

  it("hands a tracked execution the newest change of it, ignoring other users' and older items", () => {
    const ts = newTestScheduler();
    ts.run(({ flush }) => {
      const { api } = fakeFeed(ts, (_c, i) => (i === 0 ? [item(9, 'Success', 60), item(1, 'Success', 52), item(1, 'Running', 50)] : []));
      const { tracker, debug } = newTracker(ts, api);
      const entry = tracker.add(progress(1, 'Queued'));
      let news = 0;
      entry.news.subscribe(() => news++);
      ts.schedule(() => tracker.remove(entry), 15);
      flush();
      expect(entry.pending).toMatchObject({ id: ID(1), status: 'Success' });
      expect(news).toBe(1);
      expect(debug[0]).toEqual({ type: 'cycle', requests: 1, items: 3, changes: 1, tracked: 1 });
    });
  });

  it('falls back to polling for every execution when an answer is not sorted as asked', () => {
    const ts = newTestScheduler();
    ts.run(({ flush }) => {
      const { api, calls } = fakeFeed(ts, () => [item(1, 'Running', 40), item(2, 'Running', 50)]);
      const { tracker, debug } = newTracker(ts, api);
      const entry = tracker.add(progress(1, 'Running'));
      let later: ReturnType<typeof tracker.add> | undefined;
      // An execution tracked after the fallback polls on its own from the start: no cycle starts again.
      ts.schedule(() => (later = tracker.add(progress(2, 'Running'))), 50);
      ts.schedule(() => tracker.remove(entry), 100);
      flush();
      expect(calls).toHaveLength(1);
      expect(later?.polling).toBe(true);
      expect(entry.polling).toBe(true);
      expect(tracker.polling).toBe(true);
      expect(debug).toEqual([expect.objectContaining({ type: 'fallback', scope: 'tracker', reason: 'unsorted' })]);
    });
  });

  it('switches to the list feed when the filter endpoint answers 405, and polls nothing', () => {
    const ts = newTestScheduler();
    ts.run(({ flush }) => {
      const refused = new SmartFlowsHttpError({ status: 405, method: 'POST', url: 'https://x.test/api/v1/flows/executions/filter', body: '' });
      const { api, calls } = fakeFeed(ts, (c) => (c.kind === 'filter' ? refused : [item(1, 'Running', 50)]));
      const { tracker, debug } = newTracker(ts, api);
      const entry = tracker.add(progress(1, 'Running'));
      ts.schedule(() => tracker.remove(entry), 40);
      flush();
      expect(calls.map((c) => `${c.atFrame}:${c.kind}`)).toEqual(['10:list', '21:filter', '31:list']);
      expect(debug.filter((e) => e.type !== 'cycle')).toEqual([expect.objectContaining({ type: 'feed', feed: 'list' })]);
      expect(entry.polling).toBe(false);
    });
  });

  it('marks an execution the listing has not shown for missingAfterMs for a check of its own', () => {
    const ts = newTestScheduler();
    ts.run(({ flush }) => {
      const { api } = fakeFeed(ts, () => []);
      const { tracker } = newTracker(ts, api, { missingAfterMs: 30 });
      const entry = tracker.add(progress(1, 'Running'));
      const auditAt: number[] = [];
      entry.news.subscribe(() => auditAt.push(ts.now()));
      ts.schedule(() => tracker.remove(entry), 40);
      flush();
      expect(entry.audit).toBe(true);
      expect(auditAt).toEqual([33]);
    });
  });

  it("does not undo a status read with the execution's own request when the listing shows the older one again", () => {
    const ts = newTestScheduler();
    ts.run(({ flush }) => {
      const { api } = fakeFeed(ts, () => [item(1, 'UserInput', 50)]);
      const { tracker, debug } = newTracker(ts, api);
      const entry = tracker.add(progress(1, 'Running'));
      // After the first cycle the form was answered and read back with a progress request: Running.
      ts.schedule(() => {
        entry.pending = undefined;
        tracker.readDirectly(entry, 'Running');
      }, 15);
      ts.schedule(() => tracker.remove(entry), 40);
      flush();
      expect(debug.filter((e) => e.type === 'cycle').map((e) => e.type === 'cycle' && e.changes)).toEqual([1, 0, 0]);
      expect(entry.status).toBe('Running');
    });
  });

  it('sends no listing request while the page is hidden, and goes on when it shows again', () => {
    const ts = newTestScheduler();
    ts.run(({ hot, flush }) => {
      const { api, calls } = fakeFeed(ts, () => []);
      const mayPoll = hot<boolean>('t 4ms f 29ms t', { t: true, f: false });
      const tracker = new ListingTracker({ api, scheduler: ts, mayPoll }, normalizeTrackerOptions({ intervalMs: 10 }));
      const entry = tracker.add(progress(1, 'Running'));
      ts.schedule(() => tracker.remove(entry), 60);
      flush();
      // Hidden from 5 to 35: the cycle due at 10 never runs; shown again at 35, cycles at 45 and 56.
      expect(calls.map((c) => c.atFrame)).toEqual([45, 56]);
    });
  });

  it('does not call a later page unsorted for repeating items that changes pushed down from the page before', () => {
    const ts = newTestScheduler();
    ts.run(({ flush }) => {
      const page0 = Array.from({ length: 50 }, (_, k) => item(100 + k, 'Running', 100 - k * 0.01));
      // Two executions changed between the reads: the last two of page 0 come again, first on page 1.
      const page1 = [item(148, 'Running', 99.52), item(149, 'Running', 99.51), item(200, 'Running', 97)];
      const { api, calls } = fakeFeed(ts, (c, i) => (i === 0 ? [item(1, 'Running', 100.5)] : c.page === 0 ? page0 : page1));
      const { tracker, debug } = newTracker(ts, api, { feed: 'list' });
      const entry = tracker.add(progress(1, 'Running'));
      ts.schedule(() => tracker.remove(entry), 25);
      flush();
      expect(calls.map((c) => `${c.atFrame}:${c.page}`)).toEqual(['10:0', '21:0', '22:1']);
      expect(debug.filter((e) => e.type === 'fallback')).toEqual([]);
    });
  });
});
