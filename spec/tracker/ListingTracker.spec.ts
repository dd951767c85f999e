import { describe, expect, it } from '@jest/globals';
import { type Observable, type SchedulerLike, throwError } from 'rxjs';
import type { ExecutionFilter, ExecutionPage } from '../../lib/api/listings';
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

interface Call { atFrame: number; kind: 'list' | 'filter'; page: number; size: number; horizon?: string; ids?: string[] }

/** The conditions of a filter body, however nested. */
const conditions = (f: ExecutionFilter): { key: string; values: string[] }[] =>
  f.group.nodes.flatMap((n) => ('condition' in n ? [n.condition] : conditions(n)));

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
    filterExecutions: (f, o) => {
      const all = conditions(f);
      const ids = all.find((c) => c.key === 'id')?.values;
      return reply({ atFrame: ts.now(), kind: 'filter', page: o.page ?? 0, size: o.size ?? 20, horizon: all.find((c) => c.key === 'modifiedAt')?.values[0], ...(ids ? { ids } : {}) });
    },
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
      expect(entry).toMatchObject({ id: ID(1), status: 'Success' });
      expect(news).toBe(1);
      expect(debug[0]).toEqual({ type: 'cycle', requests: 1, items: 3, changes: 1, tracked: 1, marginMs: 2000, lateMs: 0, swept: 0, checks: 0 });
    });
  });

  describe('a stamp from the future (attack report, item 6)', () => {
    const DAY_S = 86_400;
    const horizonsS = (calls: Call[]) => calls.map((c) => (c.horizon === undefined ? undefined : (Date.parse(c.horizon) - T0) / 1000));

    it("stops the high-water mark at the server's now that a tracked execution's stamp tells: another user's item a day ahead moves no horizon", () => {
      const ts = newTestScheduler();
      ts.run(({ flush }) => {
        const { api, calls } = fakeFeed(ts, () => [item(9, 'Running', 50 + DAY_S), item(1, 'Running', 50)]);
        const { tracker, debug } = newTracker(ts, api);
        const entry = tracker.add(progress(1, 'Running'));
        ts.schedule(() => tracker.remove(entry), 35);
        flush();
        // Read at frame 11: the server's now is at least 50 s then, 50.011 s at the next read (frame 22); less the 2 s margin.
        expect(horizonsS(calls)).toEqual([undefined, 48, 48.011]);
        expect(debug.filter((e) => e.type !== 'cycle')).toEqual([]);
      });
    });

    it('pulls back a horizon such an item moved before any tracked execution was listed, once one is (here by a sweep)', () => {
      const ts = newTestScheduler();
      ts.run(({ flush }) => {
        // The first page shows only the item from the future; the sweep (id in […]) lists ours too.
        const { api, calls } = fakeFeed(ts, (c) => (c.ids ? [item(9, 'Running', 50 + DAY_S), item(1, 'Running', 50)] : [item(9, 'Running', 50 + DAY_S)]));
        const { tracker, debug } = newTracker(ts, api, { missingAfterMs: 15 });
        const entry = tracker.add(progress(1, 'Running'));
        ts.schedule(() => tracker.remove(entry), 40);
        flush();
        expect(horizonsS(calls)).toEqual([undefined, 48 + DAY_S, 48]);
        expect(calls.map((c) => c.ids?.length ?? 0)).toEqual([0, 1, 0]);
        expect(entry).toMatchObject({ status: 'Running', audit: false, polling: false });
        expect(debug.filter((e) => e.type !== 'cycle')).toEqual([]);
      });
    });

    it('learns the server\'s clock from a tracked execution a lagging listing did not show in the first cycle (CI seed -485164943): its change shows within cycles, not after missingAfterMs', () => {
      const ts = newTestScheduler();
      ts.run(({ flush }) => {
        // The server's clock: T0 + 50 s at frame 0, one ms a frame. Ours was started at frame 0 and
        // the listing lags 15 ms: Running (50 s) from frame 15, Success (50.03 s) from frame 45.
        // Another user's item a day ahead tops every answer; the filter answers as the server does
        // (`modifiedAt ≥ horizon` or `id in […]`).
        const ours = () => (ts.now() < 15 ? [] : ts.now() < 45 ? [item(1, 'Running', 50)] : [item(1, 'Success', 50.03)]);
        const listing = () => [item(9, 'Running', 50 + DAY_S), ...ours(), item(2, 'Running', 49.9)];
        const { api, calls } = fakeFeed(ts, (c) => listing().filter((e) => c.horizon === undefined || Date.parse(e.modifiedAt!) >= Date.parse(c.horizon) || (c.ids ?? []).includes(e.id)));
        const { tracker, debug } = newTracker(ts, api);
        const entry = tracker.add(progress(1, 'Running'));
        let successAt: number | undefined;
        entry.news.subscribe(() => (successAt ??= entry.status === 'Success' ? ts.now() : undefined));
        ts.schedule(() => tracker.remove(entry), 100);
        flush();
        // Cycles at 10, 21, 32, 43, 54 (answered a frame later): the first lists others only, the
        // second nothing newer than the item from the future; the third asks for ours by id too and
        // learns the server's now from it (50 s at frame 33): from the fourth on, the horizon is
        // 2 s before that, and the cycle of 54 shows the end.
        expect(horizonsS(calls).slice(0, 5)).toEqual([undefined, 48 + DAY_S, 48 + DAY_S, 48, 48.011]);
        expect(calls.slice(0, 5).map((c) => c.ids ?? [])).toEqual([[], [], [ID(1)], [], []]);
        // The read after the mark went back (a day) asks a full page: the span it reads is wider than the last.
        expect(calls.slice(0, 5).map((c) => c.size)).toEqual([50, 50, 50, 1000, 50]);
        expect(successAt).toBe(55);
        // Still one listing request a cycle, and no check of its own (missingAfterMs is 1000 ms).
        expect(debug.flatMap((e) => (e.type === 'cycle' ? [e.requests] : []))).toEqual(debug.filter((e) => e.type === 'cycle').map(() => 1));
        expect(entry.audit).toBe(false);
        expect(debug.filter((e) => e.type !== 'cycle')).toEqual([]);
      });
    });

    it('costs nothing on a busy server: 1,000 others on the listing, lagging, with or without the item from the future', () => {
      // The server's clock and ours as above; 1,000 others changed in the second before ours started.
      const run = (future: boolean) => {
        const ts = newTestScheduler();
        let result: { successAt?: number; requests: number[]; calls: number } = { requests: [], calls: 0 };
        ts.run(({ flush }) => {
          const others = Array.from({ length: 1000 }, (_, k) => item(100 + k, 'Running', 49.999 - k * 0.001));
          const ours = () => (ts.now() < 15 ? [] : ts.now() < 45 ? [item(1, 'Running', 50)] : [item(1, 'Success', 50.03)]);
          const listing = () => [...(future ? [item(9, 'Running', 50 + DAY_S)] : []), ...ours(), ...others];
          const { api, calls } = fakeFeed(ts, (c) => {
            const matching = listing().filter((e) => c.horizon === undefined || Date.parse(e.modifiedAt!) >= Date.parse(c.horizon) || (c.ids ?? []).includes(e.id));
            return matching.slice(c.page * c.size, (c.page + 1) * c.size);
          });
          const { tracker, debug } = newTracker(ts, api, { maxPageSize: 1000 });
          const entry = tracker.add(progress(1, 'Running'));
          let successAt: number | undefined;
          entry.news.subscribe(() => (successAt ??= entry.status === 'Success' ? ts.now() : undefined));
          ts.schedule(() => tracker.remove(entry), 150);
          flush();
          result = { successAt, requests: debug.flatMap((e) => (e.type === 'cycle' ? [e.requests] : [])), calls: calls.length };
          expect(debug.filter((e) => e.type === 'fallback')).toEqual([]);
        });
        return result;
      };
      const plain = run(false);
      const withFuture = run(true);
      // The end within a cycle (10 ms, and a page's frame) of the plain server's, and no more requests.
      expect(plain.successAt).toBeDefined();
      expect(withFuture.successAt).toBeDefined();
      expect(Math.abs(withFuture.successAt! - plain.successAt!)).toBeLessThanOrEqual(12);
      expect(Math.max(...withFuture.requests)).toBeLessThanOrEqual(Math.max(...plain.requests));
      expect(withFuture.calls).toBeLessThanOrEqual(plain.calls);
    });

    it('dates a status read with a follower\'s own request before the server\'s now was known by that now, not by a high-water mark a day ahead', () => {
      const ts = newTestScheduler();
      ts.run(({ flush }) => {
        // As above (the server's clock T0 + 50 s at frame 0, the listing lagging 15 ms); a watch
        // joins at frame 12 with its own progress request (Running), after the first cycle set
        // the mark on the item from the future. Ours ends at 50.03 s, listed from frame 45.
        const ours = () => (ts.now() < 15 ? [] : ts.now() < 45 ? [item(1, 'Running', 50)] : [item(1, 'Success', 50.03)]);
        const listing = () => [item(9, 'Running', 50 + DAY_S), ...ours(), item(2, 'Running', 49.9)];
        const { api } = fakeFeed(ts, (c) => listing().filter((e) => c.horizon === undefined || Date.parse(e.modifiedAt!) >= Date.parse(c.horizon) || (c.ids ?? []).includes(e.id)));
        const { tracker } = newTracker(ts, api);
        const entry = tracker.add(progress(1, 'Running'));
        ts.schedule(() => tracker.add(progress(1, 'Running')), 12);
        let successAt: number | undefined;
        entry.news.subscribe(() => (successAt ??= entry.status === 'Success' ? ts.now() : undefined));
        ts.schedule(() => [1, 2].forEach(() => tracker.remove(entry)), 100);
        flush();
        // Its read (frame 12) is older than the end stamped 50.03 s: the end shows as in the test above.
        expect(successAt).toBe(55);
        expect(entry.modifiedAtMs).toBe(T0 + 50_030);
      });
    });

    it('on the list feed, judges the page by the server\'s now the cycle a tracked execution first shows on it (a lagging listing, an item from the future)', () => {
      const ts = newTestScheduler();
      ts.run(({ flush }) => {
        // As above, on `GET /flows/executions` (paged, never filtered): ours ended before the
        // lagging listing showed it, Success (50.01 s) from frame 15 on, below 30 others' changes.
        const others = Array.from({ length: 30 }, (_, k) => item(100 + k, 'Running', 50.2 - k * 0.01));
        const stamp = (e: FlowExecution) => Date.parse(e.modifiedAt!);
        const listing = () => [item(9, 'Running', 50 + DAY_S), ...others, ...(ts.now() < 15 ? [] : [item(1, 'Success', 50.01)])].sort((a, b) => stamp(b) - stamp(a));
        const { api, calls } = fakeFeed(ts, (c) => listing().slice(c.page * c.size, (c.page + 1) * c.size));
        const { tracker, debug } = newTracker(ts, api, { feed: 'list' });
        const entry = tracker.add(progress(1, 'Running'));
        let successAt: number | undefined;
        entry.news.subscribe(() => (successAt ??= entry.status === 'Success' ? ts.now() : undefined));
        ts.schedule(() => tracker.remove(entry), 40);
        flush();
        // The cycle of 21 (answered at 22) lists it below the horizon (a day ahead) and learns the
        // server's now from it: judged by that, it is a change of this cycle, not of the next one.
        expect(successAt).toBe(22);
        // Not late by a day: the previous cycle's newest is pulled back to the server's now then.
        expect(debug.flatMap((e) => (e.type === 'cycle' ? [e.lateMs] : []))).toEqual([0, 0, 0]);
        expect(calls.every((c) => c.kind === 'list' && c.page === 0)).toBe(true);
      });
    });
  });

  describe("safetyMarginMs: 'auto'", () => {
    const horizons = (calls: Call[]) => calls.map((c) => (c.horizon === undefined ? undefined : (Date.parse(c.horizon) - T0) / 1000));

    it('reads back 500 ms while no item comes late, whatever the pace of changes', () => {
      const ts = newTestScheduler();
      ts.run(({ flush }) => {
        // Every cycle a new change 1 s after the previous one; nothing stamped before a cycle's newest shows up later.
        // (The tracked execution's change is the newest: on this fake server time runs 100 times faster
        // than the scheduler's, and only a tracked execution's stamp tells how far it has run.)
        const { api, calls } = fakeFeed(ts, (_c, i) => [item(1, 'Running', 50 + i), item(2, 'Running', 49 + i)]);
        const { tracker, debug } = newTracker(ts, api, { safetyMarginMs: 'auto' });
        const entry = tracker.add(progress(1, 'Running'));
        ts.schedule(() => tracker.remove(entry), 45);
        flush();
        expect(horizons(calls)).toEqual([undefined, 49.5, 50.5, 51.5]);
        expect(debug.map((e) => e.type === 'cycle' && [e.marginMs, e.lateMs])).toEqual([[500, 0], [500, 0], [500, 0], [500, 0]]);
      });
    });

    it('widens to 3000 ms at once when an item shows up later than half the margin, then narrows as the lateness fades', () => {
      const ts = newTestScheduler();
      ts.run(({ flush }) => {
        // Cycle 1 sees the newest change at 50 s; cycle 2 shows one stamped 49.7 s that cycle 1 did not have: 300 ms late.
        // Cycle 3 reads back further (to 47 s) and shows one at 48 s: below what cycle 2 asked for, so not late.
        const { api, calls } = fakeFeed(ts, (_c, i) => (i === 0 ? [item(2, 'Running', 50)] : i === 1 ? [item(2, 'Running', 50), item(3, 'Running', 49.7)] : i === 2 ? [item(2, 'Running', 50), item(4, 'Running', 48)] : [item(2, 'Running', 50)]));
        const { tracker, debug } = newTracker(ts, api, { safetyMarginMs: 'auto' });
        const entry = tracker.add(progress(1, 'Running'));
        ts.schedule(() => tracker.remove(entry), 10 + 11 * 40);
        flush();
        const cycles = debug.flatMap((e) => (e.type === 'cycle' ? [e] : []));
        expect(cycles.slice(0, 3).map((e) => [e.marginMs, e.lateMs])).toEqual([[500, 0], [500, 300], [3000, 0]]);
        expect(horizons(calls).slice(0, 3)).toEqual([undefined, 49.5, 47]);
        // 3000 → 2 × 1500 × 0.95ⁿ: below 3000 on the next cycle, and back at 500 within about 35 cycles.
        const margins = cycles.map((e) => e.marginMs);
        expect(margins[3]).toBeCloseTo(2850, 5);
        expect(margins.at(-1)).toBe(500);
        expect(margins.findIndex((m, k) => k > 2 && m === 500)).toBeLessThan(40);
      });
    });

    it('does not count as late what the previous cycle did not read: a first page cut short', () => {
      const ts = newTestScheduler();
      ts.run(({ flush }) => {
        // Cycle 1 (no horizon) reads one full page of 50 only; cycle 2 shows an older item that page had no room for.
        const page = Array.from({ length: 50 }, (_, k) => item(100 + k, 'Running', 50 - k * 0.001));
        const { api } = fakeFeed(ts, (_c, i) => (i === 0 ? page : [item(100, 'Running', 50), item(5, 'Running', 49.9)]));
        const { tracker, debug } = newTracker(ts, api, { safetyMarginMs: 'auto' });
        // The tracked execution is on that page: the first cycle has no reason to read on.
        const entry = tracker.add(progress(100, 'Running'));
        ts.schedule(() => tracker.remove(entry), 25);
        flush();
        expect(debug.map((e) => e.type === 'cycle' && [e.items, e.marginMs, e.lateMs])).toEqual([[50, 500, 0], [2, 500, 0]]);
      });
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

  it('without the filter feed, marks an execution the listing has not shown for missingAfterMs for a check of its own', () => {
    const ts = newTestScheduler();
    ts.run(({ flush }) => {
      const { api, calls } = fakeFeed(ts, () => []);
      const { tracker } = newTracker(ts, api, { missingAfterMs: 30, feed: 'list' });
      const entry = tracker.add(progress(1, 'Running'));
      const auditAt: number[] = [];
      entry.news.subscribe(() => auditAt.push(ts.now()));
      ts.schedule(() => tracker.remove(entry), 40);
      flush();
      expect(entry.audit).toBe(true);
      expect(auditAt).toEqual([33]);
      expect(calls.every((c) => c.kind === 'list')).toBe(true);
    });
  });

  describe('quiet executions checked in the same request (modifiedAt ≥ horizon or id in […])', () => {
    /** Changes answered by `changes(call)`; the quiet ones asked for by `listed(ids)` (old items, sorted last). */
    const quietFeed = (ts: ReturnType<typeof newTestScheduler>, listed: (ids: string[]) => FlowExecution[] | Error, changes: (i: number) => FlowExecution[] = (i) => [item(90, 'Running', 10 + i)]) =>
      fakeFeed(ts, (c, i) => {
        if (!c.ids) return changes(i);
        const quiet = listed(c.ids);
        return quiet instanceof Error ? quiet : [...changes(i), ...quiet];
      });
    const asKnown = (ids: string[]) => ids.map((id) => ({ id, status: 'Running' as const, rawStatus: 'Running', modifiedAt: new Date(T0 - 60_000).toISOString() }));

    it('asks for the quiet ones in the cycle\'s one request, and keeps those listed as known', () => {
      const ts = newTestScheduler();
      ts.run(({ flush }) => {
        const { api, calls } = quietFeed(ts, asKnown);
        const { tracker, debug } = newTracker(ts, api, { missingAfterMs: 30 });
        const entries = [1, 2, 3].map((n) => tracker.add(progress(n, 'Running')));
        let news = 0;
        for (const e of entries) e.news.subscribe(() => news++);
        ts.schedule(() => entries.forEach((e) => tracker.remove(e)), 80);
        flush();
        // Cycles at 10, 21, 32, 43, …: quiet from 0, the cycle of 32 asks for all three (seen at 33); again from 63, the cycle of 65.
        expect(calls.filter((c) => c.ids).map((c) => [c.atFrame, c.ids?.length])).toEqual([[32, 3], [65, 3]]);
        expect(calls.every((c) => c.page === 0)).toBe(true);
        expect(news).toBe(0);
        expect(entries.every((e) => !e.audit && !e.polling)).toBe(true);
        expect(debug.flatMap((e) => (e.type === 'cycle' && e.swept ? [[e.requests, e.swept, e.checks]] : []))).toEqual([[1, 3, 0], [1, 3, 0]]);
      });
    });

    it('gives its own check to a quiet one listed with another status, or not listed at all', () => {
      const ts = newTestScheduler();
      ts.run(({ flush }) => {
        // 1 is as known; 2 ended long ago, the changes never showed it; 3 is not listed.
        const { api } = quietFeed(ts, () => [item(2, 'Success', -90), item(1, 'Running', -100)]);
        const { tracker, debug } = newTracker(ts, api, { missingAfterMs: 30 });
        const entries = [1, 2, 3].map((n) => tracker.add(progress(n, 'Running')));
        ts.schedule(() => entries.forEach((e) => tracker.remove(e)), 40);
        flush();
        expect(entries.map((e) => e.audit)).toEqual([false, true, true]);
        expect(debug.flatMap((e) => (e.type === 'cycle' && e.swept ? [e.checks] : []))).toEqual([2]);
      });
    });

    it("gives no check to a quiet one that the same cycle's changes show, even when the clock moves during the cycle", () => {
      const ts = newTestScheduler();
      ts.run(({ flush }) => {
        // A clock that moves 1 ms at every reading, as a real one does on a busy machine.
        let readings = 0;
        const moving: SchedulerLike = { now: () => ts.now() + readings++, schedule: ts.schedule.bind(ts) as SchedulerLike['schedule'] };
        // From the cycle of 32 on, the changes show execution 1 again, still Running (a new stage,
        // stamped 200 s, after the horizon): no news, and no check either.
        const { api, calls } = fakeFeed(ts, (_c, i) => (i < 2 ? [item(90, 'Running', 100 + i)] : [item(1, 'Running', 200), item(90, 'Running', 100 + i)]));
        const debug: TrackerDebugEvent[] = [];
        const tracker = new ListingTracker({ api, scheduler: moving }, normalizeTrackerOptions({ intervalMs: 10, safetyMarginMs: 2000, missingAfterMs: 30, onDebug: (e) => debug.push(e) }));
        const entry = tracker.add(progress(1, 'Running'));
        ts.schedule(() => tracker.remove(entry), 36);
        flush();
        expect(calls.filter((c) => c.ids).map((c) => c.ids)).toEqual([[ID(1)]]);
        expect(entry.status).toBe('Running');
        expect(entry.audit).toBe(false);
        expect(debug.flatMap((e) => (e.type === 'cycle' && e.swept ? [[e.changes, e.checks]] : []))).toEqual([[0, 0]]);
      });
    });

    it('asks for half a page of quiet ones a cycle at most, those quiet longest first', () => {
      const ts = newTestScheduler();
      ts.run(({ flush }) => {
        const { api, calls } = quietFeed(ts, asKnown);
        const { tracker } = newTracker(ts, api, { missingAfterMs: 30, maxPageSize: 4 });
        const entries = [1, 2, 3, 4, 5].map((n) => tracker.add(progress(n, 'Running')));
        ts.schedule(() => entries.forEach((e) => tracker.remove(e)), 60);
        flush();
        expect(calls.filter((c) => c.ids).map((c) => c.ids)).toEqual([[ID(1), ID(2)], [ID(3), ID(4)], [ID(5)]]);
      });
    });

    it('stops asking when the server answers older executions it was not asked for, and checks each quiet one on its own', () => {
      const ts = newTestScheduler();
      ts.run(({ flush }) => {
        const { api, calls } = quietFeed(ts, () => [item(7, 'Running', -100)]);
        const { tracker, debug } = newTracker(ts, api, { missingAfterMs: 30 });
        const entry = tracker.add(progress(1, 'Running'));
        const newsAt: number[] = [];
        entry.news.subscribe(() => newsAt.push(ts.now()));
        ts.schedule(() => tracker.remove(entry), 80);
        flush();
        expect(calls.filter((c) => c.ids)).toHaveLength(1);
        expect(debug.filter((e) => e.type === 'sweep')).toEqual([expect.objectContaining({ type: 'sweep', sweeps: 'off', detail: expect.stringContaining(ID(7)) })]);
        // The next cycle (43, read at 44) marks it for a check of its own, as without the filter feed.
        expect(newsAt).toEqual([44]);
      });
    });

    it('stops asking when the filter refuses the body with ids (400), and reads the changes alone from the next cycle', () => {
      const ts = newTestScheduler();
      ts.run(({ flush }) => {
        const refused = new SmartFlowsHttpError({ status: 400, method: 'POST', url: 'https://x.test/api/v1/flows/executions/filter', body: '' });
        const { api, calls } = quietFeed(ts, () => refused);
        const { tracker, debug } = newTracker(ts, api, { missingAfterMs: 30 });
        const entry = tracker.add(progress(1, 'Running'));
        ts.schedule(() => tracker.remove(entry), 60);
        flush();
        // The refusal comes at once (no answer frame): the next cycle is 10 ms later.
        expect(calls.map((c) => `${c.atFrame}:${c.kind}${c.ids ? '+ids' : ''}`)).toEqual(['10:list', '21:filter', '32:filter+ids', '42:filter', '53:filter']);
        expect(debug.filter((e) => e.type === 'sweep')).toEqual([expect.objectContaining({ sweeps: 'off', detail: expect.stringContaining('400') })]);
        expect(debug.filter((e) => e.type === 'feed' || e.type === 'fallback')).toEqual([]);
        expect(entry.polling).toBe(false);
      });
    });
  });

  it("does not undo a status read with the execution's own request when the listing shows the older one again", () => {
    const ts = newTestScheduler();
    ts.run(({ flush }) => {
      const { api } = fakeFeed(ts, () => [item(1, 'UserInput', 50)]);
      const { tracker, debug } = newTracker(ts, api);
      const entry = tracker.add(progress(1, 'Running'));
      // After the first cycle the form was answered and read back with a progress request: Running.
      ts.schedule(() => tracker.readDirectly(entry, { status: 'Running', rawStatus: 'Running' }), 15);
      ts.schedule(() => tracker.remove(entry), 40);
      flush();
      expect(debug.filter((e) => e.type === 'cycle').map((e) => e.type === 'cycle' && e.changes)).toEqual([1, 0, 0]);
      expect(entry.status).toBe('Running');
    });
  });

  it('a throwing onDebug is no failed cycle: two passing failures in a row do not fall back (three do)', () => {
    const ts = newTestScheduler();
    ts.run(({ flush }) => {
      const failure = new SmartFlowsHttpError({ status: 503, method: 'POST', url: 'https://x.test/api/v1/flows/executions/filter', body: '' });
      // Cycle 1 answers (and onDebug throws at its end), cycles 2 and 3 fail, cycle 4 answers.
      const { api } = fakeFeed(ts, (_c, i) => (i === 1 || i === 2 ? failure : [item(1, 'Running', 50)]));
      let debugCalls = 0;
      const onDebug = () => {
        debugCalls++;
        throw new Error('a bug in the app');
      };
      const tracker = new ListingTracker({ api, scheduler: ts }, normalizeTrackerOptions({ intervalMs: 10, safetyMarginMs: 2000, onDebug }));
      const entry = tracker.add(progress(1, 'Running'));
      ts.schedule(() => tracker.remove(entry), 50);
      flush();
      expect(debugCalls).toBeGreaterThan(0);
      expect(tracker.polling).toBe(false);
      expect(entry.polling).toBe(false);
    });
  });

  it('the first cycle pages on until it has listed every tracked execution (a busy server)', () => {
    const ts = newTestScheduler();
    ts.run(({ flush }) => {
      // 120 other executions changed after ours, within a second: ours (ended, stamped 59 s) is on
      // the third page of 50, within the look-back (the margin, 2 s, and the 10 ms it was tracked).
      const others = Array.from({ length: 120 }, (_, k) => item(100 + k, 'Running', 60 - k * 0.008));
      const all = [...others, item(1, 'Success', 59), item(2, 'Running', 58.9)];
      const { api, calls } = fakeFeed(ts, (c, i) => (i < 3 ? all.slice(c.page * c.size, (c.page + 1) * c.size) : []));
      const { tracker, debug } = newTracker(ts, api);
      const entry = tracker.add(progress(1, 'Running'));
      ts.schedule(() => tracker.remove(entry), 25);
      flush();
      expect(calls.slice(0, 3).map((c) => `${c.kind}:${c.page}`)).toEqual(['list:0', 'list:1', 'list:2']);
      expect(entry.status).toBe('Success');
      expect(debug.find((e) => e.type === 'cycle')).toMatchObject({ requests: 3, changes: 1 });
    });
  });

  it('shares one entry among the followers of an id, and tracks it until the last one leaves', () => {
    const ts = newTestScheduler();
    ts.run(({ flush }) => {
      const { api, calls } = fakeFeed(ts, () => []);
      const { tracker, debug } = newTracker(ts, api);
      const a = tracker.add(progress(1, 'Queued'));
      // A watch of the same execution (its id in capitals) joins with what it just read.
      const b = tracker.add({ ...progress(1, 'Running'), id: ID(1).toUpperCase() });
      ts.schedule(() => tracker.remove(a), 15);
      ts.schedule(() => tracker.remove(b), 35);
      flush();
      expect(b).toBe(a);
      expect(a).toMatchObject({ status: 'Running', followers: 0 });
      // Cycles go on after the first follower left, and stop with the second.
      expect(calls.map((c) => c.atFrame)).toEqual([10, 21, 32]);
      expect(debug.map((e) => e.type === 'cycle' && e.tracked)).toEqual([1, 1, 1]);
    });
  });

  it('sends the confirming GET once for every follower that asks', () => {
    const ts = newTestScheduler();
    ts.run(({ cold, flush }) => {
      const { api } = fakeFeed(ts, () => []);
      const { tracker } = newTracker(ts, api);
      const entry = tracker.add(progress(1, 'Running'));
      let gets = 0;
      const get = () => {
        gets++;
        return cold('--(a|)', { a: item(1, 'Success', 60) });
      };
      const seen: string[] = [];
      tracker.confirmation(entry, get).subscribe((e) => seen.push(`a:${e.status}`));
      ts.schedule(() => tracker.confirmation(entry, get).subscribe((e) => seen.push(`b:${e.status}`)), 1);
      ts.schedule(() => tracker.confirmation(entry, get).subscribe((e) => seen.push(`c:${e.status}`)), 5);
      ts.schedule(() => tracker.remove(entry), 6);
      flush();
      expect(gets).toBe(1);
      expect(seen).toEqual(['a:Success', 'b:Success', 'c:Success']);
      expect(entry.confirmed).toMatchObject({ status: 'Success' });
    });
  });

  it('the first cycle reads back no further than the tracking began (and the margin): a lagging listing that does not show it yet', () => {
    const ts = newTestScheduler();
    ts.run(({ flush }) => {
      // Others a tenth of a second apart; ours not listed at all (too young for a lagging listing).
      const others = Array.from({ length: 500 }, (_, k) => item(100 + k, 'Running', 60 - k * 0.1));
      const { api, calls } = fakeFeed(ts, (c) => (c.horizon ? [] : others.slice(c.page * c.size, (c.page + 1) * c.size)));
      const { tracker } = newTracker(ts, api, { missingAfterMs: 10_000 });
      const entry = tracker.add(progress(1, 'Running'));
      ts.schedule(() => tracker.remove(entry), 15);
      flush();
      // The look-back counts from page 0's oldest item (55.1 s − 2.01 s: an item from the future
      // at the top must not end it), and page 1 reaches past it: two pages, not maxPages of them.
      expect(calls.map((c) => `${c.kind}:${c.page}`)).toEqual(['list:0', 'list:1']);
      // And it is due for a check at once.
      expect(entry.lastSeenAtMs).toBeLessThanOrEqual(ts.now() - 10_000);
    });
  });

  it('checks at once a tracked execution that the first cycle could not list within maxPages', () => {
    const ts = newTestScheduler();
    ts.run(({ flush }) => {
      const full = (page: number) => Array.from({ length: 50 }, (_, k) => item(100 + page * 50 + k, 'Running', 60 - page - k * 0.01));
      const { api, calls } = fakeFeed(ts, (c) => (c.ids ? [item(1, 'Success', 10)] : c.horizon ? [] : full(c.page)));
      const { tracker, debug } = newTracker(ts, api, { maxPages: 2, missingAfterMs: 10_000 });
      const entry = tracker.add(progress(1, 'Running'));
      ts.schedule(() => tracker.remove(entry), 30);
      flush();
      // Two pages without it, then the next cycle asks for it by id (not 10 s later), and finds it changed.
      expect(calls.map((c) => `${c.kind}:${c.page}${c.ids ? '+ids' : ''}`)).toEqual(['list:0', 'list:1', 'filter:0+ids']);
      expect(debug.flatMap((e) => (e.type === 'cycle' ? [[e.requests, e.swept, e.checks]] : []))).toEqual([[2, 0, 0], [1, 1, 1]]);
      expect(entry.audit).toBe(true);
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
